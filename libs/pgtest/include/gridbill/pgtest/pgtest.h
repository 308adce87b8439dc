// A throwaway PostgreSQL 15 for *_pgtest binaries: initdb + pg_ctl on a unix
// socket in a temporary directory (as user "postgres" when run as root), no
// system service; removed at process exit.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gridbill/pg/migrations.h"
#include "gridbill/pg/pool.h"

namespace gridbill::pgtest {

// The cluster of this test process, started on first use (once per process).
class Cluster {
 public:
  static Cluster& Get();
  // A libpq conninfo for `database` on this cluster.
  std::string Conninfo(const std::string& database) const;
  const std::string& socket_dir() const;
  ~Cluster();

 private:
  Cluster();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A fresh database with `migrations` applied, cloned from a per-process
// template so each test case starts from the same empty schema quickly.
// Dropped on destruction.
class Database {
 public:
  // Creates database "t_<n>" from the migrations (fails the test on error).
  explicit Database(const std::vector<pg::MigrationFile>& migrations, int pool_size = 4);
  // Convenience: the migrations in a source directory.
  explicit Database(const std::string& migrations_dir, int pool_size = 4);
  ~Database();

  pg::Pool& pool() { return *pool_; }
  const std::string& conninfo() const { return conninfo_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  std::string conninfo_;
  std::unique_ptr<pg::Pool> pool_;
};

}  // namespace gridbill::pgtest
