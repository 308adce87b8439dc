#include "gridbill/domain/money.h"

#include <cstdlib>
#include <limits>
#include <string_view>

#include "fixed_point.h"
#include "gridbill/base/status_macros.h"

namespace gridbill {
namespace {

constexpr int kMoneyScale = 2;
// U+202F NARROW NO-BREAK SPACE: a thin space that never breaks a number
// across lines of a document.
constexpr std::string_view kThinSpace = "\u202F";

// RoundHalfUp by a constant: the compiler turns the 64-bit division of the
// common case into a multiplication.
template <int64_t kDenominator>
int64_t RoundHalfUpBy(__int128 numerator) {
  static_assert(kDenominator > 1);
  constexpr __int128 kMax = std::numeric_limits<int64_t>::max();
  if (numerator < -kMax || numerator > kMax) return RoundHalfUp(numerator, kDenominator);
  const int64_t n = static_cast<int64_t>(numerator);
  int64_t q = n / kDenominator;
  const int64_t r = n % kDenominator;
  const int64_t abs_r = r < 0 ? -r : r;
  if (abs_r >= kDenominator - abs_r) q += n < 0 ? -1 : 1;
  return q;
}

}  // namespace

absl::StatusOr<Money> Money::Parse(std::string_view text, std::string_view field) {
  ASSIGN_OR_RETURN(int64_t tiyn, internal::ParseFixed(text, field, kMoneyScale));
  return Money{tiyn};
}

std::string Money::ToString() const {
  return internal::FormatFixed(tiyn, kMoneyScale, kMoneyScale);
}

std::string Money::ToGroupedString() const { return ToGroupedString(kThinSpace); }

std::string Money::ToGroupedString(std::string_view separator) const {
  return internal::FormatFixed(tiyn, kMoneyScale, kMoneyScale, separator);
}

int64_t RoundHalfUp(__int128 numerator, __int128 denominator) {
  if (denominator == 0) std::abort();  // a programming error, never data
  if (denominator < 0) {
    numerator = -numerator;
    denominator = -denominator;
  }
  constexpr __int128 kMax = std::numeric_limits<int64_t>::max();
  constexpr __int128 kMin = std::numeric_limits<int64_t>::min();
  // Fast path: a 128-bit division is a library call several times slower
  // than a 64-bit one, and most products (one hour's energy × a tariff) fit.
  if (numerator >= -kMax && numerator <= kMax && denominator <= kMax) {
    const int64_t n = static_cast<int64_t>(numerator);
    const int64_t d = static_cast<int64_t>(denominator);
    int64_t q = n / d;
    const int64_t r = n % d;
    const int64_t abs_r = r < 0 ? -r : r;
    if (abs_r >= d - abs_r) q += n < 0 ? -1 : 1;
    return q;
  }
  // C++ division truncates toward zero and the remainder takes the sign of
  // the numerator, so rounding away from zero at .5 is symmetric by sign.
  __int128 quotient = numerator / denominator;
  const __int128 remainder = numerator % denominator;
  const __int128 abs_remainder = remainder < 0 ? -remainder : remainder;
  // abs_remainder * 2 >= denominator, written so that it cannot overflow.
  if (abs_remainder >= denominator - abs_remainder) quotient += numerator < 0 ? -1 : 1;
  if (quotient > kMax) return std::numeric_limits<int64_t>::max();
  if (quotient < kMin) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(quotient);
}

Money ChargeFor(Decimal price_per_kwh, int64_t energy_wh) {
  // units/10^6 tenge per kWh × Wh/1000 kWh × 100 tiyn per tenge
  // = units × Wh / 10^7 tiyn. |units × Wh| < 2^126 always fits in 128 bits.
  return Money{RoundHalfUpBy<10'000'000>(static_cast<__int128>(price_per_kwh.units()) * energy_wh)};
}

Money PercentOf(Money amount, Decimal rate_percent) {
  // tiyn × (units / 10^6) / 100.
  return Money{RoundHalfUpBy<Decimal::kOne * 100>(static_cast<__int128>(amount.tiyn) *
                                                  rate_percent.units())};
}

Money ShareOf(Money amount, Decimal share) {
  return Money{RoundHalfUpBy<Decimal::kOne>(static_cast<__int128>(amount.tiyn) * share.units())};
}

}  // namespace gridbill
