#include "outbox.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::integrations {

std::string Fact::IdempotencyKey() const { return absl::StrCat(kind, "/", id, "/", version); }

absl::Time RetryPolicy::NextAttempt(int attempts, absl::Time now) const {
  absl::Duration delay = first_delay;
  for (int i = 1; i < attempts && delay < max_delay; ++i) delay *= 2;
  return now + std::min(delay, max_delay);
}

absl::string_view DeliveryStateName(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending:
      return "pending";
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kDead:
      return "dead";
    case DeliveryState::kSkipped:
      return "skipped";
  }
  return "unknown";
}

absl::StatusOr<int> Outbox::DeliverDue(absl::string_view adapter, Receiver& receiver, int limit) {
  ASSIGN_OR_RETURN(std::vector<Delivery> due,
                   store_.ClaimDue(adapter, limit, clock_.Now(), policy_.lease));
  for (const Delivery& d : due) {
    const SendResult result = receiver.Send(d);
    const absl::Time now = clock_.Now();
    const int attempts = d.attempts + 1;
    DeliveryState state = DeliveryState::kDelivered;
    std::string detail = result.detail;
    absl::Time next = now;
    switch (result.kind) {
      case SendResult::Kind::kDelivered:
        break;
      case SendResult::Kind::kPermanent:
        state = DeliveryState::kDead;
        break;
      case SendResult::Kind::kRetry:
        if (attempts >= policy_.max_attempts) {
          state = DeliveryState::kDead;
          detail = absl::StrCat(result.detail, " (", attempts, " attempts)");
        } else {
          state = DeliveryState::kPending;
          next = policy_.NextAttempt(attempts, now);
        }
        break;
    }
    ASSIGN_OR_RETURN(bool ended, store_.EndAttempt(d, state, detail, next, now));
    (void)ended;  // a claim taken over: the other worker's attempt counts
    RETURN_IF_ERROR(store_.RecordAttempt(adapter, state == DeliveryState::kDelivered,
                                         state == DeliveryState::kDelivered ? "" : detail, now));
  }
  return static_cast<int>(due.size());
}

absl::StatusOr<Delivery> Outbox::Retry(int64_t id) { return store_.Revive(id, clock_.Now()); }

absl::StatusOr<Delivery> Outbox::Skip(int64_t id, const std::string& reason) {
  if (reason.empty()) return InvalidField("reason", "say why the delivery is skipped");
  return store_.Skip(id, reason, clock_.Now());
}

}  // namespace gridbill::integrations
