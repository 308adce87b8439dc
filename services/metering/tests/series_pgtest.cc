// Real-PostgreSQL tests of the compact series form of IngestReadings: the
// same rules as single readings, one point and channel's consecutive values.
#include "absl/strings/str_cat.h"
#include "gridbill/server/proto_convert.h"
#include "harness.h"

namespace gridbill::metering::testing {
namespace {

using Stub = v1::ReadingService::Stub;

v1::ReadingSeries S(const std::string& point, absl::Time start, std::vector<int64_t> values,
                    v1::Resolution resolution = v1::RESOLUTION_PT60M) {
  v1::ReadingSeries s;
  s.set_point_code(point);
  s.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  *s.mutable_start() = ToProtoTime(start);
  s.set_resolution(resolution);
  for (int64_t v : values) s.add_values_wh(v);
  return s;
}

grpc::Status IngestSeries(Harness& h, const std::vector<v1::ReadingSeries>& series,
                          v1::IngestSummary* summary,
                          const std::vector<v1::Reading>& readings = {}) {
  grpc::ClientContext ctx;
  Harness::AddWho(ctx, Who());
  v1::IngestReadingsResponse resp;
  auto writer = h.reading_stub->IngestReadings(&ctx, &resp);
  v1::IngestReadingsRequest req;
  req.set_request_id(NewRequestId());
  req.set_source(v1::SOURCE_CMS);
  for (const auto& s : series) *req.add_series() = s;
  for (const auto& r : readings) *req.add_readings() = r;
  writer->Write(req);
  writer->WritesDone();
  grpc::Status st = writer->Finish();
  *summary = resp.summary();
  return st;
}

v1::GetReadingsResponse Native(Harness& h, const std::string& point, int year, int month) {
  v1::GetReadingsRequest req;
  req.set_point_code(point);
  req.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  req.mutable_period()->set_year(year);
  req.mutable_period()->set_month(month);
  req.set_aggregation(v1::AGGREGATION_NATIVE);
  v1::GetReadingsResponse resp;
  REQUIRE_OK(h.Call(*h.reading_stub, &Stub::GetReadings, req, &resp));
  return resp;
}

std::vector<int64_t> Ramp(int n, int64_t from) {
  std::vector<int64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(from + i);
  return out;
}

TEST_CASE("a series stores its values as readings, across midnight and the 25-hour day") {
  Harness h;
  h.CreatePoint("MP-1");
  v1::IngestSummary s;
  // 2024-02-28 22:00 .. 2024-02-29 (25 hours) .. 2024-03-01 00:00: 28 values, three days.
  const auto series = S("MP-1", Local(2024, 2, 28, 22), Ramp(28, 100));
  REQUIRE_OK(IngestSeries(h, {series}, &s));
  REQUIRE(s.rejected() == 0);
  REQUIRE(s.accepted() == 28);
  REQUIRE(s.revisions_written() == 3);
  auto feb = Native(h, "MP-1", 2024, 2);
  REQUIRE(feb.values_size() == 697);
  REQUIRE(feb.values(27 * 24 + 22).value_wh() == 100);
  REQUIRE(feb.values(27 * 24 + 22).source() == v1::SOURCE_CMS);
  REQUIRE(feb.values(696).value_wh() == 126);  // the last hour of the 25-hour day
  REQUIRE(Native(h, "MP-1", 2024, 3).values(0).value_wh() == 127);

  // Sent again: nothing changes; one corrected value: revision 2 of its day only.
  REQUIRE_OK(IngestSeries(h, {series}, &s));
  REQUIRE(s.unchanged() == 28);
  REQUIRE(s.revisions_written() == 0);
  auto fixed = series;
  fixed.set_values_wh(5, 999);
  REQUIRE_OK(IngestSeries(h, {fixed}, &s));
  REQUIRE(s.revised() == 1);
  REQUIRE(s.revisions_written() == 1);
  REQUIRE(Native(h, "MP-1", 2024, 2).values(28 * 24 + 3).value_wh() == 999);
  REQUIRE(Native(h, "MP-1", 2024, 2).values(28 * 24 + 3).revision() == 2);

  // Qualities, one per value: a MISSING value never erases a stored one.
  auto gaps = S("MP-1", Local(2024, 2, 28, 22), {0, 555});
  gaps.add_qualities(v1::QUALITY_MISSING);
  gaps.add_qualities(v1::QUALITY_ESTIMATED);
  REQUIRE_OK(IngestSeries(h, {gaps}, &s));
  REQUIRE(s.missing() == 1);
  REQUIRE(s.revised() == 1);
  feb = Native(h, "MP-1", 2024, 2);
  REQUIRE(feb.values(27 * 24 + 22).value_wh() == 100);
  REQUIRE(feb.values(27 * 24 + 23).value_wh() == 555);
  REQUIRE(feb.values(27 * 24 + 23).quality() == v1::QUALITY_ESTIMATED);
}

TEST_CASE("a bad series rejects its batch, naming the series, the value and the reason") {
  Harness h;
  h.CreatePoint("MP-1");
  h.CreatePoint("MP-15", v1::RESOLUTION_PT15M);
  const absl::Time t = Local(2024, 1, 15, 3);
  auto qualities = S("MP-1", t, {1, 2, 3});
  qualities.add_qualities(v1::QUALITY_MEASURED);
  auto bad_quality = S("MP-1", t, {1, 2});
  bad_quality.add_qualities(v1::QUALITY_MEASURED);
  bad_quality.add_qualities(static_cast<v1::Quality>(42));
  auto no_channel = S("MP-1", t, {1});
  no_channel.set_channel(v1::CHANNEL_REACTIVE_DELIVERED);
  struct Case {
    v1::ReadingSeries bad;
    int value_index;
    const char* reason;
  };
  for (const Case& c : {
           Case{S("NO-SUCH", t, {1}), -1, "unknown metering point \"NO-SUCH\""},
           Case{S("MP-15", t, {1}), -1, "resolution: the series' 1h; the point's is 15m"},
           Case{S("MP-1", t + absl::Minutes(30), {1}), -1, "start is not aligned"},
           Case{S("MP-1", t, {}), -1, "values_wh: empty"},
           Case{qualities, -1, "qualities: 1 given for 3 values"},
           Case{no_channel, -1, "has no channel 04"},
           Case{bad_quality, 1, "qualities: 42 is not a quality"},
           Case{S("MP-1", Local(2026, 3, 10, 10), {1, 2, 3}), -1, "has not ended yet"},
           Case{S("MP-1", Local(2023, 12, 31, 23), {1, 2}), 0, "outside the point's validity"},
       }) {
    INFO(c.reason);
    v1::IngestSummary s;
    REQUIRE_OK(IngestSeries(h, {S("MP-1", t - absl::Hours(5), {7, 8}), c.bad}, &s));
    REQUIRE(s.accepted() == 0);
    REQUIRE(s.rejected() == 2 + c.bad.values_wh_size());
    REQUIRE(s.rejections_size() == 1);
    REQUIRE(s.rejections(0).series_index() == 1);
    REQUIRE(s.rejections(0).reading_index() == -1);
    REQUIRE(s.rejections(0).value_index() == c.value_index);
    REQUIRE(absl::StrContains(s.rejections(0).reason(), c.reason));
    REQUIRE(h.CountRows("reading_days") == 0);
  }

  SECTION("a series and a reading with different values for the same key") {
    v1::IngestSummary s;
    REQUIRE_OK(IngestSeries(h, {S("MP-1", t, {1, 2, 3})}, &s, {R("MP-1", t + absl::Hours(1), 5)}));
    REQUIRE(s.rejected() == 4);
    REQUIRE(s.rejections_size() == 1);
    REQUIRE(s.rejections(0).key() == "MP-1/01/2024-01-14T22:00:00Z");
    REQUIRE(absl::StrContains(s.rejections(0).reason(),
                              "sent twice in the batch with different values (reading 0 and "
                              "series 0 value 1)"));
    REQUIRE(h.CountRows("reading_days") == 0);
  }
}

}  // namespace
}  // namespace gridbill::metering::testing
