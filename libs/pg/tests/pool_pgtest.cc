#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/notification.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gridbill/pg/connection.h"
#include "gridbill/pg/pool.h"
#include "gridbill/pgtest/pgtest.h"
#include "pg_test_util.h"

namespace gridbill::pg {
namespace {

using testing::kTestMigrations;
using testing::MakePool;
using testing::QueryInt;
using testing::QueryText;
using testing::RawConnection;

constexpr Query kAddOne{"add_one", "SELECT $1::bigint + 1"};

TEST_CASE("pool: a statement round trips") {
  pgtest::Database db(kTestMigrations);
  absl::StatusOr<Result> r = db.pool().Exec(kAddOne, 41);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].Int(0) == 42);
  CHECK(db.pool().size() == 4);
}

TEST_CASE("pool: parameters of every type round trip, NULL and unicode included") {
  pgtest::Database db(kTestMigrations);
  constexpr Query kEcho{
      "echo_all",
      "SELECT $1::text, $2::bigint, $3::boolean, $4::timestamptz, $5::date, $6::bytea,"
      " $7::text[], $8::float8, $9::text, $10::bigint[], $11::boolean, $12::bigint"};
  const std::string unicode = "Қазақстан ⚡ 電力 \"quoted\" back\\slash, {braces} NULL";
  const absl::Time at = absl::FromUnixMicros(1709251199123456);  // 2024-02-29T23:59:59.123456Z
  const absl::CivilDay day(2024, 2, 29);
  std::string bytes("\x00\x01\xff\xfe binary\n", 12);
  std::vector<std::string> tags = {"a",   "",        "NULL", "with,comma",
                                   "{x}", "q\"uote", "s\\l", unicode};
  Params p;
  p.Add(unicode).Add(int64_t{-9223372036854775807 - 1}).Add(true).Add(at).Add(day);
  p.AddBytes(bytes).AddTextArray(tags).Add(0.1).Add(std::nullopt).AddIntArray({1, -2, 3});
  p.Add(std::optional<bool>()).Add(std::optional<int64_t>(7));
  absl::StatusOr<Result> r = db.pool().Execute(kEcho, p);
  REQUIRE(r.status().ToString() == "OK");
  Row row = (*r)[0];
  CHECK(row.String(0) == unicode);
  CHECK(row.Int(1) == std::numeric_limits<int64_t>::min());
  CHECK(row.Bool(2));
  CHECK(row.Time(3) == at);
  CHECK(row.Text(3) == "2024-02-29 23:59:59.123456+00");  // the session runs in UTC
  CHECK(row.Date(4) == day);
  CHECK(row.Bytes(5) == bytes);
  CHECK(row.TextArray(6) == tags);
  CHECK(row.Double(7) == 0.1);
  CHECK(row.IsNull(8));
  CHECK(row.Text(8).empty());
  CHECK_FALSE(row.OptionalString(8).has_value());
  CHECK(row.TextArray(9) == std::vector<std::string>{"1", "-2", "3"});
  CHECK(row.IsNull(10));
  CHECK(row.OptionalInt(11) == 7);
}

TEST_CASE("pool: values written to a table read back, NULLs included") {
  pgtest::Database db(kTestMigrations);
  constexpr Query kInsert{"insert_item",
                          "INSERT INTO items (id, name, note, at, day, blob, tags)"
                          " VALUES ($1, $2, $3, $4, $5, $6, $7)"};
  constexpr Query kSelect{"select_item",
                          "SELECT name, note, at, day, blob, tags FROM items WHERE id = $1"};
  Params full;
  full.Add(1)
      .Add("Алматы")
      .Add("note")
      .Add(absl::FromUnixSeconds(0))
      .Add(absl::CivilDay(1970, 1, 1));
  full.AddBytes("").AddTextArray({});
  REQUIRE(db.pool().Execute(kInsert, full)->affected() == 1);
  Params empty;
  empty.Add(2).Add("").Add(std::optional<std::string>()).Add(std::optional<absl::Time>());
  empty.Add(std::optional<absl::CivilDay>()).Add(std::nullopt).Add(std::nullopt);
  REQUIRE(db.pool().Execute(kInsert, empty).ok());

  absl::StatusOr<Result> r1 = db.pool().Exec(kSelect, 1);
  REQUIRE(r1.ok());
  Row a = (*r1)[0];
  CHECK(a.String(0) == "Алматы");
  CHECK(a.OptionalString(1) == "note");
  CHECK(a.Time(2) == absl::UnixEpoch());
  CHECK(a.OptionalDate(3) == absl::CivilDay(1970, 1, 1));
  CHECK(a.Bytes(4).empty());
  CHECK_FALSE(a.IsNull(4));
  CHECK(a.TextArray(5).empty());

  absl::StatusOr<Result> r2 = db.pool().Exec(kSelect, 2);
  REQUIRE(r2.ok());
  Row b = (*r2)[0];
  CHECK(b.String(0).empty());
  CHECK_FALSE(b.IsNull(0));
  CHECK(b.IsNull(1));
  CHECK_FALSE(b.OptionalTime(2).has_value());
  CHECK_FALSE(b.OptionalDate(3).has_value());
  CHECK(b.IsNull(4));
  CHECK(b.IsNull(5));
}

