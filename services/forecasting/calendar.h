// The working-day calendar of Kazakhstan, as data with validity: public
// holidays that are days off (Labor Code art. 84; Law "On holidays"), the
// rule that a holiday falling on a day off moves the day off to the next
// working day (religious holidays excepted), and the days off the
// government transfers by decree for a given year (kTransfers: add a year's
// decree there; a transfer swaps a working day and a day off).
#pragma once

#include "absl/time/civil_time.h"

namespace gridbill::forecasting {

// True when `day` is a working day (Monday..Friday, not a day off).
bool IsWorkingDay(absl::CivilDay day);
// Working days in a calendar month.
int WorkingDays(absl::CivilMonth month);

}  // namespace gridbill::forecasting
