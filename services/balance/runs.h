// Balance runs as jobs of libs/jobs (kind "balance.run"): Start records the
// inputs and splits the run into shards at once (one job piece per shard).
// libs/jobs' Runner (in this and any other replica) claims shards under a
// lease with a claim epoch, renews and takes them over; Runs is the runs'
// Handler: Work streams a shard's point-days from metering, aggregates them
// with the engine and stores the results under the piece's fence; the last
// shard completes the run and its job in its transaction.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"
#include "gridbill/jobs/runner.h"
#include "metrics.h"
#include "model.h"
#include "sources.h"
#include "store.h"

namespace gridbill::balance {

struct RunsConfig {
  std::string time_zone = "Asia/Almaty";
  absl::TimeZone zone;
  // Tolerance of the grid closure check, percent of supply.
  std::string closure_tolerance_percent = "0.5";
  // Distinct metering points per shard at most (a subject is never split).
  int shard_points = 500;
  // Worker threads of this replica.
  int workers = 2;
  // A claimed shard not completed (nor renewed) within this time is taken over
  // by another worker. The runner's heartbeat renews the claims this replica
  // holds (every gauge_refresh, at most a third of the lease).
  absl::Duration lease = absl::Minutes(10);
  // How often an idle worker looks for work.
  absl::Duration poll = absl::Milliseconds(500);
  // How often the runner's heartbeat renews this replica's claims and
  // refreshes the gauges read from the database (oldest lease).
  absl::Duration gauge_refresh = absl::Seconds(5);
  // This replica's name in shard claims.
  std::string worker_id = "balance";
};

enum class CauseKind { kReadingsRevision = 1, kSchemeVersion = 2, kDeclaredVolume = 3 };

struct Cause {
  CauseKind kind = CauseKind::kReadingsRevision;
  std::string point_code;
  int channel = 0;
  absl::CivilDay day;
  int base_revision = 0;
  int other_revision = 0;
  int64_t base_scheme_id = 0;
  int64_t other_scheme_id = 0;
  int64_t base_declared_wh = 0;
  int64_t other_declared_wh = 0;
};

struct ServiceDiff {
  std::string participant_id;
  int service_type = 0;
  int64_t base_wh = 0;
  int64_t other_wh = 0;
  int64_t changed_hours = 0;
  std::vector<Cause> causes;
};

struct RunDiff {
  std::vector<ServiceDiff> services;
  int64_t changed_point_days = 0;
  int64_t changed_schemes = 0;
};

class Runs final : private jobs::Handler {
 public:
  // `metrics`: where runs and shards are counted (made from Bootstrap's registry).
  Runs(Store& store, ReadingSource& readings, DeclarationSource& declarations, const Clock& clock,
       RunsConfig config, RunsMetrics& metrics);
  ~Runs();

  absl::StatusOr<Run> Start(const std::optional<BillingPeriod>& period, RunType type,
                            int64_t base_run_id, const std::string& actor,
                            const std::string& request_id);
  absl::StatusOr<Run> Get(int64_t id) { return store_.GetRun(id); }
  absl::StatusOr<Run> Cancel(int64_t id);
  absl::StatusOr<paging::PageOf<Run>> List(const RunFilter& f, const paging::Page& page) {
    return store_.ListRuns(f, page);
  }
  // The change feed of runs (page.after: a change position).
  absl::StatusOr<paging::PageOf<Run>> Changes(const RunFilter& f, const paging::Page& page) {
    return store_.RunChanges(f, page);
  }
  // The run a period is billed from; NOT_FOUND when none succeeded yet.
  absl::StatusOr<Run> BillingRun(const BillingPeriod& period);
  absl::StatusOr<RunDiff> Diff(int64_t base, int64_t other, bool include_unchanged);

  // Results of a run (NOT_FOUND for an unknown run).
  absl::StatusOr<paging::PageOf<ServiceHour>> ServiceHours(int64_t run_id,
                                                           const std::string& participant,
                                                           int service_type,
                                                           const paging::Page& page);
  absl::StatusOr<paging::PageOf<NodeHour>> NodeHours(int64_t run_id, const std::string& node_code,
                                                     const paging::Page& page);
  // Service totals (participant_id, service_type), then node totals
  // (node_code), each paged by its keys (see Store).
  absl::StatusOr<paging::PageOf<ServiceTotal>> ServiceTotals(int64_t run_id,
                                                             const std::string& participant,
                                                             const paging::Page& page);
  absl::StatusOr<paging::PageOf<NodeTotal>> NodeTotals(int64_t run_id, const paging::Page& page);

  // Claims and computes one shard (the runner's WorkOnce); false when there
  // was none.
  absl::StatusOr<bool> WorkOnce() { return runner_.WorkOnce(); }
  // Starts the runner's workers; its heartbeat also refreshes the gauges.
  void StartWorkers();
  void StopWorkers() { runner_.Stop(); }

  // Reads the oldest claim still held and sets its age in the metrics.
  absl::Status RefreshGauges();

  const RunsConfig& config() const { return config_; }

 private:
  // jobs::Handler. Runs are split when they start (Start, InsertSplit): Plan
  // is never reached.
  absl::StatusOr<bool> Plan(const jobs::Job& job, const jobs::Claim& claim) override;
  absl::StatusOr<jobs::Completion> Work(const jobs::Job& job, const jobs::Claim& claim) override;
  absl::StatusOr<std::string> Summarize(const jobs::Job& job,
                                        const std::vector<std::string>& results) override;
  absl::StatusOr<bool> Fail(jobs::JobStore& jobs, const jobs::Claim& claim,
                            const std::string& error, absl::Time now) override;
  void Dropped(const jobs::Claim& claim) override;

  absl::StatusOr<ShardCompletion> ComputeShard(const jobs::Claim& claim, const Shard& shard,
                                               const Run& run, ShardResult& result);
  absl::StatusOr<absl::flat_hash_set<std::string>> UserTerms(
      const Run& run, const std::vector<Scheme>& shard_schemes);

  Store& store_;
  ReadingSource& readings_;
  DeclarationSource& declarations_;
  const Clock& clock_;
  RunsConfig config_;
  RunsMetrics* const metrics_;
  jobs::Runner runner_;
};

}  // namespace gridbill::balance
