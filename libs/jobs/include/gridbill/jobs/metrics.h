// The job runner's Prometheus series, the same in every service that runs
// jobs (registered once on the service's registry from Bootstrap and handed
// to its runners through RunnerOptions::metrics), labelled by job kind:
//
//   gridbill_jobs_started_total{kind}          jobs split into pieces here
//   gridbill_jobs_ended_total{kind,state}      succeeded | failed | cancelled here
//   gridbill_jobs_pieces_done_total{kind}      pieces stored by this replica
//   gridbill_jobs_piece_takeovers_total{kind}  expired claims taken over here
//   gridbill_jobs_duration_seconds{kind}       creation to success
//   gridbill_jobs_open{kind}                   pending or running jobs in the
//                                              database (every replica reads the same
//                                              count; refreshed by the heartbeat)
//
// Every series of a kind exists at 0 once the kind is registered.
#pragma once

#include <map>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridbill/jobs/job.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace gridbill::jobs {

class RunnerMetrics {
 public:
  explicit RunnerMetrics(prometheus::Registry& registry);

  // Creates a kind's series (at 0); the runner calls it when it registers
  // a handler.
  void AddKind(const std::string& kind);
  void Started(const std::string& kind);
  // `state`: kSucceeded (with the job's duration), kFailed or kCancelled.
  void Ended(const std::string& kind, State state, absl::Duration took);
  void PieceDone(const std::string& kind);
  void TakenOver(const std::string& kind);
  void SetOpen(const std::string& kind, int64_t open);

 private:
  struct Kind {
    prometheus::Counter* started = nullptr;
    prometheus::Counter* succeeded = nullptr;
    prometheus::Counter* failed = nullptr;
    prometheus::Counter* cancelled = nullptr;
    prometheus::Counter* pieces_done = nullptr;
    prometheus::Counter* takeovers = nullptr;
    prometheus::Histogram* duration = nullptr;
    prometheus::Gauge* open = nullptr;
  };
  Kind& Of(const std::string& kind);

  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& ended_;
  prometheus::Family<prometheus::Counter>& pieces_done_;
  prometheus::Family<prometheus::Counter>& takeovers_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Gauge>& open_;
  absl::Mutex mu_;
  std::map<std::string, Kind> kinds_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridbill::jobs
