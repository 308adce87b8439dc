#include "schedules.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::reporting {
namespace {

absl::TimeZone ZoneOf(const Schedule& s) {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(s.time_zone.empty() ? kDefaultTimeZone : s.time_zone, &tz)) {
    return absl::UTCTimeZone();
  }
  return tz;
}

// The status of a parameter check, its field under "schedule.".
absl::Status UnderSchedule(const absl::Status& st) {
  if (st.ok()) return st;
  const std::string field = FieldOf(st);
  if (field.empty()) return st;
  std::string reason(st.message());
  if (absl::StartsWith(reason, field + ": ")) reason = reason.substr(field.size() + 2);
  return InvalidField(absl::StrCat("schedule.", field), reason);
}

}  // namespace

absl::Status CheckSchedule(Schedule& s) {
  if (s.time_zone.empty()) s.time_zone = kDefaultTimeZone;
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(s.time_zone, &tz)) {
    return InvalidField("schedule.time_zone",
                        absl::StrCat("unknown time zone ", QuoteInput(s.time_zone)));
  }
  if (s.day_of_month < 1 || s.day_of_month > 28) {
    return InvalidField("schedule.day_of_month",
                        absl::StrCat(s.day_of_month, " is outside 1..28 (every month has it)"));
  }
  if (s.hour < 0 || s.hour > 23) {
    return InvalidField("schedule.hour", absl::StrCat(s.hour, " is outside 0..23"));
  }
  if (s.minute < 0 || s.minute > 59) {
    return InvalidField("schedule.minute", absl::StrCat(s.minute, " is outside 0..59"));
  }
  if (s.retention_days == 0) s.retention_days = kDefaultRetentionDays;
  if (s.retention_days < 1 || s.retention_days > 3660) {
    return InvalidField("schedule.retention_days",
                        absl::StrCat(s.retention_days, " is outside 1..3660"));
  }
  if (s.period == SchedulePeriod::kFixed && !s.params.period_from) {
    return InvalidField("schedule.parameters.period_from", "required with SCHEDULE_PERIOD_FIXED");
  }
  // The report and its parameters as the first run will see them, checked
  // as a staff member's RunReport.
  Caller staff;
  staff.principal = "scheduler";
  staff.roles = {Role::kOperator};
  const Params at = ParamsAt(s, absl::Now());
  return UnderSchedule(CheckQuery(s.report, at, staff).status());
}

absl::Time NextRun(const Schedule& s, absl::Time after) {
  const absl::TimeZone tz = ZoneOf(s);
  const absl::CivilMonth month(absl::ToCivilSecond(after, tz));
  for (absl::CivilMonth m = month;; ++m) {
    const absl::CivilSecond at(m.year(), m.month(), s.day_of_month, s.hour, s.minute, 0);
    const absl::Time t = absl::FromCivil(at, tz);
    if (t > after) return t;
  }
}

Params ParamsAt(const Schedule& s, absl::Time due) {
  Params p = s.params;
  const absl::CivilMonth previous = absl::CivilMonth(absl::ToCivilSecond(due, ZoneOf(s))) - 1;
  switch (s.period) {
    case SchedulePeriod::kPreviousMonth:
      p.period_from = previous;
      p.period_to = previous;
      break;
    case SchedulePeriod::kYearToDate:
      p.period_from = absl::CivilMonth(previous.year(), 1);
      p.period_to = previous;
      break;
    case SchedulePeriod::kFixed:
      break;
  }
  return p;
}

}  // namespace gridbill::reporting
