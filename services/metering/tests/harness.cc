#include "harness.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "gridbill/pg/query.h"
#include "gridbill/server/proto_convert.h"
#include "grpcpp/create_channel.h"

namespace gridbill::metering::testing {

absl::TimeZone Almaty() {
  absl::TimeZone zone;
  REQUIRE(absl::LoadTimeZone("Asia/Almaty", &zone));
  return zone;
}

absl::Time Local(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), Almaty());
}

std::string NewRequestId() {
  static std::atomic<int> n{0};
  return absl::StrCat("req-", ++n);
}

common::v1::Date D(int y, int m, int d) {
  common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

v1::Reading R(const std::string& point, absl::Time start, int64_t wh, v1::Channel channel) {
  v1::Reading r;
  r.set_point_code(point);
  r.set_channel(channel);
  *r.mutable_interval_start() = ToProtoTime(start);
  r.set_value_wh(wh);
  return r;
}

namespace {

ServerConfig TestServerConfig() {
  ServerConfig c;
  c.service_name = "metering";
  c.grpc_address = "127.0.0.1:0";
  c.metrics_address = "";
  c.shutdown_grace = absl::Seconds(1);
  c.log_level = "error";
  c.max_message_bytes = 64 << 20;
  return c;
}

}  // namespace

Harness::Harness(WriteMethod method, bool start_import_worker)
    : db(GRIDBILL_METERING_MIGRATIONS_DIR),
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
      import_service(imports, idempotency) {
  if (start_import_worker) imports.StartWorker();
  Server::Options options;
  options.config = TestServerConfig();
  options.services = {&point_service, &reading_service, &import_service};
  options.handle_signals = false;
  auto started = Server::Start(std::move(options));
  INFO(started.status().ToString());
  REQUIRE(started.ok());
  server = std::move(started).value();
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  args.SetMaxReceiveMessageSize(64 << 20);
  channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", server->grpc_port()),
                                      grpc::InsecureChannelCredentials(), args);
  point_stub = v1::MeteringPointService::NewStub(channel);
  reading_stub = v1::ReadingService::NewStub(channel);
  import_stub = v1::ImportService::NewStub(channel);
}

Harness::~Harness() {
  if (server) server->Shutdown();
  server.reset();
  imports.StopWorker();
}

void Harness::AddWho(grpc::ClientContext& ctx, const Who& who) {
  ctx.AddMetadata(kPrincipalHeader, who.principal);
  if (!who.roles.empty()) ctx.AddMetadata(kRolesHeader, who.roles);
  if (!who.participant.empty()) ctx.AddMetadata(kParticipantHeader, who.participant);
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

int64_t Harness::CountRows(const std::string& table) {
  const std::string sql = absl::StrCat("SELECT count(*) FROM ", table);
  auto res = db.pool().Execute(pg::Query{"", sql.c_str()});
  INFO(res.status().ToString());
  REQUIRE(res.ok());
  return (*res)[0].Int(0);
}

}  // namespace gridbill::metering::testing
