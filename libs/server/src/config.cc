#include "gridbill/server/config.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/status_macros.h"

extern char** environ;

namespace gridbill {
namespace {

// An HMAC key shorter than this is guessable.
constexpr size_t kMinIdentitySecretBytes = 32;

constexpr absl::string_view kEnvPrefix = "GRIDBILL_";
constexpr absl::string_view kConfigEnv = "GRIDBILL_CONFIG";
constexpr absl::string_view kEnvOrigin = "env ";

std::string EnvName(absl::string_view key) {
  return absl::StrCat(kEnvPrefix, absl::AsciiStrToUpper(key));
}

bool IsKey(absl::string_view key) {
  if (key.empty() || !absl::ascii_islower(key.front())) return false;
  for (char c : key) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') return false;
  }
  return true;
}

absl::Status Bad(absl::string_view key, absl::string_view why, absl::string_view origin) {
  return absl::InvalidArgumentError(
      absl::StrCat("config: ", key, ": ", why, " (from ", origin, ")"));
}

std::string Quoted(absl::string_view text) { return absl::StrCat("\"", text, "\""); }

// Parses the file text into `values`; `label` names the file in origins.
absl::Status ParseFile(absl::string_view text, absl::string_view label,
                       std::map<std::string, std::string, std::less<>>& values,
                       std::map<std::string, std::string, std::less<>>& origins) {
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    std::string origin = absl::StrCat(label, ":", line_no);
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("config: ", origin, ": expected `key = value`, got ", Quoted(line)));
    }
    absl::string_view key = absl::StripAsciiWhitespace(line.substr(0, eq));
    absl::string_view value = absl::StripAsciiWhitespace(line.substr(eq + 1));
    if (!IsKey(key)) {
      return absl::InvalidArgumentError(
          absl::StrCat("config: ", origin, ": ", Quoted(key), " is not a lower_snake_case key"));
    }
    // Quotes keep leading/trailing spaces and make an empty value explicit.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (auto it = origins.find(ToStd(key)); it != origins.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("config: ", key, ": set twice (", it->second, " and ", origin, ")"));
    }
    values[std::string(key)] = std::string(value);
    origins[std::string(key)] = origin;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: cannot read ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<int> ParsePort(absl::string_view key, absl::string_view port_text,
                              absl::string_view origin) {
  int64_t port = 0;
  if (port_text.empty() || !absl::c_all_of(port_text, absl::ascii_isdigit) ||
      !absl::SimpleAtoi(port_text, &port)) {
    return Bad(key, absl::StrCat("port ", Quoted(port_text), " is not a number"), origin);
  }
  if (port > 65535) return Bad(key, absl::StrCat("port ", port, " out of range"), origin);
  return static_cast<int>(port);
}

// Validates host:port, [v6]:port.
absl::Status CheckAddress(absl::string_view key, absl::string_view text, absl::string_view origin) {
  absl::string_view host;
  absl::string_view port;
  if (absl::StartsWith(text, "[")) {
    size_t close = text.find(']');
    if (close == absl::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Bad(key, absl::StrCat(Quoted(text), " is not host:port"), origin);
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos || text.find(':') != colon) {
      return Bad(key, absl::StrCat(Quoted(text), " is not host:port"), origin);
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return Bad(key, absl::StrCat(Quoted(text), ": host is empty"), origin);
  return ParsePort(key, port, origin).status();
}

}  // namespace

absl::StatusOr<ConfigSource> ConfigSource::FromText(std::string_view file_text,
                                                    const std::map<std::string, std::string>& env) {
  return Build(file_text, "config", env, {});
}

absl::StatusOr<ConfigSource> ConfigSource::FromFile(const std::string& path,
                                                    const std::map<std::string, std::string>& env) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return Build(text, path, env, {});
}

absl::StatusOr<ConfigSource> ConfigSource::FromArgs(int argc, char** argv) {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    absl::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == absl::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  std::string path;
  if (auto it = env.find(std::string(kConfigEnv)); it != env.end()) path = it->second;
  std::map<std::string, std::string> flags;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg(argv[i]);
    size_t eq = arg.find('=');
    if (!absl::StartsWith(arg, "--") || eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("config: unexpected argument ", Quoted(arg), " (expected --key=value)"));
    }
    std::string key(arg.substr(2, eq - 2));
    absl::c_replace(key, '-', '_');
    std::string value(arg.substr(eq + 1));
    if (key == "config") {
      path = value;
      continue;
    }
    if (!IsKey(key)) {
      return absl::InvalidArgumentError(
          absl::StrCat("config: argument ", Quoted(arg), ": not a lower_snake_case key"));
    }
    flags[key] = value;
  }
  std::string text;
  if (!path.empty()) {
    ASSIGN_OR_RETURN(text, ReadFile(path));
  }
  return Build(text, path.empty() ? "config" : path, env, flags);
}

