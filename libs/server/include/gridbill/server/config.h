// Configuration from a file plus environment variables, validated at start.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridbill {

// Settings as key -> text. File format: one `key = value` per line, '#'
// comment lines, blank lines ignored; keys are lower_snake_case; a value may
// be wrapped in double quotes. Environment variables GRIDBILL_<KEY
// upper-cased> override the file (e.g. GRIDBILL_DATABASE_URL for
// database_url), and --key=value arguments override both. The file path
// comes from --config=PATH on the command line or GRIDBILL_CONFIG; without
// either, only the environment and defaults apply.
class ConfigSource {
 public:
  // Reads argv (--config=PATH, --key=value overrides too) and the environment.
  static absl::StatusOr<ConfigSource> FromArgs(int argc, char** argv);
  // For tests: explicit file text and environment (variable name -> value,
  // e.g. {"GRIDBILL_DATABASE_URL", "postgres://..."}); origins read "config:LINE".
  static absl::StatusOr<ConfigSource> FromText(std::string_view file_text,
                                               const std::map<std::string, std::string>& env = {});
  // A file by path and an explicit environment; origins read "PATH:LINE".
  static absl::StatusOr<ConfigSource> FromFile(const std::string& path,
                                               const std::map<std::string, std::string>& env = {});

  // Typed getters: a missing key yields `fallback`; a malformed value is an
  // INVALID_ARGUMENT naming the key, the source (file or env var) and why.
  absl::StatusOr<std::string> String(std::string_view key, std::string_view fallback) const;
  absl::StatusOr<std::string> RequiredString(std::string_view key) const;
  absl::StatusOr<int64_t> Int(std::string_view key, int64_t fallback, int64_t min,
                              int64_t max) const;
  absl::StatusOr<bool> Bool(std::string_view key, bool fallback) const;
  // Durations as "10s", "250ms", "5m".
  absl::StatusOr<absl::Duration> Duration(std::string_view key, absl::Duration fallback) const;
  // host:port (port 0 allowed: pick a free one).
  absl::StatusOr<std::string> Address(std::string_view key, std::string_view fallback) const;
  // An optional peer's host:port: set to "" (or a fallback of ""), no peer.
  absl::StatusOr<std::string> OptionalAddress(std::string_view key,
                                              std::string_view fallback) const;
  // A duration of at least `min`, e.g. a lease that a worker renews about
  // once a second ("config: shard_lease: 5s is shorter than the minimum, 10s").
  absl::StatusOr<absl::Duration> DurationAtLeast(std::string_view key, absl::Duration fallback,
                                                 absl::Duration min) const;
  // worker_id: the name a job runner's claims carry; by default host:pid.
  absl::StatusOr<std::string> WorkerId() const;
  // One of `allowed` (e.g. log_level: debug|info|warn|error).
  absl::StatusOr<std::string> OneOf(std::string_view key, std::string_view fallback,
                                    std::initializer_list<std::string_view> allowed) const;
  // True when the key is set anywhere (even to ""); counts as asked for.
  bool Has(std::string_view key) const;

  // Keys present in the file or on the command line that no getter asked for
  // (typos). Environment variables are not reported: the environment is
  // shared with other software (Kubernetes service links inject
  // GRIDBILL_<NAME>_SERVICE_HOST and the like).
  std::vector<std::string> UnusedKeys() const;
  // INVALID_ARGUMENT "config: unknown key x (from /etc/x.conf:3)" when
  // UnusedKeys() is not empty; call it after every getter ran.
  absl::Status CheckUnused() const;

 private:
  static absl::StatusOr<ConfigSource> Build(std::string_view file_text, std::string_view file_label,
                                            const std::map<std::string, std::string>& env,
                                            const std::map<std::string, std::string>& flags);
  struct Value {
    std::string text;
    std::string origin;  // "PATH:LINE", "env GRIDBILL_X" or "flag --x"
  };
  const Value* Find(std::string_view key) const;
  std::map<std::string, Value, std::less<>> values_;
  mutable std::map<std::string, bool, std::less<>> used_;
};

// Mutual TLS between the gateway and the services (tls.h makes the
// credentials): the PEM files of this process's certificate, its key and
// the local CA that signs every peer's certificate. All three or none.
struct MutualTlsConfig {
  std::string cert_file;  // mtls_cert_file
  std::string key_file;   // mtls_key_file
  std::string ca_file;    // mtls_ca_file
  bool enabled() const { return !cert_file.empty(); }

  static absl::StatusOr<MutualTlsConfig> Load(const ConfigSource& src);
};

// The settings every service shares; each service's config.h embeds one.
struct ServerConfig {
  std::string service_name;  // "contracts"
  std::string grpc_address;  // grpc_address, default "0.0.0.0:<default_port>"
  // metrics_address, default "0.0.0.0:<default metrics port>"; "" disables.
  std::string metrics_address;
  absl::Duration shutdown_grace;  // shutdown_grace, default 10s
  int threads = 0;                // threads (0 = gRPC default)
  std::string log_level;          // log_level: debug|info|warn|error
  int64_t max_message_bytes = 0;  // max_message_bytes, default 16 MiB
  // identity_secret, default "" (off): when set (at least 32 characters),
  // the server accepts only calls whose identity the gateway signed with it
  // and enforces each method's declared roles (identity_guard.h).
  std::string identity_secret;
  // mtls_*, default off: when set, the server speaks TLS only and requires
  // a client certificate the CA signed; the clients this service makes
  // (ChannelCredentialsFor in tls.h) present its certificate.
  MutualTlsConfig mtls;

  // Reads the shared keys with these defaults.
  static absl::StatusOr<ServerConfig> Load(const ConfigSource& src, std::string_view service_name,
                                           int default_grpc_port, int default_metrics_port);
};

// The PostgreSQL settings every service shares.
struct DatabaseConfig {
  std::string url;                   // database_url (required)
  int pool_size = 8;                 // database_pool_size 1..256
  absl::Duration statement_timeout;  // database_statement_timeout, default 60s
  // database_migrate: what a start does with the schema.
  enum class Migrate {
    kApply,  // true (default): apply pending migrations, then serve
    kOff,    // false: neither apply nor check
    kOnly,   // only: apply them under the advisory lock and exit 0 (a migrations Job)
    kCheck,  // check: serve only if every migration of the binary is applied
  };
  Migrate migrate = Migrate::kApply;
  // database_owner_url, default "" (url): the role that owns the schema.
  // When set, migrations run over it and the role of `url` gets only
  // SELECT, INSERT, UPDATE, DELETE on the tables (Bootstrap grants them):
  // it cannot drop a table or alter the immutability triggers.
  std::string owner_url;

  static absl::StatusOr<DatabaseConfig> Load(const ConfigSource& src);
};

}  // namespace gridbill
