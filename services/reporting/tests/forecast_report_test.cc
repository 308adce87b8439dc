// R6 without a database: who may run it, the forecast summed over the
// participants against the billed volume, the error and APE of each month,
// the MAPE and backtest MASE of each service and horizon.
#include <catch2/catch.hpp>

#include "callers.h"
#include "forecast_report.h"
#include "gridbill/base/errors.h"

namespace gridbill::reporting {
namespace {

using testing::Months;
using testing::Operator;
using testing::Participant;

ForecastMonth F(const std::string& run, const std::string& participant, absl::CivilMonth period,
                int horizon, int64_t wh, const std::string& mase) {
  ForecastMonth f;
  f.run_id = run;
  f.participant_id = participant;
  f.service_type = 1;
  f.period = period;
  f.horizon = horizon;
  f.volume_wh = wh;
  f.backtest_mase = mase;
  return f;
}

ServiceMonth A(const std::string& participant, absl::CivilMonth period, int64_t wh) {
  ServiceMonth m;
  m.participant_id = participant;
  m.period = period;
  m.service_type = 1;
  m.volume_wh = wh;
  return m;
}

TEST_CASE("participants may not run R6") {
  const Params p = Months(absl::CivilMonth(2026, 1), absl::CivilMonth(2026, 6));
  const absl::StatusOr<Query> q = CheckQuery("R6", p, Participant("P-1"));
  CHECK(absl::IsPermissionDenied(q.status()));
  CHECK(CheckQuery("R6", p, Operator()).ok());
}

TEST_CASE("R6 sets the participants' forecasts against the billed volume, by horizon") {
  const absl::CivilMonth jun(2026, 6), jul(2026, 7), aug(2026, 8);
  const absl::StatusOr<Query> q = CheckQuery("R6", Months(jun, aug), Operator());
  REQUIRE(q.ok());
  // Run A ended its history in May (June is horizon 1), run B in June.
  const std::vector<ForecastMonth> forecasts = {
      F("A", "P-1", jun, 1, 600, "0.5"),  F("A", "P-2", jun, 1, 500, "0.7"),
      F("A", "P-1", jul, 2, 700, "0.5"),  F("A", "P-2", jul, 2, 400, "0.7"),
      F("B", "P-1", jul, 1, 500, "0.4"),  F("B", "P-2", jul, 1, 450, ""),
      F("B", "P-1", aug, 2, 9999, "0.4"),  // August is not billed: left out
  };
  const std::vector<ServiceMonth> actuals = {A("P-1", jun, 550), A("P-2", jun, 450),
                                             A("P-1", jul, 600), A("P-2", jul, 400)};
  const Table t = BuildR6(*q, forecasts, actuals);
  using Row = std::vector<std::string>;
  // period, service, horizon, forecast, actual, error, APE, MAPE, backtest MASE
  const std::vector<Row> want = {
      {"2026-06", "transmission", "1", "1100", "1000", "100", "10.00", "", "0.60"},
      {"2026-07", "transmission", "1", "950", "1000", "-50", "5.00", "", "0.40"},
      {"2026-07", "transmission", "2", "1100", "1000", "100", "10.00", "", "0.60"},
      {"", "transmission", "1", "2050", "2000", "50", "", "7.50", "0.50"},
      {"", "transmission", "2", "1100", "1000", "100", "", "10.00", "0.60"},
  };
  CHECK(t.rows == want);
  for (const Row& r : t.rows) CHECK(r.size() == t.report->columns.size());
}

TEST_CASE("R6 leaves the APE empty when nothing was billed") {
  const absl::CivilMonth jun(2026, 6);
  const absl::StatusOr<Query> q = CheckQuery("R6", Months(jun, jun), Operator());
  REQUIRE(q.ok());
  const Table t = BuildR6(*q, {F("A", "P-1", jun, 3, 10, "")}, {A("P-1", jun, 0)});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0] ==
        std::vector<std::string>{"2026-06", "transmission", "3", "10", "0", "10", "", "", ""});
  CHECK(t.rows[1][7].empty());
}

}  // namespace
}  // namespace gridbill::reporting
