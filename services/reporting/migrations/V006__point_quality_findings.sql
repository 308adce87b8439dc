-- R4: the intervals of each point, channel and month stored with each VEE
-- finding, as metering's GetCompleteness counts them. The months read
-- before have none: they are forgotten as read, so the next refresh reads
-- every billed month again (a month is replaced whole).
ALTER TABLE point_quality
  ADD COLUMN findings_negative bigint NOT NULL DEFAULT 0,
  ADD COLUMN findings_spike bigint NOT NULL DEFAULT 0,
  ADD COLUMN findings_flat_line bigint NOT NULL DEFAULT 0,
  ADD COLUMN findings_gap bigint NOT NULL DEFAULT 0,
  ADD COLUMN findings_source_mismatch bigint NOT NULL DEFAULT 0;
DELETE FROM quality_periods_read;
