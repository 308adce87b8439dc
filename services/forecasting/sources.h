// What forecasting reads from the other services, as interfaces (the gRPC
// clients are in grpc_sources.h; tests pass fakes).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "model.h"

namespace gridbill::forecasting {

struct ParticipantInfo {
  std::string id;
  std::string bin;
  std::string region_code;
};

struct ContractInfo {
  std::string id;
  std::string participant_id;
  int service_type = 0;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
};

// The contracts service: participants and contracts.
class Directory {
 public:
  virtual ~Directory() = default;
  virtual absl::StatusOr<std::vector<ParticipantInfo>> Participants() = 0;
  // NOT_FOUND for an unknown contract.
  virtual absl::StatusOr<ContractInfo> Contract(const std::string& id) = 0;
};

// One period's billed volumes: the balance run it is billed from.
struct BilledMonth {
  std::string run_id;
  std::vector<MonthVolume> volumes;
};

// The balance service: the billing run of a period and its totals.
class VolumeSource {
 public:
  virtual ~VolumeSource() = default;
  // nullopt when the period has no billing run.
  virtual absl::StatusOr<std::optional<BilledMonth>> Billed(absl::CivilMonth period) = 0;
};

}  // namespace gridbill::forecasting
