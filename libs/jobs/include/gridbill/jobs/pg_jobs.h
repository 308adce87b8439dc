// The jobs tables (migrations/V001__jobs.sql) in a service's own database.
// Functions taking a pg::Transaction run inside a service's transaction, so
// that a resource and its job, or a piece's effects and its result, commit
// together. Lock order: the job row, then a piece row. A piece's
// transaction locks the service's rows either all after both (FencePiece
// first) or all before both (CompletePiece alone, last); a service's rows
// that its own job transactions lock after the job row (the resource a
// plan or a failure updates) come after CompletePiece.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/jobs/job.h"
#include "gridbill/pg/pool.h"

namespace gridbill::jobs {

class PgJobs final : public JobStore {
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
  // One statement, a piece's first: locks the job row (which orders a
  // job's piece transactions and a cancel) and checks that the job is
  // running and the claim is the piece's current one. The caller writes its
  // effects only then, and ends with CompletePiece in the same transaction.
  // Optional: CompletePiece checks the same under the same lock, so a
  // piece that would rather not spend the round trip (and may write its
  // effects before knowing it still holds the claim; rolled back if not)
  // ends with CompletePiece alone.
  static absl::StatusOr<bool> FencePiece(pg::Transaction& tx, const Claim& claim);
  // One statement, a piece's last: locks the job row, and while the job is
  // running and the claim is the piece's current one marks the piece done
  // with its result and adds its units to the job's progress. Else an
  // error that IsClaimLost tells (roll the transaction back): the job ended
  // or a takeover bumped the epoch. With claim.handoff set (the Runner's
  // workers), the same statement claims the job's next open piece after
  // this one for the worker (claim.handoff->next, held once the transaction
  // commits; a rollback takes the claim back with the completion).
  static absl::StatusOr<Completion> CompletePiece(pg::Transaction& tx, const Claim& claim,
                                                  const std::string& result, absl::Time now);
  // The error CompletePiece returns when the claim was lost after the fence.
  static bool IsClaimLost(const absl::Status& status);
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

  // --- JobStore: on their own -------------------------------------------------
  absl::StatusOr<Job> Get(const std::string& id) override;
  absl::StatusOr<std::optional<Claim>> ClaimJob(const std::string& worker, absl::Time now,
                                                absl::Time stale_before,
                                                const std::vector<std::string>& kinds,
                                                const std::string& only_job) override;
  absl::StatusOr<std::optional<Claim>> ClaimPiece(const std::string& worker, absl::Time now,
                                                  absl::Time stale_before,
                                                  const std::vector<std::string>& kinds,
                                                  const std::string& only_job) override;
  absl::StatusOr<std::optional<Claim>> ClaimPieceAfter(const PieceRef& after,
                                                       const std::string& worker, absl::Time now,
                                                       absl::Time stale_before) override;
  absl::Status Unclaim(const Claim& claim) override;
  absl::StatusOr<bool> Renew(const Claim& claim, absl::Time now) override;
  absl::StatusOr<bool> StorePlan(const Claim& claim, const std::vector<PieceSpec>& pieces,
                                 absl::Time now) override;
  absl::StatusOr<Completion> CompletePiece(const Claim& claim, const std::string& result,
                                           absl::Time now) override;
  absl::StatusOr<bool> Finish(const Claim& claim, const std::string& summary,
                              absl::Time now) override;
  absl::StatusOr<bool> Fail(const std::string& id, const std::string& error,
                            absl::Time now) override;
  absl::StatusOr<bool> Cancel(const std::string& id, absl::Time now) override;
  absl::Status SetSummary(const std::string& id, const std::string& summary) override;
  absl::StatusOr<std::vector<std::string>> Results(const std::string& id) override;
  absl::StatusOr<int64_t> CountOpen(const std::vector<std::string>& kinds) override;
  // The oldest claim of a piece still held, of a job of `kinds` not ended.
  absl::StatusOr<std::optional<absl::Time>> OldestClaim(const std::vector<std::string>& kinds);

 private:
  pg::Pool& pool_;
};

}  // namespace gridbill::jobs
