// gridbill_metering_ingest_bench: one month of 15-minute data for N points
// streamed through the gRPC IngestReadings API of the real gridbill-metering
// binary (a subprocess, validation on) into PostgreSQL, and in the same run
// the same readings loaded with psql `\copy` from a CSV file into a plain
// table keyed by (point, channel, interval). Prints readings per second for
// both, their ratio and the service's peak memory (VmHWM). Never passes or
// fails on a time.
//
//   gridbill_metering_ingest_bench [--points=10000] [--days=31] [--batch_points=500]
//       [--form=series|readings] [--streams=2] [--skip_copy] [--resend]
//   GRIDBILL_BENCH_METERING=path: run another build's gridbill-metering under
//   the same load (deploy/bench-compare.sh runs both builds)
//
// The database is a throwaway cluster the benchmark starts itself
// (libs/pgtest: initdb + pg_ctl as user postgres, fsync off), shared by both
// measurements.
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
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
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gridbill/bench/metering_points.h"
#include "gridbill/bench/processes.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "gridbill/pg/pool.h"
#include "gridbill/pg/query.h"
#include "gridbill/pgtest/pgtest.h"
#include "grpcpp/create_channel.h"

namespace gridbill::metering::bench {
namespace {

using ::gridbill::bench::AlmatyOrDie;
using ::gridbill::bench::CpuSeconds;
using ::gridbill::bench::CreatePoints;
using ::gridbill::bench::FreePort;
using ::gridbill::bench::PointCode;
using ::gridbill::bench::PostgresCpuSeconds;
using ::gridbill::bench::SelfCpuSeconds;
using ::gridbill::bench::Spawn;
using ::gridbill::bench::StatusKb;
using ::gridbill::bench::Value;

namespace v1 = ::gridbill::metering::v1;
using Clock = std::chrono::steady_clock;

struct Options {
  int points = 10000;
  int days = 31;  // from 2024-01-01
  int batch_points = 500;
  std::string form = "series";
  int streams = 2;
  bool skip_copy = false;
  bool resend = false;
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "ingest_bench: %s\n", what.c_str());
  std::exit(2);
}

Options ParseFlags(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* name) -> std::optional<std::string> {
      const std::string prefix = absl::StrCat("--", name, "=");
      if (absl::StartsWith(arg, prefix)) return arg.substr(prefix.size());
      return std::nullopt;
    };
    auto number = [&](const std::string& v) {
      int n = 0;
      if (!absl::SimpleAtoi(v, &n) || n <= 0) Die(absl::StrCat("bad number in ", arg));
      return n;
    };
    if (auto v = value("points")) {
      o.points = number(*v);
    } else if (auto v = value("days")) {
      o.days = number(*v);
    } else if (auto v = value("batch_points")) {
      o.batch_points = number(*v);
    } else if (auto v = value("streams")) {
      o.streams = number(*v);
    } else if (auto v = value("form")) {
      if (*v != "series" && *v != "readings") Die("--form is series or readings");
      o.form = *v;
    } else if (arg == "--skip_copy") {
      o.skip_copy = true;
    } else if (arg == "--resend") {
      o.resend = true;
    } else {
      Die(absl::StrCat(
          "unknown argument ", arg,
          " (flags: --points --days --batch_points --form --streams --skip_copy --resend)"));
    }
  }
  if (o.days > 31) Die("--days: at most 31 (one month)");
  return o;
}

pid_t StartService(const std::string& conninfo, int port, const std::string& log_path) {
  return Spawn(
      ::gridbill::bench::BinaryFromEnv("GRIDBILL_BENCH_METERING", GRIDBILL_METERING_BINARY),
      {absl::StrCat("--database_url=", conninfo), absl::StrCat("--grpc_address=127.0.0.1:", port),
       "--metrics_address=", "--log_level=warn", "--max_message_bytes=268435456"},
      log_path);
}

// One message: `count` points from `first`, one local day.
void FillBatch(const Options& o, int first, int count, int d, absl::TimeZone zone,
               v1::IngestReadingsRequest& req) {
  req.Clear();
  req.set_request_id(absl::StrCat("bench-", d, "-", first));
  req.set_source(v1::SOURCE_SCADA);
  const absl::Time day = absl::FromCivil(absl::CivilDay(2024, 1, 1) + d, zone);
  const int64_t day_s = absl::ToUnixSeconds(day);
  for (int p = first; p < first + count; ++p) {
    if (o.form == "series") {
      v1::ReadingSeries* s = req.add_series();
      s->set_point_code(PointCode(p));
      s->set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
      s->mutable_start()->set_seconds(day_s);
      s->set_resolution(v1::RESOLUTION_PT15M);
      auto* values = s->mutable_values_wh();
      values->Reserve(96);
      for (int i = 0; i < 96; ++i) values->AddAlreadyReserved(Value(p, d, i));
    } else {
      const std::string code = PointCode(p);
      for (int i = 0; i < 96; ++i) {
        v1::Reading* r = req.add_readings();
        r->set_point_code(code);
        r->set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
        r->mutable_interval_start()->set_seconds(day_s + i * 900);
        r->set_value_wh(Value(p, d, i));
      }
    }
  }
}

