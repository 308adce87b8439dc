// Every metric the alerts, recording rules and dashboards of deploy/monitoring
// (and the chart's copies of them) query is one the services really export:
// the real binaries of the suite are started against a throwaway PostgreSQL,
// each is called once (so that its per-method series exist), the gateway
// refuses one call, and each /metrics is scraped. The names the rules and
// dashboards use come from tests/k8s/metric_names.mjs.
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "gridbill/balance/v1/balance.grpc.pb.h"
#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/invoicing/v1/invoicing.grpc.pb.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "gridbill/testing/service_harness.h"
#include "grpcpp/grpcpp.h"
#include "harness.h"

namespace gridbill::suite {
namespace {

constexpr char kSecret[] = "suite-identity-secret-0123456789abcdef";

struct Running {
  std::string name;
  std::string address;
  int metrics_port = 0;
  std::unique_ptr<Process> process;
};

Running Start(const std::string& name, const std::string& bin, Env env, const TempDir& dir) {
  Running r;
  r.name = name;
  r.address = "127.0.0.1:" + std::to_string(FreePort());
  r.metrics_port = FreePort();
  env["GRIDBILL_DATABASE_URL"] = CreateDatabase("metrics_" + name);
  env["GRIDBILL_GRPC_ADDRESS"] = r.address;
  env["GRIDBILL_METRICS_ADDRESS"] = "127.0.0.1:" + std::to_string(r.metrics_port);
  env["GRIDBILL_SHUTDOWN_GRACE"] = "1s";
  r.process = Process::Start({bin}, env, dir.File(name + ".log"));
  return r;
}

void WaitServing(Running& r) {
  for (int i = 0; i < 600 && r.process->Running(); ++i) {
    if (HealthStatus(r.address, "", milliseconds(1000)) == "SERVING") return;
    std::this_thread::sleep_for(milliseconds(100));
  }
  FAIL(r.name << " did not become SERVING:\n" << r.process->Log());
}

// The sample names of an exposition (histograms give _bucket, _sum, _count).
std::set<std::string> SampleNames(const std::string& exposition) {
  std::set<std::string> names;
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    names.insert(line.substr(0, line.find_first_of("{ ")));
  }
  return names;
}

TEST_CASE("the monitoring rules and dashboards query only exported metrics", "[suite][k8s]") {
  TempDir dir;
  std::vector<Running> all;
  all.reserve(6);  // the references below stay valid
  all.push_back(Start("contracts", GRIDBILL_CONTRACTS_BIN, {}, dir));
  Running& contracts = all.back();
  all.push_back(Start("metering", GRIDBILL_METERING_BIN, {}, dir));
  Running& metering = all.back();
  all.push_back(Start("balance", GRIDBILL_BALANCE_BIN,
                      {{"GRIDBILL_METERING_ADDRESS", metering.address},
                       {"GRIDBILL_CONTRACTS_ADDRESS", contracts.address}},
                      dir));
  Running& balance = all.back();
  all.push_back(Start("invoicing", GRIDBILL_INVOICING_BIN,
                      {{"GRIDBILL_CONTRACTS_ADDRESS", contracts.address},
                       {"GRIDBILL_BALANCE_ADDRESS", balance.address}},
                      dir));
  Running& invoicing = all.back();
  all.push_back(Start("forecasting", GRIDBILL_FORECASTING_BIN,
                      {{"GRIDBILL_CONTRACTS_ADDRESS", contracts.address},
                       {"GRIDBILL_BALANCE_ADDRESS", balance.address},
                       {"GRIDBILL_INVOICING_ADDRESS", invoicing.address}},
                      dir));
  Running& forecasting = all.back();
  all.push_back(Start("gateway", GRIDBILL_GATEWAY_BIN,
                      {{"GRIDBILL_IDENTITY_SECRET", kSecret},
                       {"GRIDBILL_TOKEN_SECRET", "suite-token-secret-0123456789abcdefgh"},
                       {"GRIDBILL_WEB_ADDRESS", "127.0.0.1:" + std::to_string(FreePort())},
                       {"GRIDBILL_BACKEND_CONTRACTS", contracts.address},
                       {"GRIDBILL_BACKEND_METERING", metering.address},
                       {"GRIDBILL_BACKEND_BALANCE", balance.address},
                       {"GRIDBILL_BACKEND_INVOICING", invoicing.address},
                       {"GRIDBILL_BACKEND_FORECASTING", forecasting.address},
                       {"GRIDBILL_ARGON2_MEMORY_KIB", "8192"},
                       {"GRIDBILL_ARGON2_TIME_COST", "1"}},
                      dir));
  Running& gateway = all.back();
  for (Running& r : all) WaitServing(r);

  // One call to each service, and one the gateway refuses (no credentials).
  auto channel = [](const Running& r) {
    return grpc::CreateChannel(r.address, grpc::InsecureChannelCredentials());
  };
  {
    contracts::v1::ListParticipantsResponse resp;
    REQUIRE(testing::Call(*contracts::v1::ParticipantService::NewStub(channel(contracts)),
                          &contracts::v1::ParticipantService::Stub::ListParticipants,
                          contracts::v1::ListParticipantsRequest(), &resp)
                .ok());
    metering::v1::ListMeteringPointsResponse points;
    REQUIRE(testing::Call(*metering::v1::MeteringPointService::NewStub(channel(metering)),
                          &metering::v1::MeteringPointService::Stub::ListMeteringPoints,
                          metering::v1::ListMeteringPointsRequest(), &points)
                .ok());
    balance::v1::ListSchemesResponse schemes;
    REQUIRE(testing::Call(*balance::v1::SchemeService::NewStub(channel(balance)),
                          &balance::v1::SchemeService::Stub::ListSchemes,
                          balance::v1::ListSchemesRequest(), &schemes)
                .ok());
    invoicing::v1::ListPeriodsResponse periods;
    REQUIRE(testing::Call(*invoicing::v1::BillingPeriodService::NewStub(channel(invoicing)),
                          &invoicing::v1::BillingPeriodService::Stub::ListPeriods,
                          invoicing::v1::ListPeriodsRequest(), &periods,
                          testing::Who{"accountant@kegoc.kz", "ROLE_ACCOUNTANT", ""})
                .ok());
    grpc::ClientContext ctx;
    contracts::v1::ListParticipantsResponse refused;
    const grpc::Status st = contracts::v1::ParticipantService::NewStub(channel(gateway))
                                ->ListParticipants(&ctx, {}, &refused);
    REQUIRE(st.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  }

  std::map<std::string, std::string> exported;  // sample name -> the service exporting it
  for (Running& r : all) {
    for (const std::string& name : SampleNames(testing::ScrapeMetrics(r.metrics_port))) {
      exported.emplace(name, r.name);
    }
  }
  REQUIRE(exported.count("grpc_server_handled_total") == 1);
  REQUIRE(exported.count("gridbill_gateway_rejected_total") == 1);

  const CommandResult used =
      Run({GRIDBILL_NODE, GRIDBILL_K8S_TEST_DIR "/metric_names.mjs",
           GRIDBILL_MONITORING_DIR "/alerts.yaml", GRIDBILL_MONITORING_DIR "/recording-rules.yaml",
           GRIDBILL_MONITORING_DIR "/dashboards/balance.json",
           GRIDBILL_MONITORING_DIR "/dashboards/contracts.json",
           GRIDBILL_MONITORING_DIR "/dashboards/forecasting.json",
           GRIDBILL_MONITORING_DIR "/dashboards/gateway.json",
           GRIDBILL_MONITORING_DIR "/dashboards/invoicing.json",
           GRIDBILL_MONITORING_DIR "/dashboards/metering.json",
           GRIDBILL_MONITORING_DIR "/dashboards/month-close.json"},
          {}, std::chrono::seconds(60));
  INFO(used.Describe());
  REQUIRE(used.exit_code == 0);
  int checked = 0;
  for (absl::string_view line : absl::StrSplit(used.out, '\n', absl::SkipEmpty())) {
    std::vector<std::string> parts = absl::StrSplit(line, '\t');
    REQUIRE(parts.size() == 2);
    INFO(parts[0] << " (queried in " << parts[1] << ") is not exported by any service");
    CHECK(exported.count(parts[0]) == 1);
    ++checked;
  }
  // The rules and dashboards query the RPC series and balance's own.
  CHECK(checked >= 10);
}

}  // namespace
}  // namespace gridbill::suite
