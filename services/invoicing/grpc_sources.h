// The gRPC implementations of VolumeSource (balance.v1) and
// ContractDirectory (contracts.v1). Calls carry the principal
// "service:invoicing" (role integration client) and a deadline; failures come back as absl::Status.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "gridbill/balance/v1/balance.grpc.pb.h"
#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/server/client_call.h"
#include "grpcpp/grpcpp.h"
#include "sources.h"

namespace gridbill::invoicing {

class GrpcContractDirectory final : public ContractDirectory {
 public:
  GrpcContractDirectory(std::shared_ptr<grpc::Channel> channel, absl::TimeZone zone,
                        absl::Duration deadline = absl::Seconds(30));
  absl::StatusOr<std::vector<ContractInfo>> BillableContracts(const BillingPeriod& period) override;
  absl::StatusOr<ContractInfo> ContractByNumber(const std::string& number) override;
  absl::StatusOr<Customer> Participant(const std::string& participant_id) override;
  absl::StatusOr<std::vector<TariffPart>> TariffParts(Service service,
                                                      const BillingPeriod& period) override;

 private:
  std::unique_ptr<contracts::v1::ContractService::Stub> contracts_;
  std::unique_ptr<contracts::v1::ParticipantService::Stub> participants_;
  std::unique_ptr<contracts::v1::TariffService::Stub> tariffs_;
  absl::TimeZone zone_;
  PeerCaller peer_;
};

class GrpcVolumeSource final : public VolumeSource {
 public:
  explicit GrpcVolumeSource(std::shared_ptr<grpc::Channel> channel,
                            absl::Duration deadline = absl::Seconds(120));
  absl::StatusOr<BalanceRunInfo> BillingRun(const BillingPeriod& period,
                                            const std::string& requested_id) override;
  absl::StatusOr<std::vector<VolumeRecord>> Volumes(const std::string& run_id) override;
  absl::StatusOr<std::optional<std::vector<int64_t>>> SplitVolume(
      const std::string& run_id, const std::string& participant_id, Service service,
      const std::vector<TimeRange>& ranges) override;

 private:
  std::unique_ptr<balance::v1::BalanceService::Stub> stub_;
  PeerCaller peer_;
};

// Shares from interval counts: estimated / intervals and missing / intervals,
// rounded half-up to 6 digits (0 when there are no intervals).
Completeness CompletenessOf(int64_t intervals, int64_t estimated, int64_t missing);

}  // namespace gridbill::invoicing
