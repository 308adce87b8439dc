// The balance domain's rules over in-memory doubles (no PostgreSQL, no
// metering): what a scheme must be to be stored, and which runs may start
// when.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "catch2/catch.hpp"
#include "fake_store.h"
#include "gridbill/testing/fake_clock.h"
#include "prometheus/registry.h"
#include "runs.h"
#include "schemes.h"

namespace gridbill::balance {
namespace {

using ::gridbill::testing::FakeClock;
using testing::FakePoints;
using testing::FakeStore;
using testing::NoReadings;

absl::TimeZone Almaty() {
  absl::TimeZone zone;
  REQUIRE(absl::LoadTimeZone("Asia/Almaty", &zone));
  return zone;
}

absl::Time Local(int y, int m, int d, int hh = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), Almaty());
}

BillingPeriod Period(int y, int m) { return *BillingPeriod::Make(y, m); }

Scheme Consumption(const std::string& participant, std::vector<std::string> points) {
  Scheme s;
  s.kind = SchemeKind::kParticipantService;
  s.participant_id = participant;
  s.service_type = 1;
  s.name = "Consumption of " + participant;
  s.valid_from = absl::CivilDay(2024, 1, 1);
  for (const std::string& p : points) s.terms.push_back(Term{p, 1, TermRole::kAdd});
  return s;
}

// What the balance service is built from, over the doubles.
struct Fixture {
  explicit Fixture(absl::Time now) : clock(now) {
    RunsConfig config;
    config.zone = Almaty();
    runs = std::make_unique<Runs>(store, readings, declarations, clock, config, metrics);
  }
  FakeStore store;
  FakePoints points{std::set<std::string>{"MP-1", "MP-2"}};
  NoReadings readings;
  NoDeclarations declarations;
  FakeClock clock;
  prometheus::Registry registry;
  RunsMetrics metrics{registry};
  Schemes schemes{store, points, clock};
  std::unique_ptr<Runs> runs;
};

TEST_CASE("a scheme is stored with who defined it and when") {
  Fixture f(Local(2024, 3, 10));
  absl::StatusOr<Scheme> s = f.schemes.Define(Consumption("p-1", {"MP-1", "MP-2"}), "operator");
  REQUIRE(s.ok());
  CHECK(s->created_by == "operator");
  CHECK(s->create_time == f.clock.Now());
  CHECK(f.store.scheme_count() == 1);
}

TEST_CASE("a term naming a point metering does not know is refused by its index") {
  Fixture f(Local(2024, 3, 10));
  absl::StatusOr<Scheme> s =
      f.schemes.Define(Consumption("p-1", {"MP-1", "MP-404", "MP-405"}), "operator");
  REQUIRE(s.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(absl::StrContains(s.status().message(), "scheme.terms[1].point_code"));
  CHECK(absl::StrContains(s.status().message(), "MP-405"));
  CHECK(f.store.scheme_count() == 0);
}

TEST_CASE("a participant scheme names its participant and no node, and counts a point once") {
  Scheme no_participant = Consumption("", {"MP-1"});
  CHECK(absl::StrContains(Schemes::Validate(no_participant).message(), "scheme.participant_id"));
  Scheme with_node = Consumption("p-1", {"MP-1"});
  with_node.node_code = "N-1";
  CHECK(absl::StrContains(Schemes::Validate(with_node).message(), "scheme.node_code"));
  Scheme twice = Consumption("p-1", {"MP-1", "MP-1"});
  CHECK(absl::StrContains(Schemes::Validate(twice).message(), "appears twice"));
  Scheme backwards = Consumption("p-1", {"MP-1"});
  backwards.valid_to = absl::CivilDay(2023, 12, 31);
  CHECK(absl::StrContains(Schemes::Validate(backwards).message(), "scheme.valid_to"));
}

TEST_CASE("a final run waits for the end of its month, a preliminary one does not") {
  Fixture f(Local(2024, 3, 10, 12));
  REQUIRE(f.schemes.Define(Consumption("p-1", {"MP-1"}), "operator").ok());
  absl::StatusOr<Run> final_run =
      f.runs->Start(Period(2024, 3), RunType::kFinal, 0, "operator", "r-1");
  REQUIRE(final_run.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StrContains(final_run.status().message(), "preliminary"));
  CHECK(f.store.run_count() == 0);

  absl::StatusOr<Run> preliminary =
      f.runs->Start(Period(2024, 3), RunType::kPreliminary, 0, "operator", "r-2");
  INFO(preliminary.status().ToString());
  REQUIRE(preliminary.ok());
  // Up to the last whole hour passed: 9 days and 12 hours of March.
  CHECK(preliminary->computed_until == Local(2024, 3, 10, 12));
  CHECK(f.store.shard_count() >= 1);
}

TEST_CASE("a month not yet begun cannot be run") {
  Fixture f(Local(2024, 3, 10, 12));
  REQUIRE(f.schemes.Define(Consumption("p-1", {"MP-1"}), "operator").ok());
  absl::StatusOr<Run> run =
      f.runs->Start(Period(2024, 4), RunType::kPreliminary, 0, "operator", "r-1");
  REQUIRE(run.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StrContains(run.status().message(), "has not started yet"));
}

TEST_CASE("a correction needs a succeeded final run and is numbered after the last") {
  Fixture f(Local(2024, 4, 5));
  REQUIRE(f.schemes.Define(Consumption("p-1", {"MP-1"}), "operator").ok());
  absl::StatusOr<Run> early =
      f.runs->Start(Period(2024, 3), RunType::kCorrection, 0, "operator", "r-1");
  REQUIRE(early.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(absl::StrContains(early.status().message(), "run a final run first"));

  absl::StatusOr<Run> final_run =
      f.runs->Start(Period(2024, 3), RunType::kFinal, 0, "operator", "r-2");
  REQUIRE(final_run.ok());
  f.store.SetState(final_run->id, RunState::kSucceeded);
  absl::StatusOr<Run> correction =
      f.runs->Start(Period(2024, 3), RunType::kCorrection, 0, "operator", "r-3");
  REQUIRE(correction.ok());
  CHECK(correction->correction_number == 1);
  CHECK(correction->base_run_id == final_run->id);
}

TEST_CASE("a run of a month without schemes is refused") {
  Fixture f(Local(2024, 4, 5));
  absl::StatusOr<Run> run = f.runs->Start(Period(2024, 3), RunType::kFinal, 0, "operator", "r-1");
  REQUIRE(run.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(f.store.run_count() == 0);
}

}  // namespace
}  // namespace gridbill::balance
