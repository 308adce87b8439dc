// Local days of the operator's zone cut into a point's intervals. A day is
// StartOfDay(d) .. StartOfDay(d + 1): 24 hours usually, 23 or 25 on clock
// changes (2024-02-29 has 25 hours in Asia/Almaty), never days x 24.
#pragma once

#include <cstdint>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "model.h"

namespace gridbill::metering {

// The number of intervals of `resolution` in local day `day`.
int IntervalsIn(absl::CivilDay day, Resolution resolution, absl::TimeZone zone);

// Where an instant falls: its local day and interval index. `aligned` is
// false when the instant is not an interval start.
struct Slot {
  absl::CivilDay day;
  int index = 0;
  bool aligned = false;
};
Slot SlotOf(absl::Time t, Resolution resolution, absl::TimeZone zone);

}  // namespace gridbill::metering
