#include "tools/demo/schemes.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "gridbill/domain/civil.h"

namespace gridbill::demo {
namespace {

namespace bv1 = ::gridbill::balance::v1;

common::v1::Date ToDate(absl::CivilDay d) {
  common::v1::Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

const char* ServiceKey(int service) {
  switch (service) {
    case 1:
      return "transmission";
    case 2:
      return "dispatching";
    case 3:
      return "balancing";
    case 4:
      return "grid_use";
  }
  return "service";
}

// Transmission and grid use: received minus delivered; dispatching and
// balancing: energy in either direction.
std::vector<BalanceTerm> ForService(std::vector<BalanceTerm> terms, int service) {
  if (service == 2 || service == 3) {
    for (BalanceTerm& t : terms) t.sign = 1;
  }
  std::sort(terms.begin(), terms.end(), [](const BalanceTerm& a, const BalanceTerm& b) {
    return std::tie(a.point_code, a.channel) < std::tie(b.point_code, b.channel);
  });
  return terms;
}

bool SameTerms(const std::vector<BalanceTerm>& a, const std::vector<BalanceTerm>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].point_code != b[i].point_code || a[i].channel != b[i].channel ||
        a[i].sign != b[i].sign) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<DemoScheme> GenerateSchemes(const DataSet& data, const MeteringSet& set,
                                        const std::vector<std::string>& participant_ids) {
  std::vector<DemoScheme> out;
  for (const GridNode& node : set.nodes) {
    DemoScheme s;
    s.key = absl::StrCat("node:", node.code);
    s.scheme.set_kind(bv1::SCHEME_KIND_NODE);
    s.scheme.set_node_code(node.code);
    s.scheme.set_name(node.name);
    s.scheme.mutable_normative_loss_percent()->set_value("3.5");
    *s.scheme.mutable_valid_from() = ToDate(kSchemesFrom);
    for (const BalanceTerm& t : NodeTerms(set, node.code)) {
      bv1::SchemeTerm* term = s.scheme.add_terms();
      term->set_point_code(t.point_code);
      term->set_channel(static_cast<metering::v1::Channel>(t.channel));
      term->set_role(t.sign > 0 ? bv1::TERM_ROLE_INFLOW : bv1::TERM_ROLE_OUTFLOW);
    }
    if (s.scheme.terms_size() > 0) out.push_back(std::move(s));
  }

  // The days a participant's points can change: the window's start and every
  // ownership or validity boundary inside it.
  std::set<absl::CivilDay> cuts{kSchemesFrom};
  auto cut = [&](absl::CivilDay d) {
    if (d > kSchemesFrom && d <= kSchemesTo) cuts.insert(d);
  };
  for (const DemoPoint& p : set.points) {
    cut(p.valid_from);
    if (p.valid_to) cut(*p.valid_to + 1);
    for (const PointOwner& o : p.owners) {
      cut(o.from);
      if (o.to) cut(*o.to + 1);
    }
  }
  std::map<int, std::set<int>> services;  // participant -> contracted services
  for (const DemoContract& c : data.contracts) {
    if (c.participant >= 0) services[c.participant].insert(c.contract.service_type());
  }
  for (const auto& [participant, svcs] : services) {
    if (participant >= static_cast<int>(participant_ids.size()) ||
        participant_ids[static_cast<size_t>(participant)].empty()) {
      continue;
    }
    const std::string& id = participant_ids[static_cast<size_t>(participant)];
    const std::string& key = data.participants[static_cast<size_t>(participant)].key;
    for (int service : svcs) {
      std::vector<std::pair<absl::CivilDay, std::vector<BalanceTerm>>> versions;
      for (absl::CivilDay day : cuts) {
        std::vector<BalanceTerm> terms =
            ForService(ParticipantTerms(set, participant, day), service);
        if (!versions.empty() && SameTerms(versions.back().second, terms)) continue;
        versions.emplace_back(day, std::move(terms));
      }
      for (size_t v = 0; v < versions.size(); ++v) {
        if (versions[v].second.empty()) continue;  // no points in that stretch
        DemoScheme s;
        s.key = absl::StrCat(key, ":", ServiceKey(service), ":", FormatDate(versions[v].first));
        s.scheme.set_kind(bv1::SCHEME_KIND_PARTICIPANT_SERVICE);
        s.scheme.set_participant_id(id);
        s.scheme.set_service_type(static_cast<contracts::v1::ServiceType>(service));
        s.scheme.set_name(absl::StrCat(
            data.participants[static_cast<size_t>(participant)].participant.short_name(), ", ",
            ServiceKey(service)));
        *s.scheme.mutable_valid_from() = ToDate(versions[v].first);
        if (v + 1 < versions.size()) {
          *s.scheme.mutable_valid_to() = ToDate(versions[v + 1].first - 1);
        }
        for (const BalanceTerm& t : versions[v].second) {
          bv1::SchemeTerm* term = s.scheme.add_terms();
          term->set_point_code(t.point_code);
          term->set_channel(static_cast<metering::v1::Channel>(t.channel));
          term->set_role(t.sign > 0 ? bv1::TERM_ROLE_ADD : bv1::TERM_ROLE_SUBTRACT);
        }
        out.push_back(std::move(s));
      }
    }
  }
  return out;
}

}  // namespace gridbill::demo
