#include "gridbill/jobs/pg_jobs.h"

#include <utility>

#include "absl/strings/cord.h"

#include "absl/strings/str_cat.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/params.h"
#include "queries.h"

namespace gridbill::jobs {
namespace {

namespace q = queries;

constexpr char kClaimLostPayload[] = "gridbill.jobs/claim-lost";

// The columns ReadJob reads, first in every row that carries a job.
constexpr int kJobCols = 12;

Job ReadJob(const pg::Row& r) {
  Job j;
  j.id = r.String(0);
  j.kind = r.String(1);
  j.state = static_cast<State>(r.Int(2));
  j.done = r.Int(3);
  j.total = r.Int(4);
  j.pieces_done = static_cast<int>(r.Int(5));
  j.pieces_total = static_cast<int>(r.Int(6));
  j.summary = r.String(7);
  j.error = r.String(8);
  j.create_time = r.Time(9);
  j.start_time = r.OptionalTime(10);
  j.finish_time = r.OptionalTime(11);
  return j;
}

// A piece's claim from a row of kClaimPiece / kClaimPieceAfter.
Claim PieceClaimOf(const pg::Row& r, const std::string& worker) {
  Claim c;
  c.job = ReadJob(r);
  c.job_id = c.job.id;
  c.kind = c.job.kind;
  c.piece_no = static_cast<int>(r.Int(kJobCols));
  c.epoch = r.Int(kJobCols + 1);
  c.piece.spec = r.String(kJobCols + 2);
  c.piece.units = r.Int(kJobCols + 3);
  c.taken_over_from = r.String(kJobCols + 4);
  c.worker = worker;
  return c;
}

// A piece's completion, run by `exec` (the caller's transaction or the
// pool): with claim.handoff, the completion that claims the next piece
// too, whose claim it puts there. Empty when nothing was stored.
template <typename Exec>
absl::StatusOr<std::optional<Completion>> Complete(Exec exec, const Claim& claim,
                                                   const std::string& result, absl::Time now) {
  const int64_t piece_no = claim.piece_no;
  Handoff* handoff = claim.handoff.get();
  if (handoff == nullptr) {
    ASSIGN_OR_RETURN(pg::Result res, exec(q::kCompletePiece, pg::Params(claim.job_id, piece_no,
                                                                        claim.epoch, result, now)));
    if (res.empty()) return std::optional<Completion>();
    return res[0].Int(0) >= res[0].Int(1) ? Completion::kLast : Completion::kStored;
  }
  // Set anew on every call: a retried transaction's last attempt counts.
  handoff->looked = false;
  handoff->next.reset();
  ASSIGN_OR_RETURN(pg::Result res, exec(q::kCompletePieceClaimNext,
                                        pg::Params(claim.job_id, piece_no, claim.epoch, result, now,
                                                   handoff->worker, handoff->stale_before)));
  if (res.empty()) return std::optional<Completion>();
  const pg::Row r = res[0];
  handoff->looked = true;
  if (!r.IsNull(kJobCols))
    handoff->next = std::make_shared<Claim>(PieceClaimOf(r, handoff->worker));
  const Job job = ReadJob(r);
  return job.pieces_done >= job.pieces_total ? Completion::kLast : Completion::kStored;
}

pg::Params ClaimParams(const std::string& worker, absl::Time now, absl::Time stale_before,
                       const std::vector<std::string>& kinds, const std::string& only_job) {
  pg::Params p;
  p.Add(worker).Add(now).Add(stale_before).AddTextArray(kinds).Add(only_job);
  return p;
}

}  // namespace

absl::Status PgJobs::Insert(pg::Transaction& tx, const std::string& id, const std::string& kind,
                            absl::Time now) {
  return tx.Exec(q::kInsertJob, id, kind, now).status();
}

absl::StatusOr<bool> PgJobs::StorePlan(pg::Transaction& tx, const Claim& claim,
                                       const std::vector<PieceSpec>& pieces, absl::Time now) {
  ASSIGN_OR_RETURN(pg::Result lock, tx.Exec(q::kLockJob, claim.job_id));
  if (lock.empty()) return absl::NotFoundError(absl::StrCat("job ", claim.job_id, " not found"));
  if (static_cast<State>(lock[0].Int(0)) != State::kPending || lock[0].Int(1) != claim.epoch ||
      !lock[0].Bool(2)) {
    return false;
  }
  std::vector<int64_t> numbers;
  std::vector<std::string> specs;
  std::vector<int64_t> units;
  int64_t total = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    numbers.push_back(static_cast<int64_t>(i) + 1);
    specs.push_back(pieces[i].spec);
    units.push_back(pieces[i].units);
    total += pieces[i].units;
  }
  if (!pieces.empty()) {
    pg::Params p;
    p.Add(claim.job_id).AddIntArray(numbers).AddTextArray(specs).AddIntArray(units);
    RETURN_IF_ERROR(tx.Execute(q::kInsertPieces, p).status());
  }
  RETURN_IF_ERROR(
      tx.Exec(q::kMarkPlanned, claim.job_id, now, total, static_cast<int64_t>(pieces.size()))
          .status());
  return true;
}

