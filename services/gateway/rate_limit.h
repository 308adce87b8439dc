// Rate limits per principal and per (principal, method): token buckets
// refilled continuously. Pure: time comes in as an argument.
#pragma once

#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace gridbill::gateway {

// `per_second` tokens flow in, up to `burst`; 0 per second = no limit.
struct RateLimit {
  double per_second = 0;
  double burst = 0;
  bool enabled() const { return per_second > 0; }
};

struct RateLimits {
  RateLimit principal;  // rate_limit_principal / _burst: all of a caller's calls
  RateLimit method;     // rate_limit_method / _burst: a caller's calls of one method
};

struct Admission {
  bool allowed = true;
  // When refused: which limit, and how long until a call would be admitted.
  std::string limit;  // "principal" or "method"
  double per_second = 0;
  absl::Duration retry_after;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimits limits) : limits_(limits) {}

  // Takes one token from the caller's bucket and from the caller's bucket
  // for `method` (both or neither).
  Admission Admit(std::string_view principal, std::string_view method, absl::Time now);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  // Refills `b` to `now` and returns the wait until it holds one token.
  static absl::Duration Refill(Bucket& b, const RateLimit& limit, absl::Time now);
  void Evict(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RateLimits limits_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> principal_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Bucket> method_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridbill::gateway
