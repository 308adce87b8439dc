// The models on series of known structure, against hand-computed values;
// the measures; the calendar; ETS / Holt-Winters against statsmodels.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "backtest.h"
#include "calendar.h"
#include "models.h"

namespace gridbill::forecasting {
namespace {

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

std::vector<double> Trend(int n, double a, double b) {
  std::vector<double> y(n);
  for (int t = 0; t < n; ++t) y[t] = a + b * t;
  return y;
}

// 100 + 10 sin(2 pi t / 12) + 5 cos(4 pi t / 12): a pure season.
std::vector<double> Seasonal(int n) {
  std::vector<double> y(n);
  for (int t = 0; t < n; ++t) {
    y[t] = 100 + 10 * std::sin(2 * M_PI * t / 12) + 5 * std::cos(4 * M_PI * t / 12);
  }
  return y;
}

// (1000 + 5t) x season x (1 + 2 % deterministic noise).
std::vector<double> TrendSeasonNoise(int n) {
  std::vector<double> y(n);
  uint64_t state = 12345;
  for (int t = 0; t < n; ++t) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(state >> 11) / 9007199254740992.0 - 0.5;
    y[t] = (1000 + 5 * t) * (1 + 0.2 * std::sin(2 * M_PI * t / 12)) * (1 + 0.04 * u);
  }
  return y;
}

TEST_CASE("seasonal naive repeats the last season; shorter series fall back to naive") {
  std::vector<double> y = Trend(24, 1, 1);  // 1..24
  PointForecast f = SeasonalNaive(y, 14);
  CHECK(f.kind == ModelKind::kSeasonalNaive);
  CHECK(f.fallback.empty());
  REQUIRE(f.mean.size() == 14);
  CHECK(f.mean[0] == 13);
  CHECK(f.mean[11] == 24);
  CHECK(f.mean[12] == 13);
  CHECK(f.mean[13] == 14);

  PointForecast short_one = SeasonalNaive({5, 6, 7, 8, 9}, 3);
  CHECK(short_one.kind == ModelKind::kNaive);
  CHECK(short_one.fallback == "seasonal naive needs 12 months, the series has 5: naive");
  CHECK(short_one.mean == std::vector<double>{9, 9, 9});

  PointForecast empty = SeasonalNaive({}, 2);
  CHECK(empty.mean == std::vector<double>{0, 0});
  CHECK(empty.fallback == "no history: forecast 0");
}

TEST_CASE("a pure linear trend: regression exact, Theta half the slope, ETS the line") {
  const std::vector<double> y = Trend(36, 100, 5);  // 100 .. 275
  Series s{absl::CivilMonth(2020, 1), y};
  PointForecast reg = RegressionForecast(s, 3);
  CHECK(reg.kind == ModelKind::kRegression);
  CHECK_THAT(reg.mean[0], WithinAbs(280, 1e-6));
  CHECK_THAT(reg.mean[2], WithinAbs(290, 1e-6));

  // Theta with alpha -> 1: last value + b/2 * (i + 1), b = 5.
  PointForecast theta = ThetaForecast(y, 3);
  CHECK(theta.kind == ModelKind::kTheta);
  CHECK_THAT(theta.mean[0], WithinAbs(277.5, 0.05));
  CHECK_THAT(theta.mean[1], WithinAbs(280.0, 0.05));
  CHECK_THAT(theta.mean[2], WithinAbs(282.5, 0.05));

  PointForecast ets = EtsForecast(y, 3);
  CHECK(ets.kind == ModelKind::kEts);
  CHECK_THAT(ets.mean[0], WithinRel(280.0, 0.01));
  CHECK_THAT(ets.mean[2], WithinRel(290.0, 0.01));
}

TEST_CASE("a pure season: seasonal naive and Theta repeat it, ETS within 1 %") {
  const std::vector<double> y = Seasonal(48);
  const std::vector<double> next = Seasonal(60);
  PointForecast sn = SeasonalNaive(y, 12);
  PointForecast theta = ThetaForecast(y, 12);
  PointForecast ets = EtsForecast(y, 12);
  CHECK(absl::StrContains(theta.spec, "seasonal adjustment"));
  for (int i = 0; i < 12; ++i) {
    CHECK_THAT(sn.mean[i], WithinAbs(next[48 + i], 1e-9));
    CHECK_THAT(theta.mean[i], WithinRel(next[48 + i], 1e-3));
    CHECK_THAT(ets.mean[i], WithinRel(next[48 + i], 0.01));
  }
}

TEST_CASE("a level shift: the models follow the new level") {
  std::vector<double> y(48, 100.0);
  for (int t = 24; t < 48; ++t) y[t] = 150.0;
  CHECK(SeasonalNaive(y, 1).mean[0] == 150.0);
  CHECK_THAT(EtsForecast(y, 1).mean[0], WithinRel(150.0, 0.02));
  CHECK_THAT(ThetaForecast(y, 1).mean[0], WithinRel(150.0 + 0.5 * (50.0 * 36 / 47), 0.12));
}

TEST_CASE("a constant series falls back to naive and says so") {
  const std::vector<double> y(30, 42.0);
  for (PointForecast f : {EtsForecast(y, 2), ThetaForecast(y, 2)}) {
    CHECK(f.kind == ModelKind::kNaive);
    CHECK(f.fallback == "constant series: naive");
    CHECK(f.mean == std::vector<double>{42, 42});
  }
}

TEST_CASE("series too short for seasonal models fall back, stated") {
  const std::vector<double> y = {10, 12, 11, 13, 12, 14, 13, 15};
  PointForecast ets = EtsForecast(y, 2);
  CHECK(ets.kind == ModelKind::kEts);
  CHECK(ets.fallback == "fewer than 24 months: ETS without seasonality");
  CHECK(!absl::StrContains(ets.spec, ",A)"));
  PointForecast reg = RegressionForecast({absl::CivilMonth(2024, 1), y}, 2);
  CHECK(reg.fallback == "fewer than 24 months: trend and working days only");
  PointForecast tiny = EtsForecast({5, 6}, 1);
  CHECK(tiny.kind == ModelKind::kNaive);
  CHECK(tiny.fallback == "ETS needs 4 months, the series has 2: naive");
  CHECK(RegressionForecast({absl::CivilMonth(2024, 1), {1, 2, 3}}, 1).fallback ==
        "regression needs 6 months, the series has 3: naive");
}

TEST_CASE("a net exporter's negative volumes: no multiplicative form, finite forecasts") {
  std::vector<double> y = Seasonal(48);
  for (double& v : y) v = -v;
  PointForecast ets = EtsForecast(y, 12);
  CHECK(!absl::StrContains(ets.spec, "M"));
  PointForecast theta = ThetaForecast(y, 12);
  CHECK(theta.spec == "Theta (additive seasonal adjustment)");
  for (int i = 0; i < 12; ++i) {
    CHECK(std::isfinite(ets.mean[i]));
    CHECK(ets.mean[i] < 0);
    CHECK_THAT(theta.mean[i], WithinRel(-Seasonal(60)[48 + i], 1e-3));
  }
}

TEST_CASE("measures: hand-computed MAE, sMAPE, MASE, MAPE; zeros make MAPE undefined") {
  std::vector<BacktestError> e = {{10, 1, 10, 12}, {10, 2, 10, 8}};
  AccuracyStats a = Measure(e, 2.0);
  CHECK(a.origins == 1);
  CHECK(a.errors == 2);
  CHECK_THAT(a.mae, WithinAbs(2.0, 1e-12));
  CHECK_THAT(a.smape, WithinAbs((200.0 * 2 / 22 + 200.0 * 2 / 18) / 2, 1e-9));
  REQUIRE(a.mase.has_value());
  CHECK_THAT(*a.mase, WithinAbs(1.0, 1e-12));
  REQUIRE(a.mape.has_value());
  CHECK_THAT(*a.mape, WithinAbs((100.0 * 2 / 12 + 100.0 * 2 / 8) / 2, 1e-9));

  std::vector<BacktestError> zeros = {{5, 1, 0, 0}, {5, 2, 3, 0}, {6, 1, 1, 2}};
  AccuracyStats z = Measure(zeros, 0.0);
  CHECK(!z.mape.has_value());
  CHECK(!z.mase.has_value());
  CHECK(z.undefined_reason ==
        "MASE undefined: the in-sample seasonal naive error is zero; MAPE undefined: 2 zero "
        "actuals");
  // 0/0 counts as a perfect term, never NaN.
  CHECK_THAT(z.smape, WithinAbs((0 + 200.0 + 200.0 / 3) / 3, 1e-9));
  CHECK(std::isfinite(z.mae));
}

TEST_CASE("the MASE scale is the in-sample seasonal naive error") {
  std::vector<double> y = Trend(30, 0, 1);
  CHECK_THAT(MaseScale(y, 30), WithinAbs(12.0, 1e-12));  // lag 12
  CHECK_THAT(MaseScale(y, 10), WithinAbs(1.0, 1e-12));   // lag 1 below two seasons
  CHECK(MaseScale({5}, 1) == 0.0);
}

TEST_CASE("backtests choose per series and give intervals with coverage") {
  Series s{absl::CivilMonth(2019, 1), TrendSeasonNoise(72)};
  SeriesResult r = ForecastSeries(s, 24, BacktestOptions{});
  REQUIRE(r.candidates.size() == 4);
  for (const Candidate& c : r.candidates) {
    CHECK(c.accuracy.origins == 24);
    CHECK(c.accuracy.errors == 12 * 13 + 11 * 12 / 2 - 0);
    CHECK(c.lower95.size() == 24);
    for (int i = 0; i < 24; ++i) {
      CHECK(c.lower95[i] <= c.lower80[i]);
      CHECK(c.lower80[i] <= c.upper80[i]);
      CHECK(c.upper80[i] <= c.upper95[i]);
    }
  }
  // A trending seasonal series: the baseline lags the trend, the chosen model beats it.
  const AccuracyStats& naive = r.candidates[0].accuracy;
  CHECK(r.chosen != 0);
  CHECK(*r.best().accuracy.mase < *naive.mase);
  CHECK(r.best().accuracy.coverage80 >= 70.0);
  CHECK(r.best().accuracy.coverage95 >= 88.0);
}

TEST_CASE("a short series gets no backtest and says how its intervals were made") {
  Series s{absl::CivilMonth(2025, 1), {10, 11, 12, 11, 13, 12, 14, 13, 15, 14}};
  SeriesResult r = ForecastSeries(s, 6, BacktestOptions{});
  CHECK(r.best().accuracy.errors == 0);
  CHECK(r.best().accuracy.undefined_reason == "no backtest");
  CHECK(r.best().forecast.kind == ModelKind::kNaive);
  CHECK(r.best().upper95[0] > r.best().forecast.mean[0]);
}

TEST_CASE("the working days of Kazakhstan") {
  CHECK(WorkingDays(absl::CivilMonth(2024, 1)) == 21);  // 1-2 Jan off; 7 Jan a Sunday
  // Nauryz 2024: 21, 22 and Saturday 23 March moved to Monday 25.
  CHECK(!IsWorkingDay(absl::CivilDay(2024, 3, 25)));
  CHECK(WorkingDays(absl::CivilMonth(2024, 3)) == 17);
  // Republic Day is a day off again since 2022, First President's Day no longer.
  CHECK(!IsWorkingDay(absl::CivilDay(2023, 10, 25)));
  CHECK(IsWorkingDay(absl::CivilDay(2023, 12, 1)));
  CHECK(!IsWorkingDay(absl::CivilDay(2021, 12, 1)));
  // A decree's transfer: Friday 3 Jan 2025 off, Sunday 5 Jan worked.
  CHECK(!IsWorkingDay(absl::CivilDay(2025, 1, 3)));
  CHECK(IsWorkingDay(absl::CivilDay(2025, 1, 5)));
}

// --- statsmodels ---------------------------------------------------------------

std::map<std::string, std::pair<double, std::vector<double>>> RunStatsmodels(
    const std::vector<double>& y) {
  const std::string in = "/tmp/forecasting_models_test_series.txt";
  {
    std::ofstream f(in);
    f.precision(17);
    for (double v : y) f << v << "\n";
  }
  const std::string cmd =
      std::string("/usr/bin/python3 ") + GRIDBILL_FORECASTING_REFERENCE_SCRIPT + " " + in;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  while (size_t k = fread(buf, 1, sizeof buf, p)) out.append(buf, k);
  const int rc = pclose(p);
  INFO("python3 with python3-statsmodels (deploy/install-deps.sh) must run: " << out);
  REQUIRE(rc == 0);
  std::map<std::string, std::pair<double, std::vector<double>>> fits;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream ls(line);
    std::string name, llf;
    ls >> name >> llf;
    std::vector<double> f;
    double v;
    while (ls >> v) f.push_back(v);
    fits[name] = {llf == "nan" ? NAN : std::stod(llf), f};
  }
  return fits;
}

