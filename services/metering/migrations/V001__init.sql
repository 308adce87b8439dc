-- The metering service's schema: metering points and interval readings.

CREATE TABLE idempotency_keys (
  method text NOT NULL,
  request_id text NOT NULL,
  fingerprint bytea NOT NULL,
  response bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (method, request_id));

-- Channels, assignments and their validity are arrays of the point's row:
-- a point has a handful of each, and every reading looks them up.
CREATE TABLE metering_points (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code text NOT NULL UNIQUE,
  eic text NOT NULL DEFAULT '',
  name text NOT NULL,
  substation_code text NOT NULL DEFAULT '',
  voltage_level_code text NOT NULL DEFAULT '',
  channels smallint[] NOT NULL,
  channel_serials text[] NOT NULL,
  assign_participants text[] NOT NULL DEFAULT '{}',
  assign_from date[] NOT NULL DEFAULT '{}',
  assign_to date[] NOT NULL DEFAULT '{}',
  meter_serial text NOT NULL DEFAULT '',
  ct_ratio numeric NOT NULL DEFAULT 1,
  vt_ratio numeric NOT NULL DEFAULT 1,
  resolution smallint NOT NULL CHECK (resolution BETWEEN 1 AND 3),
  status smallint NOT NULL CHECK (status BETWEEN 1 AND 3),
  valid_from date NOT NULL,
  valid_to date,
  version bigint NOT NULL,
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL,
  CHECK (valid_to IS NULL OR valid_to >= valid_from));

CREATE INDEX metering_points_participants ON metering_points USING gin (assign_participants);
CREATE UNIQUE INDEX metering_points_eic ON metering_points (eic) WHERE eic <> '';

-- One row per (point, channel, local day, revision) holding the day's
-- intervals as arrays (23/24/25 hours x 4 at PT15M). Rows are written once
-- and never updated: a change is revision + 1 carrying the whole day.
-- Partitioned by month of the day; the store creates partitions on demand.
CREATE TABLE reading_days (
  point_id bigint NOT NULL,
  channel smallint NOT NULL,
  day date NOT NULL,
  revision integer NOT NULL CHECK (revision >= 1),
  vals bigint[] NOT NULL,
  quality smallint[] NOT NULL,
  findings smallint[] NOT NULL,
  source smallint NOT NULL,
  actor text NOT NULL,
  request_id text NOT NULL DEFAULT '',
  reason text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  -- Also the "latest revision per point-day" index: DISTINCT ON
  -- (point_id, channel, day) ... ORDER BY revision DESC walks it backwards.
  PRIMARY KEY (point_id, channel, day, revision))
  PARTITION BY RANGE (day);
