-- The gateway's own data: users, sessions (refresh tokens), API keys.
-- Revocation is a revoke_time on the session or key: rows are never deleted,
-- so who could call when stays answerable.

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username text NOT NULL,
  password_hash text NOT NULL,
  roles text[] NOT NULL,
  participant_id text NOT NULL DEFAULT '',
  failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until timestamptz,
  last_sign_in_time timestamptz,
  create_time timestamptz NOT NULL,
  CONSTRAINT users_username_format CHECK (username = lower(username) AND username <> '')
);
CREATE UNIQUE INDEX users_username_key ON users (username);

CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id),
  -- SHA-256 (hex) of the current refresh token; rotated on every Refresh.
  refresh_hash text NOT NULL,
  refresh_expire_time timestamptz NOT NULL,
  create_time timestamptz NOT NULL,
  revoke_time timestamptz
);
CREATE UNIQUE INDEX sessions_refresh_hash_key ON sessions (refresh_hash);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  name text NOT NULL,
  -- SHA-256 (hex) of the key's secret part: the secret is 256 random bits,
  -- so a fast digest is enough (no password stretching needed).
  secret_hash text NOT NULL,
  roles text[] NOT NULL,
  participant_id text NOT NULL DEFAULT '',
  create_time timestamptz NOT NULL,
  revoke_time timestamptz
);

CREATE TABLE idempotency_keys (
  method text NOT NULL,
  request_id text NOT NULL,
  fingerprint bytea NOT NULL,
  response bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (method, request_id)
);
