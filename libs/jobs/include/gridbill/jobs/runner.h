// The job runner: worker threads that claim, in this and any other replica
// on the same database, first jobs to split or to finish, then pieces, each
// under a lease that a heartbeat renews while the worker holds it. The one
// restart rule: a claim not renewed within the lease (its worker died or
// stalled) is taken over by any worker, with a new claim epoch, and the old
// holder's result is refused. So a restarted or second replica resumes a
// job's unfinished pieces; progress counts every piece stored since the
// job began, and the summary is written from all pieces' stored results.
//
// A service: ships libs/jobs/migrations as links in its migration list,
// creates its resource and the job in one transaction (PgJobs::Insert),
// implements Handler per job kind, registers it, and starts the runner.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridbill/jobs/job.h"

namespace gridbill::jobs {

class RunnerMetrics;

struct RunnerOptions {
  // This replica's name in claims; empty: "<host>:<pid>".
  std::string worker_id;
  // A claim not renewed within this time is taken over by another worker.
  absl::Duration lease = absl::Minutes(1);
  // How often held claims are renewed (at most a third of the lease).
  absl::Duration renew_every = absl::Seconds(10);
  // How often an idle worker looks for work.
  absl::Duration poll = absl::Milliseconds(500);
  // The message of the JSON log lines (gridbill/base/log.h) in which the
  // runner reports takeovers and failures, e.g. "invoice runs"; empty logs
  // nothing.
  std::string log_name;
  // Called by the heartbeat thread every `renew_every` (gauges a service
  // reads from the database); null calls nothing.
  std::function<void()> on_heartbeat;
  // Where jobs and pieces are counted (gridbill_jobs_* on the service's
  // registry, metrics.h); null counts nothing. Not owned.
  RunnerMetrics* metrics = nullptr;
};

class Runner {
 public:
  // `now` is the clock claims, leases and job times are read from.
  Runner(JobStore& store, std::function<absl::Time()> now, RunnerOptions options);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Before Start: the handler of a kind (not owned).
  void Register(const std::string& kind, Handler& handler);

  absl::StatusOr<Job> Get(const std::string& id) { return store_.Get(id); }
  // Cancels a pending or running job: no piece is stored after it; the
  // summary says what was done before. A job that had ended is returned as
  // it is.
  absl::StatusOr<Job> Cancel(const std::string& id);

  // One step of work: a job to split or finish, else a piece; false when
  // there was nothing to claim. `only_job` non-empty restricts to that job.
  absl::StatusOr<bool> WorkOnce(const std::string& only_job = "");
  // Works on one job in the calling thread (beside any other worker) until
  // it has ended; DEADLINE_EXCEEDED after `timeout`.
  absl::StatusOr<Job> Drive(const std::string& id, absl::Duration timeout);
  // Waits until a job has ended, whoever works on it.
  absl::StatusOr<Job> Wait(const std::string& id, absl::Duration timeout);
  // True once the heartbeat found a claim this replica's worker holds no
  // longer current (taken over after its lease, or the job ended): a handler
  // doing a long piece checks it to stop early (returning CANCELLED).
  bool Lost(const Claim& claim);
  // Wakes this replica's idle workers at once (a job was just created or
  // a piece stored); other replicas find the work on their poll.
  void Wake();
  // A job of a registered kind was cancelled by the service's own store
  // (not through Cancel): counts it.
  void Cancelled(const Job& job);
  // Jobs of the registered kinds not ended (what a restart resumes).
  absl::StatusOr<int64_t> CountOpen();

  // Starts `workers` worker threads and the heartbeat.
  void Start(int workers);
  void Stop();

  const std::string& worker_id() const { return options_.worker_id; }

 private:
  // What one step did: nothing claimable, a job split or finished (or a
  // piece after which the job may want finishing), or a piece of a job with
  // more open.
  enum class Step { kNothing, kJob, kPiece };
  // Where a worker goes on after a stored piece with more open: the next
  // piece its completion claimed (handed), or the piece to look after (the
  // store does not hand off), or neither when the completion found none
  // ahead; pieces are then looked for before a job.
  struct Next {
    bool piece_first = false;
    std::optional<Claim> handed;
    std::optional<PieceRef> after;
  };
  // WorkOnce. `next` as the worker's previous step left it; on return, as
  // this step leaves it. With `hand_off` the piece's completion claims the
  // next piece (a caller that goes on, or Unclaims it).
  absl::StatusOr<Step> StepOnce(const std::string& only_job, Next& next, bool hand_off);
  // Gives back a handed-off piece the worker will not work.
  void Drop(Next& next);
  absl::Status JobStage(const Claim& claim);
  // True when the piece was stored and its job has more open.
  absl::StatusOr<bool> PieceStage(const Claim& claim);
  // Fails the job with `error` unless the claim was lost meanwhile.
  absl::Status FailIfHeld(Handler& handler, const Claim& claim, const absl::Status& error);
  void Hold(const Claim& claim);
  void Release(const Claim& claim);
  void Log(std::string_view level, std::string_view msg,
           const std::vector<std::pair<std::string, std::string>>& fields);
  void WorkerLoop();
  void HeartbeatLoop();
  // Sets gridbill_jobs_open of each registered kind from the store.
  void CountOpenByKind();

  // A job ended in this replica: counts it and tells its handler.
  void CountEnded(const Job& job, State state);

  JobStore& store_;
  std::function<absl::Time()> now_;
  RunnerOptions options_;
  std::map<std::string, Handler*> handlers_;
  std::vector<std::string> kinds_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t wakeups_ ABSL_GUARDED_BY(mu_) = 0;
  // Claims held by this replica's workers, renewed by the heartbeat.
  std::map<std::pair<std::string, int>, Claim> held_ ABSL_GUARDED_BY(mu_);
  // Those of them the heartbeat could not renew.
  std::set<std::pair<std::string, int>> lost_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

}  // namespace gridbill::jobs
