#include "gridbill/jobs/runner.h"

#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gridbill/base/log.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/jobs/metrics.h"

namespace gridbill::jobs {
namespace {

std::string DefaultWorkerId() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return absl::StrCat(host[0] != '\0' ? host : "worker", ":", getpid());
}

}  // namespace

absl::StatusOr<bool> Handler::Fail(JobStore& jobs, const Claim& claim, const std::string& error,
                                   absl::Time now) {
  return jobs.Fail(claim.job_id, error, now);
}

Runner::Runner(JobStore& store, std::function<absl::Time()> now, RunnerOptions options)
    : store_(store), now_(std::move(now)), options_(std::move(options)) {
  if (options_.worker_id.empty()) options_.worker_id = DefaultWorkerId();
  options_.renew_every = std::min(options_.renew_every, options_.lease / 3);
}

Runner::~Runner() { Stop(); }

void Runner::Register(const std::string& kind, Handler& handler) {
  handlers_[kind] = &handler;
  kinds_.push_back(kind);
  if (options_.metrics != nullptr) options_.metrics->AddKind(kind);
}

void Runner::CountEnded(const Job& job, State state) {
  if (options_.metrics != nullptr) {
    options_.metrics->Ended(job.kind, state, now_() - job.create_time);
  }
  auto it = handlers_.find(job.kind);
  if (it != handlers_.end()) it->second->Ended(job);
}

void Runner::Cancelled(const Job& job) { CountEnded(job, State::kCancelled); }

void Runner::Log(std::string_view level, std::string_view msg,
                 const std::vector<std::pair<std::string, std::string>>& fields) {
  if (options_.log_name.empty()) return;
  std::string text(msg);
  for (const auto& [k, v] : fields) absl::StrAppend(&text, " ", k, "=", v);
  LogJson(level, options_.log_name, {{"detail", text}});
}

absl::StatusOr<Job> Runner::Cancel(const std::string& id) {
  ASSIGN_OR_RETURN(bool cancelled, store_.Cancel(id, now_()));
  ASSIGN_OR_RETURN(Job job, store_.Get(id));
  if (!cancelled) return job;
  CountEnded(job, State::kCancelled);
  // No piece is stored after the cancel: the results read now are final.
  auto it = handlers_.find(job.kind);
  if (it == handlers_.end()) return job;
  ASSIGN_OR_RETURN(std::vector<std::string> results, store_.Results(id));
  absl::StatusOr<std::string> summary = it->second->Summarize(job, results);
  if (summary.ok()) {
    RETURN_IF_ERROR(store_.SetSummary(id, *summary));
    job.summary = *summary;
  }
  return job;
}

void Runner::Hold(const Claim& claim) {
  absl::MutexLock lock(&mu_);
  held_[{claim.job_id, claim.piece_no}] = claim;
}

void Runner::Release(const Claim& claim) {
  absl::MutexLock lock(&mu_);
  held_.erase({claim.job_id, claim.piece_no});
  lost_.erase({claim.job_id, claim.piece_no});
}

bool Runner::Lost(const Claim& claim) {
  absl::MutexLock lock(&mu_);
  return lost_.count({claim.job_id, claim.piece_no}) > 0;
}

absl::Status Runner::FailIfHeld(Handler& handler, const Claim& claim, const absl::Status& error) {
  bool held = false;
  if (!absl::IsCancelled(error)) {  // else the handler saw the claim lost
    ASSIGN_OR_RETURN(held, store_.Renew(claim, now_()));
  }
  if (!held) {
    handler.Dropped(claim);
    return absl::OkStatus();
  }
  Log("error", "job failed",
      {{"job_id", claim.job_id}, {"kind", claim.kind}, {"error", std::string(error.message())}});
  ASSIGN_OR_RETURN(bool failed, handler.Fail(store_, claim, std::string(error.message()), now_()));
  if (failed) CountEnded(claim.job, State::kFailed);
  return absl::OkStatus();
}

absl::StatusOr<bool> Runner::WorkOnce(const std::string& only_job) {
  Next next;
  ASSIGN_OR_RETURN(Step step, StepOnce(only_job, next, /*hand_off=*/false));
  return step != Step::kNothing;
}

void Runner::Drop(Next& next) {
  if (next.handed) {
    absl::Status st = store_.Unclaim(*next.handed);
    if (!st.ok()) {
      Log("warn", "job piece unclaim",
          {{"job_id", next.handed->job_id}, {"error", std::string(st.message())}});
    }
  }
  next = Next();
}

