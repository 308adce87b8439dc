#include "tools/demo/metering_points.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/base/sha256.h"
#include "gridbill/domain/identifiers.h"
#include "tools/demo/catalog.h"
#include "tools/demo/rng.h"

namespace gridbill::demo {
namespace {

constexpr uint64_t kStreamPoints = 101;
// The demo's first year of metering data starts here; ownership changes and
// decommissionings fall inside that year.
const absl::CivilDay kYearStart(2025, 11, 1);
const absl::CivilDay kYearEnd(2026, 10, 31);
const absl::CivilDay kGoLive(2019, 1, 1);
constexpr int kTargetPoints = 2000;

std::string Digits(const std::string& region_code) {
  return region_code.substr(region_code.size() - 2);
}

std::string NodeOf(const std::string& region_code) { return "N-" + Digits(region_code); }

absl::CivilDay DayOf(const common::v1::Date& d) {
  return absl::CivilDay(d.year(), d.month(), d.day());
}

bool HasRole(const v1::Participant& p, v1::ParticipantRole role) {
  for (int r : p.roles()) {
    if (r == role) return true;
  }
  return false;
}

// The substations as in force now: code, region, level, first day.
struct Sub {
  std::string code;
  std::string region;
  std::string level;  // voltage level code
  int kv = 0;
  std::string name;
  absl::CivilDay since;
};

int KvOf(const std::string& level) {
  for (const auto& vl : SeededVoltageLevels()) {
    if (level == vl.code) return vl.nominal_kv;
  }
  return 0;
}

std::vector<Sub> Substations(const DataSet& data) {
  std::map<std::string, Sub> by_code;
  for (const auto& phase : data.reference) {
    for (const auto& r : phase.records) {
      if (r.kind() != v1::REFERENCE_KIND_SUBSTATION) continue;
      Sub& s = by_code[r.code()];
      const absl::CivilDay from = DayOf(r.valid_from());
      if (s.code.empty() || from < s.since) s.since = from;
      if (!r.has_valid_to()) {
        s.code = r.code();
        s.region = r.substation().region_code();
        s.level = r.substation().voltage_level_code();
        s.kv = KvOf(s.level);
        s.name = r.name();
      }
    }
  }
  std::vector<Sub> out;
  for (auto& [code, s] : by_code) {
    if (!s.code.empty()) out.push_back(std::move(s));
  }
  return out;
}

// The tree of grid nodes: each region's parent, the Ekibastuz hub (KZ-55) at
// the root; a region not listed hangs off Karaganda.
const std::vector<std::pair<const char*, const char*>>& NodeParents() {
  static const auto* const k = new std::vector<std::pair<const char*, const char*>>{
      {"KZ-55", ""},      {"KZ-35", "KZ-55"}, {"KZ-11", "KZ-55"}, {"KZ-63", "KZ-55"},
      {"KZ-71", "KZ-11"}, {"KZ-59", "KZ-11"}, {"KZ-39", "KZ-11"}, {"KZ-10", "KZ-63"},
      {"KZ-62", "KZ-35"}, {"KZ-19", "KZ-35"}, {"KZ-75", "KZ-19"}, {"KZ-33", "KZ-19"},
      {"KZ-31", "KZ-19"}, {"KZ-61", "KZ-31"}, {"KZ-79", "KZ-61"}, {"KZ-43", "KZ-61"},
      {"KZ-15", "KZ-39"}, {"KZ-27", "KZ-15"}, {"KZ-23", "KZ-27"}, {"KZ-47", "KZ-23"},
  };
  return *k;
}

struct Ratios {
  const char* ct;
  const char* vt;
};

Ratios RatiosFor(int kv) {
  if (kv >= 1150) return {"400", "11500"};
  if (kv >= 500) return {"400", "5000"};
  if (kv >= 220) return {"200", "2200"};
  if (kv >= 110) return {"120", "1100"};
  if (kv >= 35) return {"60", "350"};
  return {"80", "100"};
}

LoadProfile GenerationProfile(const std::string& name) {
  if (absl::StrContains(name, "СЭС") || absl::StrContains(name, "Солар")) {
    return LoadProfile::kSolar;
  }
  if (absl::StrContains(name, "ВЭС") || absl::StrContains(name, "Wind") ||
      absl::StrContains(name, "Green")) {
    return LoadProfile::kWind;
  }
  if (absl::StrContains(name, "ГЭС")) return LoadProfile::kHydro;
  return LoadProfile::kThermal;
}

class Builder {
 public:
  Builder(const DataSet& data) : data_(data), rng_(data.options.seed, kStreamPoints) {
    for (Sub& s : Substations(data)) {
      by_region_[s.region].push_back(static_cast<int>(subs_.size()));
      sub_index_[s.code] = static_cast<int>(subs_.size());
      subs_.push_back(std::move(s));
    }
  }

