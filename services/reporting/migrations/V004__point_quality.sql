-- R4: metering's completeness of every participant's points per month, read
-- for the months with a billing run (again when the month's billing run
-- changes).

CREATE TABLE quality_periods_read (
  period date PRIMARY KEY CHECK (extract(day FROM period) = 1),
  balance_run_id text NOT NULL);

CREATE TABLE point_quality (
  period date NOT NULL CHECK (extract(day FROM period) = 1),
  participant_id text NOT NULL,
  point_code text NOT NULL,
  channel smallint NOT NULL,
  expected bigint NOT NULL,
  measured bigint NOT NULL,
  estimated bigint NOT NULL,
  edited bigint NOT NULL,
  missing bigint NOT NULL,
  PRIMARY KEY (period, participant_id, point_code, channel));
