// An import survives its service being killed: the real gridbill-metering
// imports a file of many points, is SIGKILLed halfway and started again on
// the same database. The import resumes from its stored file and ends with
// every reading stored exactly once, its summary counting the points stored
// before the kill too; the stored upload is gone once it ended, and the
// runner's gridbill_jobs_* series are on /metrics.
#include <libpq-fe.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "harness.h"

namespace gridbill::suite {
namespace {

namespace mv1 = ::gridbill::metering::v1;

constexpr char kMeteringBin[] = GRIDBILL_METERING_BIN;
constexpr int kPoints = 800;   // one job piece each
constexpr int kPerPoint = 96;  // one day of quarter hours

int64_t Count(const std::string& conninfo, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  INFO(sql << ": " << PQerrorMessage(conn.get()));
  REQUIRE(PQresultStatus(res.get()) == PGRES_TUPLES_OK);
  return std::stoll(PQgetvalue(res.get(), 0, 0));
}

struct Metering {
  std::string address = "127.0.0.1:" + std::to_string(FreePort());
  int metrics_port = FreePort();
  std::unique_ptr<Process> process;
  std::shared_ptr<grpc::Channel> channel;

  Metering(const std::string& db, const TempDir& dir, const std::string& name) {
    Env env = {
        {"GRIDBILL_DATABASE_URL", db},
        {"GRIDBILL_GRPC_ADDRESS", address},
        {"GRIDBILL_METRICS_ADDRESS", "127.0.0.1:" + std::to_string(metrics_port)},
        {"GRIDBILL_SHUTDOWN_GRACE", "2s"},
        {"GRIDBILL_IMPORT_LEASE", "2s"},
        {"GRIDBILL_WORKER_ID", name},
        {"GRIDBILL_MAX_MESSAGE_BYTES", "67108864"},
    };
    process = Process::Start({kMeteringBin}, env, dir.File(name + ".log"));
    const auto deadline = std::chrono::steady_clock::now() + seconds(90);
    std::string status;
    while (std::chrono::steady_clock::now() < deadline && process->Running()) {
      status = HealthStatus(address, "", milliseconds(1000));
      if (status == "SERVING") break;
      std::this_thread::sleep_for(milliseconds(100));
    }
    INFO("health: " << status << "\nlog:\n" << process->Log());
    REQUIRE(status == "SERVING");
    grpc::ChannelArguments args;
    args.SetMaxSendMessageSize(64 << 20);
    channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  }
};

std::string Code(int p) { return absl::StrCat("MP-K", p); }

void CreatePoints(mv1::MeteringPointService::Stub& stub) {
  for (int i = 0; i < kPoints; ++i) {
    mv1::CreateMeteringPointRequest req;
    req.set_request_id(absl::StrCat("point-", i));
    mv1::MeteringPoint* p = req.mutable_point();
    p->set_code(Code(i));
    p->set_name(absl::StrCat("Point ", i));
    p->set_substation_code("PS-500-EKIBASTUZ");
    p->set_voltage_level_code("220");
    p->add_channels()->set_channel(mv1::CHANNEL_ACTIVE_RECEIVED);
    p->set_resolution(mv1::RESOLUTION_PT15M);
    p->set_status(mv1::METERING_POINT_STATUS_ACTIVE);
    p->mutable_valid_from()->set_year(2024);
    p->mutable_valid_from()->set_month(1);
    p->mutable_valid_from()->set_day(1);
    mv1::Assignment* a = p->add_assignments();
    a->set_participant_id("p-1");
    *a->mutable_valid_from() = p->valid_from();
    mv1::CreateMeteringPointResponse resp;
    grpc::ClientContext ctx;
    grpc::Status st = stub.CreateMeteringPoint(&ctx, req, &resp);
    INFO(st.error_message());
    REQUIRE(st.ok());
  }
}

std::string File() {
  std::string csv = "point_code,channel,interval_start,value\n";
  for (int p = 0; p < kPoints; ++p) {
    for (int q = 0; q < kPerPoint; ++q) {
      absl::StrAppend(&csv, Code(p), ",01,2024-01-15 ", absl::Dec(q / 4, absl::kZeroPad2), ":",
                      absl::Dec(q % 4 * 15, absl::kZeroPad2), ",", 1000 + p + q, "\n");
    }
  }
  return csv;
}

mv1::GetImportJobResponse GetJob(grpc::Channel& channel, const std::string& id) {
  auto stub =
      mv1::ImportService::NewStub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  mv1::GetImportJobRequest req;
  req.set_job_id(id);
  mv1::GetImportJobResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
  grpc::Status st = stub->GetImportJob(&ctx, req, &resp);
  INFO(st.error_message());
  REQUIRE(st.ok());
  return resp;
}

TEST_CASE("metering: an import whose service is SIGKILLed halfway resumes after a restart",
          "[suite][metering]") {
  TempDir dir;
  const std::string db = CreateDatabase("suite_metering_kill");
  auto first = std::make_unique<Metering>(db, dir, "first");
  CreatePoints(*mv1::MeteringPointService::NewStub(first->channel));

  mv1::StartImportRequest start;
  start.set_request_id("kill-import");
  start.set_file_name("big.csv");
  start.set_content(File());
  start.set_format(mv1::IMPORT_FORMAT_CSV);
  start.set_unit(mv1::ENERGY_UNIT_WH);
  mv1::StartImportResponse started;
  {
    grpc::ClientContext ctx;
    grpc::Status st =
        mv1::ImportService::NewStub(first->channel)->StartImport(&ctx, start, &started);
    INFO(st.error_message());
    REQUIRE(st.ok());
  }
  const std::string id = started.job().id();

  // Kill it once it has stored some points but not all.
  int64_t done_at_kill = 0;
  const auto deadline = std::chrono::steady_clock::now() + seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    done_at_kill = GetJob(*first->channel, id).job().done();
    if (done_at_kill >= kPoints / 10) break;
    std::this_thread::sleep_for(milliseconds(5));
  }
  first->process->Signal(SIGKILL);
  REQUIRE(first->process->WaitExit(seconds(10)).has_value());
  INFO("points stored before the kill: " << done_at_kill);
  REQUIRE(done_at_kill > 0);
  REQUIRE(done_at_kill < kPoints);  // else the import ended before the kill: enlarge the file
  const int64_t stored_before = Count(db, "SELECT count(*) FROM reading_days");
  CHECK(stored_before >= done_at_kill);
  CHECK(stored_before < kPoints);

