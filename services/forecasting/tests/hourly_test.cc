// The hourly models on series with known structure, checked against
// hand-computed values: a pure weekday x hour pattern, a level shift in the
// last week, a net exporter's negative volumes, zeros, a history too short,
// and the hours of a month whose clock moved back (February 2024 in
// Asia/Almaty: 697 hours).
#include <catch2/catch.hpp>
#include <cmath>

#include "hourly.h"

namespace gridbill::forecasting {
namespace {

const absl::TimeZone kUtc = absl::UTCTimeZone();
// Monday 2025-03-03 00:00 UTC.
const absl::Time kStart = absl::FromCivil(absl::CivilHour(2025, 3, 3, 0), kUtc);

// Weekday (0 = Monday) x hour pattern: 100 + 10 h, weekends 50 lower.
double Pattern(int i) {
  const int hour = i % 24, weekday = (i / 24) % 7;
  return 100.0 + 10.0 * hour - (weekday >= 5 ? 50.0 : 0.0);
}

std::vector<HourVolume> Make(int hours, const std::function<double(int)>& f) {
  std::vector<HourVolume> out;
  for (int i = 0; i < hours; ++i) out.push_back({kStart + absl::Hours(i), f(i)});
  return out;
}

std::vector<absl::Time> Future(int from, int hours) {
  std::vector<absl::Time> out;
  for (int i = 0; i < hours; ++i) out.push_back(kStart + absl::Hours(from + i));
  return out;
}

TEST_CASE("a pure weekday x hour pattern is forecast exactly by every hourly model") {
  const std::vector<HourVolume> h = Make(5 * 168, Pattern);
  const std::vector<absl::Time> f = Future(5 * 168, 72);
  for (HourlyModel m :
       {HourlyModel::kWeeklyNaive, HourlyModel::kDailyWeekly, HourlyModel::kProfile}) {
    const std::vector<double> p = HourlyPoints(m, h, f, kUtc, HourlyOptions{});
    REQUIRE(p.size() == 72);
    // The pattern is separable, so level + weekday + hour effects recover it
    // too: e.g. Monday 10:00 = (215 - 100/7) + 100/7 + (-15) = 200.
    CHECK(p[10] == Approx(200.0));
    for (int i = 0; i < 72; ++i) CHECK(p[i] == Approx(Pattern(5 * 168 + i)));
  }
  const std::optional<HourlyForecast> r = ForecastHours(h, f, kUtc, HourlyOptions{});
  REQUIRE(r.has_value());
  CHECK(r->candidates.size() == 3);
  double expected = 0;
  for (int i = 0; i < 72; ++i) expected += Pattern(5 * 168 + i);
  CHECK(r->total == Approx(expected));
  // No error anywhere: MAE 0, the interval collapses onto the point.
  CHECK(r->candidates[r->chosen].accuracy.mae == Approx(0).margin(1e-9));
  CHECK(r->lower95 == Approx(r->total));
  CHECK(r->upper95 == Approx(r->total));
  CHECK(r->model == HourlyModel::kWeeklyNaive);  // a tie keeps the simplest
}

TEST_CASE("the weekday x hour profile is scaled by the last week's level") {
  // Four weeks of the pattern, the last of them doubled.
  const std::vector<HourVolume> h =
      Make(4 * 168, [](int i) { return Pattern(i) * (i >= 3 * 168 ? 2.0 : 1.0); });
  const std::vector<absl::Time> f = Future(4 * 168, 24);
  const std::vector<double> p = HourlyPoints(HourlyModel::kProfile, h, f, kUtc, HourlyOptions{});
  // Slot mean = 1.25 x pattern; level / profile mean over the last week =
  // 2 / 1.25 = 1.6; forecast = 1.25 x 1.6 = 2 x pattern.
  for (int i = 0; i < 24; ++i) CHECK(p[i] == Approx(2.0 * Pattern(4 * 168 + i)));
  // Weekly naive repeats the last week: also 2 x pattern.
  const std::vector<double> n =
      HourlyPoints(HourlyModel::kWeeklyNaive, h, f, kUtc, HourlyOptions{});
  CHECK(n[5] == Approx(2.0 * Pattern(5)));
}

TEST_CASE("a net exporter's negative hours and an all-zero series give finite answers") {
  const std::vector<HourVolume> neg = Make(3 * 168, [](int) { return -500.0; });
  const std::optional<HourlyForecast> r = ForecastHours(neg, Future(3 * 168, 100), kUtc, {});
  REQUIRE(r.has_value());
  CHECK(r->total == Approx(-50'000));
  CHECK(r->lower80 <= r->total);
  CHECK(r->upper80 >= r->total);
  const std::vector<HourVolume> zero = Make(3 * 168, [](int) { return 0.0; });
  const std::optional<HourlyForecast> z = ForecastHours(zero, Future(3 * 168, 100), kUtc, {});
  REQUIRE(z.has_value());
  CHECK(z->total == 0);
  for (const HourlyCandidate& c : z->candidates) {
    CHECK(!c.accuracy.mape.has_value());  // every actual is zero
    CHECK(!c.accuracy.mase.has_value());  // and so is the in-sample error
    CHECK(std::isfinite(c.accuracy.smape));
    CHECK(c.accuracy.undefined_reason.find("MAPE undefined") != std::string::npos);
  }
}

TEST_CASE("a history too short for a backtest has no hourly forecast") {
  CHECK(!ForecastHours(Make(20, Pattern), Future(20, 10), kUtc, {}).has_value());
  // 5 days: no origin leaves a week of training.
  CHECK(!ForecastHours(Make(120, Pattern), Future(120, 10), kUtc, {}).has_value());
}

TEST_CASE("on a noisy weekly pattern the chosen model beats the weekly naive baseline") {
  uint64_t state = 7;
  auto noise = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>((state >> 33) % 1000) / 1000.0 - 0.5;  // -0.5 .. 0.5
  };
  const std::vector<HourVolume> h = Make(6 * 168, [&](int i) { return Pattern(i) + 40 * noise(); });
  const std::optional<HourlyForecast> r = ForecastHours(h, Future(6 * 168, 400), kUtc, {});
  REQUIRE(r.has_value());
  const AccuracyStats& baseline = r->candidates[0].accuracy;
  const AccuracyStats& chosen = r->candidates[r->chosen].accuracy;
  REQUIRE(baseline.mase.has_value());
  CHECK(r->model != HourlyModel::kWeeklyNaive);
  CHECK(*chosen.mase < 0.9 * *baseline.mase);
  CHECK(r->lower80 < r->total);
  CHECK(r->upper95 > r->upper80);
  REQUIRE(r->sum_coverage80.has_value());
  CHECK(r->fallback.empty());
}

TEST_CASE("the hours of a month are counted in the operator's zone") {
  const absl::TimeZone almaty = [] {
    absl::TimeZone z;
    REQUIRE(absl::LoadTimeZone("Asia/Almaty", &z));
    return z;
  }();
  const absl::Time feb = absl::FromCivil(absl::CivilDay(2024, 2, 1), almaty);
  const absl::Time mar = absl::FromCivil(absl::CivilDay(2024, 3, 1), almaty);
  CHECK(HoursBetween(feb, mar, almaty).size() == 697);
  // From inside an hour: the next hour start.
  const std::vector<absl::Time> rest =
      HoursBetween(feb + absl::Minutes(30), feb + absl::Hours(3), almaty);
  CHECK(rest.size() == 2);
}

TEST_CASE("a bottom-up sum: the parts' whole Wh added hour by hour, the sum's own accuracy") {
  // Two parts: the exact pattern, and a noisy net exporter (its backtests
  // err); a third too short to forecast counts zero and is said to.
  const std::vector<HourVolume> a = Make(5 * 168, Pattern);
  const std::vector<HourVolume> b =
      Make(5 * 168, [](int i) { return -0.5 * Pattern(i) + 0.37 * ((i * 7919) % 13) - 2.0; });
  const std::vector<HourVolume> short_part = Make(20, [](int) { return 5.0; });
  const std::vector<absl::Time> f = Future(5 * 168, 100);
  const std::optional<HourlyForecast> fa = ForecastHours(a, f, kUtc, HourlyOptions{});
  const std::optional<HourlyForecast> fb = ForecastHours(b, f, kUtc, HourlyOptions{});
  REQUIRE(fa.has_value());
  REQUIRE(fb.has_value());
  const std::optional<HourlyForecast> sum =
      ForecastHoursBottomUp({a, b, short_part}, f, kUtc, HourlyOptions{});
  REQUIRE(sum.has_value());
  CHECK(sum->parts == 2);
  REQUIRE(sum->points.size() == 100);
  double total = 0;
  for (int i = 0; i < 100; ++i) {
    const double expected =
        static_cast<double>(std::llround(fa->points[i]) + std::llround(fb->points[i]));
    CHECK(sum->points[i] == expected);  // exact: whole Wh of each part
    total += expected;
  }
  CHECK(sum->total == total);
  // The sum's backtest errors are the parts' summed: part a's are 0, so
  // the sum's MAE is part b's, at the same 14 origins.
  REQUIRE(sum->candidates.size() == 1);
  CHECK(sum->candidates[0].accuracy.spec == "bottom-up sum of 2 series");
  CHECK(sum->candidates[0].accuracy.origins == 14);
  CHECK(sum->candidates[0].accuracy.mae == Approx(fb->candidates[fb->chosen].accuracy.mae));
  CHECK(sum->candidates[0].accuracy.mae > 0);
  CHECK(sum->lower95 < sum->lower80);
  CHECK(sum->lower80 < sum->upper80);
  CHECK(sum->upper80 < sum->upper95);
  CHECK(sum->fallback.find("1 series with too few hourly results") != std::string::npos);
  // No part long enough: no sum.
  CHECK_FALSE(ForecastHoursBottomUp({short_part}, f, kUtc, HourlyOptions{}).has_value());
}

}  // namespace
}  // namespace gridbill::forecasting
