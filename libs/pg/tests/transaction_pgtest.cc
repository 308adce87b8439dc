#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/errors.h"
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

constexpr Query kInsertItem{"tx_insert_item", "INSERT INTO items (id, name) VALUES ($1, $2)"};
constexpr Query kCountItems{"tx_count_items", "SELECT count(*) FROM items"};
constexpr Query kReadCounter{"tx_read_counter", "SELECT value FROM counters WHERE id = $1"};
constexpr Query kAddCounter{"tx_add_counter",
                            "UPDATE counters SET value = value + $2 WHERE id = $1"};

// Waits until `n` threads have arrived (a one-shot rendezvous).
class Rendezvous {
 public:
  explicit Rendezvous(int n) : waiting_(n) {}
  void ArriveAndWait() {
    absl::MutexLock lock(&mu_);
    --waiting_;
    mu_.Await(absl::Condition(
        +[](int* w) { return *w <= 0; }, &waiting_));
  }

 private:
  absl::Mutex mu_;
  int waiting_;
};

TEST_CASE("transaction: commits when fn returns OK") {
  pgtest::Database db(kTestMigrations);
  absl::Status st = db.pool().Transact([](Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.Exec(kInsertItem, 1, "a").status());
    return tx.Exec(kInsertItem, 2, "b").status();
  });
  REQUIRE(st.ok());
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 2);
}

TEST_CASE("transaction: rolls back when fn fails") {
  pgtest::Database db(kTestMigrations);
  SECTION("fn returns an error") {
    absl::Status st = db.pool().Transact([](Transaction& tx) -> absl::Status {
      RETURN_IF_ERROR(tx.Exec(kInsertItem, 1, "a").status());
      return absl::FailedPreconditionError("changed my mind");
    });
    CHECK(st.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(st.message() == "changed my mind");
  }
  SECTION("a statement fails") {
    absl::Status st = db.pool().Transact([](Transaction& tx) -> absl::Status {
      RETURN_IF_ERROR(tx.Exec(kInsertItem, 1, "a").status());
      return tx.Exec(kInsertItem, 1, "again").status();
    });
    CHECK(st.code() == absl::StatusCode::kAlreadyExists);
  }
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 0);
  // The connection went back clean: the next transaction works.
  REQUIRE(db.pool()
              .Transact([](Transaction& tx) { return tx.Exec(kInsertItem, 3, "c").status(); })
              .ok());
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 1);
}

