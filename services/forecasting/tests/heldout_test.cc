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

}  // namespace
}  // namespace gridbill::forecasting
