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
#include <cmath>
#include <cstdio>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "heldout.h"
#include "hourly.h"

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

// Every series' hourly rest of a month: a synthetic hourly history of 71
// days (Sep and Oct 2025 + 10 days of Nov) whose days follow a weekday x
// hour shape at the series' monthly level, with noise and a level drift;
// the hourly models backtested and the 20 days after forecast.
struct HourlyFigures {
  Timing timing;
  std::vector<double> mase_chosen, mase_baseline;
  int sums = 0, in80 = 0, in95 = 0;
  int origins_with_coverage = 0;
  double cover80 = 0, cover95 = 0;
};

HourlyFigures HourlyRun(const std::vector<Series>& all, int threads) {
  const absl::TimeZone zone = [] {
    absl::TimeZone z;
    if (!absl::LoadTimeZone("Asia/Almaty", &z)) std::abort();
    return z;
  }();
  const absl::Time from = absl::FromCivil(absl::CivilDay(2025, 9, 1), zone);
  const absl::Time measured = absl::FromCivil(absl::CivilDay(2025, 11, 11), zone);
  const absl::Time end = absl::FromCivil(absl::CivilDay(2025, 12, 1), zone);
  const std::vector<absl::Time> history_hours = HoursBetween(from, measured, zone);
  const std::vector<absl::Time> rest = HoursBetween(measured, end, zone);
  std::vector<std::vector<HourVolume>> histories(all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    const double level = all[i].y.empty() ? 0 : all[i].y.back() / 730.0;
    uint64_t state = 1000 + i;
    for (size_t k = 0; k < history_hours.size(); ++k) {
      const absl::CivilSecond cs = absl::ToCivilSecond(history_hours[k], zone);
      const int hour = cs.hour();
      const bool weekend = absl::GetWeekday(absl::CivilDay(cs)) == absl::Weekday::saturday ||
                           absl::GetWeekday(absl::CivilDay(cs)) == absl::Weekday::sunday;
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const double noise = static_cast<double>((state >> 33) % 1000) / 1000.0 - 0.5;
      const double shape =
          (0.8 + 0.4 * std::sin(M_PI * (hour - 6) / 12.0)) * (weekend ? 0.85 : 1.05);
      const double drift = 1.0 + 0.05 * static_cast<double>(k) / history_hours.size();
      histories[i].push_back({history_hours[k], level * shape * drift * (1 + 0.15 * noise)});
    }
  }
  HourlyFigures out;
  std::vector<std::optional<HourlyForecast>> results(all.size());
  const double c0 = CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < all.size(); i = next++) {
      results[i] = ForecastHours(histories[i], rest, zone, HourlyOptions{});
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  out.timing = {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                CpuSeconds() - c0};
  double c80 = 0, c95 = 0;
  for (const std::optional<HourlyForecast>& r : results) {
    if (!r) continue;
    const AccuracyStats& chosen = r->candidates[r->chosen].accuracy;
    const AccuracyStats& base = r->candidates[0].accuracy;
    if (chosen.mase && base.mase) {
      out.mase_chosen.push_back(*chosen.mase);
      out.mase_baseline.push_back(*base.mase);
    }
    if (r->sum_coverage80) {
      ++out.origins_with_coverage;
      c80 += *r->sum_coverage80, c95 += *r->sum_coverage95;
    }
  }
  if (out.origins_with_coverage > 0) {
    out.cover80 = c80 / out.origins_with_coverage, out.cover95 = c95 / out.origins_with_coverage;
  }
  return out;
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
    const HourlyFigures h = HourlyRun(all, threads);
    std::printf("%zu series: monthly %.2f s wall, %.2f s CPU; hourly %.2f s wall, %.2f s CPU\n",
                all.size(), t.wall, t.cpu, h.timing.wall, h.timing.cpu);
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
  const HourlyFigures hourly = HourlyRun(all, threads);
  std::printf(
      "hourly rest of the month (20 days, 480 h) for every series, %d threads: %.2f s wall, "
      "%.2f s CPU, %.0f series/s\n",
      threads, hourly.timing.wall, hourly.timing.cpu, series / hourly.timing.wall);
  std::printf(
      "  hourly backtests (14 daily origins, up to 168 h ahead): median MASE chosen %.3f, "
      "weekly naive %.3f; the rest's sum inside its interval (leave one window out): "
      "80 %%: %.1f, 95 %%: %.1f\n",
      Median(hourly.mase_chosen), Median(hourly.mase_baseline), hourly.cover80, hourly.cover95);
  std::printf("full run (monthly + hourly), %d threads: %.2f s wall, %.2f s CPU (target 5 s)\n",
              threads, an.wall + hourly.timing.wall, an.cpu + hourly.timing.cpu);
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