  MeteringSet Build() {
    MakeNodes();
    FromContracts();
    AddUnits();
    FillUp();
    ChangeOwners();
    AddTies();
    Finish();
    std::sort(set_.points.begin(), set_.points.end(),
              [](const DemoPoint& a, const DemoPoint& b) { return a.code < b.code; });
    return std::move(set_);
  }

 private:
  void MakeNodes() {
    std::set<std::string> regions;
    for (const auto& r : Regions()) regions.insert(std::string(r.code));
    std::set<std::string> placed;
    for (const auto& [region, parent] : NodeParents()) {
      if (!regions.count(region)) continue;
      Add(region, parent);
      placed.insert(region);
    }
    for (const auto& r : Regions()) {
      if (!placed.count(std::string(r.code))) Add(std::string(r.code), "KZ-35");
    }
  }

  void Add(const std::string& region, const std::string& parent) {
    std::string name;
    for (const auto& r : Regions()) {
      if (r.code == region) name = absl::StrCat("Энергоузел «", r.name_ru, "»");
    }
    set_.nodes.push_back(
        GridNode{NodeOf(region), name, region, parent.empty() ? "" : NodeOf(parent)});
  }

  // The local substations of a region at `min_kv` or above (all when none is).
  std::vector<int> Local(const std::string& region, int min_kv) {
    std::vector<int> out;
    for (int i : by_region_[region]) {
      if (subs_[i].kv >= min_kv) out.push_back(i);
    }
    if (out.empty()) out = by_region_[region];
    return out;
  }

  // A new point at substation `sub` with the given serial; returns its index
  // or -1 when the code is taken.
  int NewPoint(const std::string& code, int sub, int participant, PointKind kind,
               absl::CivilDay from) {
    if (codes_.count(code)) return -1;
    codes_.insert(code);
    DemoPoint p;
    p.code = code;
    p.kind = kind;
    const Sub& s = subs_[static_cast<size_t>(sub)];
    p.substation_code = s.code;
    p.region_code = s.region;
    p.node = NodeOf(s.region);
    p.voltage_level_code = s.level;
    p.valid_from = std::max(from, s.since);
    if (participant >= 0) {
      const DemoParticipant& dp = data_.participants[static_cast<size_t>(participant)];
      p.owners.push_back(PointOwner{participant, p.valid_from, std::nullopt});
      if (kind == PointKind::kGeneration) {
        p.profile = GenerationProfile(dp.participant.short_name());
      } else if (HasRole(dp.participant, v1::PARTICIPANT_ROLE_DISTRIBUTION_COMPANY)) {
        p.profile = LoadProfile::kDistribution;
      } else {
        p.profile = LoadProfile::kIndustrial;
      }
      p.active = dp.final_status != v1::PARTICIPANT_STATUS_SUSPENDED;
    }
    set_.points.push_back(std::move(p));
    per_participant_[participant].push_back(static_cast<int>(set_.points.size() - 1));
    return static_cast<int>(set_.points.size() - 1);
  }

