// One libpq connection of a Pool. Reached through Transaction::connection()
// for what the pool does not wrap (COPY, LISTEN); statements go through
// Transaction::Execute so that they are prepared, observed and mapped.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gridbill/pg/params.h"
#include "gridbill/pg/query.h"
#include "gridbill/pg/result.h"

struct pg_conn;

namespace gridbill::pg {

struct PoolShared;

class Connection {
 public:
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // The libpq handle. Leave it as found: idle or in the same transaction.
  pg_conn* raw() const { return conn_; }

  // `copy_sql` is a "COPY ... FROM STDIN" statement; `data` is its input in
  // COPY's text format (tab-separated columns, one row per line). Returns
  // the number of rows copied.
  absl::StatusOr<int64_t> CopyIn(std::string_view copy_sql, std::string_view data);

 private:
  friend class Pool;
  friend class Transaction;

  Connection(PoolShared* shared, pg_conn* conn) : shared_(shared), conn_(conn) {}
  static absl::StatusOr<std::unique_ptr<Connection>> Open(PoolShared* shared);

  // Session settings every connection carries (UTC, statement_timeout, ...).
  absl::Status Setup();
  // Notices a connection the server closed while it sat idle, and reconnects.
  absl::Status EnsureHealthy();
  absl::Status Reset();
  // Best effort: leaves the connection idle (ROLLBACK if needed).
  void Clean();
  bool broken() const;
  bool in_transaction() const;

  absl::StatusOr<Result> Execute(const Query& query, const Params& params);
  absl::StatusOr<Result> ExecuteOnce(const Query& query, const Params& params, bool* retry);
  absl::Status ExecuteScript(std::string_view sql, const char* label = "script");
  // One unprepared command; errors are mapped with `label` as the context.
  absl::StatusOr<Result> Command(std::string_view sql, const char* label);
  absl::Status ErrorOf(pg_result* res, const char* label) const;
  static void OnNotice(void* self, const pg_result* res);

  PoolShared* shared_;
  pg_conn* conn_;
  // Statement name -> its SQL, for the statements prepared on this session.
  absl::flat_hash_map<std::string, const char*> prepared_;
  // Statements whose cached plan went stale (result type changed by DDL):
  // deallocated before the next prepare.
  std::vector<std::string> stale_;
  // The server announced the end of the session (a FATAL between statements).
  bool terminated_ = false;
};

}  // namespace gridbill::pg