absl::StatusOr<ConfigSource> ConfigSource::Build(std::string_view file_text,
                                                 std::string_view file_label,
                                                 const std::map<std::string, std::string>& env,
                                                 const std::map<std::string, std::string>& flags) {
  std::map<std::string, std::string, std::less<>> file_values;
  std::map<std::string, std::string, std::less<>> file_origins;
  RETURN_IF_ERROR(ParseFile(ToAbsl(file_text), ToAbsl(file_label), file_values, file_origins));
  ConfigSource src;
  for (const auto& [key, text] : file_values) {
    src.values_[key] = Value{text, file_origins[key]};
  }
  for (const auto& [name, text] : env) {
    if (!absl::StartsWith(name, kEnvPrefix) || name == kConfigEnv) continue;
    std::string key = absl::AsciiStrToLower(absl::string_view(name).substr(kEnvPrefix.size()));
    if (!IsKey(key)) continue;
    src.values_[key] = Value{text, absl::StrCat(kEnvOrigin, name)};
  }
  for (const auto& [key, text] : flags) {
    src.values_[key] = Value{text, absl::StrCat("flag --", key)};
  }
  return src;
}

const ConfigSource::Value* ConfigSource::Find(std::string_view key) const {
  used_[std::string(key)] = true;
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

absl::StatusOr<std::string> ConfigSource::String(std::string_view key,
                                                 std::string_view fallback) const {
  const Value* v = Find(key);
  return v == nullptr ? std::string(fallback) : v->text;
}

absl::StatusOr<std::string> ConfigSource::RequiredString(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr || v->text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", ToAbsl(key),
                                                   ": required (set it in the config file or ",
                                                   EnvName(ToAbsl(key)), ")"));
  }
  return v->text;
}

absl::StatusOr<int64_t> ConfigSource::Int(std::string_view key, int64_t fallback, int64_t min,
                                          int64_t max) const {
  const Value* v = Find(key);
  if (v == nullptr) return fallback;
  int64_t n = 0;
  if (!absl::SimpleAtoi(v->text, &n)) {
    return Bad(ToAbsl(key), absl::StrCat(Quoted(v->text), " is not an integer"), v->origin);
  }
  if (n < min || n > max) {
    return Bad(ToAbsl(key), absl::StrCat(n, " is out of range ", min, "..", max), v->origin);
  }
  return n;
}

absl::StatusOr<bool> ConfigSource::Bool(std::string_view key, bool fallback) const {
  const Value* v = Find(key);
  if (v == nullptr) return fallback;
  std::string t = absl::AsciiStrToLower(v->text);
  if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  return Bad(ToAbsl(key), absl::StrCat(Quoted(v->text), " is not a boolean (true or false)"),
             v->origin);
}

absl::StatusOr<absl::Duration> ConfigSource::Duration(std::string_view key,
                                                      absl::Duration fallback) const {
  const Value* v = Find(key);
  if (v == nullptr) return fallback;
  absl::Duration d;
  if (!absl::ParseDuration(v->text, &d) || d == absl::InfiniteDuration() ||
      d == -absl::InfiniteDuration()) {
    return Bad(ToAbsl(key),
               absl::StrCat(Quoted(v->text), " is not a duration like 10s, 250ms or 5m"),
               v->origin);
  }
  if (d < absl::ZeroDuration()) {
    return Bad(ToAbsl(key), absl::StrCat(Quoted(v->text), " is negative"), v->origin);
  }
  return d;
}

absl::StatusOr<std::string> ConfigSource::Address(std::string_view key,
                                                  std::string_view fallback) const {
  const Value* v = Find(key);
  if (v == nullptr) return std::string(fallback);
  RETURN_IF_ERROR(CheckAddress(ToAbsl(key), v->text, v->origin));
  return v->text;
}

absl::StatusOr<std::string> ConfigSource::OptionalAddress(std::string_view key,
                                                          std::string_view fallback) const {
  const Value* v = Find(key);
  if (v == nullptr || v->text.empty()) return std::string(v == nullptr ? fallback : "");
  RETURN_IF_ERROR(CheckAddress(ToAbsl(key), v->text, v->origin));
  return v->text;
}

absl::StatusOr<absl::Duration> ConfigSource::DurationAtLeast(std::string_view key,
                                                             absl::Duration fallback,
                                                             absl::Duration min) const {
  ASSIGN_OR_RETURN(absl::Duration d, Duration(key, fallback));
  if (d < min) {
    const Value* v = Find(key);
    return Bad(ToAbsl(key),
               absl::StrCat(absl::FormatDuration(d), " is shorter than the minimum, ",
                            absl::FormatDuration(min)),
               v == nullptr ? "default" : v->origin);
  }
  return d;
}

absl::StatusOr<std::string> ConfigSource::WorkerId() const {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return String("worker_id", absl::StrCat(host, ":", static_cast<int>(getpid())));
}

bool ConfigSource::Has(std::string_view key) const { return Find(key) != nullptr; }

absl::StatusOr<std::string> ConfigSource::OneOf(
    std::string_view key, std::string_view fallback,
    std::initializer_list<std::string_view> allowed) const {
  const Value* v = Find(key);
  if (v == nullptr) return std::string(fallback);
  std::vector<absl::string_view> names;
  for (std::string_view a : allowed) {
    if (a == v->text) return v->text;
    names.push_back(ToAbsl(a));
  }
  return Bad(ToAbsl(key),
             absl::StrCat(Quoted(v->text), " is not one of ", absl::StrJoin(names, ", ")),
             v->origin);
}

