// The same unary call (ParticipantService.GetParticipant) made three ways in
// one run, against the real contracts service on a throwaway PostgreSQL:
//   direct      gRPC straight to the service (the baseline)
//   gateway     gRPC through the gateway's front door with an API key
//   grpc-web    gRPC-web (HTTP/1.1) through the gateway with the same key
// Each mode runs closed-loop with C concurrent clients for N calls and
// prints p50 / p99 latency and throughput; the gateway modes also print
// their throughput as a share of direct. Measures, never fails on a time.
//
//   GRIDBILL_BENCH_CALLS=N (default 20000) GRIDBILL_BENCH_CLIENTS=C (default 16) gateway_bench
// (a Catch2 program, because the contracts test harness it reuses is one;
// not registered with ctest).
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "../pg_store.h"
#include "absl/strings/str_cat.h"
#include "auth.h"
#include "google/protobuf/descriptor.h"
#include "grpc_web.h"
#include "harness.h"
#include "policy.h"
#include "proxy.h"
#include "routes.h"
#include "web_server.h"

namespace gridbill::gateway {
namespace {

namespace cv1 = ::gridbill::contracts::v1;
using Clock = std::chrono::steady_clock;

struct Result {
  std::vector<double> micros;
  double seconds = 0;
  int errors = 0;
};

// Runs `call(client_index)` `calls` times spread over `clients` threads.
template <typename Fn>
Result Measure(int calls, int clients, Fn make_caller) {
  Result r;
  std::vector<std::vector<double>> per(clients);
  std::atomic<int> next{0};
  std::atomic<int> errors{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto call = make_caller();
      while (next.fetch_add(1) < calls) {
        const auto t = Clock::now();
        if (!call()) ++errors;
        per[c].push_back(std::chrono::duration<double, std::micro>(Clock::now() - t).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& v : per) r.micros.insert(r.micros.end(), v.begin(), v.end());
  std::sort(r.micros.begin(), r.micros.end());
  r.errors = errors;
  return r;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
}

void Print(const char* mode, const Result& r, double baseline_rps) {
  const double rps = r.micros.size() / r.seconds;
  std::printf("%-10s calls %6zu  errors %4d  p50 %8.3f ms  p99 %8.3f ms  throughput %9.0f/s", mode,
              r.micros.size(), r.errors, Percentile(r.micros, 0.50) / 1000,
              Percentile(r.micros, 0.99) / 1000, rps);
  if (baseline_rps > 0) std::printf("  (%.0f %% of direct)", 100 * rps / baseline_rps);
  std::printf("\n");
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && std::atoi(v) > 0 ? std::atoi(v) : fallback;
}

int Main() {
  const int calls = EnvInt("GRIDBILL_BENCH_CALLS", 20000);
  const int clients = EnvInt("GRIDBILL_BENCH_CLIENTS", 16);
  contracts::testing::Harness contracts;
  const cv1::Participant participant = contracts.CreateParticipant(1, "Bench participant");

  pgtest::Database db(GRIDBILL_GATEWAY_MIGRATIONS_DIR);
  SystemClock clock;
  PgStore store(db.pool());
  PasswordHasher hasher(Argon2Params{1, 8192, 1});
  TokenSigner signer("bench-token-secret-0123456789abcdef");
  Authenticator auth(store, clock, hasher, signer, AuthSettings{});
  auto policies =
      PolicyTable::Build(*google::protobuf::DescriptorPool::generated_pool(), SuiteRoutes());
  if (!policies.ok()) return 1;
  const std::string contracts_address = absl::StrCat("127.0.0.1:", contracts.server->grpc_port());
  std::map<std::string, std::shared_ptr<grpc::Channel>> backends;
  backends[kBackendContracts] =
      grpc::CreateChannel(contracts_address, grpc::InsecureChannelCredentials());
  backends[kBackendMetering] = backends[kBackendContracts];
  backends[kBackendGateway] = backends[kBackendContracts];
  // Audit on (as in production), rate limits off (one principal drives all load).
  AuditLog audit(store, AuditSettings{});
  RateLimiter limiter(RateLimits{});
  Proxy proxy(**policies, auth, backends, "bench-identity-secret-0123456789abcdef", &limiter,
              &audit);
  FrontDoorOptions door_options;
  door_options.address = "127.0.0.1:0";
  door_options.loopback = true;
  auto door = StartFrontDoor(door_options, proxy);
  if (!door.ok()) return 1;
  WebOptions web_options;
  web_options.address = "127.0.0.1:0";
  web_options.front_door = absl::StrCat("127.0.0.1:", door->loopback_port);
  web_options.threads = clients + 4;
  auto web = WebServer::Start(web_options);
  if (!web.ok()) return 1;

  ApiKey key;
  key.name = "bench";
  key.roles = {common::v1::ROLE_OPERATOR};
  auto created = auth.CreateApiKey(Principal{"user:root", {common::v1::ROLE_ADMIN}, "", ""}, key);
  if (!created.ok()) return 1;
  const std::string api_key = created->secret;

  cv1::GetParticipantRequest req;
  req.set_id(participant.id());
  const std::string frame = EncodeMessageFrame(req.SerializeAsString());

  auto grpc_caller = [&](const std::string& address, bool through_gateway) {
    return [&, address, through_gateway] {
      auto stub = cv1::ParticipantService::NewStub(
          grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
      return [&, stub = std::shared_ptr<cv1::ParticipantService::Stub>(std::move(stub)),
              through_gateway] {
        grpc::ClientContext ctx;
        if (through_gateway) {
          ctx.AddMetadata(kApiKeyHeader, api_key);
        } else {
          ctx.AddMetadata(kPrincipalHeader, "user:bench");
          ctx.AddMetadata(kRolesHeader, "ROLE_OPERATOR");
        }
        cv1::GetParticipantResponse resp;
        return stub->GetParticipant(&ctx, req, &resp).ok();
      };
    };
  };
  auto web_caller = [&] {
    auto client = std::make_shared<httplib::Client>("127.0.0.1", (*web)->port());
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);  // as browsers do
    return [&, client] {
      auto res = client->Post("/gridbill.contracts.v1.ParticipantService/GetParticipant",
                              {{"x-api-key", api_key}}, frame, "application/grpc-web+proto");
      return res && res->status == 200 && res->body.find("grpc-status:0") != std::string::npos;
    };
  };

  std::printf("GetParticipant, %d calls per mode, %d concurrent clients, %u cores\n", calls,
              clients, std::thread::hardware_concurrency());
  // Warm-up: connections, prepared statements, caches.
  std::fprintf(stderr, "bench: warm-up\n");
  Measure(500, clients, grpc_caller(contracts_address, false));
  Measure(500, clients, grpc_caller(absl::StrCat("127.0.0.1:", door->port), true));
  Measure(500, clients, web_caller);

  std::fprintf(stderr, "bench: direct\n");
  const Result direct = Measure(calls, clients, grpc_caller(contracts_address, false));
  std::fprintf(stderr, "bench: gateway\n");
  const Result gateway =
      Measure(calls, clients, grpc_caller(absl::StrCat("127.0.0.1:", door->port), true));
  std::fprintf(stderr, "bench: grpc-web\n");
  const Result grpc_web = Measure(calls, clients, web_caller);
  const double baseline = direct.micros.size() / direct.seconds;
  Print("direct", direct, 0);
  Print("gateway", gateway, baseline);
  Print("grpc-web", grpc_web, baseline);
  (*web)->Stop();
  door->server->Shutdown();
  return direct.errors + gateway.errors + grpc_web.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace gridbill::gateway

TEST_CASE("gateway benchmark: direct gRPC vs gateway gRPC vs gateway gRPC-web") {
  CHECK(gridbill::gateway::Main() == 0);  // every call answered OK
}
