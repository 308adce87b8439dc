// The balance domain's rules over in-memory doubles (no PostgreSQL, no
// metering): what a scheme must be to be stored, and which runs may start
// when (the runs' jobs in libs/jobs' MemoryJobs).
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

absl::TimeZone Almaty() {
  absl::TimeZone zone;
  REQUIRE(absl::LoadTimeZone("Asia/Almaty", &zone));
  return zone;
}

absl::Time Local(int y, int m, int d, int hh = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), Almaty());
}

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
  explicit Fixture(absl::Time now) : clock(now) {}
  FakeStore store;
  FakePoints points{std::set<std::string>{"MP-1", "MP-2"}};
  FakeClock clock;
  Schemes schemes{store, points, clock};
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

// Runs over the doubles: no worker is started, so a run stays as Start stored it.
struct RunsFixture : Fixture {
  explicit RunsFixture(absl::Time now) : Fixture(now) {
    RunsConfig config;
    config.zone = Almaty();
    runs = std::make_unique<Runs>(store, readings, declarations, clock, config, metrics);
    REQUIRE(schemes.Define(Consumption("p-1", {"MP-1", "MP-2"}), "operator").ok());
  }
  testing::NoReadings readings;
  NoDeclarations declarations;
  prometheus::Registry registry;
  RunsMetrics metrics{registry};
  std::unique_ptr<Runs> runs;
};

BillingPeriod Month(int y, int m) { return *BillingPeriod::Make(y, m); }

TEST_CASE(
    "which runs may start when: a final run after its month, a correction after a final run") {
  RunsFixture f(Local(2024, 3, 10, 12));
  // March has not ended: a final run is refused and nothing is stored.
  absl::StatusOr<Run> run = f.runs->Start(Month(2024, 3), RunType::kFinal, 0, "op", "r1");
  CHECK(absl::IsFailedPrecondition(run.status()));
  CHECK(absl::StrContains(run.status().message(), "preliminary"));
  CHECK(f.store.run_count() == 0);
  // April has not begun: not even a preliminary run.
  run = f.runs->Start(Month(2024, 4), RunType::kPreliminary, 0, "op", "r2");
  CHECK(absl::IsFailedPrecondition(run.status()));
  CHECK(absl::StrContains(run.status().message(), "has not started yet"));
  // A preliminary run of March is computed up to the last whole hour passed.
  f.clock.Set(Local(2024, 3, 10, 12) + absl::Minutes(40));
  run = f.runs->Start(Month(2024, 3), RunType::kPreliminary, 0, "op", "r3");
  REQUIRE(run.ok());
  CHECK(run->computed_until == Local(2024, 3, 10, 12));
  CHECK(f.store.shard_count() == 1);
  // A correction of February needs a succeeded final run of February first.
  run = f.runs->Start(Month(2024, 2), RunType::kCorrection, 0, "op", "r4");
  CHECK(absl::IsFailedPrecondition(run.status()));
  CHECK(absl::StrContains(run.status().message(), "run a final run first"));
  absl::StatusOr<Run> final_run = f.runs->Start(Month(2024, 2), RunType::kFinal, 0, "op", "r5");
  REQUIRE(final_run.ok());
  run = f.runs->Start(Month(2024, 2), RunType::kCorrection, 0, "op", "r6");
  CHECK(absl::IsFailedPrecondition(run.status()));  // the final run has not succeeded yet
  f.store.SetState(final_run->id, RunState::kSucceeded);
  run = f.runs->Start(Month(2024, 2), RunType::kCorrection, 0, "op", "r7");
  REQUIRE(run.ok());
  CHECK(run->correction_number == 1);
  CHECK(run->base_run_id == final_run->id);
  // A verification run needs a succeeded base run.
  run = f.runs->Start(std::nullopt, RunType::kVerification, 0, "op", "r8");
  CHECK(absl::IsInvalidArgument(run.status()));
  CHECK(absl::StrContains(run.status().message(), "base_run_id"));
}

}  // namespace
}  // namespace gridbill::balance
