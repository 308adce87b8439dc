// Exact percentages of energies: losses in percent of inflow, and the grid
// closure's tolerance. Integer arithmetic with a 128-bit intermediate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "model.h"

namespace gridbill::balance {

// part / whole × 100 with 4 fractional digits, rounded half away from zero;
// "0" when whole is 0.
std::string PercentOf(int64_t part, int64_t whole);

// True when part / whole × 100 exceeds `percent` (a decimal string; empty = no limit).
absl::StatusOr<bool> AbovePercent(int64_t part, int64_t whole, std::string_view percent);

// True when |residual| ≤ tolerance % of supply.
absl::StatusOr<bool> ClosureHolds(const Closure& c, std::string_view tolerance_percent);

}  // namespace gridbill::balance
