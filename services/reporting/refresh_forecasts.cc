// The refresh piece and table of R6: forecasting's participant forecasts of
// each succeeded forecast run not read before (a succeeded run never
// changes), against the billed volumes R2 reads.
#include <set>

#include "absl/strings/str_cat.h"
#include "forecast_report.h"
#include "gridbill/base/status_macros.h"
#include "reporting.h"

namespace gridbill::reporting {

absl::StatusOr<jobs::Completion> Reporting::RefreshForecasts(const jobs::Claim& claim) {
  ASSIGN_OR_RETURN(std::vector<ForecastRunRef> runs, report_sources_->ForecastRuns());
  ASSIGN_OR_RETURN(const std::set<std::string> read, store_.ForecastRunsRead());
  std::vector<ForecastRunRef> changed;
  for (const ForecastRunRef& run : runs) {
    if (read.count(run.run_id) == 0) changed.push_back(run);
  }
  std::vector<ForecastMonth> rows;
  if (!changed.empty()) {
    ASSIGN_OR_RETURN(std::vector<ParticipantInfo> participants, sources_.Participants());
    for (const ForecastRunRef& run : changed) {
      for (const ParticipantInfo& p : participants) {
        if (runner_.Lost(claim)) return absl::CancelledError("the claim was lost");
        ASSIGN_OR_RETURN(std::vector<ForecastMonth> months,
                         report_sources_->ParticipantForecast(run, p.id));
        for (ForecastMonth& m : months) rows.push_back(std::move(m));
      }
    }
  }
  const SourceCount count{kSourceForecasts, static_cast<int64_t>(rows.size()), "runs"};
  return store_.StoreForecasts(claim, changed, rows, count,
                               absl::StrCat("runs:", read.size() + changed.size()), clock_.Now());
}

absl::StatusOr<Table> Reporting::RunR6(const Query& q) {
  ASSIGN_OR_RETURN(
      std::vector<ForecastMonth> forecasts,
      store_.ForecastsOf(q.from, q.to, q.region_code, q.participant_id, q.service_type));
  ASSIGN_OR_RETURN(
      std::vector<ServiceMonth> actuals,
      store_.ServiceMonths(q.from, q.to, q.region_code, q.participant_id, q.service_type));
  return BuildR6(q, forecasts, actuals);
}

}  // namespace gridbill::reporting
