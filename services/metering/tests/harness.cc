#include "harness.h"

#include "absl/strings/str_cat.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::metering::testing {

v1::Reading R(const std::string& point, absl::Time start, int64_t wh, v1::Channel channel) {
  v1::Reading r;
  r.set_point_code(point);
  r.set_channel(channel);
  *r.mutable_interval_start() = ToProtoTime(start);
  r.set_value_wh(wh);
  return r;
}

Harness::Harness(WriteMethod method, bool start_import_worker)
    : base(GRIDBILL_METERING_MIGRATIONS_DIR, {.service_name = "metering"}),
      clock(Local(2026, 3, 10, 12)),
      store(db.pool(), method),
      idempotency(db.pool()),
      points(store, clock),
      ingestion(store, clock, Almaty(), VeeConfig{}),
      readings(store, ingestion, Almaty()),
      estimation(store, ingestion, clock, Almaty(), EstimationConfig{}),
      imports(store, ingestion, clock, Almaty()),
      point_service(points, idempotency),
      reading_service(ingestion, readings, estimation, idempotency, Almaty(), 1000000),
      import_service(imports, idempotency, int64_t{32} << 20) {
  if (start_import_worker) imports.StartWorker();
  base.Start({&point_service, &reading_service, &import_service});
  channel = base.channel();
  point_stub = v1::MeteringPointService::NewStub(channel);
  reading_stub = v1::ReadingService::NewStub(channel);
  import_stub = v1::ImportService::NewStub(channel);
}

Harness::~Harness() {
  base.Stop();
  imports.StopWorker();
}

v1::MeteringPoint Harness::CreatePoint(const std::string& code, v1::Resolution resolution) {
  v1::CreateMeteringPointRequest req;
  req.set_request_id(NewRequestId());
  v1::MeteringPoint* p = req.mutable_point();
  p->set_code(code);
  p->set_name(absl::StrCat("Point ", code));
  p->set_substation_code("PS-500-EKIBASTUZ");
  p->set_voltage_level_code("220");
  p->add_channels()->set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  p->add_channels()->set_channel(v1::CHANNEL_ACTIVE_DELIVERED);
  p->set_resolution(resolution);
  p->set_status(v1::METERING_POINT_STATUS_ACTIVE);
  *p->mutable_valid_from() = D(2024, 1, 1);
  v1::Assignment* a = p->add_assignments();
  a->set_participant_id("p-1");
  *a->mutable_valid_from() = D(2024, 1, 1);
  v1::CreateMeteringPointResponse resp;
  REQUIRE_OK(Call(*point_stub, &v1::MeteringPointService::Stub::CreateMeteringPoint, req, &resp));
  return resp.point();
}

grpc::Status Harness::Ingest(const std::vector<std::vector<v1::Reading>>& batches,
                             v1::IngestSummary* summary, v1::Source source, const Who& who) {
  grpc::ClientContext ctx;
  AddWho(ctx, who);
  v1::IngestReadingsResponse resp;
  auto writer = reading_stub->IngestReadings(&ctx, &resp);
  for (const auto& batch : batches) {
    v1::IngestReadingsRequest req;
    req.set_request_id(NewRequestId());
    req.set_source(source);
    for (const v1::Reading& r : batch) *req.add_readings() = r;
    if (!writer->Write(req)) break;
  }
  writer->WritesDone();
  grpc::Status st = writer->Finish();
  *summary = resp.summary();
  return st;
}

int64_t Harness::CountRows(const std::string& table) { return base.CountRows(table); }

}  // namespace gridbill::metering::testing
