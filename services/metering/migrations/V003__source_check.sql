-- SCADA vs CMS cross-check: the source of each interval's value, and SCADA's
-- value of the intervals whose billing value came from CMS. Both are NULL on
-- the usual single-source day (every interval from reading_days.source, no
-- SCADA check values), so they cost nothing there.
ALTER TABLE reading_days ADD COLUMN sources smallint[];
ALTER TABLE reading_days ADD COLUMN scada_vals bigint[];
