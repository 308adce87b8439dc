// Pure tests of the metering domain: local days cut into intervals, VEE rules.
#include "catch2/catch.hpp"
#include "days.h"
#include "gridbill/domain/civil.h"
#include "vee.h"

namespace gridbill::metering {
namespace {

absl::TimeZone Zone(const char* name) {
  absl::TimeZone z;
  REQUIRE(absl::LoadTimeZone(name, &z));
  return z;
}

TEST_CASE("a local day has as many intervals as its hours allow") {
  const absl::TimeZone almaty = Zone("Asia/Almaty");
  REQUIRE(IntervalsIn(absl::CivilDay(2024, 2, 28), Resolution::kPt15m, almaty) == 96);
  // Clocks went back at 00:00 on 2024-03-01: 2024-02-29 had 25 hours.
  REQUIRE(IntervalsIn(absl::CivilDay(2024, 2, 29), Resolution::kPt15m, almaty) == 100);
  REQUIRE(IntervalsIn(absl::CivilDay(2024, 2, 29), Resolution::kPt30m, almaty) == 50);
  REQUIRE(IntervalsIn(absl::CivilDay(2024, 3, 1), Resolution::kPt60m, almaty) == 24);
  const absl::TimeZone berlin = Zone("Europe/Berlin");
  REQUIRE(IntervalsIn(absl::CivilDay(2024, 3, 31), Resolution::kPt60m, berlin) == 23);
  REQUIRE(IntervalsIn(absl::CivilDay(2024, 10, 27), Resolution::kPt60m, berlin) == 25);
}

TEST_CASE("February 2024 in Asia/Almaty has 697 hourly intervals") {
  const absl::TimeZone almaty = Zone("Asia/Almaty");
  int hours = 0;
  for (absl::CivilDay d(2024, 2, 1); d <= absl::CivilDay(2024, 2, 29); ++d) {
    hours += IntervalsIn(d, Resolution::kPt60m, almaty);
  }
  REQUIRE(hours == 697);
}

TEST_CASE("the repeated hour of 2024-02-29 maps to intervals 23 and 24 of that day") {
  const absl::TimeZone almaty = Zone("Asia/Almaty");
  const absl::Time first = absl::FromCivil(absl::CivilSecond(2024, 2, 29, 17, 0, 0),
                                           absl::UTCTimeZone());  // 23:00 at UTC+6
  Slot a = SlotOf(first, Resolution::kPt60m, almaty);
  Slot b = SlotOf(first + absl::Hours(1), Resolution::kPt60m, almaty);  // 23:00 at UTC+5
  REQUIRE(a.day == absl::CivilDay(2024, 2, 29));
  REQUIRE(b.day == absl::CivilDay(2024, 2, 29));
  REQUIRE(a.index == 23);
  REQUIRE(b.index == 24);
  REQUIRE(a.aligned);
  REQUIRE_FALSE(SlotOf(first + absl::Minutes(7), Resolution::kPt15m, almaty).aligned);
}

DayRow Day(std::vector<int64_t> values) {
  DayRow r;
  r.values = std::move(values);
  r.quality.assign(r.values.size(), static_cast<int16_t>(Quality::kMeasured));
  return r;
}

TEST_CASE("VEE flags negative values, spikes, flat lines and gaps by name") {
  VeeConfig config;
  config.spike_factor = 10;
  config.spike_min_samples = 4;
  config.flat_line_intervals = 4;
  DayRow r = Day({100, 110, 90, -5, 5000, 120, 7, 7, 7, 7, 0});
  r.quality[10] = static_cast<int16_t>(Quality::kMissing);
  Validate(config, r);
  REQUIRE(FindingsOf(r.findings[0]).empty());
  REQUIRE(FindingsOf(r.findings[3]) == std::vector<Finding>{Finding::kNegative});
  REQUIRE(FindingsOf(r.findings[4]) == std::vector<Finding>{Finding::kSpike});
  for (int i = 6; i <= 9; ++i) {
    REQUIRE(FindingsOf(r.findings[i]) == std::vector<Finding>{Finding::kFlatLine});
  }
  REQUIRE(FindingsOf(r.findings[10]) == std::vector<Finding>{Finding::kGap});
}

TEST_CASE("VEE does not call a run of zeros a flat line nor judge spikes on few samples") {
  VeeConfig config;
  config.spike_min_samples = 8;
  config.flat_line_intervals = 3;
  DayRow r = Day({0, 0, 0, 0, 10, 1000});
  Validate(config, r);
  for (int16_t f : r.findings) REQUIRE(f == 0);
}

}  // namespace
}  // namespace gridbill::metering
