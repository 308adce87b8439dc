#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "gridbill/base/sha256.h"
#include "gridbill/pg/migrations.h"
#include "gridbill/pg/pool.h"
#include "gridbill/pgtest/pgtest.h"
#include "pg_test_util.h"

namespace gridbill::pg {
namespace {

using testing::kTestMigrations;
using testing::MakePool;
using testing::QueryInt;
using testing::QueryText;

const MigrationFile kInit{"V001__init.sql", "CREATE TABLE a (id int PRIMARY KEY);"};
const MigrationFile kSeed{"V002__seed.sql", "INSERT INTO a VALUES (1), (2);"};
const MigrationFile kColumn{"V010__add_name.sql",
                            "ALTER TABLE a ADD COLUMN name text; UPDATE a SET name = 'n' || id;"};

// A database with no schema of its own.
std::vector<MigrationFile> None() { return {}; }

TEST_CASE("migrations: applied in version order, each recorded with its checksum") {
  pgtest::Database db(None());
  // Given out of order: V002 needs V001's table.
  absl::StatusOr<MigrationReport> report = Migrate(db.pool(), {kColumn, kSeed, kInit});
  REQUIRE(report.status().ToString() == "OK");
  CHECK(report->applied ==
        std::vector<std::string>{"V001__init.sql", "V002__seed.sql", "V010__add_name.sql"});
  CHECK(report->already_applied == 0);
  CHECK(QueryText(db.pool(), "SELECT string_agg(name, ',' ORDER BY id) FROM a") == "n1,n2");

  absl::StatusOr<Result> rows = db.pool().Execute(
      Query{"", "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY 1"});
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].Int(0) == 1);
  CHECK((*rows)[0].String(1) == "V001__init.sql");
  CHECK((*rows)[0].String(2) == Sha256Hex(kInit.sql));
  CHECK((*rows)[2].Int(0) == 10);
  CHECK(absl::Now() - (*rows)[2].Time(3) < absl::Minutes(1));

  SECTION("running again is a no-op") {
    absl::StatusOr<MigrationReport> again = Migrate(db.pool(), {kInit, kSeed, kColumn});
    REQUIRE(again.ok());
    CHECK(again->applied.empty());
    CHECK(again->already_applied == 3);
    CHECK(QueryInt(db.pool(), "SELECT count(*) FROM a") == 2);
  }
  SECTION("a new file is applied alone") {
    MigrationFile next{"V011__more.sql", "INSERT INTO a VALUES (3, 'x');"};
    absl::StatusOr<MigrationReport> again = Migrate(db.pool(), {kInit, kSeed, kColumn, next});
    REQUIRE(again.ok());
    CHECK(again->applied == std::vector<std::string>{"V011__more.sql"});
    CHECK(QueryInt(db.pool(), "SELECT count(*) FROM a") == 3);
  }
  SECTION("a changed file is refused, naming it, and nothing else runs") {
    MigrationFile changed = kSeed;
    changed.sql += " -- edited";
    MigrationFile next{"V011__more.sql", "INSERT INTO a VALUES (3, 'x');"};
    absl::StatusOr<MigrationReport> again = Migrate(db.pool(), {kInit, changed, kColumn, next});
    CHECK(again.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(again.status().message()),
               Catch::Contains("V002__seed.sql") && Catch::Contains("changed"));
    CHECK(QueryInt(db.pool(), "SELECT count(*) FROM a") == 2);
  }
  SECTION("an applied file missing from the files is refused") {
    absl::StatusOr<MigrationReport> again = Migrate(db.pool(), {kInit, kColumn});
    CHECK(again.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(again.status().message()),
               Catch::Contains("V002__seed.sql") && Catch::Contains("missing"));
  }
  SECTION("a renamed file is refused") {
    MigrationFile renamed{"V002__seed_data.sql", kSeed.sql};
    absl::StatusOr<MigrationReport> again = Migrate(db.pool(), {kInit, renamed, kColumn});
    CHECK(again.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(again.status().message()), Catch::Contains("V002__seed_data.sql"));
  }
  SECTION("a file older than the latest applied one is refused") {
    MigrationFile late{"V005__late.sql", "SELECT 1;"};
    absl::StatusOr<MigrationReport> again = Migrate(db.pool(), {kInit, kSeed, late, kColumn});
    CHECK(again.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK_THAT(std::string(again.status().message()), Catch::Contains("V005__late.sql"));
  }
}

TEST_CASE("migrations: CheckMigrations passes only when every file is applied unchanged") {
  pgtest::Database db(None());
  // Nothing applied yet (no schema_migrations table).
  absl::Status empty = CheckMigrations(db.pool(), {kInit, kSeed});
  CHECK(empty.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(empty.message()), Catch::Contains("V001__init.sql is not applied"));
  REQUIRE(Migrate(db.pool(), {kInit}).ok());
  absl::Status partly = CheckMigrations(db.pool(), {kInit, kSeed});
  CHECK(partly.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(partly.message()), Catch::Contains("V002__seed.sql is not applied"));
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM a") == 0);  // checking applies nothing
  REQUIRE(Migrate(db.pool(), {kInit, kSeed, kColumn}).ok());
  CHECK(CheckMigrations(db.pool(), {kInit, kSeed, kColumn}).ok());
  // A binary one version older runs on the newer schema.
  CHECK(CheckMigrations(db.pool(), {kInit, kSeed}).ok());
  // A changed file is refused.
  const MigrationFile changed{"V002__seed.sql", "INSERT INTO a VALUES (3);"};
  absl::Status edited = CheckMigrations(db.pool(), {kInit, changed});
  CHECK(edited.code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(edited.message()), Catch::Contains("checksum"));
}

TEST_CASE("migrations: badly named files are rejected before anything runs") {
  pgtest::Database db(None());
  for (const char* name :
       {"V1_init.sql", "init.sql", "V001__.sql", "v001__init.sql", "V001__bad name.sql",
        "V001__init.txt", "Vx__init.sql", "V0__zero.sql"}) {
    INFO(name);
    absl::StatusOr<MigrationReport> report = Migrate(db.pool(), {kInit, {name, "SELECT 1;"}});
    CHECK(report.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(report.status().message()), Catch::Contains(name));
  }
  absl::StatusOr<MigrationReport> dup = Migrate(db.pool(), {kInit, {"V1__again.sql", "SELECT 1;"}});
  CHECK(dup.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(dup.status().message()),
             Catch::Contains("V001__init.sql") && Catch::Contains("V1__again.sql"));
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM schema_migrations") == 0);
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM pg_tables WHERE tablename = 'a'") == 0);
}

TEST_CASE("migrations: a failing file is rolled back whole and named") {
  pgtest::Database db(None());
  MigrationFile bad{"V002__bad.sql", "CREATE TABLE half (id int); SELECT * FROM nowhere;"};
  absl::StatusOr<MigrationReport> report = Migrate(db.pool(), {kInit, bad});
  CHECK_FALSE(report.ok());
  CHECK_THAT(std::string(report.status().message()),
             Catch::Contains("V002__bad.sql") && Catch::Contains("nowhere"));
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM schema_migrations") == 1);
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM pg_tables WHERE tablename = 'half'") == 0);
  // Fixed, it applies.
  bad.sql = "CREATE TABLE half (id int);";
  report = Migrate(db.pool(), {kInit, bad});
  REQUIRE(report.ok());
  CHECK(report->applied == std::vector<std::string>{"V002__bad.sql"});
}

TEST_CASE("migrations: replicas migrating together apply each file once") {
  pgtest::Database db(None());
  std::vector<MigrationFile> files = {kInit, kSeed, kColumn};
  std::vector<absl::StatusOr<MigrationReport>> reports(4, absl::UnknownError("not run"));
  std::vector<std::unique_ptr<Pool>> pools;
  for (int i = 0; i < 4; ++i) pools.push_back(MakePool(db, PoolOptions{}));
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { reports[i] = Migrate(*pools[i], files); });
  }
  for (auto& t : threads) t.join();
  size_t applied = 0;
  for (auto& r : reports) {
    REQUIRE(r.status().ToString() == "OK");
    applied += r->applied.size();
  }
  CHECK(applied == 3);
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM a") == 2);
}

