// Every SQL statement of the jobs store, named once (prefixed "jobs_" so
// the names never clash with a service's own prepared statements).
#pragma once

#include "gridbill/pg/query.h"

namespace gridbill::jobs::queries {

using pg::Query;

#define GRIDBILL_JOB_COLS                                                                  \
  "id, kind, state, done, total, pieces_done, pieces_total, summary, error, create_time, " \
  "start_time, finish_time"
#define GRIDBILL_JOB_COLS_OF_JOBS                                                                \
  "jobs.id, jobs.kind, jobs.state, jobs.done, jobs.total, jobs.pieces_done, jobs.pieces_total, " \
  "jobs.summary, jobs.error, jobs.create_time, jobs.start_time, jobs.finish_time"
#define GRIDBILL_JOB_COLS_OF_J                                                                  \
  "j.id, j.kind, j.state, j.done, j.total, j.pieces_done, j.pieces_total, j.summary, j.error, " \
  "j.create_time, j.start_time, j.finish_time"

inline constexpr Query kInsertJob{"jobs_insert",
                                  "INSERT INTO jobs (id, kind, create_time) VALUES ($1, $2, $3)"};

inline constexpr Query kGetJob{"jobs_get", "SELECT " GRIDBILL_JOB_COLS " FROM jobs WHERE id = $1"};

// The job itself, to split or to finish. A claim still held (claimed_at not
// NULL) is taken over only once older than the lease ($3); the epoch grows
// with every claim.
inline constexpr Query kClaimJob{
    "jobs_claim_job",
    "WITH c AS (SELECT id, claimed_by AS prev_owner, claimed_at AS prev_at FROM jobs "
    "WHERE kind = ANY($4::text[]) AND ($5 = '' OR id = $5) "
    "AND (state = 1 OR (state = 2 AND pieces_done = pieces_total)) "
    "AND (claimed_at IS NULL OR claimed_at < $3) "
    "ORDER BY create_time, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
    "UPDATE jobs j SET claimed_by = $1, claimed_at = $2, claim_epoch = j.claim_epoch + 1 "
    "FROM c WHERE j.id = c.id "
    "RETURNING " GRIDBILL_JOB_COLS_OF_J
    ", j.claim_epoch, CASE WHEN c.prev_at IS NULL THEN '' "
    "ELSE c.prev_owner END"};

// An open piece of a running job, or one whose claim is older than the lease
// ($3): the takeover increments the epoch, so the previous holder's result
// is refused. Unfinished pieces are found by the index on finish_time IS
// NULL (V002): the claim changes no column an index names, so it is a HOT
// update, and only the completion (which sets finish_time) leaves a dead
// index entry behind. The running jobs are taken oldest first and, within one, its
// lowest open piece by the open-pieces index, so a claim costs the same
// whether the job has ten pieces left or ten thousand (sorting every open
// piece of the job per claim made a run of n pieces cost n^2).
inline constexpr Query kClaimPiece{
    "jobs_claim_piece",
    "WITH c AS (SELECT p.job_id, p.piece_no, p.prev_state, p.prev_owner "
    "FROM (SELECT id, create_time FROM jobs WHERE state = 2 AND kind = ANY($4::text[]) "
    "AND ($5 = '' OR id = $5) ORDER BY create_time, id) j "
    "CROSS JOIN LATERAL (SELECT p.job_id, p.piece_no, p.state AS prev_state, "
    "p.claimed_by AS prev_owner FROM job_pieces p WHERE p.job_id = j.id "
    "AND p.finish_time IS NULL AND p.state < 2 "
    "AND (p.state = 0 OR p.claimed_at < $3) ORDER BY p.piece_no LIMIT 1 "
    "FOR UPDATE SKIP LOCKED) p "
    "ORDER BY j.create_time, j.id LIMIT 1) "
    "UPDATE job_pieces p SET state = 1, claimed_by = $1, claimed_at = $2, "
    "claim_epoch = p.claim_epoch + 1 FROM c, jobs j "
    "WHERE p.job_id = c.job_id AND p.piece_no = c.piece_no AND j.id = p.job_id "
    "RETURNING " GRIDBILL_JOB_COLS_OF_J
    ", p.piece_no, p.claim_epoch, p.spec, p.units, "
    "CASE WHEN c.prev_state = 1 THEN c.prev_owner ELSE '' END"};

// The next piece of job $4 after piece $5 for a worker that has just
// finished it: open, or claimed before the lease ($3). The index range
// starts after $5, so the job's done pieces (and the dead index entries
// their claims left) are not read again for every claim.
inline constexpr Query kClaimPieceAfter{
    "jobs_claim_piece_after",
    "WITH c AS (SELECT p.job_id, p.piece_no, p.state AS prev_state, p.claimed_by AS prev_owner "
    "FROM job_pieces p WHERE p.job_id = $4 AND p.piece_no > $5 AND p.finish_time IS NULL "
    "AND p.state < 2 "
    "AND (p.state = 0 OR p.claimed_at < $3) "
    "AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = $4 AND j.state = 2) "
    "ORDER BY p.piece_no LIMIT 1 FOR UPDATE SKIP LOCKED) "
    "UPDATE job_pieces p SET state = 1, claimed_by = $1, claimed_at = $2, "
    "claim_epoch = p.claim_epoch + 1 FROM c, jobs j "
    "WHERE p.job_id = c.job_id AND p.piece_no = c.piece_no AND j.id = p.job_id "
    "RETURNING " GRIDBILL_JOB_COLS_OF_J
    ", p.piece_no, p.claim_epoch, p.spec, p.units, "
    "CASE WHEN c.prev_state = 1 THEN c.prev_owner ELSE '' END"};

inline constexpr Query kRenewPiece{
    "jobs_renew_piece",
    "UPDATE job_pieces p SET claimed_at = $4 FROM jobs j WHERE p.job_id = $1 AND p.piece_no = $2 "
    "AND p.state = 1 AND p.claim_epoch = $3 AND j.id = p.job_id AND j.state = 2"};

inline constexpr Query kRenewJob{
    "jobs_renew_job",
    "UPDATE jobs SET claimed_at = $3 WHERE id = $1 AND claim_epoch = $2 "
    "AND claimed_at IS NOT NULL AND state IN (1, 2)"};

inline constexpr Query kLockJob{
    "jobs_lock_job",
    "SELECT state, claim_epoch, claimed_at IS NOT NULL FROM jobs WHERE id = $1 FOR UPDATE"};

// A piece's fence, its transaction's first statement: the job row locked
// (a job's pieces and its cancel commit one after the other), and whether
// the job runs and the claim is the piece's current one. The piece row is
// not locked here: kCompletePiece checks the epoch again under its lock.
inline constexpr Query kFencePiece{
    "jobs_fence_piece",
    "SELECT j.state = 2 AND EXISTS (SELECT 1 FROM job_pieces p WHERE p.job_id = j.id "
    "AND p.piece_no = $2 AND p.state = 1 AND p.claim_epoch = $3) "
    "FROM jobs j WHERE j.id = $1 FOR UPDATE OF j"};

inline constexpr Query kInsertPieces{
    "jobs_insert_pieces",
    "INSERT INTO job_pieces (job_id, piece_no, spec, units) "
    "SELECT $1, n, s, u FROM unnest($2::bigint[], $3::text[], $4::bigint[]) AS t(n, s, u)"};

inline constexpr Query kMarkPlanned{
    "jobs_mark_planned",
    "UPDATE jobs SET state = 2, start_time = COALESCE(start_time, $2), total = $3, "
    "pieces_total = $4, claimed_by = '', claimed_at = NULL WHERE id = $1"};

// A piece's completion, its transaction's last statement, and its fence
// when the transaction had none: the job row locked and still running, the
// piece done under its claim epoch (no row when the job ended or a takeover
// bumped the epoch, and then nothing written), and its units added to the
// job's progress. One statement, so on its own it is the whole completion.
inline constexpr Query kCompletePiece{
    "jobs_complete_piece",
    "WITH j AS (SELECT id FROM jobs WHERE id = $1 AND state = 2 FOR UPDATE), "
    "p AS (UPDATE job_pieces SET state = 2, result = $4, finish_time = $5, claimed_at = NULL "
    "WHERE job_id = (SELECT id FROM j) AND piece_no = $2 AND claim_epoch = $3 AND state = 1 "
    "RETURNING units) "
    "UPDATE jobs SET done = jobs.done + p.units, pieces_done = jobs.pieces_done + 1 FROM p "
    "WHERE jobs.id = $1 RETURNING jobs.pieces_done, jobs.pieces_total"};

// kCompletePiece and kClaimPieceAfter in one statement, for a worker that
// goes on ($6 the worker, $7 the lease's stale-before): the piece's
// completion as above, then, only when it was stored, the same job's next
// open piece after $2 claimed. One row while the piece was stored: the job
// as updated, then the next piece's claim (NULLs when none lies ahead).
inline constexpr Query kCompletePieceClaimNext{
    "jobs_complete_piece_claim_next",
    "WITH j AS (SELECT id FROM jobs WHERE id = $1 AND state = 2 FOR UPDATE), "
    "p AS (UPDATE job_pieces SET state = 2, result = $4, finish_time = $5, claimed_at = NULL "
    "WHERE job_id = (SELECT id FROM j) AND piece_no = $2 AND claim_epoch = $3 AND state = 1 "
    "RETURNING units), "
    "u AS (UPDATE jobs SET done = jobs.done + p.units, pieces_done = jobs.pieces_done + 1 FROM p "
    "WHERE jobs.id = $1 RETURNING " GRIDBILL_JOB_COLS_OF_JOBS
    "), "
    "c AS (SELECT np.piece_no, np.state AS prev_state, np.claimed_by AS prev_owner "
    "FROM job_pieces np WHERE np.job_id = $1 AND np.piece_no > $2 AND np.finish_time IS NULL "
    "AND np.state < 2 AND (np.state = 0 OR np.claimed_at < $7) AND EXISTS (SELECT 1 FROM p) "
    "ORDER BY np.piece_no LIMIT 1 FOR UPDATE SKIP LOCKED), "
    "n AS (UPDATE job_pieces np SET state = 1, claimed_by = $6, claimed_at = $5, "
    "claim_epoch = np.claim_epoch + 1 FROM c WHERE np.job_id = $1 AND np.piece_no = c.piece_no "
    "RETURNING np.piece_no, np.claim_epoch, np.spec, np.units, "
    "CASE WHEN c.prev_state = 1 THEN c.prev_owner ELSE '' END AS taken_over_from) "
    "SELECT u.*, n.* FROM u LEFT JOIN n ON true"};

// A handed-off claim given back unworked: open again (a HOT update). Only
// while it is still this worker's claim under this epoch (a claim whose
// transaction rolled back may since have been made by another, with the
// same epoch: not this worker's, unless it is this replica's).
inline constexpr Query kUnclaimPiece{
    "jobs_unclaim_piece",
    "UPDATE job_pieces SET state = 0, claimed_by = '', claimed_at = NULL "
    "WHERE job_id = $1 AND piece_no = $2 AND claim_epoch = $3 AND state = 1 "
    "AND claimed_by = $4"};

inline constexpr Query kFinishJob{
    "jobs_finish",
    "UPDATE jobs SET state = 3, summary = $3, finish_time = $4, claimed_at = NULL "
    "WHERE id = $1 AND claim_epoch = $2 AND claimed_at IS NOT NULL AND state = 2 "
    "AND pieces_done = pieces_total"};

inline constexpr Query kFailJob{
    "jobs_fail",
    "UPDATE jobs SET state = 4, error = $2, finish_time = $3, claimed_at = NULL "
    "WHERE id = $1 AND state IN (1, 2)"};

inline constexpr Query kCancelJob{
    "jobs_cancel",
    "UPDATE jobs SET state = 5, error = 'cancelled on request', finish_time = $2, "
    "claimed_at = NULL WHERE id = $1 AND state IN (1, 2)"};

inline constexpr Query kInsertSplitJob{
    "jobs_insert_split",
    "INSERT INTO jobs (id, kind, state, total, pieces_total, create_time, start_time) "
    "VALUES ($1, $2, 2, $3, $4, $5, $5)"};

inline constexpr Query kFinishJobInTx{
    "jobs_finish_in_tx",
    "UPDATE jobs SET state = 3, summary = $2, finish_time = $3, claimed_at = NULL "
    "WHERE id = $1 AND state = 2 AND pieces_done = pieces_total"};

inline constexpr Query kOldestClaim{
    "jobs_oldest_claim",
    "SELECT min(p.claimed_at) FROM job_pieces p JOIN jobs j ON j.id = p.job_id "
    "WHERE p.finish_time IS NULL AND p.state = 1 AND j.state IN (1, 2) "
    "AND j.kind = ANY($1::text[])"};

inline constexpr Query kJobExists{"jobs_exists", "SELECT 1 FROM jobs WHERE id = $1"};

inline constexpr Query kSetSummary{"jobs_set_summary",
                                   "UPDATE jobs SET summary = $2 WHERE id = $1"};

inline constexpr Query kResults{
    "jobs_results",
    "SELECT result FROM job_pieces WHERE job_id = $1 AND state = 2 ORDER BY piece_no"};

inline constexpr Query kCountOpen{
    "jobs_count_open",
    "SELECT count(*) FROM jobs WHERE state IN (1, 2) AND kind = ANY($1::text[])"};

#undef GRIDBILL_JOB_COLS
#undef GRIDBILL_JOB_COLS_OF_J
#undef GRIDBILL_JOB_COLS_OF_JOBS

}  // namespace gridbill::jobs::queries
