// What the gateway's authentication needs from storage, nothing more.
// PgStore is the PostgreSQL implementation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/base/paging.h"
#include "model.h"

namespace gridbill::gateway {

class Store {
 public:
  virtual ~Store() = default;

  // Users. InsertUser assigns the id; a taken username is ALREADY_EXISTS
  // naming "user.username".
  virtual absl::StatusOr<User> InsertUser(const User& user, const std::string& password_hash) = 0;
  virtual absl::StatusOr<std::optional<UserRecord>> FindUserByName(const std::string& username) = 0;
  virtual absl::StatusOr<User> GetUser(const std::string& id) = 0;
  // Counts a failed sign-in in one statement (safe under concurrent
  // attempts): at `max_attempts` the account is locked until now + lock_for
  // and the counter starts again. Returns the user as updated.
  virtual absl::StatusOr<User> RecordFailedSignIn(const std::string& user_id, absl::Time now,
                                                  int max_attempts, absl::Duration lock_for) = 0;
  virtual absl::Status RecordSignIn(const std::string& user_id, absl::Time now) = 0;
  // By username (keyset); `participant_id` "" = every user.
  virtual absl::StatusOr<paging::PageOf<User>> ListUsers(const std::string& participant_id,
                                                         const paging::Page& page) = 0;
  // Clears the lockout and the failure count; NOT_FOUND naming the id.
  virtual absl::StatusOr<User> UnlockUser(const std::string& id) = 0;

  // Sessions: one per sign-in, holding the digest of its current refresh token.
  virtual absl::StatusOr<Session> InsertSession(const Session& session,
                                                const std::string& refresh_hash) = 0;
  virtual absl::StatusOr<std::optional<Session>> FindSessionByRefresh(
      const std::string& refresh_hash) = 0;
  virtual absl::StatusOr<std::optional<Session>> GetSession(const std::string& id) = 0;
  // Replaces the refresh digest only while it is still `old_hash` and the
  // session is not revoked; false when another Refresh won (token reuse).
  virtual absl::StatusOr<bool> RotateRefresh(const std::string& session_id,
                                             const std::string& old_hash,
                                             const std::string& new_hash,
                                             absl::Time new_expire_time) = 0;
  virtual absl::Status RevokeSession(const std::string& session_id, absl::Time now) = 0;

  // API keys.
  virtual absl::StatusOr<ApiKey> InsertApiKey(const ApiKey& key,
                                              const std::string& secret_hash) = 0;
  virtual absl::StatusOr<std::optional<ApiKeyRecord>> FindApiKey(const std::string& id) = 0;
  // NOT_FOUND for an unknown id; revoking twice keeps the first time.
  virtual absl::StatusOr<ApiKey> RevokeApiKey(const std::string& id, absl::Time now) = 0;
  // By id (keyset); `participant_id` "" = every key.
  virtual absl::StatusOr<paging::PageOf<ApiKey>> ListApiKeys(const std::string& participant_id,
                                                             bool include_revoked,
                                                             const paging::Page& page) = 0;
};

}  // namespace gridbill::gateway
