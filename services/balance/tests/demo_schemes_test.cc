// The demo accounting schemes (tools/demo/schemes.h) derived from the demo
// metering points: every one passes the balance service's validation, the
// versions of a subject never overlap (so `balance demo-schemes` is never
// refused), and a version's terms are the points of its days.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"

#include "../convert.h"
#include "../schemes.h"
#include "catch2/catch.hpp"
#include "gridbill/domain/civil.h"
#include "tools/demo/schemes.h"

namespace gridbill::balance {
namespace {

absl::CivilDay Day(const common::v1::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

TEST_CASE("demo schemes are valid, never overlap and follow the points' owners", "[demo]") {
  demo::Options options;
  options.seed = 42;
  const demo::DataSet data = demo::Generate(options);
  const demo::MeteringSet set = demo::GenerateMetering(data);
  std::vector<std::string> ids;
  for (size_t i = 0; i < data.participants.size(); ++i) ids.push_back(absl::StrCat("id-", i));
  const std::vector<demo::DemoScheme> schemes = demo::GenerateSchemes(data, set, ids);
  REQUIRE_FALSE(schemes.empty());

  std::map<std::string, std::vector<Scheme>> by_subject;
  std::set<std::string> keys;
  int nodes = 0;
  for (const demo::DemoScheme& s : schemes) {
    INFO(s.key);
    CHECK(keys.insert(s.key).second);  // keys (request ids) are unique
    absl::StatusOr<Scheme> scheme = FromProto(s.scheme);
    REQUIRE(scheme.ok());
    CHECK(Schemes::Validate(*scheme).ok());
    if (!scheme->is_participant()) ++nodes;
    by_subject[scheme->Subject()].push_back(*scheme);
  }
  CHECK(nodes == static_cast<int>(set.nodes.size()));
  for (auto& [subject, versions] : by_subject) {
    INFO(subject);
    std::sort(versions.begin(), versions.end(),
              [](const Scheme& a, const Scheme& b) { return a.valid_from < b.valid_from; });
    for (size_t i = 1; i < versions.size(); ++i) {
      REQUIRE(versions[i - 1].valid_to.has_value());
      CHECK(*versions[i - 1].valid_to < versions[i].valid_from);
    }
  }

  // A participant's transmission version on a day holds its points of that day.
  int checked = 0;
  for (const demo::DemoScheme& s : schemes) {
    if (s.scheme.service_type() != contracts::v1::SERVICE_TYPE_TRANSMISSION) continue;
    const int participant = std::stoi(s.scheme.participant_id().substr(3));
    const absl::CivilDay day = Day(s.scheme.valid_from());
    std::vector<demo::BalanceTerm> expected = demo::ParticipantTerms(set, participant, day);
    REQUIRE(static_cast<int>(expected.size()) == s.scheme.terms_size());
    for (const demo::BalanceTerm& t : expected) {
      bool found = false;
      for (const auto& term : s.scheme.terms()) {
        found |= term.point_code() == t.point_code && term.channel() == t.channel &&
                 (term.role() == v1::TERM_ROLE_ADD) == (t.sign > 0);
      }
      CHECK(found);
    }
    if (++checked == 20) break;
  }
  CHECK(checked > 0);
}

}  // namespace
}  // namespace gridbill::balance