TEST_CASE("pool: timestamps in other zones and special values read correctly") {
  pgtest::Database db(kTestMigrations);
  constexpr Query kTimes{"times",
                         "SELECT '2024-03-01 00:00:00+05'::timestamptz, 'infinity'::timestamptz,"
                         " '-infinity'::timestamptz, '2024-03-01 00:00:00.5'::timestamp,"
                         " 'infinity'::date, ARRAY['x', NULL, 'y z']"};
  absl::StatusOr<Result> r = db.pool().Execute(kTimes);
  REQUIRE(r.ok());
  Row row = (*r)[0];
  CHECK(row.Time(0) ==
        absl::FromCivil(absl::CivilSecond(2024, 2, 29, 19, 0, 0), absl::UTCTimeZone()));
  CHECK(row.Time(1) == absl::InfiniteFuture());
  CHECK(row.Time(2) == absl::InfinitePast());
  CHECK(row.Time(3) ==
        absl::FromCivil(absl::CivilSecond(2024, 3, 1, 0, 0, 0), absl::UTCTimeZone()) +
            absl::Milliseconds(500));
  CHECK(row.Date(4) == absl::CivilDay::max());
  CHECK(row.TextArray(5) == std::vector<std::string>{"x", "", "y z"});
  std::vector<std::optional<std::string>> nullable = row.NullableTextArray(5);
  REQUIRE(nullable.size() == 3);
  CHECK_FALSE(nullable[1].has_value());
}

TEST_CASE("pool: a named statement is prepared once per connection and reused") {
  pgtest::Database db(kTestMigrations, /*pool_size=*/1);
  for (int i = 0; i < 3; ++i) REQUIRE(db.pool().Exec(kAddOne, i).ok());
  // One prepared statement on the session, executed three times.
  constexpr Query kStats{"prepared_stats",
                         "SELECT count(*), sum(generic_plans + custom_plans)::bigint"
                         " FROM pg_prepared_statements WHERE name = 'add_one'"};
  absl::StatusOr<Result> r = db.pool().Execute(kStats);
  REQUIRE(r.ok());
  CHECK((*r)[0].Int(0) == 1);
  CHECK((*r)[0].Int(1) == 3);
}

TEST_CASE("pool: a statement the session lost is prepared again") {
  pgtest::Database db(kTestMigrations, /*pool_size=*/1);
  REQUIRE(db.pool().Exec(kAddOne, 1).ok());
  auto deallocate = [&] {
    REQUIRE(db.pool()
                .Transact([](Transaction& tx) { return tx.ExecuteScript("DEALLOCATE ALL"); })
                .ok());
  };

  SECTION("outside a transaction: prepared again and run") {
    deallocate();
    absl::StatusOr<Result> r = db.pool().Exec(kAddOne, 2);
    REQUIRE(r.status().ToString() == "OK");
    CHECK((*r)[0].Int(0) == 3);
  }
  SECTION("inside a transaction: the transaction is retried") {
    deallocate();
    int runs = 0;
    int64_t value = 0;
    absl::Status st = db.pool().Transact([&](Transaction& tx) -> absl::Status {
      ++runs;
      absl::StatusOr<Result> r = tx.Exec(kAddOne, 5);
      if (!r.ok()) return r.status();
      value = (*r)[0].Int(0);
      return absl::OkStatus();
    });
    REQUIRE(st.ToString() == "OK");
    CHECK(runs == 2);
    CHECK(value == 6);
  }
}

