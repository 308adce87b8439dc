// The refresh pieces and tables of R1, R4 and R5 (reporting.h): balance's
// node totals of each period's billing run, metering's completeness of the
// same months, contracts' applications by their change feed.
#include <map>

#include "absl/strings/str_cat.h"
#include "analytics_reports.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "reporting.h"

namespace gridbill::reporting {

std::vector<jobs::PieceSpec> Reporting::ReportPieces() const {
  if (report_sources_ == nullptr) return {};
  return {{kSourceBalanceNodes, 1},
          {kSourceApplications, 1},
          {kSourcePointQuality, 1},
          {kSourceForecasts, 1}};
}

absl::StatusOr<std::optional<jobs::Completion>> Reporting::WorkReportSource(
    const jobs::Claim& claim) {
  const std::string& source = claim.piece.spec;
  if (source != kSourceBalanceNodes && source != kSourceApplications &&
      source != kSourcePointQuality && source != kSourceForecasts) {
    return std::optional<jobs::Completion>();
  }
  if (report_sources_ == nullptr) {
    return FailedPrecondition("source", absl::StrCat(source, " is not configured here"));
  }
  absl::StatusOr<jobs::Completion> done =
      source == kSourceBalanceNodes   ? RefreshBalanceNodes(claim)
      : source == kSourceApplications ? RefreshApplications(claim)
      : source == kSourcePointQuality ? RefreshPointQuality(claim)
                                      : RefreshForecasts(claim);
  if (!done.ok()) return done.status();
  return std::optional<jobs::Completion>(*done);
}

// The node totals of the periods whose billing run is not the one read
// before (a new final run, or a correction run replacing it).
absl::StatusOr<jobs::Completion> Reporting::RefreshBalanceNodes(const jobs::Claim& claim) {
  ASSIGN_OR_RETURN(std::vector<BillingRunRef> runs, report_sources_->BillingRuns());
  using RunOf = std::map<absl::CivilMonth, std::string>;
  ASSIGN_OR_RETURN(const RunOf read, store_.BillingRunsRead());
  std::vector<BillingRunRef> changed;
  std::vector<NodeMonth> rows;
  for (const BillingRunRef& run : runs) {
    auto it = read.find(run.period);
    if (it != read.end() && it->second == run.run_id) continue;
    if (runner_.Lost(claim)) return absl::CancelledError("the claim was lost");
    ASSIGN_OR_RETURN(std::vector<NodeMonth> nodes, report_sources_->NodeTotals(run));
    for (NodeMonth& n : nodes) rows.push_back(std::move(n));
    changed.push_back(run);
  }
  const SourceCount count{kSourceBalanceNodes, static_cast<int64_t>(rows.size()), "runs"};
  return store_.StoreNodeMonths(claim, changed, rows, count, absl::StrCat("runs:", runs.size()),
                                clock_.Now());
}

// By contracts' change feed; the whole list when it answers none.
absl::StatusOr<jobs::Completion> Reporting::RefreshApplications(const jobs::Claim& claim) {
  ASSIGN_OR_RETURN(std::string cursor, store_.Cursor(kSourceApplications));
  if (cursor == "full") cursor.clear();
  ASSIGN_OR_RETURN(std::optional<Changes<ApplicationInfo>> changes,
                   report_sources_->ApplicationChanges(cursor));
  if (changes) {
    const SourceCount count{kSourceApplications, static_cast<int64_t>(changes->rows.size()),
                            "changes"};
    return store_.StoreApplications(claim, changes->rows, count, changes->cursor, clock_.Now());
  }
  ASSIGN_OR_RETURN(std::vector<ApplicationInfo> rows, report_sources_->Applications());
  const SourceCount count{kSourceApplications, static_cast<int64_t>(rows.size()), "full"};
  return store_.StoreApplications(claim, rows, count, "full", clock_.Now());
}

// Metering's completeness of every participant's points for the months
// whose billing run is not the one read before (the quality the month was
// settled with; read again after a correction run).
absl::StatusOr<jobs::Completion> Reporting::RefreshPointQuality(const jobs::Claim& claim) {
  ASSIGN_OR_RETURN(std::vector<BillingRunRef> runs, report_sources_->BillingRuns());
  using RunOf = std::map<absl::CivilMonth, std::string>;
  ASSIGN_OR_RETURN(const RunOf read, store_.QualityPeriodsRead());
  std::vector<BillingRunRef> changed;
  for (const BillingRunRef& run : runs) {
    auto it = read.find(run.period);
    if (it == read.end() || it->second != run.run_id) changed.push_back(run);
  }
  std::vector<PointQuality> rows;
  if (!changed.empty()) {
    ASSIGN_OR_RETURN(std::vector<ParticipantInfo> participants, sources_.Participants());
    for (const BillingRunRef& run : changed) {
      for (const ParticipantInfo& p : participants) {
        if (runner_.Lost(claim)) return absl::CancelledError("the claim was lost");
        ASSIGN_OR_RETURN(std::vector<PointQuality> points,
                         report_sources_->Completeness(p.id, run.period));
        for (PointQuality& q : points) rows.push_back(std::move(q));
      }
    }
  }
  const SourceCount count{kSourcePointQuality, static_cast<int64_t>(rows.size()), "runs"};
  return store_.StorePointQuality(claim, changed, rows, count, absl::StrCat("runs:", runs.size()),
                                  clock_.Now());
}

absl::StatusOr<absl::TimeZone> Reporting::Zone() const {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(config_.time_zone, &zone)) {
    return absl::InternalError(absl::StrCat("unknown time zone ", config_.time_zone));
  }
  return zone;
}

absl::StatusOr<std::optional<Table>> Reporting::RunAnalytics(const Query& q,
                                                             const Freshness& fresh) {
  if (q.report->code == "R1") {
    ASSIGN_OR_RETURN(std::vector<NodeMonth> months, store_.NodeMonths(q.from, q.to, q.region_code));
    return std::optional<Table>(BuildR1(q, months));
  }
  if (q.report->code == "R4") {
    ASSIGN_OR_RETURN(std::vector<PointQuality> points,
                     store_.PointQualityOf(q.from, q.to, q.region_code, q.participant_id));
    return std::optional<Table>(BuildR4(q, points));
  }
  if (q.report->code == "R5") {
    ASSIGN_OR_RETURN(const absl::TimeZone zone, Zone());
    const absl::Time start = absl::FromCivil(absl::CivilSecond(q.from), zone);
    const absl::Time end = absl::FromCivil(absl::CivilSecond(q.to + 1), zone);
    ASSIGN_OR_RETURN(
        std::vector<ApplicationMonth> months,
        store_.ApplicationMonths(start, end, config_.time_zone, q.participant_id, fresh.as_of));
    return std::optional<Table>(BuildR5(q, months));
  }
  if (q.report->code == "R6") {
    ASSIGN_OR_RETURN(Table table, RunR6(q));
    return std::optional<Table>(std::move(table));
  }
  return std::optional<Table>();
}

}  // namespace gridbill::reporting
