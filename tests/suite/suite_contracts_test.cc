// The contracts service as an operator meets it: the real gridbill-contracts
// binary on free ports against a throwaway PostgreSQL, driven by the real
// gridbillctl; health, demo data, metrics and shutdown checked from outside.
#include <libpq-fe.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gridbill/domain/identifiers.h"
#include "gridbill/pgtest/pgtest.h"
#include "harness.h"
#include "running.h"

namespace gridbill::suite {
namespace {

constexpr char kContractsBin[] = GRIDBILL_CONTRACTS_BIN;
constexpr char kCtlBin[] = GRIDBILL_CTL_BIN;
constexpr char kPromtool[] = GRIDBILL_PROMTOOL;

// A gridbill-contracts process on free ports, with its own log file.
CommandResult Ctl(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  std::vector<std::string> argv = {kCtlBin};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, {}, timeout);
}

// `gridbillctl participants list --all --output json` prints the proto JSON
// of one ListParticipantsResponse holding every page.
struct ParticipantList {
  std::vector<google::protobuf::Struct> participants;
  double total_size = -1;
};

ParticipantList ListParticipants(const std::string& address) {
  CommandResult list =
      Ctl({"participants", "list", "--all", "--output", "json", "--addr", address}, seconds(120));
  INFO(list.Describe());
  REQUIRE(list.exit_code == 0);
  google::protobuf::Struct response;
  REQUIRE(google::protobuf::util::JsonStringToMessage(list.out, &response).ok());
  ParticipantList out;
  const auto& fields = response.fields();
  if (auto it = fields.find("totalSize"); it != fields.end()) {
    // int64 is a JSON string in proto JSON, int32 a number.
    out.total_size = it->second.has_string_value() ? std::stod(it->second.string_value())
                                                   : it->second.number_value();
  }
  auto it = fields.find("participants");
  REQUIRE(it != fields.end());
  for (const google::protobuf::Value& v : it->second.list_value().values()) {
    REQUIRE(v.has_struct_value());
    out.participants.push_back(v.struct_value());
  }
  return out;
}

// The value of `counter` with every label in `labels` (e.g. `grpc_method="X"`)
// summed over the exposition text, or -1 when no such series exists.
double SumSeries(const std::string& exposition, const std::string& counter,
                 const std::vector<std::string>& labels) {
  double sum = -1;
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(counter + "{", 0) != 0) continue;
    const size_t close = line.rfind('}');
    if (close == std::string::npos) continue;
    const std::string label_text = line.substr(counter.size(), close - counter.size() + 1);
    bool match = true;
    for (const std::string& l : labels) match = match && label_text.find(l) != std::string::npos;
    if (!match) continue;
    sum = (sum < 0 ? 0 : sum) + std::stod(line.substr(close + 1));
  }
  return sum;
}

// SIGTERM: in-flight calls drain and the process exits 0 within its grace
// period (5 s here).
void StopGracefully(Running& contracts) {
  REQUIRE(HealthStatus(contracts.address, "", milliseconds(2000)) == "SERVING");
  contracts.process->Signal(SIGTERM);
  const std::optional<int> exit_status = contracts.process->WaitExit(seconds(5 + 5));
  INFO("service log:\n" << contracts.process->Log());
  REQUIRE(exit_status.has_value());
  CHECK(*exit_status == 0);
}

CommandResult DemoLoad(const std::string& address) {
  // The contracts part only: this suite starts no metering service.
  return Ctl({"demo", "load", "--seed", "7", "--no-metering", "--addr", address}, seconds(600));
}

