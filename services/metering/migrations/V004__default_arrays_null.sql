-- The usual point-day has every interval MEASURED and no VEE finding: its
-- quality and findings arrays are stored as NULL (read back as all MEASURED /
-- all without findings), a third less to write and read per row.
ALTER TABLE reading_days ALTER COLUMN quality DROP NOT NULL;
ALTER TABLE reading_days ALTER COLUMN findings DROP NOT NULL;
