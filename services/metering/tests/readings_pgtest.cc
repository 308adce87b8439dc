// Real-PostgreSQL tests of metering points and readings through the gRPC API.
#include <map>

#include "absl/strings/str_cat.h"
#include "gridbill/server/proto_convert.h"
#include "harness.h"

namespace gridbill::metering::testing {
namespace {

using Stub = v1::ReadingService::Stub;

// Every hour of a local day at `wh` (25 on 2024-02-29 in Almaty).
std::vector<v1::Reading> HourlyDay(const std::string& point, absl::CivilDay day, int64_t wh) {
  std::vector<v1::Reading> out;
  const absl::Time start = StartOfDay(day, Almaty());
  const absl::Time end = StartOfDay(day + 1, Almaty());
  for (absl::Time t = start; t < end; t += absl::Hours(1)) out.push_back(R(point, t, wh));
  return out;
}

v1::GetReadingsResponse Get(Harness& h, const std::string& point, v1::Aggregation aggregation,
                            int year, int month, const v1::AsOf& as_of = v1::AsOf()) {
  v1::GetReadingsRequest req;
  req.set_point_code(point);
  req.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  req.mutable_period()->set_year(year);
  req.mutable_period()->set_month(month);
  req.set_aggregation(aggregation);
  *req.mutable_as_of() = as_of;
  v1::GetReadingsResponse resp;
  REQUIRE_OK(h.Call(*h.reading_stub, &Stub::GetReadings, req, &resp));
  return resp;
}

TEST_CASE("a re-sent identical day writes nothing; a corrected value becomes revision 2") {
  Harness h;
  h.CreatePoint("MP-1");
  const auto day = HourlyDay("MP-1", absl::CivilDay(2024, 1, 15), 1000);
  v1::IngestSummary s;
  REQUIRE_OK(h.Ingest({day}, &s));
  REQUIRE(s.accepted() == 24);
  REQUIRE(s.revisions_written() == 1);
  REQUIRE(h.CountRows("reading_days") == 1);

  REQUIRE_OK(h.Ingest({day}, &s));
  REQUIRE(s.accepted() == 0);
  REQUIRE(s.unchanged() == 24);
  REQUIRE(s.revisions_written() == 0);
  REQUIRE(h.CountRows("reading_days") == 1);

  const absl::Time before_fix = h.clock.Now();
  h.clock.Advance(absl::Hours(1));
  auto fixed = day;
  fixed[10].set_value_wh(1500);
  REQUIRE_OK(h.Ingest({fixed}, &s));
  REQUIRE(s.revised() == 1);
  REQUIRE(s.unchanged() == 23);
  REQUIRE(h.CountRows("reading_days") == 2);

  auto latest = Get(h, "MP-1", v1::AGGREGATION_NATIVE, 2024, 1);
  const int i = 14 * 24 + 10;  // 2024-01-15 10:00
  REQUIRE(latest.values(i).value_wh() == 1500);
  REQUIRE(latest.values(i).revision() == 2);
  REQUIRE(latest.values(i + 1).value_wh() == 1000);  // unchanged intervals copied
  REQUIRE(latest.values(i + 1).revision() == 2);

  v1::AsOf rev1;
  rev1.set_revision(1);
  auto old = Get(h, "MP-1", v1::AGGREGATION_NATIVE, 2024, 1, rev1);
  REQUIRE(old.values(i).value_wh() == 1000);
  REQUIRE(old.values(i).revision() == 1);

  v1::AsOf at;
  *at.mutable_time() = ToProtoTime(before_fix);
  auto then = Get(h, "MP-1", v1::AGGREGATION_NATIVE, 2024, 1, at);
  REQUIRE(then.values(i).value_wh() == 1000);
  REQUIRE(then.total_wh() == 24000);
  REQUIRE(latest.total_wh() == 24500);
}

// One batch of one reading, sent with a given request_id.
v1::IngestSummary IngestOne(Harness& h, const std::string& request_id, const v1::Reading& r) {
  grpc::ClientContext ctx;
  v1::IngestReadingsResponse resp;
  auto writer = h.reading_stub->IngestReadings(&ctx, &resp);
  v1::IngestReadingsRequest req;
  req.set_request_id(request_id);
  req.set_source(v1::SOURCE_CMS);
  *req.add_readings() = r;
  writer->Write(req);
  writer->WritesDone();
  REQUIRE_OK(writer->Finish());
  return resp.summary();
}

TEST_CASE("a batch's retry arriving after a newer batch does not write the older value back") {
  Harness h;
  h.CreatePoint("MP-1");
  const absl::Time at = Local(2024, 1, 15, 10);
  REQUIRE(IngestOne(h, "batch-a", R("MP-1", at, 1000)).accepted() == 1);
  REQUIRE(IngestOne(h, "batch-b", R("MP-1", at, 1500)).revised() == 1);
  // The client timed out on batch-a and sends it again, after batch-b.
  const v1::IngestSummary retry = IngestOne(h, "batch-a", R("MP-1", at, 1000));
  CHECK(retry.unchanged() == 1);
  CHECK(retry.revised() == 0);
  CHECK(retry.revisions_written() == 0);
  CHECK(h.CountRows("reading_days") == 2);
  CHECK(Get(h, "MP-1", v1::AGGREGATION_NATIVE, 2024, 1).values(14 * 24 + 10).value_wh() == 1500);
  // The same request_id with other readings is refused, naming the field.
  grpc::ClientContext ctx;
  v1::IngestReadingsResponse resp;
  auto writer = h.reading_stub->IngestReadings(&ctx, &resp);
  v1::IngestReadingsRequest req;
  req.set_request_id("batch-a");
  req.set_source(v1::SOURCE_CMS);
  *req.add_readings() = R("MP-1", at, 999);
  writer->Write(req);
  writer->WritesDone();
  REQUIRE_GRPC(writer->Finish(), grpc::StatusCode::INVALID_ARGUMENT, "request_id");
  // A rejected batch is not kept: sent again once valid, it is stored.
  v1::Reading unknown = R("MP-2", at, 700);
  CHECK(IngestOne(h, "batch-c", unknown).rejected() == 1);
  h.CreatePoint("MP-2");
  CHECK(IngestOne(h, "batch-c", unknown).accepted() == 1);
}

TEST_CASE("February 2024 in Asia/Almaty reads as 697 hourly values") {
  Harness h;
  h.CreatePoint("MP-FEB");
  std::vector<std::vector<v1::Reading>> batches;
  for (absl::CivilDay d(2024, 2, 1); d <= absl::CivilDay(2024, 2, 29); ++d) {
    batches.push_back(HourlyDay("MP-FEB", d, 1000));
  }
  v1::IngestSummary s;
  REQUIRE_OK(h.Ingest(batches, &s));
  REQUIRE(s.accepted() == 697);
  REQUIRE(s.rejected() == 0);

  auto hours = Get(h, "MP-FEB", v1::AGGREGATION_HOUR, 2024, 2);
  REQUIRE(hours.values_size() == 697);
  REQUIRE(hours.total_wh() == 697000);
  for (const auto& v : hours.values()) REQUIRE(v.quality() == v1::QUALITY_MEASURED);

  auto days = Get(h, "MP-FEB", v1::AGGREGATION_DAY, 2024, 2);
  REQUIRE(days.values_size() == 29);
  REQUIRE(days.values(28).value_wh() == 25000);  // the 25-hour day
  REQUIRE(days.values(0).value_wh() == 24000);

  auto month = Get(h, "MP-FEB", v1::AGGREGATION_MONTH, 2024, 2);
  REQUIRE(month.values_size() == 1);
  REQUIRE(month.values(0).value_wh() == 697000);

  // A month with no data: every hour present, every one missing.
  auto march = Get(h, "MP-FEB", v1::AGGREGATION_HOUR, 2024, 3);
  REQUIRE(march.values_size() == 744);
  REQUIRE(march.values(0).quality() == v1::QUALITY_MISSING);
}

TEST_CASE("15-minute data is summed to local hours") {
  Harness h;
  h.CreatePoint("MP-15", v1::RESOLUTION_PT15M);
  std::vector<v1::Reading> day;
  const absl::Time start = Local(2024, 2, 29);
  for (int i = 0; i < 100; ++i) day.push_back(R("MP-15", start + i * absl::Minutes(15), 250 + i));
  v1::IngestSummary s;
  REQUIRE_OK(h.Ingest({day}, &s));
  REQUIRE(s.accepted() == 100);
  auto hours = Get(h, "MP-15", v1::AGGREGATION_HOUR, 2024, 2);
  REQUIRE(hours.values_size() == 697);
  // The last hour of 2024-02-29 (the repeated 23:00 at UTC+5): intervals 96..99.
  REQUIRE(hours.values(696).value_wh() == 4 * 250 + 96 + 97 + 98 + 99);
}

TEST_CASE("structurally invalid readings reject their whole batch, each reason named") {
  Harness h;
  h.CreatePoint("MP-1");
  h.CreatePoint("MP-15", v1::RESOLUTION_PT15M);
  const absl::Time t = Local(2024, 1, 15, 3);
  auto unknown = R("NO-SUCH", t, 1);
  auto unaligned = R("MP-1", t + absl::Minutes(15), 1);
  auto no_channel = R("MP-1", t, 1, v1::CHANNEL_REACTIVE_RECEIVED);
  auto future = R("MP-1", Local(2026, 3, 10, 12), 1);
  auto before_validity = R("MP-1", Local(2023, 12, 31, 5), 1);

  struct Case {
    v1::Reading bad;
    const char* reason;
  };
  for (const Case& c :
       {Case{unknown, "unknown metering point \"NO-SUCH\""}, Case{unaligned, "not aligned"},
        Case{no_channel, "has no channel 03"}, Case{future, "has not ended"},
        Case{before_validity, "outside the point's validity"}}) {
    INFO(c.reason);
    v1::IngestSummary s;
    REQUIRE_OK(h.Ingest({{R("MP-1", t - absl::Hours(1), 7), c.bad}}, &s));
    REQUIRE(s.rejected() == 2);
    REQUIRE(s.accepted() == 0);
    REQUIRE(s.rejections_size() == 1);
    REQUIRE(s.rejections(0).reading_index() == 1);
    REQUIRE(absl::StrContains(s.rejections(0).reason(), c.reason));
    REQUIRE(h.CountRows("reading_days") == 0);
  }

  SECTION("the same key twice with different values") {
    v1::IngestSummary s;
    REQUIRE_OK(h.Ingest({{R("MP-1", t, 5), R("MP-1", t, 6)}}, &s));
    REQUIRE(s.rejected() == 2);
    REQUIRE(absl::StrContains(s.rejections(0).key(), "MP-1/01/2024-01-14T21:00:00Z"));
    REQUIRE(absl::StrContains(s.rejections(0).reason(), "sent twice"));
    REQUIRE(h.CountRows("reading_days") == 0);
    // Twice with the same value is harmless.
    REQUIRE_OK(h.Ingest({{R("MP-1", t, 5), R("MP-1", t, 5)}}, &s));
    REQUIRE(s.accepted() == 1);
    REQUIRE(s.unchanged() == 1);
  }

  SECTION("a bad batch does not stop the good batches of the stream") {
    v1::IngestSummary s;
    REQUIRE_OK(h.Ingest({{unknown}, {R("MP-1", t, 9)}}, &s));
    REQUIRE(s.rejected() == 1);
    REQUIRE(s.rejections(0).batch_index() == 0);
    REQUIRE(s.accepted() == 1);
    REQUIRE(h.CountRows("reading_days") == 1);
  }
}

TEST_CASE("a negative value is stored with the NEGATIVE finding") {
  Harness h;
  h.CreatePoint("MP-1");
  v1::IngestSummary s;
  REQUIRE_OK(h.Ingest({{R("MP-1", Local(2024, 1, 15, 3), -40)}}, &s));
  REQUIRE(s.accepted() == 1);
  REQUIRE(s.flagged() == 1);
  auto got = Get(h, "MP-1", v1::AGGREGATION_NATIVE, 2024, 1);
  const auto& v = got.values(14 * 24 + 3);
  REQUIRE(v.value_wh() == -40);
  REQUIRE(v.findings_size() == 1);
  REQUIRE(v.findings(0) == v1::FINDING_NEGATIVE);

  // GetCompleteness counts the findings by kind: the negative value, and the
  // stored day's other 23 hours, which have no value, as GAP.
  v1::GetCompletenessRequest creq;
  creq.add_point_codes("MP-1");
  creq.mutable_period()->set_year(2024);
  creq.mutable_period()->set_month(1);
  v1::GetCompletenessResponse cresp;
  REQUIRE_OK(h.Call(*h.reading_stub, &Stub::GetCompleteness, creq, &cresp));
  REQUIRE(cresp.entries_size() == 2);  // channels 01 and 02
  std::map<int, int64_t> by_kind;
  for (const auto& f : cresp.entries(0).findings()) by_kind[f.finding()] = f.intervals();
  CHECK(by_kind == std::map<int, int64_t>{{v1::FINDING_NEGATIVE, 1}, {v1::FINDING_GAP, 23}});
  CHECK(cresp.entries(1).findings_size() == 0);  // nothing stored on channel 02
}

TEST_CASE("an operator's edit needs a reason and becomes a new revision") {
  Harness h;
  h.CreatePoint("MP-1");
  v1::IngestSummary s;
  REQUIRE_OK(h.Ingest({HourlyDay("MP-1", absl::CivilDay(2024, 1, 15), 1000)}, &s));

  v1::EditReadingRequest req;
  req.set_request_id(NewRequestId());
  req.set_point_code("MP-1");
  req.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  *req.mutable_interval_start() = ToProtoTime(Local(2024, 1, 15, 5));
  req.set_value_wh(1234);
  v1::EditReadingResponse resp;
  REQUIRE_GRPC(h.Call(*h.reading_stub, &Stub::EditReading, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "reason: required");

  req.set_reason("meter replaced; value from the check meter");
  REQUIRE_OK(h.Call(*h.reading_stub, &Stub::EditReading, req, &resp));
  REQUIRE(resp.revision() == 2);
  // A retry with the same request_id replays the answer.
  REQUIRE_OK(h.Call(*h.reading_stub, &Stub::EditReading, req, &resp));
  REQUIRE(resp.revision() == 2);
  REQUIRE(h.CountRows("reading_days") == 2);

  auto got = Get(h, "MP-1", v1::AGGREGATION_NATIVE, 2024, 1);
  REQUIRE(got.values(14 * 24 + 5).value_wh() == 1234);
  REQUIRE(got.values(14 * 24 + 5).quality() == v1::QUALITY_MANUALLY_EDITED);

  Who participant{"user@p1.kz", "ROLE_PARTICIPANT_USER", "p-1"};
  req.set_request_id(NewRequestId());
  REQUIRE_GRPC(h.Call(*h.reading_stub, &Stub::EditReading, req, &resp, participant),
               grpc::StatusCode::PERMISSION_DENIED,
               "user@p1.kz (roles ROLE_PARTICIPANT_USER) may not call "
               "/gridbill.metering.v1.ReadingService/EditReading");
  // Scoped to a participant without roles (not through the gateway): held to
  // what a participant's user may call.
  req.set_request_id(NewRequestId());
  REQUIRE_GRPC(h.Call(*h.reading_stub, &Stub::EditReading, req, &resp, Who{"u@p1", "", "p-1"}),
               grpc::StatusCode::PERMISSION_DENIED,
               "u@p1 (no roles, scoped to participant p-1) may not call");
}

TEST_CASE("participants read only their own points") {
  Harness h;
  h.CreatePoint("MP-1");  // assigned to p-1
  v1::GetReadingsRequest req;
  req.set_point_code("MP-1");
  req.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  req.mutable_period()->set_year(2024);
  req.mutable_period()->set_month(1);
  req.set_aggregation(v1::AGGREGATION_DAY);
  v1::GetReadingsResponse resp;
  REQUIRE_OK(h.Call(*h.reading_stub, &Stub::GetReadings, req, &resp,
                    Who{"u@p1", "ROLE_PARTICIPANT_USER", "p-1"}));
  REQUIRE_GRPC(h.Call(*h.reading_stub, &Stub::GetReadings, req, &resp,
                      Who{"u@p2", "ROLE_PARTICIPANT_USER", "p-2"}),
               grpc::StatusCode::NOT_FOUND, "MP-1");
  v1::GetMeteringPointRequest get;
  get.set_code("MP-1");
  v1::GetMeteringPointResponse got;
  REQUIRE_GRPC(h.Call(*h.point_stub, &v1::MeteringPointService::Stub::GetMeteringPoint, get, &got,
                      Who{"u@p2", "ROLE_PARTICIPANT_USER", "p-2"}),
               grpc::StatusCode::NOT_FOUND, "MP-1");
}

TEST_CASE("metering point attributes are validated, each error naming its field") {
  Harness h;
  v1::CreateMeteringPointRequest req;
  req.set_request_id(NewRequestId());
  v1::MeteringPoint* p = req.mutable_point();
  p->set_code("MP-X");
  p->set_name("X");
  p->add_channels()->set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  p->set_resolution(v1::RESOLUTION_PT30M);
  p->set_status(v1::METERING_POINT_STATUS_ACTIVE);
  *p->mutable_valid_from() = D(2024, 1, 1);
  p->set_eic("10YPL-AREA-----S");  // valid EIC, but an area, not a point
  v1::CreateMeteringPointResponse resp;
  using PStub = v1::MeteringPointService::Stub;
  REQUIRE_GRPC(h.Call(*h.point_stub, &PStub::CreateMeteringPoint, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "point.eic: a metering point's EIC");
  p->set_eic("10ZPL-AREA-----X");
  req.set_request_id(NewRequestId());
  REQUIRE_GRPC(h.Call(*h.point_stub, &PStub::CreateMeteringPoint, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "point.eic");
  p->clear_eic();
  p->set_resolution(v1::RESOLUTION_UNSPECIFIED);
  req.set_request_id(NewRequestId());
  REQUIRE_GRPC(h.Call(*h.point_stub, &PStub::CreateMeteringPoint, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "point.resolution: required");
  p->set_resolution(v1::RESOLUTION_PT30M);
  req.set_request_id(NewRequestId());
  REQUIRE_OK(h.Call(*h.point_stub, &PStub::CreateMeteringPoint, req, &resp));
  REQUIRE(resp.point().version() == 1);
  req.set_request_id(NewRequestId());
  REQUIRE_GRPC(h.Call(*h.point_stub, &PStub::CreateMeteringPoint, req, &resp),
               grpc::StatusCode::ALREADY_EXISTS, "MP-X");
}

TEST_CASE("StreamPointDays sends whole days of many points and completeness counts them") {
  Harness h;
  h.CreatePoint("MP-A");
  h.CreatePoint("MP-B");
  v1::IngestSummary s;
  REQUIRE_OK(h.Ingest({HourlyDay("MP-A", absl::CivilDay(2024, 2, 29), 10),
                       HourlyDay("MP-B", absl::CivilDay(2024, 2, 28), 20)},
                      &s));
  v1::StreamPointDaysRequest req;
  req.add_point_codes("MP-A");
  req.add_point_codes("MP-B");
  *req.mutable_from_day() = D(2024, 2, 1);
  *req.mutable_to_day() = D(2024, 2, 29);
  grpc::ClientContext ctx;
  Harness::AddWho(ctx, Who());
  auto reader = h.reading_stub->StreamPointDays(&ctx, req);
  v1::StreamPointDaysResponse chunk;
  std::map<std::string, v1::PointDay> got;
  while (reader->Read(&chunk)) {
    for (const auto& d : chunk.days()) got[d.point_code()] = d;
  }
  REQUIRE_OK(reader->Finish());
  REQUIRE(got.size() == 2);
  REQUIRE(got["MP-A"].values_wh_size() == 25);
  REQUIRE(got["MP-B"].values_wh_size() == 24);
  REQUIRE(got["MP-B"].values_wh(0) == 20);

  v1::GetCompletenessRequest creq;
  creq.add_point_codes("MP-A");
  creq.mutable_period()->set_year(2024);
  creq.mutable_period()->set_month(2);
  v1::GetCompletenessResponse cresp;
  REQUIRE_OK(h.Call(*h.reading_stub, &Stub::GetCompleteness, creq, &cresp));
  REQUIRE(cresp.entries_size() == 2);  // channels 01 and 02
  REQUIRE(cresp.entries(0).expected() == 697);
  REQUIRE(cresp.entries(0).measured() == 25);
  REQUIRE(cresp.entries(0).missing() == 672);
}

}  // namespace
}  // namespace gridbill::metering::testing
