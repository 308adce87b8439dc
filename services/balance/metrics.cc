#include "metrics.h"

#include <string>

namespace gridbill::balance {
namespace {

const char* TypeLabel(int type) {
  switch (type) {
    case 1:
      return "preliminary";
    case 2:
      return "final";
    case 3:
      return "correction";
    case 4:
      return "verification";
  }
  return "unknown";
}

// Shards take from well under a second (a few points) to minutes (thousands).
prometheus::Histogram::BucketBoundaries ShardBuckets() {
  return {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
}

}  // namespace

RunsMetrics::RunsMetrics(prometheus::Registry& registry) : jobs_(registry) {
  auto& started = prometheus::BuildCounter()
                      .Name("gridbill_balance_runs_started_total")
                      .Help("Balance runs started (recorded by StartRun), by run type.")
                      .Register(registry);
  auto& ended = prometheus::BuildCounter()
                    .Name("gridbill_balance_runs_ended_total")
                    .Help(
                        "Balance runs that ended, by run type and outcome "
                        "(succeeded, failed, cancelled).")
                    .Register(registry);
  auto& last = prometheus::BuildGauge()
                   .Name("gridbill_balance_last_run_duration_seconds")
                   .Help(
                       "Start to completion of the last run of each type that succeeded "
                       "in this replica.")
                   .Register(registry);
  auto fill = [&](PerType& t, const std::string& type) {
    t.started = &started.Add({{"type", type}});
    t.succeeded = &ended.Add({{"type", type}, {"outcome", "succeeded"}});
    t.failed = &ended.Add({{"type", type}, {"outcome", "failed"}});
    t.cancelled = &ended.Add({{"type", type}, {"outcome", "cancelled"}});
    t.last_duration = &last.Add({{"type", type}});
  };
  for (int i = 0; i < kTypes; ++i) fill(types_[i], TypeLabel(i + 1));
  fill(unknown_, "unknown");

  auto& claimed = prometheus::BuildCounter()
                      .Name("gridbill_balance_shards_claimed_total")
                      .Help(
                          "Shards claimed by this replica's workers; takeover=\"true\": "
                          "a claim whose lease had expired.")
                      .Register(registry);
  shards_claimed_ = &claimed.Add({{"takeover", "false"}});
  shards_taken_over_ = &claimed.Add({{"takeover", "true"}});
  auto& completed = prometheus::BuildCounter()
                        .Name("gridbill_balance_shards_completed_total")
                        .Help(
                            "Shards computed by this replica: outcome=\"stored\", or "
                            "\"discarded\" when the run ended or the claim was taken over.")
                        .Register(registry);
  shards_stored_ = &completed.Add({{"outcome", "stored"}});
  shards_discarded_ = &completed.Add({{"outcome", "discarded"}});
  shard_seconds_ = &prometheus::BuildHistogram()
                        .Name("gridbill_balance_shard_duration_seconds")
                        .Help("Claim to stored results of one shard.")
                        .Register(registry)
                        .Add({}, ShardBuckets());
  point_days_ =
      &prometheus::BuildCounter()
           .Name("gridbill_balance_point_day_reads_total")
           .Help("Point-days (point x channel x day) read from metering by stored shards.")
           .Register(registry)
           .Add({});
  auto& results = prometheus::BuildCounter()
                      .Name("gridbill_balance_results_written_total")
                      .Help(
                          "Result rows written: kind=\"service_hour\" (participant x service x "
                          "hour) or \"node_hour\" (node or region x hour).")
                      .Register(registry);
  service_hours_ = &results.Add({{"kind", "service_hour"}});
  node_hours_ = &results.Add({{"kind", "node_hour"}});
  oldest_lease_age_ = &prometheus::BuildGauge()
                           .Name("gridbill_balance_oldest_lease_age_seconds")
                           .Help(
                               "Age of the oldest shard claim still held by any replica "
                               "(0 when none); above shard_lease a replica is stuck or dead.")
                           .Register(registry)
                           .Add({});
}

RunsMetrics::PerType& RunsMetrics::Of(RunType type) {
  const int t = static_cast<int>(type);
  return t >= 1 && t <= kTypes ? types_[t - 1] : unknown_;
}

void RunsMetrics::RunStarted(RunType type) { Of(type).started->Increment(); }

void RunsMetrics::RunEnded(RunType type, RunState outcome, absl::Duration took) {
  PerType& t = Of(type);
  switch (outcome) {
    case RunState::kSucceeded:
      t.succeeded->Increment();
      t.last_duration->Set(absl::ToDoubleSeconds(took));
      break;
    case RunState::kFailed:
      t.failed->Increment();
      break;
    case RunState::kCancelled:
      t.cancelled->Increment();
      break;
    default:
      break;
  }
}

void RunsMetrics::ShardClaimed(bool takeover) {
  (takeover ? shards_taken_over_ : shards_claimed_)->Increment();
}

void RunsMetrics::ShardStored(absl::Duration took, const ShardResult& result) {
  shards_stored_->Increment();
  shard_seconds_->Observe(absl::ToDoubleSeconds(took));
  point_days_->Increment(static_cast<double>(result.point_days));
  service_hours_->Increment(static_cast<double>(result.service_hours.size()));
  node_hours_->Increment(static_cast<double>(result.node_hours.size()));
}

void RunsMetrics::ShardDiscarded() { shards_discarded_->Increment(); }

void RunsMetrics::SetOldestLeaseAge(absl::Duration age) {
  oldest_lease_age_->Set(absl::ToDoubleSeconds(age));
}

}  // namespace gridbill::balance
