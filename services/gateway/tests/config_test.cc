// The gateway's settings: defaults, overrides and refusals that name the key.
#include <catch2/catch.hpp>

#include <string>

#include "config.h"

namespace gridbill::gateway {
namespace {

constexpr char kRequired[] =
    "database_url = postgres:///gateway\n"
    "token_secret = 0123456789abcdef0123456789abcdef\n"
    "identity_secret = abcdef0123456789abcdef0123456789\n";

absl::StatusOr<Config> Load(const std::string& extra) {
  auto source = ConfigSource::FromText(std::string(kRequired) + extra);
  if (!source.ok()) return source.status();
  return Config::Load(*source);
}

TEST_CASE("gateway config: the credential cache lasts 1 s unless set") {
  auto defaults = Load("");
  INFO(defaults.status().ToString());
  REQUIRE(defaults.ok());
  CHECK(defaults->auth_cache_ttl == absl::Seconds(1));
  auto shorter = Load("auth_cache_ttl = 250ms\n");
  REQUIRE(shorter.ok());
  CHECK(shorter->auth_cache_ttl == absl::Milliseconds(250));
  auto off = Load("auth_cache_ttl = 0s\n");
  REQUIRE(off.ok());
  CHECK(off->auth_cache_ttl == absl::ZeroDuration());
}

TEST_CASE("gateway config: a credential cache over a minute is refused, naming the key") {
  auto long_ttl = Load("auth_cache_ttl = 5m\n");
  REQUIRE_FALSE(long_ttl.ok());
  CHECK(long_ttl.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(long_ttl.status().message()), Catch::Contains("auth_cache_ttl"));
  auto typo = Load("auth_cache_tll = 1s\n");
  REQUIRE_FALSE(typo.ok());
  CHECK_THAT(std::string(typo.status().message()), Catch::Contains("auth_cache_tll"));
}

}  // namespace
}  // namespace gridbill::gateway
