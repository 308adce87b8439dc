#include "tools/demo/readings.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tools/demo/catalog.h"
#include "tools/demo/rng.h"

namespace gridbill::demo {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Independent uniform numbers from a key, so that any point-day can be
// generated alone and in any order.
uint64_t Hash(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0) {
  uint64_t h = SplitMix(seed ^ 0x6D657465ull);
  h = SplitMix(h ^ a);
  h = SplitMix(h ^ (b + 0x100));
  h = SplitMix(h ^ (c + 0x10000));
  return SplitMix(h ^ (d + 0x1000000));
}
// In [0, 1).
double Unit(uint64_t h) { return static_cast<double>(h >> 11) / 9007199254740992.0; }
int64_t DayNumber(absl::CivilDay d) { return d - absl::CivilDay(2000, 1, 1); }

// Salts of the decisions taken per point-day.
enum Salt : uint64_t {
  kNoise = 1,
  kGap,
  kGapAt,
  kSpike,
  kFlat,
  kCorrect,
  kCorrectHow,
  kScada,
  kDown,
  kWeather,
  kWholeDay,
};

}  // namespace

ReadingsGenerator::ReadingsGenerator(const MeteringSet& set, ReadingsOptions options)
    : set_(set), options_(options) {
  if (options_.zone == absl::UTCTimeZone()) {
    absl::LoadTimeZone("Asia/Almaty", &options_.zone);
  }
  std::map<std::string, int> node_index;
  for (size_t i = 0; i < set_.nodes.size(); ++i)
    node_index[set_.nodes[i].code] = static_cast<int>(i);
  for (size_t i = 0; i < set_.nodes.size(); ++i) {
    auto it = node_index.find(set_.nodes[i].parent);
    parent_.push_back(it == node_index.end() ? -1 : it->second);
    // 2.0 .. 4.5 % of the node's outflow.
    loss_.push_back(0.020 + 0.025 * Unit(Hash(options_.seed, 77, i)));
  }
  for (const DemoPoint& p : set_.points) {
    auto it = node_index.find(p.node);
    node_of_point_.push_back(it == node_index.end() ? 0 : it->second);
    auto peer = node_index.find(p.peer_node);
    peer_of_point_.push_back(peer == node_index.end() ? -1 : peer->second);
  }
  // Normalisation of the consumption shapes per month.
  for (absl::CivilMonth m = absl::CivilMonth(options_.first); m <= absl::CivilMonth(options_.last);
       ++m) {
    for (LoadProfile profile : {LoadProfile::kIndustrial, LoadProfile::kDistribution}) {
      double sum = 0;
      for (absl::CivilDay d = absl::CivilDay(m); absl::CivilMonth(d) == m; ++d) {
        const absl::Time start = absl::FromCivil(d, options_.zone);
        const int n =
            static_cast<int>((absl::FromCivil(d + 1, options_.zone) - start) / absl::Minutes(15));
        for (int i = 0; i < n; ++i) sum += Shape(profile, d, i, n);
      }
      month_shape_[{static_cast<int>(profile), m}] = sum;
    }
  }
}

double ReadingsGenerator::LossFactor(const std::string& node) const {
  for (size_t i = 0; i < set_.nodes.size(); ++i) {
    if (set_.nodes[i].code == node) return loss_[i];
  }
  return 0;
}

std::vector<absl::CivilDay> ReadingsGenerator::Days() const {
  std::vector<absl::CivilDay> out;
  for (absl::CivilDay d = options_.first; d <= options_.last; ++d) out.push_back(d);
  return out;
}

// The relative load of an interval (about 1 on average).
double ReadingsGenerator::Shape(LoadProfile profile, absl::CivilDay day, int interval,
                                int intervals) const {
  const double hour = 24.0 * (interval + 0.5) / intervals;
  const absl::Weekday wd = absl::GetWeekday(day);
  const bool weekend = wd == absl::Weekday::saturday || wd == absl::Weekday::sunday;
  const int month = day.month();
  const bool winter = month <= 2 || month >= 11;
  auto bump = [](double h, double centre, double width) {
    const double x = (h - centre) / width;
    return std::exp(-x * x);
  };
  switch (profile) {
    case LoadProfile::kDistribution: {
      const double evening = winter ? 0.45 : 0.32;
      const double evening_at = winter ? 18.5 : 21.0;
      double v = 0.72 + 0.18 * bump(hour, 9.0, 2.0) + evening * bump(hour, evening_at, 2.2) -
                 0.12 * bump(hour, 4.0, 2.0) + 0.08 * bump(hour, 14.0, 3.0);
      return weekend ? v * 0.94 : v;
    }
    case LoadProfile::kIndustrial:
    default: {
      double v = 0.94 + 0.06 * bump(hour, 11.0, 4.0) + 0.04 * bump(hour, 19.0, 2.5) -
                 0.03 * bump(hour, 3.5, 2.0);
      return weekend ? v * 0.90 : v;
    }
  }
}

