// Real-PostgreSQL tests of the completeness gauge's aggregate: expected
// intervals of the active points over some days, and the present ones.
#include "harness.h"

namespace gridbill::metering::testing {
namespace {

std::vector<v1::Reading> Hours(const std::string& point, absl::CivilDay day, int hours,
                               v1::Channel channel = v1::CHANNEL_ACTIVE_RECEIVED) {
  std::vector<v1::Reading> out;
  const absl::Time start = StartOfDay(day, Almaty());
  for (int i = 0; i < hours; ++i) out.push_back(R(point, start + absl::Hours(i), 100, channel));
  return out;
}

TEST_CASE("completeness counts expected intervals of active points and the present ones") {
  Harness h;
  // Two hourly points with two channels each, valid all of March 2024.
  h.CreatePoint("MP-1");
  h.CreatePoint("MP-2");
  const absl::CivilDay from(2024, 3, 1);
  const absl::CivilDay to(2024, 3, 31);

  absl::StatusOr<IntervalTotals> empty = h.store.CountIntervals(from, to);
  REQUIRE(empty.ok());
  CHECK(empty->expected == 2 * 2 * 31 * 24);
  CHECK(empty->present == 0);

  v1::IngestSummary s;
  // 24 + 10 hours of MP-1 channel 01, 5 hours of MP-2 channel 02 in March;
  // a day of February that is outside the days asked.
  REQUIRE_OK(h.Ingest(
      {Hours("MP-1", absl::CivilDay(2024, 3, 5), 24), Hours("MP-1", absl::CivilDay(2024, 3, 6), 10),
       Hours("MP-2", absl::CivilDay(2024, 3, 31), 5, v1::CHANNEL_ACTIVE_DELIVERED),
       Hours("MP-2", absl::CivilDay(2024, 2, 20), 24)},
      &s));
  REQUIRE(s.rejected() == 0);
  absl::StatusOr<IntervalTotals> t = h.store.CountIntervals(from, to);
  REQUIRE(t.ok());
  CHECK(t->expected == 2 * 2 * 31 * 24);
  CHECK(t->present == 24 + 10 + 5);

  // A corrected hour is revision 2 of its day: counted once.
  REQUIRE_OK(h.Ingest({{R("MP-1", StartOfDay(absl::CivilDay(2024, 3, 5), Almaty()), 150)}}, &s));
  REQUIRE(s.revised() == 1);
  t = h.store.CountIntervals(from, to);
  REQUIRE(t.ok());
  CHECK(t->present == 24 + 10 + 5);

  // Days before the points are valid expect nothing.
  absl::StatusOr<IntervalTotals> before =
      h.store.CountIntervals(absl::CivilDay(2023, 12, 1), absl::CivilDay(2023, 12, 31));
  REQUIRE(before.ok());
  CHECK(before->expected == 0);
  CHECK(before->present == 0);
}

}  // namespace
}  // namespace gridbill::metering::testing
