-- The sender's status code of each value (the 80020 `status` attribute) is
-- kept with the reading, NULL when every interval of the day has code 0
-- (normal). An import counts the values its file reported missing and those
-- with a status code other than 0.
ALTER TABLE reading_days ADD COLUMN status_codes integer[];
ALTER TABLE import_jobs
  ADD COLUMN missing bigint NOT NULL DEFAULT 0,
  ADD COLUMN status_flagged bigint NOT NULL DEFAULT 0;