  PointKind KindFor(int participant) const {
    const v1::Participant& p = data_.participants[static_cast<size_t>(participant)].participant;
    const bool gen = HasRole(p, v1::PARTICIPANT_ROLE_GENERATOR);
    const bool takes = HasRole(p, v1::PARTICIPANT_ROLE_CONSUMER) ||
                       HasRole(p, v1::PARTICIPANT_ROLE_DISTRIBUTION_COMPANY) ||
                       HasRole(p, v1::PARTICIPANT_ROLE_EXPORTER);
    return gen && !takes ? PointKind::kGeneration : PointKind::kConsumption;
  }

  // The codes the contracts name (transmission and dispatching contracts
  // list their points), from the contract's start or the amendment's date.
  void FromContracts() {
    for (const DemoContract& dc : data_.contracts) {
      const absl::CivilDay from = DayOf(dc.contract.valid_from());
      for (const std::string& code : dc.contract.metering_point_codes()) {
        FromContractCode(dc.participant, code, from);
      }
      for (const ContractStep& step : dc.steps) {
        if (step.kind != ContractStep::Kind::kAmendment) continue;
        for (const std::string& code : step.changes.metering_point_codes()) {
          FromContractCode(dc.participant, code, step.effective_date);
        }
      }
      contracted_.insert(dc.participant);
    }
  }

  void FromContractCode(int participant, const std::string& code, absl::CivilDay from) {
    if (codes_.count(code)) {
      // Listed by both of the participant's contracts: one point, from the earlier start.
      for (DemoPoint& p : set_.points) {
        if (p.code == code && !p.owners.empty() && p.owners[0].participant == participant &&
            from < p.valid_from) {
          p.valid_from =
              std::max(from, subs_[static_cast<size_t>(sub_index_[p.substation_code])].since);
          p.owners[0].from = p.valid_from;
        }
      }
      return;
    }
    // "MP-35-0012-07" names substation PS-35-0012; amendment codes
    // ("MP-35-4711-N1") may name none: then a substation of the region.
    const std::string region =
        data_.participants[static_cast<size_t>(participant)].participant.region_code();
    int sub = -1;
    if (code.size() >= 10) {
      auto it = sub_index_.find(absl::StrCat("PS-", code.substr(3, 7)));
      if (it != sub_index_.end()) sub = it->second;
    }
    if (sub < 0) {
      const std::vector<int> local = Local(region, 0);
      if (local.empty()) return;
      sub = local[rng_.Below(local.size())];
    }
    NewPoint(code, sub, participant, KindFor(participant), from);
  }

  // Large plants meter each unit: a point per unit at a 220-500 kV substation.
  void AddUnits() {
    for (size_t i = 0; i < data_.participants.size(); ++i) {
      const DemoParticipant& dp = data_.participants[i];
      if (!contracted_.count(static_cast<int>(i))) continue;
      if (!HasRole(dp.participant, v1::PARTICIPANT_ROLE_GENERATOR)) continue;
      const int units = std::clamp(dp.monthly_gwh / 120, 1, 8);
      const std::vector<int> local = Local(dp.participant.region_code(), 220);
      if (local.empty()) continue;
      const int sub = local[rng_.Below(local.size())];
      for (int u = 1; u <= units; ++u) {
        const std::string code =
            absl::StrFormat("MP-%s-G%d", subs_[static_cast<size_t>(sub)].code.substr(3), u);
        const int idx = NewPoint(code, sub, static_cast<int>(i), PointKind::kGeneration, dp.since);
        if (idx >= 0) unit_of_[code] = u;
      }
    }
  }

