// Forecast runs and history imports as jobs (libs/jobs), and the answers
// read from a run. A run is created pending; whichever replica claims it
// first plans it: reads the legacy history and the billing runs' totals
// (balance), records them as the run's inputs together with every series'
// history, and splits the series into pieces. Any replica then forecasts a
// piece's series (backtests, choice, intervals) and stores them with the
// piece, under its claim. The last piece done, the run's accuracy is
// written and the job succeeds; the run is immutable from then on. A
// history import is checked whole when it is received (a bad line refuses
// the file, nothing written) and written in pieces of rows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "backtest.h"
#include "gridbill/base/caller.h"
#include "gridbill/base/clock.h"
#include "gridbill/base/paging.h"
#include "gridbill/jobs/runner.h"
#include "model.h"
#include "sources.h"
#include "store.h"

namespace gridbill::forecasting {

struct RunsConfig {
  int workers = 2;
  absl::Duration lease = absl::Minutes(5);
  std::string worker_id;
  int series_per_piece = 64;
  int rows_per_piece = 5000;
  BacktestOptions backtest;
  // The first month the system billed itself: legacy files hold months before it.
  absl::CivilMonth live_from = absl::CivilMonth(2025, 11);
};

class Runs final : public jobs::Handler {
 public:
  // `volumes` may be null: runs then read the legacy history only.
  // `job_metrics` (may be null, not owned): the runner's series on /metrics.
  Runs(Store& store, jobs::JobStore& jobs, Directory& directory, VolumeSource* volumes,
       const Clock& clock, RunsConfig config, jobs::RunnerMetrics* job_metrics = nullptr);
  ~Runs() override;

  // --- history imports ---
  absl::StatusOr<HistoryImport> ImportHistory(const Caller& caller, const std::string& id,
                                              const std::string& file_name,
                                              const std::string& content);
  absl::StatusOr<HistoryImport> GetImport(const std::string& id);

  // --- runs ---
  // history_to: the last month of history (nullopt: the last with any);
  // horizon 0 = 24, 1..60.
  absl::StatusOr<ForecastRun> Start(const Caller& caller, const std::string& id,
                                    std::optional<absl::CivilMonth> history_to, int horizon);
  absl::StatusOr<ForecastRun> Get(const std::string& id);
  absl::StatusOr<paging::PageOf<ForecastRun>> List(const paging::Page& page);
  absl::StatusOr<ForecastRun> Cancel(const std::string& id);
  absl::StatusOr<ForecastAnswer> Forecast(const Caller& caller, const ForecastQuery& query);
  // A succeeded run (empty id: the latest) and its series with their
  // forecasts; filters empty/0: all.
  struct RunForecasts {
    ForecastRun run;
    std::vector<RunSeries> series;
  };
  absl::StatusOr<RunForecasts> SeriesOf(const std::string& run_id,
                                        const std::string& participant_id, int service_type);

  // Works on a job in the calling thread until it ends (tests, benchmark).
  absl::StatusOr<jobs::Job> Drive(const std::string& id, absl::Duration timeout);
  void StartWorkers();
  void StopWorkers();

  // jobs::Handler, for both kinds.
  absl::StatusOr<bool> Plan(const jobs::Job& job, const jobs::Claim& claim) override;
  absl::StatusOr<jobs::Completion> Work(const jobs::Job& job, const jobs::Claim& claim) override;
  absl::StatusOr<std::string> Summarize(const jobs::Job& job,
                                        const std::vector<std::string>& results) override;

 private:
  absl::StatusOr<ForecastRun> SucceededRun(const std::string& run_id);
  absl::StatusOr<std::vector<MonthVolume>> ReadHistory(std::optional<absl::CivilMonth> history_to,
                                                       RunInputs& inputs);

  Store& store_;
  Directory& directory_;
  VolumeSource* volumes_;
  const Clock& clock_;
  RunsConfig config_;
  jobs::Runner runner_;
};

}  // namespace gridbill::forecasting
