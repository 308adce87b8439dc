-- The change feed of applications (ListApplications with changes_after):
-- every application carries the position of its latest change, the writing
-- transaction (change_xid) and a number from change_feed_seq (change_seq).
-- An insert takes both from the column defaults, an update that changes the
-- row from change_feed_stamp(). A reader lists only rows whose writing
-- transaction is older than every transaction still open, in position
-- order, so a transaction that commits late is never skipped (see
-- libs/server gridbill/server/changes.h). Existing rows get the position of
-- this migration (ADD COLUMN evaluates the defaults row by row).
CREATE SEQUENCE change_feed_seq;

CREATE FUNCTION change_feed_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.change_xid := pg_current_xact_id();
  NEW.change_seq := nextval('change_feed_seq');
  RETURN NEW;
END $$;

ALTER TABLE applications
  ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  ADD COLUMN change_seq bigint NOT NULL DEFAULT nextval('change_feed_seq');
CREATE INDEX applications_change ON applications (change_xid, change_seq);
CREATE TRIGGER applications_change BEFORE UPDATE ON applications
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION change_feed_stamp();
