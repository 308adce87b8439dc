// Validation of the identifiers the market uses (DOMAIN.md).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace gridbill {

// BIN / IIN: 12 digits, the 12th a check digit (weights 1..11, then
// 3..11,1,2 when the first sum mod 11 is 10). Errors are INVALID_ARGUMENT
// naming `field` and saying what is wrong (length, non-digit, check digit).
absl::Status ValidateBin(std::string_view bin, std::string_view field = "bin");

// The check digit for the first 11 digits of a BIN (exactly 11 digits), or
// -1 when none exists or `first11` is not 11 digits.
int BinCheckDigit(std::string_view first11);

// EIC: 16 characters of [0-9A-Z-], the last a check character over the first 15.
absl::Status ValidateEic(std::string_view eic, std::string_view field = "eic");

// The check character for the first 15 characters of an EIC (exactly 15), or
// '\0' when they contain a character outside [0-9A-Z-], are not 15
// characters, or the check would be '-'.
char EicCheckChar(std::string_view first15);

}  // namespace gridbill
