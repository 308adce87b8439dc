// PostgreSQL over libpq: a connection pool, named prepared statements and
// transactions retried on serialization failures and deadlocks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/pg/params.h"
#include "gridbill/pg/query.h"
#include "gridbill/pg/result.h"

namespace gridbill::pg {

class Connection;
class Pool;

// Ordered from weakest to strictest.
enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

// An open transaction on one pooled connection. Statements are prepared
// once per connection under the Query's name and executed by that name.
class Transaction {
 public:
  // Runs a named statement. Errors are mapped by StatusFromSqlState().
  absl::StatusOr<Result> Execute(const Query& query, const Params& params = Params());
  template <typename... Args>
  absl::StatusOr<Result> Exec(const Query& query, Args&&... args) {
    return Execute(query, Params(std::forward<Args>(args)...));
  }
  // Runs unnamed, unprepared SQL (migrations, DDL, COPY-less bulk text).
  absl::Status ExecuteScript(std::string_view sql);
  // The underlying connection, for bulk paths (COPY) that libpq exposes.
  Connection& connection() { return conn_; }

 private:
  friend class Pool;
  explicit Transaction(Connection& conn) : conn_(conn) {}
  Connection& conn_;
};

struct PoolOptions {
  // A libpq connection string or URI.
  std::string conninfo;
  // Connections kept open at most.
  int size = 8;
  // How long Acquire waits for a free connection before UNAVAILABLE.
  absl::Duration acquire_timeout = absl::Seconds(10);
  // Attempts of a transaction that fails with 40001 / 40P01.
  int max_attempts = 5;
  // Per-statement timeout set on every connection (0 = none).
  absl::Duration statement_timeout = absl::Seconds(60);
};

// Optional per-query instrumentation hook (metrics): called after each
// statement with its name, the duration and whether it succeeded.
using QueryObserver = std::function<void(const char* name, absl::Duration, bool ok)>;

// The pool's connections at one moment, for gauges.
struct PoolStats {
  int max = 0;           // PoolOptions::size
  int in_use = 0;        // lent to a transaction or statement (or being opened)
  int idle = 0;          // open and free
  int waiting = 0;       // callers waiting for a free connection
  int64_t timeouts = 0;  // Acquire calls that gave up (UNAVAILABLE), since start
};
// Called with the new stats each time a connection is lent or returned, a
// caller starts or stops waiting, or a wait times out; under the pool's
// lock, so it must be quick (set gauges) and must not use the pool.
using StatsObserver = std::function<void(const PoolStats&)>;

class Pool {
 public:
  // Connects once to check the settings; UNAVAILABLE names the reason.
  static absl::StatusOr<std::unique_ptr<Pool>> Create(const PoolOptions& options);
  ~Pool();

  // Runs `fn` in a transaction and commits when it returns OK; rolls back
  // otherwise. Retries the whole function on serialization failure or
  // deadlock (ABORTED), up to max_attempts. Called while the same thread
  // already runs a transaction of this pool, `fn` joins it (no nesting, no
  // retry of its own): an outer call such as the idempotency guard and a
  // store method then commit or roll back together. A joining call cannot
  // ask for a stricter isolation than the outer transaction's (INTERNAL).
  absl::Status Transact(absl::FunctionRef<absl::Status(Transaction&)> fn,
                        Isolation isolation = Isolation::kReadCommitted);

  template <typename T>
  absl::StatusOr<T> TransactValue(absl::FunctionRef<absl::StatusOr<T>(Transaction&)> fn,
                                  Isolation isolation = Isolation::kReadCommitted) {
    std::optional<T> out;
    absl::Status st = Transact(
        [&](Transaction& tx) -> absl::Status {
          absl::StatusOr<T> r = fn(tx);
          if (!r.ok()) return r.status();
          out = std::move(r).value();
          return absl::OkStatus();
        },
        isolation);
    if (!st.ok()) return st;
    return std::move(*out);
  }

  // One statement outside an explicit transaction (autocommit). Called
  // inside a Transact of this pool on the same thread, it joins that
  // transaction like a nested Transact does.
  absl::StatusOr<Result> Execute(const Query& query, const Params& params = Params());
  template <typename... Args>
  absl::StatusOr<Result> Exec(const Query& query, Args&&... args) {
    return Execute(query, Params(std::forward<Args>(args)...));
  }

  void SetObserver(QueryObserver observer);
  // Replaces the stats observer and calls it once with the current stats.
  void SetStatsObserver(StatsObserver observer);
  PoolStats Stats() const;
  int size() const;

 private:
  struct Impl;
  explicit Pool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridbill::pg
