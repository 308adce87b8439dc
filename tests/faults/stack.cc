#include "stack.h"

#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "gridbill/pgtest/pgtest.h"

namespace gridbill::faults {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kAdminPassword[] = "fault-suite-admin-password\n";

std::string PgBin() {
  const char* env = std::getenv("GRIDBILL_PG_BIN");
  return env != nullptr && *env != '\0' ? env : "/usr/lib/postgresql/15/bin";
}

// pg_ctl as the cluster's owner (PostgreSQL refuses to run as root).
suite::CommandResult PgCtl(std::vector<std::string> args) {
  const std::string dir = pgtest::Cluster::Get().socket_dir();
  std::vector<std::string> argv;
  if (geteuid() == 0) argv = {"/usr/sbin/runuser", "-u", "postgres", "--"};
  argv.push_back(PgBin() + "/pg_ctl");
  argv.push_back("-D");
  argv.push_back(dir + "/data");
  argv.insert(argv.end(), args.begin(), args.end());
  return suite::Run(argv, {}, seconds(90));
}

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

void Service::Start() {
  Env full = {
      {"GRIDBILL_GRPC_ADDRESS", address()},
      {"GRIDBILL_METRICS_ADDRESS", "127.0.0.1:" + std::to_string(metrics_port)},
      {"GRIDBILL_SHUTDOWN_GRACE", "2s"},
  };
  for (const auto& [k, v] : env) full[k] = v;
  process = suite::Process::Start({binary}, full, log);
  ++starts;
}

bool Service::Running() { return process != nullptr && process->Running(); }

void Service::Kill() {
  if (process == nullptr) return;
  process->Signal(SIGKILL);
  process->WaitExit(seconds(10));
}

bool Service::WaitServing(seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (suite::HealthStatus(address(), "", milliseconds(1000)) == "SERVING") return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

std::optional<Rows> Query(const std::string& conninfo, const std::string& sql, std::string* error) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(
      PQconnectdb((conninfo + " connect_timeout=5").c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    if (error != nullptr) *error = PQerrorMessage(conn.get());
    return std::nullopt;
  }
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
    if (error != nullptr) *error = sql + ": " + PQerrorMessage(conn.get());
    return std::nullopt;
  }
  Rows rows;
  rows.reserve(static_cast<size_t>(PQntuples(res.get())));
  for (int r = 0; r < PQntuples(res.get()); ++r) {
    std::vector<std::string> row;
    for (int c = 0; c < PQnfields(res.get()); ++c) row.emplace_back(PQgetvalue(res.get(), r, c));
    rows.push_back(std::move(row));
  }
  return rows;
}

void MakeCommitsDurable() {
  const std::string conninfo = pgtest::Cluster::Get().Conninfo("postgres");
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  for (const char* sql : {"ALTER SYSTEM SET synchronous_commit = on", "SELECT pg_reload_conf()"}) {
    std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql), &PQclear);
    const ExecStatusType st = PQresultStatus(res.get());
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      throw std::runtime_error(std::string(sql) + ": " + PQerrorMessage(conn.get()));
    }
  }
}

void StopPostgresImmediate() {
  suite::CommandResult r = PgCtl({"-m", "immediate", "-w", "-s", "stop"});
  if (r.exit_code != 0) throw std::runtime_error("pg_ctl stop: " + r.Describe());
}

void StartPostgres() {
  const std::string dir = pgtest::Cluster::Get().socket_dir();
  suite::CommandResult r = PgCtl({"-l", dir + "/postgres.log", "-w", "-t", "60", "-s", "start"});
  if (r.exit_code != 0) throw std::runtime_error("pg_ctl start: " + r.Describe());
}

