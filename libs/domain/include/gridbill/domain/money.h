// Money in integer tiyn and the exact products that produce it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "gridbill/domain/decimal.h"

namespace gridbill {

// An amount in tiyn (1 tenge = 100 tiyn).
struct Money {
  int64_t tiyn = 0;

  static constexpr Money FromTiyn(int64_t t) { return Money{t}; }
  // Parses "1234.56", "-0.5", "12" (tenge, up to 2 fractional digits).
  static absl::StatusOr<Money> Parse(std::string_view text, std::string_view field = "amount");
  // "1234.56" (always two fractional digits, '-' for negatives).
  std::string ToString() const;
  // "1 234.56" with thin grouping for documents: thousands are separated by
  // U+202F NARROW NO-BREAK SPACE (UTF-8 E2 80 AF), which never breaks a number
  // across lines.
  std::string ToGroupedString() const;
  // The same with another thousands separator (" ", "\u00A0", "'").
  std::string ToGroupedString(std::string_view separator) const;

  friend constexpr bool operator==(Money a, Money b) = default;
  friend constexpr auto operator<=>(Money a, Money b) = default;
  friend constexpr Money operator+(Money a, Money b) { return Money{a.tiyn + b.tiyn}; }
  friend constexpr Money operator-(Money a, Money b) { return Money{a.tiyn - b.tiyn}; }
  constexpr Money operator-() const { return Money{-tiyn}; }
};

// Rounds numerator/denominator half-up (away from zero at exactly .5) to an
// integer, computed exactly in 128 bits. denominator != 0 (a negative one
// flips the sign). A result beyond int64 saturates at its limits: callers
// bound their inputs (no real charge comes near 9.2 × 10^16 tenge).
int64_t RoundHalfUp(__int128 numerator, __int128 denominator);

// The charge for `energy_wh` at `price_per_kwh` tenge/kWh, in tiyn rounded
// half-up once: price × Wh / 1000 × 100, exact in 128 bits.
Money ChargeFor(Decimal price_per_kwh, int64_t energy_wh);

// `amount` × `rate_percent` / 100 rounded half-up to the tiyn (VAT per line).
Money PercentOf(Money amount, Decimal rate_percent);

// `amount` × `share` rounded half-up to the tiyn (e.g. a prepayment share).
Money ShareOf(Money amount, Decimal share);

}  // namespace gridbill