  // Feeders of distribution companies and large consumers up to ~2,000 points.
  void FillUp() {
    std::vector<int> takers;
    std::vector<int64_t> weights;
    for (size_t i = 0; i < data_.participants.size(); ++i) {
      const DemoParticipant& dp = data_.participants[i];
      if (!contracted_.count(static_cast<int>(i))) continue;
      if (KindFor(static_cast<int>(i)) != PointKind::kConsumption) continue;
      if (per_participant_[static_cast<int>(i)].empty()) continue;
      takers.push_back(static_cast<int>(i));
      weights.push_back(
          static_cast<int64_t>(dp.monthly_gwh) *
          (HasRole(dp.participant, v1::PARTICIPANT_ROLE_DISTRIBUTION_COMPANY) ? 4 : 1));
    }
    const int ties = 4 * static_cast<int>(set_.nodes.size() - 1);
    int guard = 0;
    while (static_cast<int>(set_.points.size()) + ties < kTargetPoints && guard++ < 100000) {
      const int pi = takers[rng_.Weighted(weights)];
      const DemoParticipant& dp = data_.participants[static_cast<size_t>(pi)];
      const std::vector<int> local = Local(dp.participant.region_code(), 0);
      const int sub = local[rng_.Below(local.size())];
      const std::string code = absl::StrFormat(
          "MP-%s-%02d", subs_[static_cast<size_t>(sub)].code.substr(3), rng_.Between(13, 99));
      const DemoPoint& first = set_.points[static_cast<size_t>(per_participant_[pi].front())];
      NewPoint(code, sub, pi, PointKind::kConsumption, first.valid_from);
    }
  }

  // Points of terminated participants pass to the region's distribution
  // company (or another consumer) on a day of the year; a few decommissioned.
  void ChangeOwners() {
    std::map<std::string, int> dist_of_region;
    for (size_t i = 0; i < data_.participants.size(); ++i) {
      const auto& p = data_.participants[i].participant;
      if (HasRole(p, v1::PARTICIPANT_ROLE_DISTRIBUTION_COMPANY) &&
          data_.participants[i].final_status == v1::PARTICIPANT_STATUS_ACTIVE &&
          !dist_of_region.count(p.region_code())) {
        dist_of_region[p.region_code()] = static_cast<int>(i);
      }
    }
    int decommissioned = 0;
    for (DemoPoint& p : set_.points) {
      if (p.owners.empty() || p.kind != PointKind::kConsumption) continue;
      const DemoParticipant& owner =
          data_.participants[static_cast<size_t>(p.owners[0].participant)];
      if (owner.final_status == v1::PARTICIPANT_STATUS_TERMINATED) {
        auto it = dist_of_region.find(owner.participant.region_code());
        if (it == dist_of_region.end() || p.valid_from >= kYearStart) continue;
        const absl::CivilDay day = rng_.DayBetween(kYearStart + 30, kYearEnd - 60);
        p.owners[0].to = day - 1;
        p.owners.push_back(PointOwner{it->second, day, std::nullopt});
      } else if (decommissioned < 4 && p.valid_from < kYearStart && rng_.Chance(4)) {
        ++decommissioned;
        p.valid_to = rng_.DayBetween(kYearStart + 60, kYearEnd - 30);
        p.owners.back().to = p.valid_to;
      }
    }
  }

  // Two lines per tree edge (a 500 kV and a 220 kV one), each metered at
  // the child node's end.
  void AddTies() {
    for (const GridNode& n : set_.nodes) {
      if (n.parent.empty()) continue;
      const std::vector<int> here = Local(n.region_code, 220);
      if (here.empty()) continue;
      for (int line = 1; line <= 2; ++line) {
        const int sub = here[rng_.Below(here.size())];
        const std::string code =
            absl::StrFormat("MP-%s-T%d", subs_[static_cast<size_t>(sub)].code.substr(3), line);
        const int idx = NewPoint(code, sub, -1, PointKind::kTie, kGoLive);
        if (idx < 0) continue;
        DemoPoint& p = set_.points[static_cast<size_t>(idx)];
        p.peer_node = n.parent;
        p.profile = LoadProfile::kTie;
        unit_of_[code] = line;
        p.weight = line == 1 ? 600'000 : 400'000;
      }
    }
  }

