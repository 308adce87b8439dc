#include "calendar.h"

#include <set>
#include <vector>

#include "absl/time/civil_time.h"

namespace gridbill::forecasting {
namespace {

// A holiday that is a day off on a fixed date, from year `from` to year `to`.
struct FixedHoliday {
  int month;
  int day;
  int from;
  int to;
};

constexpr FixedHoliday kFixed[] = {
    {1, 1, 1995, 9999},   {1, 2, 1995, 9999},    // New Year
    {3, 8, 1995, 9999},                          // International Women's Day
    {3, 21, 2010, 9999},  {3, 22, 1995, 9999},   // Nauryz (three days since 2010)
    {3, 23, 2010, 9999},  {5, 1, 1995, 9999},    // Unity Day
    {5, 7, 2013, 9999},                          // Defender of the Fatherland Day
    {5, 9, 1995, 9999},                          // Victory Day
    {7, 6, 2009, 9999},                          // Capital Day
    {8, 30, 1995, 9999},                         // Constitution Day
    {10, 25, 2022, 9999},                        // Republic Day (again since 2022)
    {12, 1, 2012, 2021},                         // First President's Day (abolished 2022)
    {12, 16, 1995, 9999}, {12, 17, 1995, 2021},  // Independence Day (one day since 2022)
};

// Religious holidays that are days off but do not move off a weekend:
// Orthodox Christmas and the first day of Kurban Ait (by the decree of each year).
constexpr absl::CivilDay kReligious[] = {
    absl::CivilDay(2019, 1, 7),  absl::CivilDay(2019, 8, 11), absl::CivilDay(2020, 1, 7),
    absl::CivilDay(2020, 7, 31), absl::CivilDay(2021, 1, 7),  absl::CivilDay(2021, 7, 20),
    absl::CivilDay(2022, 1, 7),  absl::CivilDay(2022, 7, 9),  absl::CivilDay(2023, 1, 7),
    absl::CivilDay(2023, 6, 28), absl::CivilDay(2024, 1, 7),  absl::CivilDay(2024, 6, 16),
    absl::CivilDay(2025, 1, 7),  absl::CivilDay(2025, 6, 6),  absl::CivilDay(2026, 1, 7),
    absl::CivilDay(2026, 5, 27),
};

// Transfers by government decree: `off` becomes a day off, `worked` a working day.
struct Transfer {
  absl::CivilDay off;
  absl::CivilDay worked;
};
constexpr Transfer kTransfers[] = {
    {absl::CivilDay(2025, 1, 3), absl::CivilDay(2025, 1, 5)},
};

bool Weekend(absl::CivilDay d) {
  const absl::Weekday w = absl::GetWeekday(d);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

// The days off of one year that are not weekends or transfers.
std::set<absl::CivilDay> HolidaysOff(int year) {
  std::set<absl::CivilDay> off;
  std::set<absl::CivilDay> on_weekend;
  for (const FixedHoliday& h : kFixed) {
    if (year < h.from || year > h.to) continue;
    const absl::CivilDay d(year, h.month, h.day);
    if (Weekend(d)) on_weekend.insert(d);
    off.insert(d);
  }
  // A holiday on a weekend moves the day off to the next working day.
  for (absl::CivilDay d : on_weekend) {
    absl::CivilDay next = d + 1;
    while (Weekend(next) || off.count(next) > 0) ++next;
    off.insert(next);
  }
  for (absl::CivilDay d : kReligious) {
    if (d.year() == year) off.insert(d);
  }
  return off;
}

}  // namespace

bool IsWorkingDay(absl::CivilDay day) {
  for (const Transfer& t : kTransfers) {
    if (t.off == day) return false;
    if (t.worked == day) return true;
  }
  if (Weekend(day)) return false;
  const std::set<absl::CivilDay> off = HolidaysOff(static_cast<int>(day.year()));
  return off.count(day) == 0;
}

namespace {

int CountWorkingDays(absl::CivilMonth month) {
  const std::set<absl::CivilDay> off = HolidaysOff(static_cast<int>(month.year()));
  int n = 0;
  for (absl::CivilDay d(month); d < absl::CivilDay(month + 1); ++d) {
    bool working = !Weekend(d) && off.count(d) == 0;
    for (const Transfer& t : kTransfers) {
      if (t.off == d) working = false;
      if (t.worked == d) working = true;
    }
    if (working) ++n;
  }
  return n;
}

constexpr int kFirstCachedYear = 1990;
constexpr int kCachedYears = 120;

}  // namespace

int WorkingDays(absl::CivilMonth month) {
  // Computed once for the years models meet (the regression asks for every
  // month of every series at every backtest origin).
  static const std::vector<int>* const cache = [] {
    auto* v = new std::vector<int>(kCachedYears * 12);
    for (int i = 0; i < kCachedYears * 12; ++i) {
      (*v)[i] = CountWorkingDays(absl::CivilMonth(kFirstCachedYear, 1) + i);
    }
    return v;
  }();
  const int64_t i = month - absl::CivilMonth(kFirstCachedYear, 1);
  if (i < 0 || i >= kCachedYears * 12) return CountWorkingDays(month);
  return (*cache)[static_cast<size_t>(i)];
}

}  // namespace gridbill::forecasting
