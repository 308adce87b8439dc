// The demo's legacy history: monthly volumes per participant and service for
// the years before the system went live (2019-01 .. 2025-10 by default), the
// file `up` imports into the forecasting service. Deterministic from the
// data set's seed, consistent with the demo year: each participant's volume
// follows the national demand of DOMAIN.md month by month at its typical
// monthly volume in 2026, a few % less per year before (its own growth rate,
// 1-4 % a year), with per-participant noise (about 2 %) and structural
// breaks: a participant that came to the market later starts then (a plant
// commissioned, a new consumer), a terminated one stops some months before
// the end (a consumer that left), and a few change level for good (a new
// production line, +15-35 %). Use of the national grid starts 2023-07.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "tools/demo/demo_data.h"

namespace gridbill::demo {

struct HistoryRow {
  std::string bin;
  int service = 0;  // contracts.v1.ServiceType
  absl::CivilMonth period;
  int64_t volume_wh = 0;
};

struct HistoryOptions {
  absl::CivilMonth first = absl::CivilMonth(2019, 1);
  absl::CivilMonth last = absl::CivilMonth(2025, 10);
};

// One row per participant, service it has a contract for, and month it was on the market.
std::vector<HistoryRow> GenerateHistory(const DataSet& data, const HistoryOptions& options);

// The import file: `bin,service,period,volume_kwh` (volume in kWh, 3 decimals).
std::string HistoryCsv(const std::vector<HistoryRow>& rows);

}  // namespace gridbill::demo
