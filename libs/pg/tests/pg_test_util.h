// Helpers shared by the gridbill_pg tests.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gridbill/pg/pool.h"
#include "gridbill/pgtest/pgtest.h"

namespace gridbill::pg::testing {

// Migrations of the test schema (tests/migrations).
inline const char* kTestMigrations = GRIDBILL_PG_TEST_MIGRATIONS;

// A second pool on the same database, with its own options.
inline std::unique_ptr<Pool> MakePool(const pgtest::Database& db, PoolOptions options) {
  options.conninfo = db.conninfo();
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(options);
  REQUIRE(pool.status().ToString() == "OK");
  return std::move(pool).value();
}

// A plain libpq session outside any pool, for the "other client" side of
// concurrency tests.
class RawConnection {
 public:
  explicit RawConnection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
    REQUIRE(PQstatus(conn_) == CONNECTION_OK);
  }
  ~RawConnection() { PQfinish(conn_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Runs `sql`; returns the first value of the first row ("" if none).
  std::string Run(const std::string& sql) {
    PGresult* res = PQexec(conn_, sql.c_str());
    ExecStatusType st = PQresultStatus(res);
    INFO(sql << ": " << PQresultErrorMessage(res));
    CHECK((st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK));
    std::string out = PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "";
    PQclear(res);
    return out;
  }

 private:
  PGconn* conn_;
};

// Scalar helpers over a pool: the first column of the first row.
inline int64_t QueryInt(Pool& pool, const char* sql) {
  absl::StatusOr<Result> r = pool.Execute(Query{"", sql});
  REQUIRE(r.status().ToString() == "OK");
  REQUIRE(r->size() == 1);
  return (*r)[0].Int(0);
}

inline std::string QueryText(Pool& pool, const char* sql) {
  absl::StatusOr<Result> r = pool.Execute(Query{"", sql});
  REQUIRE(r.status().ToString() == "OK");
  REQUIRE(r->size() == 1);
  return (*r)[0].String(0);
}

}  // namespace gridbill::pg::testing
