// What the reporting domain needs from storage (pg_store.h implements it):
// the read model, its cursors and the refreshes. A refresh piece stores a
// source's rows, its cursor and the piece's completion in one transaction.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "analytics.h"
#include "gridbill/base/paging.h"
#include "gridbill/jobs/job.h"
#include "model.h"
#include "schedules.h"

namespace gridbill::reporting {

class Store {
 public:
  virtual ~Store() = default;

  // --- refreshes ---
  // The refresh and its job, split at once into one piece per source.
  virtual absl::Status CreateRefresh(const Refresh& refresh,
                                     const std::vector<jobs::PieceSpec>& pieces,
                                     absl::Time now) = 0;
  virtual absl::StatusOr<Refresh> GetRefresh(const std::string& id) = 0;
  // The last refresh that succeeded; nullopt when none has.
  virtual absl::StatusOr<std::optional<Freshness>> LatestFreshness() = 0;
  // A source's stored cursor ("" before its first refresh).
  virtual absl::StatusOr<std::string> Cursor(const std::string& source) = 0;
  // The invoice runs whose documents are in the read model.
  virtual absl::StatusOr<std::set<std::string>> RunsRead() = 0;

  // Under the piece's claim, each in one transaction with the source's
  // count, its cursor and the piece's completion.
  virtual absl::StatusOr<jobs::Completion> StoreParticipants(
      const jobs::Claim& claim, const std::vector<ParticipantInfo>& rows, absl::Time now) = 0;
  // `runs`: every run as invoicing lists it; `runs_read`: those whose
  // documents are in `documents` (mode "runs"); `cursor`: the change cursor
  // after `documents` (mode "changes").
  virtual absl::StatusOr<jobs::Completion> StoreDocuments(
      const jobs::Claim& claim, const std::vector<InvoiceRunInfo>& runs,
      const std::vector<std::string>& runs_read, const std::vector<DocumentInfo>& documents,
      const SourceCount& count, const std::string& cursor, absl::Time now) = 0;
  virtual absl::StatusOr<jobs::Completion> StorePayments(const jobs::Claim& claim,
                                                         const std::vector<PaymentInfo>& rows,
                                                         const SourceCount& count,
                                                         const std::string& cursor,
                                                         absl::Time now) = 0;

  // --- the reports' aggregates ---
  // R2: months [from, to]; filters empty / 0: all.
  virtual absl::StatusOr<std::vector<ServiceMonth>> ServiceMonths(absl::CivilMonth from,
                                                                  absl::CivilMonth to,
                                                                  const std::string& region_code,
                                                                  const std::string& participant_id,
                                                                  int service_type) = 0;
  // R8: months [from, to].
  virtual absl::StatusOr<std::vector<PeriodDocuments>> DocumentsByPeriod(
      absl::CivilMonth from, absl::CivilMonth to, const std::string& region_code) = 0;
  virtual absl::StatusOr<std::vector<PeriodPayments>> PaymentsByPeriod(
      absl::CivilMonth from, absl::CivilMonth to, const std::string& region_code) = 0;
  // R3: accruals of the months [from, to], payments valued in them, open
  // receivables aged on `aging_date`; by participant.
  virtual absl::StatusOr<std::vector<Receivables>> ReceivablesOf(
      absl::CivilMonth from, absl::CivilMonth to, absl::CivilDay aging_date,
      const std::string& region_code, const std::string& participant_id) = 0;

  // R7: the participant's balance before `from` (documents charged minus
  // payments) and its documents and payments of [from, to + 1 month).
  virtual absl::StatusOr<int64_t> ActOpening(const std::string& participant_id,
                                             absl::CivilDay from) = 0;
  virtual absl::StatusOr<std::vector<ActLine>> ActLines(const std::string& participant_id,
                                                        absl::CivilDay from,
                                                        absl::CivilDay until) = 0;

