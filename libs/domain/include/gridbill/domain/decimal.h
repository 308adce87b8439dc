// Fixed-point decimal with 6 fractional digits, for prices and shares.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace gridbill {

// An exact decimal: value = units / 10^6. Parsed from and printed to plain
// decimal text ("2.4820", "-0.5"); no floating point anywhere.
class Decimal {
 public:
  static constexpr int kScale = 6;
  static constexpr int64_t kOne = 1'000'000;

  constexpr Decimal() = default;
  static constexpr Decimal FromUnits(int64_t units) { return Decimal(units); }
  static constexpr Decimal FromInt(int64_t whole) { return Decimal(whole * kOne); }

  // Parses plain decimal text: optional sign, digits, optional '.' and up to
  // 6 fractional digits. Errors are INVALID_ARGUMENT naming `field` and the
  // reason ("more than 6 fractional digits", "not a number", "out of range").
  static absl::StatusOr<Decimal> Parse(std::string_view text, std::string_view field = "value");

  constexpr int64_t units() const { return units_; }
  // Canonical text with at least `min_fraction` fractional digits and
  // trailing zeros beyond that removed ("2.482" with 0, "2.4820" with 4).
  std::string ToString(int min_fraction = 0) const;

  friend constexpr bool operator==(Decimal a, Decimal b) = default;
  friend constexpr auto operator<=>(Decimal a, Decimal b) = default;
  friend constexpr Decimal operator+(Decimal a, Decimal b) { return Decimal(a.units_ + b.units_); }
  friend constexpr Decimal operator-(Decimal a, Decimal b) { return Decimal(a.units_ - b.units_); }

 private:
  constexpr explicit Decimal(int64_t units) : units_(units) {}
  int64_t units_ = 0;
};

}  // namespace gridbill
