// The balance workers' Prometheus series, registered once on the service's
// registry and given to Runs (Envoy's stats-struct pattern). Every series of
// every run type and outcome exists from the start, at 0, so rate() and
// alerts see them before the first run.
#pragma once

#include <array>

#include "absl/time/time.h"
#include "gridbill/jobs/metrics.h"
#include "model.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace gridbill::balance {

class RunsMetrics {
 public:
  explicit RunsMetrics(prometheus::Registry& registry);

  // A run was recorded by StartRun (in this replica).
  void RunStarted(RunType type);
  // A run ended here: kSucceeded (its last shard was stored by this replica,
  // `took` from StartRun to completion), kFailed or kCancelled.
  void RunEnded(RunType type, RunState outcome, absl::Duration took);
  // A worker of this replica claimed a shard; `takeover`: an expired claim.
  void ShardClaimed(bool takeover);
  // A claimed shard was stored (with what it read and wrote), or computed and
  // discarded (the run ended or the claim was taken over meanwhile).
  void ShardStored(absl::Duration took, const ShardResult& result);
  void ShardDiscarded();
  // The age of the oldest claim still held by any replica (0 when none).
  void SetOldestLeaseAge(absl::Duration age);
  // The job runner's own series (gridbill_jobs_*), on the same registry.
  jobs::RunnerMetrics& jobs() { return jobs_; }

 private:
  static constexpr int kTypes = 4;  // RunType 1..4
  struct PerType {
    prometheus::Counter* started = nullptr;
    prometheus::Counter* succeeded = nullptr;
    prometheus::Counter* failed = nullptr;
    prometheus::Counter* cancelled = nullptr;
    prometheus::Gauge* last_duration = nullptr;
  };
  PerType& Of(RunType type);

  std::array<PerType, kTypes> types_;
  PerType unknown_;
  prometheus::Counter* shards_claimed_;
  prometheus::Counter* shards_taken_over_;
  prometheus::Counter* shards_stored_;
  prometheus::Counter* shards_discarded_;
  prometheus::Histogram* shard_seconds_;
  prometheus::Counter* point_days_;
  prometheus::Counter* service_hours_;
  prometheus::Counter* node_hours_;
  prometheus::Gauge* oldest_lease_age_;
  jobs::RunnerMetrics jobs_;
};

}  // namespace gridbill::balance
