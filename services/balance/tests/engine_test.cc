// Pure tests of the computation: hours of a run, declared volumes spread over
// hours, percentages, shard planning and the aggregation of point-days.
#include "../engine.h"

#include "../percent.h"
#include "catch2/catch.hpp"
#include "gridbill/domain/civil.h"

namespace gridbill::balance {
namespace {

absl::TimeZone Zone(const char* name) {
  absl::TimeZone z;
  REQUIRE(absl::LoadTimeZone(name, &z));
  return z;
}

Scheme Participant(int64_t id, const std::string& who, std::vector<Term> terms) {
  Scheme s;
  s.id = id;
  s.kind = SchemeKind::kParticipantService;
  s.participant_id = who;
  s.service_type = 1;
  s.terms = std::move(terms);
  s.valid_from = absl::CivilDay(2020, 1, 1);
  return s;
}

TEST_CASE("declared monthly volume spread over the hours sums back exactly", "[engine]") {
  int64_t sum = 0;
  for (int h = 0; h < 697; ++h) sum += DeclaredForHour(1'000'000, 697, h);
  CHECK(sum == 1'000'000);
  CHECK(DeclaredForHour(1'000'000, 697, 0) == 1435);  // 1,000,000 = 697 × 1434 + 502
  CHECK(DeclaredForHour(1'000'000, 697, 501) == 1435);
  CHECK(DeclaredForHour(1'000'000, 697, 502) == 1434);
  CHECK(DeclaredForHour(744000, 744, 10) == 1000);
}

TEST_CASE("loss percentages are exact and rounded half up", "[engine]") {
  CHECK(PercentOf(1420, 48480) == "2.9290");
  CHECK(PercentOf(1, 3) == "33.3333");
  CHECK(PercentOf(2, 3) == "66.6667");
  CHECK(PercentOf(-30, 1010) == "-2.9703");
  CHECK(PercentOf(5, 0) == "0");
  CHECK(*AbovePercent(30, 1010, "2.5"));
  CHECK_FALSE(*AbovePercent(25, 1000, "2.5"));  // exactly at the norm is not above
  CHECK_FALSE(*AbovePercent(1000, 1000, ""));
  CHECK(*ClosureHolds(Closure{1000, 900, 95}, "0.5"));  // residual 5 = 0.5 % of 1000
  CHECK_FALSE(*ClosureHolds(Closure{1000, 900, 94}, "0.5"));
}

TEST_CASE("February 2024 in Asia/Almaty has 697 hourly results", "[engine]") {
  const absl::TimeZone zone = Zone("Asia/Almaty");
  const BillingPeriod feb = *BillingPeriod::Make(2024, 2);
  const TimeRange bounds = feb.Bounds(zone);
  HourGrid grid{bounds.start, HoursIn(bounds)};
  REQUIRE(grid.hours == 697);
  ShardComputation comp({Participant(1, "P", {Term{"X", kActiveReceived, TermRole::kAdd}})}, grid,
                        feb.first_day(), feb.last_day(), zone, {}, {}, 697);
  // Every day of the month with hourly values of 1 Wh; 29 February has 25 hours.
  for (absl::CivilDay d = feb.first_day(); d <= feb.last_day(); ++d) {
    PointDayIn day;
    day.point_code = "X";
    day.channel = kActiveReceived;
    day.day = d;
    day.revision = 1;
    day.day_start = StartOfDay(d, zone);
    day.interval_minutes = 60;
    const int n = static_cast<int>(absl::ToInt64Hours(StartOfDay(d + 1, zone) - day.day_start));
    day.values.assign(n, 1);
    day.qualities.assign(n, kQualityMeasured);
    comp.Add(day);
  }
  ShardResult r = comp.Finish();
  REQUIRE(r.service_hours.size() == 697);
  int64_t sum = 0;
  for (const ServiceHour& h : r.service_hours) {
    CHECK(h.actual_wh == 1);
    CHECK(h.quality.missing == 0);
    sum += h.actual_wh;
  }
  CHECK(sum == 697);
  CHECK(r.point_days == 29);
}

TEST_CASE("a day with 23 hours (DST spring) and a missing day", "[engine]") {
  // Europe/Berlin, March 2024: 31 March has 23 hours; the month 743.
  const absl::TimeZone zone = Zone("Europe/Berlin");
  const BillingPeriod mar = *BillingPeriod::Make(2024, 3);
  const TimeRange bounds = mar.Bounds(zone);
  HourGrid grid{bounds.start, HoursIn(bounds)};
  REQUIRE(grid.hours == 743);
  ShardComputation comp({Participant(1, "P", {Term{"X", kActiveReceived, TermRole::kAdd}})}, grid,
                        mar.first_day(), mar.last_day(), zone, {}, {}, 743);
  PointDayIn day;
  day.point_code = "X";
  day.channel = kActiveReceived;
  day.day = absl::CivilDay(2024, 3, 31);
  day.revision = 2;
  day.day_start = StartOfDay(day.day, zone);
  day.interval_minutes = 15;
  day.values.assign(23 * 4, 10);
  day.qualities.assign(23 * 4, kQualityMeasured);
  day.qualities[0] = kQualityMissing;
  day.qualities[1] = kQualityEstimated;
  comp.Add(day);
  ShardResult r = comp.Finish();
  REQUIRE(r.service_hours.size() == 743);
  // The 30 days not sent are missing: 4 intervals each hour once the
  // resolution is known from the day that was sent.
  CHECK(r.service_hours[0].quality.missing == 4);
  CHECK(r.service_hours[0].actual_wh == 0);
  const ServiceHour& first = r.service_hours[743 - 23];
  CHECK(first.hour_start == day.day_start);
  CHECK(first.actual_wh == 30);
  CHECK(first.quality.intervals == 4);
  CHECK(first.quality.missing == 1);
  CHECK(first.quality.estimated == 1);
  CHECK(r.service_hours[742].actual_wh == 40);
  REQUIRE(r.revisions.size() == 1);
  CHECK(r.revisions[0].revision == 2);
}

TEST_CASE("scheme versions apply only on their days", "[engine]") {
  const absl::TimeZone zone = Zone("Asia/Almaty");
  const BillingPeriod p = *BillingPeriod::Make(2026, 3);
  HourGrid grid{StartOfDay(p.first_day(), zone), 48};
  Scheme v1 = Participant(1, "P", {Term{"X", kActiveReceived, TermRole::kAdd}});
  v1.valid_to = absl::CivilDay(2026, 3, 1);
  Scheme v2 = Participant(2, "P", {Term{"Y", kActiveReceived, TermRole::kAdd}});
  v2.valid_from = absl::CivilDay(2026, 3, 2);
  ShardComputation comp({v1, v2}, grid, p.first_day(), absl::CivilDay(2026, 3, 2), zone, {}, {},
                        744);
  for (const char* point : {"X", "Y"}) {
    for (int d = 1; d <= 2; ++d) {
      PointDayIn day;
      day.point_code = point;
      day.channel = kActiveReceived;
      day.day = absl::CivilDay(2026, 3, d);
      day.day_start = StartOfDay(day.day, zone);
      day.values.assign(24, point[0] == 'X' ? 7 : 11);
      day.qualities.assign(24, kQualityMeasured);
      comp.Add(day);
    }
  }
  ShardResult r = comp.Finish();
  REQUIRE(r.service_hours.size() == 48);  // one subject, two versions
  CHECK(r.service_hours[0].actual_wh == 7);
  CHECK(r.service_hours[23].actual_wh == 7);
  CHECK(r.service_hours[24].actual_wh == 11);
  CHECK(r.service_hours[47].actual_wh == 11);
}

TEST_CASE("a node's generation and consumption are its terms at grid users' points", "[engine]") {
  // Node N: a plant G delivers (inflow), a consumer C takes (outflow) and
  // delivers its own generation back (inflow), a tie line L brings energy in
  // from the neighbour on channel 02 and takes it out on channel 01. G and C
  // are terms of participant schemes; L belongs to no participant.
  const absl::TimeZone zone = Zone("Asia/Almaty");
  const BillingPeriod p = *BillingPeriod::Make(2026, 3);
  HourGrid grid{StartOfDay(p.first_day(), zone), 24};
  Scheme node;
  node.id = 9;
  node.kind = SchemeKind::kNode;
  node.node_code = "N";
  node.valid_from = absl::CivilDay(2020, 1, 1);
  node.normative_loss_percent = "3";
  node.terms = {Term{"G", kActiveDelivered, TermRole::kInflow},
                Term{"C", kActiveDelivered, TermRole::kInflow},
                Term{"C", kActiveReceived, TermRole::kOutflow},
                Term{"L", kActiveDelivered, TermRole::kInflow},
                Term{"L", kActiveReceived, TermRole::kOutflow}};
  const absl::flat_hash_set<std::string> users = {TermKey("G", kActiveDelivered),
                                                  TermKey("C", kActiveDelivered),
                                                  TermKey("C", kActiveReceived)};
  ShardComputation comp({node}, grid, p.first_day(), p.first_day(), zone, {}, {}, 744, users);
  auto add = [&](const char* point, int channel, int64_t wh) {
    PointDayIn day;
    day.point_code = point;
    day.channel = channel;
    day.day = p.first_day();
    day.day_start = StartOfDay(day.day, zone);
    day.values.assign(24, wh);
    day.qualities.assign(24, kQualityMeasured);
    comp.Add(day);
  };
  add("G", kActiveDelivered, 1000);
  add("C", kActiveDelivered, 30);
  add("C", kActiveReceived, 700);
  add("L", kActiveDelivered, 200);
  add("L", kActiveReceived, 480);
  ShardResult r = comp.Finish();
  REQUIRE(r.node_hours.size() == 24);
  for (const NodeHour& h : r.node_hours) {
    CHECK(h.inflow_wh == 1230);      // 1000 + 30 + 200
    CHECK(h.outflow_wh == 1180);     // 700 + 480
    CHECK(h.generation_wh == 1030);  // G and C's own generation, not the tie line
    CHECK(h.consumption_wh == 700);  // C, not the tie line
  }
  // Without participant terms in the run every term is a tie line.
  ShardComputation bare({node}, grid, p.first_day(), p.first_day(), zone, {}, {}, 744);
  PointDayIn day;
  day.point_code = "G";
  day.channel = kActiveDelivered;
  day.day = p.first_day();
  day.day_start = StartOfDay(day.day, zone);
  day.values.assign(24, 5);
  day.qualities.assign(24, kQualityMeasured);
  bare.Add(day);
  ShardResult b = bare.Finish();
  REQUIRE(b.node_hours.size() == 24);
  CHECK(b.node_hours[0].inflow_wh == 5);
  CHECK(b.node_hours[0].generation_wh == 0);
}

TEST_CASE("shards keep a subject whole and own each closure term once", "[engine]") {
  std::vector<Scheme> schemes;
  schemes.push_back(Participant(
      1, "A",
      {Term{"P1", kActiveReceived, TermRole::kAdd}, Term{"P2", kActiveReceived, TermRole::kAdd}}));
  schemes.push_back(Participant(2, "B", {Term{"P3", kActiveReceived, TermRole::kAdd}}));
  Scheme b2 = Participant(3, "B", {Term{"P3", kActiveReceived, TermRole::kAdd}});
  schemes.push_back(b2);
  Scheme node;
  node.id = 4;
  node.kind = SchemeKind::kNode;
  node.node_code = "N";
  node.terms = {Term{"P1", kActiveReceived, TermRole::kOutflow}};
  schemes.push_back(node);
  std::vector<Shard> shards = PlanShards(schemes, 1);
  REQUIRE(shards.size() == 3);
  CHECK(shards[0].scheme_ids == std::vector<int64_t>{1});
  CHECK(shards[1].scheme_ids == std::vector<int64_t>{2, 3});
  CHECK(shards[1].closure_terms.size() == 1);  // P3 once though in two versions
  CHECK(shards[2].scheme_ids == std::vector<int64_t>{4});
  CHECK(shards[2].closure_terms.empty());       // node terms are not in the closure supply
  CHECK(PlanShards(schemes, 100).size() == 2);  // participants, then nodes
}

}  // namespace
}  // namespace gridbill::balance
