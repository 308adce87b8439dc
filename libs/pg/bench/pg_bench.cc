// gridbill_pg_bench: round trips per second through the pool (a prepared
// "SELECT 1") by thread count, beside raw libpq on one connection.
// Prints figures; never passes or fails.
//
//   gridbill_pg_bench [seconds per measurement, default 2]
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "gridbill/pg/pool.h"
#include "gridbill/pgtest/pgtest.h"

namespace gridbill::pg {
namespace {

using Clock = std::chrono::steady_clock;

constexpr Query kSelectOne{"bench_select_one", "SELECT 1"};

struct Figures {
  int64_t ops = 0;
  int64_t errors = 0;
  double seconds = 0;
  double p50_us = 0;
  double p99_us = 0;
};

// Runs op() on `threads` threads for `duration`; op returns false on error.
Figures Measure(int threads, Clock::duration duration, const std::function<bool(int)>& op) {
  std::atomic<bool> stop{false};
  std::vector<std::vector<int64_t>> latencies(threads);
  std::vector<int64_t> errors(threads, 0);
  std::vector<std::thread> workers;
  Clock::time_point start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      latencies[t].reserve(1 << 20);
      while (!stop.load(std::memory_order_relaxed)) {
        Clock::time_point a = Clock::now();
        bool ok = op(t);
        latencies[t].push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - a).count());
        if (!ok) ++errors[t];
      }
    });
  }
  std::this_thread::sleep_for(duration);
  stop = true;
  for (auto& w : workers) w.join();
  Figures f;
  f.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<int64_t> all;
  for (int t = 0; t < threads; ++t) {
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
    f.errors += errors[t];
  }
  f.ops = static_cast<int64_t>(all.size());
  if (!all.empty()) {
    std::sort(all.begin(), all.end());
    f.p50_us = all[all.size() / 2] / 1000.0;
    f.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)] / 1000.0;
  }
  return f;
}

void PrintRow(const char* mode, int threads, const Figures& f) {
  std::printf("%-42s %7d %12.0f %9.1f %9.1f %7lld\n", mode, threads, f.ops / f.seconds, f.p50_us,
              f.p99_us, static_cast<long long>(f.errors));
  std::fflush(stdout);
}

bool Ok(PGresult* res) {
  bool ok = res != nullptr && PQresultStatus(res) == PGRES_TUPLES_OK;
  PQclear(res);
  return ok;
}

int Main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  if (seconds <= 0) seconds = 2.0;
  auto duration =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));

  std::printf("starting a throwaway PostgreSQL cluster...\n");
  pgtest::Database db(std::vector<MigrationFile>{}, /*pool_size=*/8);
  absl::StatusOr<Result> version = db.pool().Execute(Query{"", "SHOW server_version"});
  std::printf("PostgreSQL %s over a unix socket, %u hardware threads, %.1f s per row\n\n",
              version.ok() ? (*version)[0].String(0).c_str() : "?",
              std::thread::hardware_concurrency(), seconds);
  std::printf("%-42s %7s %12s %9s %9s %7s\n", "mode", "threads", "round trips/s", "p50 us",
              "p99 us", "errors");

  {
    PGconn* raw = PQconnectdb(db.conninfo().c_str());
    if (PQstatus(raw) != CONNECTION_OK) {
      std::fprintf(stderr, "connect: %s", PQerrorMessage(raw));
      return 1;
    }
    Measure(1, duration / 4, [&](int) { return Ok(PQexec(raw, "SELECT 1")); });  // warm-up
    PrintRow("raw libpq PQexec, unprepared, 1 conn", 1,
             Measure(1, duration, [&](int) { return Ok(PQexec(raw, "SELECT 1")); }));
    PQclear(PQprepare(raw, "raw_select_one", "SELECT 1", 0, nullptr));
    PrintRow("raw libpq PQexecPrepared, 1 conn", 1, Measure(1, duration, [&](int) {
               return Ok(PQexecPrepared(raw, "raw_select_one", 0, nullptr, nullptr, nullptr, 0));
             }));
    PQfinish(raw);
  }

  Pool& pool = db.pool();
  auto pooled = [&](int) { return pool.Execute(kSelectOne).ok(); };
  Measure(8, duration / 4, pooled);  // opens and prepares all 8 connections
  for (int threads : {1, 2, 4, 8}) {
    PrintRow("pool.Execute, prepared, pool of 8", threads, Measure(threads, duration, pooled));
  }
  auto transact = [&](int) {
    return pool.Transact([](Transaction& tx) { return tx.Execute(kSelectOne).status(); }).ok();
  };
  for (int threads : {1, 8}) {
    PrintRow("pool.Transact (BEGIN; SELECT 1; COMMIT)", threads,
             Measure(threads, duration, transact));
  }
  std::printf("\n(one round trip = one statement answered; Transact counts once for three)\n");
  return 0;
}

}  // namespace
}  // namespace gridbill::pg

int main(int argc, char** argv) { return gridbill::pg::Main(argc, argv); }
