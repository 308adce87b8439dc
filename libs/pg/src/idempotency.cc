#include "gridbill/pg/idempotency.h"

#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::pg {
namespace {

// Claims the key; a concurrent claimant blocks on the unique index until the
// first transaction ends, then either inserts (the first rolled back) or
// finds the committed record.
constexpr Query kClaim{"gridbill_idempotency_claim",
                       "INSERT INTO idempotency_keys (method, request_id, fingerprint, response)"
                       " VALUES ($1, $2, $3, '\\x') ON CONFLICT DO NOTHING"};
constexpr Query kRecorded{"gridbill_idempotency_recorded",
                          "SELECT fingerprint, response FROM idempotency_keys"
                          " WHERE method = $1 AND request_id = $2"};
constexpr Query kStore{"gridbill_idempotency_store",
                       "UPDATE idempotency_keys SET response = $3"
                       " WHERE method = $1 AND request_id = $2"};

}  // namespace

absl::StatusOr<std::string> PgIdempotency::Run(
    std::string_view method, std::string_view request_id, std::string_view fingerprint,
    absl::FunctionRef<absl::StatusOr<std::string>()> fn) {
  if (request_id.empty()) return InvalidField("request_id", "required");
  std::string response;
  RETURN_IF_ERROR(pool_.Transact(
      [&](Transaction& tx) -> absl::Status {
        Params key(method, request_id);
        ASSIGN_OR_RETURN(Result claim, tx.Execute(kClaim, Params(key).AddBytes(fingerprint)));
        if (claim.affected() == 0) {
          ASSIGN_OR_RETURN(Result prior, tx.Execute(kRecorded, key));
          if (prior.empty()) {
            // Claimed and released again between the two statements.
            return absl::AbortedError("idempotency key was released concurrently; retrying");
          }
          if (prior[0].Bytes(0) != fingerprint) {
            return InvalidField("request_id", "was already used with different content");
          }
          response = prior[0].Bytes(1);
          return absl::OkStatus();
        }
        // fn's statements join this transaction: its writes and the record
        // commit together, and an error from fn rolls back the claim too.
        ASSIGN_OR_RETURN(response, fn());
        return tx.Execute(kStore, Params(key).AddBytes(response)).status();
      },
      isolation_));
  return response;
}

}  // namespace gridbill::pg
