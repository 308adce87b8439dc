// A function run every `interval` on a thread of its own, first at once,
// until the object is destroyed: gauges a service reads from its database
// (e.g. contracts' overdue applications), where nothing else ticks.
#pragma once

#include <functional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace gridbill {

class Periodic {
 public:
  Periodic(absl::Duration interval, std::function<void()> fn);
  // Waits for a run in progress, then stops.
  ~Periodic();
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

 private:
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace gridbill
