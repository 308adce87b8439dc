// The demo's legacy history: monthly volumes per participant and service for
// the years before the system went live (2019-01 .. 2025-10 by default), the
// file `up` imports into the forecasting service. Deterministic from the
// data set's seed and consistent with the demo year: each participant's
// series is anchored on its own volumes of the demo year as the balance
// service bills them from the demo readings (DemoYearVolumes: the same
// points, channels and signs as the demo accounting schemes), the same
// calendar month 2025-11 .. 2026-10, a few % less per year before (its own
// growth rate, 1-4 % a year), with per-participant noise (about 2 %) and
// structural breaks: a participant that came to the market later starts
// then (a plant commissioned, a new consumer), one that left the market
// before the demo year stops some months before the end (from its typical
// monthly volume and the national demand profile of DOMAIN.md), and a few
// change level for good (a new production line: the months before it are
// 15-35 % lower). Use of the national grid starts 2023-07.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "tools/demo/demo_data.h"
#include "tools/demo/metering_points.h"

namespace gridbill::demo {

struct HistoryRow {
  std::string bin;
  int service = 0;  // contracts.v1.ServiceType
  absl::CivilMonth period;
  int64_t volume_wh = 0;
};

// The demo year as billed: its first and last month, and how many days of
// each month are read from the readings generator (a week from the 8th,
// scaled to the month: ~1/4 of the time of every day, within about 1 % of
// it; 0 = every day).
struct DemoYearOptions {
  absl::CivilMonth first = absl::CivilMonth(2025, 11);
  absl::CivilMonth last = absl::CivilMonth(2026, 10);
  int sample_days = 7;
};

// Each participant's volume per contracted service and month of the demo
// year, from the demo readings (readings.h) of the points it owns each day:
// transmission and use of the grid = energy received (channel 1) - energy
// delivered (channel 2), technical dispatching and balancing = both
// directions; participants without points have no rows.
std::vector<HistoryRow> DemoYearVolumes(const DataSet& data, const MeteringSet& set,
                                        const DemoYearOptions& options = {});

struct HistoryOptions {
  absl::CivilMonth first = absl::CivilMonth(2019, 1);
  absl::CivilMonth last = absl::CivilMonth(2025, 10);
  DemoYearOptions demo_year;
};

// One row per participant, service it has a contract for, and month it was on the market.
std::vector<HistoryRow> GenerateHistory(const DataSet& data, const HistoryOptions& options);
// The same from the demo year's volumes already computed (`year`: DemoYearVolumes).
std::vector<HistoryRow> GenerateHistory(const DataSet& data, const HistoryOptions& options,
                                        const std::vector<HistoryRow>& year);

// The import file: `bin,service,period,volume_kwh` (volume in kWh, 3 decimals).
std::string HistoryCsv(const std::vector<HistoryRow>& rows);

}  // namespace gridbill::demo
