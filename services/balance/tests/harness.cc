#include "harness.h"

#include "../../metering/estimation.h"
#include "../../metering/imports.h"
#include "../../metering/ingestion.h"
#include "../../metering/metering_service.h"
#include "../../metering/pg_store.h"
#include "../../metering/points.h"
#include "../../metering/readings.h"
#include "../balance_service.h"
#include "../grpc_sources.h"
#include "../metrics.h"
#include "../pg_store.h"
#include "../schemes.h"
#include "absl/strings/str_cat.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::balance::testing {

metering::v1::Reading R(const std::string& point, absl::Time start, int64_t wh,
                        metering::v1::Channel channel, metering::v1::Quality quality) {
  metering::v1::Reading r;
  r.set_point_code(point);
  r.set_channel(channel);
  *r.mutable_interval_start() = ToProtoTime(start);
  r.set_value_wh(wh);
  r.set_quality(quality);
  return r;
}

struct Suite::Impl {
  Impl(FakeClock& clock, FakeDeclarations& declarations, int shard_points)
      : metering_base(GRIDBILL_METERING_MIGRATIONS_DIR, {.service_name = "metering"}),
        m_store(metering_base.pool()),
        m_idempotency(metering_base.pool()),
        m_points(m_store, clock),
        m_ingestion(m_store, clock, Almaty(), metering::VeeConfig{}),
        m_readings(m_store, m_ingestion, Almaty()),
        m_estimation(m_store, m_ingestion, clock, Almaty(), metering::EstimationConfig{}),
        m_imports(m_store, m_ingestion, clock, Almaty()),
        m_point_service(m_points, m_idempotency),
        m_reading_service(m_ingestion, m_readings, m_estimation, m_idempotency, Almaty(), 1000000),
        m_import_service(m_imports, m_idempotency),
        balance_base(GRIDBILL_BALANCE_MIGRATIONS_DIR, {.service_name = "balance", .metrics = true}),
        store(balance_base.pool()),
        idempotency(balance_base.pool()),
        metrics(balance_base.registry()) {
    metering_base.Start({&m_point_service, &m_reading_service, &m_import_service});
    reading_source =
        std::make_unique<GrpcReadingSource>(metering_base.channel(), 2, absl::Seconds(60));
    // In flight 2: a scheme of a few terms is looked up in several rounds.
    point_directory = std::make_unique<GrpcPointDirectory>(metering_base.channel(),
                                                           absl::Seconds(60), /*in_flight=*/2);
    RunsConfig config;
    config.zone = Almaty();
    config.shard_points = shard_points;
    config.workers = 2;
    config.poll = absl::Milliseconds(50);
    config.worker_id = "test";
    schemes = std::make_unique<Schemes>(store, *point_directory, clock);
    runs = std::make_unique<Runs>(store, *reading_source, declarations, clock, config, metrics);
    scheme_service = std::make_unique<SchemeServiceImpl>(*schemes, idempotency);
    balance_service = std::make_unique<BalanceServiceImpl>(*runs, idempotency);
    balance_base.Start({scheme_service.get(), balance_service.get()});
  }
  ~Impl() {
    balance_base.Stop();
    runs->StopWorkers();
    metering_base.Stop();
  }

  ::gridbill::testing::ServiceHarness metering_base;
  metering::PgStore m_store;
  pg::PgIdempotency m_idempotency;
  metering::Points m_points;
  metering::Ingestion m_ingestion;
  metering::Readings m_readings;
  metering::Estimation m_estimation;
  metering::ImportJobs m_imports;
  metering::MeteringPointServiceImpl m_point_service;
  metering::ReadingServiceImpl m_reading_service;
  metering::ImportServiceImpl m_import_service;

  ::gridbill::testing::ServiceHarness balance_base;
  PgStore store;
  pg::PgIdempotency idempotency;
  RunsMetrics metrics;
  std::unique_ptr<GrpcReadingSource> reading_source;
  std::unique_ptr<GrpcPointDirectory> point_directory;
  std::unique_ptr<Schemes> schemes;
  std::unique_ptr<Runs> runs;
  std::unique_ptr<SchemeServiceImpl> scheme_service;
  std::unique_ptr<BalanceServiceImpl> balance_service;
};

Suite::Suite(absl::Time now, int shard_points) : clock(now) {
  impl_ = std::make_unique<Impl>(clock, declarations, shard_points);
  schemes = v1::SchemeService::NewStub(impl_->balance_base.channel());
  balance = v1::BalanceService::NewStub(impl_->balance_base.channel());
  points = metering::v1::MeteringPointService::NewStub(impl_->metering_base.channel());
  readings = metering::v1::ReadingService::NewStub(impl_->metering_base.channel());
}

Suite::~Suite() = default;

Runs& Suite::runs() { return *impl_->runs; }

std::unique_ptr<Runs> Suite::NewReplica(const std::string& worker_id) {
  RunsConfig config = impl_->runs->config();
  config.worker_id = worker_id;
  return std::make_unique<Runs>(impl_->store, *impl_->reading_source, declarations, clock, config,
                                impl_->metrics);
}

