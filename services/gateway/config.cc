#include "config.h"

#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::gateway {
namespace {

constexpr size_t kMinSecretBytes = 32;

absl::StatusOr<std::string> Secret(const ConfigSource& src, const char* key) {
  ASSIGN_OR_RETURN(std::string secret, src.RequiredString(key));
  if (secret.size() < kMinSecretBytes) {
    return InvalidField(absl::StrCat("config: ", key),
                        absl::StrCat("at least ", kMinSecretBytes, " characters are required"));
  }
  return secret;
}

}  // namespace

absl::StatusOr<Config> Config::Load(const ConfigSource& src) {
  Config c;
  ASSIGN_OR_RETURN(c.server,
                   ServerConfig::Load(src, "gateway", kDefaultGrpcPort, kDefaultMetricsPort));
  ASSIGN_OR_RETURN(c.auth_address, src.Address("auth_address", "127.0.0.1:0"));
  ASSIGN_OR_RETURN(c.db, DatabaseConfig::Load(src));
  ASSIGN_OR_RETURN(c.backend_contracts, src.Address("backend_contracts", "127.0.0.1:7101"));
  ASSIGN_OR_RETURN(c.backend_metering, src.Address("backend_metering", "127.0.0.1:7102"));
  ASSIGN_OR_RETURN(c.token_secret, Secret(src, "token_secret"));
  ASSIGN_OR_RETURN(c.identity_secret, Secret(src, "identity_secret"));
  AuthSettings d;
  ASSIGN_OR_RETURN(c.auth.access_ttl, src.Duration("access_token_ttl", d.access_ttl));
  ASSIGN_OR_RETURN(c.auth.refresh_ttl, src.Duration("refresh_token_ttl", d.refresh_ttl));
  ASSIGN_OR_RETURN(int64_t max_failed,
                   src.Int("max_failed_sign_ins", d.max_failed_sign_ins, 1, 100));
  c.auth.max_failed_sign_ins = static_cast<int>(max_failed);
  ASSIGN_OR_RETURN(c.auth.lockout, src.Duration("lockout", d.lockout));
  Argon2Params a;
  ASSIGN_OR_RETURN(int64_t t, src.Int("argon2_time_cost", a.time_cost, 1, 20));
  ASSIGN_OR_RETURN(int64_t m, src.Int("argon2_memory_kib", a.memory_kib, 8 * 1024, 4 << 20));
  c.argon2.time_cost = static_cast<uint32_t>(t);
  c.argon2.memory_kib = static_cast<uint32_t>(m);
  RETURN_IF_ERROR(src.CheckUnused());
  return c;
}

}  // namespace gridbill::gateway
