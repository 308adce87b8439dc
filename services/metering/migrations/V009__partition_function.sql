-- Monthly partitions of reading_days are made on first write of a month.
-- Making a partition needs the ownership of reading_days, which the
-- service's runtime role does not have when migrations run as an owner role
-- (database_owner_url): this function runs as its owner (the migrating
-- role) and makes exactly one month's partition, named and bounded from
-- its date argument, so the store builds no SQL text of its own.
CREATE FUNCTION ensure_reading_days_partition(month_day date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  first_day date := date_trunc('month', month_day)::date;
  name text := 'reading_days_' || to_char(month_day, 'YYYY_MM');
BEGIN
  IF to_regclass(name) IS NOT NULL THEN
    RETURN;
  END IF;
  EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF reading_days FOR VALUES FROM (%L) TO (%L)',
                 name, first_day, (first_day + interval '1 month')::date);
END
$$;
REVOKE ALL ON FUNCTION ensure_reading_days_partition(date) FROM PUBLIC;
