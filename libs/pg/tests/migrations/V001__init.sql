-- Schema of the gridbill_pg tests. This file is also embedded into the test
-- binary; its odd characters check that the embedded copy is byte exact:
-- "double quotes", back\slash, \n literal, a tab:	, trigraph ??= , )gbsql",
-- Cyrillic Қазақстан, emoji ⚡; semicolons; and ${NOT_A_CMAKE_VARIABLE}.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE idempotency_keys (
  method text NOT NULL, request_id text NOT NULL,
  fingerprint bytea NOT NULL, response bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (method, request_id));

CREATE TABLE items (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  note text,
  at timestamptz,
  day date,
  blob bytea,
  tags text[]);

CREATE TABLE counters (
  id int PRIMARY KEY,
  value bigint NOT NULL);

CREATE TABLE participants (
  id bigint PRIMARY KEY,
  bin text NOT NULL CONSTRAINT participants_bin_key UNIQUE,
  name text NOT NULL CONSTRAINT participants_name_not_blank CHECK (btrim(name) <> ''));

CREATE TABLE contracts (
  id bigint PRIMARY KEY,
  participant_id bigint NOT NULL CONSTRAINT contracts_participant_fk REFERENCES participants (id),
  number text NOT NULL,
  validity tstzrange NOT NULL,
  CONSTRAINT contracts_no_overlap EXCLUDE USING gist (number WITH =, validity WITH &&));

-- Checked at COMMIT, for the commit-failure tests.
CREATE TABLE deferred_codes (
  code text NOT NULL CONSTRAINT deferred_codes_code_key UNIQUE DEFERRABLE INITIALLY DEFERRED);

CREATE TABLE doctors (
  id int PRIMARY KEY,
  on_call boolean NOT NULL);
