// Real-PostgreSQL tests of what happens when several sources send the same
// interval: the SCADA vs CMS cross-check, and gaps that never erase values.
#include "absl/strings/str_cat.h"
#include "gridbill/server/proto_convert.h"
#include "harness.h"

namespace gridbill::metering::testing {
namespace {

using Stub = v1::ReadingService::Stub;

// The native values of 2024-01-15 (hourly point): index = local hour.
std::vector<v1::ReadingValue> Jan15(Harness& h, const std::string& point,
                                    const v1::AsOf& as_of = v1::AsOf()) {
  v1::GetReadingsRequest req;
  req.set_point_code(point);
  req.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  v1::TimeRange* range = req.mutable_time_range();
  *range->mutable_start() = ToProtoTime(Local(2024, 1, 15));
  *range->mutable_end() = ToProtoTime(Local(2024, 1, 16));
  req.set_aggregation(v1::AGGREGATION_NATIVE);
  *req.mutable_as_of() = as_of;
  v1::GetReadingsResponse resp;
  REQUIRE_OK(h.Call(*h.reading_stub, &Stub::GetReadings, req, &resp));
  REQUIRE(resp.values_size() == 24);
  return {resp.values().begin(), resp.values().end()};
}

bool Has(const v1::ReadingValue& v, v1::Finding f) {
  for (int x : v.findings()) {
    if (x == f) return true;
  }
  return false;
}

// 2024-01-15: wh + 10 x hour (not a flat line).
std::vector<v1::Reading> Day(const std::string& point, int64_t wh) {
  std::vector<v1::Reading> out;
  for (int hour = 0; hour < 24; ++hour) {
    out.push_back(R(point, Local(2024, 1, 15, hour), wh + 10 * hour));
  }
  return out;
}

TEST_CASE(
    "SCADA vs CMS: CMS is the value, SCADA's is kept, a difference beyond tolerance is a "
    "finding") {
  Harness h;
  h.CreatePoint("MP-1");
  auto scada = Day("MP-1", 100000);
  scada[9].set_value_wh(1000);
  v1::IngestSummary s;
  REQUIRE_OK(h.Ingest({scada}, &s, v1::SOURCE_SCADA));
  REQUIRE(s.accepted() == 24);

  // CMS: hour 3 equal, hour 5 1.5 % off (within the default 2 %), hour 7 3 % off, hour 9 6 %
  // off but by 60 Wh only (under the 100 Wh floor: small values are not flagged for noise).
  REQUIRE_OK(
      h.Ingest({{R("MP-1", Local(2024, 1, 15, 3), 100030), R("MP-1", Local(2024, 1, 15, 5), 101550),
                 R("MP-1", Local(2024, 1, 15, 7), 103070), R("MP-1", Local(2024, 1, 15, 9), 1060)}},
               &s, v1::SOURCE_CMS));
  REQUIRE(s.rejected() == 0);
  REQUIRE(s.revised() == 4);  // the value's source changed on each, the value on three
  REQUIRE(s.revisions_written() == 1);
  REQUIRE(s.flagged() == 1);

  auto v = Jan15(h, "MP-1");
  REQUIRE(v[7].value_wh() == 103070);
  REQUIRE(v[7].source() == v1::SOURCE_CMS);
  REQUIRE(v[7].has_scada_value_wh());
  REQUIRE(v[7].scada_value_wh() == 100070);
  REQUIRE(Has(v[7], v1::FINDING_SOURCE_MISMATCH));
  for (int hour : {3, 5, 9}) {
    INFO("hour " << hour);
    REQUIRE(v[hour].source() == v1::SOURCE_CMS);
    REQUIRE(v[hour].scada_value_wh() == scada[hour].value_wh());
    REQUIRE(v[hour].findings_size() == 0);
  }
  REQUIRE(v[5].value_wh() == 101550);
  REQUIRE(v[9].value_wh() == 1060);
  REQUIRE(v[0].source() == v1::SOURCE_SCADA);
  REQUIRE(!v[0].has_scada_value_wh());
  REQUIRE(v[0].value_wh() == 100000);

  SECTION("SCADA re-sending its day changes nothing: it never replaces a CMS value") {
    REQUIRE_OK(h.Ingest({scada}, &s, v1::SOURCE_SCADA));
    REQUIRE(s.unchanged() == 24);
    REQUIRE(s.revisions_written() == 0);
    REQUIRE(h.CountRows("reading_days") == 2);
  }

  SECTION("a corrected SCADA value within tolerance clears the finding, the CMS value stays") {
    REQUIRE_OK(h.Ingest({{R("MP-1", Local(2024, 1, 15, 7), 102070)}}, &s, v1::SOURCE_SCADA));
    REQUIRE(s.revised() == 1);
    REQUIRE(s.revisions_written() == 1);
    auto after = Jan15(h, "MP-1");
    REQUIRE(after[7].value_wh() == 103070);
    REQUIRE(after[7].scada_value_wh() == 102070);
    REQUIRE(!Has(after[7], v1::FINDING_SOURCE_MISMATCH));
    // The revision before still shows the finding.
    v1::AsOf rev2;
    rev2.set_revision(2);
    REQUIRE(Has(Jan15(h, "MP-1", rev2)[7], v1::FINDING_SOURCE_MISMATCH));
  }

  SECTION("an operator's edit replaces the value and resolves the finding") {
    v1::EditReadingRequest req;
    req.set_request_id(NewRequestId());
    req.set_point_code("MP-1");
    req.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
    *req.mutable_interval_start() = ToProtoTime(Local(2024, 1, 15, 7));
    req.set_value_wh(1200);
    req.set_reason("CMS meter checked on site");
    v1::EditReadingResponse resp;
    REQUIRE_OK(h.Call(*h.reading_stub, &Stub::EditReading, req, &resp));
    auto after = Jan15(h, "MP-1");
    REQUIRE(after[7].value_wh() == 1200);
    REQUIRE(after[7].source() == v1::SOURCE_OPERATOR);
    REQUIRE(after[7].findings_size() == 0);
  }
}

TEST_CASE("SCADA after CMS: the later SCADA value is checked against the stored CMS value") {
  Harness h;
  h.CreatePoint("MP-2");
  v1::IngestSummary s;
  REQUIRE_OK(h.Ingest({{R("MP-2", Local(2024, 1, 15, 2), 2000)}}, &s, v1::SOURCE_CMS));
  REQUIRE_OK(
      h.Ingest({{R("MP-2", Local(2024, 1, 15, 2), 3000), R("MP-2", Local(2024, 1, 15, 4), 400)}},
               &s, v1::SOURCE_SCADA));
  REQUIRE(s.accepted() == 2);  // a check value and a new value
  REQUIRE(s.flagged() == 1);
  auto v = Jan15(h, "MP-2");
  REQUIRE(v[2].value_wh() == 2000);
  REQUIRE(v[2].source() == v1::SOURCE_CMS);
  REQUIRE(v[2].scada_value_wh() == 3000);
  REQUIRE(Has(v[2], v1::FINDING_SOURCE_MISMATCH));
  REQUIRE(v[4].value_wh() == 400);
  REQUIRE(v[4].source() == v1::SOURCE_SCADA);

  // Hourly sums use the CMS value.
  v1::GetReadingsRequest req;
  req.set_point_code("MP-2");
  req.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  req.mutable_period()->set_year(2024);
  req.mutable_period()->set_month(1);
  req.set_aggregation(v1::AGGREGATION_DAY);
  v1::GetReadingsResponse resp;
  REQUIRE_OK(h.Call(*h.reading_stub, &Stub::GetReadings, req, &resp));
  REQUIRE(resp.values(14).value_wh() == 2400);
}

TEST_CASE("a MISSING reading never erases a stored value: only an operator's edit changes it") {
  Harness h;
  h.CreatePoint("MP-3");
  v1::IngestSummary s;
  REQUIRE_OK(h.Ingest({Day("MP-3", 1000)}, &s));
  auto gap = R("MP-3", Local(2024, 1, 15, 4), 0);
  gap.set_quality(v1::QUALITY_MISSING);
  for (auto source : {v1::SOURCE_SCADA, v1::SOURCE_CMS, v1::SOURCE_PARTICIPANT}) {
    REQUIRE_OK(h.Ingest({{gap}}, &s, source));
    REQUIRE(s.missing() == 1);
    REQUIRE(s.unchanged() == 0);
    REQUIRE(s.revisions_written() == 0);
  }
  REQUIRE(h.CountRows("reading_days") == 1);
  auto v = Jan15(h, "MP-3");
  REQUIRE(v[4].value_wh() == 1040);
  REQUIRE(v[4].quality() == v1::QUALITY_MEASURED);
  REQUIRE(v[4].revision() == 1);

  // A gap for an interval that never had a value stores nothing either.
  auto empty = R("MP-3", Local(2024, 1, 16, 4), 0);
  empty.set_quality(v1::QUALITY_MISSING);
  REQUIRE_OK(h.Ingest({{empty}}, &s));
  REQUIRE(s.missing() == 1);
  REQUIRE(h.CountRows("reading_days") == 1);
}

TEST_CASE("binary and text COPY store the same rows") {
  for (WriteMethod method : {WriteMethod::kCopyBinary, WriteMethod::kCopyText}) {
    Harness h(method);
    h.CreatePoint("MP-4");
    v1::IngestSummary s;
    auto day = Day("MP-4", 1000);
    day[0].set_value_wh(-5);
    REQUIRE_OK(h.Ingest({day}, &s, v1::SOURCE_SCADA));
    REQUIRE_OK(h.Ingest({{R("MP-4", Local(2024, 1, 15, 1), 7000)}}, &s, v1::SOURCE_CMS));
    auto v = Jan15(h, "MP-4");
    REQUIRE(v[0].value_wh() == -5);
    REQUIRE(Has(v[0], v1::FINDING_NEGATIVE));
    REQUIRE(v[1].value_wh() == 7000);
    REQUIRE(v[1].scada_value_wh() == 1010);
    REQUIRE(v[1].source() == v1::SOURCE_CMS);
    REQUIRE(v[2].source() == v1::SOURCE_SCADA);
    REQUIRE(v[1].revision() == 2);
    auto res = h.db.pool().Execute(pg::Query{
        "",
        "SELECT source, sources::text, scada_vals[2], extract(epoch FROM created_at)::bigint, "
        "day::text FROM reading_days WHERE revision = 2"});
    REQUIRE(res.ok());
    REQUIRE((*res)[0].Int(0) == 2);
    REQUIRE((*res)[0].String(1) == "{1,2,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1}");
    REQUIRE((*res)[0].Int(2) == 1010);
    REQUIRE((*res)[0].Int(3) == absl::ToUnixSeconds(h.clock.Now()));
    REQUIRE((*res)[0].String(4) == "2024-01-15");
  }
}

}  // namespace
}  // namespace gridbill::metering::testing
