// Long jobs, the shape every service shares (gridbill.common.v1.Job): a job
// is split into pieces that any replica claims under a lease with a claim
// epoch; progress, pieces' results and the summary are persisted, so a
// restarted or second replica resumes a job's unfinished pieces and its
// counts include what was done before. A service maps its own resource
// (a balance run, an invoice run, an import) to a job and implements
// Handler: how a job splits and what one piece does. See runner.h.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridbill::jobs {

class JobStore;

// The values of gridbill.common.v1.JobState.
enum class State { kPending = 1, kRunning = 2, kSucceeded = 3, kFailed = 4, kCancelled = 5 };

inline bool Ended(State s) { return s != State::kPending && s != State::kRunning; }

struct Job {
  std::string id;
  std::string kind;
  State state = State::kPending;
  // Progress in the units the service gave its pieces (contracts, shards,
  // rows), counting every piece done since the job was created.
  int64_t done = 0;
  int64_t total = 0;
  int pieces_done = 0;
  int pieces_total = 0;
  std::string summary;
  std::string error;
  absl::Time create_time;
  std::optional<absl::Time> start_time;
  std::optional<absl::Time> finish_time;
};

// What a piece is, as its handler wrote it when the job was split.
struct PieceSpec {
  // Returned by the piece's claim: a service may put there what the piece
  // works on (not only a label), so that a piece costs no read of its own.
  std::string spec;
  int64_t units = 1;  // what the piece adds to the job's progress
};

struct Claim;

// Where a piece's completion hands its worker the next piece: the store
// claims it in the completing statement (PgJobs::CompletePiece), so one
// round trip ends a piece and starts the next. The Runner attaches one to
// the piece claims of a worker that goes on after the piece; a handler
// passes the claim on to CompletePiece as it is and need not know.
struct Handoff {
  std::string worker;
  absl::Time stale_before;  // an expired claim ahead is taken over
  // Set by the store: it looked ahead in the completion (false: a store
  // that does not hand off; the worker claims the next piece itself).
  bool looked = false;
  // The piece claimed, if one lay ahead; valid once the completion's
  // transaction has committed.
  std::shared_ptr<Claim> next;
};

// A claim a worker holds: of one piece (piece_no >= 1), or of the job
// itself (piece_no == 0) while it is split or finished. Whatever a worker
// stores under a claim it stores only if `epoch` is still the current one.
struct Claim {
  std::string job_id;
  std::string kind;
  int piece_no = 0;
  int64_t epoch = 0;
  std::string worker;
  PieceSpec piece;
  // Non-empty when this claim took over an expired one: its holder.
  std::string taken_over_from;
  // The job as it was when claimed (ClaimJob / ClaimPiece read it in the
  // claiming statement, so a piece costs no extra read).
  Job job;
  // Set by the Runner on a piece claim: where CompletePiece puts the next
  // piece of the same job it claims for this worker (nullptr: claim none).
  std::shared_ptr<Handoff> handoff;
};

// A piece a worker has just finished: where its next claim looks first.
struct PieceRef {
  std::string job_id;
  int piece_no = 0;
};

// What storing a piece's result did.
enum class Completion {
  kDiscarded,  // nothing stored: the job ended or the claim was taken over
  kStored,     // stored; other pieces are still open
  kLast,       // stored, and it was the job's last open piece
};

