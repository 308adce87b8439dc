#include "gridbill/domain/civil.h"

#include <catch2/catch.hpp>
#include <string>

#include "gridbill/base/errors.h"

namespace gridbill {
namespace {

absl::TimeZone Zone(std::string_view name) {
  absl::StatusOr<absl::TimeZone> zone = LoadZone(name);
  INFO(std::string(name) << ": " << zone.status().ToString());
  REQUIRE(zone.ok());
  return *zone;
}

BillingPeriod Period(int64_t year, int month) {
  absl::StatusOr<BillingPeriod> p = BillingPeriod::Make(year, month);
  REQUIRE(p.ok());
  return *p;
}

std::string Utc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

TEST_CASE("Hours in a month follow the zone's clock changes", "[domain][civil]") {
  const absl::TimeZone almaty = Zone("Asia/Almaty");
  const absl::TimeZone berlin = Zone("Europe/Berlin");
  // Kazakhstan moved from UTC+6 to UTC+5 at 2024-03-01 00:00: 23:00-24:00 on
  // 2024-02-29 happened twice.
  CHECK(Period(2024, 2).Hours(almaty) == 697);
  CHECK(Period(2024, 3).Hours(almaty) == 744);
  CHECK(Period(2024, 4).Hours(almaty) == 720);
  CHECK(Period(2023, 2).Hours(almaty) == 672);
  CHECK(Period(2024, 1).Hours(almaty) == 744);
  // Summer time starts on the last Sunday of March and ends on the last of October.
  CHECK(Period(2024, 3).Hours(berlin) == 743);
  CHECK(Period(2024, 10).Hours(berlin) == 745);
  CHECK(Period(2024, 4).Hours(berlin) == 720);
  CHECK(Period(2024, 1).Hours(berlin) == 744);
  CHECK(Period(2024, 2).Hours(absl::UTCTimeZone()) == 696);
}

TEST_CASE("Bounds are local midnights as UTC instants", "[domain][civil]") {
  const absl::TimeZone almaty = Zone("Asia/Almaty");
  const TimeRange feb = Period(2024, 2).Bounds(almaty);
  CHECK(Utc(feb.start) == "2024-01-31T18:00:00Z");  // 00:00 at UTC+6
  CHECK(Utc(feb.end) == "2024-02-29T19:00:00Z");    // 00:00 at UTC+5
  const TimeRange mar = Period(2024, 3).Bounds(almaty);
  CHECK(Utc(mar.start) == "2024-02-29T19:00:00Z");
  CHECK(Utc(mar.end) == "2024-03-31T19:00:00Z");
  CHECK(feb.end == mar.start);  // consecutive periods tile time

  const TimeRange oct = Period(2024, 10).Bounds(Zone("Europe/Berlin"));
  CHECK(Utc(oct.start) == "2024-09-30T22:00:00Z");  // CEST
  CHECK(Utc(oct.end) == "2024-10-31T23:00:00Z");    // CET
}

TEST_CASE("StartOfDay when midnight is skipped or repeated", "[domain][civil]") {
  const absl::TimeZone havana = Zone("America/Havana");
  // 2023-03-12: clocks jumped from 23:59:59 CST to 01:00 CDT; the day starts at the jump.
  CHECK(Utc(StartOfDay(absl::CivilDay(2023, 3, 12), havana)) == "2023-03-12T05:00:00Z");
  CHECK(HoursIn(DaysRange(absl::CivilDay(2023, 3, 12), absl::CivilDay(2023, 3, 12), havana)) == 23);
  // 2023-11-05: 00:00-01:00 happened twice; the day starts at the first midnight (CDT).
  CHECK(Utc(StartOfDay(absl::CivilDay(2023, 11, 5), havana)) == "2023-11-05T04:00:00Z");
  CHECK(HoursIn(DaysRange(absl::CivilDay(2023, 11, 5), absl::CivilDay(2023, 11, 5), havana)) == 25);
  // Brazil started summer time at midnight on 2018-11-04.
  CHECK(Utc(StartOfDay(absl::CivilDay(2018, 11, 4), Zone("America/Sao_Paulo"))) ==
        "2018-11-04T03:00:00Z");
  // An ordinary day.
  CHECK(Utc(StartOfDay(absl::CivilDay(2024, 5, 1), Zone("Asia/Almaty"))) == "2024-04-30T19:00:00Z");
}

TEST_CASE("DaysRange covers whole local days", "[domain][civil]") {
  const absl::TimeZone almaty = Zone("Asia/Almaty");
  const absl::CivilDay leap(2024, 2, 29);
  CHECK(HoursIn(DaysRange(leap, leap, almaty)) == 25);
  CHECK(HoursIn(DaysRange(absl::CivilDay(2024, 3, 1), absl::CivilDay(2024, 3, 7), almaty)) ==
        7 * 24);
  const absl::CivilDay spring(2024, 3, 31);
  CHECK(HoursIn(DaysRange(spring, spring, Zone("Europe/Berlin"))) == 23);
  const TimeRange feb = Period(2024, 2).Bounds(almaty);
  const TimeRange days = DaysRange(absl::CivilDay(2024, 2, 1), leap, almaty);
  CHECK(days.start == feb.start);
  CHECK(days.end == feb.end);
}

TEST_CASE("HoursIn counts whole hours", "[domain][civil]") {
  const absl::Time t = absl::FromUnixSeconds(1'700'000'000);
  CHECK(HoursIn({t, t}) == 0);
  CHECK(HoursIn({t, t + absl::Minutes(59)}) == 0);
  CHECK(HoursIn({t, t + absl::Minutes(90)}) == 1);
  CHECK(HoursIn({t, t + absl::Hours(745)}) == 745);
}

TEST_CASE("BillingPeriod parses, prints and steps", "[domain][civil]") {
  absl::StatusOr<BillingPeriod> p = BillingPeriod::Parse("2024-02");
  REQUIRE(p.ok());
  CHECK(p->year() == 2024);
  CHECK(p->month() == 2);
  CHECK(p->ToString() == "2024-02");
  CHECK(p->first_day() == absl::CivilDay(2024, 2, 1));
  CHECK(p->last_day() == absl::CivilDay(2024, 2, 29));
  CHECK(p->days() == 29);
  CHECK(Period(2023, 2).days() == 28);
  CHECK(p->Next().ToString() == "2024-03");
  CHECK(p->Prev().ToString() == "2024-01");
  CHECK(Period(2024, 12).Next().ToString() == "2025-01");
  CHECK(Period(2025, 1).Prev().ToString() == "2024-12");
  CHECK(BillingPeriod::Of(absl::CivilDay(2024, 2, 29)) == *p);
  CHECK(BillingPeriod::Of(absl::CivilDay(2024, 3, 1)) == p->Next());
  CHECK(*p < p->Next());
  CHECK(Period(2023, 12) < Period(2024, 1));
  CHECK(Period(9, 7).ToString() == "0009-07");
}

TEST_CASE("BillingPeriod rejects impossible periods, naming the field", "[domain][civil]") {
  auto error = [](absl::StatusOr<BillingPeriod> p) {
    REQUIRE_FALSE(p.ok());
    CHECK(p.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(p.status().message());
  };
  CHECK(error(BillingPeriod::Parse("2024-13")) == "period: month 13 is outside 1..12");
  CHECK(error(BillingPeriod::Parse("2024-00")) == "period: month 0 is outside 1..12");
  CHECK(error(BillingPeriod::Parse("0000-01")) == "period: year 0 is outside 1..9999");
  CHECK(error(BillingPeriod::Parse("2024-2")) == R"(period: expected YYYY-MM, got "2024-2")");
  CHECK(error(BillingPeriod::Parse("2024-02-01")) ==
        R"(period: expected YYYY-MM, got "2024-02-01")");
  CHECK(error(BillingPeriod::Parse("")) == R"(period: expected YYYY-MM, got "")");
  CHECK(error(BillingPeriod::Parse("2024/02", "billing_period")) ==
        R"(billing_period: expected YYYY-MM, got "2024/02")");
  CHECK(error(BillingPeriod::Make(10000, 1)) == "period: year 10000 is outside 1..9999");
  CHECK(error(BillingPeriod::Make(2024, -1)) == "period: month -1 is outside 1..12");
  CHECK(FieldOf(BillingPeriod::Make(2024, 13, "req.period").status()) == "req.period");
}

TEST_CASE("ParseDate accepts real calendar dates only", "[domain][civil]") {
  CHECK(*ParseDate("2024-02-29") == absl::CivilDay(2024, 2, 29));
  CHECK(*ParseDate("0001-01-01") == absl::CivilDay(1, 1, 1));
  CHECK(*ParseDate("9999-12-31") == absl::CivilDay(9999, 12, 31));
  auto error = [](absl::StatusOr<absl::CivilDay> d) {
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(d.status().message());
  };
  CHECK(error(ParseDate("2023-02-29")) == "date: day 29 is outside 1..28 for 2023-02");
  CHECK(error(ParseDate("2024-04-31")) == "date: day 31 is outside 1..30 for 2024-04");
  CHECK(error(ParseDate("2024-04-00")) == "date: day 0 is outside 1..30 for 2024-04");
  CHECK(error(ParseDate("2024-13-01")) == "date: month 13 is outside 1..12");
  CHECK(error(ParseDate("0000-12-31")) == "date: year 0 is outside 1..9999");
  CHECK(error(ParseDate("2024-2-29")) == R"(date: expected YYYY-MM-DD, got "2024-2-29")");
  CHECK(error(ParseDate("29.02.2024")) == R"(date: expected YYYY-MM-DD, got "29.02.2024")");
  CHECK(error(ParseDate("2024-02-29T00:00")) ==
        R"(date: expected YYYY-MM-DD, got "2024-02-29T00:00")");
  CHECK(error(ParseDate(" 2024-02-29")) == R"(date: expected YYYY-MM-DD, got " 2024-02-29")");
  CHECK(FieldOf(ParseDate("2024-02-30", "contract_date").status()) == "contract_date");
}

TEST_CASE("MakeDate and FormatDate", "[domain][civil]") {
  CHECK(*MakeDate(2024, 2, 29) == absl::CivilDay(2024, 2, 29));
  CHECK(MakeDate(2023, 2, 29).status().message() == "date: day 29 is outside 1..28 for 2023-02");
  CHECK(MakeDate(2100, 2, 29).status().message() == "date: day 29 is outside 1..28 for 2100-02");
  CHECK(MakeDate(2000, 2, 29).ok());
  CHECK(FormatDate(absl::CivilDay(2024, 3, 1)) == "2024-03-01");
  CHECK(FormatDate(absl::CivilDay(5, 1, 9)) == "0005-01-09");
  CHECK(FormatDate(*ParseDate("2025-12-31")) == "2025-12-31");
}

TEST_CASE("LoadZone loads tz database names and names the field on error", "[domain][civil]") {
  CHECK(Zone("Asia/Almaty").name() == "Asia/Almaty");
  CHECK(Zone("UTC").name() == "UTC");
  CHECK(Zone("Etc/GMT-5").At(absl::FromUnixSeconds(0)).offset == 5 * 3600);

  absl::StatusOr<absl::TimeZone> typo = LoadZone("Asia/Almty");
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(
      typo.status().message() ==
      R"(time_zone: unknown time zone "Asia/Almty" (expected a tz database name such as "Asia/Almaty"))");
  CHECK(FieldOf(typo.status()) == "time_zone");
  CHECK(LoadZone("").status().message() == "time_zone: is empty");
  CHECK(FieldOf(LoadZone("Mars/Olympus", "operator.time_zone").status()) == "operator.time_zone");
  // Not tz names: the loader would open these as files or use the host's zone.
  CHECK_FALSE(LoadZone("/usr/share/zoneinfo/Asia/Almaty").ok());
  CHECK_FALSE(LoadZone("../../../../etc/localtime").ok());
  CHECK_FALSE(LoadZone("localtime").ok());
  CHECK_FALSE(LoadZone("Asia/Almaty ").ok());
}

}  // namespace
}  // namespace gridbill
