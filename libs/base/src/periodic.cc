#include "gridbill/base/periodic.h"

#include <utility>

namespace gridbill {

Periodic::Periodic(absl::Duration interval, std::function<void()> fn)
    : thread_([this, interval, fn = std::move(fn)] {
        while (true) {
          fn();
          absl::MutexLock lock(&mu_);
          auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
          if (mu_.AwaitWithTimeout(absl::Condition(&stopping), interval)) return;
        }
      }) {}

Periodic::~Periodic() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

}  // namespace gridbill
