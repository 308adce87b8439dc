-- The integrations schema: the outbox of facts to deliver (one row per fact
-- and adapter), the change cursors they were read by, the adapters' last
-- attempts, and the files and stream positions of the inbound adapters.

CREATE TABLE idempotency_keys (
  method text NOT NULL,
  request_id text NOT NULL,
  fingerprint bytea NOT NULL,
  response bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (method, request_id));

-- Where each feed (a change-cursor list of a suite service) was read up to;
-- written in the same transaction as the facts read.
CREATE TABLE feed_cursors (
  feed text PRIMARY KEY,
  cursor text NOT NULL,
  update_time timestamptz NOT NULL);

-- state: 1 pending, 2 delivered, 3 dead (a dead letter), 4 skipped.
-- A pending delivery is claimed for an attempt until claimed_until; the
-- attempt's end is stored only under the epoch that claimed it.
CREATE TABLE deliveries (
  id bigserial PRIMARY KEY,
  adapter text NOT NULL,
  fact_kind text NOT NULL,
  fact_id text NOT NULL,
  fact_version text NOT NULL,
  idempotency_key text NOT NULL,
  payload text NOT NULL DEFAULT '',
  state smallint NOT NULL DEFAULT 1 CHECK (state BETWEEN 1 AND 4),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_time timestamptz NOT NULL,
  last_error text NOT NULL DEFAULT '',
  receipt text NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL,
  finish_time timestamptz,
  claimed_until timestamptz,
  claim_epoch bigint NOT NULL DEFAULT 0,
  UNIQUE (adapter, idempotency_key));
CREATE INDEX deliveries_due ON deliveries (adapter, next_attempt_time, id) WHERE state = 1;
CREATE INDEX deliveries_fact ON deliveries (fact_id);

-- Each adapter's last success and last error (inbound adapters too).
CREATE TABLE adapter_attempts (
  adapter text PRIMARY KEY,
  last_success_time timestamptz,
  last_error text NOT NULL DEFAULT '',
  last_error_time timestamptz,
  inbound_done bigint NOT NULL DEFAULT 0,
  inbound_rejected bigint NOT NULL DEFAULT 0);

-- Inbound files by content: a file seen again (same SHA-256) is not imported
-- twice. state: 1 imported, 2 rejected.
CREATE TABLE inbound_files (
  adapter text NOT NULL,
  sha256 text NOT NULL,
  file_name text NOT NULL,
  state smallint NOT NULL CHECK (state BETWEEN 1 AND 2),
  reason text NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL,
  PRIMARY KEY (adapter, sha256));

-- The last sequence number of a telemetry stream stored in the suite: a
-- sender that reconnects resends from the one after it.
CREATE TABLE stream_positions (
  source text PRIMARY KEY,
  last_seq bigint NOT NULL,
  update_time timestamptz NOT NULL);
