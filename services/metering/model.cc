#include "model.h"

#include "absl/strings/str_format.h"

namespace gridbill::metering {

absl::Duration Length(Resolution r) {
  switch (r) {
    case Resolution::kPt15m:
      return absl::Minutes(15);
    case Resolution::kPt30m:
      return absl::Minutes(30);
    case Resolution::kPt60m:
      return absl::Minutes(60);
    case Resolution::kUnspecified:
      break;
  }
  return absl::ZeroDuration();
}

std::string ChannelCode(Channel c) { return absl::StrFormat("%02d", static_cast<int>(c)); }

bool MeteringPoint::HasChannel(Channel c) const {
  for (const ChannelConfig& ch : channels) {
    if (ch.channel == c) return true;
  }
  return false;
}

bool MeteringPoint::AssignedTo(const std::string& participant, absl::CivilDay from,
                               absl::CivilDay to) const {
  for (const Assignment& a : assignments) {
    if (a.participant_id == participant && a.valid_from <= to &&
        (!a.valid_to || *a.valid_to >= from)) {
      return true;
    }
  }
  return false;
}

void IngestSummary::Add(const IngestSummary& o) {
  accepted += o.accepted;
  unchanged += o.unchanged;
  revised += o.revised;
  rejected += o.rejected;
  revisions_written += o.revisions_written;
  flagged += o.flagged;
  missing += o.missing;
  status_flagged += o.status_flagged;
  for (const Rejection& r : o.rejections) {
    if (rejections.size() >= 1000) break;
    rejections.push_back(r);
  }
}

}  // namespace gridbill::metering
