// What invoicing reads from other services, as interfaces: the volumes of
// balance runs (balance service) and the contracts, participants and
// tariffs (contracts service). The gRPC implementations are in
// balance_source.* and contracts_source.*; tests may substitute their own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "accrual.h"
#include "gridbill/domain/civil.h"
#include "model.h"

namespace gridbill::invoicing {

// A balance run that can be billed.
struct BalanceRunInfo {
  std::string id;
  BalanceRunType type = BalanceRunType::kFinal;
};

// A participant's monthly volume of one service in a balance run.
struct VolumeRecord {
  std::string participant_id;
  Service service = Service::kTransmission;
  int64_t total_wh = 0;
  Completeness completeness;
};

class VolumeSource {
 public:
  virtual ~VolumeSource() = default;
  // The run to bill: `requested_id` when set (it must belong to the
  // period), else the latest final or correction run of the period.
  // FAILED_PRECONDITION "balance_run_id" when there is none.
  virtual absl::StatusOr<BalanceRunInfo> BillingRun(const BillingPeriod& period,
                                                    const std::string& requested_id) = 0;
  // Every participant × service volume of the run.
  virtual absl::StatusOr<std::vector<VolumeRecord>> Volumes(const std::string& run_id) = 0;
  // The volume of one participant and service inside each of `ranges`
  // (UTC, half-open), when the source keeps finer results; nullopt otherwise
  // (the month is then split pro rata by hours).
  virtual absl::StatusOr<std::optional<std::vector<int64_t>>> SplitVolume(
      const std::string& run_id, const std::string& participant_id, Service service,
      const std::vector<TimeRange>& ranges) = 0;
};

struct ContractInfo {
  std::string id;
  std::string number;
  std::string participant_id;
  Service service = Service::kTransmission;
  absl::CivilDay signed_on;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
  int due_day = 25;  // day of the month after the period
};

class ContractDirectory {
 public:
  virtual ~ContractDirectory() = default;
  // Contracts in force (active, suspended or terminated) on some day of the period.
  virtual absl::StatusOr<std::vector<ContractInfo>> BillableContracts(
      const BillingPeriod& period) = 0;
  virtual absl::StatusOr<ContractInfo> ContractByNumber(const std::string& number) = 0;
  virtual absl::StatusOr<Customer> Participant(const std::string& participant_id) = 0;
  // The tariff parts of the period for a service (with their hours).
  virtual absl::StatusOr<std::vector<TariffPart>> TariffParts(Service service,
                                                              const BillingPeriod& period) = 0;
};

}  // namespace gridbill::invoicing