std::vector<std::string> ConfigSource::UnusedKeys() const {
  std::vector<std::string> unused;
  for (const auto& [key, value] : values_) {
    // The environment is shared with other software (Kubernetes service
    // links inject GRIDBILL_<SERVICE>_PORT...), so only the file and the
    // command line are held to "every key is known".
    if (absl::StartsWith(value.origin, kEnvOrigin)) continue;
    if (used_.find(key) == used_.end()) unused.push_back(key);
  }
  return unused;
}

absl::Status ConfigSource::CheckUnused() const {
  std::vector<std::string> unknown;
  for (const std::string& key : UnusedKeys()) {
    unknown.push_back(absl::StrCat(key, " (from ", values_.find(key)->second.origin, ")"));
  }
  if (unknown.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "config: unknown key", unknown.size() > 1 ? "s " : " ", absl::StrJoin(unknown, ", ")));
}

absl::StatusOr<ServerConfig> ServerConfig::Load(const ConfigSource& src,
                                                std::string_view service_name,
                                                int default_grpc_port, int default_metrics_port) {
  ServerConfig c;
  c.service_name = std::string(service_name);
  ASSIGN_OR_RETURN(c.grpc_address,
                   src.Address("grpc_address", absl::StrCat("0.0.0.0:", default_grpc_port)));
  // An explicitly empty metrics_address disables the endpoint.
  ASSIGN_OR_RETURN(std::string metrics, src.String("metrics_address", ""));
  if (!src.Has("metrics_address") || !metrics.empty()) {
    ASSIGN_OR_RETURN(
        c.metrics_address,
        src.Address("metrics_address", absl::StrCat("0.0.0.0:", default_metrics_port)));
  }
  ASSIGN_OR_RETURN(c.shutdown_grace, src.Duration("shutdown_grace", absl::Seconds(10)));
  ASSIGN_OR_RETURN(int64_t threads, src.Int("threads", 0, 0, 1024));
  c.threads = static_cast<int>(threads);
  ASSIGN_OR_RETURN(c.log_level, src.OneOf("log_level", "info", {"debug", "info", "warn", "error"}));
  ASSIGN_OR_RETURN(c.max_message_bytes,
                   src.Int("max_message_bytes", int64_t{16} << 20, 1024, int64_t{1} << 30));
  ASSIGN_OR_RETURN(c.identity_secret, src.String("identity_secret", ""));
  if (!c.identity_secret.empty() && c.identity_secret.size() < kMinIdentitySecretBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: identity_secret: at least ", kMinIdentitySecretBytes,
                     " characters are required (or leave it empty to trust identity as sent)"));
  }
  ASSIGN_OR_RETURN(c.mtls, MutualTlsConfig::Load(src));
  return c;
}

absl::StatusOr<MutualTlsConfig> MutualTlsConfig::Load(const ConfigSource& src) {
  MutualTlsConfig c;
  ASSIGN_OR_RETURN(c.cert_file, src.String("mtls_cert_file", ""));
  ASSIGN_OR_RETURN(c.key_file, src.String("mtls_key_file", ""));
  ASSIGN_OR_RETURN(c.ca_file, src.String("mtls_ca_file", ""));
  const int set = !c.cert_file.empty() + !c.key_file.empty() + !c.ca_file.empty();
  if (set != 0 && set != 3) {
    return absl::InvalidArgumentError(
        "config: mtls_cert_file, mtls_key_file and mtls_ca_file: set all three (mutual TLS) or "
        "none (plaintext)");
  }
  return c;
}

absl::StatusOr<DatabaseConfig> DatabaseConfig::Load(const ConfigSource& src) {
  DatabaseConfig c;
  ASSIGN_OR_RETURN(c.url, src.RequiredString("database_url"));
  ASSIGN_OR_RETURN(int64_t pool, src.Int("database_pool_size", 8, 1, 256));
  c.pool_size = static_cast<int>(pool);
  ASSIGN_OR_RETURN(c.statement_timeout,
                   src.Duration("database_statement_timeout", absl::Seconds(60)));
  // A boolean as before, or `only` (a migrations Job) or `check`.
  ASSIGN_OR_RETURN(const std::string migrate, src.OneOf("database_migrate", "true",
                                                        {"true", "false", "only", "check", "1", "0",
                                                         "yes", "no", "on", "off"}));
  if (migrate == "only") {
    c.migrate = DatabaseConfig::Migrate::kOnly;
  } else if (migrate == "check") {
    c.migrate = DatabaseConfig::Migrate::kCheck;
  } else if (migrate == "false" || migrate == "0" || migrate == "no" || migrate == "off") {
    c.migrate = DatabaseConfig::Migrate::kOff;
  } else {
    c.migrate = DatabaseConfig::Migrate::kApply;
  }
  ASSIGN_OR_RETURN(c.owner_url, src.String("database_owner_url", ""));
  return c;
}

}  // namespace gridbill
