// The balance service's configuration: the shard lease from the file or the
// environment, and the refusals that name the key.
#include "../config.h"

#include "absl/strings/match.h"
#include "catch2/catch.hpp"

namespace gridbill::balance {
namespace {

constexpr char kBase[] = "database_url = postgres://localhost/balance\n";

TEST_CASE("shard_lease: 10m by default, from the file or GRIDBILL_SHARD_LEASE", "[config]") {
  {
    auto src = ConfigSource::FromText(kBase);
    REQUIRE(src.ok());
    auto cfg = Config::Load(*src);
    INFO(cfg.status().ToString());
    REQUIRE(cfg.ok());
    CHECK(cfg->runs.lease == absl::Minutes(10));
  }
  {
    auto src = ConfigSource::FromText(std::string(kBase) + "shard_lease = 90s\n");
    REQUIRE(src.ok());
    auto cfg = Config::Load(*src);
    REQUIRE(cfg.ok());
    CHECK(cfg->runs.lease == absl::Seconds(90));
  }
  {
    auto src = ConfigSource::FromText(kBase, {{"GRIDBILL_SHARD_LEASE", "2m"}});
    REQUIRE(src.ok());
    auto cfg = Config::Load(*src);
    REQUIRE(cfg.ok());
    CHECK(cfg->runs.lease == absl::Minutes(2));
  }
}

TEST_CASE("shard_lease: too short or not a duration is refused naming the key", "[config]") {
  {
    auto src = ConfigSource::FromText(std::string(kBase) + "shard_lease = 2s\n");
    REQUIRE(src.ok());
    auto cfg = Config::Load(*src);
    REQUIRE_FALSE(cfg.ok());
    INFO(cfg.status().ToString());
    CHECK(cfg.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(absl::StrContains(cfg.status().message(), "shard_lease"));
    CHECK(absl::StrContains(cfg.status().message(), "minimum, 10s"));
  }
  {
    auto src = ConfigSource::FromText(kBase, {{"GRIDBILL_SHARD_LEASE", "ten minutes"}});
    REQUIRE(src.ok());
    auto cfg = Config::Load(*src);
    REQUIRE_FALSE(cfg.ok());
    INFO(cfg.status().ToString());
    CHECK(absl::StrContains(cfg.status().message(), "shard_lease"));
    CHECK(absl::StrContains(cfg.status().message(), "GRIDBILL_SHARD_LEASE"));
  }
}

}  // namespace
}  // namespace gridbill::balance