TEST_CASE("migrations: LoadMigrationsFromDir reads the .sql files in version order") {
  char tmpl[] = "/tmp/gridbill-migrations-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  std::filesystem::path dir(tmpl);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
  };
  write("V010__c.sql", "SELECT 10;");
  write("V002__b.sql", "SELECT 2;\r\n");
  write("V001__a.sql", "SELECT 1;");
  write("README.md", "not a migration");
  absl::StatusOr<std::vector<MigrationFile>> files = LoadMigrationsFromDir(dir.string());
  REQUIRE(files.ok());
  REQUIRE(files->size() == 3);
  CHECK((*files)[0].name == "V001__a.sql");
  CHECK((*files)[1].name == "V002__b.sql");
  CHECK((*files)[1].sql == "SELECT 2;\r\n");
  CHECK((*files)[2].name == "V010__c.sql");

  write("V3_typo.sql", "SELECT 3;");
  absl::StatusOr<std::vector<MigrationFile>> bad = LoadMigrationsFromDir(dir.string());
  CHECK(bad.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("V3_typo.sql"));

  std::filesystem::remove_all(dir);
  CHECK(LoadMigrationsFromDir(dir.string()).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("migrations: the embedded copy is byte for byte the files") {
  absl::StatusOr<std::vector<MigrationFile>> files = LoadMigrationsFromDir(kTestMigrations);
  REQUIRE(files.ok());
  std::vector<MigrationFile> embedded = EmbeddedMigrations();
  REQUIRE(embedded.size() == files->size());
  REQUIRE(embedded.size() >= 2);
  for (size_t i = 0; i < embedded.size(); ++i) {
    CHECK(embedded[i].name == (*files)[i].name);
    CHECK(Sha256Hex(embedded[i].sql) == Sha256Hex((*files)[i].sql));
  }
  // A database migrated from the embedded copy matches the files' checksums.
  pgtest::Database db(embedded);
  CHECK(Migrate(db.pool(), *files)->applied.empty());
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'") == 1);
}

}  // namespace
}  // namespace gridbill::pg
