// The delivery guarantee every outbound adapter shares (the outbox pattern).
//
// - Facts (a document issued, a payment allocated, a run finished, an
//   incident) are read from the owning service by its change cursor and
//   written to the outbox in the same transaction as the cursor
//   (Store::AppendFacts): a restart reads on from the stored cursor, and a
//   fact read twice is stored once (unique per adapter and idempotency key).
// - Each delivery carries an idempotency key derived from the fact (kind, id,
//   version): every attempt sends the same key, so a receiver that sees it
//   twice keeps the first (the stand-ins check this).
// - A failed attempt is retried with exponential backoff; a permanent
//   failure, or the N-th failure, makes the delivery a dead letter with its
//   reason, which an operator retries or skips.
// - Attempts are claimed with a lease: a worker killed mid-attempt leaves its
//   claim to expire and another attempt (same key) follows; nothing is lost.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"
#include "gridbill/base/paging.h"

namespace gridbill::integrations {

enum class DeliveryState { kPending = 1, kDelivered = 2, kDead = 3, kSkipped = 4 };

// One fact for one adapter, before it is stored.
struct Fact {
  std::string adapter;  // "erp", "ecm", "esf", "itsm", "dwh"
  std::string kind;     // "document.issued", "incident.opened", ...
  std::string id;       // the resource's id in the suite
  std::string version;  // the resource's version (a change is a new fact)
  std::string payload;  // what the adapter sends (its own encoding)
  // What the fact is reconciled with (erp.h: the invoice run of a document
  // and a finished run's own id); empty: none.
  std::string group = {};

  // "<kind>/<id>/<version>": the same for every read of the same fact.
  std::string IdempotencyKey() const;
};

struct Delivery {
  int64_t id = 0;
  std::string adapter;
  std::string fact_kind;
  std::string fact_id;
  std::string fact_version;
  std::string idempotency_key;
  std::string payload;
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;
  absl::Time next_attempt_time = absl::InfinitePast();
  std::string last_error;
  std::string receipt;
  absl::Time create_time = absl::InfinitePast();
  std::optional<absl::Time> finish_time;
  // The claim an attempt holds (ClaimDue sets it).
  int64_t claim_epoch = 0;
};

// How often and how long a delivery is tried.
struct RetryPolicy {
  absl::Duration first_delay = absl::Seconds(1);
  absl::Duration max_delay = absl::Minutes(10);
  // The attempt that fails for the max_attempts-th time makes a dead letter.
  int max_attempts = 8;
  // How long an attempt's claim holds before another worker may take it.
  absl::Duration lease = absl::Seconds(30);

  // The time of the next attempt after `attempts` failed ones (1, 2, ...):
  // first_delay doubled per failure, capped at max_delay.
  absl::Time NextAttempt(int attempts, absl::Time now) const;
};

// What a receiver made of one attempt.
struct SendResult {
  enum class Kind { kDelivered, kRetry, kPermanent };
  Kind kind = Kind::kDelivered;
  // The receipt (delivered) or the reason (failed).
  std::string detail;

  static SendResult Delivered(std::string receipt) {
    return {Kind::kDelivered, std::move(receipt)};
  }
  static SendResult Retry(std::string reason) { return {Kind::kRetry, std::move(reason)}; }
  static SendResult Permanent(std::string reason) { return {Kind::kPermanent, std::move(reason)}; }
};

// The outside system of one outbound adapter.
class Receiver {
 public:
  virtual ~Receiver() = default;
  // Sends one delivery with its idempotency key; never throws.
  virtual SendResult Send(const Delivery& delivery) = 0;
};

struct DeliveryFilter {
  std::string adapter;                 // empty: any
  std::optional<DeliveryState> state;  // nullopt: any
  std::string fact_id;                 // empty: any
};

// What an adapter's status is made of (counts from the outbox, times from
// the adapter's last attempts).
struct AdapterCounts {
  std::string adapter;
  int64_t pending = 0;
  int64_t dead = 0;
  int64_t done = 0;
  std::optional<absl::Time> last_success;
  std::string last_error;
  std::optional<absl::Time> last_error_time;
};

// Storage of the outbox (pg_store.h implements it; tests use a memory one).
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // The feed's stored cursor ("" before the first read).
  virtual absl::StatusOr<std::string> Cursor(absl::string_view feed) = 0;
  // In one transaction: the facts (a fact already stored for its adapter is
  // left as it is) and the feed's new cursor. Returns the facts stored new.
  virtual absl::StatusOr<int> AppendFacts(absl::string_view feed, absl::string_view cursor,
                                          const std::vector<Fact>& facts, absl::Time now) = 0;
  // Claims up to `limit` pending deliveries of the adapter that are due and
  // not claimed (or whose claim expired), oldest due first, until now + lease.
  virtual absl::StatusOr<std::vector<Delivery>> ClaimDue(absl::string_view adapter, int limit,
                                                         absl::Time now, absl::Duration lease) = 0;
  // Ends an attempt under its claim (a claim taken over meanwhile: no change,
  // false). `state` pending = retry at next_attempt.
  virtual absl::StatusOr<bool> EndAttempt(const Delivery& claimed, DeliveryState state,
                                          const std::string& detail, absl::Time next_attempt,
                                          absl::Time now) = 0;
  virtual absl::StatusOr<Delivery> Get(int64_t id) = 0;
  // Oldest first (by id).
  virtual absl::StatusOr<paging::PageOf<Delivery>> List(const DeliveryFilter& filter,
                                                        const paging::Page& page) = 0;
  // A dead letter back to pending (attempts 0, due now) or to skipped with
  // `reason`; FAILED_PRECONDITION when it is not dead.
  // Every delivery of `adapter` whose fact has `group`, with payloads, by id.
  virtual absl::StatusOr<std::vector<Delivery>> ListGroup(absl::string_view adapter,
                                                          absl::string_view group) = 0;
  // The newest `limit` deliveries of `adapter` of fact kind `kind`, with
  // payloads, newest first.
  virtual absl::StatusOr<std::vector<Delivery>> ListKind(absl::string_view adapter,
                                                         absl::string_view kind, int limit) = 0;
  virtual absl::StatusOr<Delivery> Revive(int64_t id, absl::Time now) = 0;
  virtual absl::StatusOr<Delivery> Skip(int64_t id, const std::string& reason, absl::Time now) = 0;
  // Per adapter that has deliveries or a recorded attempt.
  virtual absl::StatusOr<std::vector<AdapterCounts>> Counts() = 0;
  // Records an adapter's success or error (inbound adapters too).
  virtual absl::Status RecordAttempt(absl::string_view adapter, bool ok, const std::string& error,
                                     absl::Time now) = 0;
};

// Delivers one adapter's due deliveries to its receiver.
class Outbox {
 public:
  Outbox(OutboxStore& store, const Clock& clock, RetryPolicy policy)
      : store_(store), clock_(clock), policy_(policy) {}

  // One pass: claims up to `limit` due deliveries of `adapter`, sends each,
  // and ends each attempt. Returns how many were claimed (0: nothing due).
  absl::StatusOr<int> DeliverDue(absl::string_view adapter, Receiver& receiver, int limit);

  absl::StatusOr<Delivery> Retry(int64_t id);
  absl::StatusOr<Delivery> Skip(int64_t id, const std::string& reason);

  const RetryPolicy& policy() const { return policy_; }

 private:
  OutboxStore& store_;
  const Clock& clock_;
  RetryPolicy policy_;
};

absl::string_view DeliveryStateName(DeliveryState state);

}  // namespace gridbill::integrations
