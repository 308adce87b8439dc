#include "gridbill/server/config.h"

#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace gridbill {
namespace {

// A config file in a fresh temporary directory, removed at scope end.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    std::string dir_template =
        (std::filesystem::temp_directory_path() / "gridbill_config_XXXXXX").string();
    dir_ = mkdtemp(dir_template.data());
    path_ = dir_ + "/service.conf";
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove_all(dir_); }
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

// Sets an environment variable for the scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }

 private:
  const char* name_;
};

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST_CASE("ServerConfig defaults apply when nothing is set") {
  auto src = ConfigSource::FromText("");
  REQUIRE(src.ok());
  auto cfg = ServerConfig::Load(*src, "contracts", 50051, 9091);
  REQUIRE(cfg.ok());
  CHECK(cfg->service_name == "contracts");
  CHECK(cfg->grpc_address == "0.0.0.0:50051");
  CHECK(cfg->metrics_address == "0.0.0.0:9091");
  CHECK(cfg->shutdown_grace == absl::Seconds(10));
  CHECK(cfg->threads == 0);
  CHECK(cfg->log_level == "info");
  CHECK(cfg->max_message_bytes == 16 << 20);
  CHECK(src->UnusedKeys().empty());
  CHECK(src->CheckUnused().ok());
}

TEST_CASE("file values are read and env overrides the file") {
  auto src = ConfigSource::FromText(
      "# contracts\n"
      "\n"
      "grpc_address = 127.0.0.1:7000\n"
      "  shutdown_grace=250ms  \n"
      "log_level = debug\n"
      "database_url = \"postgres://file/db\"\n"
      "database_pool_size = 4\n",
      {{"GRIDBILL_DATABASE_POOL_SIZE", "16"},
       {"GRIDBILL_METRICS_ADDRESS", ""},
       {"PATH", "/usr/bin"}});
  REQUIRE(src.ok());
  auto cfg = ServerConfig::Load(*src, "contracts", 50051, 9091);
  REQUIRE(cfg.ok());
  CHECK(cfg->grpc_address == "127.0.0.1:7000");
  CHECK(cfg->shutdown_grace == absl::Milliseconds(250));
  CHECK(cfg->log_level == "debug");
  CHECK(cfg->metrics_address.empty());  // explicitly empty: disabled
  auto db = DatabaseConfig::Load(*src);
  REQUIRE(db.ok());
  CHECK(db->url == "postgres://file/db");
  CHECK(db->pool_size == 16);
  CHECK(db->statement_timeout == absl::Seconds(60));
  CHECK(db->migrate == DatabaseConfig::Migrate::kApply);
}

