-- A payment changes the open amounts of documents issued before it, so the
-- documents feed (ListDocuments changes_after) must list them again: a
-- reader that keeps open amounts and aging (reporting's R3) would else keep
-- them as of its first read. Open amounts are not stored; the ledger
-- (ledger.cc) pays a contract's invoices and debit notes oldest first from
-- all of its money, so a new payment may change the open amount of any of
-- the contract's invoices and debit notes (an earlier value date reorders
-- the allocation): each of them gets a new change position in the
-- payment's transaction. Credit notes, acts and ESF carry no open amount.
CREATE FUNCTION payments_mark_documents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE documents SET change_xid = pg_current_xact_id(), change_seq = nextval('change_feed_seq')
   WHERE contract_id = NEW.contract_id AND doc_type IN ('invoice', 'debit_note');
  RETURN NULL;
END $$;
CREATE TRIGGER payments_mark_documents AFTER INSERT ON payments
  FOR EACH ROW EXECUTE FUNCTION payments_mark_documents();

-- Issued documents stay immutable: an update may set the PDF hash once (as
-- before) or move the change position (change_xid, change_seq) and nothing
-- else; lines and PDFs never change.
CREATE OR REPLACE FUNCTION documents_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'documents' THEN
    IF (to_jsonb(OLD) ->> 'pdf_sha256') IS NULL AND (to_jsonb(NEW) ->> 'pdf_sha256') IS NOT NULL
       AND (to_jsonb(OLD) - 'pdf_sha256') = (to_jsonb(NEW) - 'pdf_sha256') THEN
      RETURN NEW;
    END IF;
    IF (to_jsonb(OLD) - 'change_xid' - 'change_seq') = (to_jsonb(NEW) - 'change_xid' - 'change_seq')
    THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'issued documents are immutable (% on %)', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;
