#include "tools/demo/history.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/demo/catalog.h"
#include "tools/demo/readings.h"
#include "tools/demo/rng.h"

namespace gridbill::demo {
namespace {

constexpr uint64_t kHistoryStream = 0x4849'5354;  // "HIST"
constexpr absl::CivilMonth kGridUseFrom(2023, 7);

const char* ServiceCsvName(int service) {
  switch (service) {
    case 1:
      return "transmission";
    case 2:
      return "dispatching";
    case 3:
      return "balancing";
    case 4:
      return "grid-use";
  }
  return "";
}

// participant index -> services with a contract
std::map<int, std::set<int>> ContractedServices(const DataSet& data) {
  std::map<int, std::set<int>> services;
  for (const DemoContract& c : data.contracts) {
    if (c.participant >= 0) services[c.participant].insert(c.contract.service_type());
  }
  return services;
}

// Energy received (channel 1) and delivered (channel 2) per participant and
// month of the demo year, Wh.
struct Flows {
  std::vector<double> received, delivered;  // [month index]
  bool any = false;
};

std::map<int, Flows> DemoYearFlows(const DataSet& data, const MeteringSet& set,
                                   const DemoYearOptions& options) {
  ReadingsOptions ro;
  ro.seed = data.options.seed;
  ro.first = absl::CivilDay(options.first);
  ro.last = absl::CivilDay(options.last + 1) - 1;
  const ReadingsGenerator generator(set, ro);
  const int months = static_cast<int>(options.last - options.first) + 1;
  std::map<int, Flows> flows;
  for (int k = 0; k < months; ++k) {
    const absl::CivilMonth month = options.first + k;
    const absl::CivilDay first(month);
    const int days = static_cast<int>(absl::CivilDay(month + 1) - first);
    std::vector<absl::CivilDay> read;
    if (options.sample_days <= 0 || options.sample_days >= days) {
      for (int d = 0; d < days; ++d) read.push_back(first + d);
    } else {
      for (int d = 0; d < options.sample_days; ++d) read.push_back(first + 7 + d);
    }
    const double scale = static_cast<double>(days) / static_cast<double>(read.size());
    for (absl::CivilDay day : read) {
      const DayReadings readings = generator.Day(day);
      for (const SeriesDay& s : readings.first) {
        // Each point's commercial values once (SCADA's are a cross-check).
        if (s.source != kSourceCms || (s.channel != 1 && s.channel != 2)) continue;
        const DemoPoint& point = set.points[static_cast<size_t>(s.point)];
        if (point.kind == PointKind::kTie) continue;
        const int owner = point.OwnerOn(day);
        if (owner < 0) continue;
        double sum = 0;
        for (size_t i = 0; i < s.values.size(); ++i) {
          if (s.present[i] != 0) sum += static_cast<double>(s.values[i]);
        }
        Flows& f = flows[owner];
        if (f.received.empty()) f.received.assign(months, 0.0), f.delivered.assign(months, 0.0);
        (s.channel == 1 ? f.received : f.delivered)[static_cast<size_t>(k)] += sum * scale;
        f.any = true;
      }
    }
  }
  return flows;
}

}  // namespace

std::vector<HistoryRow> DemoYearVolumes(const DataSet& data, const MeteringSet& set,
                                        const DemoYearOptions& options) {
  const std::map<int, Flows> flows = DemoYearFlows(data, set, options);
  std::vector<HistoryRow> rows;
  for (const auto& [participant, services] : ContractedServices(data)) {
    auto f = flows.find(participant);
    if (f == flows.end() || !f->second.any) continue;
    const std::string& bin = data.participants[static_cast<size_t>(participant)].participant.bin();
    for (int service : services) {
      for (size_t k = 0; k < f->second.received.size(); ++k) {
        const double r = f->second.received[k], d = f->second.delivered[k];
        const double v = service == 2 || service == 3 ? r + d : r - d;
        rows.push_back({bin, service, options.first + static_cast<int64_t>(k), std::llround(v)});
      }
    }
  }
  return rows;
}

std::vector<HistoryRow> GenerateHistory(const DataSet& data, const HistoryOptions& options) {
  return GenerateHistory(data, options,
                         DemoYearVolumes(data, GenerateMetering(data), options.demo_year));
}

std::vector<HistoryRow> GenerateHistory(const DataSet& data, const HistoryOptions& options,
                                        const std::vector<HistoryRow>& year) {
  const std::vector<int>& demand = MonthlyDemandGwh2018();
  double mean = 0;
  for (int v : demand) mean += v;
  mean /= static_cast<double>(demand.size());

  // The demo year's volume per (bin, service) and calendar month (1..12),
  // and the month of the demo year it belongs to.
  struct Anchor {
    std::array<double, 12> wh{};
    std::array<bool, 12> known{};
    std::array<absl::CivilMonth, 12> month{};
  };
  std::map<std::pair<std::string, int>, Anchor> anchors;
  for (const HistoryRow& r : year) {
    Anchor& a = anchors[{r.bin, r.service}];
    const int i = r.period.month() - 1;
    a.wh[i] = static_cast<double>(r.volume_wh);
    a.month[i] = r.period;
    a.known[i] = r.volume_wh != 0;
  }
  // A calendar month the participant had no volume in (points joined or
  // left inside the demo year) takes the average of the others.
  for (auto& [key, a] : anchors) {
    double sum = 0;
    int n = 0;
    for (int i = 0; i < 12; ++i) {
      if (a.known[i]) sum += a.wh[i], ++n;
    }
    for (int i = 0; i < 12; ++i) {
      if (!a.known[i] && n > 0) a.wh[i] = sum / n;
      if (a.month[i] == absl::CivilMonth()) a.month[i] = options.demo_year.first;
    }
    if (n == 0) a.known.fill(false);
  }

  const std::map<int, std::set<int>> services = ContractedServices(data);
  std::vector<HistoryRow> rows;
  Rng rng(data.options.seed, kHistoryStream);
  for (size_t i = 0; i < data.participants.size(); ++i) {
    const DemoParticipant& p = data.participants[i];
    // Drawn for every participant, so that one's breaks do not shift another's.
    const double growth = 0.01 + static_cast<double>(rng.Between(0, 300)) / 10000.0;
    const int left_months_before = static_cast<int>(rng.Between(3, 30));
    const bool shifts = rng.Chance(60);
    const absl::CivilMonth shift_at = options.first + rng.Between(12, 60);
    const double shift = 1.15 + static_cast<double>(rng.Between(0, 20)) / 100.0;
    auto it = services.find(static_cast<int>(i));
    if (it == services.end()) continue;
    const absl::CivilMonth from = std::max(options.first, absl::CivilMonth(p.since));
    for (int service : it->second) {
      Rng noise(data.options.seed, kHistoryStream ^ (i * 8 + static_cast<uint64_t>(service)));
      auto anchor = anchors.find({p.participant.bin(), service});
      const bool billed = anchor != anchors.end() &&
                          std::any_of(anchor->second.known.begin(), anchor->second.known.end(),
                                      [](bool k) { return k; });
      absl::CivilMonth to = options.last;
      if (!billed) {
        // Not billed in the demo year: a participant that left the market
        // before it (its typical volume on the national profile), or none.
        if (p.final_status != v1::PARTICIPANT_STATUS_TERMINATED || p.monthly_gwh <= 0) continue;
        to = to - left_months_before;
      }
      absl::CivilMonth start = from;
      if (service == 4) start = std::max(start, kGridUseFrom);
      for (absl::CivilMonth m = start; m <= to; ++m) {
        const int moy = m.month() - 1;
        double wh;
        double years;
        if (billed) {
          wh = anchor->second.wh[moy];
          years = static_cast<double>(m - anchor->second.month[moy]) / 12.0;
        } else {
          wh = p.monthly_gwh * 1e9 * demand[moy] / mean;
          years = static_cast<double>(m - options.last) / 12.0;
        }
        wh *= std::pow(1 + growth, years);
        // The new production line: the months before it lower.
        if (shifts && billed && m < shift_at) wh /= shift;
        if (shifts && !billed && m >= shift_at) wh *= shift;
        // About 2 % noise (sd): three uniform draws of +-3.5 %, summed, times 2/3.
        const double e = static_cast<double>(noise.Between(-350, 350) + noise.Between(-350, 350) +
                                             noise.Between(-350, 350)) /
                         20000.0;
        wh *= 1 + e;
        // Only transmission is billed net (a net exporter's month is negative).
        if (service != 1) wh = std::max(0.0, wh);
        rows.push_back({p.participant.bin(), service, m, std::llround(wh)});
      }
    }
  }
  return rows;
}

std::string HistoryCsv(const std::vector<HistoryRow>& rows) {
  std::string out = "bin,service,period,volume_kwh\n";
  for (const HistoryRow& r : rows) {
    absl::StrAppend(&out, r.bin, ",", ServiceCsvName(r.service), ",",
                    absl::FormatCivilTime(r.period), ",", r.volume_wh < 0 ? "-" : "",
                    std::abs(r.volume_wh / 1000), ".",
                    absl::StrFormat("%03d", std::abs(r.volume_wh % 1000)), "\n");
  }
  return out;
}

}  // namespace gridbill::demo
