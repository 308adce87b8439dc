#include "gridbill/pg/migrations.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::pg {
namespace {

// Serialises Migrate() across processes: "gridbill" in ASCII.
constexpr int64_t kMigrationLockKey = 0x6772696462696c6c;

constexpr Query kLock{"gridbill_migrations_lock", "SELECT pg_advisory_xact_lock($1)"};
constexpr Query kApplied{"gridbill_migrations_applied",
                         "SELECT version, name, checksum FROM schema_migrations ORDER BY version"};
constexpr Query kRecord{"gridbill_migrations_record",
                        "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
                        " VALUES ($1, $2, $3, now())"};
constexpr Query kTableExists{"gridbill_migrations_table",
                             "SELECT to_regclass('schema_migrations') IS NOT NULL AS present"};
constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

struct Versioned {
  int version;
  const MigrationFile* file;
};

// "V001__init.sql" -> 1. The description is letters, digits, '_' and '-'.
absl::StatusOr<int> VersionOf(absl::string_view name) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("migration file \"", name,
                     "\" is badly named: expected V<number>__<description>.sql, e.g. "
                     "V001__init.sql"));
  };
  if (!absl::StartsWith(name, "V") || !absl::EndsWith(name, ".sql")) return bad();
  absl::string_view rest = name.substr(1, name.size() - 5);
  size_t sep = rest.find("__");
  if (sep == absl::string_view::npos || sep == 0 || sep > 9) return bad();
  absl::string_view digits = rest.substr(0, sep);
  absl::string_view description = rest.substr(sep + 2);
  if (description.empty()) return bad();
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return bad();
  }
  for (char c : description) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return bad();
  }
  int version = 0;
  if (!absl::SimpleAtoi(digits, &version) || version < 1) return bad();
  return version;
}

absl::StatusOr<std::vector<Versioned>> Ordered(const std::vector<MigrationFile>& files) {
  std::vector<Versioned> out;
  out.reserve(files.size());
  for (const MigrationFile& f : files) {
    ASSIGN_OR_RETURN(int version, VersionOf(f.name));
    out.push_back({version, &f});
  }
  std::sort(out.begin(), out.end(),
            [](const Versioned& a, const Versioned& b) { return a.version < b.version; });
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].version == out[i - 1].version) {
      return absl::InvalidArgumentError(absl::StrCat("migration files \"", out[i - 1].file->name,
                                                     "\" and \"", out[i].file->name,
                                                     "\" have the same version ", out[i].version));
    }
  }
  return out;
}

struct Applied {
  std::string name;
  std::string checksum;
};

// Checks the recorded history against the files; returns the next file to
// apply, or nullptr when the schema is up to date.
absl::StatusOr<const Versioned*> NextPending(const std::vector<Versioned>& files,
                                             const std::vector<std::string>& checksums,
                                             const std::map<int, Applied>& applied) {
  std::map<int, size_t> by_version;
  for (size_t i = 0; i < files.size(); ++i) by_version[files[i].version] = i;
  for (const auto& [version, record] : applied) {
    auto it = by_version.find(version);
    if (it == by_version.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("migration ", record.name, " (version ", version,
                       ") is applied in the database but its file is missing"));
    }
    const MigrationFile& file = *files[it->second].file;
    if (file.name != record.name) {
      return absl::FailedPreconditionError(absl::StrCat("migration version ", version,
                                                        " was applied as ", record.name,
                                                        " but the file is now named ", file.name));
    }
    if (checksums[it->second] != record.checksum) {
      return absl::FailedPreconditionError(absl::StrCat(
          "migration ", file.name, " was changed after it was applied (checksum ",
          checksums[it->second], ", applied ", record.checksum, "); add a new migration instead"));
    }
  }
  int latest = applied.empty() ? 0 : applied.rbegin()->first;
  for (const Versioned& v : files) {
    if (applied.contains(v.version)) continue;
    if (v.version < latest) {
      return absl::FailedPreconditionError(absl::StrCat(
          "migration ", v.file->name, " is older than the latest applied migration ",
          applied.rbegin()->second.name, " and was never applied; give it a higher version"));
    }
    return &v;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<std::vector<MigrationFile>> LoadMigrationsFromDir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("migrations directory ", dir, " not found"));
  }
  std::vector<MigrationFile> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream sql;
    sql << in.rdbuf();
    if (!in) {
      return absl::InternalError(absl::StrCat("cannot read ", entry.path().string()));
    }
    files.push_back({entry.path().filename().string(), sql.str()});
  }
  if (ec) return absl::InternalError(absl::StrCat("cannot list ", dir, ": ", ec.message()));
  ASSIGN_OR_RETURN(std::vector<Versioned> ordered, Ordered(files));
  std::vector<MigrationFile> out;
  out.reserve(ordered.size());
  for (const Versioned& v : ordered) out.push_back(*v.file);
  return out;
}

