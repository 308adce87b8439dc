// The gateway's configuration: one validated struct.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "audit.h"
#include "auth.h"
#include "gridbill/server/config.h"
#include "passwords.h"
#include "rate_limit.h"

namespace gridbill::gateway {

inline constexpr int kDefaultGrpcPort = 7100;
inline constexpr int kDefaultMetricsPort = 9100;
inline constexpr int kDefaultWebPort = 8100;

struct Config {
  // grpc_address is the front door (the proxy); the gateway's own
  // AuthService runs on auth_address (loopback) behind it.
  ServerConfig server;
  std::string auth_address = "127.0.0.1:0";
  DatabaseConfig db;
  std::string backend_contracts = "127.0.0.1:7101";
  std::string backend_metering = "127.0.0.1:7102";
  std::string backend_balance = "127.0.0.1:7103";
  std::string backend_invoicing = "127.0.0.1:7104";
  std::string backend_forecasting = "127.0.0.1:7105";
  std::string backend_reporting = "127.0.0.1:7106";
  std::string backend_integrations = "127.0.0.1:7107";
  // Signs access tokens (token_secret) and the identity passed to services
  // (identity_secret); both required, at least 32 characters.
  std::string token_secret;
  std::string identity_secret;
  AuthSettings auth;
  Argon2Params argon2;
  // auth_cache_ttl: how long a verified API key or access token is taken as
  // verified without asking the database (ProxyOptions); a revocation
  // through another gateway replica, or a token's expiry, counts at most
  // this late. 0 = every call asks.
  absl::Duration auth_cache_ttl = absl::Seconds(1);

  // gRPC-web and the portal (web_server.h). web_address "" disables them.
  std::string web_address = "0.0.0.0:8100";
  int64_t web_max_request_bytes = 4 << 20;
  int web_threads = 32;
  std::string portal_dir;
  // web_cookie_secure: browsers reach the web door over TLS (a terminating
  // proxy in front): the session cookie is sent with Secure.
  bool web_cookie_secure = false;
  std::vector<std::string> cors_origins;  // comma-separated; "*" = any origin
  // TLS on the gRPC port: PEM certificate chain and private key, both or neither.
  std::string tls_cert_file;
  std::string tls_key_file;
  // The first admin (bootstrap_admin: a username; its password is read from
  // bootstrap_admin_password_file). Created at start when missing.
  std::string bootstrap_admin;
  std::string bootstrap_admin_password_file;
  // rate_limit_principal (calls/s, 0 = off) and _burst; rate_limit_method
  // (calls/s of one method by one caller, 0 = off) and _burst.
  RateLimits rate_limits;
  AuditSettings audit;

  // Reads every key; refuses unknown keys (typos) with INVALID_ARGUMENT.
  static absl::StatusOr<Config> Load(const ConfigSource& src);
};

}  // namespace gridbill::gateway
