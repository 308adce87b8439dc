#include "model.h"

#include "absl/strings/str_cat.h"

namespace gridbill::balance {

std::string Scheme::Subject() const {
  switch (kind) {
    case SchemeKind::kParticipantService:
      return absl::StrCat("p/", participant_id, "/", service_type);
    case SchemeKind::kNode:
      return absl::StrCat("n/", node_code);
    case SchemeKind::kRegion:
      return absl::StrCat("r/", node_code);
  }
  return "";
}

}  // namespace gridbill::balance
