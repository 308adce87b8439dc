#include "pg_store.h"

#include <cctype>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/errors.h"
#include "queries.h"

namespace gridbill::gateway {
namespace {

namespace q = queries;

std::vector<std::string> RoleNames(const std::vector<Role>& roles) {
  std::vector<std::string> out;
  for (Role r : roles) out.push_back(common::v1::Role_Name(r));
  return out;
}

absl::StatusOr<std::vector<Role>> ReadRoles(const pg::Row& row, std::string_view col) {
  std::vector<Role> roles;
  for (const std::string& name : row.TextArray(col)) {
    Role r;
    if (!common::v1::Role_Parse(name, &r)) {
      return absl::InternalError(absl::StrCat("stored role \"", name, "\" is unknown"));
    }
    roles.push_back(r);
  }
  return roles;
}

// By the names of GRIDBILL_USER_COLUMNS.
absl::StatusOr<UserRecord> ReadUser(const pg::Row& row) {
  UserRecord r;
  r.user.id = row.String("id");
  r.user.username = row.String("username");
  ASSIGN_OR_RETURN(r.user.roles, ReadRoles(row, "roles"));
  r.user.participant_id = row.String("participant_id");
  r.user.create_time = row.Time("create_time");
  r.user.locked_until = row.OptionalTime("locked_until");
  r.password_hash = row.String("password_hash");
  r.failed_attempts = static_cast<int>(row.Int("failed_attempts"));
  return r;
}

Session ReadSession(const pg::Row& row) {
  Session s;
  s.id = row.String("id");
  s.user_id = row.String("user_id");
  s.refresh_expire_time = row.Time("refresh_expire_time");
  s.create_time = row.Time("create_time");
  s.revoke_time = row.OptionalTime("revoke_time");
  return s;
}

absl::StatusOr<ApiKeyRecord> ReadApiKey(const pg::Row& row) {
  ApiKeyRecord r;
  r.key.id = row.String("id");
  r.key.name = row.String("name");
  ASSIGN_OR_RETURN(r.key.roles, ReadRoles(row, "roles"));
  r.key.participant_id = row.String("participant_id");
  r.key.create_time = row.Time("create_time");
  r.key.revoke_time = row.OptionalTime("revoke_time");
  r.secret_hash = row.String("secret_hash");
  return r;
}

// Ids are UUIDs; anything else cannot name a row (and must not reach a
// ::uuid cast, which would be an INVALID_ARGUMENT from the server).
bool IsUuid(const std::string& id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<User> PgStore::InsertUser(const User& user, const std::string& password_hash) {
  pg::Params p;
  p.Add(user.username).Add(password_hash).AddTextArray(RoleNames(user.roles));
  p.Add(user.participant_id).Add(user.create_time);
  absl::StatusOr<pg::Result> res = pool_.Execute(q::kInsertUser, p);
  if (!res.ok()) {
    if (pg::ConstraintOf(res.status()) == "users_username_key") {
      absl::Status st = absl::AlreadyExistsError("user.username: a user with this username exists");
      st.SetPayload(ToAbsl(kFieldPayloadKey), absl::Cord("user.username"));
      return st;
    }
    return res.status();
  }
  ASSIGN_OR_RETURN(UserRecord r, ReadUser((*res)[0]));
  return r.user;
}

absl::StatusOr<std::optional<UserRecord>> PgStore::FindUserByName(const std::string& username) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kFindUserByName, username));
  if (res.empty()) return std::optional<UserRecord>();
  ASSIGN_OR_RETURN(UserRecord r, ReadUser(res[0]));
  return std::optional<UserRecord>(std::move(r));
}

absl::StatusOr<User> PgStore::GetUser(const std::string& id) {
  if (!IsUuid(id)) return NotFound("user", id);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kGetUser, id));
  if (res.empty()) return NotFound("user", id);
  ASSIGN_OR_RETURN(UserRecord r, ReadUser(res[0]));
  return r.user;
}

absl::StatusOr<paging::PageOf<User>> PgStore::ListUsers(const std::string& participant_id,
                                                        const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res,
                   pool_.Exec(q::kListUsers, participant_id, page.After(0), page.size + 1));
  std::vector<User> out;
  for (const pg::Row& row : res) {
    ASSIGN_OR_RETURN(UserRecord r, ReadUser(row));
    out.push_back(std::move(r.user));
  }
  return paging::CutPage(std::move(out), page,
                         [](const User& u) { return paging::PageKey{u.username}; });
}

absl::StatusOr<User> PgStore::UnlockUser(const std::string& id) {
  if (!IsUuid(id)) return NotFound("user", id);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kUnlockUser, id));
  if (res.empty()) return NotFound("user", id);
  ASSIGN_OR_RETURN(UserRecord r, ReadUser(res[0]));
  return r.user;
}

absl::StatusOr<User> PgStore::RecordFailedSignIn(const std::string& user_id, absl::Time now,
                                                 int max_attempts, absl::Duration lock_for) {
  ASSIGN_OR_RETURN(pg::Result res,
                   pool_.Exec(q::kRecordFailedSignIn, user_id, now, max_attempts,
                              absl::StrCat(absl::ToInt64Seconds(lock_for), " seconds")));
  if (res.empty()) return NotFound("user", user_id);
  ASSIGN_OR_RETURN(UserRecord r, ReadUser(res[0]));
  return r.user;
}

