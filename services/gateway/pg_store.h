// The PostgreSQL implementation of Store and AuditStore: the only file with SQL calls (the
// statements themselves are in queries.h).
#pragma once

#include "audit.h"
#include "gridbill/pg/pool.h"
#include "store.h"

namespace gridbill::gateway {

class PgStore final : public Store, public AuditStore {
 public:
  explicit PgStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<User> InsertUser(const User& user, const std::string& password_hash) override;
  absl::StatusOr<std::optional<UserRecord>> FindUserByName(const std::string& username) override;
  absl::StatusOr<User> GetUser(const std::string& id) override;
  absl::StatusOr<User> RecordFailedSignIn(const std::string& user_id, absl::Time now,
                                          int max_attempts, absl::Duration lock_for) override;
  absl::Status RecordSignIn(const std::string& user_id, absl::Time now) override;
  absl::StatusOr<paging::PageOf<User>> ListUsers(const std::string& participant_id,
                                                 const paging::Page& page) override;
  absl::StatusOr<User> UnlockUser(const std::string& id) override;

  absl::StatusOr<Session> InsertSession(const Session& session,
                                        const std::string& refresh_hash) override;
  absl::StatusOr<std::optional<Session>> FindSessionByRefresh(
      const std::string& refresh_hash) override;
  absl::StatusOr<std::optional<Session>> GetSession(const std::string& id) override;
  absl::StatusOr<bool> RotateRefresh(const std::string& session_id, const std::string& old_hash,
                                     const std::string& new_hash,
                                     absl::Time new_expire_time) override;
  absl::Status RevokeSession(const std::string& session_id, absl::Time now) override;

  absl::StatusOr<ApiKey> InsertApiKey(const ApiKey& key, const std::string& secret_hash) override;
  absl::StatusOr<std::optional<ApiKeyRecord>> FindApiKey(const std::string& id) override;
  absl::StatusOr<ApiKey> RevokeApiKey(const std::string& id, absl::Time now) override;
  absl::StatusOr<paging::PageOf<ApiKey>> ListApiKeys(const std::string& participant_id,
                                                     bool include_revoked,
                                                     const paging::Page& page) override;

  absl::Status InsertAuditEntries(const std::vector<AuditEntry>& entries) override;
  absl::StatusOr<std::vector<AuditEntry>> ListAuditEntries(const AuditQuery& query) override;

 private:
  pg::Pool& pool_;
};

}  // namespace gridbill::gateway
