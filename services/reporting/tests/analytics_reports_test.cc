// R1 and R5 without a database: their place in the catalog, who may run
// them, the losses over the norm, the handling hours.
#include <catch2/catch.hpp>

#include "analytics_reports.h"
#include "callers.h"
#include "gridbill/base/errors.h"

namespace gridbill::reporting {
namespace {

using testing::Months;
using testing::Operator;
using testing::Participant;

Params Month(absl::CivilMonth m) {
  Params p;
  p.period_from = m;
  return p;
}

TEST_CASE("the catalog lists the reports by code, R1, R4 and R5 among them") {
  std::vector<std::string> codes;
  for (const ReportDef& r : Catalog()) codes.push_back(r.code);
  CHECK(codes == std::vector<std::string>{"R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"});
}

TEST_CASE("participants may not run R1 or R5") {
  for (const char* code : {"R1", "R5"}) {
    INFO(code);
    const absl::StatusOr<Query> q =
        CheckQuery(code, Month(absl::CivilMonth(2026, 10)), Participant("P-1"));
    CHECK(absl::IsPermissionDenied(q.status()));
    CHECK(CheckQuery(code, Month(absl::CivilMonth(2026, 10)), Operator()).ok());
  }
  Params p = Month(absl::CivilMonth(2026, 10));
  p.service_type = 1;
  const absl::StatusOr<Query> q = CheckQuery("R1", p, Operator());
  CHECK(absl::IsInvalidArgument(q.status()));
  CHECK(q.status().message().find("parameters.service_type") != std::string::npos);
}

TEST_CASE("R1 gives the node's balance and its losses over the normative rate") {
  const absl::StatusOr<Query> q = CheckQuery("R1", Month(absl::CivilMonth(2026, 10)), Operator());
  REQUIRE(q.ok());
  NodeMonth n;
  n.period = absl::CivilMonth(2026, 10);
  n.node_code = "N-55";
  n.kind = 2;
  n.inflow_wh = 1'000'001;
  n.outflow_wh = 960'000;
  n.consumption_wh = 700'000;
  n.generation_wh = 800'001;
  n.losses_wh = 40'001;
  n.losses_percent = "4.0001";
  n.normative_loss_percent = "3.5";
  n.above_normative = true;
  n.balance_run_id = "br-1";
  NodeMonth below = n;
  below.node_code = "N-56";
  below.losses_wh = 10'000;
  below.normative_loss_percent = "bad";
  const Table t = BuildR1(*q, {n, below});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0] == std::vector<std::string>{"2026-10", "N-55", "node", "1000001", "960000",
                                              "700000", "800001", "40001", "4.0001", "3.5",
                                              // 1,000,001 x 3.5 % = 35,000.035 -> 35,000
                                              "5001", "yes", "br-1"});
  CHECK(t.rows[1][10].empty());  // an unreadable norm gives no figure
  // The columns are where the definitions say, under their labels.
  const std::vector<Column>& cols = q->report->columns;
  CHECK(cols[5].name == "consumption_wh");
  CHECK(cols[5].label_en == "Consumption, Wh");
  CHECK(cols[5].label_ru == "Потребление, Вт·ч");
  CHECK(cols[6].name == "generation_wh");
  CHECK(cols[6].label_en == "Generation, Wh");
  CHECK(cols[6].label_ru == "Генерация, Вт·ч");
  CHECK(t.rows[0].size() == q->report->columns.size());
}

TEST_CASE("a participant runs R4 about itself only") {
  Params p = Month(absl::CivilMonth(2026, 10));
  const absl::StatusOr<Query> own = CheckQuery("R4", p, Participant("P-1"));
  REQUIRE(own.ok());
  CHECK(own->participant_id == "P-1");  // limited to itself without naming itself
  p.participant_id = "P-2";
  const absl::StatusOr<Query> other = CheckQuery("R4", p, Participant("P-1"));
  CHECK(absl::IsPermissionDenied(other.status()));
  CHECK(other.status().message().find("parameters.participant_id") != std::string::npos);
}

TEST_CASE("R4 gives each point's shares of quality, the worst first in each month") {
  const absl::StatusOr<Query> q = CheckQuery("R4", Month(absl::CivilMonth(2026, 9)), Operator());
  REQUIRE(q.ok());
  auto point = [](int month, const std::string& code, int64_t measured, int64_t estimated,
                  int64_t edited, int64_t missing) {
    PointQuality p;
    p.period = absl::CivilMonth(2026, month);
    p.participant_id = "P-1";
    p.participant_name = "First";
    p.point_code = code;
    p.channel = 1;
    p.measured = measured;
    p.estimated = estimated;
    p.edited = edited;
    p.missing = missing;
    p.expected = measured + estimated + edited + missing;
    return p;
  };
  std::vector<PointQuality> points = {
      point(9, "A", 2880, 0, 0, 0), point(9, "B", 2000, 480, 1, 399), point(9, "C", 2870, 10, 0, 0),
      point(10, "A", 2970, 0, 0, 6), point(9, "D", 0, 0, 0, 0)};
  points[1].spike = 4;
  points[1].gap = 399;
  const Table t = BuildR4(*q, points);
  REQUIRE(t.rows.size() == 5);
  CHECK(t.rows[0] ==
        std::vector<std::string>{"2026-09", "P-1",   "First", "B",     "active-received",
                                 "2880",    "2000",  "480",   "1",     "399",
                                 "69.44",   "16.67", "0.03",  "13.85", "1",
                                 "0",       "4",     "0",     "399",   "0"});
  CHECK(t.rows[1][3] == "C");
  CHECK(t.rows[1][14] == "2");
  CHECK(t.rows[2][3] == "A");  // A and D have nothing not measured: by code
  CHECK(t.rows[3][3] == "D");
  CHECK(t.rows[3][10].empty());  // no intervals: no share
  CHECK(t.rows[4][0] == "2026-10");
  CHECK(t.rows[4][14] == "1");  // ranks start again each month
  CHECK(t.rows[0].size() == q->report->columns.size());
}

TEST_CASE("R5 counts per month and type with the handling time in hours") {
  const absl::StatusOr<Query> q = CheckQuery("R5", Month(absl::CivilMonth(2026, 10)), Operator());
  REQUIRE(q.ok());
  ApplicationMonth m;
  m.period = absl::CivilMonth(2026, 10);
  m.type = 2;
  m.received = 7;
  m.processed = 5;
  m.closed = 3;
  m.overdue = 1;
  m.median_seconds = 5 * 3600 + 18;  // 5.005 h -> 5.01
  m.p90_seconds = 49 * 3600;
  ApplicationMonth none = m;
  none.type = 1;
  none.median_seconds.reset();
  none.p90_seconds.reset();
  const Table t = BuildR5(*q, {m, none});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0] == std::vector<std::string>{"2026-10", "contract-conclusion", "7", "5", "3", "1",
                                              "5.01", "49.00"});
  CHECK(t.rows[1][1] == "declared-volumes");
  CHECK(t.rows[1][6].empty());
  CHECK(t.rows[1][7].empty());
}

TEST_CASE("decimals are read exactly in millionths") {
  CHECK(ParseMicros("3.5") == 3'500'000);
  CHECK(ParseMicros("-0.000001") == -1);
  CHECK(ParseMicros("12") == 12'000'000);
  CHECK(!ParseMicros("1.2345678"));
  CHECK(!ParseMicros("1.2a"));
  CHECK(!ParseMicros(""));
}

}  // namespace
}  // namespace gridbill::reporting
