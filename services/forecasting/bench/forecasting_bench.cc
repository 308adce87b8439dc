// The forecasting benchmark: on the demo's legacy history (seed 42) with
// the last 12 months held out, each model's median MASE and sMAPE and its
// intervals' coverage; then the time of a full monthly run with backtests
// (every participant x service series, 24 months ahead) and series per
// second, on one thread and on `threads` (default 2, as a run's workers).
// Both figures side by side for the thorough ETS search (every form fitted
// in full, the final fit from scratch: what runs did before) and the
// pruned one with warm starts that runs use. Prints; passes or fails on
// nothing. Usage: forecasting_bench [seed] [threads] [run-only]
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "heldout.h"

using namespace gridbill::forecasting;

namespace {

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Timing {
  double wall = 0, cpu = 0;
};

// Every series forecast 24 months ahead with backtests, on `threads` threads.
// The CPU time is the process's (all threads): on a machine shared with other
// work the wall time grows, the CPU time much less.
Timing FullRun(const std::vector<Series>& all, const BacktestOptions& options, int threads) {
  const double c0 = CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < all.size(); i = next++) {
      SeriesResult r = ForecastSeries(all[i], 24, options);
      if (r.candidates.empty()) std::abort();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
          CpuSeconds() - c0};
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seed = 42;
  int threads = 2;
  if (argc > 1) absl::SimpleAtoi(argv[1], &seed);
  if (argc > 2) absl::SimpleAtoi(argv[2], &threads);
  const std::vector<Series> all = heldout::DemoSeries(seed);
  BacktestOptions thorough;
  thorough.thorough_ets = true;
  const BacktestOptions pruned;
  if (argc > 3 && std::string(argv[3]) == "run-only") {  // for a profiler: one full run
    const Timing t = FullRun(all, pruned, threads);
    std::printf("%zu series: %.2f s wall, %.2f s CPU\n", all.size(), t.wall, t.cpu);
    return 0;
  }
  const heldout::Figures before = heldout::Evaluate(all, 12, thorough);
  const heldout::Figures after = heldout::Evaluate(all, 12, pruned);
  std::printf("held-out 2024-11 .. 2025-10, %d series (fitted on 2019-01 .. 2024-10)\n",
              after.series);
  std::printf("before: thorough ETS search; after: pruned forms, warm starts\n");
  std::printf("%-16s %19s %21s %17s %17s\n", "", "median MASE", "median sMAPE %", "cover 80 %",
              "cover 95 %");
  std::printf("%-16s %9s %9s %10s %10s %8s %8s %8s %8s\n", "model", "before", "after", "before",
              "after", "before", "after", "before", "after");
  for (const char* name : {"SEASONAL_NAIVE", "THETA", "REGRESSION", "ETS", "CHOSEN"}) {
    const heldout::ModelFigures& b = before.by_model.at(name);
    const heldout::ModelFigures& a = after.by_model.at(name);
    std::printf("%-16s %9.3f %9.3f %10.2f %10.2f %8.1f %8.1f %8.1f %8.1f\n", name, Median(b.mase),
                Median(a.mase), Median(b.smape), Median(a.smape), 100.0 * b.in80 / b.points,
                100.0 * a.in80 / a.points, 100.0 * b.in95 / b.points, 100.0 * a.in95 / a.points);
  }
  auto gain = [](const heldout::Figures& f) {
    return 100 * (1 - Median(f.by_model.at("CHOSEN").mase) /
                          Median(f.by_model.at("SEASONAL_NAIVE").mase));
  };
  std::printf(
      "chosen vs seasonal naive, median MASE: before %.1f %% better, after %.1f %% better\n",
      gain(before), gain(after));

  // What up's forecast run sees: the legacy history and the demo year as billed.
  int gaps = 0;
  std::vector<RunSeries> up = heldout::UpSeries(seed, &gaps);
  {
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i = next++; i < up.size(); i = next++) ForecastOne(up[i], 24, pruned);
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
  }
  const RunAccuracy ua = SummarizeAccuracy(up);
  std::printf(
      "up's forecast run (legacy 2019-01 .. 2025-10 + the demo year 2025-11 .. 2026-10 as "
      "billed): %zu series, %d months without volume\n",
      up.size(), gaps);
  std::printf(
      "  backtests: median MASE chosen %.3f, seasonal naive %.3f (%.1f %% better); coverage "
      "80 %%: %.1f, 95 %%: %.1f\n  chosen: %s\n",
      ua.median_mase_chosen.value_or(-1), ua.median_mase_seasonal_naive.value_or(-1),
      100 * (1 - ua.median_mase_chosen.value_or(0) / ua.median_mase_seasonal_naive.value_or(1)),
      ua.coverage80, ua.coverage95, ua.chosen_models.c_str());
  std::vector<Series> up_series;
  for (const RunSeries& s : up) {
    up_series.push_back(
        {s.history_start, std::vector<double>(s.history_wh.begin(), s.history_wh.end())});
  }
  const heldout::Figures year =
      heldout::Evaluate(up_series, 12, pruned, absl::CivilMonth(2026, 11));
  std::printf("  the demo year held out (fitted up to 2025-10), %d series:\n", year.series);
  for (const char* name : {"SEASONAL_NAIVE", "CHOSEN"}) {
    const heldout::ModelFigures& m = year.by_model.at(name);
    std::printf("  %-16s median MASE %.3f, median sMAPE %.2f %%, cover 80 %%: %.1f, 95 %%: %.1f\n",
                name, Median(m.mase), Median(m.smape), 100.0 * m.in80 / m.points,
                100.0 * m.in95 / m.points);
  }

  // A full run: every series, 24 months ahead, four candidates backtested.
  const int series = static_cast<int>(all.size());
  const Timing b1 = FullRun(all, thorough, 1);
  const Timing bn = FullRun(all, thorough, threads);
  const Timing a1 = FullRun(all, pruned, 1);
  const Timing an = FullRun(all, pruned, threads);
  std::printf("full monthly run, %d series, 24 months ahead, backtests of 4 models:\n", series);
  std::printf("%-22s %10s %10s %10s\n", "", "wall s", "CPU s", "series/s");
  auto row = [&](const char* name, const Timing& t) {
    std::printf("%-22s %10.2f %10.2f %10.0f\n", name, t.wall, t.cpu, series / t.wall);
  };
  row("before, 1 thread", b1);
  row(absl::StrCat("before, ", threads, " threads").c_str(), bn);
  row("after, 1 thread", a1);
  row(absl::StrCat("after, ", threads, " threads").c_str(), an);
  std::printf("load average at the end: %s", [] {
    std::FILE* f = std::fopen("/proc/loadavg", "r");
    static char buf[128] = "?\n";
    if (f != nullptr) {
      if (std::fgets(buf, sizeof buf, f) == nullptr) buf[0] = 0;
      std::fclose(f);
    }
    return buf;
  }());
  return 0;
}
