// Calendar dates and billing periods in the operator's time zone.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace gridbill {

// Parses "YYYY-MM-DD" strictly (a real calendar date); errors name `field`.
absl::StatusOr<absl::CivilDay> ParseDate(std::string_view text, std::string_view field = "date");
// "YYYY-MM-DD".
std::string FormatDate(absl::CivilDay day);
// Builds a date from parts, rejecting impossible ones (2023-02-29); errors name `field`.
absl::StatusOr<absl::CivilDay> MakeDate(int64_t year, int month, int day,
                                        std::string_view field = "date");

// Loads a zone from the tz database ("Asia/Almaty"); INVALID_ARGUMENT names `field`.
absl::StatusOr<absl::TimeZone> LoadZone(std::string_view name,
                                        std::string_view field = "time_zone");

// A half-open interval of instants [start, end).
struct TimeRange {
  absl::Time start;
  absl::Time end;
};

// A billing period: a calendar month in the operator's time zone.
class BillingPeriod {
 public:
  // year 1..9999, month 1..12; errors name `field`.
  static absl::StatusOr<BillingPeriod> Make(int64_t year, int month,
                                            std::string_view field = "period");
  // Parses "YYYY-MM".
  static absl::StatusOr<BillingPeriod> Parse(std::string_view text,
                                             std::string_view field = "period");
  // The period containing a local calendar day.
  static BillingPeriod Of(absl::CivilDay day);

  int64_t year() const { return month_.year(); }
  int month() const { return month_.month(); }
  absl::CivilMonth civil_month() const { return month_; }
  // "YYYY-MM".
  std::string ToString() const;

  absl::CivilDay first_day() const { return absl::CivilDay(month_); }
  absl::CivilDay last_day() const { return absl::CivilDay(month_ + 1) - 1; }
  int days() const { return static_cast<int>(absl::CivilDay(month_ + 1) - absl::CivilDay(month_)); }

  // Local midnight of the first day to local midnight after the last, as UTC instants.
  TimeRange Bounds(absl::TimeZone zone) const;
  // Whole hours in the period in `zone` (697 for 2024-02 in Asia/Almaty).
  int Hours(absl::TimeZone zone) const;

  BillingPeriod Next() const { return BillingPeriod(month_ + 1); }
  BillingPeriod Prev() const { return BillingPeriod(month_ - 1); }

  friend bool operator==(const BillingPeriod& a, const BillingPeriod& b) = default;
  // Spelled std::strong_ordering, not auto: absl::CivilMonth has no <=>, so
  // only a declared return type lets the default synthesize it from < and ==.
  friend std::strong_ordering operator<=>(const BillingPeriod& a, const BillingPeriod& b) = default;

 private:
  explicit BillingPeriod(absl::CivilMonth m) : month_(m) {}
  absl::CivilMonth month_;
};

// Local midnight starting `day` in `zone`, as a UTC instant (the first
// instant of the day when midnight is skipped by a clock change).
absl::Time StartOfDay(absl::CivilDay day, absl::TimeZone zone);
// Local days [from, to] inclusive as a UTC range.
TimeRange DaysRange(absl::CivilDay from, absl::CivilDay to, absl::TimeZone zone);
// Whole hours in a UTC range.
int HoursIn(const TimeRange& range);

}  // namespace gridbill
