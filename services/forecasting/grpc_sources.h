// The other services' APIs as forecasting's sources: participants and
// contracts from the contracts service, billed monthly volumes from the
// balance service's billing runs.
#pragma once

#include <memory>

#include "absl/time/time.h"
#include "gridbill/balance/v1/balance.grpc.pb.h"
#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "sources.h"

namespace gridbill::forecasting {

class GrpcDirectory final : public Directory {
 public:
  GrpcDirectory(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);
  absl::StatusOr<std::vector<ParticipantInfo>> Participants() override;
  absl::StatusOr<ContractInfo> Contract(const std::string& id) override;

 private:
  std::unique_ptr<contracts::v1::ParticipantService::Stub> participants_;
  std::unique_ptr<contracts::v1::ContractService::Stub> contracts_;
  absl::Duration timeout_;
};

class GrpcVolumeSource final : public VolumeSource {
 public:
  GrpcVolumeSource(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);
  absl::StatusOr<std::optional<BilledMonth>> Billed(absl::CivilMonth period) override;

 private:
  std::unique_ptr<balance::v1::BalanceService::Stub> balance_;
  absl::Duration timeout_;
};

}  // namespace gridbill::forecasting