  // --- R1 and R5 (analytics.h) ---
  // The billing run each period's node totals were read from.
  virtual absl::StatusOr<std::map<absl::CivilMonth, std::string>> BillingRunsRead() = 0;
  // Replaces the node totals of the periods of `runs` by `rows`.
  virtual absl::StatusOr<jobs::Completion> StoreNodeMonths(const jobs::Claim& claim,
                                                           const std::vector<BillingRunRef>& runs,
                                                           const std::vector<NodeMonth>& rows,
                                                           const SourceCount& count,
                                                           const std::string& cursor,
                                                           absl::Time now) = 0;
  virtual absl::StatusOr<jobs::Completion> StoreApplications(
      const jobs::Claim& claim, const std::vector<ApplicationInfo>& rows, const SourceCount& count,
      const std::string& cursor, absl::Time now) = 0;
  // R1: months [from, to]; `node_code` empty: every node and region.
  virtual absl::StatusOr<std::vector<NodeMonth>> NodeMonths(absl::CivilMonth from,
                                                            absl::CivilMonth to,
                                                            const std::string& node_code) = 0;
  // R5: applications submitted in [start, end), by month in `time_zone` and
  // type; overdue judged at `as_of`.
  virtual absl::StatusOr<std::vector<ApplicationMonth>> ApplicationMonths(
      absl::Time start, absl::Time end, const std::string& time_zone,
      const std::string& participant_id, absl::Time as_of) = 0;

  // --- R4 ---
  // The billing run each period's point quality was read for.
  virtual absl::StatusOr<std::map<absl::CivilMonth, std::string>> QualityPeriodsRead() = 0;
  // Replaces the point quality of the periods of `runs` by `rows`.
  virtual absl::StatusOr<jobs::Completion> StorePointQuality(const jobs::Claim& claim,
                                                             const std::vector<BillingRunRef>& runs,
                                                             const std::vector<PointQuality>& rows,
                                                             const SourceCount& count,
                                                             const std::string& cursor,
                                                             absl::Time now) = 0;
  // Months [from, to]; filters empty: all.
  virtual absl::StatusOr<std::vector<PointQuality>> PointQualityOf(
      absl::CivilMonth from, absl::CivilMonth to, const std::string& region_code,
      const std::string& participant_id) = 0;

  // --- R6 ---
  // The forecast runs whose forecasts are in the read model.
  virtual absl::StatusOr<std::set<std::string>> ForecastRunsRead() = 0;
  // Adds the forecasts of `runs` (runs are immutable once succeeded).
  virtual absl::StatusOr<jobs::Completion> StoreForecasts(const jobs::Claim& claim,
                                                          const std::vector<ForecastRunRef>& runs,
                                                          const std::vector<ForecastMonth>& rows,
                                                          const SourceCount& count,
                                                          const std::string& cursor,
                                                          absl::Time now) = 0;
  // The forecasts for months [from, to], of the latest run (highest
  // version) of each last month of history; filters empty / 0: all.
  virtual absl::StatusOr<std::vector<ForecastMonth>> ForecastsOf(absl::CivilMonth from,
                                                                 absl::CivilMonth to,
                                                                 const std::string& region_code,
                                                                 const std::string& participant_id,
                                                                 int service_type) = 0;

  // --- schedules and their files ---
  virtual absl::Status CreateSchedule(const Schedule& s, absl::Time now) = 0;
  // NOT_FOUND for an unknown or deleted schedule.
  virtual absl::StatusOr<Schedule> GetSchedule(const std::string& id) = 0;
  virtual absl::StatusOr<paging::PageOf<Schedule>> ListSchedules(const paging::Page& page) = 0;
  virtual absl::Status DeleteSchedule(const std::string& id) = 0;
  // The schedules due at `now`, the longest due first.
  virtual absl::StatusOr<std::vector<Schedule>> DueSchedules(absl::Time now) = 0;
  // Moves a due schedule to `next` if its next run is still `due` (no other
  // replica took it); true when this call did.
  virtual absl::StatusOr<bool> ClaimSchedule(const std::string& id, absl::Time due, absl::Time next,
                                             absl::Time now) = 0;
  virtual absl::Status RecordScheduleError(const std::string& id, const std::string& error) = 0;
  // Keeps a produced file (once per schedule and due time).
  virtual absl::Status StoreFile(const ReportFile& file, const std::string& content) = 0;
  // Newest first; `schedule_id` empty: every schedule's.
  virtual absl::StatusOr<paging::PageOf<ReportFile>> ListFiles(const std::string& schedule_id,
                                                               const paging::Page& page) = 0;
  // The file and its bytes; NOT_FOUND when unknown or expired.
  virtual absl::StatusOr<std::pair<ReportFile, std::string>> GetFile(const std::string& id) = 0;
  // Deletes the files expired at `now`; how many.
  virtual absl::StatusOr<int64_t> DeleteExpiredFiles(absl::Time now) = 0;
};

}  // namespace gridbill::reporting
