-- R6: forecasting's participant x service forecasts of every succeeded
-- forecast run (runs are immutable once succeeded, so a run is read once).

CREATE TABLE forecast_runs_read (
  run_id text PRIMARY KEY,
  version bigint NOT NULL,
  history_to date NOT NULL CHECK (extract(day FROM history_to) = 1));

CREATE TABLE forecasts (
  run_id text NOT NULL REFERENCES forecast_runs_read (run_id),
  participant_id text NOT NULL,
  service_type smallint NOT NULL,
  period date NOT NULL CHECK (extract(day FROM period) = 1),
  horizon integer NOT NULL CHECK (horizon > 0),
  volume_wh bigint NOT NULL,
  backtest_mase text NOT NULL,
  PRIMARY KEY (run_id, participant_id, service_type, period));

CREATE INDEX forecasts_period ON forecasts (period);
