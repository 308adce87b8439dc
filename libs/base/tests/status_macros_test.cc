#include "gridbill/base/status_macros.h"

#include <catch2/catch.hpp>
#include <memory>

#include "gridbill/base/errors.h"

namespace gridbill {
namespace {

absl::StatusOr<int> Half(int n) {
  if (n % 2 != 0) return InvalidField("n", "must be even");
  return n / 2;
}

absl::Status CheckEven(int n) { return Half(n).status(); }

absl::StatusOr<int> Quarter(int n) {
  ASSIGN_OR_RETURN(int half, Half(n));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status BothEven(int a, int b, int* calls) {
  ++*calls;
  RETURN_IF_ERROR(CheckEven(a));
  ++*calls;
  RETURN_IF_ERROR(CheckEven(b));
  ++*calls;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<int>> MakeBox(int n) {
  if (n < 0) return absl::InvalidArgumentError("negative");
  return std::make_unique<int>(n);
}

absl::StatusOr<int> Unbox(int n) {
  std::unique_ptr<int> box;
  ASSIGN_OR_RETURN(box, MakeBox(n));  // assigns to an existing variable, move-only type
  return *box;
}

TEST_CASE("ASSIGN_OR_RETURN passes values and returns the first error", "[base][status]") {
  CHECK(Quarter(12).value() == 3);
  absl::StatusOr<int> odd = Quarter(6);  // 6 / 2 = 3 is odd
  REQUIRE_FALSE(odd.ok());
  CHECK(odd.status().message() == "n: must be even");
  CHECK(FieldOf(odd.status()) == "n");
}

TEST_CASE("ASSIGN_OR_RETURN works with move-only values", "[base][status]") {
  CHECK(Unbox(5).value() == 5);
  CHECK(Unbox(-1).status().message() == "negative");
}

TEST_CASE("RETURN_IF_ERROR stops at the first error", "[base][status]") {
  int calls = 0;
  CHECK(BothEven(2, 4, &calls).ok());
  CHECK(calls == 3);
  calls = 0;
  CHECK(BothEven(3, 4, &calls).code() == absl::StatusCode::kInvalidArgument);
  CHECK(calls == 1);
  calls = 0;
  CHECK_FALSE(BothEven(2, 5, &calls).ok());
  CHECK(calls == 2);
}

}  // namespace
}  // namespace gridbill
