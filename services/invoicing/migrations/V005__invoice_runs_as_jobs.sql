-- Invoice runs are jobs of libs/jobs (kind 'invoicing.run'): their state,
-- progress, summary, error and finish time live in the jobs row of the same
-- id, and any replica works on any run. A run records, when it is split,
-- the balance run it bills from and the contracts it bills, each in the
-- piece that issues it, so that every replica issues a piece the same way.
INSERT INTO jobs (id, kind, state, done, total, summary, error, create_time, start_time,
                  finish_time)
SELECT id, 'invoicing.run',
       CASE state WHEN 'succeeded' THEN 3 WHEN 'failed' THEN 4 WHEN 'cancelled' THEN 5 ELSE 1 END,
       CASE WHEN state IN ('pending', 'running') THEN 0 ELSE done END,
       CASE WHEN state IN ('pending', 'running') THEN 0 ELSE total END,
       summary, error, start_time, start_time, finish_time
  FROM invoice_runs;

-- A run left unfinished by a previous version starts over as a job: its
-- contracts already billed are skipped by the billings claims.
UPDATE invoice_runs SET documents_issued = 0, contracts_skipped = 0, contracts_failed = 0,
       contracts_not_billed = 0
 WHERE state IN ('pending', 'running');

ALTER TABLE invoice_runs
  DROP COLUMN state,
  DROP COLUMN done,
  DROP COLUMN total,
  DROP COLUMN summary,
  DROP COLUMN error,
  DROP COLUMN cancel_requested,
  DROP COLUMN finish_time,
  ADD COLUMN billed_balance_run_id text NOT NULL DEFAULT '',
  ADD COLUMN billed_balance_run_type smallint NOT NULL DEFAULT 0,
  ADD CONSTRAINT invoice_runs_job FOREIGN KEY (id) REFERENCES jobs (id);

-- The contracts a run bills, in billing order, with the days billed and,
-- when the run refuses one, why.
CREATE TABLE invoice_run_contracts (
  run_id text NOT NULL REFERENCES invoice_runs (id),
  position integer NOT NULL,
  piece_no integer NOT NULL,
  contract_id text NOT NULL,
  contract_number text NOT NULL,
  participant_id text NOT NULL,
  service smallint NOT NULL,
  signed_on date NOT NULL,
  valid_from date NOT NULL,
  valid_to date,
  due_day integer NOT NULL,
  bill_from date NOT NULL,
  bill_to date NOT NULL,
  whole_period boolean NOT NULL,
  refusal text NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, position));
CREATE INDEX invoice_run_contracts_piece ON invoice_run_contracts (run_id, piece_no);
