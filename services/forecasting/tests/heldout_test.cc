// The accuracy targets on the demo history with the last 12 months
// held out: the models chosen per series beat seasonal naive on median MASE
// by at least 10 %, and the 80 % and 95 % intervals cover within 5 points
// of their nominal share of the held-out actuals.
#include <catch2/catch.hpp>

#include "heldout.h"

namespace gridbill::forecasting {
namespace {

TEST_CASE("held-out year of the demo history: chosen models beat seasonal naive, intervals cover") {
  const heldout::Figures f = heldout::Evaluate(heldout::DemoSeries(42));
  REQUIRE(f.series > 300);
  const heldout::ModelFigures& chosen = f.by_model.at("CHOSEN");
  const heldout::ModelFigures& naive = f.by_model.at("SEASONAL_NAIVE");
  const double m_chosen = Median(chosen.mase), m_naive = Median(naive.mase);
  INFO("median MASE chosen " << m_chosen << " seasonal naive " << m_naive);
  CHECK(m_chosen <= 0.9 * m_naive);
  const double cov80 = 100.0 * chosen.in80 / chosen.points;
  const double cov95 = 100.0 * chosen.in95 / chosen.points;
  INFO("coverage 80 % " << cov80 << ", 95 % " << cov95);
  CHECK(std::fabs(cov80 - 80) <= 5);
  CHECK(std::fabs(cov95 - 95) <= 5);
}

// What `up` forecasts: the legacy history and the demo year as the balance
// service bills it, on one scale; the demo year held out, the models chosen
// on the history before it must beat seasonal naive by 10 % too.
TEST_CASE("up's demo: the legacy history continues into the billed demo year") {
  int gaps = -1;
  const std::vector<RunSeries> up = heldout::UpSeries(42, &gaps);
  CHECK(gaps == 0);
  REQUIRE(up.size() > 500);
  std::vector<Series> series;
  for (const RunSeries& s : up) {
    series.push_back(
        {s.history_start, std::vector<double>(s.history_wh.begin(), s.history_wh.end())});
  }
  const heldout::Figures f =
      heldout::Evaluate(series, 12, BacktestOptions{}, absl::CivilMonth(2026, 11));
  REQUIRE(f.series > 300);
  const double m_chosen = Median(f.by_model.at("CHOSEN").mase);
  const double m_naive = Median(f.by_model.at("SEASONAL_NAIVE").mase);
  INFO("demo year held out: median MASE chosen " << m_chosen << " seasonal naive " << m_naive);
  CHECK(m_chosen <= 0.9 * m_naive);
}

}  // namespace
}  // namespace gridbill::forecasting
