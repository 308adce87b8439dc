#include "tools/gridbillctl/cli.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

namespace gridbill::ctl {
namespace {

struct Run {
  int code = 0;
  std::string out;
  std::string err;
};

Run Ctl(std::vector<std::string> argv) {
  std::ostringstream out, err;
  Run r;
  r.code = Main(argv, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST_CASE("help lists every command and exits 0", "[cli]") {
  Run r = Ctl({"help"});
  CHECK(r.code == 0);
  for (const char* c : {"participants list", "contracts transition ID", "tariffs period",
                        "applications count", "reference history ID",
                        "import participants FILE.csv", "demo load", "demo write-csv DIR"}) {
    CHECK_THAT(r.out, Catch::Contains(c));
  }
  CHECK(Ctl({"--help"}).code == 0);
}

TEST_CASE("each command has help text", "[cli]") {
  for (const Command& c : Commands()) {
    Run r = Ctl({"help", c.group, c.name});
    INFO(c.group << " " << c.name);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("usage: gridbillctl " + c.group + " " + c.name));
    Run flag = Ctl({c.group, c.name, "--help"});
    CHECK(flag.code == 0);
    CHECK(flag.out == r.out);
  }
}

TEST_CASE("unknown commands and bad flags exit 2 with a message", "[cli]") {
  Run unknown = Ctl({"frobnicate"});
  CHECK(unknown.code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("unknown command \"frobnicate\""));
  CHECK(Ctl({"participants"}).code == 2);
  CHECK(Ctl({"participants", "delete"}).code == 2);
  Run flag = Ctl({"participants", "list", "--colour", "red"});
  CHECK(flag.code == 2);
  CHECK_THAT(flag.err, Catch::Contains("unknown flag --colour"));
  Run value = Ctl({"participants", "list", "--status", "sleeping"});
  CHECK(value.code == 2);
  CHECK_THAT(value.err, Catch::Contains("unknown participant status \"sleeping\""));
  CHECK(Ctl({"participants", "get"}).code == 2);
  CHECK(Ctl({"participants", "get", "a", "b"}).code == 2);
  CHECK(Ctl({"--output", "xml", "tariffs", "list"}).code == 2);
  CHECK(Ctl({"--timeout", "soon", "tariffs", "list"}).code == 2);
  CHECK(Ctl({"--roles", "king", "tariffs", "list"}).code == 2);
  CHECK(Ctl({"tariffs", "period", "--service", "balancing", "--period", "2024-13"}).code == 2);
  CHECK(Ctl({"contracts", "list", "--valid-on", "2024-02-30"}).code == 2);
}

TEST_CASE("flags parse in both forms, repeatable ones collect values", "[cli]") {
  std::vector<FlagSpec> specs = {{"role", "ROLE", "", true}, {"all", "", ""}, {"bin", "BIN", ""}};
  auto args =
      Args::Parse({"ID", "--role=generator", "--role", "consumer", "--all", "--bin", "1"}, specs);
  REQUIRE(args.ok());
  CHECK(args->positional() == std::vector<std::string>{"ID"});
  CHECK(args->GetAll("role") == std::vector<std::string>{"generator", "consumer"});
  CHECK(args->Has("all"));
  CHECK(args->Get("bin") == "1");
  CHECK_FALSE(Args::Parse({"--bin", "1", "--bin", "2"}, specs).ok());
  CHECK_FALSE(Args::Parse({"--bin"}, specs).ok());
  CHECK_FALSE(Args::Parse({"--all=yes"}, specs).ok());
}

TEST_CASE("global flags are taken from anywhere on the line", "[cli]") {
  GlobalOptions options;
  auto rest = ExtractGlobalFlags(
      {"participants", "--addr", "gw:443", "list", "--output=json", "--roles", "auditor,operator",
       "--timeout", "2m", "--participant", "p-1", "--status", "active"},
      options);
  REQUIRE(rest.ok());
  CHECK(*rest == std::vector<std::string>{"participants", "list", "--status", "active"});
  CHECK(options.client.address == "gw:443");
  CHECK(options.json);
  CHECK(options.client.identity.roles == "ROLE_AUDITOR,ROLE_OPERATOR");
  CHECK(options.client.identity.participant == "p-1");
  CHECK(options.client.timeout == absl::Minutes(2));
}

TEST_CASE("after the command, a flag the command defines is the command's", "[cli]") {
  GlobalOptions options;
  auto rest = ExtractGlobalFlags(
      {"--participant", "me", "contracts", "list", "--participant", "them", "--addr=h:1"}, options);
  REQUIRE(rest.ok());
  CHECK(*rest == std::vector<std::string>{"contracts", "list", "--participant", "them"});
  CHECK(options.client.identity.participant == "me");
  CHECK(options.client.address == "h:1");
  GlobalOptions other;
  auto scoped = ExtractGlobalFlags({"participants", "list", "--participant", "me"}, other);
  REQUIRE(scoped.ok());
  CHECK(*scoped == std::vector<std::string>{"participants", "list"});
  CHECK(other.client.identity.participant == "me");
}

TEST_CASE("with a gateway named, every service is called through it with the credentials",
          "[cli]") {
  ::setenv("GRIDBILL_BALANCE_ADDR", "balance-host:7103", 1);
  GlobalOptions options;
  auto rest = ExtractGlobalFlags(
      {"--gateway", "gw:7100", "--api-key", "gbk_x.y", "participants", "list"}, options);
  REQUIRE(rest.ok());
  CHECK(options.client.address == "gw:7100");
  CHECK(options.client.metering_address == "gw:7100");
  CHECK(options.client.api_key == "gbk_x.y");
  // The command line's gateway wins over a service's own environment variable.
  CHECK(ServiceAddress("GRIDBILL_BALANCE_ADDR", "127.0.0.1:7103") == "gw:7100");

  // A gateway from the environment only: a service's own variable is more specific.
  ::setenv("GRIDBILL_GATEWAY", "env-gw:7100", 1);
  GlobalOptions from_env;
  REQUIRE(ExtractGlobalFlags({"--metering-addr", "m:1", "participants", "list"}, from_env).ok());
  CHECK(from_env.client.address == "env-gw:7100");
  CHECK(from_env.client.metering_address == "m:1");
  CHECK(ServiceAddress("GRIDBILL_BALANCE_ADDR", "127.0.0.1:7103") == "balance-host:7103");
  CHECK(ServiceAddress("GRIDBILL_INVOICING_ADDR", "127.0.0.1:7104") == "env-gw:7100");
  ::unsetenv("GRIDBILL_GATEWAY");
  ::unsetenv("GRIDBILL_BALANCE_ADDR");

  GlobalOptions bad;
  auto refused = ExtractGlobalFlags({"--gateway", "nocolon", "participants", "list"}, bad);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(std::string(refused.status().message()), Catch::Contains("--gateway"));
  GlobalOptions direct;
  REQUIRE(ExtractGlobalFlags({"participants", "list"}, direct).ok());
  CHECK(direct.client.address == "127.0.0.1:7101");
  CHECK(ServiceAddress("GRIDBILL_INVOICING_ADDR", "127.0.0.1:7104") == "127.0.0.1:7104");
}

TEST_CASE("a service that is not there is a failed call, exit 1", "[cli]") {
  // Port 1 on localhost: nothing listens there.
  Run r = Ctl({"--addr", "127.0.0.1:1", "--timeout", "2s", "tariffs", "list"});
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("UNAVAILABLE"));
}

TEST_CASE("import of a missing file fails, a bad header fails, nothing is sent", "[cli]") {
  Run missing = Ctl({"--addr", "127.0.0.1:1", "import", "reference", "/nonexistent.csv"});
  CHECK(missing.code == 1);
  CHECK_THAT(missing.err, Catch::Contains("cannot read"));
}

}  // namespace
}  // namespace gridbill::ctl
