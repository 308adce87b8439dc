#include <string>

#include <catch2/catch.hpp>

#include "gridbill/pg/errors.h"
#include "gridbill/pg/pool.h"
#include "gridbill/pgtest/pgtest.h"
#include "pg_test_util.h"

namespace gridbill::pg {
namespace {

using testing::kTestMigrations;

constexpr Query kInsertParticipant{"insert_participant",
                                   "INSERT INTO participants (id, bin, name) VALUES ($1, $2, $3)"};
constexpr Query kInsertContract{
    "insert_contract",
    "INSERT INTO contracts (id, participant_id, number, validity)"
    " VALUES ($1, $2, $3, tstzrange($4::timestamptz, $5::timestamptz))"};

absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

TEST_CASE("errors: constraint violations map to codes that name the constraint") {
  pgtest::Database db(kTestMigrations);
  Pool& pool = db.pool();
  REQUIRE(pool.Exec(kInsertParticipant, 1, "123456789012", "KEGOC").ok());

  SECTION("unique -> ALREADY_EXISTS") {
    absl::Status st = pool.Exec(kInsertParticipant, 2, "123456789012", "Other").status();
    CHECK(st.code() == absl::StatusCode::kAlreadyExists);
    CHECK(ConstraintOf(st) == "participants_bin_key");
    CHECK_THAT(std::string(st.message()), Catch::Contains("insert_participant") &&
                                              Catch::Contains("participants_bin_key") &&
                                              Catch::Contains("Key (bin)=(123456789012)"));
  }
  SECTION("primary key -> ALREADY_EXISTS") {
    absl::Status st = pool.Exec(kInsertParticipant, 1, "999999999999", "Other").status();
    CHECK(st.code() == absl::StatusCode::kAlreadyExists);
    CHECK(ConstraintOf(st) == "participants_pkey");
  }
  SECTION("foreign key -> FAILED_PRECONDITION") {
    absl::Status st =
        pool.Exec(kInsertContract, 1, 404, "C-1", Day(2024, 1, 1), Day(2025, 1, 1)).status();
    CHECK(st.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(ConstraintOf(st) == "contracts_participant_fk");
  }
  SECTION("check -> INVALID_ARGUMENT") {
    absl::Status st = pool.Exec(kInsertParticipant, 3, "000000000000", "   ").status();
    CHECK(st.code() == absl::StatusCode::kInvalidArgument);
    CHECK(ConstraintOf(st) == "participants_name_not_blank");
  }
  SECTION("not null -> INVALID_ARGUMENT") {
    absl::Status st = pool.Exec(kInsertParticipant, 3, std::nullopt, "X").status();
    CHECK(st.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(st.message()), Catch::Contains("bin"));
  }
  SECTION("exclusion -> FAILED_PRECONDITION") {
    REQUIRE(pool.Exec(kInsertContract, 1, 1, "C-1", Day(2024, 1, 1), Day(2025, 1, 1)).ok());
    // Same number, a different period: fine.
    REQUIRE(pool.Exec(kInsertContract, 2, 1, "C-1", Day(2025, 1, 1), Day(2026, 1, 1)).ok());
    absl::Status st =
        pool.Exec(kInsertContract, 3, 1, "C-1", Day(2024, 6, 1), Day(2024, 7, 1)).status();
    CHECK(st.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(ConstraintOf(st) == "contracts_no_overlap");
  }
  SECTION("bad data -> INVALID_ARGUMENT") {
    absl::Status st = pool.Exec(Query{"bad_int", "SELECT $1::bigint"}, "twelve").status();
    CHECK(st.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(st.message()), Catch::Contains("twelve") && Catch::Contains("22P02"));
    CHECK(pool.Execute(Query{"div0", "SELECT 1/0"}).status().code() ==
          absl::StatusCode::kInvalidArgument);
    CHECK(ConstraintOf(st).empty());
  }
  SECTION("anything else -> INTERNAL") {
    absl::Status st = pool.Execute(Query{"typo", "SELEC 1"}).status();
    CHECK(st.code() == absl::StatusCode::kInternal);
    CHECK_THAT(std::string(st.message()), Catch::Contains("syntax error"));
    CHECK(pool.Execute(Query{"no_table", "SELECT * FROM nowhere"}).status().code() ==
          absl::StatusCode::kInternal);
  }
}

}  // namespace
}  // namespace gridbill::pg
