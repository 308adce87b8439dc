// Idempotency by request_id: the first result is stored and replayed; the
// same id with different content is rejected.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "gridbill/pg/pool.h"

namespace gridbill {

// What a mutating call needs from an idempotency store (a fake implements it
// in pure tests).
class Idempotency {
 public:
  virtual ~Idempotency() = default;
  // Runs `fn` at most once per (method, request_id). `fingerprint` is a
  // digest of the request's content; `fn` returns the serialized response.
  // - first call: runs fn, stores its response with the fingerprint, returns it
  //   (fn's writes and the record commit together);
  // - retry with the same fingerprint: returns the stored response, fn not run;
  // - same request_id, other fingerprint: INVALID_ARGUMENT on "request_id";
  // - empty request_id: INVALID_ARGUMENT "request_id: required".
  // An error from fn is not stored: a retry runs fn again.
  virtual absl::StatusOr<std::string> Run(std::string_view method, std::string_view request_id,
                                          std::string_view fingerprint,
                                          absl::FunctionRef<absl::StatusOr<std::string>()> fn) = 0;
};

namespace pg {

// The PostgreSQL implementation over table idempotency_keys, which each
// service creates in its own migrations with kIdempotencyTableSql:
// fn runs inside the pool transaction opened here, so store calls made by
// fn join it and commit atomically with the record.
// `isolation` is the level of that transaction: the strictest level the
// store calls made by fn ask for (they cannot raise it once joined).
class PgIdempotency : public Idempotency {
 public:
  explicit PgIdempotency(Pool& pool, Isolation isolation = Isolation::kReadCommitted)
      : pool_(pool), isolation_(isolation) {}
  absl::StatusOr<std::string> Run(std::string_view method, std::string_view request_id,
                                  std::string_view fingerprint,
                                  absl::FunctionRef<absl::StatusOr<std::string>()> fn) override;

 private:
  Pool& pool_;
  Isolation isolation_;
};

// The DDL a service's V001 migration includes (copied, not referenced, so
// migrations stay self-contained):
//   CREATE TABLE idempotency_keys (
//     method text NOT NULL, request_id text NOT NULL,
//     fingerprint bytea NOT NULL, response bytea NOT NULL,
//     created_at timestamptz NOT NULL DEFAULT now(),
//     PRIMARY KEY (method, request_id));
inline constexpr const char* kIdempotencyTableSql =
    "CREATE TABLE idempotency_keys ("
    " method text NOT NULL, request_id text NOT NULL,"
    " fingerprint bytea NOT NULL, response bytea NOT NULL,"
    " created_at timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (method, request_id));";

}  // namespace pg
}  // namespace gridbill