// Where jobs are kept, as the Runner sees them: PgJobs in a service (the
// jobs tables in its database), MemoryJobs (memory_jobs.h) in pure tests.
// Every claim is leased: one not renewed within the lease (claimed before
// `stale_before`) is taken over with the next claim epoch.
class JobStore {
 public:
  virtual ~JobStore() = default;
  virtual absl::StatusOr<Job> Get(const std::string& id) = 0;
  // The job itself, to split (pending) or to finish (running, every piece
  // done), of one of `kinds`, not held or held by an expired claim;
  // `only_job` non-empty restricts to that job.
  virtual absl::StatusOr<std::optional<Claim>> ClaimJob(const std::string& worker, absl::Time now,
                                                        absl::Time stale_before,
                                                        const std::vector<std::string>& kinds,
                                                        const std::string& only_job) = 0;
  // An open piece of a running job, or one whose claim expired.
  virtual absl::StatusOr<std::optional<Claim>> ClaimPiece(const std::string& worker, absl::Time now,
                                                          absl::Time stale_before,
                                                          const std::vector<std::string>& kinds,
                                                          const std::string& only_job) = 0;
  // The next piece for a worker that has just finished `after`: an open
  // piece of the same running job numbered after it, or one there whose
  // claim expired; nullopt when none lies ahead. A job's done pieces lie
  // before it, so this claim costs the same at its first piece and its
  // ten-thousandth (ClaimPiece looks from the job's first piece); an
  // expired claim behind it is taken over by ClaimPiece once nothing is
  // left ahead. This default finds nothing: the Runner asks ClaimPiece.
  virtual absl::StatusOr<std::optional<Claim>> ClaimPieceAfter(const PieceRef& /*after*/,
                                                               const std::string& /*worker*/,
                                                               absl::Time /*now*/,
                                                               absl::Time /*stale_before*/) {
    return std::optional<Claim>();
  }
  // Gives back a piece claim not worked (a handed-off next piece of a
  // worker that stops): open again at once instead of after its lease.
  // Fenced by the epoch; nothing when the claim is no longer current.
  virtual absl::Status Unclaim(const Claim& /*claim*/) { return absl::OkStatus(); }
  // Extends a claim to `now`; false when it is no longer current or the job ended.
  virtual absl::StatusOr<bool> Renew(const Claim& claim, absl::Time now) = 0;
  // For handlers with nothing of their own to store: the plan, a piece's
  // result (fenced: kDiscarded when the claim is no longer current).
  virtual absl::StatusOr<bool> StorePlan(const Claim& claim, const std::vector<PieceSpec>& pieces,
                                         absl::Time now) = 0;
  // With claim.handoff set, claims the next piece as Handoff says.
  virtual absl::StatusOr<Completion> CompletePiece(const Claim& claim, const std::string& result,
                                                   absl::Time now) = 0;
  // Succeeds a running job under its job claim; false when the claim is lost.
  virtual absl::StatusOr<bool> Finish(const Claim& claim, const std::string& summary,
                                      absl::Time now) = 0;
  // Fails a pending or running job; false when it had ended.
  virtual absl::StatusOr<bool> Fail(const std::string& id, const std::string& error,
                                    absl::Time now) = 0;
  // Cancels a pending or running job; false when it had ended (NOT_FOUND
  // for an unknown id).
  virtual absl::StatusOr<bool> Cancel(const std::string& id, absl::Time now) = 0;
  virtual absl::Status SetSummary(const std::string& id, const std::string& summary) = 0;
  // The results of the job's pieces done, in piece order.
  virtual absl::StatusOr<std::vector<std::string>> Results(const std::string& id) = 0;
  // Jobs of `kinds` not ended.
  virtual absl::StatusOr<int64_t> CountOpen(const std::vector<std::string>& kinds) = 0;
};

// What a service implements for one kind of job. Plan and Work store their
// effects together with the job's bookkeeping, in one transaction of the
// service's store (PgJobs' transaction functions), so a worker killed at any
// moment leaves either the whole piece or nothing.
class Handler {
 public:
  virtual ~Handler() = default;
  // Splits a pending job into pieces and stores them (JobStore::StorePlan,
  // or PgJobs::StorePlan in the service's transaction)
  // with whatever the service records about the plan; false when the claim
  // was lost meanwhile. An error fails the job.
  virtual absl::StatusOr<bool> Plan(const Job& job, const Claim& claim) = 0;
  // Does one piece and stores its effects and its result
  // (PgJobs::FencePiece + PgJobs::CompletePiece, or PgJobs::CompletePiece
  // last alone) in one transaction. An error fails the job, unless the
  // claim was lost meanwhile.
  virtual absl::StatusOr<Completion> Work(const Job& job, const Claim& claim) = 0;
  // The job's summary from the stored results of its pieces done (in piece
  // order), when all pieces are done (job.state running) or after a cancel
  // (job.state cancelled). An error fails a running job.
  virtual absl::StatusOr<std::string> Summarize(const Job& job,
                                                const std::vector<std::string>& results) = 0;
  // Fails the job (a piece's or the plan's error, its claim still held),
  // with whatever the service records about the failure, in one transaction
  // (PgJobs::Fail(tx, ...)); true when it failed it. The default fails the
  // job alone.
  virtual absl::StatusOr<bool> Fail(JobStore& jobs, const Claim& claim, const std::string& error,
                                    absl::Time now);
  // A piece's or the plan's error was dropped: its claim had been taken over
  // or the job had ended meanwhile (the current holder goes on).
  virtual void Dropped(const Claim& claim) {}
  // The job ended through this replica's runner (finished, failed or
  // cancelled): a service drops what it kept only for the job's pieces.
  virtual void Ended(const Job& job) {}
};

}  // namespace gridbill::jobs
