#include "gridbill/domain/decimal.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "gridbill/base/errors.h"

namespace gridbill {
namespace {

int64_t Units(std::string_view text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  INFO("parsing " << std::string(text) << ": " << d.status().ToString());
  REQUIRE(d.ok());
  return d->units();
}

std::string ErrorOf(std::string_view text, std::string_view field = "value") {
  absl::StatusOr<Decimal> d = Decimal::Parse(text, field);
  INFO("parsing " << std::string(text));
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(d.status()) == field);
  return std::string(d.status().message());
}

TEST_CASE("Decimal parses plain decimal text exactly", "[domain][decimal]") {
  CHECK(Units("2.4820") == 2'482'000);
  CHECK(Units("2.496") == 2'496'000);
  CHECK(Units("0.5") == 500'000);
  CHECK(Units("-0.5") == -500'000);
  CHECK(Units("+0.5") == 500'000);
  CHECK(Units("12") == 12'000'000);
  CHECK(Units("-12") == -12'000'000);
  CHECK(Units("0") == 0);
  CHECK(Units("-0") == 0);
  CHECK(Units("-0.000") == 0);
  CHECK(Units("0.000001") == 1);
  CHECK(Units("-0.000001") == -1);
  CHECK(Units("0.123456") == 123'456);
  CHECK(Units("007.5") == 7'500'000);
  CHECK(Units("12.000000") == 12'000'000);
}

TEST_CASE("Decimal parses the whole int64 range and nothing beyond", "[domain][decimal]") {
  CHECK(Units("9223372036854.775807") == std::numeric_limits<int64_t>::max());
  CHECK(Units("-9223372036854.775808") == std::numeric_limits<int64_t>::min());
  CHECK(ErrorOf("9223372036854.775808") ==
        R"(value: out of range: "9223372036854.775808" (magnitude at most 9223372036854.775807))");
  CHECK(ErrorOf("-9223372036854.775809").find("out of range") != std::string::npos);
  CHECK(ErrorOf("9223372036855").find("out of range") != std::string::npos);
  // So many digits that a naive accumulator would wrap around to a small value.
  CHECK(ErrorOf("18446744073709551616000000").find("out of range") != std::string::npos);
}

TEST_CASE("Decimal accepts any number of leading zeros", "[domain][decimal]") {
  CHECK(Units("000000000000000000000000001.5") == 1'500'000);
}

TEST_CASE("Decimal rejects more than 6 fractional digits", "[domain][decimal]") {
  CHECK(ErrorOf("1.1234567", "price_per_kwh") ==
        R"(price_per_kwh: more than 6 fractional digits in "1.1234567")");
  // Even when the extra digits are zeros: 7 digits look like a typo.
  CHECK(ErrorOf("2.4820000") == R"(value: more than 6 fractional digits in "2.4820000")");
}

TEST_CASE("Decimal rejects text that is not a plain decimal", "[domain][decimal]") {
  CHECK(ErrorOf("") == "value: is empty");
  CHECK(ErrorOf("+-1") == R"(value: not a number: "+-1")");
  CHECK(ErrorOf("--1") == R"(value: not a number: "--1")");
  CHECK(ErrorOf("-") == R"(value: not a number: "-")");
  CHECK(ErrorOf("+") == R"(value: not a number: "+")");
  CHECK(ErrorOf(".") == R"(value: not a number: ".")");
  CHECK(ErrorOf("abc") == R"(value: not a number: "abc")");
  CHECK(ErrorOf("NaN") == R"(value: not a number: "NaN")");
  CHECK(ErrorOf("inf") == R"(value: not a number: "inf")");
  CHECK(ErrorOf("1.2.3") == R"(value: not a number: "1.2.3")");
  CHECK(ErrorOf("0x10") == R"(value: not a number: "0x10")");
  CHECK(ErrorOf("1-") == R"(value: not a number: "1-")");
  CHECK(ErrorOf(".5") == R"(value: not a number: ".5" (a digit must precede the decimal point))");
  CHECK(ErrorOf("-.5") == R"(value: not a number: "-.5" (a digit must precede the decimal point))");
  CHECK(ErrorOf("1.") == R"(value: not a number: "1." (a digit must follow the decimal point))");
  CHECK(ErrorOf("1e3") == R"(value: not a number: "1e3" (exponents are not accepted))");
  CHECK(ErrorOf("2.5E-3") == R"(value: not a number: "2.5E-3" (exponents are not accepted))");
  CHECK(ErrorOf("2,482") == R"(value: not a number: "2,482" (the decimal separator is '.'))");
  CHECK(ErrorOf(" 1") == R"(value: not a number: " 1" (spaces are not accepted))");
  CHECK(ErrorOf("1 ") == R"(value: not a number: "1 " (spaces are not accepted))");
  CHECK(ErrorOf("1 000") == R"(value: not a number: "1 000" (spaces are not accepted))");
  CHECK(ErrorOf("1\n") == R"(value: not a number: "1\n" (spaces are not accepted))");
}

TEST_CASE("Decimal error messages do not echo unbounded input", "[domain][decimal]") {
  const std::string junk(10'000, 'x');
  CHECK(ErrorOf(junk).size() < 120);
}

TEST_CASE("Decimal prints canonical text", "[domain][decimal]") {
  CHECK(Decimal::FromUnits(2'482'000).ToString() == "2.482");
  CHECK(Decimal::FromUnits(2'482'000).ToString(4) == "2.4820");
  CHECK(Decimal::FromUnits(2'482'000).ToString(2) == "2.482");
  CHECK(Decimal::FromUnits(2'482'000).ToString(6) == "2.482000");
  CHECK(Decimal::FromUnits(-500'000).ToString() == "-0.5");
  CHECK(Decimal::FromInt(12).ToString() == "12");
  CHECK(Decimal::FromInt(12).ToString(2) == "12.00");
  CHECK(Decimal::FromInt(-12).ToString() == "-12");
  CHECK(Decimal().ToString() == "0");
  CHECK(Decimal().ToString(1) == "0.0");
  CHECK(Decimal::FromUnits(1).ToString() == "0.000001");
  CHECK(Decimal::FromUnits(-1).ToString() == "-0.000001");
  CHECK(Decimal::FromUnits(1'000'000'000'000).ToString() == "1000000");
  // Out-of-range requests are clamped to 0..6.
  CHECK(Decimal::FromUnits(1'500'000).ToString(-3) == "1.5");
  CHECK(Decimal::FromUnits(1'500'000).ToString(9) == "1.500000");
  CHECK(Decimal::FromUnits(std::numeric_limits<int64_t>::max()).ToString() ==
        "9223372036854.775807");
  CHECK(Decimal::FromUnits(std::numeric_limits<int64_t>::min()).ToString() ==
        "-9223372036854.775808");
}

TEST_CASE("Decimal text round-trips", "[domain][decimal]") {
  for (const char* text : {"2.482", "0.5", "-0.5", "12", "0.000001", "-9223372036854.775808",
                           "9223372036854.775807", "3.106", "0.2482", "100"}) {
    CHECK(Decimal::Parse(text)->ToString() == text);
  }
  std::mt19937_64 rng(20240301);
  std::uniform_int_distribution<int64_t> any(std::numeric_limits<int64_t>::min(),
                                             std::numeric_limits<int64_t>::max());
  std::uniform_int_distribution<int64_t> small(-10'000'000, 10'000'000);
  for (int i = 0; i < 20'000; ++i) {
    const Decimal d = Decimal::FromUnits(i % 2 == 0 ? any(rng) : small(rng));
    for (int min_fraction : {0, 2, 6}) {
      const std::string text = d.ToString(min_fraction);
      absl::StatusOr<Decimal> back = Decimal::Parse(text);
      INFO(text);
      REQUIRE(back.ok());
      REQUIRE(*back == d);
    }
  }
}

TEST_CASE("Decimal compares and adds exactly", "[domain][decimal]") {
  const Decimal a = *Decimal::Parse("0.1");
  const Decimal b = *Decimal::Parse("0.2");
  CHECK(a + b == *Decimal::Parse("0.3"));  // unlike 0.1 + 0.2 in double
  CHECK(b - a == a);
  CHECK(a < b);
  CHECK(*Decimal::Parse("-0.5") < Decimal());
  CHECK(*Decimal::Parse("2.4820") == *Decimal::Parse("2.482"));
}

}  // namespace
}  // namespace gridbill
