#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/notification.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/pg/pool.h"
#include "gridbill/pgtest/pgtest.h"
#include "pg_test_util.h"

namespace gridbill::pg {
namespace {

using testing::kTestMigrations;
using testing::QueryInt;

constexpr Query kInsertItem{"idem_insert_item", "INSERT INTO items (id, name) VALUES ($1, $2)"};

// A store-like mutation: writes through the pool (joining the guard's
// transaction) and returns a "serialized response".
struct CreateItem {
  Pool& pool;
  int runs = 0;
  absl::StatusOr<std::string> operator()(int id, const std::string& name) {
    ++runs;
    RETURN_IF_ERROR(pool.Exec(kInsertItem, id, name).status());
    return "created " + std::to_string(id);
  }
};

TEST_CASE("idempotency: the first call runs and stores, a retry replays") {
  pgtest::Database db(kTestMigrations);
  PgIdempotency idem(db.pool());
  CreateItem create{db.pool()};
  const std::string fp = Sha256("item 1 first");

  absl::StatusOr<std::string> first =
      idem.Run("CreateItem", "req-1", fp, [&] { return create(1, "first"); });
  REQUIRE(first.status().ToString() == "OK");
  CHECK(*first == "created 1");
  CHECK(create.runs == 1);
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM idempotency_keys") == 1);

  absl::StatusOr<std::string> retry =
      idem.Run("CreateItem", "req-1", fp, [&] { return create(1, "first"); });
  REQUIRE(retry.ok());
  CHECK(*retry == "created 1");
  CHECK(create.runs == 1);  // not run again
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 1);

  SECTION("the same id with other content is rejected on request_id") {
    absl::StatusOr<std::string> other =
        idem.Run("CreateItem", "req-1", Sha256("item 2 other"), [&] { return create(2, "other"); });
    CHECK(other.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(FieldOf(other.status()) == "request_id");
    CHECK_THAT(std::string(other.status().message()), Catch::Contains("different content"));
    CHECK(create.runs == 1);
    CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 1);
  }
  SECTION("the same id on another method is another request") {
    absl::StatusOr<std::string> other =
        idem.Run("RenameItem", "req-1", fp, [&] { return create(2, "second"); });
    REQUIRE(other.ok());
    CHECK(*other == "created 2");
    CHECK(create.runs == 2);
  }
}

TEST_CASE("idempotency: an empty request_id is rejected") {
  pgtest::Database db(kTestMigrations);
  PgIdempotency idem(db.pool());
  bool ran = false;
  absl::StatusOr<std::string> r =
      idem.Run("CreateItem", "", "fp", [&]() -> absl::StatusOr<std::string> {
        ran = true;
        return "x";
      });
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(r.status()) == "request_id");
  CHECK_FALSE(ran);
}

TEST_CASE("idempotency: an error is not stored and its writes are rolled back") {
  pgtest::Database db(kTestMigrations);
  PgIdempotency idem(db.pool());
  int runs = 0;
  auto fn = [&]() -> absl::StatusOr<std::string> {
    ++runs;
    RETURN_IF_ERROR(db.pool().Exec(kInsertItem, 1, "written before failing").status());
    if (runs == 1) return absl::UnavailableError("downstream hiccup");
    return std::string("ok");
  };
  absl::StatusOr<std::string> first = idem.Run("CreateItem", "req-err", "fp", fn);
  CHECK(first.status().code() == absl::StatusCode::kUnavailable);
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 0);
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM idempotency_keys") == 0);

  absl::StatusOr<std::string> second = idem.Run("CreateItem", "req-err", "fp", fn);
  REQUIRE(second.ok());
  CHECK(*second == "ok");
  CHECK(runs == 2);
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 1);
}

TEST_CASE("idempotency: binary responses are stored exactly") {
  pgtest::Database db(kTestMigrations);
  PgIdempotency idem(db.pool());
  const std::string response("\x00\xff\x10proto\x00bytes", 14);
  auto fn = [&]() -> absl::StatusOr<std::string> { return response; };
  REQUIRE(idem.Run("M", "r", std::string("\x00fp", 3), fn).ok());
  absl::StatusOr<std::string> replay = idem.Run("M", "r", std::string("\x00fp", 3), [] {
    return absl::StatusOr<std::string>(absl::InternalError("must not run"));
  });
  REQUIRE(replay.ok());
  CHECK(*replay == response);
}

TEST_CASE("idempotency: concurrent first calls with one request_id run fn once") {
  const Isolation isolation = GENERATE(Isolation::kReadCommitted, Isolation::kSerializable);
  INFO("isolation " << static_cast<int>(isolation));
  pgtest::Database db(kTestMigrations, /*pool_size=*/8);
  PgIdempotency idem(db.pool(), isolation);
  constexpr int kThreads = 8;
  std::atomic<int> runs{0};
  absl::Notification go;
  std::vector<absl::StatusOr<std::string>> results(kThreads, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      go.WaitForNotification();
      results[t] =
          idem.Run("CreateItem", "req-race", "same content", [&]() -> absl::StatusOr<std::string> {
            int n = ++runs;
            // Hold the claim while the others arrive.
            absl::SleepFor(absl::Milliseconds(100));
            RETURN_IF_ERROR(db.pool().Transact(
                [&](Transaction& tx) { return tx.Exec(kInsertItem, n, "raced").status(); },
                isolation));
            return "winner " + std::to_string(t);
          });
    });
  }
  go.Notify();
  for (auto& t : threads) t.join();
  CHECK(runs == 1);
  for (const auto& r : results) {
    REQUIRE(r.status().ToString() == "OK");
    CHECK(*r == *results[0]);
  }
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 1);
}

TEST_CASE("idempotency: store calls cannot ask for more isolation than the guard's") {
  pgtest::Database db(kTestMigrations);
  auto serializable_store = [&]() -> absl::StatusOr<std::string> {
    RETURN_IF_ERROR(
        db.pool().Transact([](Transaction& tx) { return tx.Exec(kInsertItem, 1, "x").status(); },
                           Isolation::kSerializable));
    return std::string("done");
  };
  PgIdempotency read_committed(db.pool());
  absl::StatusOr<std::string> refused = read_committed.Run("M", "r1", "fp", serializable_store);
  CHECK(refused.status().code() == absl::StatusCode::kInternal);
  CHECK_THAT(std::string(refused.status().message()), Catch::Contains("SERIALIZABLE"));
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 0);

  PgIdempotency serializable(db.pool(), Isolation::kSerializable);
  absl::StatusOr<std::string> ok = serializable.Run("M", "r1", "fp", serializable_store);
  REQUIRE(ok.status().ToString() == "OK");
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 1);
}

}  // namespace
}  // namespace gridbill::pg
