// The held-out accuracy check on the demo's legacy history (tools/demo
// history.h, seed 42): every participant x service series with at least
// three years before the held-out year is fitted on its months up to
// 2024-10, backtested and its model chosen as in a forecast run; the 12
// months 2024-11 .. 2025-10 are then compared with the forecasts. Shared by
// the test (which checks the thresholds) and the benchmark (which
// prints the figures).
#pragma once

#include <chrono>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "backtest.h"
#include "models.h"
#include "series.h"
#include "tools/demo/demo_data.h"
#include "tools/demo/history.h"
#include "tools/demo/metering_points.h"

namespace gridbill::forecasting::heldout {

struct ModelFigures {
  std::vector<double> mase, smape;
  int in80 = 0, in95 = 0, points = 0;
};

struct Figures {
  int series = 0;
  std::map<std::string, ModelFigures> by_model;  // "CHOSEN" and each candidate
  double seconds = 0;                            // fitting, backtests and choice
};

inline std::vector<Series> DemoSeries(uint64_t seed) {
  demo::Options options;
  options.seed = seed;
  const demo::DataSet data = demo::Generate(options);
  std::map<std::pair<std::string, int>, Series> by_key;
  for (const demo::HistoryRow& r : demo::GenerateHistory(data, demo::HistoryOptions())) {
    Series& s = by_key[{r.bin, r.service}];
    if (s.y.empty()) s.start = r.period;
    s.y.push_back(static_cast<double>(r.volume_wh));
  }
  std::vector<Series> out;
  for (auto& [key, s] : by_key) out.push_back(std::move(s));
  return out;
}

// What `up` gives a forecast run over the demo: the legacy history
// 2019-01 .. 2025-10 and the demo year 2025-11 .. 2026-10 as the balance
// service bills it from the demo readings, one series per participant x
// service up to 2026-10 (gaps filled as a run fills them). `gap_months`
// counts the months without any volume.
inline std::vector<RunSeries> UpSeries(uint64_t seed, int* gap_months) {
  demo::Options options;
  options.seed = seed;
  const demo::DataSet data = demo::Generate(options);
  const std::vector<demo::HistoryRow> year =
      demo::DemoYearVolumes(data, demo::GenerateMetering(data));
  const std::vector<demo::HistoryRow> legacy =
      demo::GenerateHistory(data, demo::HistoryOptions(), year);
  std::vector<MonthVolume> volumes;
  for (const std::vector<demo::HistoryRow>* rows : {&legacy, &year}) {
    for (const demo::HistoryRow& r : *rows) {
      volumes.push_back({r.bin, r.service, r.period, r.volume_wh});
    }
  }
  return BuildSeries(volumes, absl::CivilMonth(2026, 10), {}, gap_months);
}

// `end`: the month after the history (series that stop before are left out).
inline Figures Evaluate(const std::vector<Series>& all, int holdout = 12,
                        const BacktestOptions& options = BacktestOptions{},
                        absl::CivilMonth end = absl::CivilMonth(2025, 11)) {
  Figures f;
  const auto t0 = std::chrono::steady_clock::now();
  for (const Series& full : all) {
    const int n = static_cast<int>(full.y.size()) - holdout;
    if (n < 36) continue;  // the held-out year needs three years of history before it
    // Only series that reach the end of the history (not a participant that left).
    if (full.start + static_cast<int64_t>(full.y.size()) != end) continue;
    ++f.series;
    Series train{full.start, std::vector<double>(full.y.begin(), full.y.begin() + n)};
    const SeriesResult r = ForecastSeries(train, holdout, options);
    const double scale = MaseScale(train.y, n);
    if (scale <= 0) continue;
    auto add = [&](const std::string& name, const Candidate& c) {
      ModelFigures& m = f.by_model[name];
      double abs = 0, smape = 0;
      for (int h = 0; h < holdout; ++h) {
        const double a = full.y[n + h], p = c.forecast.mean[h];
        abs += std::fabs(a - p);
        smape += (std::fabs(a) + std::fabs(p)) > 0
                     ? 200 * std::fabs(a - p) / (std::fabs(a) + std::fabs(p))
                     : 0;
        m.in80 += a >= c.lower80[h] && a <= c.upper80[h];
        m.in95 += a >= c.lower95[h] && a <= c.upper95[h];
        ++m.points;
      }
      m.mase.push_back(abs / holdout / scale);
      m.smape.push_back(smape / holdout);
    };
    add("CHOSEN", r.best());
    for (size_t i = 0; i < r.candidates.size(); ++i)
      add(ModelName(kCandidates[i]), r.candidates[i]);
  }
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return f;
}

}  // namespace gridbill::forecasting::heldout