absl::Status PgJobs::InsertSplit(pg::Transaction& tx, const std::string& id,
                                 const std::string& kind, const std::vector<PieceSpec>& pieces,
                                 absl::Time now) {
  int64_t total = 0;
  std::vector<int64_t> numbers, units;
  std::vector<std::string> specs;
  for (size_t i = 0; i < pieces.size(); ++i) {
    numbers.push_back(static_cast<int64_t>(i) + 1);
    specs.push_back(pieces[i].spec);
    units.push_back(pieces[i].units);
    total += pieces[i].units;
  }
  RETURN_IF_ERROR(
      tx.Exec(q::kInsertSplitJob, id, kind, total, static_cast<int64_t>(pieces.size()), now)
          .status());
  if (pieces.empty()) return absl::OkStatus();
  pg::Params p;
  p.Add(id).AddIntArray(numbers).AddTextArray(specs).AddIntArray(units);
  return tx.Execute(q::kInsertPieces, p).status();
}

absl::StatusOr<bool> PgJobs::Finish(pg::Transaction& tx, const std::string& id,
                                    const std::string& summary, absl::Time now) {
  ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kFinishJobInTx, id, summary, now));
  return res.affected() == 1;
}

absl::StatusOr<bool> PgJobs::Fail(pg::Transaction& tx, const std::string& id,
                                  const std::string& error, absl::Time now) {
  ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kFailJob, id, error, now));
  return res.affected() == 1;
}

absl::StatusOr<bool> PgJobs::Cancel(pg::Transaction& tx, const std::string& id, absl::Time now) {
  ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kCancelJob, id, now));
  return res.affected() == 1;
}

absl::StatusOr<std::optional<absl::Time>> PgJobs::OldestClaim(
    const std::vector<std::string>& kinds) {
  pg::Params p;
  p.AddTextArray(kinds);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kOldestClaim, p));
  if (res.empty()) return std::optional<absl::Time>();
  return res[0].OptionalTime(0);
}

absl::StatusOr<bool> PgJobs::FencePiece(pg::Transaction& tx, const Claim& claim) {
  ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kFencePiece, claim.job_id,
                                           static_cast<int64_t>(claim.piece_no), claim.epoch));
  return !res.empty() && res[0].Bool(0);
}

absl::StatusOr<Completion> PgJobs::CompletePiece(pg::Transaction& tx, const Claim& claim,
                                                 const std::string& result, absl::Time now) {
  ASSIGN_OR_RETURN(std::optional<Completion> done,
                   Complete([&tx](const pg::Query& query,
                                  const pg::Params& params) { return tx.Execute(query, params); },
                            claim, result, now));
  if (!done) {
    absl::Status lost = absl::FailedPreconditionError(
        absl::StrCat("job ", claim.job_id, " piece ", claim.piece_no,
                     ": the job ended or the claim was taken over before its result was stored"));
    lost.SetPayload(kClaimLostPayload, absl::Cord("1"));
    return lost;
  }
  return *done;
}

bool PgJobs::IsClaimLost(const absl::Status& status) {
  return status.GetPayload(kClaimLostPayload).has_value();
}

absl::StatusOr<Job> PgJobs::Get(pg::Transaction& tx, const std::string& id) {
  ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kGetJob, id));
  if (res.empty()) return absl::NotFoundError(absl::StrCat("job ", id, " not found"));
  return ReadJob(res[0]);
}

absl::StatusOr<Job> PgJobs::Get(const std::string& id) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kGetJob, id));
  if (res.empty()) return absl::NotFoundError(absl::StrCat("job ", id, " not found"));
  return ReadJob(res[0]);
}

