// Refreshes of the read model as jobs (libs/jobs) and the reports answered
// from it. A refresh is split when created into one piece per source
// (participants, documents, payments); any replica claims a piece, fetches
// what changed since the source's stored cursor and stores rows, cursor
// and completion in one transaction. Every answer carries the finish time
// of the last refresh that succeeded (its "as of").
#pragma once

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
  // The operator's time zone: R5 groups applications by the month of submission in it.
  std::string time_zone = "Asia/Almaty";
};

// A report's answer and how fresh its data is.
struct Answer {
  Query query;
  Table table;
  Freshness freshness;
};

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
  // nullopt when `q` is not one of theirs.
  absl::StatusOr<std::optional<Table>> RunAnalytics(const Query& q, const Freshness& fresh);

  Store& store_;
  Sources& sources_;
  ReportSources* report_sources_ = nullptr;
  const Clock& clock_;
  ReportingConfig config_;
  jobs::Runner runner_;
};

}  // namespace gridbill::reporting
