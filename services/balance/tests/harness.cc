#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include "../../metering/clock.h"
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
#include "gridbill/pg/query.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/proto_convert.h"
#include "gridbill/server/server.h"
#include "grpcpp/create_channel.h"

namespace gridbill::balance::testing {

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

common::v1::BillingPeriod P(int y, int m) {
  common::v1::BillingPeriod p;
  p.set_year(y);
  p.set_month(m);
  return p;
}

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

namespace {

class MeteringClock final : public metering::Clock {
 public:
  explicit MeteringClock(const TestClock& clock) : clock_(clock) {}
  absl::Time Now() const override { return clock_.Now(); }

 private:
  const TestClock& clock_;
};

ServerConfig TestServerConfig(const char* name, bool metrics) {
  ServerConfig c;
  c.service_name = name;
  c.grpc_address = "127.0.0.1:0";
  c.metrics_address = metrics ? "127.0.0.1:0" : "";
  c.shutdown_grace = absl::Seconds(1);
  c.log_level = "error";
  c.max_message_bytes = 64 << 20;
  return c;
}

std::shared_ptr<grpc::Channel> ChannelTo(int port) {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                   grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<Server> StartServer(const char* name, std::vector<grpc::Service*> services,
                                    bool metrics = false) {
  Server::Options options;
  options.config = TestServerConfig(name, metrics);
  options.services = std::move(services);
  options.handle_signals = false;
  auto started = Server::Start(std::move(options));
  INFO(started.status().ToString());
  REQUIRE(started.ok());
  return std::move(started).value();
}

}  // namespace

struct Suite::Impl {
  Impl(TestClock& clock, FakeDeclarations& declarations, int shard_points)
      : metering_db(GRIDBILL_METERING_MIGRATIONS_DIR),
        metering_clock(clock),
        m_store(metering_db.pool()),
        m_idempotency(metering_db.pool()),
        m_points(m_store, metering_clock),
        m_ingestion(m_store, metering_clock, Almaty(), metering::VeeConfig{}),
        m_readings(m_store, m_ingestion, Almaty()),
        m_estimation(m_store, m_ingestion, metering_clock, Almaty(), metering::EstimationConfig{}),
        m_imports(m_store, m_ingestion, metering_clock, Almaty()),
        m_point_service(m_points, m_idempotency),
        m_reading_service(m_ingestion, m_readings, m_estimation, m_idempotency, Almaty(), 1000000),
        m_import_service(m_imports, m_idempotency),
        balance_db(GRIDBILL_BALANCE_MIGRATIONS_DIR),
        store(balance_db.pool()),
        idempotency(balance_db.pool()) {
    metering_server =
        StartServer("metering", {&m_point_service, &m_reading_service, &m_import_service});
    metering_channel = ChannelTo(metering_server->grpc_port());
    reading_source = std::make_unique<GrpcReadingSource>(metering_channel, 2, absl::Seconds(60));
    // In flight 2: a scheme of a few terms is looked up in several rounds.
    point_directory =
        std::make_unique<GrpcPointDirectory>(metering_channel, absl::Seconds(60), /*in_flight=*/2);
    RunsConfig config;
    config.zone = Almaty();
    config.shard_points = shard_points;
    config.workers = 2;
    config.poll = absl::Milliseconds(50);
    config.worker_id = "test";
    schemes = std::make_unique<Schemes>(store, *point_directory, clock);
    runs = std::make_unique<Runs>(store, *reading_source, declarations, clock, config);
    scheme_service = std::make_unique<SchemeServiceImpl>(*schemes, idempotency);
    balance_service = std::make_unique<BalanceServiceImpl>(*runs, idempotency);
    balance_server = StartServer("balance", {scheme_service.get(), balance_service.get()},
                                 /*metrics=*/true);
    balance_channel = ChannelTo(balance_server->grpc_port());
    metrics = std::make_unique<RunsMetrics>(balance_server->registry());
    runs->SetMetrics(metrics.get());
  }
  ~Impl() {
    if (balance_server) balance_server->Shutdown();
    runs->StopWorkers();
    runs->SetMetrics(nullptr);
    if (metering_server) metering_server->Shutdown();
  }

  pgtest::Database metering_db;
  MeteringClock metering_clock;
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
  std::unique_ptr<Server> metering_server;
  std::shared_ptr<grpc::Channel> metering_channel;

  pgtest::Database balance_db;
  PgStore store;
  pg::PgIdempotency idempotency;
  std::unique_ptr<GrpcReadingSource> reading_source;
  std::unique_ptr<GrpcPointDirectory> point_directory;
  std::unique_ptr<Schemes> schemes;
  std::unique_ptr<Runs> runs;
  std::unique_ptr<SchemeServiceImpl> scheme_service;
  std::unique_ptr<BalanceServiceImpl> balance_service;
  std::unique_ptr<Server> balance_server;
  std::shared_ptr<grpc::Channel> balance_channel;
  // Declared after the server, whose registry holds its series: destroyed first.
  std::unique_ptr<RunsMetrics> metrics;
};

Suite::Suite(absl::Time now, int shard_points) : clock(now) {
  impl_ = std::make_unique<Impl>(clock, declarations, shard_points);
  schemes = v1::SchemeService::NewStub(impl_->balance_channel);
  balance = v1::BalanceService::NewStub(impl_->balance_channel);
  points = metering::v1::MeteringPointService::NewStub(impl_->metering_channel);
  readings = metering::v1::ReadingService::NewStub(impl_->metering_channel);
}

Suite::~Suite() = default;

Runs& Suite::runs() { return *impl_->runs; }

std::unique_ptr<Runs> Suite::NewReplica(const std::string& worker_id) {
  RunsConfig config = impl_->runs->config();
  config.worker_id = worker_id;
  return std::make_unique<Runs>(impl_->store, *impl_->reading_source, declarations, clock, config);
}
pg::Pool& Suite::balance_pool() { return impl_->balance_db.pool(); }

Store& Suite::store() { return impl_->store; }

std::string Suite::ScrapeMetrics() {
  const int port = impl_->balance_server->metrics_port();
  REQUIRE(port > 0);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  const std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  REQUIRE(::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) response.append(buf, static_cast<size_t>(n));
  ::close(fd);
  INFO(response.substr(0, 200));
  REQUIRE(absl::StrContains(response.substr(0, 20), " 200"));
  const size_t body = response.find("\r\n\r\n");
  REQUIRE(body != std::string::npos);
  return response.substr(body + 4);
}

std::shared_ptr<grpc::Channel> Suite::balance_channel() const { return impl_->balance_channel; }

void Suite::AddWho(grpc::ClientContext& ctx, const std::string& participant) {
  ctx.AddMetadata(kPrincipalHeader, participant.empty() ? "operator@kegoc.kz" : "user@p");
  ctx.AddMetadata(kRolesHeader, participant.empty() ? "ROLE_OPERATOR" : "ROLE_PARTICIPANT_USER");
  if (!participant.empty()) ctx.AddMetadata(kParticipantHeader, participant);
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

int64_t Suite::CountRows(const std::string& sql) {
  auto res = impl_->balance_db.pool().Execute(pg::Query{"", sql.c_str()});
  INFO(res.status().ToString());
  REQUIRE(res.ok());
  return (*res)[0].Int(0);
}

}  // namespace gridbill::balance::testing
