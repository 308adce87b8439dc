// Authentication: sign-in with lockout, access and refresh tokens, users and
// API keys; and turning a call's credentials into a Principal. No gRPC, no SQL.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"
#include "model.h"
#include "passwords.h"
#include "principal.h"
#include "store.h"
#include "tokens.h"

namespace gridbill::gateway {

struct AuthSettings {
  absl::Duration access_ttl = absl::Minutes(5);
  absl::Duration refresh_ttl = absl::Hours(12);
  int max_failed_sign_ins = 5;
  absl::Duration lockout = absl::Minutes(15);
  size_t min_password_length = 12;
};

struct IssuedTokens {
  std::string access_token;
  absl::Time access_expire_time;
  std::string refresh_token;
  absl::Time refresh_expire_time;
};

struct SignInResult {
  IssuedTokens tokens;
  User user;
};

struct CreatedApiKey {
  ApiKey key;
  std::string secret;  // the full key text, shown once
};

class Authenticator {
 public:
  Authenticator(Store& store, const Clock& clock, const PasswordHasher& hasher,
                const TokenSigner& signer, AuthSettings settings)
      : store_(store), clock_(clock), hasher_(hasher), signer_(signer), settings_(settings) {}

  // UNAUTHENTICATED for an unknown user or a wrong password (the same
  // message for both) and for a locked account (saying until when).
  absl::StatusOr<SignInResult> SignIn(std::string_view username, std::string_view password);
  // Rotates the refresh token: the presented one stops working.
  absl::StatusOr<IssuedTokens> Refresh(std::string_view refresh_token);
  // Ends the session; its access tokens are refused from then on.
  absl::Status SignOut(std::string_view refresh_token);

  // `who` is the verified caller. A participant admin creates users of their
  // own participant with participant roles only.
  absl::StatusOr<User> CreateUser(const Principal& who, User user, std::string_view password);
  absl::StatusOr<CreatedApiKey> CreateApiKey(const Principal& who, ApiKey key);
  absl::StatusOr<ApiKey> RevokeApiKey(const Principal& who, const std::string& id);
  // Listings for admins and auditors; a participant admin lists the users
  // of their own participant only (PERMISSION_DENIED otherwise).
  absl::StatusOr<paging::PageOf<User>> ListUsers(const Principal& who,
                                                 const std::string& participant_id,
                                                 const paging::Page& page);
  absl::StatusOr<paging::PageOf<ApiKey>> ListApiKeys(const Principal& who,
                                                     const std::string& participant_id,
                                                     bool include_revoked,
                                                     const paging::Page& page);
  // Ends a lockout (admins).
  absl::StatusOr<User> UnlockUser(const Principal& who, const std::string& id);
  // The first admin of a fresh installation: creates `username` with
  // ROLE_ADMIN and `password` unless a user of that name exists (then
  // nothing changes, the password included). True when created.
  absl::StatusOr<bool> EnsureBootstrapAdmin(std::string_view username, std::string_view password);

  // The principal of an "x-api-key" value / a bearer access token;
  // UNAUTHENTICATED with the reason otherwise (unknown, revoked, expired,
  // forged).
  absl::StatusOr<Principal> AuthenticateApiKey(std::string_view key_text);
  absl::StatusOr<Principal> AuthenticateBearer(std::string_view token);

 private:
  absl::StatusOr<IssuedTokens> Issue(const User& user, const Session& session,
                                     const std::string& refresh_token);

  Store& store_;
  const Clock& clock_;
  const PasswordHasher& hasher_;
  const TokenSigner& signer_;
  const AuthSettings settings_;
};

}  // namespace gridbill::gateway