  // Started again on the same database: the import resumes by itself.
  Metering second(db, dir, "second");
  mv1::GetImportJobResponse last;
  const auto until = std::chrono::steady_clock::now() + seconds(180);
  while (std::chrono::steady_clock::now() < until) {
    last = GetJob(*second.channel, id);
    if (last.job().state() != common::v1::JOB_STATE_PENDING &&
        last.job().state() != common::v1::JOB_STATE_RUNNING) {
      break;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  INFO(last.job().error() << "\n" << second.process->Log());
  REQUIRE(last.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(last.job().done() == kPoints);
  CHECK(last.job().total() == kPoints);
  // The summary counts every reading once, those stored before the kill too.
  CHECK(last.summary().accepted() == int64_t{kPoints} * kPerPoint);
  CHECK(last.summary().unchanged() == 0);
  CHECK(last.summary().revised() == 0);
  CHECK(last.summary().rejected() == 0);
  // Every reading stored exactly once: one first revision per point-day.
  CHECK(Count(db, "SELECT count(*) FROM reading_days") == kPoints);
  CHECK(Count(db, "SELECT count(*) FROM reading_days WHERE revision <> 1") == 0);
  CHECK(Count(db, "SELECT count(DISTINCT point_id) FROM reading_days") == kPoints);
  // The stored upload is deleted once the import ended.
  const auto gone = std::chrono::steady_clock::now() + seconds(30);
  while (Count(db, "SELECT count(*) FROM import_files") > 0 &&
         std::chrono::steady_clock::now() < gone) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  CHECK(Count(db, "SELECT count(*) FROM import_files") == 0);

  // The restarted replica's runner counted the job it finished.
  std::string error;
  auto metrics = HttpGet("127.0.0.1", second.metrics_port, "/metrics", seconds(10), &error);
  INFO(error);
  REQUIRE(metrics.has_value());
  CHECK(metrics->body.find(
            "gridbill_jobs_ended_total{kind=\"metering.import\",state=\"succeeded\"} 1") !=
        std::string::npos);
  CHECK(metrics->body.find("gridbill_jobs_pieces_done_total{kind=\"metering.import\"}") !=
        std::string::npos);
}

}  // namespace
}  // namespace gridbill::suite
