-- The contracts service's schema: reference data, participants, contracts,
-- tariffs, applications, their change histories and idempotency keys.
-- Enumerations are stored as their proto value names without the prefix
-- ('TRANSMISSION', 'DRAFT'): readable in SQL, checked by CHECK constraints.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Idempotency of mutating calls (gridbill/pg/idempotency.h).
CREATE TABLE idempotency_keys (
  method text NOT NULL,
  request_id text NOT NULL,
  fingerprint bytea NOT NULL,
  response bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (method, request_id));

-- ---------------------------------------------------------------------------
-- Reference data: one table for every kind; the typed details of a kind live
-- in nullable columns that only that kind uses.
--
-- A code is unique within its kind over any day: two records of one kind may
-- share a code only when their validity periods do not overlap (a renamed
-- substation gets a new record from the day of the change). The EXCLUDE
-- constraint enforces exactly that, which a unique (kind, code, valid_from)
-- would not (it would allow two overlapping records starting on different days).
CREATE TABLE reference_records (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('REGION', 'VOLTAGE_LEVEL', 'SUBSTATION', 'SERVICE_TYPE',
                                     'PARTICIPANT_ROLE', 'DOCUMENT_TYPE', 'POWER_LINE', 'BANK',
                                     'UNIT')),
  code text NOT NULL CHECK (code <> ''),
  name text NOT NULL CHECK (name <> ''),
  name_kk text NOT NULL DEFAULT '',
  valid_from date NOT NULL,
  valid_to date,
  kato_code text,             -- REGION
  nominal_kv integer,         -- VOLTAGE_LEVEL
  region_code text,           -- SUBSTATION
  voltage_level_code text,    -- SUBSTATION, POWER_LINE
  from_substation_code text,  -- POWER_LINE
  to_substation_code text,    -- POWER_LINE
  length_m bigint,            -- POWER_LINE
  bik text,                   -- BANK
  bank_bin text,              -- BANK
  version bigint NOT NULL DEFAULT 1,
  create_time timestamptz NOT NULL DEFAULT now(),
  update_time timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT reference_records_validity CHECK (valid_to IS NULL OR valid_to >= valid_from),
  CONSTRAINT reference_records_code_overlap EXCLUDE USING gist (
    kind WITH =, code WITH =,
    daterange(valid_from, coalesce(valid_to, 'infinity'::date), '[]') WITH &&));

CREATE INDEX reference_records_kind_code ON reference_records (kind, code, valid_from);

-- One history table per resource, one row per version: who, when, why, and
-- the changed fields as three parallel arrays (field, old text, new text).
CREATE TABLE reference_record_history (
  record_id uuid NOT NULL REFERENCES reference_records (id),
  version bigint NOT NULL,
  actor text NOT NULL,
  change_time timestamptz NOT NULL,
  action text NOT NULL,
  reason text NOT NULL DEFAULT '',
  request_id text NOT NULL DEFAULT '',
  fields text[] NOT NULL,
  old_values text[] NOT NULL,
  new_values text[] NOT NULL,
  PRIMARY KEY (record_id, version));

-- ---------------------------------------------------------------------------
-- Participants.
CREATE TABLE participants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  bin text NOT NULL CHECK (bin ~ '^[0-9]{12}$'),
  eic text NOT NULL DEFAULT '',
  legal_name text NOT NULL CHECK (legal_name <> ''),
  short_name text NOT NULL CHECK (short_name <> ''),
  legal_address text NOT NULL DEFAULT '',
  postal_address text NOT NULL DEFAULT '',
  region_code text NOT NULL DEFAULT '',
  bank_iik text,  -- the bank account: all four set or all NULL
  bank_bik text,
  bank_name text,
  bank_kbe text,
  roles text[] NOT NULL CHECK (cardinality(roles) > 0),
  status text NOT NULL CHECK (status IN ('ACTIVE', 'SUSPENDED', 'TERMINATED')),
  vat_certificate text NOT NULL DEFAULT '',
  version bigint NOT NULL DEFAULT 1,
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL,
  CONSTRAINT participants_bin_key UNIQUE (bin),
  CONSTRAINT participants_bank_account CHECK (
    (bank_iik IS NULL) = (bank_bik IS NULL) AND (bank_iik IS NULL) = (bank_kbe IS NULL)));

