#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>

#include "gridbill/domain/identifiers.h"
#include "tools/demo/catalog.h"
#include "tools/demo/demo_data.h"
#include "tools/demo/metering_points.h"
#include "tools/demo/readings.h"

namespace gridbill::demo {
namespace {

ReadingsOptions Seed(uint64_t seed) {
  ReadingsOptions o;
  o.seed = seed;
  return o;
}

const DataSet& Data42() {
  static const DataSet* const data = new DataSet(Generate(Options{.seed = 42}));
  return *data;
}

const MeteringSet& Points42() {
  static const MeteringSet* const set = new MeteringSet(GenerateMetering(Data42()));
  return *set;
}

// What a year of readings adds up to, computed once.
struct YearTotals {
  std::map<absl::CivilMonth, double> consumption_wh;  // channel 1 of consumption points, as sent
  std::map<std::string, double> node_in, node_out;    // per node, the whole year, true values
  int64_t values = 0, gaps = 0, spikes = 0, flat_runs = 0, scada_series = 0;
  int64_t corrected_days = 0, corrected_values = 0;
  double evening_wh = 0, night_wh = 0;  // distribution points, 19:00 vs 04:00
};

const YearTotals& Year42() {
  static const YearTotals* const totals = [] {
    auto* t = new YearTotals;
    const MeteringSet& set = Points42();
    ReadingsGenerator gen(set, Seed(42));
    for (absl::CivilDay day : gen.Days()) {
      const DayReadings r = gen.Day(day);
      for (const SeriesDay& s : r.first) {
        const DemoPoint& p = set.points[static_cast<size_t>(s.point)];
        if (s.source == kSourceScada) {
          ++t->scada_series;
          continue;
        }
        int64_t run = 1;
        for (size_t i = 0; i < s.values.size(); ++i) {
          const int64_t v = s.values[i];
          if (!s.present[i]) {
            ++t->gaps;
          } else {
            ++t->values;
            if (p.kind == PointKind::kConsumption && s.channel == 1) {
              t->consumption_wh[absl::CivilMonth(day)] += static_cast<double>(v);
            }
          }
          if (i > 0 && v > 0 && v == s.values[i - 1]) {
            if (++run == 16) ++t->flat_runs;
          } else {
            run = 1;
          }
          if (i > 0 && i + 1 < s.values.size() && v > 4 * s.values[i - 1] + 2000 &&
              v > 4 * s.values[i + 1] + 2000) {
            ++t->spikes;
          }
          if (p.profile == LoadProfile::kDistribution && s.channel == 1) {
            if (i == 19 * 4) t->evening_wh += static_cast<double>(v);
            if (i == 4 * 4) t->night_wh += static_cast<double>(v);
          }
        }
        // Node balances from the full scheme of each node.
        const bool tie = p.kind == PointKind::kTie;
        for (size_t i = 0; i < s.values.size(); ++i) {
          const double v = static_cast<double>(s.values[i]);
          if (s.channel == 2) {
            t->node_in[p.node] += v;
            if (tie) t->node_out[p.peer_node] += v;
          } else if (s.channel == 1) {
            t->node_out[p.node] += v;
            if (tie) t->node_in[p.peer_node] += v;
          }
        }
      }
      for (const SeriesDay& s : r.corrected) {
        ++t->corrected_days;
        for (uint8_t present : s.present) t->corrected_values += present;
      }
    }
    return t;
  }();
  return *totals;
}

TEST_CASE("metering points: the same seed generates the same points", "[demo][metering]") {
  const MeteringSet again = GenerateMetering(Generate(Options{.seed = 42}));
  CHECK(DigestOf(again) == DigestOf(Points42()));
  const MeteringSet other = GenerateMetering(Generate(Options{.seed = 43}));
  CHECK(DigestOf(other) != DigestOf(Points42()));
}

TEST_CASE("metering points: about 2,000 points of every kind, unique codes", "[demo][metering]") {
  const MeteringSet& set = Points42();
  CHECK(set.points.size() >= 1900);
  CHECK(set.points.size() <= 2100);
  std::map<PointKind, int> kinds;
  std::set<std::string> codes;
  for (const DemoPoint& p : set.points) {
    ++kinds[p.kind];
    codes.insert(p.code);
    INFO(p.code);
    CHECK(!p.name.empty());
    CHECK(!p.channels.empty());
    CHECK(!p.substation_code.empty());
    CHECK(p.meter_serial.size() == 10);
    if (p.kind == PointKind::kTie) {
      CHECK(p.owners.empty());
      CHECK(!p.peer_node.empty());
      CHECK(p.HasChannel(1));
      CHECK(p.HasChannel(2));
    } else {
      REQUIRE(!p.owners.empty());
    }
    if (p.kind == PointKind::kGeneration) CHECK(p.HasChannel(2));
  }
  CHECK(codes.size() == set.points.size());
  CHECK(kinds[PointKind::kConsumption] > 1500);
  CHECK(kinds[PointKind::kGeneration] > 60);
  // Two ties per edge of the node tree.
  CHECK(kinds[PointKind::kTie] == 2 * static_cast<int>(set.nodes.size() - 1));
  CHECK(set.nodes.size() == Regions().size());
}

TEST_CASE("metering points: EIC codes are of type Z with a valid check character",
          "[demo][metering]") {
  int with_eic = 0;
  std::set<std::string> eics;
  for (const DemoPoint& p : Points42().points) {
    if (p.eic.empty()) continue;
    ++with_eic;
    INFO(p.code << " " << p.eic);
    CHECK(ValidateEic(p.eic).ok());
    CHECK(p.eic[2] == 'Z');
    eics.insert(p.eic);
  }
  CHECK(with_eic > static_cast<int>(Points42().points.size()) * 8 / 10);
  CHECK(eics.size() == static_cast<size_t>(with_eic));
}

TEST_CASE("metering points: every participant metered by a contract has points",
          "[demo][metering]") {
  const DataSet& data = Data42();
  const MeteringSet& set = Points42();
  std::set<int> owners;
  for (const DemoPoint& p : set.points) {
    for (const PointOwner& o : p.owners) owners.insert(o.participant);
  }
  int metered = 0;
  for (const DemoContract& c : data.contracts) {
    if (c.contract.service_type() != contracts::v1::SERVICE_TYPE_TRANSMISSION &&
        c.contract.service_type() != contracts::v1::SERVICE_TYPE_TECHNICAL_DISPATCHING) {
      continue;
    }
    ++metered;
    INFO("contract " << c.contract.number() << " of " << data.participants[c.participant].key);
    CHECK(owners.count(c.participant) == 1);
    // The points the contract names exist.
    for (const std::string& code : c.contract.metering_point_codes()) {
      CHECK(set.IndexOf(code) >= 0);
    }
  }
  CHECK(metered > 300);
}

TEST_CASE("metering points: some points change owner during the year", "[demo][metering]") {
  int changes = 0;
  int decommissioned = 0;
  for (const DemoPoint& p : Points42().points) {
    for (size_t k = 1; k < p.owners.size(); ++k) {
      INFO(p.code);
      REQUIRE(p.owners[k - 1].to.has_value());
      CHECK(*p.owners[k - 1].to < p.owners[k].from);
      CHECK(p.owners[k].from >= absl::CivilDay(2025, 11, 1));
      CHECK(p.owners[k].from <= absl::CivilDay(2026, 10, 31));
      ++changes;
    }
    if (p.valid_to) ++decommissioned;
  }
  CHECK(changes >= 3);
  CHECK(changes <= 60);
  CHECK(decommissioned >= 1);
}

TEST_CASE("metering points: node and participant schemes", "[demo][metering]") {
  const MeteringSet& set = Points42();
  for (const GridNode& n : set.nodes) {
    const std::vector<BalanceTerm> terms = NodeTerms(set, n.code);
    int in = 0, out = 0;
    for (const BalanceTerm& t : terms) (t.sign > 0 ? in : out)++;
    INFO(n.code);
    CHECK(in > 0);
    CHECK(out > 0);
  }
  // A consumer's scheme: channel 1 of its points, received from the grid.
  const DemoPoint* consumer = nullptr;
  for (const DemoPoint& p : set.points) {
    if (p.kind == PointKind::kConsumption && p.owners.size() == 1 && !p.HasChannel(2)) {
      consumer = &p;
      break;
    }
  }
  REQUIRE(consumer != nullptr);
  const auto terms =
      ParticipantTerms(set, consumer->owners[0].participant, absl::CivilDay(2026, 3, 1));
  bool found = false;
  for (const BalanceTerm& t : terms) {
    if (t.point_code == consumer->code) {
      found = true;
      CHECK(t.channel == 1);
      CHECK(t.sign == 1);
    }
  }
  CHECK(found);
}

TEST_CASE("readings: a day is generated the same way twice", "[demo][metering]") {
  ReadingsGenerator a(Points42(), Seed(42));
  ReadingsGenerator b(Points42(), Seed(42));
  const DayReadings x = a.Day(absl::CivilDay(2026, 1, 14));
  const DayReadings y = b.Day(absl::CivilDay(2026, 1, 14));
  REQUIRE(x.first.size() == y.first.size());
  for (size_t i = 0; i < x.first.size(); ++i) {
    CHECK(x.first[i].values == y.first[i].values);
    CHECK(x.first[i].present == y.first[i].present);
  }
  // Asia/Almaty is UTC+5 all year: 96 intervals from 19:00Z the day before.
  CHECK(x.first.front().values.size() == 96);
  CHECK(absl::FormatTime("%Y-%m-%dT%H:%M", x.start, absl::UTCTimeZone()) == "2026-01-13T19:00");
  // Another seed: other noise on the same points.
  ReadingsGenerator c(Points42(), Seed(43));
  const DayReadings z = c.Day(absl::CivilDay(2026, 1, 14));
  int differ = 0;
  for (size_t i = 0; i < std::min(x.first.size(), z.first.size()); ++i) {
    if (x.first[i].point == z.first[i].point && x.first[i].values != z.first[i].values) ++differ;
  }
  CHECK(differ > static_cast<int>(x.first.size()) / 2);
}

TEST_CASE("readings: monthly totals follow national demand", "[demo][metering]") {
  const YearTotals& t = Year42();
  REQUIRE(t.consumption_wh.size() == 12);
  for (const auto& [month, wh] : t.consumption_wh) {
    const double target = MonthlyDemandGwh2018()[static_cast<size_t>(month.month() - 1)] * 1e9;
    INFO(absl::FormatCivilTime(month) << ": " << wh / 1e9 << " GWh, demand " << target / 1e9);
    CHECK(wh > target * 0.95);
    CHECK(wh < target * 1.02);
  }
  // Winter above summer; evening peak above the night.
  CHECK(t.consumption_wh.at(absl::CivilMonth(2026, 1)) >
        t.consumption_wh.at(absl::CivilMonth(2026, 6)) * 1.2);
  CHECK(t.evening_wh > t.night_wh * 1.3);
}

TEST_CASE("readings: node balances close with a few percent of losses", "[demo][metering]") {
  const YearTotals& t = Year42();
  double in = 0, out = 0;
  for (const GridNode& n : Points42().nodes) {
    const double ni = t.node_in.at(n.code), no = t.node_out.at(n.code);
    INFO(n.code << ": in " << ni / 1e9 << " GWh, out " << no / 1e9 << " GWh");
    CHECK(ni > no);
    CHECK((ni - no) / ni < 0.08);
    in += ni;
    out += no;
  }
  const double losses = (in - out) / in;
  INFO("national losses " << losses * 100 << " %");
  CHECK(losses > 0.01);
  CHECK(losses < 0.06);
}

TEST_CASE("readings: gaps, spikes, flat lines, SCADA checks and late corrections are seeded",
          "[demo][metering]") {
  const YearTotals& t = Year42();
  INFO("values " << t.values << ", gaps " << t.gaps << ", spikes " << t.spikes << ", flat runs "
                 << t.flat_runs << ", corrected days " << t.corrected_days);
  // ~2,000 points x 35,040 intervals, a few channels each.
  CHECK(t.values > 60'000'000);
  CHECK(t.gaps > 1000);
  CHECK(t.gaps < t.values / 100);
  CHECK(t.spikes > 100);
  CHECK(t.flat_runs > 50);
  CHECK(t.scada_series > 10000);
  CHECK(t.corrected_days > 100);
  CHECK(t.corrected_values >= t.corrected_days);
  ReadingsGenerator gen(Points42(), Seed(42));
  CHECK(static_cast<int64_t>(gen.Corrections().size()) == t.corrected_days);
}

}  // namespace
}  // namespace gridbill::demo
