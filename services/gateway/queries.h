// Every SQL statement of the gateway, named once: the name is the prepared
// statement's name and the metric label.
#pragma once

#include "gridbill/pg/query.h"

namespace gridbill::gateway::queries {

using pg::Query;

#define GRIDBILL_USER_COLUMNS                                                       \
  "id, username, roles, participant_id, create_time, locked_until, password_hash, " \
  "failed_attempts "

inline constexpr Query kInsertUser{
    "insert_user",
    "INSERT INTO users (username, password_hash, roles, participant_id, create_time) "
    "VALUES ($1, $2, $3::text[], $4, $5) RETURNING " GRIDBILL_USER_COLUMNS};

inline constexpr Query kFindUserByName{
    "find_user_by_name", "SELECT " GRIDBILL_USER_COLUMNS "FROM users WHERE username = $1"};

inline constexpr Query kGetUser{"get_user",
                                "SELECT " GRIDBILL_USER_COLUMNS "FROM users WHERE id = $1::uuid"};

// At the max_attempts-th failure: lock and start counting again.
inline constexpr Query kRecordFailedSignIn{
    "record_failed_sign_in",
    "UPDATE users SET "
    "failed_attempts = CASE WHEN failed_attempts + 1 >= $3 THEN 0 ELSE failed_attempts + 1 END, "
    "locked_until = CASE WHEN failed_attempts + 1 >= $3 THEN $2::timestamptz + $4::interval "
    "ELSE locked_until END "
    "WHERE id = $1::uuid RETURNING " GRIDBILL_USER_COLUMNS};

inline constexpr Query kRecordSignIn{
    "record_sign_in",
    "UPDATE users SET failed_attempts = 0, locked_until = NULL, last_sign_in_time = $2 "
    "WHERE id = $1::uuid"};

#define GRIDBILL_SESSION_COLUMNS "id, user_id, refresh_expire_time, create_time, revoke_time "

inline constexpr Query kInsertSession{
    "insert_session",
    "INSERT INTO sessions (user_id, refresh_hash, refresh_expire_time, create_time) "
    "VALUES ($1::uuid, $2, $3, $4) RETURNING " GRIDBILL_SESSION_COLUMNS};

inline constexpr Query kFindSessionByRefresh{"find_session_by_refresh",
                                             "SELECT " GRIDBILL_SESSION_COLUMNS
                                             "FROM sessions WHERE refresh_hash = $1"};

inline constexpr Query kGetSession{
    "get_session", "SELECT " GRIDBILL_SESSION_COLUMNS "FROM sessions WHERE id = $1::uuid"};

inline constexpr Query kRotateRefresh{
    "rotate_refresh",
    "UPDATE sessions SET refresh_hash = $3, refresh_expire_time = $4 "
    "WHERE id = $1::uuid AND refresh_hash = $2 AND revoke_time IS NULL"};

inline constexpr Query kRevokeSession{
    "revoke_session",
    "UPDATE sessions SET revoke_time = $2 WHERE id = $1::uuid AND revoke_time IS NULL"};

#define GRIDBILL_API_KEY_COLUMNS \
  "id, name, roles, participant_id, create_time, revoke_time, secret_hash "

inline constexpr Query kInsertApiKey{
    "insert_api_key",
    "INSERT INTO api_keys (id, name, secret_hash, roles, participant_id, create_time) "
    "VALUES ($1, $2, $3, $4::text[], $5, $6) RETURNING " GRIDBILL_API_KEY_COLUMNS};

inline constexpr Query kFindApiKey{
    "find_api_key", "SELECT " GRIDBILL_API_KEY_COLUMNS "FROM api_keys WHERE id = $1"};

inline constexpr Query kRevokeApiKey{
    "revoke_api_key",
    "UPDATE api_keys SET revoke_time = COALESCE(revoke_time, $2) WHERE id = $1 "
    "RETURNING " GRIDBILL_API_KEY_COLUMNS};

// Listings: by username / id, an optional participant, keyset paging.
inline constexpr Query kListUsers{"list_users", "SELECT " GRIDBILL_USER_COLUMNS
                                                "FROM users WHERE ($1 = '' OR participant_id = $1) "
                                                "AND ($2::text IS NULL OR username > $2) "
                                                "ORDER BY username LIMIT $3"};

inline constexpr Query kUnlockUser{"unlock_user",
                                   "UPDATE users SET failed_attempts = 0, locked_until = NULL "
                                   "WHERE id = $1::uuid RETURNING " GRIDBILL_USER_COLUMNS};

inline constexpr Query kListApiKeys{
    "list_api_keys", "SELECT " GRIDBILL_API_KEY_COLUMNS
                     "FROM api_keys WHERE ($1 = '' OR participant_id = $1) "
                     "AND ($2 OR revoke_time IS NULL) AND ($3::text IS NULL OR id > $3) "
                     "ORDER BY id LIMIT $4"};

#undef GRIDBILL_USER_COLUMNS
#undef GRIDBILL_SESSION_COLUMNS
#undef GRIDBILL_API_KEY_COLUMNS

// The audit trail: a batch in one statement (parallel arrays), and a page
// of it newest first with optional filters ('' / NULL = any).
inline constexpr Query kInsertAuditEntries{
    "insert_audit_entries",
    "INSERT INTO audit_log (call_time, principal, method, participant_id, request_id, code, "
    "duration_us, mutating, transport) "
    "SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], "
    "$6::integer[], $7::bigint[], $8::boolean[], $9::text[])"};

inline constexpr Query kListAuditEntries{
    "list_audit_entries",
    "SELECT id, call_time, principal, method, participant_id, request_id, code, duration_us, "
    "mutating, transport FROM audit_log "
    "WHERE ($1 = '' OR principal = $1) AND ($2 = '' OR method = $2) "
    "AND ($3 = '' OR participant_id = $3) "
    "AND ($4::timestamptz IS NULL OR call_time >= $4) "
    "AND ($5::timestamptz IS NULL OR call_time < $5) "
    "AND ($6 = 0 OR id < $6) ORDER BY id DESC LIMIT $7"};

}  // namespace gridbill::gateway::queries
