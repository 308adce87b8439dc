// Every metering RPC answers every role exactly as its
// `(gridbill.common.v1.access)` option declares (the suite-wide check of
// tests/access/every_method.h, against the real servers), and a participant's
// user sees only its own points and data.
#include <string>
#include <vector>

#include "every_method.h"
#include "harness.h"

namespace gridbill::metering::testing {
namespace {

TEST_CASE("every metering RPC admits exactly the roles its access option declares") {
  Harness h;
  h.CreatePoint("MP-1");
  const auto services = access_testing::ServicesOf(*v1::MeteringPoint::descriptor());
  REQUIRE(services.size() == 3);
  CHECK(access_testing::CheckEveryMethodAndRole(h.channel, services) == 17 * 8);
  // Nothing was written by any of these calls but the point.
  REQUIRE(h.CountRows("reading_days") == 0);
  REQUIRE(h.CountRows("metering_points") == 1);
}

TEST_CASE("a participant's user cannot read another participant's point or data") {
  Harness h;
  h.CreatePoint("MP-1");  // assigned to p-1
  v1::IngestSummary s;
  REQUIRE_OK(h.Ingest({{R("MP-1", Local(2024, 1, 15, 3), 1000)}}, &s));
  const Who own{"u@p1", "ROLE_PARTICIPANT_USER", "p-1"};
  const Who other{"u@p2", "ROLE_PARTICIPANT_ADMIN", "p-2"};
  using PStub = v1::MeteringPointService::Stub;
  using RStub = v1::ReadingService::Stub;

  v1::ListMeteringPointsRequest list;
  v1::ListMeteringPointsResponse listed;
  REQUIRE_OK(h.Call(*h.point_stub, &PStub::ListMeteringPoints, list, &listed, own));
  REQUIRE(listed.points_size() == 1);
  REQUIRE_OK(h.Call(*h.point_stub, &PStub::ListMeteringPoints, list, &listed, other));
  REQUIRE(listed.points_size() == 0);
  list.set_participant_id("p-1");
  REQUIRE_GRPC(h.Call(*h.point_stub, &PStub::ListMeteringPoints, list, &listed, other),
               grpc::StatusCode::PERMISSION_DENIED,
               "participant_id: u@p2 may not access participant p-1");

  v1::GetCompletenessRequest completeness;
  completeness.add_point_codes("MP-1");
  completeness.mutable_period()->set_year(2024);
  completeness.mutable_period()->set_month(1);
  v1::GetCompletenessResponse c;
  REQUIRE_OK(h.Call(*h.reading_stub, &RStub::GetCompleteness, completeness, &c, own));
  REQUIRE(c.entries(0).measured() == 1);
  REQUIRE_GRPC(h.Call(*h.reading_stub, &RStub::GetCompleteness, completeness, &c, other),
               grpc::StatusCode::NOT_FOUND, "MP-1");
  completeness.clear_point_codes();
  completeness.set_participant_id("p-1");
  REQUIRE_GRPC(h.Call(*h.reading_stub, &RStub::GetCompleteness, completeness, &c, other),
               grpc::StatusCode::PERMISSION_DENIED, "participant_id");

  v1::GetReadingsRequest get;
  get.set_point_code("MP-1");
  get.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  get.mutable_period()->set_year(2024);
  get.mutable_period()->set_month(1);
  get.set_aggregation(v1::AGGREGATION_MONTH);
  v1::GetReadingsResponse got;
  REQUIRE_OK(h.Call(*h.reading_stub, &RStub::GetReadings, get, &got, own));
  REQUIRE(got.total_wh() == 1000);
  REQUIRE_GRPC(h.Call(*h.reading_stub, &RStub::GetReadings, get, &got, other),
               grpc::StatusCode::NOT_FOUND, "MP-1");
}

// A participant's user imports readings only for the points its participant
// provides the data of (assigned to it on the reading's day); a file with any
// other line is refused naming the line and writes nothing, and the import
// it started is seen by it alone.
TEST_CASE("a participant's user imports only the readings of its own points") {
  Harness h;
  h.CreatePoint("MP-1");  // assigned to p-1 from 2024-01-01
  {
    // MP-2: p-1's until 2024-01-14, p-2's from 2024-01-15.
    v1::CreateMeteringPointRequest req;
    req.set_request_id(NewRequestId());
    v1::MeteringPoint* p = req.mutable_point();
    p->set_code("MP-2");
    p->set_name("Point MP-2");
    p->set_substation_code("PS-500-EKIBASTUZ");
    p->set_voltage_level_code("220");
    p->add_channels()->set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
    p->set_resolution(v1::RESOLUTION_PT60M);
    p->set_status(v1::METERING_POINT_STATUS_ACTIVE);
    *p->mutable_valid_from() = D(2024, 1, 1);
    v1::Assignment* a = p->add_assignments();
    a->set_participant_id("p-1");
    *a->mutable_valid_from() = D(2024, 1, 1);
    *a->mutable_valid_to() = D(2024, 1, 14);
    v1::Assignment* b = p->add_assignments();
    b->set_participant_id("p-2");
    *b->mutable_valid_from() = D(2024, 1, 15);
    v1::CreateMeteringPointResponse resp;
    REQUIRE_OK(
        h.Call(*h.point_stub, &v1::MeteringPointService::Stub::CreateMeteringPoint, req, &resp));
  }
  const Who own{"u@p1", "ROLE_PARTICIPANT_USER", "p-1"};
  const Who other{"u@p2", "ROLE_PARTICIPANT_ADMIN", "p-2"};
  using IStub = v1::ImportService::Stub;
  auto file = [](const std::string& lines) {
    v1::StartImportRequest req;
    req.set_request_id(NewRequestId());
    req.set_file_name("readings.csv");
    req.set_content("point_code,channel,interval_start,value\n" + lines);
    req.set_format(v1::IMPORT_FORMAT_CSV);
    req.set_unit(v1::ENERGY_UNIT_KWH);
    return req;
  };
  v1::StartImportResponse started;
  // Another participant's point, an unknown one (not told apart), and a
  // point handed over to another participant from the reading's day on.
  REQUIRE_GRPC(
      h.Call(*h.import_stub, &IStub::StartImport,
             file("MP-1,01,2024-01-15 00:00,1\nMP-2,01,2024-01-15 00:00,2\n"), &started, own),
      grpc::StatusCode::INVALID_ARGUMENT,
      "content: line 3: participant p-1 does not provide the data of metering point "
      "\"MP-2\" on 2024-01-15");
  REQUIRE_GRPC(h.Call(*h.import_stub, &IStub::StartImport, file("NO-SUCH,01,2024-01-15 00:00,1\n"),
                      &started, own),
               grpc::StatusCode::INVALID_ARGUMENT,
               "line 2: participant p-1 does not provide the data of metering point \"NO-SUCH\"");
  REQUIRE_GRPC(h.Call(*h.import_stub, &IStub::StartImport, file("MP-1,01,2024-01-15 00:00,1\n"),
                      &started, other),
               grpc::StatusCode::INVALID_ARGUMENT,
               "line 2: participant p-2 does not provide the data of metering point \"MP-1\"");
  // The same refusal through the streamed upload.
  {
    grpc::ClientContext ctx;
    Harness::AddWho(ctx, other);
    v1::UploadImportResponse uploaded;
    auto writer = h.import_stub->UploadImport(&ctx, &uploaded);
    v1::UploadImportRequest start;
    *start.mutable_start() = file("MP-1,01,2024-01-15 00:00,1\n");
    REQUIRE(writer->Write(start));
    writer->WritesDone();
    REQUIRE_GRPC(writer->Finish(), grpc::StatusCode::INVALID_ARGUMENT,
                 "participant p-2 does not provide the data of metering point \"MP-1\"");
  }
  REQUIRE(h.CountRows("reading_days") == 0);
  REQUIRE(h.CountRows("import_jobs") == 0);

  // Its own points on their days: imported; the job is its own to follow.
  REQUIRE_OK(h.Call(*h.import_stub, &IStub::StartImport,
                    file("MP-1,01,2024-01-15 00:00,1.5\nMP-2,01,2024-01-14 23:00,2\n"), &started,
                    own));
  v1::WatchImportJobRequest watch;
  watch.set_job_id(started.job().id());
  {
    grpc::ClientContext ctx;
    Harness::AddWho(ctx, own);
    auto reader = h.import_stub->WatchImportJob(&ctx, watch);
    v1::WatchImportJobResponse msg, last;
    while (reader->Read(&msg)) last = msg;
    REQUIRE_OK(reader->Finish());
    INFO(last.job().error());
    REQUIRE(last.job().state() == common::v1::JOB_STATE_SUCCEEDED);
    REQUIRE(last.summary().accepted() == 2);
  }
  REQUIRE(h.CountRows("reading_days") == 2);
  v1::GetImportJobRequest get;
  get.set_job_id(started.job().id());
  v1::GetImportJobResponse job;
  REQUIRE_OK(h.Call(*h.import_stub, &IStub::GetImportJob, get, &job, own));
  REQUIRE(job.summary().accepted() == 2);
  REQUIRE_GRPC(h.Call(*h.import_stub, &IStub::GetImportJob, get, &job, other),
               grpc::StatusCode::NOT_FOUND, started.job().id());
  {
    grpc::ClientContext ctx;
    Harness::AddWho(ctx, other);
    auto reader = h.import_stub->WatchImportJob(&ctx, watch);
    v1::WatchImportJobResponse msg;
    while (reader->Read(&msg)) {
    }
    REQUIRE(reader->Finish().error_code() == grpc::StatusCode::NOT_FOUND);
  }
  // The list of imports is the staff's.
  v1::ListImportsRequest list;
  v1::ListImportsResponse listed;
  REQUIRE_OK(h.Call(*h.import_stub, &IStub::ListImports, list, &listed));
  REQUIRE(listed.imports_size() == 1);
  REQUIRE_GRPC(h.Call(*h.import_stub, &IStub::ListImports, list, &listed, own),
               grpc::StatusCode::PERMISSION_DENIED, "ListImports");
}

}  // namespace
}  // namespace gridbill::metering::testing
