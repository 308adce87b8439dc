// State a Pool shares with its connections (internal to gridbill_pg).
#pragma once

#include <atomic>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridbill/pg/pool.h"

namespace gridbill::pg {

struct PoolShared {
  explicit PoolShared(PoolOptions opts) : options(std::move(opts)) {}

  void Observe(const char* name, absl::Duration elapsed, bool ok) {
    if (!has_observer.load(std::memory_order_acquire)) return;
    absl::ReaderMutexLock lock(&observer_mu);
    if (observer) observer(name, elapsed, ok);
  }

  const PoolOptions options;
  absl::Mutex observer_mu;
  QueryObserver observer ABSL_GUARDED_BY(observer_mu);
  std::atomic<bool> has_observer{false};
};

}  // namespace gridbill::pg