TEST_CASE("transaction: TransactValue returns fn's value") {
  pgtest::Database db(kTestMigrations);
  absl::StatusOr<int64_t> n =
      db.pool().TransactValue<int64_t>([](Transaction& tx) -> absl::StatusOr<int64_t> {
        RETURN_IF_ERROR(tx.Exec(kInsertItem, 1, "a").status());
        ASSIGN_OR_RETURN(Result r, tx.Execute(kCountItems));
        return r[0].Int(0);
      });
  REQUIRE(n.ok());
  CHECK(*n == 1);
  absl::StatusOr<int64_t> failed = db.pool().TransactValue<int64_t>(
      [](Transaction&) -> absl::StatusOr<int64_t> { return absl::NotFoundError("nothing"); });
  CHECK(failed.status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("transaction: runs at the requested isolation level") {
  pgtest::Database db(kTestMigrations);
  auto level = [&](Isolation isolation) {
    std::string out;
    REQUIRE(
        db.pool()
            .Transact(
                [&](Transaction& tx) -> absl::Status {
                  ASSIGN_OR_RETURN(Result r, tx.Execute(Query{"", "SHOW transaction_isolation"}));
                  out = r[0].String(0);
                  return absl::OkStatus();
                },
                isolation)
            .ok());
    return out;
  };
  CHECK(level(Isolation::kReadCommitted) == "read committed");
  CHECK(level(Isolation::kRepeatableRead) == "repeatable read");
  CHECK(level(Isolation::kSerializable) == "serializable");
}

TEST_CASE("transaction: a serialization failure (40001) reruns fn") {
  pgtest::Database db(kTestMigrations);
  RawConnection other(db.conninfo());
  int runs = 0;
  absl::Status st = db.pool().Transact(
      [&](Transaction& tx) -> absl::Status {
        ++runs;
        ASSIGN_OR_RETURN(Result before, tx.Exec(kReadCounter, 1));  // takes the snapshot
        if (runs == 1) {
          // Another client commits a change to the row after our snapshot.
          other.Run("UPDATE counters SET value = value + 1 WHERE id = 1");
        }
        // First run: "could not serialize access due to concurrent update".
        return tx.Exec(kAddCounter, 1, 10).status();
      },
      Isolation::kSerializable);
  REQUIRE(st.ToString() == "OK");
  CHECK(runs == 2);
  CHECK(QueryInt(db.pool(), "SELECT value FROM counters WHERE id = 1") == 11);
}

TEST_CASE("transaction: write skew under SERIALIZABLE is retried until consistent") {
  // Two doctors on call; each transaction lets its doctor go only if the
  // other is still on call. Run together, SSI aborts one (at its UPDATE or
  // at COMMIT); its retry sees one doctor left and keeps its own on call.
  pgtest::Database db(kTestMigrations);
  constexpr Query kOnCall{"on_call", "SELECT count(*) FROM doctors WHERE on_call"};
  constexpr Query kGoOff{"go_off", "UPDATE doctors SET on_call = false WHERE id = $1"};
  Rendezvous both_read(2);
  std::atomic<int> runs{0};
  absl::Status results[2];
  std::vector<std::thread> threads;
  for (int id = 1; id <= 2; ++id) {
    threads.emplace_back([&, id] {
      int my_runs = 0;
      results[id - 1] = db.pool().Transact(
          [&](Transaction& tx) -> absl::Status {
            ++runs;
            ++my_runs;
            ASSIGN_OR_RETURN(Result r, tx.Execute(kOnCall));
            if (my_runs == 1) both_read.ArriveAndWait();
            if (r[0].Int(0) < 2) return absl::OkStatus();
            return tx.Exec(kGoOff, id).status();
          },
          Isolation::kSerializable);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(results[0].ToString() == "OK");
  CHECK(results[1].ToString() == "OK");
  CHECK(runs >= 3);  // at least one serialization failure, retried
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM doctors WHERE on_call") == 1);
}

TEST_CASE("transaction: a deadlock (40P01) reruns the victim") {
  pgtest::Database db(kTestMigrations);
  Rendezvous both_locked(2);
  std::atomic<int> runs{0};
  absl::Mutex errors_mu;
  std::vector<std::string> errors;
  absl::Status results[2];
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      const int first = t == 0 ? 1 : 2;
      const int second = t == 0 ? 2 : 1;
      int my_runs = 0;
      results[t] = db.pool().Transact([&](Transaction& tx) -> absl::Status {
        ++runs;
        ++my_runs;
        absl::Status st = tx.Exec(kAddCounter, first, 1).status();
        if (st.ok()) {
          if (my_runs == 1) both_locked.ArriveAndWait();
          st = tx.Exec(kAddCounter, second, 1).status();
        }
        absl::MutexLock lock(&errors_mu);
        errors.push_back(absl::StrCat("thread ", t, " run ", my_runs, ": ", st.ToString()));
        return st;
      });
    });
  }
  for (auto& t : threads) t.join();
  INFO(absl::StrJoin(errors, "\n"));
  CHECK(results[0].ToString() == "OK");
  CHECK(results[1].ToString() == "OK");
  // Usually 3 runs; the victim's retry can race the winner for the freed row
  // and deadlock again, which is retried the same way.
  CHECK(runs >= 3);
  int deadlocks = 0;
  for (const std::string& e : errors) deadlocks += absl::StrContains(e, "40P01") ? 1 : 0;
  CHECK(deadlocks == runs - 2);
  CHECK(QueryInt(db.pool(), "SELECT sum(value) FROM counters") == 4);
}

TEST_CASE("transaction: gives up with ABORTED after max_attempts") {
  pgtest::Database db(kTestMigrations);
  PoolOptions options;
  options.max_attempts = 3;
  auto pool = MakePool(db, options);
  RawConnection other(db.conninfo());
  int runs = 0;
  absl::Status st = pool->Transact(
      [&](Transaction& tx) -> absl::Status {
        ++runs;
        RETURN_IF_ERROR(tx.Exec(kReadCounter, 1).status());
        other.Run("UPDATE counters SET value = value + 1 WHERE id = 1");
        return tx.Exec(kAddCounter, 1, 10).status();
      },
      Isolation::kRepeatableRead);
  CHECK(st.code() == absl::StatusCode::kAborted);
  CHECK(runs == 3);
  CHECK(QueryInt(*pool, "SELECT value FROM counters WHERE id = 1") == 3);
}

TEST_CASE("transaction: a nested Transact on the same thread joins the outer one") {
  pgtest::Database db(kTestMigrations);
  PoolOptions options;
  options.size = 1;  // a second connection would time out instead of joining
  options.acquire_timeout = absl::Milliseconds(500);
  auto pool = MakePool(db, options);

  auto store_insert = [&](int id) {
    return pool->Transact(
        [&](Transaction& tx) { return tx.Exec(kInsertItem, id, "inner").status(); });
  };

  SECTION("the outer failure rolls back the inner writes") {
    absl::Status st = pool->Transact([&](Transaction& tx) -> absl::Status {
      RETURN_IF_ERROR(tx.Exec(kInsertItem, 1, "outer").status());
      RETURN_IF_ERROR(store_insert(2));
      RETURN_IF_ERROR(pool->Exec(kInsertItem, 3, "execute").status());
      return absl::InvalidArgumentError("outer fails after the inner calls");
    });
    CHECK(st.code() == absl::StatusCode::kInvalidArgument);
    CHECK(QueryInt(*pool, "SELECT count(*) FROM items") == 0);
  }
  SECTION("the outer commit commits the inner writes") {
    absl::Status st = pool->Transact([&](Transaction& tx) -> absl::Status {
      RETURN_IF_ERROR(tx.Exec(kInsertItem, 1, "outer").status());
      RETURN_IF_ERROR(store_insert(2));
      return pool->Exec(kInsertItem, 3, "execute").status();
    });
    REQUIRE(st.ToString() == "OK");
    CHECK(QueryInt(*pool, "SELECT count(*) FROM items") == 3);
  }
  SECTION("an inner failure reaches the outer fn, which rolls back") {
    absl::Status st = pool->Transact([&](Transaction& tx) -> absl::Status {
      RETURN_IF_ERROR(tx.Exec(kInsertItem, 1, "outer").status());
      RETURN_IF_ERROR(store_insert(1));  // duplicate key
      return absl::OkStatus();
    });
    CHECK(st.code() == absl::StatusCode::kAlreadyExists);
    CHECK(QueryInt(*pool, "SELECT count(*) FROM items") == 0);
  }
  SECTION("a retried outer transaction reruns the inner one") {
    RawConnection other(db.conninfo());
    int outer_runs = 0, inner_runs = 0;
    absl::Status st = pool->Transact(
        [&](Transaction& tx) -> absl::Status {
          ++outer_runs;
          RETURN_IF_ERROR(tx.Exec(kReadCounter, 1).status());
          if (outer_runs == 1) other.Run("UPDATE counters SET value = value + 1 WHERE id = 1");
          return pool->Transact([&](Transaction& inner) {
            ++inner_runs;
            return inner.Exec(kAddCounter, 1, 10).status();
          });
        },
        Isolation::kRepeatableRead);
    REQUIRE(st.ToString() == "OK");
    CHECK(outer_runs == 2);
    CHECK(inner_runs == 2);
    CHECK(QueryInt(*pool, "SELECT value FROM counters WHERE id = 1") == 11);
  }
}

TEST_CASE("transaction: a joining call cannot raise the isolation level") {
  pgtest::Database db(kTestMigrations);
  auto nested = [&](Isolation outer, Isolation inner) {
    return db.pool().Transact(
        [&](Transaction&) {
          return db.pool().Transact(
              [](Transaction& tx) { return tx.Exec(kInsertItem, 1, "x").status(); }, inner);
        },
        outer);
  };
  absl::Status stricter = nested(Isolation::kReadCommitted, Isolation::kSerializable);
  CHECK(stricter.code() == absl::StatusCode::kInternal);
  CHECK_THAT(std::string(stricter.message()),
             Catch::Contains("SERIALIZABLE") && Catch::Contains("READ COMMITTED"));
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 0);
  CHECK(nested(Isolation::kSerializable, Isolation::kRepeatableRead).ok());
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 1);
}