absl::StatusOr<Runner::Step> Runner::StepOnce(const std::string& only_job, Next& next,
                                              bool hand_off) {
  if (kinds_.empty()) return Step::kNothing;
  const absl::Time now = now_();
  const bool piece_first = next.piece_first;
  std::optional<Claim> piece = std::move(next.handed);
  if (!piece && next.after) {
    // The piece after the one just finished: no read of the done ones.
    ASSIGN_OR_RETURN(
        piece, store_.ClaimPieceAfter(*next.after, options_.worker_id, now, now - options_.lease));
  }
  next = Next();
  if (!piece_first) {
    ASSIGN_OR_RETURN(
        std::optional<Claim> job,
        store_.ClaimJob(options_.worker_id, now, now - options_.lease, kinds_, only_job));
    if (job) {
      Hold(*job);
      absl::Status st = JobStage(*job);
      Release(*job);
      RETURN_IF_ERROR(st);
      return Step::kJob;
    }
  }
  if (!piece) {
    ASSIGN_OR_RETURN(
        piece, store_.ClaimPiece(options_.worker_id, now, now - options_.lease, kinds_, only_job));
  }
  if (!piece) {
    // Nothing to piece: a job may wait to be split or finished.
    if (piece_first) return StepOnce(only_job, next, hand_off);
    return Step::kNothing;
  }
  piece->handoff.reset();
  if (hand_off) {
    piece->handoff = std::make_shared<Handoff>();
    piece->handoff->worker = options_.worker_id;
    piece->handoff->stale_before = now - options_.lease;
  }
  Hold(*piece);
  absl::StatusOr<bool> more = PieceStage(*piece);
  Release(*piece);
  const Handoff* handoff = piece->handoff.get();
  if (!more.ok() || !*more) {
    // A next piece claimed by a completion whose piece then failed (or
    // whose transaction did not commit): given back, fenced by its epoch.
    if (handoff != nullptr && handoff->next) {
      next.handed = *handoff->next;
      Drop(next);
    }
    RETURN_IF_ERROR(more.status());
    return Step::kJob;
  }
  next.piece_first = true;
  if (handoff != nullptr && handoff->next) {
    next.handed = *handoff->next;
  } else if (handoff == nullptr || !handoff->looked) {
    next.after = PieceRef{piece->job_id, piece->piece_no};
  }
  return Step::kPiece;
}

absl::Status Runner::JobStage(const Claim& claim) {
  if (!claim.taken_over_from.empty()) {
    Log("warn", "job taken over", {{"job_id", claim.job_id}, {"from", claim.taken_over_from}});
    if (options_.metrics != nullptr) options_.metrics->TakenOver(claim.kind);
  }
  const Job& job = claim.job;  // read by the claiming statement
  Handler& handler = *handlers_.at(claim.kind);
  if (job.state == State::kPending) {
    absl::StatusOr<bool> planned = handler.Plan(job, claim);
    if (!planned.ok()) return FailIfHeld(handler, claim, planned.status());
    if (*planned) {
      if (options_.metrics != nullptr) options_.metrics->Started(claim.kind);
      Wake();  // its pieces are open now
    }
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::vector<std::string> results, store_.Results(claim.job_id));
  absl::StatusOr<std::string> summary = handler.Summarize(job, results);
  if (!summary.ok()) return FailIfHeld(handler, claim, summary.status());
  ASSIGN_OR_RETURN(bool finished, store_.Finish(claim, *summary, now_()));
  if (finished) CountEnded(job, State::kSucceeded);
  return absl::OkStatus();
}

absl::StatusOr<bool> Runner::PieceStage(const Claim& claim) {
  if (!claim.taken_over_from.empty()) {
    Log("warn", "job piece taken over",
        {{"job_id", claim.job_id},
         {"piece", absl::StrCat(claim.piece_no)},
         {"from", claim.taken_over_from},
         {"lease", absl::FormatDuration(options_.lease)}});
    if (options_.metrics != nullptr) options_.metrics->TakenOver(claim.kind);
  }
  Handler& handler = *handlers_.at(claim.kind);
  absl::StatusOr<Completion> done = handler.Work(claim.job, claim);
  if (!done.ok()) {
    RETURN_IF_ERROR(FailIfHeld(handler, claim, done.status()));
    return false;
  }
  if (*done == Completion::kDiscarded) return false;
  if (options_.metrics != nullptr) options_.metrics->PieceDone(claim.kind);
  if (*done == Completion::kLast) {
    // The job can be finished now, unless the piece's transaction did
    // (a service that finishes its job with its last piece).
    ASSIGN_OR_RETURN(Job job, store_.Get(claim.job_id));
    if (job.state == State::kSucceeded) CountEnded(job, State::kSucceeded);
  }
  Wake();  // idle workers look again: the job may be finishable, or others queued
  return *done == Completion::kStored;
}

