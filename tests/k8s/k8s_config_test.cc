// The settings deploy/k8s gives each service are settings it knows: for every
// overlay, each Deployment's ConfigMap (and plain env values) becomes a
// config file (config_files.mjs), and the real binary starts on it against a
// throwaway PostgreSQL and answers SERVING. A config file, unlike the
// environment, is held to "every key is known", so a misspelt or removed
// setting in a ConfigMap fails here instead of being ignored in the cluster.
// Addresses, the database URL and the secrets come from the environment, as
// in the pod (Secrets and the downward API).
#include <libpq-fe.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "gridbill/pgtest/pgtest.h"
#include "harness.h"

namespace gridbill::suite {
namespace {

const std::map<std::string, std::string> kBinaries = {
    {"contracts", GRIDBILL_CONTRACTS_BIN},       {"metering", GRIDBILL_METERING_BIN},
    {"balance", GRIDBILL_BALANCE_BIN},           {"invoicing", GRIDBILL_INVOICING_BIN},
    {"forecasting", GRIDBILL_FORECASTING_BIN},   {"reporting", GRIDBILL_REPORTING_BIN},
    {"integrations", GRIDBILL_INTEGRATIONS_BIN}, {"gateway", GRIDBILL_GATEWAY_BIN},
};

std::vector<std::string> WriteConfigs(const std::string& overlay, const TempDir& dir) {
  const CommandResult r = Run({GRIDBILL_NODE, GRIDBILL_K8S_TEST_DIR "/config_files.mjs",
                               GRIDBILL_SOURCE_DIR "/deploy/k8s/overlays/" + overlay, dir.path()},
                              {}, std::chrono::seconds(120));
  INFO(r.Describe());
  REQUIRE(r.exit_code == 0);
  return absl::StrSplit(r.out.substr(0, r.out.find('\n')), ' ', absl::SkipEmpty());
}

// Runs `sql` on `database` as `role` (the cluster's superuser by default):
// "" when it succeeds, else the error.
std::string Sql(const std::string& database, const std::string& sql, const std::string& role = "") {
  std::string conninfo = pgtest::Cluster::Get().Conninfo(database);
  if (!role.empty()) conninfo += " user=" + role;
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) return PQerrorMessage(conn.get());
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  const ExecStatusType st = PQresultStatus(res.get());
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return "";
  return PQresultErrorMessage(res.get());
}

// The pod's environment of `service` on `config` and a database.
Env PodEnv(const std::string& service, const std::string& config, const std::string& database,
           const std::string& address, const TempDir& dir) {
  WriteFile(dir.File("admin_password"), "admin-password-for-the-config-test\n");
  Env env = {
      {"GRIDBILL_CONFIG", config},
      {"GRIDBILL_DATABASE_URL", database},
      {"GRIDBILL_GRPC_ADDRESS", address},
      {"GRIDBILL_METRICS_ADDRESS", "127.0.0.1:" + std::to_string(FreePort())},
      {"GRIDBILL_IDENTITY_SECRET", "config-test-identity-secret-0123456789"},
      {"GRIDBILL_WORKER_ID", service + "-0"},
  };
  if (service == "gateway") {
    env["GRIDBILL_TOKEN_SECRET"] = "config-test-token-secret-0123456789abc";
    env["GRIDBILL_WEB_ADDRESS"] = "127.0.0.1:" + std::to_string(FreePort());
    env["GRIDBILL_BOOTSTRAP_ADMIN_PASSWORD_FILE"] = dir.File("admin_password");
    env["GRIDBILL_ARGON2_MEMORY_KIB"] = "8192";
  }
  return env;
}

// The pod's init container: the binary with --database-migrate=only. Its
// exit status and log.
CommandResult Migrate(const std::string& service, const Env& env) {
  return Run({kBinaries.at(service), "--database-migrate=only"}, env, std::chrono::seconds(120));
}

// Starts `service` on `config` as its pod does (the init container's
// migrations, then the service); the outcome: "SERVING", or the exit status
// and log of the step that stopped.
std::string StartOn(const std::string& service, const std::string& config, const TempDir& dir,
                    bool migrate_first = true, std::string database = "") {
  const std::string address = "127.0.0.1:" + std::to_string(FreePort());
  if (database.empty()) {
    database = CreateDatabase("config_" + service + "_" + std::to_string(FreePort()));
  }
  const Env env = PodEnv(service, config, database, address, dir);
  if (migrate_first) {
    const CommandResult m = Migrate(service, env);
    if (m.exit_code != 0) return "exit " + std::to_string(m.exit_code) + ":\n" + m.err + m.out;
  }
  auto process = Process::Start({kBinaries.at(service)}, env, dir.File(service + ".log"));
  for (int i = 0; i < 600; ++i) {
    if (!process->Running()) break;
    if (HealthStatus(address, "", milliseconds(1000)) == "SERVING") {
      process->Signal(SIGTERM);
      process->WaitExit(std::chrono::seconds(30));
      return "SERVING";
    }
    std::this_thread::sleep_for(milliseconds(100));
  }
  const auto status = process->WaitExit(std::chrono::seconds(1));
  return "exit " + std::to_string(status.value_or(-1)) + ":\n" + process->Log();
}

TEST_CASE("every service starts on the settings each overlay gives it", "[suite][k8s]") {
  for (const std::string overlay : {"dev", "prod"}) {
    TempDir dir;
    const std::vector<std::string> deployments = WriteConfigs(overlay, dir);
    REQUIRE(deployments.size() == kBinaries.size());
    for (const std::string& service : deployments) {
      INFO(overlay << ": " << service << " with " << ReadFile(dir.File(service + ".conf")));
      REQUIRE(kBinaries.count(service) == 1);
      CHECK(StartOn(service, dir.File(service + ".conf"), dir) == "SERVING");
    }
    // Forecasting takes its VAT rates from invoicing, not from its own setting.
    const std::string forecasting = ReadFile(dir.File("forecasting.conf"));
    INFO(overlay << ": forecasting.conf\n" << forecasting);
    CHECK(forecasting.find("invoicing_address = \"invoicing:7104\"") != std::string::npos);
    CHECK(forecasting.find("vat_rates") == std::string::npos);
  }
}

TEST_CASE("the init container migrates and exits 0; the service only checks the schema",
          "[suite][k8s]") {
  TempDir dir;
  WriteConfigs("prod", dir);
  const std::string config = dir.File("invoicing.conf");
  REQUIRE(ReadFile(config).find("database_migrate = \"check\"") != std::string::npos);
  // Without the init container the service refuses the empty database.
  const std::string unmigrated = StartOn("invoicing", config, dir, /*migrate_first=*/false);
  INFO(unmigrated);
  CHECK(unmigrated.rfind("exit 1", 0) == 0);
  CHECK(unmigrated.find("is not applied") != std::string::npos);
  // The init container applies every migration and ends with 0, twice (a
  // second replica's finds nothing to do); then the service serves.
  const std::string database = CreateDatabase("config_migrate_" + std::to_string(FreePort()));
  const Env env = PodEnv("invoicing", config, database, "127.0.0.1:0", dir);
  const CommandResult first = Migrate("invoicing", env);
  INFO(first.Describe());
  CHECK(first.exit_code == 0);
  CHECK_FALSE(first.timed_out);
  CHECK(first.err.find("migrate only") != std::string::npos);
  // It never served: no gRPC port was opened.
  CHECK(first.err.find("\"listening\"") == std::string::npos);
  const CommandResult second = Migrate("invoicing", env);
  INFO(second.Describe());
  CHECK(second.exit_code == 0);
  CHECK(second.err.find("\"applied\":\"\"") != std::string::npos);
  CHECK(StartOn("invoicing", config, dir, /*migrate_first=*/false, database) == "SERVING");
}

TEST_CASE("the init container migrates as the owner; the service works as its runtime role",
          "[suite][k8s]") {
  // As in the overlays: the init container has database_url (the runtime
  // role's Secret) and database_owner_url (the owner's); the service only
  // database_url.
  TempDir dir;
  WriteConfigs("prod", dir);
  const std::string config = dir.File("invoicing.conf");
  const std::string n = std::to_string(FreePort());
  const std::string owner = "k8s_owner_" + n, app = "k8s_app_" + n, db = "k8s_roles_" + n;
  REQUIRE(Sql("postgres", "CREATE ROLE " + owner + " LOGIN") == "");
  REQUIRE(Sql("postgres", "CREATE ROLE " + app + " LOGIN") == "");
  REQUIRE(Sql("postgres", "CREATE DATABASE " + db + " OWNER " + owner) == "");
  const std::string conninfo = pgtest::Cluster::Get().Conninfo(db);
  Env init = PodEnv("invoicing", config, conninfo + " user=" + app, "127.0.0.1:0", dir);
  init["GRIDBILL_DATABASE_OWNER_URL"] = conninfo + " user=" + owner;
  const CommandResult migrated = Migrate("invoicing", init);
  INFO(migrated.Describe());
  REQUIRE(migrated.exit_code == 0);
  CHECK(migrated.err.find("\"runtime_role\":\"" + app + "\"") != std::string::npos);
  CHECK(StartOn("invoicing", config, dir, /*migrate_first=*/false, conninfo + " user=" + app) ==
        "SERVING");
  // The runtime role has rows, not the schema.
  CHECK(Sql(db, "SELECT count(*) FROM documents", app) == "");
  CHECK(Sql(db, "DROP TABLE document_lines", app).find("must be owner") != std::string::npos);
  CHECK(Sql(db, "ALTER TABLE documents DISABLE TRIGGER documents_immutable", app)
            .find("must be owner") != std::string::npos);
  // Without the owner's URL the init container migrates as the runtime
  // role, which may not make tables: it fails, and the service does not start.
  const std::string db2 = "k8s_roles2_" + n;
  REQUIRE(Sql("postgres", "CREATE DATABASE " + db2 + " OWNER " + owner) == "");
  const std::string conninfo2 = pgtest::Cluster::Get().Conninfo(db2);
  const CommandResult refused = Migrate(
      "invoicing", PodEnv("invoicing", config, conninfo2 + " user=" + app, "127.0.0.1:0", dir));
  INFO(refused.Describe());
  CHECK(refused.exit_code != 0);
  CHECK(refused.err.find("permission denied") != std::string::npos);
}

TEST_CASE("a setting the service does not know stops it at start", "[suite][k8s]") {
  TempDir dir;
  WriteConfigs("prod", dir);
  const std::string config = dir.File("contracts.conf");
  WriteFile(config, ReadFile(config) + "shard_lease = \"10m\"\n");  // balance's, not contracts'
  const std::string outcome = StartOn("contracts", config, dir);
  INFO(outcome);
  CHECK(outcome.rfind("exit 1", 0) == 0);
  CHECK(outcome.find("unknown key shard_lease") != std::string::npos);
}

}  // namespace
}  // namespace gridbill::suite