TEST_CASE("FromArgs - flags beat env vars which beat the --config file") {
  TempFile file(
      "grpc_address = 127.0.0.1:7000\n"
      "threads = 4\n"
      "database_url = postgres://file/db\n"
      "database_migrate = true\n");
  ScopedEnv threads("GRIDBILL_THREADS", "8");
  ScopedEnv migrate("GRIDBILL_DATABASE_MIGRATE", "false");
  std::string config_arg = "--config=" + file.path();
  std::vector<std::string> args = {"contracts", config_arg, "--threads=12",
                                   "--database-url=postgres://flag/db"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  auto src = ConfigSource::FromArgs(static_cast<int>(argv.size()), argv.data());
  REQUIRE(src.ok());
  auto cfg = ServerConfig::Load(*src, "contracts", 50051, 9091);
  REQUIRE(cfg.ok());
  CHECK(cfg->grpc_address == "127.0.0.1:7000");  // file
  CHECK(cfg->threads == 12);                     // flag beats env beats file
  auto db = DatabaseConfig::Load(*src);
  REQUIRE(db.ok());
  CHECK(db->url == "postgres://flag/db");
  CHECK(db->migrate == DatabaseConfig::Migrate::kOff);  // env beats file
}

TEST_CASE("FromArgs - GRIDBILL_CONFIG names the file - bad arguments and missing files fail") {
  TempFile file("log_level = warn\n");
  {
    ScopedEnv path("GRIDBILL_CONFIG", file.path().c_str());
    char prog[] = "svc";
    char* argv[] = {prog};
    auto src = ConfigSource::FromArgs(1, argv);
    REQUIRE(src.ok());
    CHECK(*src->String("log_level", "info") == "warn");
    CHECK(src->UnusedKeys().empty());  // GRIDBILL_CONFIG is not a key
  }
  {
    char prog[] = "svc";
    char stray[] = "contracts.conf";
    char* argv[] = {prog, stray};
    auto src = ConfigSource::FromArgs(2, argv);
    REQUIRE_FALSE(src.ok());
    CHECK(Message(src.status()) ==
          "config: unexpected argument \"contracts.conf\" (expected --key=value)");
  }
  {
    char prog[] = "svc";
    char missing[] = "--config=/nonexistent/gridbill.conf";
    char* argv[] = {prog, missing};
    auto src = ConfigSource::FromArgs(2, argv);
    REQUIRE_FALSE(src.ok());
    CHECK(Message(src.status()) ==
          "config: cannot read /nonexistent/gridbill.conf: No such file or directory");
  }
}

TEST_CASE("errors name the key and the value and where it came from") {
  SECTION("not an integer, from env") {
    auto src = ConfigSource::FromText(
        "", {{"GRIDBILL_DATABASE_POOL_SIZE", "abc"}, {"GRIDBILL_DATABASE_URL", "postgres://x"}});
    auto db = DatabaseConfig::Load(*src);
    REQUIRE_FALSE(db.ok());
    CHECK(db.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(Message(db.status()) ==
          "config: database_pool_size: \"abc\" is not an integer (from env "
          "GRIDBILL_DATABASE_POOL_SIZE)");
  }
  SECTION("integer out of range, from the file") {
    auto src = ConfigSource::FromText("database_url = x\ndatabase_pool_size = 300\n");
    auto db = DatabaseConfig::Load(*src);
    REQUIRE_FALSE(db.ok());
    CHECK(Message(db.status()) ==
          "config: database_pool_size: 300 is out of range 1..256 (from config:2)");
  }
  SECTION("port out of range, with the file path and line") {
    TempFile file("# ports\nlog_level = info\ngrpc_address = 0.0.0.0:99999\n");
    auto src = ConfigSource::FromFile(file.path());
    REQUIRE(src.ok());
    auto cfg = ServerConfig::Load(*src, "contracts", 50051, 9091);
    REQUIRE_FALSE(cfg.ok());
    CHECK(Message(cfg.status()) ==
          "config: grpc_address: port 99999 out of range (from " + file.path() + ":3)");
  }
  SECTION("address without a port") {
    auto src = ConfigSource::FromText("metrics_address = localhost\n");
    auto cfg = ServerConfig::Load(*src, "contracts", 50051, 9091);
    REQUIRE_FALSE(cfg.ok());
    CHECK(Message(cfg.status()) ==
          "config: metrics_address: \"localhost\" is not host:port (from config:1)");
  }
  SECTION("IPv6 and port 0 are addresses") {
    auto src = ConfigSource::FromText("grpc_address = [::]:0\nmetrics_address = 127.0.0.1:0\n");
    auto cfg = ServerConfig::Load(*src, "contracts", 50051, 9091);
    REQUIRE(cfg.ok());
    CHECK(cfg->grpc_address == "[::]:0");
  }
  SECTION("required key missing") {
    auto src = ConfigSource::FromText("");
    auto db = DatabaseConfig::Load(*src);
    REQUIRE_FALSE(db.ok());
    CHECK(Message(db.status()) ==
          "config: database_url: required (set it in the config file or GRIDBILL_DATABASE_URL)");
  }
  SECTION("not a migration mode") {
    auto src = ConfigSource::FromText("database_url = x\ndatabase_migrate = maybe\n");
    auto db = DatabaseConfig::Load(*src);
    REQUIRE_FALSE(db.ok());
    CHECK(absl::StartsWith(Message(db.status()),
                           "config: database_migrate: \"maybe\" is not one of true, false, only, "
                           "check"));
  }
  SECTION("a migrations Job migrates only; its services check") {
    auto only = DatabaseConfig::Load(
        *ConfigSource::FromText("database_url = x\ndatabase_migrate = only\n"));
    REQUIRE(only.ok());
    CHECK(only->migrate == DatabaseConfig::Migrate::kOnly);
    auto check = DatabaseConfig::Load(
        *ConfigSource::FromText("database_url = x\ndatabase_migrate = check\n"));
    REQUIRE(check.ok());
    CHECK(check->migrate == DatabaseConfig::Migrate::kCheck);
  }
  SECTION("not a duration, negative duration") {
    auto src = ConfigSource::FromText("shutdown_grace = 10\n");
    auto cfg = ServerConfig::Load(*src, "contracts", 50051, 9091);
    REQUIRE_FALSE(cfg.ok());
    CHECK(Message(cfg.status()) ==
          "config: shutdown_grace: \"10\" is not a duration like 10s, 250ms or 5m (from "
          "config:1)");
    auto neg = ConfigSource::FromText("", {{"GRIDBILL_SHUTDOWN_GRACE", "-5s"}});
    auto cfg2 = ServerConfig::Load(*neg, "contracts", 50051, 9091);
    REQUIRE_FALSE(cfg2.ok());
    CHECK(Message(cfg2.status()) ==
          "config: shutdown_grace: \"-5s\" is negative (from env GRIDBILL_SHUTDOWN_GRACE)");
  }
  SECTION("not one of the log levels") {
    auto src = ConfigSource::FromText("log_level = verbose\n");
    auto cfg = ServerConfig::Load(*src, "contracts", 50051, 9091);
    REQUIRE_FALSE(cfg.ok());
    CHECK(Message(cfg.status()) ==
          "config: log_level: \"verbose\" is not one of debug, info, warn, error (from "
          "config:1)");
  }
}

TEST_CASE("an optional peer address: empty is no peer, else host:port") {
  auto src = ConfigSource::FromText("balance_address =\ninvoicing_address = inv:7104\n",
                                    {{"GRIDBILL_METERING_ADDRESS", "metering"}});
  REQUIRE(src.ok());
  CHECK(*src->OptionalAddress("balance_address", "127.0.0.1:7103") == "");
  CHECK(*src->OptionalAddress("invoicing_address", "") == "inv:7104");
  CHECK(*src->OptionalAddress("contracts_address", "127.0.0.1:7101") == "127.0.0.1:7101");
  CHECK(*src->OptionalAddress("forecasting_address", "") == "");
  absl::StatusOr<std::string> bad = src->OptionalAddress("metering_address", "");
  REQUIRE_FALSE(bad.ok());
  CHECK(Message(bad.status()) ==
        "config: metering_address: \"metering\" is not host:port (from env "
        "GRIDBILL_METERING_ADDRESS)");
}

TEST_CASE("a lease shorter than its minimum is refused; worker_id defaults to host:pid") {
  auto src = ConfigSource::FromText("shard_lease = 5s\nrun_lease = 30s\n");
  REQUIRE(src.ok());
  absl::StatusOr<absl::Duration> short_lease =
      src->DurationAtLeast("shard_lease", absl::Minutes(10), absl::Seconds(10));
  REQUIRE_FALSE(short_lease.ok());
  CHECK(Message(short_lease.status()) ==
        "config: shard_lease: 5s is shorter than the minimum, 10s (from config:1)");
  CHECK(*src->DurationAtLeast("run_lease", absl::Minutes(5), absl::Seconds(10)) ==
        absl::Seconds(30));
  CHECK(*src->DurationAtLeast("refresh_lease", absl::Minutes(5), absl::Seconds(10)) ==
        absl::Minutes(5));
  absl::StatusOr<std::string> id = src->WorkerId();
  REQUIRE(id.ok());
  CHECK(absl::EndsWith(*id, ":" + std::to_string(getpid())));
  auto named = ConfigSource::FromText("worker_id = replica-a\n");
  CHECK(*named->WorkerId() == "replica-a");
}

TEST_CASE("malformed files are rejected with the line") {
  auto no_eq = ConfigSource::FromText("grpc_address 0.0.0.0:1\n");
  REQUIRE_FALSE(no_eq.ok());
  CHECK(Message(no_eq.status()) ==
        "config: config:1: expected `key = value`, got \"grpc_address 0.0.0.0:1\"");
  auto bad_key = ConfigSource::FromText("\nGrpcAddress = x\n");
  REQUIRE_FALSE(bad_key.ok());
  CHECK(Message(bad_key.status()) ==
        "config: config:2: \"GrpcAddress\" is not a lower_snake_case key");
  auto twice = ConfigSource::FromText("threads = 1\nthreads = 2\n");
  REQUIRE_FALSE(twice.ok());
  CHECK(Message(twice.status()) == "config: threads: set twice (config:1 and config:2)");
}

TEST_CASE("keys nobody asked for are reported except environment variables") {
  auto src = ConfigSource::FromText("grpc_adress = 0.0.0.0:1\ndatabase_url = x\n",
                                    {{"GRIDBILL_CONTRACTS_SERVICE_HOST", "10.0.0.1"}});
  REQUIRE(src.ok());
  REQUIRE(ServerConfig::Load(*src, "contracts", 50051, 9091).ok());
  CHECK(src->UnusedKeys() == std::vector<std::string>{"database_url", "grpc_adress"});
  REQUIRE(DatabaseConfig::Load(*src).ok());
  CHECK(src->UnusedKeys() == std::vector<std::string>{"grpc_adress"});
  absl::Status unused = src->CheckUnused();
  CHECK(unused.code() == absl::StatusCode::kInvalidArgument);
  CHECK(Message(unused) == "config: unknown key grpc_adress (from config:1)");
}

}  // namespace
}  // namespace gridbill
