// The COPY encoder against a real table: what a store COPYs is what it
// reads back, text with tabs, newlines and backslashes included.
#include <string>

#include <catch2/catch.hpp>

#include "gridbill/pg/copy.h"
#include "gridbill/pg/pool.h"
#include "gridbill/pgtest/pgtest.h"
#include "pg_test_util.h"

namespace gridbill::pg {
namespace {

constexpr Query kSelectNotes{"copy_select_notes",
                             "SELECT id, body, due, at, done FROM copy_notes ORDER BY id"};

bool Script(pgtest::Database& db, const char* sql) {
  return db.pool().Transact([&](Transaction& tx) { return tx.ExecuteScript(sql); }).ok();
}

TEST_CASE("rows written with CopyRow read back field for field") {
  pgtest::Database db(testing::kTestMigrations);
  REQUIRE(Script(db,
                 "CREATE TABLE copy_notes (id bigint PRIMARY KEY, body text, due date, "
                 "at timestamptz, done boolean)"));
  const std::string tricky = "tab\there\nnew line \\N not null\r\\ end";
  const absl::Time at = absl::FromUnixMicros(1709251199123456);  // 2024-02-29 23:59:59.123456Z
  std::string data;
  CopyRow(data).Int(1).Text(tricky).Day(absl::CivilDay(2024, 2, 29)).Time(at).Bool(true);
  CopyRow(data).Int(2).OptText("").OptDay(std::nullopt).Null().Bool(false);
  absl::Status st = db.pool().Transact([&](Transaction& tx) {
    return CopyRows(tx, "COPY copy_notes (id, body, due, at, done) FROM STDIN", data, 2);
  });
  INFO(st.ToString());
  REQUIRE(st.ok());

  absl::StatusOr<Result> rows = db.pool().Execute(kSelectNotes);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);
  const Row first = (*rows)[0];
  CHECK(first.Int("id") == 1);
  CHECK(first.String("body") == tricky);
  CHECK(first.Date("due") == absl::CivilDay(2024, 2, 29));
  CHECK(first.Time("at") == at);
  CHECK(first.Bool("done"));
  const Row second = (*rows)[1];
  CHECK(second.IsNull("body"));
  CHECK(second.IsNull("due"));
  CHECK(second.IsNull("at"));
  CHECK_FALSE(second.Bool("done"));
}

TEST_CASE("CopyRows refuses a count that differs from the rows stored") {
  pgtest::Database db(testing::kTestMigrations);
  REQUIRE(Script(db, "CREATE TABLE copy_counts (n bigint)"));
  std::string data;
  CopyRow(data).Int(1);
  CopyRow(data).Int(2);
  absl::Status st = db.pool().Transact(
      [&](Transaction& tx) { return CopyRows(tx, "COPY copy_counts (n) FROM STDIN", data, 3); });
  CHECK(st.code() == absl::StatusCode::kInternal);
  CHECK(testing::QueryInt(db.pool(), "SELECT count(*) FROM copy_counts") == 0);
}

}  // namespace
}  // namespace gridbill::pg
