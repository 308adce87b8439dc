// Every SQL statement of the integrations store, named once (the name is the
// prepared statement's name).
#pragma once

#include "gridbill/pg/query.h"

namespace gridbill::integrations::queries {

inline constexpr pg::Query kSelectCursor{"select_cursor",
                                         "SELECT cursor FROM feed_cursors WHERE feed = $1"};

inline constexpr pg::Query kUpsertCursor{
    "upsert_cursor",
    "INSERT INTO feed_cursors (feed, cursor, update_time) VALUES ($1, $2, $3) "
    "ON CONFLICT (feed) DO UPDATE SET cursor = EXCLUDED.cursor, update_time = "
    "EXCLUDED.update_time"};

// The facts as arrays; a fact already in the outbox for its adapter stays.
inline constexpr pg::Query kInsertFacts{
    "insert_facts",
    "INSERT INTO deliveries (adapter, fact_kind, fact_id, fact_version, idempotency_key, payload, "
    "fact_group, next_attempt_time, create_time) "
    "SELECT a, k, i, v, ik, p, g, $7::timestamptz, $7::timestamptz FROM unnest($1::text[], "
    "$2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $8::text[]) "
    "AS u(a, k, i, v, ik, p, g) "
    "ON CONFLICT (adapter, idempotency_key) DO NOTHING RETURNING 1"};

inline constexpr pg::Query kClaimDue{
    "claim_due",
    "UPDATE deliveries SET claimed_until = $3::timestamptz + $4::bigint * interval '1 "
    "microsecond', "
    "claim_epoch = claim_epoch + 1 "
    "WHERE id IN (SELECT id FROM deliveries WHERE adapter = $1 AND state = 1 "
    "AND next_attempt_time <= $3 AND (claimed_until IS NULL OR claimed_until <= $3) "
    "ORDER BY next_attempt_time, id LIMIT $2 FOR UPDATE SKIP LOCKED) "
    "RETURNING id, adapter, fact_kind, fact_id, fact_version, idempotency_key, payload, state, "
    "attempts, next_attempt_time, last_error, receipt, create_time, finish_time, claim_epoch"};

// $2 state, $3 detail (receipt when delivered, else the error), $4 next attempt, $5 now.
inline constexpr pg::Query kEndAttempt{
    "end_attempt",
    "UPDATE deliveries SET state = $2::smallint, attempts = attempts + 1, claimed_until = NULL, "
    "receipt = CASE WHEN $2::smallint = 2 THEN $3 ELSE receipt END, "
    "last_error = CASE WHEN $2::smallint = 2 THEN '' ELSE $3 END, "
    "next_attempt_time = $4, "
    "finish_time = CASE WHEN $2::smallint = 1 THEN NULL ELSE $5::timestamptz END "
    "WHERE id = $1 AND claim_epoch = $6 AND state = 1 RETURNING 1"};

inline constexpr pg::Query kSelectDelivery{
    "select_delivery",
    "SELECT id, adapter, fact_kind, fact_id, fact_version, idempotency_key, payload, state, "
    "attempts, next_attempt_time, last_error, receipt, create_time, finish_time, claim_epoch "
    "FROM deliveries WHERE id = $1"};

// Keyset by id; $1 adapter, $2 state (0 = any), $3 fact id ('' = any), $4 after id, $5 limit.
inline constexpr pg::Query kListDeliveries{
    "list_deliveries",
    "SELECT id, adapter, fact_kind, fact_id, fact_version, idempotency_key, '' AS payload, state, "
    "attempts, next_attempt_time, last_error, receipt, create_time, finish_time, claim_epoch "
    "FROM deliveries WHERE ($1 = '' OR adapter = $1) AND ($2::smallint = 0 OR state = "
    "$2::smallint) "
    "AND ($3 = '' OR fact_id = $3) AND ($4::bigint IS NULL OR id > $4::bigint) "
    "ORDER BY id LIMIT $5"};

// A group's deliveries with their payloads, by id; $1 adapter, $2 group.
inline constexpr pg::Query kListGroup{
    "list_group",
    "SELECT id, adapter, fact_kind, fact_id, fact_version, idempotency_key, payload, state, "
    "attempts, next_attempt_time, last_error, receipt, create_time, finish_time, claim_epoch "
    "FROM deliveries WHERE adapter = $1 AND fact_group = $2 ORDER BY id"};

// The newest deliveries of a kind with their payloads; $1 adapter, $2 kind, $3 limit.
inline constexpr pg::Query kListKind{
    "list_kind",
    "SELECT id, adapter, fact_kind, fact_id, fact_version, idempotency_key, payload, state, "
    "attempts, next_attempt_time, last_error, receipt, create_time, finish_time, claim_epoch "
    "FROM deliveries WHERE adapter = $1 AND fact_kind = $2 ORDER BY id DESC LIMIT $3"};

inline constexpr pg::Query kReviveDelivery{
    "revive_delivery",
    "UPDATE deliveries SET state = 1, attempts = 0, next_attempt_time = $2, finish_time = NULL, "
    "claimed_until = NULL WHERE id = $1 AND state = 3 RETURNING id"};

inline constexpr pg::Query kSkipDelivery{
    "skip_delivery",
    "UPDATE deliveries SET state = 4, last_error = $2, finish_time = $3 "
    "WHERE id = $1 AND state = 3 RETURNING id"};

inline constexpr pg::Query kDeliveryCounts{
    "delivery_counts",
    "SELECT adapter, count(*) FILTER (WHERE state = 1) AS pending, "
    "count(*) FILTER (WHERE state = 3) AS dead, count(*) FILTER (WHERE state = 2) AS done "
    "FROM deliveries GROUP BY adapter"};

inline constexpr pg::Query kSelectAttempts{
    "select_attempts",
    "SELECT adapter, last_success_time, last_error, last_error_time, inbound_done, "
    "inbound_rejected FROM adapter_attempts"};

// $2 ok, $3 error, $4 now.
inline constexpr pg::Query kRecordAttempt{
    "record_attempt",
    "INSERT INTO adapter_attempts AS a (adapter, last_success_time, last_error, last_error_time) "
    "VALUES ($1, CASE WHEN $2 THEN $4::timestamptz END, CASE WHEN $2 THEN '' ELSE $3 END, "
    "CASE WHEN $2 THEN NULL ELSE $4::timestamptz END) "
    "ON CONFLICT (adapter) DO UPDATE SET "
    "last_success_time = COALESCE(EXCLUDED.last_success_time, a.last_success_time), "
    "last_error = EXCLUDED.last_error, "
    "last_error_time = COALESCE(EXCLUDED.last_error_time, a.last_error_time)"};

inline constexpr pg::Query kSelectInboundFile{
    "select_inbound_file",
    "SELECT state, reason FROM inbound_files WHERE adapter = $1 AND sha256 = $2"};

// $4 state (1 imported, 2 rejected).
inline constexpr pg::Query kInsertInboundFile{
    "insert_inbound_file",
    "INSERT INTO inbound_files (adapter, sha256, file_name, state, reason, create_time) "
    "VALUES ($1, $2, $3, $4::smallint, $5, $6) ON CONFLICT (adapter, sha256) DO NOTHING"};

inline constexpr pg::Query kCountInbound{
    "count_inbound",
    "UPDATE adapter_attempts SET inbound_done = inbound_done + $2, "
    "inbound_rejected = inbound_rejected + $3 WHERE adapter = $1"};

inline constexpr pg::Query kSelectStreamPosition{
    "select_stream_position", "SELECT last_seq FROM stream_positions WHERE source = $1"};

inline constexpr pg::Query kUpsertStreamPosition{
    "upsert_stream_position",
    "INSERT INTO stream_positions (source, last_seq, update_time) VALUES ($1, $2, $3) "
    "ON CONFLICT (source) DO UPDATE SET last_seq = GREATEST(stream_positions.last_seq, "
    "EXCLUDED.last_seq), update_time = EXCLUDED.update_time"};

}  // namespace gridbill::integrations::queries