bool ReadingsGenerator::Corrected(int point, int channel, absl::CivilDay day) const {
  const DemoPoint& p = set_.points[static_cast<size_t>(point)];
  // Only CMS-only points: there the second revision is the correction alone.
  if (p.scada_check || (channel != 1 && channel != 2)) return false;
  if (!p.ValidOn(day) || day < options_.first || day > options_.last) return false;
  // A day sent as a whole-day gap has no first revision to correct.
  if (WholeDayGap(point, day)) return false;
  return Unit(Hash(options_.seed, kCorrect, static_cast<uint64_t>(point), channel,
                   static_cast<uint64_t>(DayNumber(day)))) < 0.0015;
}

bool ReadingsGenerator::WholeDayGap(int point, absl::CivilDay day) const {
  return Unit(Hash(options_.seed, kWholeDay, static_cast<uint64_t>(point), 0,
                   static_cast<uint64_t>(DayNumber(day)))) < 0.0003;
}

std::vector<CorrectionKey> ReadingsGenerator::Corrections() const {
  std::vector<CorrectionKey> out;
  for (absl::CivilDay d = options_.first; d <= options_.last; ++d) {
    for (size_t p = 0; p < set_.points.size(); ++p) {
      for (int c : set_.points[p].channels) {
        if (Corrected(static_cast<int>(p), c, d)) out.push_back({static_cast<int>(p), c, d});
      }
    }
  }
  return out;
}

