// gateway_bench: the same unary call (ParticipantService.GetParticipant)
// made three ways in one run, against the real binaries as subprocesses
// (gridbill-contracts and gridbill-gateway, each on its own database of a
// throwaway cluster, libs/pgtest):
//   direct      gRPC straight to the service, identity signed as the
//               gateway signs it (the baseline)
//   gateway     gRPC through the gateway's front door with an API key
//   grpc-web    gRPC-web (HTTP/1.1, keep-alive) through the gateway with
//               the same key
// Two phases per mode:
//   open loop   calls scheduled at a fixed rate; each call's latency counts
//               from its scheduled send time, so a stall delays the calls
//               queued behind it (no coordinated omission)
//   closed loop C connections as fast as they can: the maximum throughput,
//               the gateway modes also as a share of direct
// The load generator (load.h) is asynchronous, so that its own CPU cost per
// call, which shares the cores with what it measures, stays small.
// For each, the CPU time per call of this load generator, the gateway, the
// service and PostgreSQL (from /proc), so the gateway's own cost is visible
// apart from the client's. A verdict line compares with the targets (p99 at
// or under 10 ms at 2,000 calls/s through the gateway; gateway throughput
// at least 70 % of direct). Measures, never fails on a time; exits 1 only
// when calls failed.
//
//   GRIDBILL_BENCH_RATE=2000     open-loop calls per second
//   GRIDBILL_BENCH_SECONDS=10    open-loop duration per mode
//   GRIDBILL_BENCH_WORKERS=48    open-loop connections
//   GRIDBILL_BENCH_CALLS=20000   closed-loop calls per mode
//   GRIDBILL_BENCH_CLIENTS=16    closed-loop connections
//   GRIDBILL_BENCH_GATEWAY=path  another gridbill-gateway binary (before/after)
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gridbill/bench/processes.h"
#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/domain/identifiers.h"
#include "gridbill/gateway/v1/gateway.grpc.pb.h"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/identity_signing.h"
#include "grpc_web.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "load.h"

namespace gridbill::gateway::bench {
namespace {

using ::gridbill::bench::CpuSeconds;
using ::gridbill::bench::FreePort;
using ::gridbill::bench::PostgresCpuSeconds;
using ::gridbill::bench::SelfCpuSeconds;
using ::gridbill::bench::Spawn;
using ::gridbill::bench::Stop;

namespace cv1 = ::gridbill::contracts::v1;
namespace gv1 = ::gridbill::gateway::v1;

constexpr char kIdentitySecret[] = "bench-identity-secret-0123456789abcdef";
constexpr char kTokenSecret[] = "bench-token-secret-0123456789abcdef01";
constexpr char kAdmin[] = "bench-admin";
constexpr char kAdminPassword[] = "bench-admin-password-1";
constexpr char kMethodPath[] = "/gridbill.contracts.v1.ParticipantService/GetParticipant";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "gateway_bench: %s\n", what.c_str());
  std::exit(2);
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  int n = 0;
  if (v == nullptr || *v == '\0') return fallback;
  if (!absl::SimpleAtoi(v, &n) || n <= 0) Die(absl::StrCat(name, ": not a positive number: ", v));
  return n;
}

struct Processes {
  pid_t gateway = 0;
  pid_t contracts = 0;
};

// CPU seconds so far of each side of the measurement.
struct Cpu {
  double bench = 0;
  double gateway = 0;
  double service = 0;
  double postgres = 0;
};

Cpu SampleCpu(const Processes& p) {
  return Cpu{SelfCpuSeconds(), CpuSeconds(p.gateway), CpuSeconds(p.contracts),
             PostgresCpuSeconds()};
}

struct Result {
  std::vector<double> micros;  // sorted
  double seconds = 0;
  int errors = 0;
  int reconnects = 0;
  std::vector<std::pair<double, double>> slowest;  // (ms, seconds into the phase), worst first
  Cpu cpu;                                         // used during the phase

  double rate() const { return seconds > 0 ? static_cast<double>(micros.size()) / seconds : 0; }
  double Percentile(double p) const {
    if (micros.empty()) return 0;
    return micros[std::min(micros.size() - 1, static_cast<size_t>(p * micros.size()))] / 1000;
  }
};

