#include "gridbill/base/errors.h"

#include <catch2/catch.hpp>

namespace gridbill {
namespace {

TEST_CASE("InvalidField names the field in the message and the payload", "[base][errors]") {
  absl::Status s = InvalidField("price_per_kwh", "must be positive");
  CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  CHECK(s.message() == "price_per_kwh: must be positive");
  CHECK(FieldOf(s) == "price_per_kwh");
}

TEST_CASE("FailedPrecondition names the field", "[base][errors]") {
  absl::Status s = FailedPrecondition("period", "2024-02 is already closed");
  CHECK(s.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(s.message() == "period: 2024-02 is already closed");
  CHECK(FieldOf(s) == "period");
}

TEST_CASE("NotFound says what was not found", "[base][errors]") {
  absl::Status s = NotFound("contract", "K-2024-0017");
  CHECK(s.code() == absl::StatusCode::kNotFound);
  CHECK(s.message() == "contract K-2024-0017 not found");
  CHECK(FieldOf(s).empty());
}

TEST_CASE("FieldOf is empty for statuses without a field", "[base][errors]") {
  CHECK(FieldOf(absl::OkStatus()).empty());
  CHECK(FieldOf(absl::InternalError("boom")).empty());
  absl::Status no_field = InvalidField("", "bad request");
  CHECK(no_field.message() == "bad request");
  CHECK(FieldOf(no_field).empty());
}

TEST_CASE("The field survives copying the status", "[base][errors]") {
  absl::Status original = InvalidField("lines[3].energy_wh", "must not be negative");
  absl::Status copy = original;
  CHECK(FieldOf(copy) == "lines[3].energy_wh");
  CHECK(copy == original);
}

TEST_CASE("QuoteInput quotes, escapes and cuts user input", "[base][errors]") {
  CHECK(QuoteInput("1.5") == R"("1.5")");
  CHECK(QuoteInput("") == R"("")");
  CHECK(QuoteInput("a\"b\n") == R"("a\"b\n")");
  CHECK(QuoteInput("Алматы") == "\"Алматы\"");
  CHECK(QuoteInput("abcdefgh", 5) == R"("abcde...")");
  // "Ж" is 2 bytes: a cut inside it backs up to the character before.
  CHECK(QuoteInput("abЖcd", 3) == R"("ab...")");
}

}  // namespace
}  // namespace gridbill
