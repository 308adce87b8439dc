// Long jobs, the shape every service shares (gridbill.common.v1.Job): a job
// is split into pieces that any replica claims under a lease with a claim
// epoch; progress, pieces' results and the summary are persisted, so a
// restarted or second replica resumes a job's unfinished pieces and its
// counts include what was done before. A service maps its own resource
// (a balance run, an invoice run, an import) to a job and implements
// Handler: how a job splits and what one piece does. See runner.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridbill::jobs {

class PgJobs;

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
  std::string spec;
  int64_t units = 1;  // what the piece adds to the job's progress
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
};

// What storing a piece's result did.
enum class Completion {
  kDiscarded,  // nothing stored: the job ended or the claim was taken over
  kStored,     // stored; other pieces are still open
  kLast,       // stored, and it was the job's last open piece
};

// What a service implements for one kind of job. Plan and Work store their
// effects together with the job's bookkeeping, in one transaction of the
// service's store (PgJobs' transaction functions), so a worker killed at any
// moment leaves either the whole piece or nothing.
class Handler {
 public:
  virtual ~Handler() = default;
  // Splits a pending job into pieces and stores them (PgJobs::StorePlan)
  // with whatever the service records about the plan; false when the claim
  // was lost meanwhile. An error fails the job.
  virtual absl::StatusOr<bool> Plan(const Job& job, const Claim& claim) = 0;
  // Does one piece and stores its effects and its result
  // (PgJobs::FencePiece + PgJobs::CompletePiece) in one transaction. An
  // error fails the job, unless the claim was lost meanwhile.
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
  virtual absl::StatusOr<bool> Fail(PgJobs& jobs, const Claim& claim, const std::string& error,
                                    absl::Time now);
  // A piece's or the plan's error was dropped: its claim had been taken over
  // or the job had ended meanwhile (the current holder goes on).
  virtual void Dropped(const Claim& claim) {}
};

}  // namespace gridbill::jobs
