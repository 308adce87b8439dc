#include "tools/demo/history.h"

#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/demo/catalog.h"
#include "tools/demo/rng.h"

namespace gridbill::demo {
namespace {

constexpr uint64_t kHistoryStream = 0x4849'5354;  // "HIST"
constexpr absl::CivilMonth kGridUseFrom(2023, 7);
constexpr absl::CivilMonth kDemoYear(2026, 4);  // the middle of the demo year

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

}  // namespace

std::vector<HistoryRow> GenerateHistory(const DataSet& data, const HistoryOptions& options) {
  const std::vector<int>& demand = MonthlyDemandGwh2018();
  double mean = 0;
  for (int v : demand) mean += v;
  mean /= static_cast<double>(demand.size());

  std::map<int, std::set<int>> services;  // participant -> services with a contract
  for (const DemoContract& c : data.contracts) {
    services[c.participant].insert(static_cast<int>(c.contract.service_type()));
  }
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
    if (it == services.end() || p.monthly_gwh <= 0) continue;
    absl::CivilMonth from = std::max(options.first, absl::CivilMonth(p.since));
    absl::CivilMonth to = options.last;
    if (p.final_status == v1::PARTICIPANT_STATUS_TERMINATED) to = to - left_months_before;
    for (int service : it->second) {
      Rng noise(data.options.seed, kHistoryStream ^ (i * 8 + static_cast<uint64_t>(service)));
      const double scale = service == 4 ? 0.6 : service == 3 ? 1.02 : 1.0;
      absl::CivilMonth start = from;
      if (service == 4) start = std::max(start, kGridUseFrom);
      for (absl::CivilMonth m = start; m <= to; ++m) {
        const double years = static_cast<double>(m - kDemoYear) / 12.0;
        double gwh =
            p.monthly_gwh * scale * demand[m.month() - 1] / mean * std::pow(1 + growth, years);
        if (shifts && m >= shift_at) gwh *= shift;
        // About 2 % noise (sd): three uniform draws of +-3.5 %, summed, times 2/3.
        const double e = static_cast<double>(noise.Between(-350, 350) + noise.Between(-350, 350) +
                                             noise.Between(-350, 350)) /
                         20000.0;
        gwh *= 1 + e;
        rows.push_back({p.participant.bin(), service, m, std::llround(gwh * 1e9)});
      }
    }
  }
  return rows;
}

std::string HistoryCsv(const std::vector<HistoryRow>& rows) {
  std::string out = "bin,service,period,volume_kwh\n";
  for (const HistoryRow& r : rows) {
    absl::StrAppend(&out, r.bin, ",", ServiceCsvName(r.service), ",",
                    absl::FormatCivilTime(r.period), ",", r.volume_wh / 1000, ".",
                    absl::StrFormat("%03d", std::abs(r.volume_wh % 1000)), "\n");
  }
  return out;
}

}  // namespace gridbill::demo
