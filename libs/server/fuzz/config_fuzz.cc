// libFuzzer target for configuration files (ConfigSource, config.cc): the
// input is a file's text; every getter and the shared Load functions read
// it. Whatever the file says, a getter returns a value or an error.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "gridbill/server/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The part after the first NUL, if any, is also the value of an
  // environment variable (the environment overrides the file).
  const size_t nul = text.find('\0');
  std::map<std::string, std::string> env;
  if (nul != std::string_view::npos) {
    env["GRIDBILL_GRPC_ADDRESS"] = std::string(text.substr(nul + 1));
    env["GRIDBILL_SHUTDOWN_GRACE"] = std::string(text.substr(nul + 1));
  }
  auto src = gridbill::ConfigSource::FromText(text.substr(0, nul), env);
  if (!src.ok()) return 0;
  (void)src->String("name", "x");
  (void)src->RequiredString("database_url");
  (void)src->Int("threads", 0, -5, 1 << 20);
  (void)src->Bool("database_migrate", true);
  (void)src->Duration("shutdown_grace", absl::Seconds(10));
  (void)src->Address("metrics_address", "0.0.0.0:0");
  (void)src->OneOf("log_level", "info", {"debug", "info", "warn", "error"});
  (void)gridbill::ServerConfig::Load(*src, "fuzz", 7000, 9000);
  (void)gridbill::DatabaseConfig::Load(*src);
  (void)src->CheckUnused();
  return 0;
}