struct IngestResult {
  double seconds = 0;
  int64_t accepted = 0;
  int64_t unchanged = 0;
  int64_t rejected = 0;
};

// Days are split between `streams` client streams (each a thread).
IngestResult Ingest(const Options& o, v1::ReadingService::Stub& stub, absl::TimeZone zone) {
  std::atomic<int64_t> accepted{0};
  std::atomic<int64_t> unchanged{0};
  std::atomic<int64_t> rejected{0};
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.streams; ++t) {
    threads.emplace_back([&, t] {
      grpc::ClientContext ctx;
      v1::IngestReadingsResponse resp;
      auto writer = stub.IngestReadings(&ctx, &resp);
      v1::IngestReadingsRequest req;
      for (int d = t; d < o.days; d += o.streams) {
        for (int first = 0; first < o.points; first += o.batch_points) {
          FillBatch(o, first, std::min(o.batch_points, o.points - first), d, zone, req);
          if (!writer->Write(req)) break;
        }
      }
      writer->WritesDone();
      grpc::Status st = writer->Finish();
      if (!st.ok()) Die(absl::StrCat("IngestReadings: ", st.error_message()));
      accepted += resp.summary().accepted();
      unchanged += resp.summary().unchanged();
      rejected += resp.summary().rejected();
      if (resp.summary().rejections_size() > 0) {
        std::fprintf(stderr, "first rejection: %s\n",
                     resp.summary().rejections(0).reason().c_str());
      }
    });
  }
  for (auto& t : threads) t.join();
  IngestResult r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.accepted = accepted;
  r.unchanged = unchanged;
  r.rejected = rejected;
  return r;
}

