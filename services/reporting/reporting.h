// Refreshes of the read model as jobs (libs/jobs) and the reports answered
// from it. A refresh is split when created into one piece per source
// (participants, documents, payments); any replica claims a piece, fetches
// what changed since the source's stored cursor and stores rows, cursor
// and completion in one transaction. Every answer carries the finish time
// of the last refresh that succeeded (its "as of").
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/base/caller.h"
#include "gridbill/base/clock.h"
#include "gridbill/jobs/runner.h"
#include "report_sources.h"
#include "reports.h"
#include "sources.h"
#include "store.h"

namespace gridbill::reporting {

struct ReportingConfig {
  int workers = 1;
  absl::Duration lease = absl::Minutes(5);
  std::string worker_id;
  // The operator's time zone: R5 groups applications by the month of submission in it, and
  // R3 ages receivables on the day of the data's "as of" in it (issue and due dates are days
  // in the operator's zone).
  std::string time_zone = "Asia/Almaty";
};

// A report's answer and how fresh its data is.
struct Answer {
  Query query;
  Table table;
  Freshness freshness;
};

// A report's answer read a page at a time (what exports write): R1, R2 and
// R4, whose rows are months x nodes / participants / points, are read one
// month of the range per page (their rows are ordered by month first, so
// the pages in order are the whole table's rows in order); the others in
// one page.
struct Pages {
  Query query;
  Freshness freshness;
  // The rows in all when one page holds them; -1 when paged (known after
  // the last page).
  int64_t rows_total = -1;
  // The next page (possibly without rows); nullopt after the last.
  std::function<absl::StatusOr<std::optional<Table>>()> next;
};

// The rows of `pages` one at a time for a writer, reading the next page
// when one is used up; the first error reading a page ends the rows and is
// kept in `*error`.
RowSource RowsOf(Pages& pages, absl::Status* error);

class Reporting final : public jobs::Handler {
 public:
  Reporting(Store& store, jobs::JobStore& jobs, Sources& sources, const Clock& clock,
            ReportingConfig config, jobs::RunnerMetrics* job_metrics = nullptr);
  ~Reporting() override;

  // --- refreshes ---
  absl::StatusOr<Refresh> StartRefresh(const Caller& caller, const std::string& id);
  absl::StatusOr<Refresh> GetRefresh(const std::string& id);
  // Works on a refresh in the calling thread until it ends (tests, `up`).
  absl::StatusOr<jobs::Job> Drive(const std::string& id, absl::Duration timeout);
  // Adds the sources of R1, R4 and R5 (balance, metering, contracts'
  // applications) to
  // every refresh started after; without them those reports stay empty.
  void UseReportSources(ReportSources& sources) { report_sources_ = &sources; }
  void StartWorkers();
  void StopWorkers();

  // --- reports ---
  // The whole table; FAILED_PRECONDITION before the first refresh.
  absl::StatusOr<Answer> Run(const Caller& caller, const std::string& code, const Params& params);
  // The same rows a page at a time; the parameters are checked and the
  // first page read before it returns, so a bad parameter produces nothing.
  absl::StatusOr<Pages> RunPaged(const Caller& caller, const std::string& code,
                                 const Params& params);

  // jobs::Handler.
  absl::StatusOr<bool> Plan(const jobs::Job& job, const jobs::Claim& claim) override;
  absl::StatusOr<jobs::Completion> Work(const jobs::Job& job, const jobs::Claim& claim) override;
  absl::StatusOr<std::string> Summarize(const jobs::Job& job,
                                        const std::vector<std::string>& results) override;

 private:
  absl::StatusOr<jobs::Completion> RefreshDocuments(const jobs::Claim& claim);
  absl::StatusOr<jobs::Completion> RefreshPayments(const jobs::Claim& claim);
  // R1, R4 and R5 (refresh_reports.cc): the pieces they add to a refresh, the
  // work of one (nullopt: not theirs), their tables.
  std::vector<jobs::PieceSpec> ReportPieces() const;
  absl::StatusOr<std::optional<jobs::Completion>> WorkReportSource(const jobs::Claim& claim);
  absl::StatusOr<jobs::Completion> RefreshBalanceNodes(const jobs::Claim& claim);
  absl::StatusOr<jobs::Completion> RefreshApplications(const jobs::Claim& claim);
  absl::StatusOr<jobs::Completion> RefreshPointQuality(const jobs::Claim& claim);
  // R6 (refresh_forecasts.cc): the forecasts of the forecast runs not read
  // before; its table.
  absl::StatusOr<jobs::Completion> RefreshForecasts(const jobs::Claim& claim);
  absl::StatusOr<Table> RunR6(const Query& q);
  // The checked query and the freshness, without the table.
  absl::StatusOr<Answer> Prepare(const Caller& caller, const std::string& code,
                                 const Params& params);
  absl::StatusOr<Table> TableOf(const Query& q, const Freshness& fresh);
  // nullopt when `q` is not one of theirs.
  absl::StatusOr<std::optional<Table>> RunAnalytics(const Query& q, const Freshness& fresh);
  // config_.time_zone, loaded.
  absl::StatusOr<absl::TimeZone> Zone() const;

  Store& store_;
  Sources& sources_;
  ReportSources* report_sources_ = nullptr;
  const Clock& clock_;
  ReportingConfig config_;
  jobs::Runner runner_;
};

}  // namespace gridbill::reporting
