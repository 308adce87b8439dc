#include "days.h"

#include "gridbill/domain/civil.h"

namespace gridbill::metering {

int IntervalsIn(absl::CivilDay day, Resolution resolution, absl::TimeZone zone) {
  const absl::Duration len = StartOfDay(day + 1, zone) - StartOfDay(day, zone);
  // IDivDuration needs a remainder pointer: Debian's Abseil writes through it.
  absl::Duration rem;
  return static_cast<int>(absl::IDivDuration(len, Length(resolution), &rem));
}

Slot SlotOf(absl::Time t, Resolution resolution, absl::TimeZone zone) {
  Slot s;
  s.day = absl::ToCivilDay(t, zone);
  absl::Duration rem;
  s.index =
      static_cast<int>(absl::IDivDuration(t - StartOfDay(s.day, zone), Length(resolution), &rem));
  s.aligned = rem == absl::ZeroDuration();
  return s;
}

}  // namespace gridbill::metering
