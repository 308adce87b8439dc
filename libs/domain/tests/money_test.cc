#include "gridbill/domain/money.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>

#include "gridbill/base/errors.h"

namespace gridbill {
namespace {

Decimal Dec(std::string_view text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text);
  REQUIRE(d.ok());
  return *d;
}

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

TEST_CASE("Money parses tenge with up to 2 fractional digits", "[domain][money]") {
  CHECK(Money::Parse("1234.56")->tiyn == 123'456);
  CHECK(Money::Parse("-0.5")->tiyn == -50);
  CHECK(Money::Parse("12")->tiyn == 1'200);
  CHECK(Money::Parse("0.05")->tiyn == 5);
  CHECK(Money::Parse("92233720368547758.07")->tiyn == kMax);
  absl::StatusOr<Money> three = Money::Parse("12.345", "total");
  REQUIRE_FALSE(three.ok());
  CHECK(three.status().message() == R"(total: more than 2 fractional digits in "12.345")");
  CHECK(FieldOf(three.status()) == "total");
  CHECK(Money::Parse("1 234.56").status().message() ==
        R"(amount: not a number: "1 234.56" (spaces are not accepted))");
  CHECK(Money::Parse("").status().message() == "amount: is empty");
  CHECK(Money::Parse("92233720368547758.08").status().message() ==
        R"(amount: out of range: "92233720368547758.08" (magnitude at most 92233720368547758.07))");
}

TEST_CASE("Money prints two fractional digits", "[domain][money]") {
  CHECK(Money{123'456}.ToString() == "1234.56");
  CHECK(Money{-50}.ToString() == "-0.50");
  CHECK(Money{5}.ToString() == "0.05");
  CHECK(Money{0}.ToString() == "0.00");
  CHECK(Money{1'200}.ToString() == "12.00");
  CHECK(Money{kMin}.ToString() == "-92233720368547758.08");
  CHECK(Money::Parse(Money{-123'456'789}.ToString())->tiyn == -123'456'789);
}

TEST_CASE("Money groups thousands for documents", "[domain][money]") {
  CHECK(Money{123'456'789}.ToGroupedString() == "1\u202F234\u202F567.89");
  CHECK(Money{123'456'789}.ToGroupedString(" ") == "1 234 567.89");
  CHECK(Money{-123'456'789}.ToGroupedString(" ") == "-1 234 567.89");
  CHECK(Money{100'000}.ToGroupedString(" ") == "1 000.00");
  CHECK(Money{99'999}.ToGroupedString(" ") == "999.99");
  CHECK(Money{5}.ToGroupedString(" ") == "0.05");
  CHECK(Money{12'345'678'900}.ToGroupedString("\u00A0") == "123\u00A0456\u00A0789.00");
}

TEST_CASE("RoundHalfUp rounds half away from zero, symmetric in sign", "[domain][money]") {
  CHECK(RoundHalfUp(5, 10) == 1);     // 0.5
  CHECK(RoundHalfUp(-5, 10) == -1);   // -0.5
  CHECK(RoundHalfUp(4, 10) == 0);     // 0.4
  CHECK(RoundHalfUp(-4, 10) == 0);    // -0.4
  CHECK(RoundHalfUp(15, 10) == 2);    // 1.5
  CHECK(RoundHalfUp(-15, 10) == -2);  // -1.5
  CHECK(RoundHalfUp(25, 10) == 3);    // 2.5: not to even
  CHECK(RoundHalfUp(-25, 10) == -3);
  CHECK(RoundHalfUp(14'999, 10'000) == 1);  // 1.4999
  CHECK(RoundHalfUp(-14'999, 10'000) == -1);
  CHECK(RoundHalfUp(15'001, 10'000) == 2);
  CHECK(RoundHalfUp(7, 2) == 4);
  CHECK(RoundHalfUp(-7, 2) == -4);
  CHECK(RoundHalfUp(1, 3) == 0);
  CHECK(RoundHalfUp(2, 3) == 1);
  CHECK(RoundHalfUp(-2, 3) == -1);
  CHECK(RoundHalfUp(0, 7) == 0);
  CHECK(RoundHalfUp(30, 10) == 3);
  CHECK(RoundHalfUp(-30, 10) == -3);
  CHECK(RoundHalfUp(5, -10) == -1);  // a negative denominator flips the sign
}

TEST_CASE("RoundHalfUp at the edge of its 64-bit fast path", "[domain][money]") {
  CHECK(RoundHalfUp(kMax, 1) == kMax);
  CHECK(RoundHalfUp(-kMax, 1) == -kMax);
  CHECK(RoundHalfUp(kMin, 1) == kMin);
  CHECK(RoundHalfUp(kMax, 2) == 4'611'686'018'427'387'904);  // ...903.5
  CHECK(RoundHalfUp(-kMax, 2) == -4'611'686'018'427'387'904);
  CHECK(RoundHalfUp(kMin, 2) == -4'611'686'018'427'387'904);  // exact
  CHECK(RoundHalfUp(static_cast<__int128>(kMax) + 1, 2) == 4'611'686'018'427'387'904);
  CHECK(RoundHalfUp(static_cast<__int128>(kMax) + 2, 2) == 4'611'686'018'427'387'905);  // .5
  CHECK(RoundHalfUp(1, kMax) == 0);
  CHECK(RoundHalfUp(kMax / 2 + 1, kMax) ==
        1);  // exactly half of an odd denominator is not reachable
  CHECK(RoundHalfUp(kMax / 2, kMax) == 0);
  CHECK(RoundHalfUp(1, static_cast<__int128>(kMax) * 4) == 0);  // denominator beyond int64
  CHECK(RoundHalfUp(static_cast<__int128>(kMax) * 2, static_cast<__int128>(kMax) * 4) == 1);
}

TEST_CASE("RoundHalfUp is exact beyond 64 bits and saturates at int64", "[domain][money]") {
  const __int128 big = static_cast<__int128>(kMax) * 10;
  CHECK(RoundHalfUp(big + 4, 10) == kMax);
  CHECK(RoundHalfUp(-big - 4, 10) == -kMax);
  // 2^100 + 2^99 over 2^100 = 1.5
  const __int128 two100 = static_cast<__int128>(1) << 100;
  CHECK(RoundHalfUp(two100 + two100 / 2, two100) == 2);
  CHECK(RoundHalfUp(two100 + two100 / 2 - 1, two100) == 1);
  CHECK(RoundHalfUp(-(two100 + two100 / 2), two100) == -2);
  CHECK(RoundHalfUp(big * 100, 1) == kMax);
  CHECK(RoundHalfUp(-big * 100, 1) == kMin);
}

TEST_CASE("ChargeFor prices energy exactly, rounding once", "[domain][money]") {
  // 2.496 tenge/kWh × 1 234.567 kWh = 3 081.479232 tenge = 308 147.9232 tiyn.
  CHECK(ChargeFor(Dec("2.496"), 1'234'567).tiyn == 308'148);
  CHECK(ChargeFor(Dec("2.496"), 1'234'567).ToString() == "3081.48");
  // 0.2482 tenge/kWh × 1 kWh = 24.82 tiyn.
  CHECK(ChargeFor(Dec("0.2482"), 1'000).tiyn == 25);
  // 3.106 × 0.5 kWh = 1.553 tenge = 155.3 tiyn.
  CHECK(ChargeFor(Dec("3.106"), 500).tiyn == 155);
  // 2.496 × 12.5 kWh = 31.2 tenge exactly.
  CHECK(ChargeFor(Dec("2.496"), 12'500).tiyn == 3'120);
}

TEST_CASE("ChargeFor rounds exact half tiyn away from zero", "[domain][money]") {
  // 0.108 tenge/kWh × 1.25 kWh = 0.135 tenge = 13.5 tiyn.
  CHECK(ChargeFor(Dec("0.108"), 1'250).tiyn == 14);
  // 1.249 kWh: 13.4892 tiyn.
  CHECK(ChargeFor(Dec("0.108"), 1'249).tiyn == 13);
  // 1.251 kWh: 13.5108 tiyn.
  CHECK(ChargeFor(Dec("0.108"), 1'251).tiyn == 14);
  // A reversal is the exact negative of the charge it reverses.
  CHECK(ChargeFor(Dec("0.108"), -1'250).tiyn == -14);
  CHECK(ChargeFor(Dec("-0.108"), 1'250).tiyn == -14);
  // 0.5 tenge/kWh × 10 Wh = 0.005 tenge = 0.5 tiyn.
  CHECK(ChargeFor(Dec("0.5"), 10).tiyn == 1);
  CHECK(ChargeFor(Dec("0.5"), 9).tiyn == 0);  // 0.45 tiyn
  CHECK(ChargeFor(Dec("0.5"), -10).tiyn == -1);
}

TEST_CASE("ChargeFor handles national-scale volumes without overflow", "[domain][money]") {
  // KEGOC's 31.2 billion kWh of H1 2023 at 3.004 tenge/kWh: 93 724 800 000
  // tenge. price units × Wh = 9.37 × 10^19 overflows int64 on the way.
  CHECK(ChargeFor(Dec("3.004"), 31'200'000'000'000).tiyn == 9'372'480'000'000);
  // 7 607 123 456.789 kWh × 0.2482 = 1 888 088 041.9750298 tenge.
  CHECK(ChargeFor(Dec("0.2482"), 7'607'123'456'789).tiyn == 188'808'804'198);
}

TEST_CASE("ChargeFor agrees with RoundHalfUp across the 64-bit boundary", "[domain][money]") {
  // price units × Wh crosses 2^63 between these energies at 9.999999 tenge/kWh.
  const Decimal price = Dec("9.999999");
  for (int64_t wh : {int64_t{922'337'203'685}, int64_t{922'338'125'000}, int64_t{922'339'000'000},
                     int64_t{-922'339'000'000}}) {
    CHECK(ChargeFor(price, wh).tiyn ==
          RoundHalfUp(static_cast<__int128>(price.units()) * wh, 10'000'000));
  }
  // 9.999999 × 922 339 000 kWh = 9 223 390 000 - 922.339 = 9 223 389 077.661 tenge.
  CHECK(ChargeFor(price, 922'339'000'000).tiyn == 922'338'907'766);
}

TEST_CASE("ChargeFor of nothing is nothing", "[domain][money]") {
  CHECK(ChargeFor(Dec("3.106"), 0).tiyn == 0);
  CHECK(ChargeFor(Decimal(), 1'000'000).tiyn == 0);
  CHECK(ChargeFor(Dec("0.000001"), 1).tiyn == 0);  // 10^-9 tenge
}

TEST_CASE("PercentOf computes VAT per line at 12 % and 16 %", "[domain][money]") {
  const Money line{308'148};  // 3 081.48 tenge
  // 12 %: 36 977.76 tiyn.
  CHECK(PercentOf(line, Dec("12")).tiyn == 36'978);
  CHECK((line + PercentOf(line, Dec("12"))).ToString() == "3451.26");
  // 16 %: 49 303.68 tiyn.
  CHECK(PercentOf(line, Dec("16")).tiyn == 49'304);
  CHECK((line + PercentOf(line, Dec("16"))).ToString() == "3574.52");
  // Small lines: 12 % of 4 tiyn is 0.48, of 5 tiyn 0.6; 16 % of 3 is 0.48, of 4 is 0.64.
  CHECK(PercentOf(Money{4}, Dec("12")).tiyn == 0);
  CHECK(PercentOf(Money{5}, Dec("12")).tiyn == 1);
  CHECK(PercentOf(Money{3}, Dec("16")).tiyn == 0);
  CHECK(PercentOf(Money{4}, Dec("16")).tiyn == 1);
  // A credit note line carries negative VAT of the same size.
  CHECK(PercentOf(-line, Dec("12")).tiyn == -36'978);
  CHECK(PercentOf(line, Decimal()).tiyn == 0);
}

TEST_CASE("VAT per line differs from VAT on the total", "[domain][money]") {
  // Three lines of 0.04 tenge: 0.48 tiyn of VAT each rounds to 0, while the
  // total of 12 tiyn carries 1.44 -> 1 tiyn. The invoice uses per-line VAT.
  Money per_line_vat;
  Money total;
  for (int i = 0; i < 3; ++i) {
    per_line_vat = per_line_vat + PercentOf(Money{4}, Dec("12"));
    total = total + Money{4};
  }
  CHECK(per_line_vat.tiyn == 0);
  CHECK(PercentOf(total, Dec("12")).tiyn == 1);
}

TEST_CASE("PercentOf rounds exact halves away from zero", "[domain][money]") {
  CHECK(PercentOf(Money{4}, Dec("12.5")).tiyn == 1);  // 0.5
  CHECK(PercentOf(Money{-4}, Dec("12.5")).tiyn == -1);
  CHECK(PercentOf(Money{12}, Dec("12.5")).tiyn == 2);  // 1.5
  CHECK(PercentOf(Money{20}, Dec("12.5")).tiyn == 3);  // 2.5
  CHECK(PercentOf(Money{1}, Dec("50")).tiyn == 1);     // 0.5
  CHECK(PercentOf(Money{kMax}, Dec("100")).tiyn == kMax);
}

TEST_CASE("ShareOf takes an exact share", "[domain][money]") {
  CHECK(ShareOf(Money{1}, Dec("0.5")).tiyn == 1);
  CHECK(ShareOf(Money{-1}, Dec("0.5")).tiyn == -1);
  CHECK(ShareOf(Money{10'000}, Dec("0.3")).tiyn == 3'000);
  CHECK(ShareOf(Money{10'000}, Dec("0.333333")).tiyn == 3'333);  // 3333.33
  CHECK(ShareOf(Money{10}, Dec("0.25")).tiyn == 3);              // 2.5
  CHECK(ShareOf(Money{10}, Dec("0.24")).tiyn == 2);              // 2.4
  CHECK(ShareOf(Money{308'148}, Dec("1")).tiyn == 308'148);
  CHECK(ShareOf(Money{308'148}, Decimal()).tiyn == 0);
}

}  // namespace
}  // namespace gridbill