TEST_CASE("contracts: serves the demo data to gridbillctl, exposes metrics, stops and restarts",
          "[suite][contracts]") {
  TempDir dir;
  const std::string database_url = CreateDatabase("suite_contracts");
  INFO("service log: " << dir.File("contracts.log"));

  Running first(kContractsBin, database_url, dir, "contracts");
  first.WaitServing(seconds(90));

  // The demo data set at the reference system's scale (~260 participants).
  {
    CommandResult load = DemoLoad(first.address);
    INFO(load.Describe());
    REQUIRE(load.exit_code == 0);
  }
  const ParticipantList list = ListParticipants(first.address);
  const std::vector<google::protobuf::Struct>& participants = list.participants;
  CHECK(participants.size() >= 240);
  CHECK(participants.size() <= 280);
  CHECK(list.total_size == static_cast<double>(participants.size()));
  // Every participant carries a valid BIN (12 digits with its check digit).
  int checked_bins = 0;
  for (const auto& p : participants) {
    auto it = p.fields().find("bin");
    if (it == p.fields().end()) continue;
    INFO("participant BIN " << it->second.string_value());
    CHECK(ValidateBin(it->second.string_value()).ok());
    ++checked_bins;
  }
  CHECK(checked_bins == static_cast<int>(participants.size()));

  StopGracefully(first);

  // What ./deploy/up.sh does on every run: a new process on the same database
  // (its migrations already applied) serves the same data, and loading the
  // same seed again is accepted and changes nothing.
  Running second(kContractsBin, database_url, dir, "contracts-2");
  second.WaitServing(seconds(60));
  CHECK(ListParticipants(second.address).participants.size() == participants.size());
  {
    CommandResult reload = DemoLoad(second.address);
    INFO(reload.Describe());
    REQUIRE(reload.exit_code == 0);
  }
  CHECK(ListParticipants(second.address).participants.size() == participants.size());

  // /metrics: valid Prometheus exposition, with the calls just made counted.
  std::string error;
  std::optional<HttpResponse> metrics =
      HttpGet("127.0.0.1", second.metrics_port, "/metrics", seconds(10), &error);
  INFO("GET /metrics: " << error);
  REQUIRE(metrics.has_value());
  REQUIRE(metrics->status == 200);
  WriteFile(dir.File("metrics.txt"), metrics->body);
  {
    CommandResult promtool =
        Run({kPromtool, "check", "metrics"}, {}, seconds(60), dir.File("metrics.txt"));
    INFO(promtool.Describe());
    CHECK(promtool.exit_code == 0);
  }
  INFO("metrics:\n" << metrics->body.substr(0, 6000));
  // Two `participants list` runs on this process (at least one call each), all OK.
  CHECK(SumSeries(metrics->body, "grpc_server_handled_total",
                  {"grpc_method=\"ListParticipants\"", "grpc_code=\"OK\""}) >= 2);
  CHECK(SumSeries(metrics->body, "grpc_server_handling_seconds_count",
                  {"grpc_method=\"ListParticipants\""}) >= 2);

  StopGracefully(second);
}

TEST_CASE("contracts: a bad setting stops the binary with a message naming it",
          "[suite][contracts]") {
  const std::string database_url = pgtest::Cluster::Get().Conninfo("postgres");
  const std::string free_address = "127.0.0.1:" + std::to_string(FreePort());
  struct Case {
    std::string variable;  // unset when `value` is empty
    std::string value;
    std::string named;  // what the message must name
  };
  const std::vector<Case> cases = {
      {"GRIDBILL_DATABASE_POOL_SIZE", "abc", "database_pool_size"},
      {"GRIDBILL_DATABASE_POOL_SIZE", "0", "database_pool_size"},
      {"GRIDBILL_DATABASE_URL", "", "database_url"},
      {"GRIDBILL_GRPC_ADDRESS", "no-port-here", "grpc_address"},
      {"GRIDBILL_SHUTDOWN_GRACE", "soon", "shutdown_grace"},
  };
  for (const Case& c : cases) {
    Env env = {
        {"GRIDBILL_DATABASE_URL", database_url},
        {"GRIDBILL_GRPC_ADDRESS", free_address},
        {"GRIDBILL_METRICS_ADDRESS", "127.0.0.1:" + std::to_string(FreePort())},
    };
    if (c.value.empty()) {
      env.erase(c.variable);
    } else {
      env[c.variable] = c.value;
    }
    CommandResult run = Run({kContractsBin}, env, seconds(30));
    INFO(c.variable << "=" << c.value << "\n" << run.Describe());
    CHECK_FALSE(run.timed_out);
    CHECK(run.exit_code != 0);
    CHECK_THAT(run.out + run.err, Catch::Matchers::Contains(c.named, Catch::CaseSensitive::No));
  }
}

}  // namespace
}  // namespace gridbill::suite