// Tolerance: the optimisers differ (statsmodels also estimates the seasonal
// initial states, as FitEts does with fit_seasons), so parameters are not
// compared. For the forms that match the series (ETS(M,A,M), Holt-Winters
// additive trend x multiplicative season, whose point forecast is the same,
// and ETS(A,N,N)) the log-likelihood must be within 1 % of statsmodels' and
// each of the 12 forecasts within 1.5 %. For a form that does not match
// (ETS(A,Ad,A) on a multiplicative season) the likelihood surface has
// distant optima of similar height and statsmodels stops at a lower one:
// ours must reach at least its likelihood (less 1 %), the forecasts are
// not compared.
TEST_CASE("ETS and Holt-Winters agree with statsmodels on the same series") {
  const std::vector<double> y = TrendSeasonNoise(72);
  auto ref = RunStatsmodels(y);
  REQUIRE(ref.size() == 4);
  struct Case {
    std::string name;
    EtsSpec spec;
    bool matches;
  };
  EtsSpec mam{Component::kMultiplicative, Component::kAdditive, false, Component::kMultiplicative};
  EtsSpec aada{Component::kAdditive, Component::kAdditive, true, Component::kAdditive};
  EtsSpec ann{Component::kAdditive, Component::kNone, false, Component::kNone};
  for (const Case& c : {Case{"ets_mam", mam, true}, Case{"ets_aada", aada, false},
                        Case{"ets_ann", ann, true}, Case{"hw_add_mul", mam, true}}) {
    INFO(c.name);
    EtsFit fit;
    REQUIRE(FitEts(y, c.spec, 12, fit, /*fit_seasons=*/true));
    const std::vector<double> ours = ForecastEts(fit, FilterEts(fit, y, 72, 12), 12, 12);
    const auto& [llf, theirs] = ref.at(c.name);
    if (!std::isnan(llf)) {
      INFO("log-likelihood ours " << fit.log_likelihood << " statsmodels " << llf);
      if (c.matches) {
        CHECK_THAT(fit.log_likelihood, WithinRel(llf, 0.01));
      } else {
        CHECK(fit.log_likelihood >= llf - 0.01 * std::fabs(llf));
      }
    }
    if (!c.matches) continue;
    REQUIRE(theirs.size() == 12);
    for (int i = 0; i < 12; ++i) {
      INFO("month " << i + 1);
      CHECK_THAT(ours[i], WithinRel(theirs[i], 0.015));
    }
  }
  // AutoETS picks a multiplicative season for this series.
  EtsFit best;
  std::string fallback;
  REQUIRE(AutoEts(y, 12, best, fallback));
  CHECK(best.spec.season == Component::kMultiplicative);
}

}  // namespace
}  // namespace gridbill::forecasting