TEST_CASE("pool: two different statements under one name are refused") {
  pgtest::Database db(kTestMigrations, /*pool_size=*/1);
  REQUIRE(db.pool().Exec(kAddOne, 1).ok());
  constexpr Query kImpostor{"add_one", "SELECT $1::bigint + 2"};
  absl::StatusOr<Result> r = db.pool().Exec(kImpostor, 1);
  CHECK(r.status().code() == absl::StatusCode::kInternal);
  CHECK_THAT(std::string(r.status().message()), Catch::Contains("add_one"));
}

TEST_CASE("pool: a connection the server closed is reopened with its settings") {
  pgtest::Database db(kTestMigrations, /*pool_size=*/1);
  constexpr Query kPid{"backend_pid", "SELECT pg_backend_pid()"};
  RawConnection other(db.conninfo());
  // Ends the pool's session from outside and waits until it is gone.
  auto terminate = [&](int64_t pid) {
    CHECK(other.Run("SELECT pg_terminate_backend(" + std::to_string(pid) + ")") == "t");
    for (int i = 0; i < 100; ++i) {
      std::string n =
          other.Run("SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(pid));
      if (n == "0") break;
      absl::SleepFor(absl::Milliseconds(20));
    }
  };
  int64_t pid = (*db.pool().Execute(kPid))[0].Int(0);

  SECTION("by the next statement") {
    terminate(pid);
    absl::StatusOr<Result> r = db.pool().Execute(kPid);
    REQUIRE(r.status().ToString() == "OK");
    CHECK((*r)[0].Int(0) != pid);
  }
  SECTION("by the next transaction") {
    terminate(pid);
    int64_t new_pid = 0;
    REQUIRE(db.pool()
                .Transact([&](Transaction& tx) -> absl::Status {
                  absl::StatusOr<Result> r = tx.Execute(kPid);
                  if (!r.ok()) return r.status();
                  new_pid = (*r)[0].Int(0);
                  return absl::OkStatus();
                })
                .ok());
    CHECK(new_pid != pid);
  }
  // The new session has the settings and prepares its statements again.
  CHECK(QueryText(db.pool(), "SHOW TimeZone") == "UTC");
  CHECK(QueryText(db.pool(), "SHOW statement_timeout") == "1min");
  REQUIRE(db.pool().Exec(kAddOne, 1).ok());
}

TEST_CASE("pool: every session runs in UTC with a statement timeout and a name") {
  pgtest::Database db(kTestMigrations);
  CHECK(QueryText(db.pool(), "SHOW TimeZone") == "UTC");
  CHECK(QueryText(db.pool(), "SHOW statement_timeout") == "1min");
  CHECK(QueryText(db.pool(), "SHOW application_name") == "pg_pgtest");

  PoolOptions options;
  options.statement_timeout = absl::Milliseconds(100);
  auto pool = MakePool(db, options);
  absl::StatusOr<Result> r = pool->Execute(Query{"sleep", "SELECT pg_sleep(5)"});
  CHECK(r.status().code() == absl::StatusCode::kDeadlineExceeded);
}

TEST_CASE("pool: waiting longer than acquire_timeout for a connection is UNAVAILABLE") {
  pgtest::Database db(kTestMigrations);
  PoolOptions options;
  options.size = 1;
  options.acquire_timeout = absl::Milliseconds(200);
  auto pool = MakePool(db, options);
  absl::Notification holding, release;
  std::thread holder([&] {
    (void)pool->Transact([&](Transaction&) {
      holding.Notify();
      release.WaitForNotification();
      return absl::OkStatus();
    });
  });
  holding.WaitForNotification();
  absl::Time start = absl::Now();
  absl::StatusOr<Result> r = pool->Exec(kAddOne, 1);
  absl::Duration waited = absl::Now() - start;
  release.Notify();
  holder.join();
  CHECK(r.status().code() == absl::StatusCode::kUnavailable);
  CHECK(waited >= absl::Milliseconds(190));
  CHECK(pool->Exec(kAddOne, 1).ok());  // free again
}

TEST_CASE("pool: its stats count connections in use, idle, callers waiting and timeouts") {
  pgtest::Database db(kTestMigrations);
  PoolOptions options;
  options.size = 2;
  options.acquire_timeout = absl::Milliseconds(300);
  auto pool = MakePool(db, options);
  absl::Mutex mu;
  std::vector<PoolStats> seen;
  pool->SetStatsObserver([&](const PoolStats& s) {
    absl::MutexLock lock(&mu);
    seen.push_back(s);
  });
  {
    absl::MutexLock lock(&mu);
    REQUIRE(seen.size() == 1);  // called once at once
    CHECK(seen[0].max == 2);
    CHECK(seen[0].in_use == 0);
  }
  // Both connections held: a third caller waits, then gives up.
  absl::Notification held_a, held_b, release;
  auto hold = [&](absl::Notification& held) {
    return std::thread([&] {
      (void)pool->Transact([&](Transaction&) {
        held.Notify();
        release.WaitForNotification();
        return absl::OkStatus();
      });
    });
  };
  std::thread a = hold(held_a);
  held_a.WaitForNotification();
  std::thread b = hold(held_b);
  held_b.WaitForNotification();
  CHECK(pool->Stats().in_use == 2);
  CHECK(pool->Stats().idle == 0);
  std::thread waiter(
      [&] { CHECK(pool->Exec(kAddOne, 1).status().code() == absl::StatusCode::kUnavailable); });
  absl::SleepFor(absl::Milliseconds(100));
  CHECK(pool->Stats().waiting == 1);
  waiter.join();
  CHECK(pool->Stats().waiting == 0);
  CHECK(pool->Stats().timeouts == 1);
  release.Notify();
  a.join();
  b.join();
  const PoolStats after = pool->Stats();
  CHECK(after.in_use == 0);
  CHECK(after.idle == 2);
  CHECK(after.timeouts == 1);
  absl::MutexLock lock(&mu);
  CHECK(seen.back().idle == 2);  // the observer saw the last change
  CHECK(std::any_of(seen.begin(), seen.end(), [](const PoolStats& s) { return s.waiting == 1; }));
}

TEST_CASE("pool: Create reports an unreachable server as UNAVAILABLE") {
  PoolOptions options;
  options.conninfo = "host=/nonexistent-gridbill-socket-dir dbname=x connect_timeout=1";
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Create(options);
  CHECK(pool.status().code() == absl::StatusCode::kUnavailable);
  CHECK_THAT(std::string(pool.status().message()), Catch::Contains("cannot connect"));
  options.size = 0;
  CHECK(Pool::Create(options).status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("pool: the observer sees each statement by name") {
  pgtest::Database db(kTestMigrations);
  std::vector<std::pair<std::string, bool>> seen;
  absl::Mutex mu;
  db.pool().SetObserver([&](const char* name, absl::Duration elapsed, bool ok) {
    absl::MutexLock lock(&mu);
    seen.emplace_back(name, ok);
    CHECK(elapsed >= absl::ZeroDuration());
  });
  REQUIRE(db.pool().Exec(kAddOne, 1).ok());
  REQUIRE_FALSE(db.pool().Execute(Query{"broken", "SELECT 1/0"}).ok());
  db.pool().SetObserver(nullptr);
  REQUIRE(db.pool().Exec(kAddOne, 1).ok());
  absl::MutexLock lock(&mu);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == std::make_pair(std::string("add_one"), true));
  CHECK(seen[1] == std::make_pair(std::string("broken"), false));
}

TEST_CASE("pool: COPY FROM STDIN through the transaction's connection") {
  pgtest::Database db(kTestMigrations);
  absl::Status st = db.pool().Transact([](Transaction& tx) -> absl::Status {
    absl::StatusOr<int64_t> rows =
        tx.connection().CopyIn("COPY items (id, name) FROM STDIN", "1\tone\n2\tдва\n");
    if (!rows.ok()) return rows.status();
    CHECK(*rows == 2);
    return absl::OkStatus();
  });
  REQUIRE(st.ok());
  CHECK(QueryText(db.pool(), "SELECT string_agg(name, ',' ORDER BY id) FROM items") == "one,два");
  absl::Status bad = db.pool().Transact([](Transaction& tx) {
    return tx.connection().CopyIn("COPY items (id, name) FROM STDIN", "x\ty\n").status();
  });
  CHECK(bad.code() == absl::StatusCode::kInvalidArgument);
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 2);
}

TEST_CASE("pool: many threads share a small pool") {
  pgtest::Database db(kTestMigrations, /*pool_size=*/3);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        absl::StatusOr<Result> r = db.pool().Exec(kAddOne, t * 1000 + i);
        if (r.ok() && (*r)[0].Int(0) == t * 1000 + i + 1) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 800);
  CHECK(QueryInt(db.pool(),
                 "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()") <= 3);
}

}  // namespace
}  // namespace gridbill::pg
