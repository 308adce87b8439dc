// Scale-out as Kubernetes runs Gridbill, on this machine: the real binaries
// against a throwaway PostgreSQL.
//  - Two replicas of gridbill-balance on one database compute one balance
//    run together (its shards claimed by both through libs/jobs), and its
//    results are row for row those of the same run computed by one replica
//    on a database of its own.
//  - Two replicas of gridbill-gateway on one database behind one address (a
//    round-robin TCP proxy: each connection goes to the next replica, as a
//    Kubernetes Service spreads connections): a token signed in through one
//    is accepted by the other, an API key made through one works through
//    the other, and what gridbillctl reads through them is what it reads
//    through one replica.
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/testing/service_harness.h"
#include "harness.h"

namespace gridbill::suite {
namespace {

constexpr char kSecret[] = "suite-identity-secret-0123456789abcdef";
constexpr char kTokenSecret[] = "suite-token-secret-0123456789abcdefgh";

struct Running {
  std::string name;
  std::string address;
  int metrics_port = 0;
  std::unique_ptr<Process> process;
};

Running Start(const std::string& name, const std::string& bin, const std::string& db_url, Env env,
              const TempDir& dir) {
  Running r;
  r.name = name;
  r.address = "127.0.0.1:" + std::to_string(FreePort());
  r.metrics_port = FreePort();
  env["GRIDBILL_DATABASE_URL"] = db_url;
  env["GRIDBILL_GRPC_ADDRESS"] = r.address;
  env["GRIDBILL_METRICS_ADDRESS"] = "127.0.0.1:" + std::to_string(r.metrics_port);
  env["GRIDBILL_SHUTDOWN_GRACE"] = "2s";
  r.process = Process::Start({bin}, env, dir.File(name + ".log"));
  return r;
}

void WaitServing(Running& r) {
  for (int i = 0; i < 900 && r.process->Running(); ++i) {
    if (HealthStatus(r.address, "", milliseconds(1000)) == "SERVING") return;
    std::this_thread::sleep_for(milliseconds(100));
  }
  FAIL(r.name << " did not become SERVING:\n" << r.process->Log());
}

std::string QueryText(const std::string& conninfo, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  INFO(sql << ": " << PQerrorMessage(conn.get()));
  REQUIRE(PQresultStatus(res.get()) == PGRES_TUPLES_OK);
  REQUIRE(PQntuples(res.get()) == 1);
  return PQgetisnull(res.get(), 0, 0) ? "" : PQgetvalue(res.get(), 0, 0);
}

CommandResult Ctl(const Env& env, std::vector<std::string> args, seconds timeout = seconds(120),
                  const std::string& stdin_path = "") {
  args.insert(args.begin(), GRIDBILL_CTL_BIN);
  return Run(args, env, timeout, stdin_path);
}

// One address in front of several: each accepted connection is relayed to
// the next backend in turn.
class RoundRobinProxy {
 public:
  explicit RoundRobinProxy(std::vector<int> backend_ports) : backends_(std::move(backend_ports)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listen_fd_ >= 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    REQUIRE(::listen(listen_fd_, 64) == 0);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~RoundRobinProxy() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    for (std::thread& t : relays_) t.join();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int connections() const { return next_; }

 private:
  void Accept() {
    while (!stop_) {
      const int client = ::accept(listen_fd_, nullptr, nullptr);
      if (client < 0) return;
      const int backend_port = backends_[next_++ % backends_.size()];
      relays_.emplace_back([this, client, backend_port] { Relay(client, backend_port); });
    }
  }
  void Relay(int client, int backend_port) {
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(backend_port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      char buf[16384];
      while (!stop_) {
        if (::poll(fds, 2, 200) < 0) break;
        bool closed = false;
        for (int i = 0; i < 2 && !closed; ++i) {
          if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
          const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
          if (n <= 0) {
            closed = true;
            break;
          }
          for (ssize_t off = 0; off < n;) {
            const ssize_t w = ::write(fds[1 - i].fd, buf + off, static_cast<size_t>(n - off));
            if (w <= 0) {
              closed = true;
              break;
            }
            off += w;
          }
        }
        if (closed) break;
      }
    }
    ::close(server);
    ::close(client);
  }

  std::vector<int> backends_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> next_{0};
  std::thread acceptor_;
  std::vector<std::thread> relays_;
};

int PortOf(const std::string& address) { return std::stoi(address.substr(address.rfind(':') + 1)); }

// The value of grpc_server_handled_total summed over its series.
double HandledCalls(int metrics_port) {
  std::istringstream lines(testing::ScrapeMetrics(metrics_port));
  std::string line;
  double sum = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("grpc_server_handled_total{", 0) == 0) {
      sum += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return sum;
}

// A run's results as one digest per table, without the run's own id.
std::string ResultsDigest(const std::string& db) {
  return QueryText(db,
                   "SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s|%s', participant_id, "
                   "service_type, hour_start, actual_wh, declared_wh, has_declaration, intervals, "
                   "estimated, missing), ',' ORDER BY participant_id, service_type, hour_start)) "
                   "FROM service_hours") +
         "/" +
         QueryText(db,
                   "SELECT md5(string_agg(format('%s|%s|%s|%s|%s|%s|%s|%s|%s', node_code, kind, "
                   "hour_start, inflow_wh, outflow_wh, normative_loss_percent, intervals, "
                   "estimated, missing), ',' ORDER BY node_code, hour_start)) FROM node_hours");
}

TEST_CASE("two balance replicas compute one run as one replica does; two gateways serve as one",
          "[suite][scale]") {
  TempDir dir;
  Running contracts =
      Start("contracts", GRIDBILL_CONTRACTS_BIN, CreateDatabase("scale_contracts"), {}, dir);
  Running metering =
      Start("metering", GRIDBILL_METERING_BIN, CreateDatabase("scale_metering"), {}, dir);
  WaitServing(contracts);
  WaitServing(metering);
  // Small shards, one worker per replica: a run of many shards to share.
  const Env balance_env = {{"GRIDBILL_METERING_ADDRESS", metering.address},
                           {"GRIDBILL_CONTRACTS_ADDRESS", contracts.address},
                           {"GRIDBILL_SHARD_POINTS", "1"},
                           {"GRIDBILL_WORKERS", "1"}};
  const std::string one_db = CreateDatabase("scale_balance_one");
  const std::string two_db = CreateDatabase("scale_balance_two");
  Running single = Start("balance-single", GRIDBILL_BALANCE_BIN, one_db, balance_env, dir);
  Env env_a = balance_env;
  env_a["GRIDBILL_WORKER_ID"] = "replica-a";
  Env env_b = balance_env;
  env_b["GRIDBILL_WORKER_ID"] = "replica-b";
  Running a = Start("balance-a", GRIDBILL_BALANCE_BIN, two_db, env_a, dir);
  Running b = Start("balance-b", GRIDBILL_BALANCE_BIN, two_db, env_b, dir);
  WaitServing(single);
  WaitServing(a);
  WaitServing(b);

  const Env ctl_env = {{"GRIDBILL_ADDR", contracts.address},
                       {"GRIDBILL_METERING_ADDR", metering.address}};
  {
    CommandResult load = Ctl(ctl_env,
                             {"demo", "load", "--seed", "11", "--points", "30", "--readings-months",
                              "1", "--streams", "2"},
                             seconds(900));
    INFO(load.Describe());
    REQUIRE(load.exit_code == 0);
  }
  // The same schemes in both balance databases, then the same run in each.
  for (const Running* balance : {&single, &a}) {
    Env env = ctl_env;
    env["GRIDBILL_BALANCE_ADDR"] = balance->address;
    CommandResult schemes =
        Ctl(env, {"balance", "demo-schemes", "--seed", "11", "--max-points", "30"}, seconds(300));
    INFO(schemes.Describe());
    REQUIRE(schemes.exit_code == 0);
    CommandResult run = Ctl(env,
                            {"balance", "run", "2026-10", "--type", "preliminary", "--request-id",
                             "scale-preliminary-2026-10"},
                            seconds(600));
    INFO(run.Describe());
    REQUIRE(run.exit_code == 0);
  }
  INFO("log of replica b:\n" << b.process->Log());
  // Both replicas computed shards of the one run.
  const std::string claimers =
      QueryText(two_db,
                "SELECT string_agg(DISTINCT claimed_by, ',' ORDER BY claimed_by) "
                "FROM job_pieces WHERE state = 2");
  CHECK(claimers == "replica-a,replica-b");
  CHECK(QueryText(two_db, "SELECT count(*) FROM job_pieces") ==
        QueryText(one_db, "SELECT count(*) FROM job_pieces"));
  CHECK(std::stoi(QueryText(two_db, "SELECT count(*) FROM job_pieces")) > 5);
  CHECK(std::stoll(QueryText(one_db, "SELECT count(*) FROM service_hours")) > 0);
  // Row for row the same results.
  CHECK(ResultsDigest(two_db) == ResultsDigest(one_db));

  // --- Two gateways on one database behind one address. ---------------------
  WriteFile(dir.File("admin_password"), "admin-password-for-the-scale-test\n");
  const std::string gateway_db = CreateDatabase("scale_gateway");
  auto gateway_env = [&] {
    return Env{{"GRIDBILL_IDENTITY_SECRET", kSecret},
               {"GRIDBILL_TOKEN_SECRET", kTokenSecret},
               {"GRIDBILL_WEB_ADDRESS", "127.0.0.1:" + std::to_string(FreePort())},
               {"GRIDBILL_BACKEND_CONTRACTS", contracts.address},
               {"GRIDBILL_BACKEND_METERING", metering.address},
               {"GRIDBILL_BACKEND_BALANCE", a.address},
               {"GRIDBILL_BOOTSTRAP_ADMIN", "admin"},
               {"GRIDBILL_BOOTSTRAP_ADMIN_PASSWORD_FILE", dir.File("admin_password")},
               {"GRIDBILL_ARGON2_MEMORY_KIB", "8192"},
               {"GRIDBILL_ARGON2_TIME_COST", "1"},
               {"GRIDBILL_AUDIT_FLUSH_INTERVAL", "100ms"}};
  };
  Running gw_a = Start("gateway-a", GRIDBILL_GATEWAY_BIN, gateway_db, gateway_env(), dir);
  WaitServing(gw_a);  // the first bootstraps the admin; the second finds it
  Running gw_b = Start("gateway-b", GRIDBILL_GATEWAY_BIN, gateway_db, gateway_env(), dir);
  WaitServing(gw_b);
  RoundRobinProxy proxy({PortOf(gw_a.address), PortOf(gw_b.address)});
  INFO("gateway a:\n" << gw_a.process->Log() << "\ngateway b:\n" << gw_b.process->Log());

  auto through = [&](const std::string& gateway, std::vector<std::string> args,
                     const std::string& stdin_path = "") {
    args.insert(args.begin(), {"--gateway", gateway});
    CommandResult r = Ctl({}, args, seconds(60), stdin_path);
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    return r.out;
  };
  // Each gridbillctl is one connection: consecutive calls alternate replicas.
  const std::string signed_in = through(
      proxy.address(),
      {"auth", "sign-in", "--user", "admin", "--password-file", dir.File("admin_password")});
  const std::string token = signed_in.substr(0, signed_in.find('\n'));
  REQUIRE(token.size() > 20);
  const std::string made =
      through(proxy.address(), {"--token", token, "auth", "create-api-key", "scale-reader",
                                "--roles", "auditor", "--request-id", "scale-key-1"});
  const std::string key = made.substr(0, made.find('\n'));
  REQUIRE(key.rfind("gbk_", 0) == 0);

  const std::string one_participants =
      through(gw_a.address, {"--api-key", key, "participants", "list"});
  const std::string one_runs =
      through(gw_a.address, {"--api-key", key, "balance", "runs", "--period", "2026-10"});
  CHECK(one_participants.size() > 100);  // the demo's participants
  for (int i = 0; i < 4; ++i) {
    CHECK(through(proxy.address(), {"--api-key", key, "participants", "list"}) == one_participants);
    CHECK(through(proxy.address(), {"--api-key", key, "balance", "runs", "--period", "2026-10"}) ==
          one_runs);
  }
  CHECK(proxy.connections() >= 10);
  // Both replicas served calls.
  CHECK(HandledCalls(gw_a.metrics_port) >= 5);
  CHECK(HandledCalls(gw_b.metrics_port) >= 5);
}

}  // namespace
}  // namespace gridbill::suite
