-- libs/jobs schema, step 1: long jobs and their claimable pieces.
-- A service takes this file into its own migration list as a symbolic link
-- named for its own sequence (services/<svc>/migrations/Vnnn__jobs.sql ->
-- libs/jobs/migrations/V001__jobs.sql): never edit it once released; a
-- schema change is a new step here and a new link in every service.

-- One row per job. state: 1 pending (not split yet), 2 running (split into
-- pieces), 3 succeeded, 4 failed, 5 cancelled. The job itself is claimed
-- (claimed_by/claimed_at/claim_epoch) while it is split and while it is
-- finished; claimed_at is NULL when nobody holds it.
CREATE TABLE jobs (
  id text PRIMARY KEY,
  kind text NOT NULL,
  state smallint NOT NULL DEFAULT 1 CHECK (state BETWEEN 1 AND 5),
  done bigint NOT NULL DEFAULT 0,
  total bigint NOT NULL DEFAULT 0,
  pieces_done integer NOT NULL DEFAULT 0,
  pieces_total integer NOT NULL DEFAULT 0,
  summary text NOT NULL DEFAULT '',
  error text NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL,
  start_time timestamptz,
  finish_time timestamptz,
  claimed_by text NOT NULL DEFAULT '',
  claimed_at timestamptz,
  claim_epoch bigint NOT NULL DEFAULT 0);
CREATE INDEX jobs_open ON jobs (create_time, id) WHERE state IN (1, 2);

-- The pieces of a job. state: 0 open, 1 claimed, 2 done. A claim older than
-- the lease is taken over and its epoch incremented: a piece's result is
-- stored only under the epoch that claimed it.
CREATE TABLE job_pieces (
  job_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  piece_no integer NOT NULL CHECK (piece_no > 0),
  spec text NOT NULL DEFAULT '',
  units bigint NOT NULL DEFAULT 1,
  state smallint NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 2),
  claimed_by text NOT NULL DEFAULT '',
  claimed_at timestamptz,
  claim_epoch bigint NOT NULL DEFAULT 0,
  result text NOT NULL DEFAULT '',
  finish_time timestamptz,
  PRIMARY KEY (job_id, piece_no));
CREATE INDEX job_pieces_open ON job_pieces (job_id, piece_no) WHERE state < 2;