  void Finish() {
    std::set<std::string> eics;
    // Consumption weights: the owner's monthly volume split among its points.
    std::map<int, std::vector<int>> consumption, generation;
    for (size_t i = 0; i < set_.points.size(); ++i) {
      const DemoPoint& p = set_.points[i];
      if (p.owners.empty()) continue;
      (p.kind == PointKind::kConsumption ? consumption : generation)[p.owners[0].participant]
          .push_back(static_cast<int>(i));
    }
    int64_t total = 0;
    for (const auto& [pi, points] : consumption) {
      total += static_cast<int64_t>(data_.participants[static_cast<size_t>(pi)].monthly_gwh) * 1000;
    }
    for (const auto& [pi, points] : consumption) {
      const int64_t share =
          static_cast<int64_t>(data_.participants[static_cast<size_t>(pi)].monthly_gwh) * 1000 *
          1'000'000 / std::max<int64_t>(total, 1);
      Split(points, share);
    }
    int64_t gen_total = 0;
    for (const auto& [pi, points] : generation) {
      gen_total +=
          static_cast<int64_t>(data_.participants[static_cast<size_t>(pi)].monthly_gwh) * 1000;
    }
    for (const auto& [pi, points] : generation) {
      Split(points, static_cast<int64_t>(data_.participants[static_cast<size_t>(pi)].monthly_gwh) *
                        1000 * 1'000'000 / std::max<int64_t>(gen_total, 1));
    }

    for (size_t i = 0; i < set_.points.size(); ++i) {
      DemoPoint& p = set_.points[i];
      const int kv = KvOf(p.voltage_level_code);
      const Ratios r = RatiosFor(kv);
      p.ct_ratio = r.ct;
      p.vt_ratio = r.vt;
      p.meter_serial = absl::StrFormat("%02d%08d", 8 + static_cast<int>(rng_.Below(8)),
                                       static_cast<int>(rng_.Below(100'000'000)));
      const Sub& s = subs_[static_cast<size_t>(sub_index_[p.substation_code])];
      switch (p.kind) {
        case PointKind::kConsumption: {
          p.channels = {1};
          const auto& owner =
              data_.participants[static_cast<size_t>(p.owners[0].participant)].participant;
          if (HasRole(owner, v1::PARTICIPANT_ROLE_GENERATOR)) p.channels.push_back(2);
          if (rng_.Chance(120)) p.channels.push_back(3);
          p.scada_check = kv >= 500 || rng_.Chance(30);
          p.name = absl::StrCat(s.name, ", ввод ", kv, " кВ, ", ShortOwner(p));
          break;
        }
        case PointKind::kGeneration:
          p.channels = {1, 2};
          if (rng_.Chance(300)) p.channels.push_back(4);
          p.scada_check = true;
          p.name =
              absl::StrCat(s.name, ", выдача ", ShortOwner(p),
                           unit_of_.count(p.code) ? absl::StrCat(", блок ", unit_of_[p.code]) : "");
          break;
        case PointKind::kTie:
          p.channels = {1, 2};
          p.scada_check = true;
          p.name = absl::StrCat(s.name, ", межузловая ВЛ ", unit_of_[p.code] == 1 ? 500 : 220,
                                " кВ в ", p.peer_node);
          break;
      }
      // Most points carry an EIC of type Z: "55Z" + region digits + a serial.
      if (!rng_.Chance(120)) {
        for (int k = 0;; ++k) {
          const std::string first15 =
              absl::StrFormat("55Z%s%010d", Digits(p.region_code), static_cast<int>(i) * 37 + k);
          const char check = EicCheckChar(first15);
          if (check == '\0') continue;
          const std::string eic = first15 + check;
          if (eics.insert(eic).second) {
            p.eic = eic;
            break;
          }
        }
      }
    }
  }

  void Split(const std::vector<int>& points, int64_t share) {
    std::vector<int64_t> parts;
    int64_t sum = 0;
    for (size_t k = 0; k < points.size(); ++k) {
      parts.push_back(rng_.Between(500, 1500));
      sum += parts.back();
    }
    for (size_t k = 0; k < points.size(); ++k) {
      set_.points[static_cast<size_t>(points[k])].weight = share * parts[k] / sum;
    }
  }

  std::string ShortOwner(const DemoPoint& p) const {
    return data_.participants[static_cast<size_t>(p.owners[0].participant)]
        .participant.short_name();
  }

