// The pure steps of runs and imports: the legacy file's checks, the series
// and their gaps, the bottom-up sums.
#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "series.h"

namespace gridbill::forecasting {
namespace {

const std::map<std::string, std::string> kBins = {{"100000000001", "P-1"}, {"100000000002", "P-2"}};

TEST_CASE("a legacy file: kWh exact to the Wh, net transmission may be negative") {
  auto rows = ParseHistoryCsv(
      "bin,service,period,volume_kwh\n"
      "100000000001,transmission,2020-01,1234.567\n"
      "100000000001,transmission,2020-02,-10.5\n"
      "100000000002,grid-use,2024-07,7\n",
      kBins, absl::CivilMonth(2025, 10));
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 3);
  CHECK((*rows)[0].participant_id == "P-1");
  CHECK((*rows)[0].volume_wh == 1234567);
  CHECK((*rows)[1].volume_wh == -10500);
  CHECK((*rows)[2].service_type == 4);
  // The normalised form the pieces read gives the same rows back.
  auto back = ParseNormalised(NormalisedLines(*rows), 1, 3);
  REQUIRE(back.ok());
  REQUIRE(back->size() == 2);
  CHECK((*back)[0].volume_wh == -10500);
  CHECK((*back)[1].period == absl::CivilMonth(2024, 7));
}

TEST_CASE("a legacy file with bad lines is refused naming each, a wrong header at once") {
  auto bad = ParseHistoryCsv(
      "bin,service,period,volume_kwh\n"
      "100000000001,transmission,2020-13,1\n"
      "100000000001,heating,2020-01,1\n"
      "100000000001,balancing,2020-01,-1\n"
      "100000000001,transmission,2020-01,1\n"
      "100000000001,transmission,2020-01,2\n",
      kBins, absl::CivilMonth(2025, 10));
  REQUIRE(absl::IsInvalidArgument(bad.status()));
  const std::string msg(bad.status().message());
  CHECK(absl::StrContains(msg, "content: 4 bad lines, nothing imported"));
  CHECK(absl::StrContains(msg, "line 2: period: \"2020-13\" is not YYYY-MM"));
  CHECK(absl::StrContains(msg, "line 3: service: unknown service \"heating\""));
  CHECK(absl::StrContains(msg, "line 4: volume_kwh: negative volume -1 for balancing"));
  CHECK(absl::StrContains(msg, "line 6: period: 100000000001 transmission 2020-01 is given twice"));
  auto header = ParseHistoryCsv("bin,period\n1,2\n", kBins, absl::CivilMonth(2025, 10));
  CHECK(absl::StrContains(header.status().message(), "line 1: the header must be"));
  CHECK(absl::IsInvalidArgument(ParseHistoryCsv("", kBins, absl::CivilMonth(2025, 10)).status()));
}

TEST_CASE("series: a month nobody has is filled from a year before, a missing participant is 0") {
  std::vector<MonthVolume> v;
  for (int t = 0; t < 14; ++t) {
    const absl::CivilMonth m = absl::CivilMonth(2020, 1) + t;
    if (m == absl::CivilMonth(2021, 1)) continue;  // no volume at all that month
    v.push_back({"P-1", 1, m, 100 + t});
    if (m != absl::CivilMonth(2020, 6)) v.push_back({"P-2", 1, m, 1000 + t});
  }
  int gaps = -1;
  auto series = BuildSeries(v, absl::CivilMonth(2021, 2), {{"P-1", "KZ-11"}}, &gaps);
  CHECK(gaps == 1);
  REQUIRE(series.size() == 2);
  CHECK(series[0].participant_id == "P-1");
  CHECK(series[0].region_code == "KZ-11");
  REQUIRE(series[0].history_wh.size() == 14);
  CHECK(series[0].history_wh[12] == 100);  // 2021-01 <- 2020-01
  CHECK(series[1].history_wh[5] == 0);     // P-2 had nothing in 2020-06 while P-1 had
}

TEST_CASE("a falling series: only net transmission is forecast below zero") {
  // 48 months falling by 1 MWh a month to 2 MWh: the trend models run on
  // below zero within the year.
  RunSeries s;
  s.history_start = absl::CivilMonth(2021, 1);
  for (int t = 0; t < 48; ++t) s.history_wh.push_back(49'000'000 - 1'000'000 * t);
  BacktestOptions options;
  options.origins = 6;
  s.service_type = 1;  // transmission: a net exporter's month is negative
  ForecastOne(s, 12, options);
  REQUIRE(s.points.size() == 12);
  CHECK(s.points.back().volume_wh < 0);
  for (int service : {2, 3, 4}) {  // never negative
    INFO("service " << service);
    s.service_type = service;
    ForecastOne(s, 12, options);
    REQUIRE(s.points.size() == 12);
    CHECK(s.points.back().volume_wh == 0);
    for (const Point& p : s.points) {
      CHECK(p.lower95_wh >= 0);
      CHECK(p.lower95_wh <= p.lower80_wh);
      CHECK(p.lower80_wh <= p.volume_wh);
      CHECK(p.volume_wh <= p.upper80_wh);
    }
  }
}

TEST_CASE("bottom-up sums are exact; half-widths add in quadrature") {
  RunSeries a, b;
  a.history_wh = {1, 2};
  b.history_wh = {1, 2, 3};
  a.points = {{absl::CivilMonth(2025, 1), 1001, 998, 1005, 995, 1013}};
  b.points = {{absl::CivilMonth(2025, 1), 2002, 1998, 2005, 1990, 2007}};
  SeriesAnswer s = SumSeries({&a, &b}, Level::kNation);
  REQUIRE(s.points.size() == 1);
  CHECK(s.points[0].volume_wh == 3003);
  CHECK(s.points[0].lower80_wh == 3003 - 5);   // sqrt(3^2 + 4^2)
  CHECK(s.points[0].upper80_wh == 3003 + 5);   // sqrt(4^2 + 3^2)
  CHECK(s.points[0].lower95_wh == 3003 - 13);  // sqrt(6^2 + 12^2) = 13.4
  CHECK(s.history_months == 3);
  CHECK(s.model_spec == "bottom-up sum of 2 series");
}

TEST_CASE("a region's accuracy: the parts' backtest forecasts summed against the summed actuals") {
  auto part = [](std::vector<int64_t> history, std::vector<BacktestForecast> backtest,
                 int64_t d80) {
    RunSeries s;
    s.history_start = absl::CivilMonth(2024, 1);
    s.history_wh = std::move(history);
    s.backtest = std::move(backtest);
    Point p;
    p.period = absl::CivilMonth(2024, 5);
    p.volume_wh = 100;
    p.lower80_wh = 100 - d80, p.upper80_wh = 100 + d80;
    p.lower95_wh = 100 - 2 * d80, p.upper95_wh = 100 + 2 * d80;
    s.points = {p};
    return s;
  };
  // Origins 2 and 3 (2024-03, 2024-04) one month ahead in both parts; a
  // two-month forecast from 2024-03 only in the first (left out of the sum).
  const RunSeries a = part({10, 20, 30, 40}, {{2, 1, 28}, {3, 1, 38}, {2, 2, 50}}, 3);
  const RunSeries b = part({1, 2, 3, 4}, {{2, 1, 3}, {3, 1, 5}}, 4);
  const RunSeries c = part({5, 5, 5, 5}, {}, 1);  // too short for backtests
  const std::optional<StoredAccuracy> acc = SumAccuracy({&a, &b, &c});
  REQUIRE(acc.has_value());
  // Errors: 2024-03: 33 - 31 = 2; 2024-04: 44 - 43 = 1. MAE 1.5.
  CHECK(acc->errors == 2);
  CHECK(acc->origins == 2);
  CHECK(acc->mae_wh == 2);  // 1.5 rounded half away from zero
  // The summed history 16, 27, 38, 49: before the first origin the one-month
  // naive error is |27 - 16| = 11, so MASE = 1.5 / 11.
  REQUIRE(acc->mase.has_value());
  CHECK(*acc->mase == Approx(1.5 / 11));
  REQUIRE(acc->mape.has_value());
  CHECK(*acc->mape == Approx((100.0 * 2 / 33 + 100.0 * 1 / 44) / 2));
  // The sum's 80 % half-width sqrt(3^2 + 4^2) = 5 holds both errors.
  CHECK(acc->coverage80 == Approx(100));
  CHECK(acc->spec == "bottom-up sum of 2 series' chosen models (1 without backtests left out)");
  // Narrow parts' intervals: sqrt(0.5^2 ...) -> half-width sqrt(2) holds 1, not 2.
  const RunSeries a1 = part({10, 20, 30, 40}, {{2, 1, 28}, {3, 1, 38}}, 1);
  const RunSeries b1 = part({1, 2, 3, 4}, {{2, 1, 3}, {3, 1, 5}}, 1);
  CHECK(SumAccuracy({&a1, &b1})->coverage80 == Approx(50));
  CHECK(!SumAccuracy({&c}).has_value());
}

}  // namespace
}  // namespace gridbill::forecasting
