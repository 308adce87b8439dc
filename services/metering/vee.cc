#include "vee.h"

#include <algorithm>
#include <cstdlib>

namespace gridbill::metering {

bool SourcesDisagree(const VeeConfig& config, int64_t cms_wh, int64_t scada_wh) {
  // Both are meter values (|v| < 2^62 Wh in practice); the difference fits.
  const int64_t diff = std::llabs(cms_wh - scada_wh);
  if (diff <= config.source_tolerance_wh) return false;
  // diff > |cms| x percent / 100, without dividing.
  return diff * 100 > std::llabs(cms_wh) * config.source_tolerance_percent;
}

void Validate(const VeeConfig& config, DayRow& row) {
  const size_t n = row.values.size();
  row.findings.assign(n, 0);
  std::vector<int64_t> positive;
  positive.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (static_cast<Quality>(row.quality[i]) == Quality::kMissing) {
      row.findings[i] |= Bit(Finding::kGap);
      continue;
    }
    if (row.values[i] < 0) row.findings[i] |= Bit(Finding::kNegative);
    if (row.values[i] > 0) positive.push_back(row.values[i]);
    if (row.SourceAt(i) == Source::kCms && row.HasScadaValue(i) &&
        SourcesDisagree(config, row.values[i], row.scada_values[i])) {
      row.findings[i] |= Bit(Finding::kSourceMismatch);
    }
  }
  if (static_cast<int64_t>(positive.size()) >= config.spike_min_samples) {
    auto mid = positive.begin() + static_cast<std::ptrdiff_t>(positive.size() / 2);
    std::nth_element(positive.begin(), mid, positive.end());
    const int64_t typical = *mid;
    for (size_t i = 0; i < n; ++i) {
      if (!(row.findings[i] & Bit(Finding::kGap)) &&
          row.values[i] / config.spike_factor > typical) {
        row.findings[i] |= Bit(Finding::kSpike);
      }
    }
  }
  // Runs of equal non-zero present values.
  size_t run_start = 0;
  for (size_t i = 1; i <= n; ++i) {
    const bool continues = i < n && row.values[i] == row.values[run_start] && row.values[i] != 0 &&
                           !(row.findings[i] & Bit(Finding::kGap)) &&
                           !(row.findings[run_start] & Bit(Finding::kGap));
    if (continues) continue;
    if (static_cast<int64_t>(i - run_start) >= config.flat_line_intervals &&
        row.values[run_start] != 0 && !(row.findings[run_start] & Bit(Finding::kGap))) {
      for (size_t j = run_start; j < i; ++j) row.findings[j] |= Bit(Finding::kFlatLine);
    }
    run_start = i;
  }
}

std::vector<Finding> FindingsOf(int16_t mask) {
  std::vector<Finding> out;
  for (Finding f : {Finding::kNegative, Finding::kSpike, Finding::kFlatLine, Finding::kGap,
                    Finding::kSourceMismatch}) {
    if (mask & Bit(f)) out.push_back(f);
  }
  return out;
}

}  // namespace gridbill::metering