  const DataSet& data_;
  Rng rng_;
  std::vector<Sub> subs_;
  std::map<std::string, int> sub_index_;
  std::map<std::string, std::vector<int>> by_region_;
  std::set<std::string> codes_;
  std::set<int> contracted_;
  std::map<int, std::vector<int>> per_participant_;
  std::map<std::string, int> unit_of_;  // unit / line number of generation and tie points
  MeteringSet set_;
};

}  // namespace

bool DemoPoint::HasChannel(int channel) const {
  return std::find(channels.begin(), channels.end(), channel) != channels.end();
}

int DemoPoint::OwnerOn(absl::CivilDay d) const {
  for (const PointOwner& o : owners) {
    if (d >= o.from && (!o.to || d <= *o.to)) return o.participant;
  }
  return -1;
}

int MeteringSet::IndexOf(const std::string& code) const {
  auto it = std::lower_bound(points.begin(), points.end(), code,
                             [](const DemoPoint& p, const std::string& c) { return p.code < c; });
  if (it == points.end() || it->code != code) return -1;
  return static_cast<int>(it - points.begin());
}

MeteringSet GenerateMetering(const DataSet& data, const MeteringOptions& options) {
  MeteringSet set = Builder(data).Build();
  if (options.max_points > 0 && static_cast<int>(set.points.size()) > options.max_points) {
    // Keep every n-th point (a sample of every kind and node), in code order.
    std::vector<DemoPoint> kept;
    const size_t n = set.points.size();
    const size_t want = static_cast<size_t>(options.max_points);
    for (size_t k = 0; k < want; ++k) kept.push_back(std::move(set.points[k * n / want]));
    set.points = std::move(kept);
  }
  return set;
}

std::vector<BalanceTerm> NodeTerms(const MeteringSet& set, const std::string& node) {
  std::vector<BalanceTerm> out;
  for (const DemoPoint& p : set.points) {
    if (p.node == node) {
      if (p.HasChannel(2)) out.push_back({p.code, 2, +1});
      if (p.HasChannel(1)) out.push_back({p.code, 1, -1});
    } else if (p.kind == PointKind::kTie && p.peer_node == node) {
      out.push_back({p.code, 1, +1});
      out.push_back({p.code, 2, -1});
    }
  }
  return out;
}

std::vector<BalanceTerm> ParticipantTerms(const MeteringSet& set, int participant,
                                          absl::CivilDay day) {
  std::vector<BalanceTerm> out;
  for (const DemoPoint& p : set.points) {
    if (!p.ValidOn(day) || p.OwnerOn(day) != participant) continue;
    if (p.HasChannel(1)) out.push_back({p.code, 1, +1});
    if (p.HasChannel(2)) out.push_back({p.code, 2, -1});
  }
  return out;
}

std::string DigestOf(const MeteringSet& set) {
  std::string bytes;
  for (const DemoPoint& p : set.points) {
    absl::StrAppend(&bytes, p.code, "|", p.eic, "|", p.name, "|", p.substation_code, "|",
                    p.voltage_level_code, "|", p.node, "|", p.peer_node, "|",
                    static_cast<int>(p.kind), "|", static_cast<int>(p.profile), "|", p.meter_serial,
                    "|", p.ct_ratio, "|", p.vt_ratio, "|", p.active, "|",
                    absl::FormatCivilTime(p.valid_from), "|",
                    p.valid_to ? absl::FormatCivilTime(*p.valid_to) : "", "|", p.scada_check, "|",
                    p.weight, "|");
    for (int c : p.channels) absl::StrAppend(&bytes, c, ",");
    for (const PointOwner& o : p.owners) {
      absl::StrAppend(&bytes, o.participant, ":", absl::FormatCivilTime(o.from), ":",
                      o.to ? absl::FormatCivilTime(*o.to) : "", ";");
    }
    bytes += "\n";
  }
  for (const GridNode& n : set.nodes) absl::StrAppend(&bytes, n.code, n.name, n.parent, "\n");
  return Sha256Hex(bytes);
}

}  // namespace gridbill::demo