Stack::Stack(const std::string& prefix, const suite::TempDir& dir, uint64_t seed)
    : prefix_(prefix), dir_(dir) {
  const std::map<std::string, std::string> binaries = {
      {"contracts", GRIDBILL_CONTRACTS_BIN}, {"metering", GRIDBILL_METERING_BIN},
      {"balance", GRIDBILL_BALANCE_BIN},     {"invoicing", GRIDBILL_INVOICING_BIN},
      {"gateway", GRIDBILL_GATEWAY_BIN},
  };
  for (const auto& [name, bin] : binaries) {
    auto s = std::make_unique<Service>();
    s->name = name;
    s->binary = bin;
    s->log = dir.File(prefix + "-" + name + ".log");
    dbs_[name] = suite::CreateDatabase(prefix + "_" + name);
    s->env["GRIDBILL_DATABASE_URL"] = dbs_[name];
    services_[name] = std::move(s);
  }
  uint64_t next_seed = seed;
  auto proxy = [&](const std::string& from, const std::string& to) {
    proxies_.push_back(
        std::make_unique<FaultProxy>(from + "->" + to, services_.at(to)->port, ++next_seed));
    return proxies_.back()->address();
  };
  Service& balance = *services_["balance"];
  balance.env["GRIDBILL_METERING_ADDRESS"] = proxy("balance", "metering");
  balance.env["GRIDBILL_CONTRACTS_ADDRESS"] = proxy("balance", "contracts");
  balance.env["GRIDBILL_SHARD_POINTS"] = "40";
  balance.env["GRIDBILL_SHARD_LEASE"] = "10s";
  Service& invoicing = *services_["invoicing"];
  invoicing.env["GRIDBILL_CONTRACTS_ADDRESS"] = proxy("invoicing", "contracts");
  invoicing.env["GRIDBILL_BALANCE_ADDRESS"] = proxy("invoicing", "balance");
  invoicing.env["GRIDBILL_RENDER_PDF_IN_RUN"] = "false";
  invoicing.env["GRIDBILL_RUN_LEASE"] = "3s";
  invoicing.env["GRIDBILL_ISSUE_BATCH"] = "16";
  services_["metering"]->env["GRIDBILL_IMPORT_LEASE"] = "3s";
  Service& gateway = *services_["gateway"];
  suite::WriteFile(dir.File(prefix + "-admin-password"), kAdminPassword);
  gateway.env["GRIDBILL_IDENTITY_SECRET"] = "fault-suite-identity-secret-0123456789abcdef";
  gateway.env["GRIDBILL_TOKEN_SECRET"] = "fault-suite-token-secret-0123456789abcdefghij";
  gateway.env["GRIDBILL_WEB_ADDRESS"] = "127.0.0.1:" + std::to_string(web_port_);
  gateway.env["GRIDBILL_BOOTSTRAP_ADMIN"] = "admin";
  gateway.env["GRIDBILL_BOOTSTRAP_ADMIN_PASSWORD_FILE"] = dir.File(prefix + "-admin-password");
  gateway.env["GRIDBILL_ARGON2_MEMORY_KIB"] = "8192";
  gateway.env["GRIDBILL_ARGON2_TIME_COST"] = "1";
  gateway.env["GRIDBILL_AUDIT_FLUSH_INTERVAL"] = "100ms";
  gateway.env["GRIDBILL_RATE_LIMIT_PRINCIPAL"] = "0";
  for (const char* to : {"contracts", "metering", "balance", "invoicing"}) {
    std::string key = std::string("GRIDBILL_BACKEND_") + to;
    for (char& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    gateway.env[key] = proxy("gateway", to);
  }
}

Stack::~Stack() { Stop(); }

std::vector<std::string> Stack::service_names() const {
  std::vector<std::string> out;
  for (const auto& [name, s] : services_) out.push_back(name);
  return out;
}

std::vector<FaultProxy*> Stack::proxies() {
  std::vector<FaultProxy*> out;
  for (auto& p : proxies_) out.push_back(p.get());
  return out;
}

void Stack::SetNetFaults(const NetFaults& f) {
  for (auto& p : proxies_) p->Set(f);
}

void Stack::Start() {
  for (const char* name : {"contracts", "metering", "balance", "invoicing", "gateway"}) {
    services_.at(name)->Start();
  }
  for (auto& [name, s] : services_) {
    if (!s->WaitServing(seconds(120))) {
      throw std::runtime_error(name + " did not become SERVING:\n" + s->process->Log());
    }
  }
  stop_ = false;
  supervisor_ = std::thread([this] { SupervisorLoop(); });
  // An API key for gridbillctl, made through the gateway as an admin would.
  const std::string gateway = service("gateway").address();
  suite::CommandResult in =
      suite::Run({GRIDBILL_CTL_BIN, "--gateway", gateway, "auth", "sign-in", "--user", "admin",
                  "--password-file", dir_.File(prefix_ + "-admin-password")},
                 {}, seconds(60));
  if (in.exit_code != 0) throw std::runtime_error("sign-in: " + in.Describe());
  const std::string token = FirstLine(in.out);
  suite::CommandResult key =
      suite::Run({GRIDBILL_CTL_BIN, "--gateway", gateway, "--token", token, "auth",
                  "create-api-key", "fault-suite", "--roles", "operator", "--roles", "accountant",
                  "--request-id", prefix_ + "-key"},
                 {}, seconds(60));
  if (key.exit_code != 0) throw std::runtime_error("create-api-key: " + key.Describe());
  api_key_ = FirstLine(key.out);
}

void Stack::Stop() {
  stop_ = true;
  if (supervisor_.joinable()) supervisor_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, s] : services_) s->Kill();
}

void Stack::Kill(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  services_.at(name)->Kill();
}

void Stack::SupervisorLoop() {
  while (!stop_) {
    std::this_thread::sleep_for(milliseconds(200));
    if (!supervise_) continue;
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [name, s] : services_) {
      if (stop_) return;
      if (!s->Running()) {
        s->Start();
        ++restarts_;
      }
    }
  }
}

suite::CommandResult Stack::Ctl(std::vector<std::string> args, seconds timeout) const {
  args.insert(args.begin(), {GRIDBILL_CTL_BIN, "--gateway", services_.at("gateway")->address(),
                             "--api-key", api_key_});
  return suite::Run(args, {}, timeout);
}

}  // namespace gridbill::faults
