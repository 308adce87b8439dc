-- The change feed of imports (ListImports with changes_after): an import
-- changes in two rows, its counts (import_jobs) and its job's state and
-- progress (jobs); each carries the position of its latest change, the
-- writing transaction (change_xid) and a number from change_feed_seq
-- (change_seq), and an import's position is the later of the two. An insert
-- takes both from the column defaults, an update that changes what a list
-- shows from change_feed_stamp() (a job's claims and heartbeats are not
-- changes). A reader lists only imports whose writing transaction is older
-- than every transaction still open, in position order, so a transaction
-- that commits late is never skipped (see libs/server
-- gridbill/server/changes.h). Existing rows get the position of this
-- migration (ADD COLUMN evaluates the defaults row by row).
CREATE SEQUENCE change_feed_seq;

CREATE FUNCTION change_feed_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.change_xid := pg_current_xact_id();
  NEW.change_seq := nextval('change_feed_seq');
  RETURN NEW;
END $$;

ALTER TABLE import_jobs
  ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('change_feed_seq');
CREATE TRIGGER import_jobs_change BEFORE UPDATE ON import_jobs
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

-- ListImports, newest first.
CREATE INDEX jobs_created ON jobs (create_time DESC, id DESC);
