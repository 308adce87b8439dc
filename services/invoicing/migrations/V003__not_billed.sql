-- Contracts a run did not bill, with the reason (a net exporter: volume
-- zero or negative inside the contract's validity). Not failures: the
-- operator sees them on the run (GetInvoiceRun) and nothing was issued.
ALTER TABLE invoice_runs ADD COLUMN contracts_not_billed bigint NOT NULL DEFAULT 0;

CREATE TABLE invoice_run_not_billed (
  run_id text NOT NULL REFERENCES invoice_runs (id),
  contract_id text NOT NULL,
  contract_number text NOT NULL,
  volume_wh bigint NOT NULL,
  reason text NOT NULL,
  PRIMARY KEY (run_id, contract_id));
