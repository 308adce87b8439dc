// A clock the test sets and moves; thread-safe, since the code under test
// may read it from its workers.
#pragma once

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"

namespace gridbill::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridbill::testing