absl::Status PgStore::RecordSignIn(const std::string& user_id, absl::Time now) {
  return pool_.Exec(q::kRecordSignIn, user_id, now).status();
}

absl::StatusOr<Session> PgStore::InsertSession(const Session& session,
                                               const std::string& refresh_hash) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kInsertSession, session.user_id, refresh_hash,
                                              session.refresh_expire_time, session.create_time));
  return ReadSession(res[0]);
}

absl::StatusOr<std::optional<Session>> PgStore::FindSessionByRefresh(
    const std::string& refresh_hash) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kFindSessionByRefresh, refresh_hash));
  if (res.empty()) return std::optional<Session>();
  return std::optional<Session>(ReadSession(res[0]));
}

absl::StatusOr<std::optional<Session>> PgStore::GetSession(const std::string& id) {
  if (!IsUuid(id)) return std::optional<Session>();
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kGetSession, id));
  if (res.empty()) return std::optional<Session>();
  return std::optional<Session>(ReadSession(res[0]));
}

absl::StatusOr<bool> PgStore::RotateRefresh(const std::string& session_id,
                                            const std::string& old_hash,
                                            const std::string& new_hash,
                                            absl::Time new_expire_time) {
  ASSIGN_OR_RETURN(pg::Result res,
                   pool_.Exec(q::kRotateRefresh, session_id, old_hash, new_hash, new_expire_time));
  return res.affected() == 1;
}

absl::Status PgStore::RevokeSession(const std::string& session_id, absl::Time now) {
  if (!IsUuid(session_id)) return absl::OkStatus();
  return pool_.Exec(q::kRevokeSession, session_id, now).status();
}

absl::StatusOr<ApiKey> PgStore::InsertApiKey(const ApiKey& key, const std::string& secret_hash) {
  pg::Params p;
  p.Add(key.id).Add(key.name).Add(secret_hash).AddTextArray(RoleNames(key.roles));
  p.Add(key.participant_id).Add(key.create_time);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kInsertApiKey, p));
  ASSIGN_OR_RETURN(ApiKeyRecord r, ReadApiKey(res[0]));
  return r.key;
}

absl::StatusOr<std::optional<ApiKeyRecord>> PgStore::FindApiKey(const std::string& id) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kFindApiKey, id));
  if (res.empty()) return std::optional<ApiKeyRecord>();
  ASSIGN_OR_RETURN(ApiKeyRecord r, ReadApiKey(res[0]));
  return std::optional<ApiKeyRecord>(std::move(r));
}

absl::StatusOr<ApiKey> PgStore::RevokeApiKey(const std::string& id, absl::Time now) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kRevokeApiKey, id, now));
  if (res.empty()) return NotFound("API key", id);
  ASSIGN_OR_RETURN(ApiKeyRecord r, ReadApiKey(res[0]));
  return r.key;
}

absl::StatusOr<paging::PageOf<ApiKey>> PgStore::ListApiKeys(const std::string& participant_id,
                                                            bool include_revoked,
                                                            const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kListApiKeys, participant_id, include_revoked,
                                              page.After(0), page.size + 1));
  std::vector<ApiKey> out;
  for (const pg::Row& row : res) {
    ASSIGN_OR_RETURN(ApiKeyRecord r, ReadApiKey(row));
    out.push_back(std::move(r.key));
  }
  return paging::CutPage(std::move(out), page,
                         [](const ApiKey& k) { return paging::PageKey{k.id}; });
}

absl::Status PgStore::InsertAuditEntries(const std::vector<AuditEntry>& entries) {
  if (entries.empty()) return absl::OkStatus();
  std::vector<std::string> times, principals, methods, participants, request_ids, codes, durations,
      mutating, transports;
  for (const AuditEntry& e : entries) {
    times.push_back(absl::FormatTime(absl::RFC3339_full, e.call_time, absl::UTCTimeZone()));
    principals.push_back(e.principal);
    methods.push_back(e.method);
    participants.push_back(e.participant_id);
    request_ids.push_back(e.request_id);
    codes.push_back(absl::StrCat(e.code));
    durations.push_back(absl::StrCat(e.duration_us));
    mutating.push_back(e.mutating ? "true" : "false");
    transports.push_back(e.transport);
  }
  pg::Params p;
  p.AddTextArray(times)
      .AddTextArray(principals)
      .AddTextArray(methods)
      .AddTextArray(participants)
      .AddTextArray(request_ids)
      .AddTextArray(codes)
      .AddTextArray(durations)
      .AddTextArray(mutating)
      .AddTextArray(transports);
  return pool_.Execute(q::kInsertAuditEntries, p).status();
}

absl::StatusOr<std::vector<AuditEntry>> PgStore::ListAuditEntries(const AuditQuery& query) {
  ASSIGN_OR_RETURN(pg::Result res,
                   pool_.Exec(q::kListAuditEntries, query.principal, query.method,
                              query.participant_id, query.start_time, query.end_time,
                              query.before_id, static_cast<int64_t>(query.limit)));
  std::vector<AuditEntry> out;
  for (const pg::Row& row : res) {
    AuditEntry e;
    e.id = row.Int(0);
    e.call_time = row.Time(1);
    e.principal = row.String(2);
    e.method = row.String(3);
    e.participant_id = row.String(4);
    e.request_id = row.String(5);
    e.code = static_cast<int>(row.Int(6));
    e.duration_us = row.Int(7);
    e.mutating = row.Bool(8);
    e.transport = row.String(9);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace gridbill::gateway
