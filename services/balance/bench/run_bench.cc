// gridbill_balance_run_bench: a final balance run over one month of
// 15-minute data end to end — the real gridbill-metering and gridbill-balance
// binaries as subprocesses, the run streaming point-days from metering over
// gRPC, computing and storing its results — and in the same run the same
// per-participant hourly sums as one SQL GROUP BY on the metering database.
// Prints the seconds of both, their ratio and each service's peak memory
// (VmHWM). Never passes or fails on a time.
//
//   gridbill_balance_run_bench [--points=10000] [--participants=1000] [--days=31]
//       [--shard_points=500] [--workers=2] [--batch_points=500] [--skip_sql]
//   GRIDBILL_BENCH_METERING / GRIDBILL_BENCH_BALANCE=path: run another build's
//   binaries under the same load (deploy/bench-compare.sh runs both builds)
//
// Points are PT15M with channel 01 in January 2024 (Asia/Almaty); point p
// belongs to participant p % participants, whose transmission scheme adds the
// channel 01 of its points. The cluster is a throwaway one (libs/pgtest).
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gridbill/balance/v1/balance.grpc.pb.h"
#include "gridbill/bench/metering_points.h"
#include "gridbill/bench/processes.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "gridbill/pg/pool.h"
#include "gridbill/pg/query.h"
#include "gridbill/pgtest/pgtest.h"
#include "grpcpp/create_channel.h"

namespace gridbill::balance::bench {
namespace {

using ::gridbill::bench::AddOperator;
using ::gridbill::bench::AlmatyOrDie;
using ::gridbill::bench::BinaryFromEnv;
using ::gridbill::bench::CpuSeconds;
using ::gridbill::bench::CreatePoints;
using ::gridbill::bench::FreePort;
using ::gridbill::bench::PointCode;
using ::gridbill::bench::PostgresCpuSeconds;
using ::gridbill::bench::Spawn;
using ::gridbill::bench::StatusKb;
using ::gridbill::bench::Stop;
using ::gridbill::bench::Value;

namespace mv1 = ::gridbill::metering::v1;
namespace bv1 = ::gridbill::balance::v1;
using Clock = std::chrono::steady_clock;

struct Options {
  int points = 10000;
  int participants = 1000;
  int days = 31;  // of data, from 2024-01-01
  int shard_points = 500;
  int workers = 2;
  int batch_points = 500;
  bool skip_sql = false;
  int hold_seconds = 0;  // keep both services up this long after the run (to try the CLI)
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "run_bench: %s\n", what.c_str());
  std::exit(2);
}

Options ParseFlags(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* name) -> std::optional<int> {
      const std::string prefix = absl::StrCat("--", name, "=");
      if (!absl::StartsWith(arg, prefix)) return std::nullopt;
      int n = 0;
      if (!absl::SimpleAtoi(arg.substr(prefix.size()), &n) || n <= 0) {
        Die(absl::StrCat("bad number in ", arg));
      }
      return n;
    };
    if (auto v = value("points")) {
      o.points = *v;
    } else if (auto v = value("participants")) {
      o.participants = *v;
    } else if (auto v = value("days")) {
      o.days = *v;
    } else if (auto v = value("shard_points")) {
      o.shard_points = *v;
    } else if (auto v = value("workers")) {
      o.workers = *v;
    } else if (auto v = value("batch_points")) {
      o.batch_points = *v;
    } else if (auto v = value("hold_seconds")) {
      o.hold_seconds = *v;
    } else if (arg == "--skip_sql") {
      o.skip_sql = true;
    } else {
      Die(absl::StrCat("unknown argument ", arg,
                       " (flags: --points --participants --days --shard_points --workers "
                       "--batch_points --hold_seconds --skip_sql)"));
    }
  }
  if (o.days > 31) Die("--days: at most 31 (January)");
  if (o.participants > o.points) o.participants = o.points;
  return o;
}

std::shared_ptr<grpc::Channel> Connect(int port, const std::string& what, const std::string& log) {
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(256 << 20);
  args.SetMaxReceiveMessageSize(256 << 20);
  auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                           grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(60))) {
    Die(absl::StrCat(what, " did not start; see ", log));
  }
  return channel;
}

