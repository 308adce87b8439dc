// Access tokens: JWTs signed with HMAC-SHA256 (RFC 7519, alg HS256), short
// lived; and random opaque secrets (refresh tokens, API keys).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "principal.h"

namespace gridbill::gateway {

// What an access token asserts.
struct AccessClaims {
  std::string subject;  // the principal name, "user:<username>"
  std::vector<Role> roles;
  std::string participant_id;
  std::string session_id;
  absl::Time issue_time;
  absl::Time expire_time;
};

// Signs and verifies access tokens with one shared secret (config
// token_secret; every gateway replica has the same).
class TokenSigner {
 public:
  explicit TokenSigner(std::string secret) : secret_(std::move(secret)) {}

  std::string Sign(const AccessClaims& claims) const;
  // UNAUTHENTICATED with the reason for a malformed token, a wrong signature
  // or algorithm, and a token expired at `now`.
  absl::StatusOr<AccessClaims> Verify(std::string_view token, absl::Time now) const;

 private:
  std::string secret_;
};

// API keys read "gbk_<id>.<secret>".
inline constexpr std::string_view kApiKeyPrefix = "gbk_";

// An API key's text split into its id and secret.
struct ApiKeyText {
  std::string id;
  std::string secret;
};

// UNAUTHENTICATED "malformed API key" unless `text` is kApiKeyPrefix, an
// id, '.', and a secret, at most 200 characters after the prefix.
absl::StatusOr<ApiKeyText> ParseApiKey(std::string_view text);

// `bytes` random bytes from the OS CSPRNG, base64url without padding.
std::string RandomSecret(size_t bytes = 32);

// HMAC-SHA256 of `data` with `key`, 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// Equal contents, compared in constant time for equal sizes.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace gridbill::gateway
