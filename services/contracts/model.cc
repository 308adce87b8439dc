#include "model.h"

namespace gridbill::contracts {

std::vector<FieldChange> Diff(const FieldTexts& before, const FieldTexts& after) {
  std::vector<FieldChange> out;
  for (size_t i = 0; i < after.size(); ++i) {
    std::string old_value = i < before.size() ? before[i].second : std::string();
    if (old_value != after[i].second) {
      out.push_back(FieldChange{after[i].first, std::move(old_value), after[i].second});
    }
  }
  return out;
}

std::string DateText(const std::optional<absl::CivilDay>& day) {
  return day ? FormatDate(*day) : std::string();
}

int ApplicationDeadlines::DaysFor(ApplicationType type) const {
  switch (type) {
    case ApplicationType::kDeclaredVolumes:
      return declared_volumes;
    case ApplicationType::kContractConclusion:
      return contract_conclusion;
    case ApplicationType::kContractAmendment:
      return contract_amendment;
    case ApplicationType::kMeteringCorrection:
      return metering_correction;
    case ApplicationType::kMeteringPointConnection:
      return metering_point_connection;
    case ApplicationType::kUnspecified:
      break;
  }
  return 0;
}

}  // namespace gridbill::contracts
