-- R1 and R5: balance's node and region totals of each period's billing
-- run, and contracts' applications, as their APIs answer them.

-- The billing run each period's node totals were read from (a correction
-- run replaces the period's rows).
CREATE TABLE billing_runs_read (
  period date PRIMARY KEY CHECK (extract(day FROM period) = 1),
  balance_run_id text NOT NULL);

CREATE TABLE node_months (
  period date NOT NULL CHECK (extract(day FROM period) = 1),
  node_code text NOT NULL,
  kind smallint NOT NULL,
  inflow_wh bigint NOT NULL,
  outflow_wh bigint NOT NULL,
  losses_wh bigint NOT NULL,
  losses_percent text NOT NULL,
  normative_loss_percent text NOT NULL,
  above_normative boolean NOT NULL,
  balance_run_id text NOT NULL,
  PRIMARY KEY (period, node_code));

CREATE TABLE applications (
  id text PRIMARY KEY,
  number text NOT NULL,
  participant_id text NOT NULL,
  type smallint NOT NULL,
  state smallint NOT NULL,
  submit_time timestamptz,
  due_time timestamptz,
  decide_time timestamptz,
  close_time timestamptz);
CREATE INDEX applications_submit_time ON applications (submit_time);
