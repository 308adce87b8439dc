-- Import jobs (CSV and 80020 files): state, progress and summary persisted,
-- so that a restarted service fails a job it was running instead of leaving
-- it hanging. The file itself is not kept: it is parsed and checked whole
-- before the job is created, and its readings are held by the worker.
CREATE TABLE import_jobs (
  id text PRIMARY KEY,
  -- The client's idempotency key and a digest of what it asked for.
  request_id text NOT NULL UNIQUE,
  fingerprint text NOT NULL,
  actor text NOT NULL,
  file_name text NOT NULL,
  -- common.v1.JobState numbers: 1 pending, 2 running, 3 succeeded, 4 failed, 5 cancelled.
  state smallint NOT NULL CHECK (state BETWEEN 1 AND 5),
  -- Progress: metering points done of the file's points.
  done bigint NOT NULL DEFAULT 0,
  total bigint NOT NULL DEFAULT 0,
  readings bigint NOT NULL DEFAULT 0,
  accepted bigint NOT NULL DEFAULT 0,
  unchanged bigint NOT NULL DEFAULT 0,
  revised bigint NOT NULL DEFAULT 0,
  rejected bigint NOT NULL DEFAULT 0,
  revisions_written bigint NOT NULL DEFAULT 0,
  flagged bigint NOT NULL DEFAULT 0,
  -- The first 1000 rejections: key and reason, pairwise.
  rejection_keys text[] NOT NULL DEFAULT '{}',
  rejection_reasons text[] NOT NULL DEFAULT '{}',
  error text NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL,
  start_time timestamptz,
  finish_time timestamptz);

CREATE INDEX import_jobs_open ON import_jobs (state) WHERE state IN (1, 2);
