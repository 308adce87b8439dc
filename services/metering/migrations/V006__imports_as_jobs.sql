-- Import jobs are jobs of libs/jobs (kind 'metering.import'): their state,
-- progress (points done), error and times live in the jobs row of the same
-- id, and any replica works on any import; import_jobs.total stays (the
-- file's points, known before the job is split). The file is kept with the
-- import (import_files), so that a replica started after another one died
-- re-reads it and resumes the points not yet stored; an import keeps its
-- counts and first rejections, which each point adds in the transaction
-- that stores its readings.
INSERT INTO jobs (id, kind, state, done, total, error, create_time, start_time, finish_time)
SELECT id, 'metering.import', CASE WHEN state IN (1, 2) THEN 4 ELSE state END, done, total,
       CASE WHEN state IN (1, 2) THEN 'interrupted by restart; import the file again'
            ELSE error END,
       create_time, start_time, CASE WHEN state IN (1, 2) THEN now() ELSE finish_time END
  FROM import_jobs;

-- An import left open by a previous version has no file to resume from.
UPDATE import_jobs SET error = 'interrupted by restart; import the file again'
 WHERE state IN (1, 2);

ALTER TABLE import_jobs
  DROP COLUMN state,
  DROP COLUMN done,
  DROP COLUMN start_time,
  DROP COLUMN create_time,
  DROP COLUMN finish_time,
  ADD CONSTRAINT import_jobs_job FOREIGN KEY (id) REFERENCES jobs (id);

-- The file of an import and how to read it (the proto enums' numbers).
CREATE TABLE import_files (
  job_id text PRIMARY KEY REFERENCES import_jobs (id),
  content bytea NOT NULL,
  format smallint NOT NULL,
  encoding smallint NOT NULL,
  unit smallint NOT NULL,
  source smallint NOT NULL);
