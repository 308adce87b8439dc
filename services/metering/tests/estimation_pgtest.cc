// Real-PostgreSQL tests of EstimateGaps: linear interpolation of short gaps,
// the same-weekday profile for long ones, hand-computed values; measured
// values never touched; a second run changes nothing.
#include "absl/strings/str_cat.h"
#include "gridbill/pg/query.h"
#include "harness.h"

namespace gridbill::metering::testing {
namespace {

using Stub = v1::ReadingService::Stub;

std::vector<v1::Reading> Day(const std::string& point, absl::CivilDay d,
                             const std::function<std::optional<int64_t>(int)>& value) {
  std::vector<v1::Reading> out;
  for (int h = 0; h < 24; ++h) {
    if (auto v = value(h)) out.push_back(R(point, Local(d.year(), d.month(), d.day(), h), *v));
  }
  return out;
}

v1::EstimateGapsResponse Estimate(Harness& h, const std::string& point) {
  v1::EstimateGapsRequest req;
  req.set_request_id(NewRequestId());
  req.add_point_codes(point);
  req.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  req.mutable_period()->set_year(2024);
  req.mutable_period()->set_month(1);
  v1::EstimateGapsResponse resp;
  REQUIRE_OK(h.Call(*h.reading_stub, &Stub::EstimateGaps, req, &resp));
  return resp;
}

std::string LatestReason(Harness& h, const char* day) {
  const std::string sql = absl::StrCat("SELECT reason FROM reading_days WHERE day = '", day,
                                       "' ORDER BY revision DESC LIMIT 1");
  auto res = h.db.pool().Execute(pg::Query{"", sql.c_str()});
  REQUIRE(res.ok());
  REQUIRE(res->size() == 1);
  return (*res)[0].String(0);
}

TEST_CASE("gaps are estimated: linear for short ones, same-weekday profile for long ones") {
  Harness h;
  h.CreatePoint("MP-E");  // PT60M, valid from 2024-01-01 (a Monday)
  v1::IngestSummary s;
  // Wednesday 2024-01-10: 1000 every hour, 2000 at 06:00, hours 03-05 missing.
  // Mondays 01-01, 01-08, 01-15: 100 + h, 200 + h, 330 + h.
  REQUIRE_OK(h.Ingest({Day("MP-E", absl::CivilDay(2024, 1, 10),
                           [](int hh) -> std::optional<int64_t> {
                             if (hh >= 3 && hh <= 5) return std::nullopt;
                             return hh == 6 ? 2000 : 1000;
                           }),
                       Day("MP-E", absl::CivilDay(2024, 1, 1), [](int hh) { return 100 + hh; }),
                       Day("MP-E", absl::CivilDay(2024, 1, 8), [](int hh) { return 200 + hh; }),
                       Day("MP-E", absl::CivilDay(2024, 1, 15), [](int hh) { return 330 + hh; })},
                      &s));
  REQUIRE(s.accepted() == 21 + 72);
  const int64_t rows_before = h.CountRows("reading_days");

  auto r = Estimate(h, "MP-E");
  REQUIRE(r.estimated() > 0);

  v1::GetReadingsRequest req;
  req.set_point_code("MP-E");
  req.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  req.mutable_period()->set_year(2024);
  req.mutable_period()->set_month(1);
  req.set_aggregation(v1::AGGREGATION_NATIVE);
  v1::GetReadingsResponse got;
  REQUIRE_OK(h.Call(*h.reading_stub, &Stub::GetReadings, req, &got));
  auto at = [&](int day, int hour) { return got.values((day - 1) * 24 + hour); };

  // Linear between 1000 (02:00) and 2000 (06:00): 1250, 1500, 1750.
  REQUIRE(at(10, 3).value_wh() == 1250);
  REQUIRE(at(10, 4).value_wh() == 1500);
  REQUIRE(at(10, 5).value_wh() == 1750);
  REQUIRE(at(10, 4).quality() == v1::QUALITY_ESTIMATED);
  // Measured values untouched.
  REQUIRE(at(10, 2).value_wh() == 1000);
  REQUIRE(at(10, 2).quality() == v1::QUALITY_MEASURED);
  REQUIRE(at(10, 6).value_wh() == 2000);
  REQUIRE(at(10, 6).quality() == v1::QUALITY_MEASURED);
  REQUIRE(at(15, 7).value_wh() == 337);
  REQUIRE(at(15, 7).quality() == v1::QUALITY_MEASURED);
  // Monday 01-22, a whole missing day: the average of 01-15, 01-08 and 01-01
  // ((330 + 200 + 100) / 3 + h = 210 + h).
  REQUIRE(at(22, 0).value_wh() == 210);
  REQUIRE(at(22, 23).value_wh() == 233);
  REQUIRE(at(22, 23).quality() == v1::QUALITY_ESTIMATED);
  // Monday 01-29: 01-22 has no measured data, the three earlier Mondays do.
  REQUIRE(at(29, 5).value_wh() == 215);
  // Wednesday 01-17 takes 01-10's measured hours; its estimated ones are no profile.
  REQUIRE(at(17, 6).value_wh() == 2000);
  REQUIRE(at(17, 4).quality() == v1::QUALITY_MISSING);
  // Tuesday 01-09: no earlier Tuesday has data; it stays missing.
  REQUIRE(at(9, 0).quality() == v1::QUALITY_MISSING);

  REQUIRE(
      absl::StrContains(LatestReason(h, "2024-01-10"),
                        "linear interpolation of 3 intervals from 2024-01-10T03:00+06:00 between "
                        "1000 and 2000 Wh"));
  REQUIRE(absl::StrContains(LatestReason(h, "2024-01-22"), "same-weekday profile"));
  REQUIRE(h.CountRows("reading_days") == rows_before + r.revisions_written());

  // Nothing left to fill that can be filled: a second run changes nothing.
  auto again = Estimate(h, "MP-E");
  REQUIRE(again.estimated() == 0);
  REQUIRE(again.revisions_written() == 0);
}

TEST_CASE("linear estimates round half away from zero; max_linear_intervals is honoured") {
  Harness h;
  h.CreatePoint("MP-L");
  v1::IngestSummary s;
  // 2024-01-10: 100 at 00:00, 200 at 03:00, hours 01-02 missing; nothing else.
  REQUIRE_OK(h.Ingest(
      {{R("MP-L", Local(2024, 1, 10, 0), 100), R("MP-L", Local(2024, 1, 10, 3), 200)}}, &s));
  v1::EstimateGapsRequest req;
  req.set_request_id(NewRequestId());
  req.add_point_codes("MP-L");
  req.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  req.mutable_period()->set_year(2024);
  req.mutable_period()->set_month(1);
  req.set_max_linear_intervals(2);
  v1::EstimateGapsResponse resp;
  REQUIRE_OK(h.Call(*h.reading_stub, &Stub::EstimateGaps, req, &resp));
  // The 2-hour gap is interpolated; the longer rest of the day has no
  // profile data; the later Wednesdays take 00:00 and 03:00 from 01-10.
  REQUIRE(resp.estimated() == 2 + 3 * 2);
  REQUIRE(resp.revisions_written() == 4);
  v1::GetReadingsRequest get;
  get.set_point_code("MP-L");
  get.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  get.mutable_period()->set_year(2024);
  get.mutable_period()->set_month(1);
  get.set_aggregation(v1::AGGREGATION_NATIVE);
  v1::GetReadingsResponse got;
  REQUIRE_OK(h.Call(*h.reading_stub, &Stub::GetReadings, get, &got));
  REQUIRE(got.values(9 * 24 + 1).value_wh() == 133);  // 100 + 100/3
  REQUIRE(got.values(9 * 24 + 2).value_wh() == 167);  // 100 + 200/3

  Who participant{"u@p1", "ROLE_PARTICIPANT_USER", "p-1"};
  req.set_request_id(NewRequestId());
  REQUIRE_GRPC(h.Call(*h.reading_stub, &Stub::EstimateGaps, req, &resp, participant),
               grpc::StatusCode::PERMISSION_DENIED,
               "u@p1 (roles ROLE_PARTICIPANT_USER) may not call "
               "/gridbill.metering.v1.ReadingService/EstimateGaps");
  // Scoped to a participant without roles (not through the gateway): held to
  // what a participant's user may call.
  req.set_request_id(NewRequestId());
  REQUIRE_GRPC(h.Call(*h.reading_stub, &Stub::EstimateGaps, req, &resp, Who{"u@p1", "", "p-1"}),
               grpc::StatusCode::PERMISSION_DENIED,
               "u@p1 (no roles, scoped to participant p-1) may not call");
}

}  // namespace
}  // namespace gridbill::metering::testing
