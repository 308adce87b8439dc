// The clock every domain reads "now" from; tests inject a FakeClock
// (libs/testing) they can move.
#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace gridbill {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The wall clock, truncated to microseconds: the precision PostgreSQL keeps,
// so that what a call returns equals what a later read returns.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixMicros(absl::ToUnixMicros(absl::Now())); }
};

}  // namespace gridbill