CREATE INDEX participants_short_name ON participants (short_name, id);

CREATE TABLE participant_contacts (
  participant_id uuid NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
  ordinal integer NOT NULL,
  name text NOT NULL,
  position text NOT NULL DEFAULT '',
  phone text NOT NULL DEFAULT '',
  email text NOT NULL DEFAULT '',
  PRIMARY KEY (participant_id, ordinal));

CREATE TABLE participant_history (
  participant_id uuid NOT NULL REFERENCES participants (id),
  version bigint NOT NULL,
  actor text NOT NULL,
  change_time timestamptz NOT NULL,
  action text NOT NULL,
  reason text NOT NULL DEFAULT '',
  request_id text NOT NULL DEFAULT '',
  fields text[] NOT NULL,
  old_values text[] NOT NULL,
  new_values text[] NOT NULL,
  PRIMARY KEY (participant_id, version));

-- ---------------------------------------------------------------------------
-- Contracts.
CREATE TABLE contracts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number text NOT NULL CHECK (number <> ''),
  participant_id uuid NOT NULL REFERENCES participants (id),
  service_type text NOT NULL CHECK (service_type IN ('TRANSMISSION', 'TECHNICAL_DISPATCHING',
                                                     'BALANCING', 'GRID_USE')),
  signed_on date,
  valid_from date NOT NULL,
  valid_to date,
  state text NOT NULL CHECK (state IN ('DRAFT', 'ACTIVE', 'SUSPENDED', 'TERMINATED')),
  due_day integer NOT NULL CHECK (due_day BETWEEN 1 AND 31),
  prepayment_share numeric(7, 6) NOT NULL CHECK (prepayment_share BETWEEN 0 AND 1),
  metering_point_codes text[] NOT NULL DEFAULT '{}',
  accounting_scheme_id text NOT NULL DEFAULT '',
  amendment_count integer NOT NULL DEFAULT 0 CHECK (amendment_count >= 0),
  version bigint NOT NULL DEFAULT 1,
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL,
  CONSTRAINT contracts_number_key UNIQUE (number),
  CONSTRAINT contracts_validity CHECK (valid_to IS NULL OR valid_to >= valid_from));

CREATE INDEX contracts_participant ON contracts (participant_id, number);

CREATE TABLE contract_history (
  contract_id uuid NOT NULL REFERENCES contracts (id),
  version bigint NOT NULL,
  actor text NOT NULL,
  change_time timestamptz NOT NULL,
  action text NOT NULL,
  reason text NOT NULL DEFAULT '',
  request_id text NOT NULL DEFAULT '',
  fields text[] NOT NULL,
  old_values text[] NOT NULL,
  new_values text[] NOT NULL,
  PRIMARY KEY (contract_id, version));

-- ---------------------------------------------------------------------------
-- Tariffs: the validity periods of one service never overlap (inclusive
-- bounds; an open end is infinity).
CREATE TABLE tariffs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  service_type text NOT NULL CHECK (service_type IN ('TRANSMISSION', 'TECHNICAL_DISPATCHING',
                                                     'BALANCING', 'GRID_USE')),
  price_per_kwh numeric(18, 6) NOT NULL CHECK (price_per_kwh > 0),
  valid_from date NOT NULL,
  valid_to date,
  order_reference text NOT NULL CHECK (order_reference <> ''),
  note text NOT NULL DEFAULT '',
  version bigint NOT NULL DEFAULT 1,
  create_time timestamptz NOT NULL DEFAULT now(),
  update_time timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT tariffs_validity CHECK (valid_to IS NULL OR valid_to >= valid_from),
  CONSTRAINT tariffs_no_overlap EXCLUDE USING gist (
    service_type WITH =,
    daterange(valid_from, coalesce(valid_to, 'infinity'::date), '[]') WITH &&));

