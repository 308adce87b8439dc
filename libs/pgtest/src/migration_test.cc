#include "gridbill/pgtest/migration_test.h"

#include <algorithm>

#include "catch2/catch.hpp"
#include "gridbill/pg/query.h"

namespace gridbill::pgtest {

std::unique_ptr<Database> MigratedOver(const std::string& dir, std::string_view migration,
                                       const std::vector<std::string>& seed) {
  absl::StatusOr<std::vector<pg::MigrationFile>> files = pg::LoadMigrationsFromDir(dir);
  INFO(files.status().ToString());
  REQUIRE(files.ok());
  const auto at = std::find_if(files->begin(), files->end(),
                               [&](const pg::MigrationFile& f) { return f.name == migration; });
  INFO("no migration " << migration << " in " << dir);
  REQUIRE(at != files->end());
  auto db = std::make_unique<Database>(std::vector<pg::MigrationFile>(files->begin(), at));
  for (const std::string& sql : seed) {
    INFO(sql);
    absl::StatusOr<pg::Result> stored = db->pool().Execute(pg::Query{"", sql.c_str()});
    INFO(stored.status().ToString());
    REQUIRE(stored.ok());
  }
  absl::StatusOr<pg::MigrationReport> migrated = pg::Migrate(db->pool(), *files);
  INFO(migrated.status().ToString());
  REQUIRE(migrated.ok());
  return db;
}

}  // namespace gridbill::pgtest
