-- The invoicing schema: billing periods, invoice runs, documents and their
-- lines (immutable once issued), gapless document counters, payments.

CREATE TABLE idempotency_keys (
  method text NOT NULL,
  request_id text NOT NULL,
  fingerprint bytea NOT NULL,
  response bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (method, request_id));

-- VAT rates by the first turnover date they apply to (Tax Code; data, not code).
CREATE TABLE vat_rates (
  valid_from date PRIMARY KEY,
  rate_percent numeric(9, 6) NOT NULL CHECK (rate_percent >= 0 AND rate_percent <= 100),
  source text NOT NULL DEFAULT '');

-- Billing periods that left the initial open state or were touched by a run.
CREATE TABLE periods (
  period text PRIMARY KEY CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
  state text NOT NULL CHECK (state IN ('open', 'closing', 'closed')),
  open_time timestamptz,
  closing_time timestamptz,
  close_time timestamptz);

CREATE TABLE invoice_runs (
  id text PRIMARY KEY,
  period text NOT NULL,
  run_type text NOT NULL CHECK (run_type IN ('regular', 'correction')),
  balance_run_id text NOT NULL DEFAULT '',
  state text NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
  done bigint NOT NULL DEFAULT 0,
  total bigint NOT NULL DEFAULT 0,
  documents_issued bigint NOT NULL DEFAULT 0,
  contracts_skipped bigint NOT NULL DEFAULT 0,
  contracts_failed bigint NOT NULL DEFAULT 0,
  summary text NOT NULL DEFAULT '',
  error text NOT NULL DEFAULT '',
  cancel_requested boolean NOT NULL DEFAULT false,
  start_time timestamptz NOT NULL,
  finish_time timestamptz);
CREATE INDEX invoice_runs_period ON invoice_runs (period, start_time DESC);

-- The last number issued per document type and year. The issuing
-- transaction increments the row, which locks it until commit: numbers are
-- gapless (a rolled-back issue gives its numbers back) and never repeated.
CREATE TABLE doc_counters (
  doc_type text NOT NULL,
  year integer NOT NULL,
  last_seq bigint NOT NULL,
  PRIMARY KEY (doc_type, year));

-- What has been billed per contract and period and on which basis
-- ('regular', or a correction's basis): the claim that keeps two runs from
-- issuing the same documents twice.
CREATE TABLE billings (
  contract_id text NOT NULL,
  period text NOT NULL,
  basis text NOT NULL,
  invoice_run_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (contract_id, period, basis));

CREATE TABLE documents (
  id text PRIMARY KEY,
  doc_type text NOT NULL CHECK (doc_type IN ('invoice', 'act', 'esf', 'credit_note', 'debit_note')),
  number text NOT NULL UNIQUE,
  year integer NOT NULL,
  seq bigint NOT NULL CHECK (seq > 0),
  issue_date date NOT NULL,
  turnover_date date NOT NULL,
  period text NOT NULL,
  participant_id text NOT NULL,
  customer_bin text NOT NULL,
  customer_name text NOT NULL,
  customer_address text NOT NULL,
  contract_id text NOT NULL,
  contract_number text NOT NULL,
  contract_date date NOT NULL,
  invoice_run_id text NOT NULL,
  related_id text REFERENCES documents (id),
  related_number text NOT NULL DEFAULT '',
  related_date date,
  delivery_doc_number text NOT NULL DEFAULT '',
  delivery_doc_date date,
  provisional boolean NOT NULL,
  amount_tiyn bigint NOT NULL,
  vat_tiyn bigint NOT NULL,
  total_tiyn bigint NOT NULL CHECK (total_tiyn = amount_tiyn + vat_tiyn),
  due_date date NOT NULL,
  pdf_sha256 text,
  created_at timestamptz NOT NULL,
  UNIQUE (doc_type, year, seq));
CREATE INDEX documents_contract ON documents (contract_id, period);
CREATE INDEX documents_participant ON documents (participant_id, issue_date);
CREATE INDEX documents_period ON documents (period, doc_type, number);
CREATE INDEX documents_run ON documents (invoice_run_id);

CREATE TABLE document_lines (
  document_id text NOT NULL REFERENCES documents (id),
  line_no integer NOT NULL,
  service_type integer NOT NULL,
  description text NOT NULL,
  from_date date NOT NULL,
  to_date date NOT NULL,
  volume_wh bigint NOT NULL,
  price_per_kwh numeric(20, 6) NOT NULL,
  amount_tiyn bigint NOT NULL,
  vat_rate_percent numeric(9, 6) NOT NULL,
  vat_tiyn bigint NOT NULL,
  total_tiyn bigint NOT NULL CHECK (total_tiyn = amount_tiyn + vat_tiyn),
  tariff_id text NOT NULL,
  tariff_version bigint NOT NULL,
  balance_run_id text NOT NULL,
  balance_run_type integer NOT NULL,
  estimated_share numeric(9, 6) NOT NULL,
  missing_share numeric(9, 6) NOT NULL,
  PRIMARY KEY (document_id, line_no));

-- The stored rendering of a document, written once.
CREATE TABLE document_pdfs (
  document_id text PRIMARY KEY REFERENCES documents (id),
  pdf bytea NOT NULL,
  sha256 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());

-- Issued documents never change: no UPDATE (except setting the PDF hash
-- once), no DELETE, and their lines and PDFs neither.
CREATE FUNCTION documents_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'documents' THEN
    IF (to_jsonb(OLD) ->> 'pdf_sha256') IS NULL AND (to_jsonb(NEW) ->> 'pdf_sha256') IS NOT NULL
       AND (to_jsonb(OLD) - 'pdf_sha256') = (to_jsonb(NEW) - 'pdf_sha256') THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'issued documents are immutable (% on %)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER documents_immutable BEFORE UPDATE OR DELETE ON documents
  FOR EACH ROW EXECUTE FUNCTION documents_immutable();
CREATE TRIGGER document_lines_immutable BEFORE UPDATE OR DELETE ON document_lines
  FOR EACH ROW EXECUTE FUNCTION documents_immutable();
CREATE TRIGGER document_pdfs_immutable BEFORE UPDATE OR DELETE ON document_pdfs
  FOR EACH ROW EXECUTE FUNCTION documents_immutable();

CREATE TABLE payments (
  id text PRIMARY KEY,
  reference text NOT NULL UNIQUE,
  value_date date NOT NULL,
  payer_bin text NOT NULL,
  contract_id text NOT NULL,
  contract_number text NOT NULL,
  participant_id text NOT NULL,
  amount_tiyn bigint NOT NULL CHECK (amount_tiyn > 0),
  purpose text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL);
CREATE INDEX payments_contract ON payments (contract_id, value_date);
CREATE INDEX payments_participant ON payments (participant_id, value_date);
