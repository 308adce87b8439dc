// Schema migrations: migrations/Vnnn__name.sql applied in order, each in its
// own transaction, recorded in schema_migrations with a SHA-256 checksum.
// Refuses (FAILED_PRECONDITION) when an applied file has changed or is gone.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gridbill/pg/pool.h"

namespace gridbill::pg {

struct MigrationFile {
  std::string name;  // "V001__init.sql"
  std::string sql;
};

// Reads every Vnnn__*.sql of `dir`, sorted by version.
absl::StatusOr<std::vector<MigrationFile>> LoadMigrationsFromDir(const std::string& dir);

// The migrations compiled into a binary by gridbill_embed_migrations().
std::vector<MigrationFile> EmbeddedMigrations();

struct MigrationReport {
  std::vector<std::string> applied;  // names applied by this call
  int already_applied = 0;
};

// Applies pending migrations under an advisory lock (safe with replicas
// starting together). Names must be Vnnn__name.sql with unique versions.
absl::StatusOr<MigrationReport> Migrate(Pool& pool, const std::vector<MigrationFile>& files);

// Checks without changing anything that every file is applied as it is
// (a service whose migrations a Job applies before it starts).
// FAILED_PRECONDITION names the first file not applied, or changed since.
// Migrations applied beyond the files are accepted: migrations are
// additive, so a binary one version older runs on the newer schema during a
// rollout or a rollback.
absl::Status CheckMigrations(Pool& pool, const std::vector<MigrationFile>& files);

}  // namespace gridbill::pg
