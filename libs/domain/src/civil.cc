#include "gridbill/domain/civil.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill {
namespace {

constexpr int64_t kMinYear = 1;
constexpr int64_t kMaxYear = 9999;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads the digits of text[begin, begin + n) as a number; text is known to hold digits there.
int64_t Digits(std::string_view text, size_t begin, size_t n) {
  int64_t value = 0;
  for (size_t i = begin; i < begin + n; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

// True when `text` matches `pattern`, where '9' stands for any digit.
bool Matches(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (pattern[i] == '9' ? !IsDigit(text[i]) : text[i] != pattern[i]) return false;
  }
  return true;
}

absl::Status CheckYearMonth(int64_t year, int month, std::string_view field) {
  if (year < kMinYear || year > kMaxYear) {
    return InvalidField(field, absl::StrCat("year ", year, " is outside 1..9999"));
  }
  if (month < 1 || month > 12) {
    return InvalidField(field, absl::StrCat("month ", month, " is outside 1..12"));
  }
  return absl::OkStatus();
}

// Names a tz database entry: "Asia/Almaty", "Etc/GMT-5", "UTC". Anything else
// is refused before it reaches the loader, which would also open absolute
// paths and honour "localtime" (the host's zone, different per machine).
bool LooksLikeZoneName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' || name.back() == '/') {
    return false;
  }
  if (name == "localtime") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '/' || c == '_' ||
           c == '-' || c == '+';
  });
}

}  // namespace

absl::StatusOr<absl::CivilDay> MakeDate(int64_t year, int month, int day, std::string_view field) {
  RETURN_IF_ERROR(CheckYearMonth(year, month, field));
  const absl::CivilMonth civil_month(year, month);
  const int days_in_month =
      static_cast<int>(absl::CivilDay(civil_month + 1) - absl::CivilDay(civil_month));
  if (day < 1 || day > days_in_month) {
    return InvalidField(field, absl::StrFormat("day %d is outside 1..%d for %04d-%02d", day,
                                               days_in_month, year, month));
  }
  return absl::CivilDay(year, month, day);
}

absl::StatusOr<absl::CivilDay> ParseDate(std::string_view text, std::string_view field) {
  if (!Matches(text, "9999-99-99")) {
    return InvalidField(field, absl::StrCat("expected YYYY-MM-DD, got ", QuoteInput(text)));
  }
  return MakeDate(Digits(text, 0, 4), static_cast<int>(Digits(text, 5, 2)),
                  static_cast<int>(Digits(text, 8, 2)), field);
}

std::string FormatDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::StatusOr<absl::TimeZone> LoadZone(std::string_view name, std::string_view field) {
  if (name.empty()) return InvalidField(field, "is empty");
  absl::TimeZone zone;
  if (!LooksLikeZoneName(name) || !absl::LoadTimeZone(ToAbsl(name), &zone)) {
    return InvalidField(field, absl::StrCat("unknown time zone ", QuoteInput(name),
                                            " (expected a tz database name such as "
                                            "\"Asia/Almaty\")"));
  }
  return zone;
}

absl::StatusOr<BillingPeriod> BillingPeriod::Make(int64_t year, int month, std::string_view field) {
  RETURN_IF_ERROR(CheckYearMonth(year, month, field));
  return BillingPeriod(absl::CivilMonth(year, month));
}

absl::StatusOr<BillingPeriod> BillingPeriod::Parse(std::string_view text, std::string_view field) {
  if (!Matches(text, "9999-99")) {
    return InvalidField(field, absl::StrCat("expected YYYY-MM, got ", QuoteInput(text)));
  }
  return Make(Digits(text, 0, 4), static_cast<int>(Digits(text, 5, 2)), field);
}

BillingPeriod BillingPeriod::Of(absl::CivilDay day) { return BillingPeriod(absl::CivilMonth(day)); }

std::string BillingPeriod::ToString() const {
  return absl::StrFormat("%04d-%02d", month_.year(), month_.month());
}

TimeRange BillingPeriod::Bounds(absl::TimeZone zone) const {
  return TimeRange{StartOfDay(first_day(), zone), StartOfDay(absl::CivilDay(month_ + 1), zone)};
}

int BillingPeriod::Hours(absl::TimeZone zone) const { return HoursIn(Bounds(zone)); }

absl::Time StartOfDay(absl::CivilDay day, absl::TimeZone zone) {
  const absl::TimeZone::TimeInfo info = zone.At(absl::CivilSecond(day));
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::SKIPPED:
      // Midnight never happened; the day starts when the clocks jumped.
      return info.trans;
    case absl::TimeZone::TimeInfo::REPEATED:
      // Midnight happened twice; the day starts at the first one.
    case absl::TimeZone::TimeInfo::UNIQUE:
      return info.pre;
  }
  return info.pre;
}

TimeRange DaysRange(absl::CivilDay from, absl::CivilDay to, absl::TimeZone zone) {
  return TimeRange{StartOfDay(from, zone), StartOfDay(to + 1, zone)};
}

int HoursIn(const TimeRange& range) {
  return static_cast<int>(absl::ToInt64Hours(range.end - range.start));
}

}  // namespace gridbill
