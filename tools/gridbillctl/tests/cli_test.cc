#include "tools/gridbillctl/cli.h"

#include <catch2/catch.hpp>
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
