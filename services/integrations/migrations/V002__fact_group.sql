-- The group a fact belongs to, for reconciliation: the invoice run that
-- issued a document (and a finished run's own fact). Facts stored before
-- have none and are not reconciled.
ALTER TABLE deliveries ADD COLUMN fact_group text NOT NULL DEFAULT '';
CREATE INDEX deliveries_group ON deliveries (adapter, fact_group, id) WHERE fact_group <> '';
CREATE INDEX deliveries_kind ON deliveries (adapter, fact_kind, id);
