// Test doubles of the gateway: a clock the test moves.
#pragma once

#include "../clock.h"  // services/contracts has a clock.h too
#include "../passwords.h"
#include "absl/synchronization/mutex.h"

namespace gridbill::gateway::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

// Cheap argon2id parameters so tests stay fast (production uses the defaults).
inline constexpr Argon2Params kTestArgon2{1, 1024, 1};

}  // namespace gridbill::gateway::testing
