// The sources of the reports over balance, contracts, metering and
// forecasting (R1, R4, R5, R6), through their published APIs only
// (grpc_report_sources.h; tests pass fakes). Kept apart from sources.h, the
// invoicing side of the refresh.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analytics.h"
#include "sources.h"

namespace gridbill::reporting {

class ReportSources {
 public:
  virtual ~ReportSources() = default;
  // balance: the run each period with a succeeded final run is billed from.
  virtual absl::StatusOr<std::vector<BillingRunRef>> BillingRuns() = 0;
  // balance: the node and region totals of one run (ListRunTotals).
  virtual absl::StatusOr<std::vector<NodeMonth>> NodeTotals(const BillingRunRef& run) = 0;
  // contracts: the applications changed after `cursor` ("" = every one),
  // by ListApplications' change feed; nullopt when contracts answers none.
  virtual absl::StatusOr<std::optional<Changes<ApplicationInfo>>> ApplicationChanges(
      const std::string& cursor) = 0;
  // contracts: every application (when there is no feed).
  virtual absl::StatusOr<std::vector<ApplicationInfo>> Applications() = 0;
  // metering: the completeness of the participant's points over a month
  // (GetCompleteness); empty when it has none.
  virtual absl::StatusOr<std::vector<PointQuality>> Completeness(const std::string& participant_id,
                                                                 absl::CivilMonth period) = 0;
  // forecasting: the succeeded forecast runs; empty when forecasting is not
  // a source here.
  virtual absl::StatusOr<std::vector<ForecastRunRef>> ForecastRuns() {
    return std::vector<ForecastRunRef>();
  }
  // forecasting: the participant's forecasts of every service in `run`
  // (GetForecast, participant level); empty when it has none.
  virtual absl::StatusOr<std::vector<ForecastMonth>> ParticipantForecast(
      const ForecastRunRef& run, const std::string& participant_id) {
    return std::vector<ForecastMonth>();
  }
};

}  // namespace gridbill::reporting
