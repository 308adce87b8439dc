#include "gridbill/jobs/metrics.h"

namespace gridbill::jobs {

RunnerMetrics::RunnerMetrics(prometheus::Registry& registry)
    : started_(prometheus::BuildCounter()
                   .Name("gridbill_jobs_started_total")
                   .Help("Jobs split into pieces by this replica, by kind")
                   .Register(registry)),
      ended_(prometheus::BuildCounter()
                 .Name("gridbill_jobs_ended_total")
                 .Help("Jobs that ended in this replica, by kind and state "
                       "(succeeded, failed, cancelled)")
                 .Register(registry)),
      pieces_done_(prometheus::BuildCounter()
                       .Name("gridbill_jobs_pieces_done_total")
                       .Help("Job pieces stored by this replica's workers, by kind")
                       .Register(registry)),
      takeovers_(prometheus::BuildCounter()
                     .Name("gridbill_jobs_piece_takeovers_total")
                     .Help("Claims whose lease had expired, taken over by this replica, by kind")
                     .Register(registry)),
      duration_(prometheus::BuildHistogram()
                    .Name("gridbill_jobs_duration_seconds")
                    .Help("Seconds from a job's creation to its success, by kind")
                    .Register(registry)),
      open_(prometheus::BuildGauge()
                .Name("gridbill_jobs_open")
                .Help("Jobs pending or running in the service's database, by kind")
                .Register(registry)) {}

RunnerMetrics::Kind& RunnerMetrics::Of(const std::string& kind) {
  absl::MutexLock lock(&mu_);
  auto it = kinds_.find(kind);
  if (it != kinds_.end()) return it->second;
  Kind k;
  k.started = &started_.Add({{"kind", kind}});
  k.succeeded = &ended_.Add({{"kind", kind}, {"state", "succeeded"}});
  k.failed = &ended_.Add({{"kind", kind}, {"state", "failed"}});
  k.cancelled = &ended_.Add({{"kind", kind}, {"state", "cancelled"}});
  k.pieces_done = &pieces_done_.Add({{"kind", kind}});
  k.takeovers = &takeovers_.Add({{"kind", kind}});
  k.open = &open_.Add({{"kind", kind}});
  k.duration = &duration_.Add(
      {{"kind", kind}}, prometheus::Histogram::BucketBoundaries{0.1, 0.5, 1, 2, 5, 10, 30, 60, 120,
                                                                300, 600, 1800, 3600});
  return kinds_.emplace(kind, k).first->second;
}

void RunnerMetrics::AddKind(const std::string& kind) { Of(kind); }

void RunnerMetrics::Started(const std::string& kind) { Of(kind).started->Increment(); }

void RunnerMetrics::Ended(const std::string& kind, State state, absl::Duration took) {
  Kind& k = Of(kind);
  switch (state) {
    case State::kSucceeded:
      k.succeeded->Increment();
      k.duration->Observe(absl::ToDoubleSeconds(took));
      break;
    case State::kFailed:
      k.failed->Increment();
      break;
    case State::kCancelled:
      k.cancelled->Increment();
      break;
    default:
      break;
  }
}

void RunnerMetrics::PieceDone(const std::string& kind) { Of(kind).pieces_done->Increment(); }

void RunnerMetrics::TakenOver(const std::string& kind) { Of(kind).takeovers->Increment(); }

void RunnerMetrics::SetOpen(const std::string& kind, int64_t open) {
  Of(kind).open->Set(static_cast<double>(open));
}

}  // namespace gridbill::jobs
