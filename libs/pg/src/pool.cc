#include "gridbill/pg/pool.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/connection.h"
#include "pool_shared.h"

namespace gridbill::pg {
namespace {

// The transactions this thread runs, innermost first, so that a nested
// Transact (or Execute) on the same pool joins instead of taking a second
// connection.
struct AmbientFrame {
  const void* pool;
  Transaction* tx;
  Isolation isolation;
  AmbientFrame* outer;
};
thread_local AmbientFrame* tls_ambient = nullptr;

AmbientFrame* FindAmbient(const void* pool) {
  for (AmbientFrame* f = tls_ambient; f != nullptr; f = f->outer) {
    if (f->pool == pool) return f;
  }
  return nullptr;
}

class AmbientScope {
 public:
  AmbientScope(const void* pool, Transaction* tx, Isolation isolation)
      : frame_{pool, tx, isolation, tls_ambient} {
    tls_ambient = &frame_;
  }
  ~AmbientScope() { tls_ambient = frame_.outer; }
  AmbientScope(const AmbientScope&) = delete;
  AmbientScope& operator=(const AmbientScope&) = delete;

 private:
  AmbientFrame frame_;
};

const char* IsolationName(Isolation isolation) {
  switch (isolation) {
    case Isolation::kSerializable:
      return "SERIALIZABLE";
    case Isolation::kRepeatableRead:
      return "REPEATABLE READ";
    case Isolation::kReadCommitted:
      break;
  }
  return "READ COMMITTED";
}

std::string BeginSql(Isolation isolation) {
  return absl::StrCat("BEGIN ISOLATION LEVEL ", IsolationName(isolation));
}

// Jittered exponential backoff between attempts: 5, 10, 20 ... ms, at most
// 100 ms, times a random factor in [0.5, 1.5) so that the transactions that
// collided do not collide again in lock step.
absl::Duration Backoff(int attempt) {
  thread_local absl::BitGen gen;
  double base_ms = std::min(100.0, 5.0 * std::ldexp(1.0, std::min(attempt - 1, 10)));
  return absl::Microseconds(static_cast<int64_t>(base_ms * 1000 * absl::Uniform(gen, 0.5, 1.5)));
}

}  // namespace

struct Pool::Impl {
  explicit Impl(PoolOptions options) : shared(std::move(options)) {}

  // A connection lent to one caller, returned on destruction.
  class Lease {
   public:
    Lease(Impl* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (conn_) pool_->Release(std::move(conn_));
    }
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    Impl* pool_;
    std::unique_ptr<Connection> conn_;
  };

  absl::StatusOr<Lease> Acquire() {
    std::unique_ptr<Connection> conn;
    bool open_new = false;
    {
      absl::MutexLock lock(&mu);
      absl::Time deadline = absl::Now() + shared.options.acquire_timeout;
      while (idle.empty() && opened >= shared.options.size) {
        ++waiting;
        Notify();
        const bool timed_out = cv.WaitWithDeadline(&mu, deadline);
        --waiting;
        if (timed_out && idle.empty() && opened >= shared.options.size) {
          ++timeouts;
          Notify();
          return absl::UnavailableError(
              absl::StrCat("no free PostgreSQL connection within ",
                           absl::FormatDuration(shared.options.acquire_timeout), " (pool of ",
                           shared.options.size, ")"));
        }
      }
      if (!idle.empty()) {
        conn = std::move(idle.back());
        idle.pop_back();
      } else {
        ++opened;  // reserve the slot; connect outside the lock
        open_new = true;
      }
      Notify();
    }
    if (open_new) {
      absl::StatusOr<std::unique_ptr<Connection>> fresh = Connection::Open(&shared);
      if (!fresh.ok()) {
        absl::MutexLock lock(&mu);
        --opened;
        cv.Signal();
        Notify();
        return fresh.status();
      }
      return Lease(this, std::move(fresh).value());
    }
    absl::Status health = conn->EnsureHealthy();
    if (!health.ok()) {
      Release(std::move(conn));  // kept: reconnecting is tried again next time
      return health;
    }
    return Lease(this, std::move(conn));
  }

  void Release(std::unique_ptr<Connection> conn) {
    if (!conn->broken()) conn->Clean();
    absl::MutexLock lock(&mu);
    idle.push_back(std::move(conn));
    cv.Signal();
    Notify();
  }

  PoolStats StatsLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    PoolStats s;
    s.max = shared.options.size;
    s.idle = static_cast<int>(idle.size());
    s.in_use = opened - s.idle;
    s.waiting = waiting;
    s.timeouts = timeouts;
    return s;
  }

