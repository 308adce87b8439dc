// The gateway's authentication records, as the domain sees them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "principal.h"

namespace gridbill::gateway {

struct User {
  std::string id;
  std::string username;  // lower-case
  std::vector<Role> roles;
  std::string participant_id;
  absl::Time create_time;
  std::optional<absl::Time> locked_until;
};

// A user with what sign-in needs.
struct UserRecord {
  User user;
  std::string password_hash;
  int failed_attempts = 0;
};

struct Session {
  std::string id;
  std::string user_id;
  absl::Time refresh_expire_time;
  absl::Time create_time;
  std::optional<absl::Time> revoke_time;
};

struct ApiKey {
  std::string id;
  std::string name;
  std::vector<Role> roles;
  std::string participant_id;
  absl::Time create_time;
  std::optional<absl::Time> revoke_time;
};

struct ApiKeyRecord {
  ApiKey key;
  std::string secret_hash;  // SHA-256 hex
};

}  // namespace gridbill::gateway
