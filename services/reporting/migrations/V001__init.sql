-- The reporting schema: the read model (copies of what contracts and
-- invoicing answer through their APIs), each source's cursor, and the
-- refreshes that filled it (jobs of libs/jobs, V002).

CREATE TABLE idempotency_keys (
  method text NOT NULL,
  request_id text NOT NULL,
  fingerprint bytea NOT NULL,
  response bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (method, request_id));

CREATE TABLE refreshes (
  id text PRIMARY KEY,
  created_by text NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL);

-- What one refresh fetched from one source (written with the source's rows).
CREATE TABLE refresh_sources (
  refresh_id text NOT NULL REFERENCES refreshes (id),
  source text NOT NULL,
  fetched bigint NOT NULL,
  mode text NOT NULL,
  PRIMARY KEY (refresh_id, source));

-- Where each source was read up to: a change cursor ("changes"), or
-- "runs:N" when documents are read by invoice run (runs.documents_read).
CREATE TABLE source_cursors (
  source text PRIMARY KEY,
  cursor text NOT NULL,
  refresh_id text NOT NULL,
  update_time timestamptz NOT NULL);

CREATE TABLE participants (
  id text PRIMARY KEY,
  bin text NOT NULL,
  name text NOT NULL,
  region_code text NOT NULL);

CREATE TABLE invoice_runs (
  id text PRIMARY KEY,
  period date NOT NULL,
  run_type smallint NOT NULL,
  balance_run_id text NOT NULL,
  state smallint NOT NULL,
  documents_issued bigint NOT NULL,
  -- True once the run had ended and its documents were read.
  documents_read boolean NOT NULL DEFAULT false);

CREATE TABLE documents (
  id text PRIMARY KEY,
  type smallint NOT NULL CHECK (type BETWEEN 1 AND 5),
  number text NOT NULL,
  period date NOT NULL CHECK (extract(day FROM period) = 1),
  issue_date date NOT NULL,
  due_date date,
  participant_id text NOT NULL,
  contract_id text NOT NULL,
  invoice_run_id text NOT NULL,
  related_document_id text NOT NULL,
  amount_tiyn bigint NOT NULL,
  vat_tiyn bigint NOT NULL,
  total_tiyn bigint NOT NULL,
  -- What invoicing reported still open (invoices and debit notes) when the
  -- document was last read.
  open_tiyn bigint NOT NULL DEFAULT 0);
CREATE INDEX documents_period ON documents (period, participant_id);

CREATE TABLE document_lines (
  document_id text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  line_no integer NOT NULL,
  service_type smallint NOT NULL,
  volume_wh bigint NOT NULL,
  amount_tiyn bigint NOT NULL,
  vat_tiyn bigint NOT NULL,
  total_tiyn bigint NOT NULL,
  balance_run_id text NOT NULL,
  PRIMARY KEY (document_id, line_no));

CREATE TABLE payments (
  id text PRIMARY KEY,
  reference text NOT NULL,
  value_date date NOT NULL,
  participant_id text NOT NULL,
  contract_id text NOT NULL,
  amount_tiyn bigint NOT NULL,
  unallocated_tiyn bigint NOT NULL);
CREATE INDEX payments_value_date ON payments (value_date);

-- Scheduled reports. next_run_time is moved forward by the replica that
-- runs a due schedule (a compare-and-set on its old value), so one replica
-- produces each file.
CREATE TABLE schedules (
  id text PRIMARY KEY,
  report text NOT NULL,
  period_from date,
  period_to date,
  region_code text NOT NULL DEFAULT '',
  participant_id text NOT NULL DEFAULT '',
  service_type smallint NOT NULL DEFAULT 0,
  period_mode smallint NOT NULL,
  format smallint NOT NULL,
  language smallint NOT NULL,
  day_of_month smallint NOT NULL CHECK (day_of_month BETWEEN 1 AND 28),
  hour smallint NOT NULL,
  minute smallint NOT NULL,
  time_zone text NOT NULL,
  retention_days integer NOT NULL,
  next_run_time timestamptz NOT NULL,
  last_run_time timestamptz,
  last_error text NOT NULL DEFAULT '',
  created_by text NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL,
  deleted boolean NOT NULL DEFAULT false);
CREATE INDEX schedules_due ON schedules (next_run_time) WHERE NOT deleted;

-- The files schedules produced, with the parameters they ran with.
CREATE TABLE report_files (
  id text PRIMARY KEY,
  schedule_id text NOT NULL REFERENCES schedules (id),
  report text NOT NULL,
  period_from date,
  period_to date,
  region_code text NOT NULL DEFAULT '',
  participant_id text NOT NULL DEFAULT '',
  service_type smallint NOT NULL DEFAULT 0,
  format smallint NOT NULL,
  language smallint NOT NULL,
  file_name text NOT NULL,
  content_type text NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 text NOT NULL,
  rows bigint NOT NULL,
  content bytea NOT NULL,
  scheduled_time timestamptz NOT NULL,
  create_time timestamptz NOT NULL,
  as_of timestamptz NOT NULL,
  refresh_id text NOT NULL,
  expire_time timestamptz NOT NULL,
  UNIQUE (schedule_id, scheduled_time));
CREATE INDEX report_files_expire ON report_files (expire_time);