absl::StatusOr<MigrationReport> Migrate(Pool& pool, const std::vector<MigrationFile>& files) {
  ASSIGN_OR_RETURN(std::vector<Versioned> ordered, Ordered(files));
  std::vector<std::string> checksums;
  checksums.reserve(ordered.size());
  for (const Versioned& v : ordered) checksums.push_back(Sha256Hex(v.file->sql));

  // One transaction per file, each under a transaction-scoped advisory lock:
  // replicas starting together apply every file once, in order, and no
  // session-level lock can be left behind on a pooled connection.
  MigrationReport report;
  bool first = true;
  while (true) {
    const Versioned* applied_now = nullptr;
    RETURN_IF_ERROR(pool.Transact([&](Transaction& tx) -> absl::Status {
      applied_now = nullptr;
      // Migrations may legitimately run longer than a service's statements.
      RETURN_IF_ERROR(tx.ExecuteScript("SET LOCAL statement_timeout = 0"));
      RETURN_IF_ERROR(tx.Exec(kLock, kMigrationLockKey).status());
      RETURN_IF_ERROR(tx.ExecuteScript(kCreateTable));
      ASSIGN_OR_RETURN(Result rows, tx.Execute(kApplied));
      std::map<int, Applied> applied;
      for (Row row : rows) {
        applied[static_cast<int>(row.Int(0))] = Applied{row.String(1), row.String(2)};
      }
      if (first) report.already_applied = static_cast<int>(applied.size());
      ASSIGN_OR_RETURN(const Versioned* next, NextPending(ordered, checksums, applied));
      if (next == nullptr) return absl::OkStatus();
      absl::Status st = tx.ExecuteScript(next->file->sql);
      if (!st.ok()) {
        return absl::Status(
            st.code(), absl::StrCat("migration ", next->file->name, " failed: ", st.message()));
      }
      const std::string& checksum = checksums[next - ordered.data()];
      RETURN_IF_ERROR(tx.Exec(kRecord, next->version, next->file->name, checksum).status());
      applied_now = next;
      return absl::OkStatus();
    }));
    first = false;
    if (applied_now == nullptr) break;
    report.applied.push_back(applied_now->file->name);
  }
  return report;
}

absl::Status CheckMigrations(Pool& pool, const std::vector<MigrationFile>& files) {
  ASSIGN_OR_RETURN(std::vector<Versioned> ordered, Ordered(files));
  return pool.Transact([&](Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Result table, tx.Execute(kTableExists));
    std::map<int, Applied> applied;
    if (table[0].Bool("present")) {
      ASSIGN_OR_RETURN(Result rows, tx.Execute(kApplied));
      for (Row row : rows) {
        applied[static_cast<int>(row.Int("version"))] =
            Applied{row.String("name"), row.String("checksum")};
      }
    }
    for (const Versioned& v : ordered) {
      auto it = applied.find(v.version);
      if (it == applied.end()) {
        return absl::FailedPreconditionError(
            absl::StrCat("migration ", v.file->name, " is not applied (", applied.size(),
                         " applied): run the migrations first (database_migrate = only)"));
      }
      if (it->second.name != v.file->name || it->second.checksum != Sha256Hex(v.file->sql)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "migration version ", v.version, " was applied as ", it->second.name, " with checksum ",
            it->second.checksum, ", not as ", v.file->name, " of this binary"));
      }
    }
    return absl::OkStatus();
  });
}

}  // namespace gridbill::pg
