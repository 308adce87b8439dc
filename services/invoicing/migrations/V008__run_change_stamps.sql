-- Change feeds without a trigger call per piece of an invoice run (V007
-- keeps the semantics: libs/server gridbill/server/changes.h).
--
-- invoice_runs: the statements that update a run (queries.h: kSetBilledRun,
-- kClaimBillingsCounted, kAddRunCounts) stamp change_xid/change_seq
-- themselves, as the trigger did; each of them changes what ListInvoiceRuns
-- shows. Any new UPDATE of invoice_runs must stamp the same way.
DROP TRIGGER invoice_runs_change ON invoice_runs;

-- jobs: a run's progress (done, pieces_done) changes only when a piece is
-- stored, and that transaction also adds the piece's counts to the run's
-- invoice_runs row, stamping it: the run's position (the later of its two
-- rows) moves with its progress without stamping the job row too. The
-- trigger stays for the job's state, total, summary, error and times, which
-- change without its invoice_runs row (split, finish, failure, cancel).
DROP TRIGGER jobs_change ON jobs;
CREATE TRIGGER jobs_change BEFORE UPDATE ON jobs
  FOR EACH ROW
  WHEN ((OLD.state, OLD.total, OLD.summary, OLD.error, OLD.start_time, OLD.finish_time)
        IS DISTINCT FROM
        (NEW.state, NEW.total, NEW.summary, NEW.error, NEW.start_time, NEW.finish_time))
  EXECUTE FUNCTION change_feed_stamp();