TEST_CASE("transaction: other threads do not join") {
  pgtest::Database db(kTestMigrations, /*pool_size=*/2);
  absl::Status other_thread;
  absl::Status st = db.pool().Transact([&](Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.Exec(kInsertItem, 1, "outer").status());
    std::thread t([&] {
      // Runs in its own transaction: it cannot see the uncommitted row.
      other_thread = db.pool().Transact([](Transaction& tx2) -> absl::Status {
        ASSIGN_OR_RETURN(Result r, tx2.Execute(kCountItems));
        return r[0].Int(0) == 0 ? absl::OkStatus() : absl::InternalError("saw uncommitted row");
      });
    });
    t.join();
    return absl::OkStatus();
  });
  REQUIRE(st.ok());
  CHECK(other_thread.ToString() == "OK");
}

TEST_CASE("transaction: a failure at COMMIT is reported and nothing is kept") {
  pgtest::Database db(kTestMigrations);
  constexpr Query kInsertCode{"insert_code", "INSERT INTO deferred_codes (code) VALUES ($1)"};
  SECTION("a deferred constraint fails at COMMIT") {
    absl::Status st = db.pool().Transact([&](Transaction& tx) -> absl::Status {
      RETURN_IF_ERROR(tx.Exec(kInsertCode, "A").status());
      RETURN_IF_ERROR(tx.Exec(kInsertCode, "A").status());  // deferred: fine until COMMIT
      return tx.Exec(kInsertItem, 1, "x").status();
    });
    CHECK(st.code() == absl::StatusCode::kAlreadyExists);
    CHECK(ConstraintOf(st) == "deferred_codes_code_key");
  }
  SECTION("fn swallowed a statement error") {
    absl::Status st = db.pool().Transact([&](Transaction& tx) -> absl::Status {
      RETURN_IF_ERROR(tx.Exec(kInsertItem, 1, "x").status());
      (void)tx.Exec(kInsertItem, 1, "dup");  // error ignored: the transaction is aborted
      return absl::OkStatus();
    });
    CHECK(st.code() == absl::StatusCode::kInternal);
    CHECK_THAT(std::string(st.message()), Catch::Contains("rolled back"));
  }
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM items") == 0);
  CHECK(QueryInt(db.pool(), "SELECT count(*) FROM deferred_codes") == 0);
}

}  // namespace
}  // namespace gridbill::pg
