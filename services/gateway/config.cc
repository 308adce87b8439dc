#include "config.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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
  ASSIGN_OR_RETURN(c.backend_balance, src.Address("backend_balance", "127.0.0.1:7103"));
  ASSIGN_OR_RETURN(c.backend_invoicing, src.Address("backend_invoicing", "127.0.0.1:7104"));
  ASSIGN_OR_RETURN(c.backend_forecasting, src.Address("backend_forecasting", "127.0.0.1:7105"));
  ASSIGN_OR_RETURN(c.backend_reporting, src.Address("backend_reporting", "127.0.0.1:7106"));
  ASSIGN_OR_RETURN(c.backend_integrations, src.Address("backend_integrations", "127.0.0.1:7107"));
  ASSIGN_OR_RETURN(c.token_secret, Secret(src, "token_secret"));
  ASSIGN_OR_RETURN(c.identity_secret, Secret(src, "identity_secret"));
  AuthSettings d;
  ASSIGN_OR_RETURN(c.auth.access_ttl, src.Duration("access_token_ttl", d.access_ttl));
  ASSIGN_OR_RETURN(c.auth.refresh_ttl, src.Duration("refresh_token_ttl", d.refresh_ttl));
  ASSIGN_OR_RETURN(int64_t max_failed,
                   src.Int("max_failed_sign_ins", d.max_failed_sign_ins, 1, 100));
  c.auth.max_failed_sign_ins = static_cast<int>(max_failed);
  ASSIGN_OR_RETURN(c.auth.lockout, src.Duration("lockout", d.lockout));
  ASSIGN_OR_RETURN(c.auth_cache_ttl, src.Duration("auth_cache_ttl", c.auth_cache_ttl));
  if (c.auth_cache_ttl < absl::ZeroDuration() || c.auth_cache_ttl > absl::Minutes(1)) {
    return absl::InvalidArgumentError(
        "config: auth_cache_ttl: must be between 0 and 1m (a revoked key stays usable this long)");
  }
  Argon2Params a;
  ASSIGN_OR_RETURN(int64_t t, src.Int("argon2_time_cost", a.time_cost, 1, 20));
  ASSIGN_OR_RETURN(int64_t m, src.Int("argon2_memory_kib", a.memory_kib, 8 * 1024, 4 << 20));
  c.argon2.time_cost = static_cast<uint32_t>(t);
  c.argon2.memory_kib = static_cast<uint32_t>(m);
  ASSIGN_OR_RETURN(std::string web, src.String("web_address", ""));
  if (!src.Has("web_address") || !web.empty()) {
    ASSIGN_OR_RETURN(c.web_address,
                     src.Address("web_address", absl::StrCat("0.0.0.0:", kDefaultWebPort)));
  } else {
    c.web_address.clear();
  }
  ASSIGN_OR_RETURN(c.web_max_request_bytes,
                   src.Int("web_max_request_bytes", int64_t{4} << 20, 1024, int64_t{1} << 30));
  ASSIGN_OR_RETURN(int64_t web_threads, src.Int("web_threads", 32, 2, 1024));
  c.web_threads = static_cast<int>(web_threads);
  ASSIGN_OR_RETURN(c.portal_dir, src.String("portal_dir", ""));
  ASSIGN_OR_RETURN(c.web_cookie_secure, src.Bool("web_cookie_secure", false));
  ASSIGN_OR_RETURN(std::string origins, src.String("cors_origins", ""));
  for (absl::string_view o : absl::StrSplit(origins, ',', absl::SkipWhitespace())) {
    c.cors_origins.emplace_back(absl::StripAsciiWhitespace(o));
  }
  ASSIGN_OR_RETURN(c.tls_cert_file, src.String("tls_cert_file", ""));
  ASSIGN_OR_RETURN(c.tls_key_file, src.String("tls_key_file", ""));
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "config: tls_cert_file and tls_key_file: give both (TLS) or neither (plaintext)");
  }
  ASSIGN_OR_RETURN(c.bootstrap_admin, src.String("bootstrap_admin", ""));
  ASSIGN_OR_RETURN(c.bootstrap_admin_password_file,
                   src.String("bootstrap_admin_password_file", ""));
  if (!c.bootstrap_admin.empty() && c.bootstrap_admin_password_file.empty()) {
    return absl::InvalidArgumentError(
        "config: bootstrap_admin_password_file: required with bootstrap_admin");
  }
  ASSIGN_OR_RETURN(int64_t principal_rps, src.Int("rate_limit_principal", 200, 0, 1000000));
  ASSIGN_OR_RETURN(int64_t principal_burst,
                   src.Int("rate_limit_principal_burst", 2 * principal_rps, 1, 10000000));
  ASSIGN_OR_RETURN(int64_t method_rps, src.Int("rate_limit_method", 0, 0, 1000000));
  ASSIGN_OR_RETURN(
      int64_t method_burst,
      src.Int("rate_limit_method_burst", std::max<int64_t>(1, 2 * method_rps), 1, 10000000));
  c.rate_limits.principal = {static_cast<double>(principal_rps),
                             static_cast<double>(principal_burst)};
  c.rate_limits.method = {static_cast<double>(method_rps), static_cast<double>(method_burst)};
  ASSIGN_OR_RETURN(c.audit.flush_interval,
                   src.Duration("audit_flush_interval", c.audit.flush_interval));
  ASSIGN_OR_RETURN(int64_t batch, src.Int("audit_batch_size", 500, 1, 100000));
  c.audit.batch_size = static_cast<size_t>(batch);
  RETURN_IF_ERROR(src.CheckUnused());
  return c;
}

}  // namespace gridbill::gateway
