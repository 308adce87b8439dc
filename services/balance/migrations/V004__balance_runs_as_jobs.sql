-- Balance runs are jobs of libs/jobs (kind 'balance.run', job id = the run
-- id as text), split into their shards when they start: the shards' claims
-- (holder, lease, epoch) move to job_pieces (piece_no = shard_no). The runs
-- and run_shards rows keep the run's inputs, counts and results.
INSERT INTO jobs (id, kind, state, done, total, pieces_done, pieces_total, summary, error,
                  create_time, start_time, finish_time)
SELECT id::text, 'balance.run', CASE WHEN state = 1 THEN 2 ELSE state END, done, total, done,
       total, summary_text, error, create_time, COALESCE(start_time, create_time), finish_time
  FROM runs;

INSERT INTO job_pieces (job_id, piece_no, spec, units, state, claimed_by, claimed_at,
                        claim_epoch, finish_time)
SELECT run_id::text, shard_no, '', 1, state, claimed_by, claimed_at, claim_epoch,
       CASE WHEN state = 2 THEN claimed_at END
  FROM run_shards;

DROP INDEX run_shards_open;
DROP INDEX run_shards_claimed;
ALTER TABLE run_shards
  DROP COLUMN state,
  DROP COLUMN claimed_by,
  DROP COLUMN claimed_at,
  DROP COLUMN claim_epoch;