absl::StatusOr<std::optional<Claim>> PgJobs::ClaimJob(const std::string& worker, absl::Time now,
                                                      absl::Time stale_before,
                                                      const std::vector<std::string>& kinds,
                                                      const std::string& only_job) {
  ASSIGN_OR_RETURN(
      pg::Result res,
      pool_.Execute(q::kClaimJob, ClaimParams(worker, now, stale_before, kinds, only_job)));
  if (res.empty()) return std::optional<Claim>();
  Claim c;
  c.job = ReadJob(res[0]);
  c.job_id = c.job.id;
  c.kind = c.job.kind;
  c.epoch = res[0].Int(kJobCols);
  c.taken_over_from = res[0].String(kJobCols + 1);
  c.worker = worker;
  return std::optional<Claim>(std::move(c));
}

absl::StatusOr<std::optional<Claim>> PgJobs::ClaimPiece(const std::string& worker, absl::Time now,
                                                        absl::Time stale_before,
                                                        const std::vector<std::string>& kinds,
                                                        const std::string& only_job) {
  ASSIGN_OR_RETURN(
      pg::Result res,
      pool_.Execute(q::kClaimPiece, ClaimParams(worker, now, stale_before, kinds, only_job)));
  if (res.empty()) return std::optional<Claim>();
  return std::optional<Claim>(PieceClaimOf(res[0], worker));
}

absl::StatusOr<std::optional<Claim>> PgJobs::ClaimPieceAfter(const PieceRef& after,
                                                             const std::string& worker,
                                                             absl::Time now,
                                                             absl::Time stale_before) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kClaimPieceAfter, worker, now, stale_before,
                                              after.job_id, static_cast<int64_t>(after.piece_no)));
  if (res.empty()) return std::optional<Claim>();
  return std::optional<Claim>(PieceClaimOf(res[0], worker));
}

absl::StatusOr<bool> PgJobs::Renew(const Claim& claim, absl::Time now) {
  if (claim.piece_no == 0) {
    ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kRenewJob, claim.job_id, claim.epoch, now));
    return res.affected() == 1;
  }
  ASSIGN_OR_RETURN(pg::Result res,
                   pool_.Exec(q::kRenewPiece, claim.job_id, claim.piece_no, claim.epoch, now));
  return res.affected() == 1;
}

absl::StatusOr<bool> PgJobs::StorePlan(const Claim& claim, const std::vector<PieceSpec>& pieces,
                                       absl::Time now) {
  return pool_.TransactValue<bool>(
      [&](pg::Transaction& tx) { return StorePlan(tx, claim, pieces, now); });
}

absl::StatusOr<Completion> PgJobs::CompletePiece(const Claim& claim, const std::string& result,
                                                 absl::Time now) {
  // One statement: it checks the job and the claim under the job row's lock
  // and writes nothing when either is gone.
  ASSIGN_OR_RETURN(
      std::optional<Completion> done,
      Complete([this](const pg::Query& query,
                      const pg::Params& params) { return pool_.Execute(query, params); },
               claim, result, now));
  return done.value_or(Completion::kDiscarded);
}

absl::Status PgJobs::Unclaim(const Claim& claim) {
  return pool_
      .Exec(q::kUnclaimPiece, claim.job_id, static_cast<int64_t>(claim.piece_no), claim.epoch,
            claim.worker)
      .status();
}

absl::StatusOr<bool> PgJobs::Finish(const Claim& claim, const std::string& summary,
                                    absl::Time now) {
  ASSIGN_OR_RETURN(pg::Result res,
                   pool_.Exec(q::kFinishJob, claim.job_id, claim.epoch, summary, now));
  return res.affected() == 1;
}

absl::StatusOr<bool> PgJobs::Fail(const std::string& id, const std::string& error, absl::Time now) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kFailJob, id, error, now));
  return res.affected() == 1;
}

absl::StatusOr<bool> PgJobs::Cancel(const std::string& id, absl::Time now) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kCancelJob, id, now));
  if (res.affected() == 1) return true;
  ASSIGN_OR_RETURN(pg::Result exists, pool_.Exec(q::kJobExists, id));
  if (exists.empty()) return absl::NotFoundError(absl::StrCat("job ", id, " not found"));
  return false;
}

absl::Status PgJobs::SetSummary(const std::string& id, const std::string& summary) {
  return pool_.Exec(q::kSetSummary, id, summary).status();
}

absl::StatusOr<std::vector<std::string>> PgJobs::Results(const std::string& id) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kResults, id));
  std::vector<std::string> out;
  for (pg::Row r : res) out.push_back(r.String(0));
  return out;
}

absl::StatusOr<int64_t> PgJobs::CountOpen(const std::vector<std::string>& kinds) {
  pg::Params p;
  p.AddTextArray(kinds);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kCountOpen, p));
  return res[0].Int(0);
}

}  // namespace gridbill::jobs
