// Database roles per service (DatabaseConfig::owner_url): Bootstrap runs the
// migrations as the owner role and grants the runtime role only row
// access. Over invoicing's schema (immutable documents by trigger) the
// runtime role reads and writes rows but cannot drop a table, drop or
// disable the immutability triggers, switch triggers off for its session
// or make a table; over metering's it still makes a month's partition,
// through the owner's function.
#include <libpq-fe.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gridbill/pg/migrations.h"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/server/bootstrap.h"

namespace gridbill {
namespace {

// Runs `sql` as `role` on `database`: "" when it succeeds, else the error.
std::string As(const std::string& role, const std::string& database, const std::string& sql) {
  const std::string conninfo =
      absl::StrCat(pgtest::Cluster::Get().Conninfo(database), " user=", role);
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) return PQerrorMessage(conn.get());
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  const ExecStatusType st = PQresultStatus(res.get());
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return "";
  return PQresultErrorMessage(res.get());
}

// A database owned by `owner`, migrated by Bootstrap with `app` as the
// runtime role.
void Boot(const std::string& database, const std::string& owner, const std::string& app,
          const std::string& migrations_dir) {
  REQUIRE(As("postgres", "postgres", absl::StrCat("CREATE ROLE ", owner, " LOGIN")) == "");
  REQUIRE(As("postgres", "postgres", absl::StrCat("CREATE ROLE ", app, " LOGIN")) == "");
  REQUIRE(As("postgres", "postgres",
             absl::StrCat("CREATE DATABASE ", database, " OWNER ", owner)) == "");
  auto migrations = pg::LoadMigrationsFromDir(migrations_dir);
  REQUIRE(migrations.ok());
  ServerConfig server;
  server.service_name = "roles";
  DatabaseConfig db;
  db.url = absl::StrCat(pgtest::Cluster::Get().Conninfo(database), " user=", app);
  db.owner_url = absl::StrCat(pgtest::Cluster::Get().Conninfo(database), " user=", owner);
  db.pool_size = 1;
  db.statement_timeout = absl::Seconds(30);
  auto base = Bootstrap(server, db, *migrations);
  INFO(base.status().ToString());
  REQUIRE(base.ok());
  // Started again: nothing to apply, the grants are the same.
  REQUIRE(Bootstrap(server, db, *migrations).ok());
}

TEST_CASE("the runtime role cannot drop tables or touch the immutability triggers") {
  Boot("roles_invoicing", "invoicing_owner", "invoicing_app",
       GRIDBILL_REPO_DIR "/services/invoicing/migrations");
  const std::string db = "roles_invoicing";
  // Rows: yes.
  CHECK(As("invoicing_app", db, "SELECT count(*) FROM documents") == "");
  CHECK(As("invoicing_app", db, "SELECT count(*) FROM document_lines") == "");
  // The schema: no.
  CHECK(As("invoicing_app", db, "DROP TABLE document_lines").find("must be owner") !=
        std::string::npos);
  CHECK(As("invoicing_app", db, "ALTER TABLE documents DISABLE TRIGGER documents_immutable")
            .find("must be owner") != std::string::npos);
  CHECK(As("invoicing_app", db, "DROP TRIGGER documents_immutable ON documents")
            .find("must be owner") != std::string::npos);
  CHECK(
      As("invoicing_app", db, "SET session_replication_role = replica").find("permission denied") !=
      std::string::npos);
  CHECK(As("invoicing_app", db, "CREATE TABLE shadow (i int)").find("permission denied") !=
        std::string::npos);
  CHECK(As("invoicing_app", db, "TRUNCATE documents").find("permission denied") !=
        std::string::npos);
  // The owner can (so the refusals above are about the role, not the names).
  CHECK(As("invoicing_owner", db,
           "BEGIN; ALTER TABLE documents DISABLE TRIGGER documents_immutable; ROLLBACK") == "");
}

TEST_CASE("the runtime role makes a month's partition only through the owner's function") {
  Boot("roles_metering", "metering_owner", "metering_app",
       GRIDBILL_REPO_DIR "/services/metering/migrations");
  const std::string db = "roles_metering";
  CHECK(As("metering_app", db,
           "CREATE TABLE reading_days_2031_02 PARTITION OF reading_days FOR VALUES FROM "
           "('2031-02-01') TO ('2031-03-01')") != "");
  CHECK(As("metering_app", db, "SELECT ensure_reading_days_partition('2031-01-17')") == "");
  CHECK(As("metering_app", db, "SELECT ensure_reading_days_partition('2031-01-01')") == "");
  CHECK(As("metering_app", db,
           "SELECT 1 / count(*) FROM pg_class WHERE relname = 'reading_days_2031_01'") == "");
  CHECK(As("metering_app", db, "SELECT count(*) FROM reading_days") == "");
  CHECK(As("metering_app", db, "DROP TABLE reading_days_2031_01").find("must be owner") !=
        std::string::npos);
}

TEST_CASE("database_migrate = check: the runtime role serves only on a migrated schema") {
  // A Kubernetes pod: the init container migrates as the owner, the service
  // (runtime role, no owner's URL) checks.
  REQUIRE(As("postgres", "postgres", "CREATE ROLE check_owner LOGIN") == "");
  REQUIRE(As("postgres", "postgres", "CREATE ROLE check_app LOGIN") == "");
  REQUIRE(As("postgres", "postgres", "CREATE DATABASE roles_check OWNER check_owner") == "");
  auto migrations = pg::LoadMigrationsFromDir(GRIDBILL_REPO_DIR "/services/invoicing/migrations");
  REQUIRE(migrations.ok());
  ServerConfig server;
  server.service_name = "roles";
  DatabaseConfig service;
  service.url = absl::StrCat(pgtest::Cluster::Get().Conninfo("roles_check"), " user=check_app");
  service.pool_size = 1;
  service.statement_timeout = absl::Seconds(30);
  service.migrate = DatabaseConfig::Migrate::kCheck;
  // Nothing applied yet: refused, naming the first migration.
  auto refused = Bootstrap(server, service, *migrations);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(refused.status().message().find(migrations->front().name) != std::string::npos);
  CHECK(refused.status().message().find("is not applied") != std::string::npos);
  // All but the last applied (an older Job, a newer binary): still refused.
  DatabaseConfig migrate = service;
  migrate.owner_url =
      absl::StrCat(pgtest::Cluster::Get().Conninfo("roles_check"), " user=check_owner");
  migrate.migrate = DatabaseConfig::Migrate::kApply;
  std::vector<pg::MigrationFile> older(migrations->begin(), migrations->end() - 1);
  REQUIRE(Bootstrap(server, migrate, older).ok());
  auto behind = Bootstrap(server, service, *migrations);
  REQUIRE_FALSE(behind.ok());
  CHECK(behind.status().message().find(migrations->back().name) != std::string::npos);
  // The older binary runs on it; once all are applied, the newer does too,
  // and changes nothing (the runtime role could not).
  CHECK(Bootstrap(server, service, older).ok());
  REQUIRE(Bootstrap(server, migrate, *migrations).ok());
  auto serving = Bootstrap(server, service, *migrations);
  INFO(serving.status().ToString());
  CHECK(serving.ok());
}

}  // namespace
}  // namespace gridbill
