#include <string>

#include <catch2/catch.hpp>

#include "gridbill/pg/errors.h"

namespace gridbill::pg {
namespace {

TEST_CASE("StatusFromSqlState maps SQLSTATEs to the documented codes") {
  struct Case {
    const char* state;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {"23505", absl::StatusCode::kAlreadyExists},
      {"23503", absl::StatusCode::kFailedPrecondition},
      {"23P01", absl::StatusCode::kFailedPrecondition},
      {"23514", absl::StatusCode::kInvalidArgument},
      {"23502", absl::StatusCode::kInvalidArgument},
      {"22P02", absl::StatusCode::kInvalidArgument},
      {"22012", absl::StatusCode::kInvalidArgument},
      {"22001", absl::StatusCode::kInvalidArgument},
      {"40001", absl::StatusCode::kAborted},
      {"40P01", absl::StatusCode::kAborted},
      {"08006", absl::StatusCode::kUnavailable},
      {"08001", absl::StatusCode::kUnavailable},
      {"57P01", absl::StatusCode::kUnavailable},
      {"57P02", absl::StatusCode::kUnavailable},
      {"57P03", absl::StatusCode::kUnavailable},
      {"53300", absl::StatusCode::kUnavailable},
      {"57014", absl::StatusCode::kDeadlineExceeded},
      {"42601", absl::StatusCode::kInternal},
      {"42P01", absl::StatusCode::kInternal},
      {"25P02", absl::StatusCode::kInternal},
      {"40002", absl::StatusCode::kInternal},
      {"XX000", absl::StatusCode::kInternal},
      {"", absl::StatusCode::kInternal},
  };
  for (const Case& c : cases) {
    INFO("SQLSTATE " << c.state);
    CHECK(StatusFromSqlState(c.state, "boom").code() == c.code);
  }
}

TEST_CASE("StatusFromSqlState keeps the message and the constraint") {
  absl::Status st = StatusFromSqlState(
      "23505", "insert_x: duplicate key value violates unique constraint \"x_pkey\"", "x_pkey");
  CHECK(st.code() == absl::StatusCode::kAlreadyExists);
  CHECK_THAT(std::string(st.message()), Catch::Contains("duplicate key value") &&
                                            Catch::Contains("x_pkey") &&
                                            Catch::Contains("SQLSTATE 23505"));
  CHECK(ConstraintOf(st) == "x_pkey");

  // A constraint the message does not mention is appended.
  absl::Status fk = StatusFromSqlState("23503", "insert or update violates foreign key", "y_fk");
  CHECK_THAT(std::string(fk.message()), Catch::Contains("y_fk"));
  CHECK(ConstraintOf(fk) == "y_fk");

  CHECK(ConstraintOf(StatusFromSqlState("22P02", "bad input")).empty());
  CHECK(ConstraintOf(absl::OkStatus()).empty());
}

}  // namespace
}  // namespace gridbill::pg