pg::Pool& Suite::balance_pool() { return impl_->balance_base.pool(); }

Store& Suite::store() { return impl_->store; }

RunsMetrics& Suite::metrics() { return impl_->metrics; }

std::string Suite::ScrapeMetrics() { return impl_->balance_base.ScrapeMetrics(); }

std::shared_ptr<grpc::Channel> Suite::balance_channel() const {
  return impl_->balance_base.channel();
}

void Suite::AddWho(grpc::ClientContext& ctx, const std::string& participant) {
  ::gridbill::testing::AddWho(
      ctx, participant.empty()
               ? ::gridbill::testing::Who()
               : ::gridbill::testing::Who{"user@p", "ROLE_PARTICIPANT_USER", participant});
}

void Suite::CreatePoint(const std::string& code, metering::v1::Resolution resolution,
                        const std::string& participant, common::v1::Date from) {
  metering::v1::CreateMeteringPointRequest req;
  req.set_request_id(NewRequestId());
  metering::v1::MeteringPoint* p = req.mutable_point();
  p->set_code(code);
  p->set_name(absl::StrCat("Point ", code));
  p->set_substation_code("PS-500-EKIBASTUZ");
  p->set_voltage_level_code("220");
  p->add_channels()->set_channel(metering::v1::CHANNEL_ACTIVE_RECEIVED);
  p->add_channels()->set_channel(metering::v1::CHANNEL_ACTIVE_DELIVERED);
  p->set_resolution(resolution);
  p->set_status(metering::v1::METERING_POINT_STATUS_ACTIVE);
  *p->mutable_valid_from() = from;
  metering::v1::Assignment* a = p->add_assignments();
  a->set_participant_id(participant);
  *a->mutable_valid_from() = from;
  metering::v1::CreateMeteringPointResponse resp;
  grpc::ClientContext ctx;
  AddWho(ctx);
  REQUIRE_OK(points->CreateMeteringPoint(&ctx, req, &resp));
}

void Suite::Ingest(const std::vector<metering::v1::Reading>& batch) {
  grpc::ClientContext ctx;
  AddWho(ctx);
  metering::v1::IngestReadingsResponse resp;
  auto writer = readings->IngestReadings(&ctx, &resp);
  metering::v1::IngestReadingsRequest req;
  req.set_request_id(NewRequestId());
  req.set_source(metering::v1::SOURCE_SCADA);
  for (const auto& r : batch) *req.add_readings() = r;
  REQUIRE(writer->Write(req));
  writer->WritesDone();
  REQUIRE_OK(writer->Finish());
  INFO(resp.summary().DebugString());
  REQUIRE(resp.summary().rejected() == 0);
}

grpc::Status Suite::DefineScheme(const v1::Scheme& scheme, v1::Scheme* out) {
  v1::DefineSchemeRequest req;
  req.set_request_id(NewRequestId());
  *req.mutable_scheme() = scheme;
  v1::DefineSchemeResponse resp;
  grpc::ClientContext ctx;
  AddWho(ctx);
  grpc::Status st = schemes->DefineScheme(&ctx, req, &resp);
  if (out) *out = resp.scheme();
  return st;
}

grpc::Status Suite::StartRun(const v1::StartRunRequest& in, v1::BalanceRun* out) {
  v1::StartRunRequest req = in;
  if (req.request_id().empty()) req.set_request_id(NewRequestId());
  v1::StartRunResponse resp;
  grpc::ClientContext ctx;
  AddWho(ctx);
  grpc::Status st = balance->StartRun(&ctx, req, &resp);
  *out = resp.run();
  return st;
}

v1::BalanceRun Suite::GetRun(const std::string& id) {
  v1::GetRunRequest req;
  req.set_run_id(id);
  v1::GetRunResponse resp;
  grpc::ClientContext ctx;
  AddWho(ctx);
  REQUIRE_OK(balance->GetRun(&ctx, req, &resp));
  return resp.run();
}

v1::BalanceRun Suite::Finish(const std::string& id) {
  while (true) {
    absl::StatusOr<bool> worked = runs().WorkOnce();
    INFO(worked.status().ToString());
    REQUIRE(worked.ok());
    if (!*worked) break;
  }
  return GetRun(id);
}

std::vector<v1::ServiceHour> Suite::AllServiceHours(const std::string& run_id,
                                                    const std::string& participant) {
  std::vector<v1::ServiceHour> out;
  std::string token;
  do {
    v1::ListServiceHoursRequest req;
    req.set_run_id(run_id);
    req.set_participant_id(participant);
    req.set_page_size(500);
    req.set_page_token(token);
    v1::ListServiceHoursResponse resp;
    grpc::ClientContext ctx;
    AddWho(ctx);
    REQUIRE_OK(balance->ListServiceHours(&ctx, req, &resp));
    for (const auto& h : resp.hours()) out.push_back(h);
    token = resp.next_page_token();
  } while (!token.empty());
  return out;
}

int64_t Suite::CountRows(const std::string& sql) { return impl_->balance_base.QueryInt(sql); }

}  // namespace gridbill::balance::testing