DayReadings ReadingsGenerator::Day(absl::CivilDay day) const {
  DayReadings out;
  out.day = day;
  out.start = absl::FromCivil(day, options_.zone);
  out.step = absl::Minutes(15);
  const int n = static_cast<int>((absl::FromCivil(day + 1, options_.zone) - out.start) / out.step);
  const uint64_t seed = options_.seed;
  const uint64_t dn = static_cast<uint64_t>(DayNumber(day));
  const absl::CivilMonth month(day);
  const double demand_wh = MonthlyDemandGwh2018()[static_cast<size_t>(day.month() - 1)] * 1e9;
  const size_t nodes = set_.nodes.size();
  const size_t points = set_.points.size();

  // True values per point and channel (index channel - 1).
  std::vector<std::array<std::vector<double>, 4>> v(points);
  std::vector<std::vector<double>> out_flow(nodes, std::vector<double>(n, 0.0));
  std::vector<std::vector<double>> in_flow(nodes, std::vector<double>(n, 0.0));
  std::vector<double> need(n, 0.0);
  std::vector<int> thermal;
  double thermal_weight = 0;
  // Renewables are sized from their share of all plants' output (~9 TWh a month).
  const double generation_wh = 9000e9;
  const double intervals_per_month = 30.4 * 96;

  auto noise = [&](size_t p, int c, int i, double spread) {
    return 1.0 + spread * (2 * Unit(Hash(seed, kNoise, p, c * 100000 + i, dn)) - 1);
  };

  for (size_t p = 0; p < points; ++p) {
    const DemoPoint& pt = set_.points[p];
    if (!pt.ValidOn(day) || pt.kind == PointKind::kTie) continue;
    const int node = node_of_point_[p];
    for (int c : pt.channels) v[p][c - 1].assign(n, 0.0);
    const double w = pt.weight / 1e6;
    if (pt.kind == PointKind::kConsumption) {
      const double s = month_shape_.at({static_cast<int>(pt.profile), month});
      for (int i = 0; i < n; ++i) {
        const double x = demand_wh * w * Shape(pt.profile, day, i, n) / s * noise(p, 1, i, 0.03);
        v[p][0][i] = x;
        if (pt.HasChannel(3)) v[p][2][i] = x * (0.33 + 0.04 * noise(p, 3, i, 1.0));
        // Own generation exported at night.
        if (pt.HasChannel(2) && (i * 24 / n) >= 1 && (i * 24 / n) <= 4) {
          v[p][1][i] = 0.6 * x * noise(p, 2, i, 0.1);
          v[p][0][i] = 0.3 * x;
        }
      }
      for (int i = 0; i < n; ++i) {
        out_flow[node][i] += v[p][0][i];
        if (pt.HasChannel(2)) in_flow[node][i] += v[p][1][i];
      }
      continue;
    }
    // Generation.
    const bool down = Unit(Hash(seed, kDown, p, 0, dn)) < 0.03;
    if (pt.profile == LoadProfile::kThermal) {
      if (down) {
        for (int i = 0; i < n; ++i) v[p][0][i] = 4000 * noise(p, 1, i, 0.2);
      } else {
        thermal.push_back(static_cast<int>(p));
        thermal_weight += pt.weight;
      }
    } else {
      const double mean = generation_wh / intervals_per_month * w;
      const double weather = Unit(Hash(seed, kWeather, p, 0, dn));
      for (int i = 0; i < n; ++i) {
        const double hour = 24.0 * (i + 0.5) / n;
        double x = 0;
        if (pt.profile == LoadProfile::kSolar) {
          const double len = 9.0 + 6.0 * std::sin(kPi * (day.month() - 3.5) / 6.0) * 0.5 + 3.0;
          const double rise = 13.0 - len / 2;
          if (hour > rise && hour < rise + len) {
            x = mean * 3.2 * std::sin(kPi * (hour - rise) / len) * (0.35 + 0.65 * weather);
          }
        } else if (pt.profile == LoadProfile::kWind) {
          x = mean * (0.2 + 1.6 * weather) *
              (1 + 0.3 * std::sin(2 * kPi * (hour + weather * 24) / 24));
        } else {  // hydro
          const double season = 0.8 + 0.5 * std::sin(kPi * (day.month() - 3) / 6.0);
          x = mean * season * Shape(LoadProfile::kDistribution, day, i, n);
        }
        x *= noise(p, 2, i, 0.04);
        if (down) x = 0;
        v[p][1][i] = x;
        if (x < 1) v[p][0][i] = 800 * noise(p, 1, i, 0.2);  // own needs at night
        if (pt.HasChannel(4)) v[p][3][i] = 0.25 * x;
        in_flow[node][i] += v[p][1][i];
        out_flow[node][i] += v[p][0][i];
      }
    }
    if (pt.profile == LoadProfile::kThermal && down) {
      for (int i = 0; i < n; ++i) out_flow[node][i] += v[p][0][i];
    }
  }

  // Thermal plants cover the demand, the losses and what renewables do not.
  for (int i = 0; i < n; ++i) {
    double total = 0;
    for (size_t k = 0; k < nodes; ++k) total += out_flow[k][i] * (1 + loss_[k]) - in_flow[k][i];
    need[static_cast<size_t>(i)] = std::max(0.0, total);
  }
  for (int p : thermal) {
    const DemoPoint& pt = set_.points[static_cast<size_t>(p)];
    const int node = node_of_point_[static_cast<size_t>(p)];
    for (int i = 0; i < n; ++i) {
      const double x = need[static_cast<size_t>(i)] * pt.weight / thermal_weight;
      v[static_cast<size_t>(p)][1][i] = x;
      if (pt.HasChannel(4)) v[static_cast<size_t>(p)][3][i] = 0.25 * x;
      in_flow[node][i] += x;
    }
  }

  // Tie flows along the node tree, leaves first: a node's surplus and its
  // subtree's flow to its parent.
  std::vector<std::vector<double>> up(nodes, std::vector<double>(n, 0.0));
  for (size_t k = nodes; k-- > 0;) {
    for (int i = 0; i < n; ++i) {
      up[k][i] += in_flow[k][i] - out_flow[k][i] * (1 + loss_[k]);
      if (parent_[k] >= 0) up[static_cast<size_t>(parent_[k])][i] += up[k][i];
    }
  }
  for (size_t p = 0; p < points; ++p) {
    const DemoPoint& pt = set_.points[p];
    if (pt.kind != PointKind::kTie || !pt.ValidOn(day)) continue;
    const size_t node = static_cast<size_t>(node_of_point_[p]);
    v[p][0].assign(n, 0.0);
    v[p][1].assign(n, 0.0);
    const double share = pt.weight / 1e6;
    for (int i = 0; i < n; ++i) {
      const double f = up[node][i] * share;
      if (f >= 0) {
        v[p][0][i] = f;
      } else {
        v[p][1][i] = -f;
      }
    }
  }

  // Integer Wh, the anomalies, SCADA and the corrections.
  for (size_t p = 0; p < points; ++p) {
    const DemoPoint& pt = set_.points[p];
    if (!pt.ValidOn(day)) continue;
    const bool whole_day_gap = WholeDayGap(static_cast<int>(p), day);
    for (int c : pt.channels) {
      const std::vector<double>& tv = v[p][static_cast<size_t>(c - 1)];
      if (tv.empty()) continue;
      SeriesDay s;
      s.point = static_cast<int>(p);
      s.channel = c;
      s.source = kSourceCms;
      s.values.resize(static_cast<size_t>(n));
      s.present.assign(static_cast<size_t>(n), whole_day_gap ? 0 : 1);
      for (int i = 0; i < n; ++i)
        s.values[static_cast<size_t>(i)] = std::llround(tv[static_cast<size_t>(i)]);
      const uint64_t key = static_cast<uint64_t>(c);
      // Gaps.
      if (Unit(Hash(seed, kGap, p, key, dn)) < 0.004) {
        const uint64_t h = Hash(seed, kGapAt, p, key, dn);
        const int len = 1 + static_cast<int>(h % 16);
        const int at = static_cast<int>((h >> 8) % static_cast<uint64_t>(n));
        for (int i = at; i < std::min(n, at + len); ++i) s.present[static_cast<size_t>(i)] = 0;
      }
      // Spikes.
      if (Unit(Hash(seed, kSpike, p, key, dn)) < 0.001) {
        const uint64_t h = Hash(seed, kSpike, p, key, dn + 1);
        const size_t at = static_cast<size_t>(h % static_cast<uint64_t>(n));
        s.values[at] = s.values[at] * (6 + static_cast<int64_t>((h >> 8) % 5)) + 1000;
      }
      // Flat lines: a stuck meter repeats one value.
      if (Unit(Hash(seed, kFlat, p, key, dn)) < 0.0005) {
        const uint64_t h = Hash(seed, kFlat, p, key, dn + 1);
        const int len = 16 + static_cast<int>(h % 25);
        const int at = static_cast<int>((h >> 8) % static_cast<uint64_t>(std::max(1, n - len)));
        const int64_t stuck = std::max<int64_t>(s.values[static_cast<size_t>(at)], 1000);
        for (int i = at; i < std::min(n, at + len); ++i) s.values[static_cast<size_t>(i)] = stuck;
      }
      if (pt.scada_check) {
        SeriesDay scada = s;
        scada.source = kSourceScada;
        const bool off = Unit(Hash(seed, kScada, p, key, dn)) < 0.01;
        for (int i = 0; i < n; ++i) {
          const double f = off && i % 7 == 3 ? 1.05 : noise(p, c + 10, i, 0.003);
          scada.values[static_cast<size_t>(i)] =
              std::llround(static_cast<double>(s.values[static_cast<size_t>(i)]) * f);
        }
        out.first.push_back(std::move(scada));
      }
      if (Corrected(static_cast<int>(p), c, day)) {
        SeriesDay fixed = s;
        const uint64_t h = Hash(seed, kCorrectHow, p, key, dn);
        bool filled = false;
        for (int i = 0; i < n; ++i) {
          if (!s.present[static_cast<size_t>(i)]) {
            fixed.present[static_cast<size_t>(i)] = 1;
            filled = true;
          }
        }
        if (!filled) {
          // Some intervals re-sent with other values (a replaced CT, a re-read meter).
          const int count = 1 + static_cast<int>(h % 8);
          for (int k = 0; k < count; ++k) {
            const size_t i = static_cast<size_t>((h >> (8 + k * 5)) % static_cast<uint64_t>(n));
            const int64_t pct = 2 + static_cast<int64_t>((h >> (3 * k)) % 14);
            fixed.values[i] = fixed.values[i] + (fixed.values[i] * pct) / 100 + 1;
          }
        }
        // Only what changes is re-sent.
        for (int i = 0; i < n; ++i) {
          const size_t u = static_cast<size_t>(i);
          const bool changed =
              fixed.present[u] && (!s.present[u] || fixed.values[u] != s.values[u]);
          fixed.present[u] = changed ? 1 : 0;
        }
        out.corrected.push_back(std::move(fixed));
      }
      out.first.push_back(std::move(s));
    }
  }
  // SCADA before CMS.
  std::stable_partition(out.first.begin(), out.first.end(),
                        [](const SeriesDay& s) { return s.source == kSourceScada; });
  return out;
}

}  // namespace gridbill::demo