void LoadReadings(mv1::ReadingService::Stub& stub, const Options& o, absl::TimeZone zone) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      grpc::ClientContext ctx;
      AddOperator(ctx);
      mv1::IngestReadingsResponse resp;
      auto writer = stub.IngestReadings(&ctx, &resp);
      mv1::IngestReadingsRequest req;
      for (int d = t; d < o.days; d += 2) {
        const int64_t day_s =
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2024, 1, 1) + d, zone));
        for (int first = 0; first < o.points; first += o.batch_points) {
          req.Clear();
          req.set_request_id(absl::StrCat("bench-", d, "-", first));
          req.set_source(mv1::SOURCE_SCADA);
          for (int p = first; p < std::min(o.points, first + o.batch_points); ++p) {
            mv1::ReadingSeries* s = req.add_series();
            s->set_point_code(PointCode(p));
            s->set_channel(mv1::CHANNEL_ACTIVE_RECEIVED);
            s->mutable_start()->set_seconds(day_s);
            s->set_resolution(mv1::RESOLUTION_PT15M);
            for (int i = 0; i < 96; ++i) s->add_values_wh(Value(p, d, i));
          }
          if (!writer->Write(req)) break;
        }
      }
      writer->WritesDone();
      grpc::Status st = writer->Finish();
      if (!st.ok()) Die(absl::StrCat("IngestReadings: ", st.error_message()));
      if (resp.summary().rejected() > 0) Die("readings rejected");
    });
  }
  for (auto& t : threads) t.join();
}

void DefineSchemes(bv1::SchemeService::Stub& stub, const Options& o) {
  std::vector<std::vector<int>> points(static_cast<size_t>(o.participants));
  for (int p = 0; p < o.points; ++p) points[static_cast<size_t>(p % o.participants)].push_back(p);
  for (int q = 0; q < o.participants; ++q) {
    bv1::DefineSchemeRequest req;
    req.set_request_id(absl::StrCat("bench-scheme-", q));
    bv1::Scheme* s = req.mutable_scheme();
    s->set_kind(bv1::SCHEME_KIND_PARTICIPANT_SERVICE);
    s->set_participant_id(absl::StrCat("bench-", q));
    s->set_service_type(contracts::v1::SERVICE_TYPE_TRANSMISSION);
    s->mutable_valid_from()->set_year(2023);
    s->mutable_valid_from()->set_month(1);
    s->mutable_valid_from()->set_day(1);
    for (int p : points[static_cast<size_t>(q)]) {
      bv1::SchemeTerm* t = s->add_terms();
      t->set_point_code(PointCode(p));
      t->set_channel(mv1::CHANNEL_ACTIVE_RECEIVED);
      t->set_role(bv1::TERM_ROLE_ADD);
    }
    bv1::DefineSchemeResponse resp;
    grpc::ClientContext ctx;
    AddOperator(ctx);
    grpc::Status st = stub.DefineScheme(&ctx, req, &resp);
    if (!st.ok()) Die(absl::StrCat("DefineScheme: ", st.error_message()));
  }
}

