-- The change feed of balance runs (ListRuns with changes_after): every run
-- carries the position of its latest change, the writing transaction
-- (change_xid) and a number from change_feed_seq (change_seq). An insert
-- takes both from the column defaults, an update that changes the run (its
-- state, progress, counts, finish) from change_feed_stamp(). A reader lists
-- only runs whose writing transaction is older than every transaction still
-- open, in position order, so a transaction that commits late is never
-- skipped (see libs/server gridbill/server/changes.h). Existing runs get the
-- position of this migration (ADD COLUMN evaluates the defaults row by row,
-- firing no trigger: succeeded runs stay untouched).
CREATE SEQUENCE change_feed_seq;

CREATE FUNCTION change_feed_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.change_xid := pg_current_xact_id();
  NEW.change_seq := nextval('change_feed_seq');
  RETURN NEW;
END $$;

ALTER TABLE runs
  ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('change_feed_seq');
CREATE INDEX runs_change ON runs (change_xid, change_seq);
CREATE TRIGGER runs_change BEFORE UPDATE ON runs
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION change_feed_stamp();
