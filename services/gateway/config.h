// The gateway's configuration: one validated struct.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "auth.h"
#include "gridbill/server/config.h"
#include "passwords.h"

namespace gridbill::gateway {

inline constexpr int kDefaultGrpcPort = 7100;
inline constexpr int kDefaultMetricsPort = 9100;

struct Config {
  // grpc_address is the front door (the proxy); the gateway's own
  // AuthService runs on auth_address (loopback) behind it.
  ServerConfig server;
  std::string auth_address = "127.0.0.1:0";
  DatabaseConfig db;
  std::string backend_contracts = "127.0.0.1:7101";
  std::string backend_metering = "127.0.0.1:7102";
  // Signs access tokens (token_secret) and the identity passed to services
  // (identity_secret); both required, at least 32 characters.
  std::string token_secret;
  std::string identity_secret;
  AuthSettings auth;
  Argon2Params argon2;

  // Reads every key; refuses unknown keys (typos) with INVALID_ARGUMENT.
  static absl::StatusOr<Config> Load(const ConfigSource& src);
};

}  // namespace gridbill::gateway
