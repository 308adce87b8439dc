-- The audit trail of every call through the gateway. Append-only: rows are
-- inserted in batches and never changed or removed (a trigger refuses
-- UPDATE, DELETE and TRUNCATE).

CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  call_time timestamptz NOT NULL,
  principal text NOT NULL,          -- "user:<name>", "key:<id>", or "" (public or refused)
  method text NOT NULL,             -- "/gridbill.contracts.v1.ContractService/GetContract"
  participant_id text NOT NULL,     -- the participant scope of the call, "" when none
  request_id text NOT NULL,
  code integer NOT NULL,            -- the gRPC status code
  duration_us bigint NOT NULL CHECK (duration_us >= 0),
  mutating boolean NOT NULL,
  transport text NOT NULL           -- "grpc" or "grpc-web"
);
CREATE INDEX audit_log_time_idx ON audit_log (call_time);
CREATE INDEX audit_log_principal_idx ON audit_log (principal, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
