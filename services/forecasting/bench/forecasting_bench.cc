// The forecasting benchmark: on the demo's legacy history (seed 42) with
// the last 12 months held out, each model's median MASE and sMAPE and its
// intervals' coverage; then the time of a full monthly run with backtests
// (every participant x service series, 24 months ahead) and series per
// second. Prints; passes or fails on nothing.
#include <chrono>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "heldout.h"

using namespace gridbill::forecasting;

int main(int argc, char** argv) {
  uint64_t seed = 42;
  if (argc > 1) absl::SimpleAtoi(argv[1], &seed);
  const std::vector<Series> all = heldout::DemoSeries(seed);
  const heldout::Figures f = heldout::Evaluate(all);
  std::printf("held-out 2024-11 .. 2025-10, %d series (fitted on 2019-01 .. 2024-10)\n", f.series);
  std::printf("%-16s %12s %12s %10s %10s\n", "model", "median MASE", "median sMAPE", "cover 80",
              "cover 95");
  for (const char* name : {"SEASONAL_NAIVE", "THETA", "REGRESSION", "ETS", "CHOSEN"}) {
    const heldout::ModelFigures& m = f.by_model.at(name);
    std::printf("%-16s %12.3f %11.2f%% %9.1f%% %9.1f%%\n", name, Median(m.mase), Median(m.smape),
                100.0 * m.in80 / m.points, 100.0 * m.in95 / m.points);
  }
  const double gain =
      1 - Median(f.by_model.at("CHOSEN").mase) / Median(f.by_model.at("SEASONAL_NAIVE").mase);
  std::printf("chosen vs seasonal naive, median MASE: %.1f %% better\n", 100 * gain);

  // A full run: every series, 24 months ahead, four candidates backtested.
  const auto t0 = std::chrono::steady_clock::now();
  int series = 0;
  for (const Series& s : all) {
    SeriesResult r = ForecastSeries(s, 24, BacktestOptions{});
    series += r.candidates.empty() ? 0 : 1;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "full monthly run: %d series, 24 months ahead, backtests of 4 models: %.2f s, "
      "%.0f series/s (one thread)\n",
      series, secs, series / secs);
  return 0;
}
