-- The balance service's schema: accounting schemes, runs, their shards and
-- their immutable results.

CREATE TABLE idempotency_keys (
  method text NOT NULL,
  request_id text NOT NULL,
  fingerprint bytea NOT NULL,
  response bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (method, request_id));

-- One row per scheme version. Versions of one subject never overlap: the
-- store checks under an advisory lock on the subject. Terms are arrays of
-- the row (a scheme has a handful of points).
CREATE TABLE schemes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subject text NOT NULL,
  kind smallint NOT NULL CHECK (kind BETWEEN 1 AND 3),
  participant_id text NOT NULL DEFAULT '',
  service_type smallint NOT NULL DEFAULT 0,
  node_code text NOT NULL DEFAULT '',
  name text NOT NULL DEFAULT '',
  term_points text[] NOT NULL,
  term_channels smallint[] NOT NULL,
  term_roles smallint[] NOT NULL,
  valid_from date NOT NULL,
  valid_to date,
  normative_loss_percent text NOT NULL DEFAULT '',
  version bigint NOT NULL,
  created_by text NOT NULL,
  create_time timestamptz NOT NULL,
  reason text NOT NULL DEFAULT '',
  UNIQUE (subject, version),
  CHECK (valid_to IS NULL OR valid_to >= valid_from));

CREATE INDEX schemes_validity ON schemes (valid_from, valid_to);

-- A balance run: a job with its recorded inputs and, once succeeded, its summary.
CREATE TABLE runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  period date NOT NULL,  -- first day of the billing month
  type smallint NOT NULL CHECK (type BETWEEN 1 AND 4),
  correction_number int NOT NULL DEFAULT 0,
  state smallint NOT NULL CHECK (state BETWEEN 1 AND 5),
  done bigint NOT NULL DEFAULT 0,
  total bigint NOT NULL DEFAULT 0,
  create_time timestamptz NOT NULL,
  start_time timestamptz,
  finish_time timestamptz,
  summary_text text NOT NULL DEFAULT '',
  error text NOT NULL DEFAULT '',
  base_run_id bigint REFERENCES runs (id),
  created_by text NOT NULL,
  request_id text NOT NULL DEFAULT '',
  readings_as_of timestamptz NOT NULL,
  computed_until timestamptz NOT NULL,
  time_zone text NOT NULL,
  closure_tolerance_percent text NOT NULL,
  service_hours bigint NOT NULL DEFAULT 0,
  node_hours bigint NOT NULL DEFAULT 0,
  hours bigint NOT NULL DEFAULT 0,
  point_days bigint NOT NULL DEFAULT 0,
  intervals bigint NOT NULL DEFAULT 0,
  estimated bigint NOT NULL DEFAULT 0,
  missing bigint NOT NULL DEFAULT 0,
  supply_wh bigint NOT NULL DEFAULT 0,
  consumption_wh bigint NOT NULL DEFAULT 0,
  node_losses_wh bigint NOT NULL DEFAULT 0,
  closed boolean NOT NULL DEFAULT false);

CREATE INDEX runs_period ON runs (period, id DESC);
-- At most one final run per period that is pending, running or succeeded:
-- a second one is refused by the database too.
CREATE UNIQUE INDEX runs_one_final ON runs (period) WHERE type = 2 AND state IN (1, 2, 3);
CREATE UNIQUE INDEX runs_correction_number ON runs (period, correction_number)
  WHERE type = 3 AND state IN (1, 2, 3);

CREATE TABLE run_schemes (
  run_id bigint NOT NULL REFERENCES runs (id),
  scheme_id bigint NOT NULL REFERENCES schemes (id),
  version bigint NOT NULL,
  -- The version's last day when the run started ('infinity' = open): a later
  -- CloseScheme does not change what a recomputation of the run uses.
  valid_to date NOT NULL,
  PRIMARY KEY (run_id, scheme_id));

CREATE TABLE run_declared (
  run_id bigint NOT NULL REFERENCES runs (id),
  participant_id text NOT NULL,
  service_type smallint NOT NULL,
  volume_wh bigint NOT NULL,
  application_id text NOT NULL DEFAULT '');

CREATE INDEX run_declared_run ON run_declared (run_id);

-- The shards of a run: claimed by workers of any replica with
-- SELECT ... FOR UPDATE SKIP LOCKED; a shard's results and its "done" commit together.
CREATE TABLE run_shards (
  run_id bigint NOT NULL REFERENCES runs (id),
  shard_no int NOT NULL,
  scheme_ids bigint[] NOT NULL,
  closure_terms text[] NOT NULL,
  state smallint NOT NULL DEFAULT 0,  -- 0 open, 1 claimed, 2 done
  claimed_by text NOT NULL DEFAULT '',
  claimed_at timestamptz,
  supply_wh bigint NOT NULL DEFAULT 0,
  consumption_wh bigint NOT NULL DEFAULT 0,
  point_days bigint NOT NULL DEFAULT 0,
  intervals bigint NOT NULL DEFAULT 0,
  estimated bigint NOT NULL DEFAULT 0,
  missing bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, shard_no));

CREATE INDEX run_shards_open ON run_shards (run_id, shard_no) WHERE state < 2;

-- Results: participant × service × hour.
CREATE TABLE service_hours (
  run_id bigint NOT NULL,
  participant_id text NOT NULL,
  service_type smallint NOT NULL,
  hour_start timestamptz NOT NULL,
  actual_wh bigint NOT NULL,
  declared_wh bigint NOT NULL,
  has_declaration boolean NOT NULL,
  intervals int NOT NULL,
  estimated int NOT NULL,
  missing int NOT NULL,
  PRIMARY KEY (run_id, participant_id, service_type, hour_start));

-- Results: node or region × hour.
CREATE TABLE node_hours (
  run_id bigint NOT NULL,
  node_code text NOT NULL,
  kind smallint NOT NULL,
  hour_start timestamptz NOT NULL,
  inflow_wh bigint NOT NULL,
  outflow_wh bigint NOT NULL,
  normative_loss_percent text NOT NULL,
  intervals int NOT NULL,
  estimated int NOT NULL,
  missing int NOT NULL,
  PRIMARY KEY (run_id, node_code, hour_start));

-- The readings revision each run read per point-day (for diffs and audits).
CREATE TABLE run_point_days (
  run_id bigint NOT NULL,
  point_code text NOT NULL,
  channel smallint NOT NULL,
  day date NOT NULL,
  revision int NOT NULL);

CREATE INDEX run_point_days_run ON run_point_days (run_id, point_code, channel, day);

-- Succeeded runs are immutable: their row, inputs and results cannot change.
CREATE FUNCTION balance_run_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.state = 3 THEN
    RAISE EXCEPTION 'balance run % has succeeded and is immutable', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'runs_immutable';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER runs_immutable BEFORE UPDATE OR DELETE ON runs
  FOR EACH ROW EXECUTE FUNCTION balance_run_immutable();

CREATE FUNCTION balance_result_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM runs WHERE id = OLD.run_id AND state = 3) THEN
    RAISE EXCEPTION 'results of balance run % are immutable', OLD.run_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'results_immutable';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER service_hours_immutable BEFORE UPDATE OR DELETE ON service_hours
  FOR EACH ROW EXECUTE FUNCTION balance_result_immutable();
CREATE TRIGGER node_hours_immutable BEFORE UPDATE OR DELETE ON node_hours
  FOR EACH ROW EXECUTE FUNCTION balance_result_immutable();
CREATE TRIGGER run_point_days_immutable BEFORE UPDATE OR DELETE ON run_point_days
  FOR EACH ROW EXECUTE FUNCTION balance_result_immutable();