int Run(int argc, char** argv) {
  const Options o = ParseFlags(argc, argv);
  const absl::TimeZone zone = AlmatyOrDie("run_bench");
  const int64_t readings = static_cast<int64_t>(o.points) * o.days * 96;
  std::printf(
      "balance run benchmark: %d points x %d days x 96 = %lld readings, %d participants, "
      "final run of 2024-01 (744 hours), shards of %d points, %d workers\n",
      o.points, o.days, static_cast<long long>(readings), o.participants, o.shard_points,
      o.workers);
  std::fflush(stdout);

  pgtest::Database metering_db(std::vector<pg::MigrationFile>{}, 2);
  pgtest::Database balance_db(std::vector<pg::MigrationFile>{}, 2);
  const std::string dir =
      std::filesystem::temp_directory_path() / absl::StrCat("gridbill-balance-bench-", getpid());
  std::filesystem::create_directories(dir);

  const int metering_port = FreePort();
  const pid_t metering =
      Spawn(BinaryFromEnv("GRIDBILL_BENCH_METERING", GRIDBILL_METERING_BINARY),
            {absl::StrCat("--database_url=", metering_db.conninfo()),
             absl::StrCat("--grpc_address=127.0.0.1:", metering_port),
             "--metrics_address=", "--log_level=warn", "--max_message_bytes=268435456"},
            dir + "/metering.log");
  auto metering_channel = Connect(metering_port, "gridbill-metering", dir + "/metering.log");
  auto points = mv1::MeteringPointService::NewStub(metering_channel);
  auto reading_stub = mv1::ReadingService::NewStub(metering_channel);
  Clock::time_point t0 = Clock::now();
  CreatePoints(*points, o.points, o.participants, "run_bench");
  LoadReadings(*reading_stub, o, zone);
  std::printf("loaded %d points and %lld readings into metering in %.1f s (not measured)\n",
              o.points, static_cast<long long>(readings),
              std::chrono::duration<double>(Clock::now() - t0).count());
  std::fflush(stdout);

  const int balance_port = FreePort();
  const pid_t balance =
      Spawn(BinaryFromEnv("GRIDBILL_BENCH_BALANCE", GRIDBILL_BALANCE_BINARY),
            {absl::StrCat("--database_url=", balance_db.conninfo()),
             absl::StrCat("--grpc_address=127.0.0.1:", balance_port), "--metrics_address=",
             "--log_level=warn", absl::StrCat("--metering_address=127.0.0.1:", metering_port),
             "--contracts_address=", absl::StrCat("--shard_points=", o.shard_points),
             absl::StrCat("--workers=", o.workers), "--max_message_bytes=268435456"},
            dir + "/balance.log");
  auto balance_channel = Connect(balance_port, "gridbill-balance", dir + "/balance.log");
  auto schemes = bv1::SchemeService::NewStub(balance_channel);
  auto runs = bv1::BalanceService::NewStub(balance_channel);
  DefineSchemes(*schemes, o);

  // --- the run, end to end ---
  const double balance_cpu0 = CpuSeconds(balance);
  const double metering_cpu0 = CpuSeconds(metering);
  const double pg_cpu0 = PostgresCpuSeconds();
  const Clock::time_point run_start = Clock::now();
  bv1::StartRunRequest start;
  start.set_request_id("bench-run");
  start.mutable_period()->set_year(2024);
  start.mutable_period()->set_month(1);
  start.set_type(bv1::RUN_TYPE_FINAL);
  bv1::StartRunResponse started;
  {
    grpc::ClientContext ctx;
    AddOperator(ctx);
    grpc::Status st = runs->StartRun(&ctx, start, &started);
    if (!st.ok()) Die(absl::StrCat("StartRun: ", st.error_message()));
  }
  bv1::BalanceRun run = started.run();
  while (run.job().state() == common::v1::JOB_STATE_PENDING ||
         run.job().state() == common::v1::JOB_STATE_RUNNING) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    bv1::GetRunRequest get;
    get.set_run_id(run.id());
    bv1::GetRunResponse got;
    grpc::ClientContext ctx;
    AddOperator(ctx);
    grpc::Status st = runs->GetRun(&ctx, get, &got);
    if (!st.ok()) Die(absl::StrCat("GetRun: ", st.error_message()));
    run = got.run();
  }
  const double run_s = std::chrono::duration<double>(Clock::now() - run_start).count();
  const double balance_cpu = CpuSeconds(balance) - balance_cpu0;
  const double metering_cpu = CpuSeconds(metering) - metering_cpu0;
  const double pg_cpu = PostgresCpuSeconds() - pg_cpu0;
  if (run.job().state() != common::v1::JOB_STATE_SUCCEEDED) {
    Die(absl::StrCat("the run ended ", run.job().state(), ": ", run.job().error()));
  }
  // Every page of the run's totals (older builds answer in one page).
  int64_t run_total = 0;
  bv1::ListRunTotalsRequest treq;
  treq.set_run_id(run.id());
  treq.set_page_size(1000);
  for (;;) {
    bv1::ListRunTotalsResponse totals;
    grpc::ClientContext ctx;
    AddOperator(ctx);
    grpc::Status st = runs->ListRunTotals(&ctx, treq, &totals);
    if (!st.ok()) Die(absl::StrCat("ListRunTotals: ", st.error_message()));
    for (const auto& t : totals.services()) run_total += t.actual_wh();
    if (totals.next_page_token().empty()) break;
    treq.set_page_token(totals.next_page_token());
  }
  const int64_t balance_kb = StatusKb(balance, "VmHWM");
  const int64_t metering_kb = StatusKb(metering, "VmHWM");
  std::printf(
      "run   final run end to end (StreamPointDays -> compute -> COPY results): %.2f s, "
      "%lld point-days, %lld participant-hour results, total %lld Wh\n",
      run_s, static_cast<long long>(run.summary().point_days()),
      static_cast<long long>(run.summary().service_hours()), static_cast<long long>(run_total));
  std::printf("      CPU seconds during the run: balance %.2f, metering %.2f, PostgreSQL %.2f\n",
              balance_cpu, metering_cpu, pg_cpu);
  std::printf("      peak memory VmHWM: balance %.1f MB, metering %.1f MB\n",
              static_cast<double>(balance_kb) / 1024, static_cast<double>(metering_kb) / 1024);
  std::fflush(stdout);
  if (o.hold_seconds > 0) {
    std::printf("holding for %d s: balance at 127.0.0.1:%d, metering at 127.0.0.1:%d\n",
                o.hold_seconds, balance_port, metering_port);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(o.hold_seconds));
  }
  Stop(balance);

  // --- the SQL baseline: the same per-participant hourly sums, one GROUP BY ---
  if (!o.skip_sql) {
    const char* sql =
        "SELECT count(*), coalesce(sum(s), 0) FROM ("
        " SELECT m.assign_participants[1] AS participant,"
        "  date_trunc('hour', (d.day::timestamp AT TIME ZONE 'Asia/Almaty')"
        "   + (u.i - 1) * interval '15 minutes') AS hour, sum(u.v) AS s"
        " FROM (SELECT DISTINCT ON (point_id, channel, day) point_id, day, vals"
        "  FROM reading_days WHERE channel = 1 AND day BETWEEN '2024-01-01' AND '2024-01-31'"
        "  ORDER BY point_id, channel, day, revision DESC) d"
        " JOIN metering_points m ON m.id = d.point_id"
        " CROSS JOIN LATERAL unnest(d.vals) WITH ORDINALITY AS u(v, i)"
        " GROUP BY 1, 2) q";
    const Clock::time_point sql_start = Clock::now();
    int64_t groups = 0;
    int64_t sql_total = 0;
    // No statement timeout for the baseline (the pool's default is 60 s).
    absl::Status st = metering_db.pool().Transact([&](pg::Transaction& tx) -> absl::Status {
      absl::Status s = tx.ExecuteScript("SET LOCAL statement_timeout = 0");
      if (!s.ok()) return s;
      absl::StatusOr<pg::Result> res = tx.Execute(pg::Query{"", sql});
      if (!res.ok()) return res.status();
      groups = (*res)[0].Int(0);
      sql_total = (*res)[0].Int(1);
      return absl::OkStatus();
    });
    const double sql_s = std::chrono::duration<double>(Clock::now() - sql_start).count();
    if (!st.ok()) Die(std::string(st.message()));
    std::printf(
        "sql   one GROUP BY on the metering database (latest revisions, per participant "
        "and hour): %.2f s, %lld groups, total %lld Wh\n",
        sql_s, static_cast<long long>(groups), static_cast<long long>(sql_total));
    std::printf("ratio run / SQL: %.2f (below 1: the run is faster)\n", run_s / sql_s);
    if (sql_total != run_total) {
      std::printf("WARNING: the run's total %lld Wh differs from the SQL total %lld Wh\n",
                  static_cast<long long>(run_total), static_cast<long long>(sql_total));
    }
  }
  Stop(metering);
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace gridbill::balance::bench

int main(int argc, char** argv) { return gridbill::balance::bench::Run(argc, argv); }
