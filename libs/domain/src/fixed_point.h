// Parsing and printing of signed fixed-point text, shared by Decimal (6
// fractional digits) and Money (2). Private to gridbill_domain.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace gridbill::internal {

// Parses [+-]digits[.digits] with at most `scale` fractional digits into
// value × 10^scale. Errors are InvalidField(field, ...) saying what is wrong.
absl::StatusOr<int64_t> ParseFixed(std::string_view text, std::string_view field, int scale);

// Prints units / 10^scale with at least `min_fraction` fractional digits,
// trailing zeros beyond that dropped. `group` (if not empty) separates
// thousands of the whole part.
std::string FormatFixed(int64_t units, int scale, int min_fraction, std::string_view group = {});

}  // namespace gridbill::internal
