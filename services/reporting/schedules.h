// Scheduled reports: when a schedule runs next, which months a run covers,
// and the check of a schedule as it is created. Pure: no clock of its own,
// no database, no gRPC. A run missed while the service was down is not
// repeated for every missed date: the next run after a due one is the first
// occurrence after the moment it ran, so a service that starts after two
// missed dates runs the schedule once.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "exports.h"
#include "reports.h"

namespace gridbill::reporting {

// The values of gridbill.reporting.v1.SchedulePeriod.
enum class SchedulePeriod { kPreviousMonth = 1, kYearToDate = 2, kFixed = 3 };

inline constexpr char kDefaultTimeZone[] = "Asia/Almaty";
inline constexpr int kDefaultRetentionDays = 365;

struct Schedule {
  std::string id;
  std::string report;
  Params params;
  SchedulePeriod period = SchedulePeriod::kPreviousMonth;
  Format format = Format::kCsv;
  Language language = Language::kEn;
  int day_of_month = 1;
  int hour = 0;
  int minute = 0;
  std::string time_zone;
  int retention_days = 0;
  std::optional<absl::Time> next_run_time;
  std::optional<absl::Time> last_run_time;
  std::string last_error;
  std::string created_by;
};

// A file a schedule produced.
struct ReportFile {
  std::string id;
  std::string schedule_id;
  std::string report;
  Params params;  // the periods resolved
  Format format = Format::kCsv;
  Language language = Language::kEn;
  std::string file_name;
  std::string content_type;
  int64_t size_bytes = 0;
  std::string sha256;
  int64_t rows = 0;
  absl::Time scheduled_time;
  absl::Time create_time;
  Freshness freshness;
  absl::Time expire_time;
};

// Fills the defaults (time zone, retention) and checks the schedule:
// INVALID_ARGUMENT naming the field ("schedule.day_of_month", ...; the
// report and its parameters as RunReport names them, under "schedule.").
absl::Status CheckSchedule(Schedule& s);

// The first time after `after` the schedule is due.
absl::Time NextRun(const Schedule& s, absl::Time after);

// The parameters of the run due at `due`: the schedule's, with the periods
// of its SchedulePeriod.
Params ParamsAt(const Schedule& s, absl::Time due);

}  // namespace gridbill::reporting
