-- Change feeds (ListDocuments, ListPayments and ListInvoiceRuns with
-- changes_after): every row a feed lists carries the position of its latest
-- change, the writing transaction (change_xid) and a number from
-- change_feed_seq (change_seq). An insert takes both from the column
-- defaults, an update that changes what a list shows from
-- change_feed_stamp(). A reader lists only rows whose writing transaction is
-- older than every transaction still open, in position order, so a
-- transaction that commits late is never skipped (see libs/server
-- gridbill/server/changes.h). Existing rows get the position of this
-- migration (ADD COLUMN evaluates the defaults row by row, firing no
-- trigger: issued documents stay untouched).
CREATE SEQUENCE change_feed_seq;

CREATE FUNCTION change_feed_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.change_xid := pg_current_xact_id();
  NEW.change_seq := nextval('change_feed_seq');
  RETURN NEW;
END $$;

-- Issued documents and payments are never updated (a document's PDF hash,
-- set once, is not a change a reader follows): inserts only.
ALTER TABLE documents
  ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('change_feed_seq');
CREATE INDEX documents_change ON documents (change_xid, change_seq);

ALTER TABLE payments
  ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('change_feed_seq');
CREATE INDEX payments_change ON payments (change_xid, change_seq);

-- A run changes in two rows: its counters (invoice_runs) and its job's state
-- and progress (jobs); its position is the later of the two. A job's claims
-- and heartbeats are not changes.
ALTER TABLE invoice_runs
  ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('change_feed_seq');
CREATE TRIGGER invoice_runs_change BEFORE UPDATE ON invoice_runs
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION change_feed_stamp();

ALTER TABLE jobs
  ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('change_feed_seq');
CREATE TRIGGER jobs_change BEFORE UPDATE ON jobs
  FOR EACH ROW
  WHEN ((OLD.state, OLD.done, OLD.total, OLD.summary, OLD.error, OLD.start_time, OLD.finish_time)
        IS DISTINCT FROM
        (NEW.state, NEW.done, NEW.total, NEW.summary, NEW.error, NEW.start_time, NEW.finish_time))
  EXECUTE FUNCTION change_feed_stamp();
