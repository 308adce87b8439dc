// The jobs tables (migrations/V001__jobs.sql) in a service's own database.
// Functions taking a pg::Transaction run inside a service's transaction, so
// that a resource and its job, or a piece's effects and its result, commit
// together. Lock order, everywhere: the job row, then a piece row, then the
// service's rows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/jobs/job.h"
#include "gridbill/pg/pool.h"

namespace gridbill::jobs {

class PgJobs {
 public:
  explicit PgJobs(pg::Pool& pool) : pool_(pool) {}

  // --- inside a service's transaction ---------------------------------------
  // Creates a pending job (ALREADY_EXISTS when the id is taken).
  static absl::Status Insert(pg::Transaction& tx, const std::string& id, const std::string& kind,
                             absl::Time now);
  // Stores the pieces of a pending job under its job claim and makes it
  // running; false (nothing stored) when the claim is no longer current.
  static absl::StatusOr<bool> StorePlan(pg::Transaction& tx, const Claim& claim,
                                        const std::vector<PieceSpec>& pieces, absl::Time now);
  // Locks the job and the piece; true when the job is running and the claim
  // is the piece's current one. The caller writes its effects only then, and
  // ends with CompletePiece in the same transaction.
  static absl::StatusOr<bool> FencePiece(pg::Transaction& tx, const Claim& claim);
  // Marks a fenced piece done with its result and adds its units to the
  // job's progress.
  static absl::StatusOr<Completion> CompletePiece(pg::Transaction& tx, const Claim& claim,
                                                  const std::string& result, absl::Time now);
  static absl::StatusOr<Job> Get(pg::Transaction& tx, const std::string& id);
  // A job split when it is created (its pieces known at once): running,
  // with its pieces open.
  static absl::Status InsertSplit(pg::Transaction& tx, const std::string& id,
                                  const std::string& kind, const std::vector<PieceSpec>& pieces,
                                  absl::Time now);
  // Succeeds a running job whose pieces are all done, in the transaction
  // that stored its last piece (a service that finishes a job there).
  static absl::StatusOr<bool> Finish(pg::Transaction& tx, const std::string& id,
                                     const std::string& summary, absl::Time now);
  // Fail / Cancel below, in the caller's transaction.
  static absl::StatusOr<bool> Fail(pg::Transaction& tx, const std::string& id,
                                   const std::string& error, absl::Time now);
  static absl::StatusOr<bool> Cancel(pg::Transaction& tx, const std::string& id, absl::Time now);

  // --- on their own ---------------------------------------------------------
  absl::StatusOr<Job> Get(const std::string& id);
  // The job itself, to split (pending) or to finish (running, every piece
  // done), of one of `kinds`, not held or held by an expired claim (claimed
  // before `stale_before`); `only_job` non-empty restricts to that job.
  absl::StatusOr<std::optional<Claim>> ClaimJob(const std::string& worker, absl::Time now,
                                                absl::Time stale_before,
                                                const std::vector<std::string>& kinds,
                                                const std::string& only_job);
  // An open piece of a running job, or one whose claim expired (taken over:
  // its epoch is incremented).
  absl::StatusOr<std::optional<Claim>> ClaimPiece(const std::string& worker, absl::Time now,
                                                  absl::Time stale_before,
                                                  const std::vector<std::string>& kinds,
                                                  const std::string& only_job);
  // Extends a claim to `now`; false when it is no longer current or the job ended.
  absl::StatusOr<bool> Renew(const Claim& claim, absl::Time now);
  // Convenience for handlers with nothing of their own to store.
  absl::StatusOr<bool> StorePlan(const Claim& claim, const std::vector<PieceSpec>& pieces,
                                 absl::Time now);
  absl::StatusOr<Completion> CompletePiece(const Claim& claim, const std::string& result,
                                           absl::Time now);
  // Succeeds a running job under its job claim; false when the claim is lost.
  absl::StatusOr<bool> Finish(const Claim& claim, const std::string& summary, absl::Time now);
  // Fails a pending or running job; false when it had ended.
  absl::StatusOr<bool> Fail(const std::string& id, const std::string& error, absl::Time now);
  // Cancels a pending or running job; false when it had ended (NOT_FOUND
  // for an unknown id).
  absl::StatusOr<bool> Cancel(const std::string& id, absl::Time now);
  absl::Status SetSummary(const std::string& id, const std::string& summary);
  // The results of the job's pieces done, in piece order.
  absl::StatusOr<std::vector<std::string>> Results(const std::string& id);
  // The oldest claim of a piece still held, of a job of `kinds` not ended.
  absl::StatusOr<std::optional<absl::Time>> OldestClaim(const std::vector<std::string>& kinds);
  // Jobs of `kinds` not ended.
  absl::StatusOr<int64_t> CountOpen(const std::vector<std::string>& kinds);

 private:
  pg::Pool& pool_;
};

}  // namespace gridbill::jobs