// Makes a load generator with its connections open.
using LoadFactory = std::function<std::unique_ptr<Load>(int connections)>;

// One phase: `calls` calls over `connections` at `rate` (0: closed loop),
// with the CPU each process used meanwhile.
Result Run(const Processes& procs, const LoadFactory& factory, int calls, int connections,
           double rate) {
  // Connects, and makes one call on each connection, before the clock
  // starts: a client's first call on a new connection is not what is
  // measured.
  std::unique_ptr<Load> load = factory(connections);
  load->Go(connections, 0);
  const Cpu cpu0 = SampleCpu(procs);
  Outcome outcome = load->Go(calls, rate);
  const Cpu cpu1 = SampleCpu(procs);
  Result r;
  r.seconds = outcome.seconds;
  r.cpu = Cpu{cpu1.bench - cpu0.bench, cpu1.gateway - cpu0.gateway, cpu1.service - cpu0.service,
              cpu1.postgres - cpu0.postgres};
  std::vector<size_t> order(outcome.micros.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  const size_t worst = std::min<size_t>(3, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(worst), order.end(),
                    [&](size_t a, size_t b) { return outcome.micros[a] > outcome.micros[b]; });
  for (size_t i = 0; i < worst; ++i) {
    r.slowest.emplace_back(outcome.micros[order[i]] / 1000, outcome.sent[order[i]]);
  }
  r.micros = std::move(outcome.micros);
  std::sort(r.micros.begin(), r.micros.end());
  r.errors = outcome.errors;
  r.reconnects = outcome.reconnects;
  return r;
}

void Print(const char* mode, const Result& r, double baseline_rps) {
  const double n = std::max<double>(1, static_cast<double>(r.micros.size()));
  std::printf("  %-9s calls %6zu  errors %3d  p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  %6.0f/s",
              mode, r.micros.size(), r.errors, r.Percentile(0.50), r.Percentile(0.99),
              r.micros.empty() ? 0 : r.micros.back() / 1000, r.rate());
  if (baseline_rps > 0) std::printf(" (%3.0f %% of direct)", 100 * r.rate() / baseline_rps);
  if (r.reconnects > 0) std::printf(" [%d reconnects]", r.reconnects);
  std::printf(
      "\n            CPU us/call: bench %4.0f  gateway %4.0f  contracts %4.0f  postgres %4.0f\n",
      1e6 * r.cpu.bench / n, 1e6 * r.cpu.gateway / n, 1e6 * r.cpu.service / n,
      1e6 * r.cpu.postgres / n);
  std::printf("            slowest:");
  for (const auto& [ms, at] : r.slowest) std::printf("  %.1f ms at %.2f s", ms, at);
  std::printf("\n");
  std::fflush(stdout);
}

std::shared_ptr<grpc::Channel> Connect(const std::string& target, const std::string& secret,
                                       bool own_connection) {
  grpc::ChannelArguments args;
  // Each sender its own connection, as separate clients would have.
  if (own_connection) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> signing;
  if (!secret.empty()) signing.push_back(IdentitySigningInterceptor(secret));
  auto channel = grpc::experimental::CreateCustomChannelWithInterceptors(
      target, grpc::InsecureChannelCredentials(), args, std::move(signing));
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(60))) {
    Die(absl::StrCat(target, " did not answer"));
  }
  return channel;
}