// The CSV of the same readings (not timed).
void WriteCsv(const Options& o, absl::TimeZone zone, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) Die(absl::StrCat("cannot write ", path));
  std::string buf;
  buf.reserve(1 << 22);
  for (int d = 0; d < o.days; ++d) {
    const absl::Time day = absl::FromCivil(absl::CivilDay(2024, 1, 1) + d, zone);
    std::vector<std::string> times;
    for (int i = 0; i < 96; ++i) {
      times.push_back(
          absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", day + absl::Minutes(15 * i), absl::UTCTimeZone()));
    }
    for (int p = 0; p < o.points; ++p) {
      const std::string code = PointCode(p);
      for (int i = 0; i < 96; ++i) {
        absl::StrAppend(&buf, code, ",1,", times[i], ",", Value(p, d, i), "\n");
      }
      if (buf.size() > (1 << 22) - 8192) {
        std::fwrite(buf.data(), 1, buf.size(), f);
        buf.clear();
      }
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  std::fclose(f);
}

int64_t Count(pg::Pool& pool, const char* sql) {
  auto res = pool.Execute(pg::Query{"", sql});
  if (!res.ok()) Die(std::string(res.status().message()));
  return (*res)[0].Int(0);
}

int Run(int argc, char** argv) {
  const Options o = ParseFlags(argc, argv);
  const absl::TimeZone zone = AlmatyOrDie("ingest_bench");
  const int64_t total = static_cast<int64_t>(o.points) * o.days * 96;
  std::printf(
      "metering ingest benchmark: %d points x %d days x 96 = %lld readings (form %s, "
      "%d stream(s), %d points a message)\n",
      o.points, o.days, static_cast<long long>(total), o.form.c_str(), o.streams, o.batch_points);
  std::fflush(stdout);

  pgtest::Database service_db(std::vector<pg::MigrationFile>{}, 2);
  pgtest::Database plain_db(std::vector<pg::MigrationFile>{}, 2);
  const std::string dir =
      std::filesystem::temp_directory_path() / absl::StrCat("gridbill-ingest-bench-", getpid());
  std::filesystem::create_directories(dir);

  // --- the API path ---
  const int port = FreePort();
  const pid_t pid = StartService(service_db.conninfo(), port, dir + "/metering.log");
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(256 << 20);
  args.SetMaxReceiveMessageSize(256 << 20);
  auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                           grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30))) {
    Die(absl::StrCat("gridbill-metering did not start; see ", dir, "/metering.log"));
  }
  auto points = v1::MeteringPointService::NewStub(channel);
  auto readings = v1::ReadingService::NewStub(channel);
  const Clock::time_point created_at = Clock::now();
  CreatePoints(*points, o.points, 50, "ingest_bench");
  std::printf("created %d points in %.1f s; service VmHWM after start %lld kB\n", o.points,
              std::chrono::duration<double>(Clock::now() - created_at).count(),
              static_cast<long long>(StatusKb(pid, "VmHWM")));
  std::fflush(stdout);

  const double service_cpu0 = CpuSeconds(pid);
  const double pg_cpu0 = PostgresCpuSeconds();
  const double client_cpu0 = SelfCpuSeconds();
  const IngestResult api = Ingest(o, *readings, zone);
  const double service_cpu = CpuSeconds(pid) - service_cpu0;
  const double pg_cpu = PostgresCpuSeconds() - pg_cpu0;
  const double client_cpu = SelfCpuSeconds() - client_cpu0;
  const int64_t hwm_kb = StatusKb(pid, "VmHWM");
  const int64_t stored =
      Count(service_db.pool(), "SELECT coalesce(sum(cardinality(vals)), 0) FROM reading_days");
  const double api_rate = static_cast<double>(total) / api.seconds;
  std::printf(
      "API   IngestReadings: %lld readings in %.2f s = %.0f readings/s (accepted %lld, "
      "rejected %lld, stored values %lld)\n",
      static_cast<long long>(total), api.seconds, api_rate, static_cast<long long>(api.accepted),
      static_cast<long long>(api.rejected), static_cast<long long>(stored));
  std::printf("      service peak memory VmHWM %.1f MB\n", static_cast<double>(hwm_kb) / 1024);
  const double millions = static_cast<double>(total) / 1e6;
  std::printf(
      "      CPU seconds per million readings: service %.3f, PostgreSQL %.3f, client %.3f "
      "(less noisy than the rates on a busy machine)\n",
      service_cpu / millions, pg_cpu / millions, client_cpu / millions);
  std::fflush(stdout);
  if (o.resend) {
    const IngestResult again = Ingest(o, *readings, zone);
    std::printf(
        "API   the same month again (nothing to store): %.2f s = %.0f readings/s "
        "(unchanged %lld)\n",
        again.seconds, static_cast<double>(total) / again.seconds,
        static_cast<long long>(again.unchanged));
    std::fflush(stdout);
  }
  kill(pid, SIGTERM);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  if (api.accepted != total || stored != total) {
    std::printf("WARNING: the service stored %lld of %lld readings\n",
                static_cast<long long>(stored), static_cast<long long>(total));
  }

  // --- the \copy baseline ---
  if (!o.skip_copy) {
    const std::string csv = dir + "/readings.csv";
    WriteCsv(o, zone, csv);
    auto st = plain_db.pool().Execute(
        pg::Query{"",
                  "CREATE TABLE readings (point text NOT NULL, channel smallint NOT NULL, "
                  "interval_start timestamptz NOT NULL, value_wh bigint NOT NULL, "
                  "PRIMARY KEY (point, channel, interval_start))"});
    if (!st.ok()) Die(std::string(st.status().message()));
    const std::string cmd = absl::StrCat(
        "/usr/lib/postgresql/15/bin/psql -q -v ON_ERROR_STOP=1 \"", plain_db.conninfo(),
        "\" -c \"\\copy readings (point, channel, interval_start, value_wh) FROM '", csv,
        "' (FORMAT csv)\" > ", dir, "/psql.log 2>&1");
    const Clock::time_point copy_start = Clock::now();
    const int rc = std::system(cmd.c_str());
    const double copy_s = std::chrono::duration<double>(Clock::now() - copy_start).count();
    if (rc != 0) Die(absl::StrCat("psql \\copy failed; see ", dir, "/psql.log"));
    const int64_t copied = Count(plain_db.pool(), "SELECT count(*) FROM readings");
    const double copy_rate = static_cast<double>(copied) / copy_s;
    std::printf(
        "psql  \\copy CSV into a table keyed by (point, channel, interval): %lld readings "
        "in %.2f s = %.0f readings/s\n",
        static_cast<long long>(copied), copy_s, copy_rate);
    std::printf("ratio API / \\copy: %.2f\n", api_rate / copy_rate);
    std::filesystem::remove(csv);
  }
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace gridbill::metering::bench

int main(int argc, char** argv) { return gridbill::metering::bench::Run(argc, argv); }
