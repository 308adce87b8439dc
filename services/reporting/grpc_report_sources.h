// Balance's, contracts', metering's and forecasting's APIs as the sources of R1, R4,
// R5 and R6
// (report_sources.h).
#pragma once

#include <memory>

#include "absl/time/time.h"
#include "gridbill/balance/v1/balance.grpc.pb.h"
#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/forecasting/v1/forecasting.grpc.pb.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "gridbill/server/client_call.h"
#include "report_sources.h"

namespace gridbill::reporting {

class GrpcReportSources final : public ReportSources {
 public:
  GrpcReportSources(std::shared_ptr<grpc::Channel> balance,
                    std::shared_ptr<grpc::Channel> contracts,
                    std::shared_ptr<grpc::Channel> metering, absl::Duration timeout);
  absl::StatusOr<std::vector<BillingRunRef>> BillingRuns() override;
  absl::StatusOr<std::vector<NodeMonth>> NodeTotals(const BillingRunRef& run) override;
  absl::StatusOr<std::optional<Changes<ApplicationInfo>>> ApplicationChanges(
      const std::string& cursor) override;
  absl::StatusOr<std::vector<ApplicationInfo>> Applications() override;
  absl::StatusOr<std::vector<PointQuality>> Completeness(const std::string& participant_id,
                                                         absl::CivilMonth period) override;
  // Adds forecasting as the source of R6; without it R6 stays empty.
  void UseForecasting(std::shared_ptr<grpc::Channel> forecasting);
  absl::StatusOr<std::vector<ForecastRunRef>> ForecastRuns() override;
  absl::StatusOr<std::vector<ForecastMonth>> ParticipantForecast(
      const ForecastRunRef& run, const std::string& participant_id) override;

 private:
  std::unique_ptr<balance::v1::BalanceService::Stub> balance_;
  std::unique_ptr<contracts::v1::ApplicationService::Stub> applications_;
  std::unique_ptr<metering::v1::ReadingService::Stub> metering_;
  std::unique_ptr<forecasting::v1::ForecastService::Stub> forecasting_;
  PeerCaller peer_;
};

}  // namespace gridbill::reporting