void WaitForHttp(int port, const std::string& log) {
  for (int i = 0; i < 600; ++i) {
    httplib::Client client("127.0.0.1", port);
    if (client.Get("/")) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Die(absl::StrCat("the gateway's web port did not open; see ", log));
}

void Check(const grpc::Status& st, const char* what) {
  if (!st.ok()) Die(absl::StrCat(what, ": ", st.error_code(), " ", st.error_message()));
}

int Main() {
  const int rate = EnvInt("GRIDBILL_BENCH_RATE", 2000);
  const int seconds = EnvInt("GRIDBILL_BENCH_SECONDS", 10);
  const int workers = EnvInt("GRIDBILL_BENCH_WORKERS", 48);
  const int calls = EnvInt("GRIDBILL_BENCH_CALLS", 20000);
  const int clients = EnvInt("GRIDBILL_BENCH_CLIENTS", 16);

  pgtest::Database contracts_db(std::vector<pg::MigrationFile>{}, 1);
  pgtest::Database gateway_db(std::vector<pg::MigrationFile>{}, 1);
  const std::string dir =
      std::filesystem::temp_directory_path() / absl::StrCat("gridbill-gateway-bench-", getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/admin-password") << kAdminPassword << "\n";

  Processes procs;
  const int contracts_port = FreePort();
  procs.contracts =
      Spawn(GRIDBILL_CONTRACTS_BINARY,
            {absl::StrCat("--database_url=", contracts_db.conninfo()),
             absl::StrCat("--grpc_address=127.0.0.1:", contracts_port),
             "--metrics_address=", absl::StrCat("--identity_secret=", kIdentitySecret)},
            dir + "/contracts.log");
  const int gateway_port = FreePort();
  const int web_port = FreePort();
  // Production settings, except the rate limit: so high that one key may
  // drive the whole load (the limiter still runs).
  const std::string gateway_binary =
      ::gridbill::bench::BinaryFromEnv("GRIDBILL_BENCH_GATEWAY", GRIDBILL_GATEWAY_BINARY);
  procs.gateway = Spawn(gateway_binary,
                        {absl::StrCat("--database_url=", gateway_db.conninfo()),
                         absl::StrCat("--grpc_address=127.0.0.1:", gateway_port),
                         "--metrics_address=", absl::StrCat("--web_address=127.0.0.1:", web_port),
                         absl::StrCat("--backend_contracts=127.0.0.1:", contracts_port),
                         absl::StrCat("--token_secret=", kTokenSecret),
                         absl::StrCat("--identity_secret=", kIdentitySecret),
                         absl::StrCat("--bootstrap_admin=", kAdmin),
                         absl::StrCat("--bootstrap_admin_password_file=", dir, "/admin-password"),
                         "--rate_limit_principal=1000000"},
                        dir + "/gateway.log");
  const std::string direct_target = absl::StrCat("127.0.0.1:", contracts_port);
  const std::string gateway_target = absl::StrCat("127.0.0.1:", gateway_port);
  Connect(direct_target, "", false);
  auto setup = Connect(gateway_target, "", false);
  WaitForHttp(web_port, dir + "/gateway.log");

  // An operator's API key, made by the bootstrap admin; a participant to read.
  auto auth = gv1::AuthService::NewStub(setup);
  gv1::SignInResponse signed_in;
  {
    gv1::SignInRequest req;
    req.set_username(kAdmin);
    req.set_password(kAdminPassword);
    grpc::ClientContext ctx;
    Check(auth->SignIn(&ctx, req, &signed_in), "SignIn");
  }
  std::string api_key;
  {
    gv1::CreateApiKeyRequest req;
    req.set_request_id("bench-key");
    req.mutable_api_key()->set_name("bench");
    req.mutable_api_key()->add_roles(common::v1::ROLE_OPERATOR);
    gv1::CreateApiKeyResponse resp;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + signed_in.tokens().access_token());
    Check(auth->CreateApiKey(&ctx, req, &resp), "CreateApiKey");
    api_key = resp.secret();
  }
  std::string participant_id;
  {
    cv1::CreateParticipantRequest req;
    req.set_request_id("bench-participant");
    cv1::Participant* p = req.mutable_participant();
    for (int k = 1;; ++k) {
      const std::string first11 = absl::StrCat("99074000", 100 + k);
      if (const int check = BinCheckDigit(first11); check >= 0) {
        p->set_bin(absl::StrCat(first11, check));
        break;
      }
    }
    p->set_short_name("Bench participant");
    p->set_legal_name("АО «Bench participant»");
    p->add_roles(cv1::PARTICIPANT_ROLE_CONSUMER);
    cv1::CreateParticipantResponse resp;
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-api-key", api_key);
    Check(cv1::ParticipantService::NewStub(setup)->CreateParticipant(&ctx, req, &resp),
          "CreateParticipant");
    participant_id = resp.participant().id();
  }

  cv1::GetParticipantRequest get;
  get.set_id(participant_id);
  auto grpc_factory = [&](bool through_gateway) -> LoadFactory {
    return [&, through_gateway](int connections) -> std::unique_ptr<Load> {
      std::vector<std::shared_ptr<grpc::Channel>> channels;
      for (int i = 0; i < connections; ++i) {
        channels.push_back(Connect(through_gateway ? gateway_target : direct_target,
                                   through_gateway ? "" : kIdentitySecret, true));
      }
      GrpcLoad::Decorate decorate;
      if (through_gateway) {
        decorate = [&](grpc::ClientContext& ctx) { ctx.AddMetadata("x-api-key", api_key); };
      } else {
        decorate = [](grpc::ClientContext& ctx) {
          ctx.AddMetadata(kPrincipalHeader, "key:bench");
          ctx.AddMetadata(kRolesHeader, "ROLE_OPERATOR");
        };
      }
      return std::make_unique<GrpcLoad>(std::move(channels), get, std::move(decorate));
    };
  };
  // A browser's call: binary gRPC-web over a keep-alive connection.
  const std::string frame = EncodeMessageFrame(get.SerializeAsString());
  const std::string http_request =
      absl::StrCat("POST ", kMethodPath, " HTTP/1.1\r\nHost: 127.0.0.1:", web_port,
                   "\r\nContent-Type: application/grpc-web+proto\r\nX-Grpc-Web: 1\r\n"
                   "x-api-key: ",
                   api_key, "\r\nContent-Length: ", frame.size(), "\r\n\r\n", frame);
  LoadFactory web_factory = [&](int connections) -> std::unique_ptr<Load> {
    return std::make_unique<HttpLoad>(web_port, http_request, "grpc-status:0", connections);
  };
  struct Mode {
    const char* name;
    LoadFactory factory;
  };
  const std::vector<Mode> modes = {
      {"direct", grpc_factory(false)}, {"gateway", grpc_factory(true)}, {"grpc-web", web_factory}};

  std::printf(
      "gateway benchmark: GetParticipant; %s and gridbill-contracts as processes; %u cores\n",
      gateway_binary.c_str(), std::thread::hardware_concurrency());
  std::fflush(stdout);
  // Warm-up: connections, prepared statements, caches.
  for (const Mode& m : modes) Run(procs, m.factory, 1000, clients, 0);

  std::printf(
      "open loop: %d calls/s for %d s per mode, %d connections, latency from scheduled send\n",
      rate, seconds, workers);
  std::vector<Result> open;
  for (const Mode& m : modes) {
    open.push_back(Run(procs, m.factory, rate * seconds, workers, rate));
    Print(m.name, open.back(), 0);
  }
  std::printf("closed loop: %d calls per mode, %d connections as fast as they can\n", calls,
              clients);
  std::vector<Result> closed;
  for (const Mode& m : modes) {
    closed.push_back(Run(procs, m.factory, calls, clients, 0));
    Print(m.name, closed.back(), closed.front().rate());
  }

  int errors = 0;
  for (const auto* phase : {&open, &closed}) {
    for (const Result& r : *phase) errors += r.errors;
  }
  for (size_t i = 1; i < modes.size(); ++i) {
    const Result& o = open[i];
    const double share = 100 * closed[i].rate() / closed[0].rate();
    const bool rate_held = o.rate() >= 0.98 * rate;
    std::printf(
        "verdict %-8s: p99 %.2f ms at %.0f/s (target <= 10 ms at %d/s): %s; throughput %.0f %% "
        "of direct (target >= 70 %%): %s\n",
        modes[i].name, o.Percentile(0.99), o.rate(), rate,
        o.Percentile(0.99) <= 10 && rate_held && o.errors == 0 ? "MET" : "NOT MET", share,
        share >= 70 ? "MET" : "NOT MET");
  }
  if (errors > 0) std::printf("%d calls failed: see %s\n", errors, dir.c_str());

  Stop(procs.gateway);
  Stop(procs.contracts);
  if (errors == 0) std::filesystem::remove_all(dir);
  return errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace gridbill::gateway::bench

int main() { return gridbill::gateway::bench::Main(); }
