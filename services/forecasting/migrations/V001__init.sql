-- The forecasting schema: legacy history imports and their months, forecast
-- runs (immutable once succeeded) with the history they read, their
-- forecasts per participant x service and every candidate model's accuracy.

CREATE TABLE idempotency_keys (
  method text NOT NULL,
  request_id text NOT NULL,
  fingerprint bytea NOT NULL,
  response bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (method, request_id));

-- A legacy history file: `content` is the validated file normalised to
-- participant_id,service_type,period,volume_wh lines (what the job's pieces write).
CREATE TABLE history_imports (
  id text PRIMARY KEY,
  file_name text NOT NULL DEFAULT '',
  sha256 text NOT NULL,
  content text NOT NULL,
  rows bigint NOT NULL,
  changed bigint NOT NULL DEFAULT 0,
  unchanged bigint NOT NULL DEFAULT 0,
  created_by text NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL);

-- Monthly volumes from before the system went live, per participant and service.
CREATE TABLE history_months (
  participant_id text NOT NULL,
  service_type smallint NOT NULL CHECK (service_type BETWEEN 1 AND 4),
  period date NOT NULL CHECK (extract(day FROM period) = 1),
  volume_wh bigint NOT NULL,
  import_id text NOT NULL REFERENCES history_imports (id),
  PRIMARY KEY (participant_id, service_type, period));

CREATE TABLE forecast_runs (
  id text PRIMARY KEY,
  version bigint NOT NULL UNIQUE,
  horizon_months integer NOT NULL CHECK (horizon_months BETWEEN 1 AND 60),
  backtest_origins integer NOT NULL,
  requested_history_to date,
  created_by text NOT NULL DEFAULT '',
  -- The inputs, recorded when the run is planned.
  billing_run_ids text[] NOT NULL DEFAULT '{}',
  history_import_ids text[] NOT NULL DEFAULT '{}',
  history_from date,
  history_to date,
  series integer NOT NULL DEFAULT 0,
  gap_months integer NOT NULL DEFAULT 0,
  gap_rule text NOT NULL DEFAULT '',
  -- The accuracy over every series, when the run succeeded.
  median_mase_chosen float8,
  median_mase_seasonal_naive float8,
  coverage_80 float8,
  coverage_95 float8,
  chosen_models text NOT NULL DEFAULT '');

-- One participant x service series of a run: the history it read and the
-- chosen model (model 0 until its piece is done).
CREATE TABLE forecast_series (
  run_id text NOT NULL REFERENCES forecast_runs (id) ON DELETE CASCADE,
  series_no integer NOT NULL,
  participant_id text NOT NULL,
  region_code text NOT NULL DEFAULT '',
  service_type smallint NOT NULL,
  history_start date NOT NULL,
  history_wh bigint[] NOT NULL,
  model smallint NOT NULL DEFAULT 0,
  model_spec text NOT NULL DEFAULT '',
  fallback text NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, series_no),
  UNIQUE (run_id, participant_id, service_type));
CREATE INDEX forecast_series_region ON forecast_series (run_id, region_code);

CREATE TABLE forecast_points (
  run_id text NOT NULL,
  series_no integer NOT NULL,
  period date NOT NULL,
  volume_wh bigint NOT NULL,
  lower_80_wh bigint NOT NULL,
  upper_80_wh bigint NOT NULL,
  lower_95_wh bigint NOT NULL,
  upper_95_wh bigint NOT NULL,
  PRIMARY KEY (run_id, series_no, period),
  FOREIGN KEY (run_id, series_no) REFERENCES forecast_series (run_id, series_no) ON DELETE CASCADE);

-- Every candidate model's backtest accuracy on a series; `chosen` marks the one used.
CREATE TABLE forecast_accuracy (
  run_id text NOT NULL,
  series_no integer NOT NULL,
  model smallint NOT NULL,
  model_spec text NOT NULL,
  chosen boolean NOT NULL,
  origins integer NOT NULL,
  errors integer NOT NULL,
  mae_wh bigint NOT NULL,
  smape float8 NOT NULL,
  mase float8,
  mape float8,
  undefined_reason text NOT NULL DEFAULT '',
  coverage_80 float8 NOT NULL,
  coverage_95 float8 NOT NULL,
  PRIMARY KEY (run_id, series_no, model),
  FOREIGN KEY (run_id, series_no) REFERENCES forecast_series (run_id, series_no) ON DELETE CASCADE);