CREATE TABLE tariff_history (
  tariff_id uuid NOT NULL REFERENCES tariffs (id),
  version bigint NOT NULL,
  actor text NOT NULL,
  change_time timestamptz NOT NULL,
  action text NOT NULL,
  reason text NOT NULL DEFAULT '',
  request_id text NOT NULL DEFAULT '',
  fields text[] NOT NULL,
  old_values text[] NOT NULL,
  new_values text[] NOT NULL,
  PRIMARY KEY (tariff_id, version));

-- ---------------------------------------------------------------------------
-- Applications. Registration numbers APP-<year>-<nnnnnn> come from a per-year
-- counter row: the number is taken in the creating transaction, so numbers
-- restart every year and have no gaps (a rolled-back call returns its number,
-- which a plain SEQUENCE would lose).
CREATE TABLE application_number_counters (
  year integer PRIMARY KEY,
  last_number bigint NOT NULL CHECK (last_number > 0));

CREATE TABLE applications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number text NOT NULL,
  participant_id uuid NOT NULL REFERENCES participants (id),
  type text NOT NULL CHECK (type IN ('DECLARED_VOLUMES', 'CONTRACT_CONCLUSION',
                                     'CONTRACT_AMENDMENT', 'METERING_CORRECTION',
                                     'METERING_POINT_CONNECTION')),
  state text NOT NULL CHECK (state IN ('DRAFT', 'SUBMITTED', 'IN_REVIEW', 'APPROVED',
                                       'REJECTED', 'CLOSED')),
  period date CHECK (period IS NULL OR extract(day FROM period) = 1),  -- first day of the month
  contract_id uuid REFERENCES contracts (id),
  subject text NOT NULL DEFAULT '',
  body text NOT NULL DEFAULT '',
  submit_time timestamptz,
  due_time timestamptz,
  resolution text NOT NULL DEFAULT '',
  decide_time timestamptz,
  close_time timestamptz,
  version bigint NOT NULL DEFAULT 1,
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL,
  CONSTRAINT applications_number_key UNIQUE (number));

CREATE INDEX applications_participant ON applications (participant_id, create_time);
CREATE INDEX applications_submit_time ON applications (submit_time);
CREATE INDEX applications_created ON applications (create_time DESC, id DESC);

CREATE TABLE application_declared_volumes (
  application_id uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
  ordinal integer NOT NULL,
  service_type text NOT NULL CHECK (service_type IN ('TRANSMISSION', 'TECHNICAL_DISPATCHING',
                                                     'BALANCING', 'GRID_USE')),
  volume_wh bigint NOT NULL CHECK (volume_wh >= 0),
  PRIMARY KEY (application_id, ordinal),
  CONSTRAINT application_declared_volumes_service UNIQUE (application_id, service_type));

CREATE TABLE application_comments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq bigint GENERATED ALWAYS AS IDENTITY,  -- insertion order among equal times
  application_id uuid NOT NULL REFERENCES applications (id),
  author text NOT NULL,
  text text NOT NULL CHECK (text <> '' AND char_length(text) <= 4000),
  create_time timestamptz NOT NULL);

CREATE INDEX application_comments_application ON application_comments (application_id, create_time, seq);

CREATE TABLE application_history (
  application_id uuid NOT NULL REFERENCES applications (id),
  version bigint NOT NULL,
  actor text NOT NULL,
  change_time timestamptz NOT NULL,
  action text NOT NULL,
  reason text NOT NULL DEFAULT '',
  request_id text NOT NULL DEFAULT '',
  fields text[] NOT NULL,
  old_values text[] NOT NULL,
  new_values text[] NOT NULL,
  PRIMARY KEY (application_id, version));
