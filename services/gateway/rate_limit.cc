#include "rate_limit.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "gridbill/base/absl_compat.h"

namespace gridbill::gateway {
namespace {

// Buckets kept before full ones (idle callers) are dropped.
constexpr size_t kMaxBuckets = 100000;

}  // namespace

absl::Duration RateLimiter::Refill(Bucket& b, const RateLimit& limit, absl::Time now) {
  if (b.updated == absl::Time()) {
    b.tokens = limit.burst;  // a new caller starts with a full bucket
  } else if (now > b.updated) {
    b.tokens =
        std::min(limit.burst, b.tokens + absl::ToDoubleSeconds(now - b.updated) * limit.per_second);
  }
  b.updated = std::max(b.updated, now);
  if (b.tokens >= 1) return absl::ZeroDuration();
  return absl::Seconds((1 - b.tokens) / limit.per_second);
}

void RateLimiter::Evict(absl::Time now) {
  for (auto* map : {&principal_, &method_}) {
    if (map->size() < kMaxBuckets) continue;
    const RateLimit& limit = map == &principal_ ? limits_.principal : limits_.method;
    absl::erase_if(*map, [&](const auto& entry) {
      Bucket b = entry.second;
      Refill(b, limit, now);
      return b.tokens >= limit.burst;
    });
  }
}

Admission RateLimiter::Admit(std::string_view principal, std::string_view method, absl::Time now) {
  Admission out;
  if (!limits_.principal.enabled() && !limits_.method.enabled()) return out;
  absl::MutexLock lock(&mu_);
  Evict(now);
  Bucket* p = nullptr;
  Bucket* m = nullptr;
  absl::Duration wait_p, wait_m;
  if (limits_.principal.enabled()) {
    p = &principal_[ToAbsl(principal)];
    wait_p = Refill(*p, limits_.principal, now);
  }
  if (limits_.method.enabled()) {
    m = &method_[absl::StrCat(ToAbsl(principal), " ", ToAbsl(method))];
    wait_m = Refill(*m, limits_.method, now);
  }
  if (wait_p > absl::ZeroDuration() || wait_m > absl::ZeroDuration()) {
    out.allowed = false;
    const bool by_principal = wait_p >= wait_m;
    out.limit = by_principal ? "principal" : "method";
    out.per_second = by_principal ? limits_.principal.per_second : limits_.method.per_second;
    out.retry_after = std::max(wait_p, wait_m);
    return out;
  }
  if (p != nullptr) p->tokens -= 1;
  if (m != nullptr) m->tokens -= 1;
  return out;
}

}  // namespace gridbill::gateway
