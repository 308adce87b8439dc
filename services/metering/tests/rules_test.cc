// The metering domain's rules over an in-memory store (no PostgreSQL):
// which points may be created and changed, and what a batch of readings
// writes.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "catch2/catch.hpp"
#include "fake_store.h"
#include "gridbill/testing/fake_clock.h"
#include "ingestion.h"
#include "points.h"

namespace gridbill::metering {
namespace {

using ::gridbill::testing::FakeClock;
using testing::FakeStore;

absl::TimeZone Almaty() {
  absl::TimeZone zone;
  REQUIRE(absl::LoadTimeZone("Asia/Almaty", &zone));
  return zone;
}

absl::Time Local(int y, int m, int d, int hh) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), Almaty());
}

MeteringPoint HourlyPoint(const std::string& code) {
  MeteringPoint p;
  p.code = code;
  p.name = "Point " + code;
  p.resolution = Resolution::kPt60m;
  p.status = PointStatus::kActive;
  p.valid_from = absl::CivilDay(2024, 1, 1);
  p.channels = {ChannelConfig{Channel::kActiveReceived, ""}};
  p.assignments = {Assignment{"p-1", absl::CivilDay(2024, 1, 1), std::nullopt}};
  return p;
}

Reading At(const std::string& point, absl::Time start, int64_t wh) {
  Reading r;
  r.point_code = point;
  r.channel = Channel::kActiveReceived;
  r.interval_start = start;
  r.value_wh = wh;
  r.quality = Quality::kMeasured;
  r.source = Source::kScada;
  return r;
}

Batch Of(std::vector<Reading> readings) {
  Batch b;
  b.source = Source::kScada;
  b.readings = std::move(readings);
  return b;
}

struct Fixture {
  FakeStore store;
  FakeClock clock{Local(2024, 3, 10, 12)};
  Points points{store, clock};
  Ingestion ingestion{store, clock, Almaty(), VeeConfig{}};
  Caller operator_;
};

TEST_CASE("a point is created at version 1 at the clock's time") {
  Fixture f;
  absl::StatusOr<MeteringPoint> p = f.points.Create(HourlyPoint("MP-1"), f.operator_);
  REQUIRE(p.ok());
  CHECK(p->version == 1);
  CHECK(p->create_time == f.clock.Now());
  CHECK(f.store.GetPoint("MP-1").ok());
}

TEST_CASE("overlapping owners of a point are refused and nothing is stored") {
  Fixture f;
  MeteringPoint p = HourlyPoint("MP-1");
  p.assignments.push_back(Assignment{"p-2", absl::CivilDay(2024, 6, 1), std::nullopt});
  absl::StatusOr<MeteringPoint> created = f.points.Create(p, f.operator_);
  REQUIRE(created.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(created.status().message(), "point.assignments[1].valid_from"));
  CHECK(f.store.GetPoint("MP-1").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("a participant cannot create points") {
  Fixture f;
  Caller participant;
  participant.participant_id = "p-1";
  CHECK(f.points.Create(HourlyPoint("MP-1"), participant).status().code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("a point's resolution is fixed once created, and a stale version is refused") {
  Fixture f;
  REQUIRE(f.points.Create(HourlyPoint("MP-1"), f.operator_).ok());
  MeteringPoint finer = HourlyPoint("MP-1");
  finer.resolution = Resolution::kPt15m;
  absl::StatusOr<MeteringPoint> changed = f.points.Update(finer, 1, f.operator_);
  REQUIRE(changed.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StrContains(changed.status().message(), "point.resolution"));

  MeteringPoint renamed = HourlyPoint("MP-1");
  renamed.name = "Renamed";
  REQUIRE(f.points.Update(renamed, 1, f.operator_).ok());
  CHECK(f.points.Update(renamed, 1, f.operator_).status().code() ==
        absl::StatusCode::kFailedPrecondition);
  CHECK(f.store.GetPoint("MP-1")->version == 2);
}

TEST_CASE("a batch with a reading of an unknown point writes nothing") {
  Fixture f;
  REQUIRE(f.points.Create(HourlyPoint("MP-1"), f.operator_).ok());
  absl::StatusOr<IngestSummary> s = f.ingestion.Ingest(
      Of({At("MP-1", Local(2024, 3, 1, 0), 100), At("MP-404", Local(2024, 3, 1, 0), 5)}),
      f.operator_);
  REQUIRE(s.ok());
  CHECK(s->rejected == 2);
  REQUIRE_FALSE(s->rejections.empty());
  CHECK(f.store.Revisions() == 0);
}

TEST_CASE("a re-sent reading is a no-op, a changed value is a new revision of its day") {
  Fixture f;
  REQUIRE(f.points.Create(HourlyPoint("MP-1"), f.operator_).ok());
  const Batch first = Of({At("MP-1", Local(2024, 3, 1, 0), 100)});
  absl::StatusOr<IngestSummary> s = f.ingestion.Ingest(first, f.operator_);
  REQUIRE(s.ok());
  CHECK(s->accepted == 1);
  CHECK(f.store.Revisions() == 1);

  s = f.ingestion.Ingest(first, f.operator_);
  REQUIRE(s.ok());
  CHECK(s->unchanged == 1);
  CHECK(s->revisions_written == 0);
  CHECK(f.store.Revisions() == 1);

  s = f.ingestion.Ingest(Of({At("MP-1", Local(2024, 3, 1, 0), 120)}), f.operator_);
  REQUIRE(s.ok());
  CHECK(s->revised == 1);
  CHECK(f.store.Revisions() == 2);
}

TEST_CASE("a reading off the point's interval grid is rejected") {
  Fixture f;
  REQUIRE(f.points.Create(HourlyPoint("MP-1"), f.operator_).ok());
  absl::StatusOr<IngestSummary> s = f.ingestion.Ingest(
      Of({At("MP-1", Local(2024, 3, 1, 0) + absl::Minutes(15), 100)}), f.operator_);
  REQUIRE(s.ok());
  CHECK(s->rejected == 1);
  CHECK(f.store.Revisions() == 0);
}

}  // namespace
}  // namespace gridbill::metering
