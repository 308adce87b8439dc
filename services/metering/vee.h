// Validation on arrival (the "V" of VEE): named rules with configurable
// thresholds, evaluated over a whole point-day. A value that fails a rule is
// stored with the rule's finding; structurally invalid readings never get here.
#pragma once

#include <cstdint>
#include <vector>

#include "model.h"

namespace gridbill::metering {

struct VeeConfig {
  // spike: a value above spike_factor x the day's typical value (the median
  // of its positive values), judged only with spike_min_samples of them.
  int64_t spike_factor = 10;
  int64_t spike_min_samples = 8;
  // flat_line: this many consecutive equal non-zero values (a stuck meter).
  int64_t flat_line_intervals = 12;
};

// Sets row.findings (one bitmask per interval) from row.values/quality:
// negative, spike, flat_line, gap (missing).
void Validate(const VeeConfig& config, DayRow& row);

// The findings of a bitmask, in enum order.
std::vector<Finding> FindingsOf(int16_t mask);

}  // namespace gridbill::metering
