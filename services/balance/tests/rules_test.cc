// The balance domain's rules over in-memory doubles (no PostgreSQL, no
// metering): what a scheme must be to be stored. Which runs may start when
// is tested in runs_pgtest: runs are jobs of libs/jobs, whose store is
// PostgreSQL's.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "catch2/catch.hpp"
#include "fake_store.h"
#include "gridbill/testing/fake_clock.h"
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

}  // namespace
}  // namespace gridbill::balance
