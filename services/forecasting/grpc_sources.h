// The other services' APIs as forecasting's sources: participants and
// contracts, tariffs and approved declared volumes from the contracts
// service; billed monthly volumes and what is measured of a period so far
// from the balance service's runs; the VAT rates from the invoicing service.
// Calls are made as "service:forecasting" with the integration client's role.
#pragma once

#include <memory>

#include "absl/time/time.h"
#include "gridbill/balance/v1/balance.grpc.pb.h"
#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/invoicing/v1/invoicing.grpc.pb.h"
#include "gridbill/server/client_call.h"
#include "sources.h"

namespace gridbill::forecasting {

class GrpcDirectory final : public Directory, public PriceSource, public DeclarationSource {
 public:
  GrpcDirectory(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);
  absl::StatusOr<std::vector<ParticipantInfo>> Participants() override;
  absl::StatusOr<ContractInfo> Contract(const std::string& id) override;
  absl::StatusOr<std::vector<TariffInfo>> Tariffs() override;
  absl::StatusOr<std::vector<DeclaredVolume>> Approved(absl::CivilMonth period) override;

 private:
  std::unique_ptr<contracts::v1::ParticipantService::Stub> participants_;
  std::unique_ptr<contracts::v1::ContractService::Stub> contracts_;
  std::unique_ptr<contracts::v1::TariffService::Stub> tariffs_;
  std::unique_ptr<contracts::v1::ApplicationService::Stub> applications_;
  PeerCaller peer_;
};

class GrpcVolumeSource final : public VolumeSource, public MeasuredSource, public HourlySource {
 public:
  GrpcVolumeSource(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);
  absl::StatusOr<std::optional<BilledMonth>> Billed(absl::CivilMonth period) override;
  absl::StatusOr<std::optional<MeasuredSoFar>> SoFar(const std::string& participant_id,
                                                     absl::CivilMonth period) override;
  absl::StatusOr<std::optional<std::string>> BillingRunId(absl::CivilMonth period) override;
  absl::StatusOr<std::vector<ServiceHourVolume>> Hours(const std::string& run_id,
                                                       const std::string& participant_id) override;

 private:
  std::unique_ptr<balance::v1::BalanceService::Stub> balance_;
  PeerCaller peer_;
};

// The invoicing service's VAT rates (ListVatRates, every page).
class GrpcVatRates final : public VatSource {
 public:
  GrpcVatRates(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);
  absl::StatusOr<std::vector<VatRate>> VatRates() override;

 private:
  std::unique_ptr<invoicing::v1::BillingPeriodService::Stub> periods_;
  PeerCaller peer_;
};

}  // namespace gridbill::forecasting