  void Notify() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (stats_observer) stats_observer(StatsLocked());
  }

  absl::Status Commit(Connection& conn) {
    absl::StatusOr<Result> res = conn.Command("COMMIT", "COMMIT");
    if (!res.ok()) {
      if (res.status().code() == absl::StatusCode::kUnavailable) {
        return absl::UnavailableError(
            absl::StrCat(res.status().message(), "; whether the transaction committed is unknown"));
      }
      return res.status();  // 40001 at commit -> ABORTED, deferred constraints, ...
    }
    // COMMIT of a transaction that an earlier, ignored error aborted rolls
    // back and still reports success.
    if (std::string_view(PQcmdStatus(res->raw())) != "COMMIT") {
      return absl::InternalError(
          "the transaction was rolled back at COMMIT: a statement in it failed and the error "
          "was not returned");
    }
    return absl::OkStatus();
  }

  PoolShared shared;
  absl::Mutex mu;
  absl::CondVar cv;
  std::vector<std::unique_ptr<Connection>> idle ABSL_GUARDED_BY(mu);
  int opened ABSL_GUARDED_BY(mu) = 0;  // idle + lent + being opened
  int waiting ABSL_GUARDED_BY(mu) = 0;
  int64_t timeouts ABSL_GUARDED_BY(mu) = 0;
  StatsObserver stats_observer ABSL_GUARDED_BY(mu);
};

absl::StatusOr<std::unique_ptr<Pool>> Pool::Create(const PoolOptions& options) {
  if (options.size < 1) return absl::InvalidArgumentError("pool size must be at least 1");
  if (options.max_attempts < 1) {
    return absl::InvalidArgumentError("max_attempts must be at least 1");
  }
  auto impl = std::make_unique<Impl>(options);
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> first, Connection::Open(&impl->shared));
  {
    absl::MutexLock lock(&impl->mu);
    impl->idle.push_back(std::move(first));
    impl->opened = 1;
  }
  return std::unique_ptr<Pool>(new Pool(std::move(impl)));
}

Pool::Pool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Pool::~Pool() = default;

int Pool::size() const { return impl_->shared.options.size; }

void Pool::SetStatsObserver(StatsObserver observer) {
  absl::MutexLock lock(&impl_->mu);
  impl_->stats_observer = std::move(observer);
  impl_->Notify();
}

PoolStats Pool::Stats() const {
  absl::MutexLock lock(&impl_->mu);
  return impl_->StatsLocked();
}

void Pool::SetObserver(QueryObserver observer) {
  absl::WriterMutexLock lock(&impl_->shared.observer_mu);
  impl_->shared.has_observer.store(static_cast<bool>(observer), std::memory_order_release);
  impl_->shared.observer = std::move(observer);
}

absl::StatusOr<Result> Pool::Execute(const Query& query, const Params& params) {
  if (AmbientFrame* outer = FindAmbient(impl_.get())) return outer->tx->Execute(query, params);
  ASSIGN_OR_RETURN(Impl::Lease conn, impl_->Acquire());
  return conn->Execute(query, params);
}

absl::Status Pool::Transact(absl::FunctionRef<absl::Status(Transaction&)> fn, Isolation isolation) {
  if (AmbientFrame* outer = FindAmbient(impl_.get())) {
    // Joining cannot raise the isolation level: the outer transaction has
    // already run statements. Silently running weaker than asked for would
    // lose the guarantee the caller relies on.
    if (static_cast<int>(isolation) > static_cast<int>(outer->isolation)) {
      return absl::InternalError(
          absl::StrCat("a ", IsolationName(isolation), " transaction joined an outer ",
                       IsolationName(outer->isolation),
                       " transaction of the same pool; open the outer one at the stricter level"));
    }
    return fn(*outer->tx);
  }

  ASSIGN_OR_RETURN(Impl::Lease conn, impl_->Acquire());
  absl::Status status;
  bool reconnected = false;
  for (int attempt = 1; attempt <= impl_->shared.options.max_attempts; ++attempt) {
    absl::Status begin = conn->Command(BeginSql(isolation), "BEGIN").status();
    if (!begin.ok()) {
      // Nothing ran yet: a connection lost since the last use is safe to
      // re-open once.
      if (conn->broken() && !reconnected) {
        reconnected = true;
        --attempt;
        RETURN_IF_ERROR(conn->Reset());
        continue;
      }
      return begin;
    }
    {
      Transaction tx(*conn);
      AmbientScope scope(impl_.get(), &tx, isolation);
      status = fn(tx);
    }
    if (status.ok()) {
      status = impl_->Commit(*conn);
      if (status.ok()) return status;
    } else {
      conn->Clean();
    }
    if (status.code() != absl::StatusCode::kAborted) return status;
    if (attempt < impl_->shared.options.max_attempts) absl::SleepFor(Backoff(attempt));
  }
  return status;
}

absl::StatusOr<Result> Transaction::Execute(const Query& query, const Params& params) {
  return conn_.Execute(query, params);
}

absl::Status Transaction::ExecuteScript(std::string_view sql) { return conn_.ExecuteScript(sql); }

}  // namespace gridbill::pg
