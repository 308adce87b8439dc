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
  // source_mismatch: a CMS value and SCADA's value of the same interval
  // differ by more than source_tolerance_percent of the CMS value and by
  // more than source_tolerance_wh.
  int64_t source_tolerance_percent = 2;
  int64_t source_tolerance_wh = 100;
};

// Sets row.findings (one bitmask per interval) from row.values/quality:
// negative, spike, flat_line, gap (missing), source_mismatch (a CMS value
// against the SCADA value kept in row.scada_values).
void Validate(const VeeConfig& config, DayRow& row);

// The findings of a bitmask, in enum order.
// True when the CMS and SCADA values differ beyond the tolerance.
bool SourcesDisagree(const VeeConfig& config, int64_t cms_wh, int64_t scada_wh);

std::vector<Finding> FindingsOf(int16_t mask);

}  // namespace gridbill::metering