absl::StatusOr<Job> Runner::Drive(const std::string& id, absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  // The job's state is read only when there was nothing to do: while pieces
  // are being worked it cannot have ended, and a read per piece is a round
  // trip per piece.
  Next next;
  for (;;) {
    absl::StatusOr<Step> step = StepOnce(id, next, /*hand_off=*/true);
    if (!step.ok()) {
      Drop(next);
      return step.status();
    }
    const bool worked = *step != Step::kNothing;
    if (!worked) {
      ASSIGN_OR_RETURN(Job job, store_.Get(id));
      if (Ended(job.state)) return job;
    }
    if (absl::Now() > until) {
      Drop(next);
      return absl::DeadlineExceededError(absl::StrCat("job ", id, " did not end in time"));
    }
    if (!worked) absl::SleepFor(std::min(options_.poll, absl::Milliseconds(50)));
  }
}

absl::StatusOr<Job> Runner::Wait(const std::string& id, absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  for (;;) {
    ASSIGN_OR_RETURN(Job job, store_.Get(id));
    if (Ended(job.state)) return job;
    if (absl::Now() > until) {
      return absl::DeadlineExceededError(absl::StrCat("job ", id, " did not end in time"));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

void Runner::Wake() {
  absl::MutexLock lock(&mu_);
  ++wakeups_;
}

absl::StatusOr<int64_t> Runner::CountOpen() {
  if (kinds_.empty()) return 0;
  return store_.CountOpen(kinds_);
}

void Runner::CountOpenByKind() {
  if (options_.metrics == nullptr) return;
  for (const std::string& kind : kinds_) {
    absl::StatusOr<int64_t> open = store_.CountOpen({kind});
    if (open.ok()) options_.metrics->SetOpen(kind, *open);
  }
}

void Runner::WorkerLoop() {
  // After a piece, the next look is for the same job's next piece, then
  // for any piece: while a job has open pieces, asking first for a job to
  // split or finish is a round trip per piece that finds nothing, and
  // looking from the job's first piece reads every done one again. A job
  // waiting to be split is taken once no piece is left to claim (pieces go
  // oldest job first anyway).
  // The piece's completion claims the next one in the same statement.
  Next next;
  while (true) {
    int64_t seen = 0;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
      // Read before looking for work: a wake-up that comes while WorkOnce
      // finds nothing (a job created just after its claim query) is not lost.
      seen = wakeups_;
    }
    absl::StatusOr<Step> step = StepOnce("", next, /*hand_off=*/true);
    if (!step.ok()) {
      Drop(next);
      Log("error", "job worker", {{"error", std::string(step.status().message())}});
    }
    if (step.ok() && *step != Step::kNothing) continue;
    absl::MutexLock lock(&mu_);
    auto woken = [this, seen]()
                     ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_ || wakeups_ != seen; };
    mu_.AwaitWithTimeout(absl::Condition(&woken), options_.poll);
  }
  // Stopping: a piece handed to this worker is open again for the others
  // at once, not after its lease.
  Drop(next);
}

void Runner::HeartbeatLoop() {
  while (true) {
    std::vector<Claim> claims;
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), options_.renew_every)) return;
      for (const auto& [key, claim] : held_) claims.push_back(claim);
    }
    if (options_.on_heartbeat) options_.on_heartbeat();
    CountOpenByKind();
    for (const Claim& c : claims) {
      absl::StatusOr<bool> held = store_.Renew(c, now_());
      if (!held.ok()) {
        Log("warn", "job lease renewal",
            {{"job_id", c.job_id}, {"error", std::string(held.status().message())}});
      } else if (!*held) {
        absl::MutexLock lock(&mu_);
        auto it = held_.find({c.job_id, c.piece_no});
        if (it != held_.end() && it->second.epoch == c.epoch) lost_.insert(it->first);
      }
    }
  }
}

void Runner::Start(int workers) {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = false;
  }
  CountOpenByKind();  // the gauge is right from the first scrape
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { WorkerLoop(); });
  threads_.emplace_back([this] { HeartbeatLoop(); });
}

void Runner::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

}  // namespace gridbill::jobs
