// The demo interval data: 15-minute readings of every demo metering point
// (metering_points.h) for a year, 2025-11-01 .. 2026-10-31 local time,
// deterministic from the seed and computed one local day at a time (a day of
// ~2,000 points is ~250,000 values; nothing of the year is held in memory).
//
// The shape: consumption follows national demand (DOMAIN.md: the 2018
// monthly totals, so all consumption points together take 9.9 TWh in
// January and 7.6 TWh in June), with an evening peak, a morning bump and
// lower weekends; solar plants produce by day, wind plants vary from day to
// day, thermal plants cover the rest plus the grid losses (2-4.5 % of each
// node's outflow), and the tie lines carry each node's surplus along the
// node tree, so every node's inflow - outflow is its losses.
//
// Seeded anomalies, on the values as first sent: gaps (runs of 1-16
// intervals not sent, and a few whole days), spikes (one interval 6-10 times
// its value), flat lines (a stuck meter repeating a value for 16-40
// intervals), and late corrections: a second revision of some point-days
// sent after everything else (CMS re-sends some intervals with other
// values, or fills a gap). Points with a SCADA check get SCADA values first
// (within 0.3 % of CMS's, some intervals 5 % off) and CMS's after.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "tools/demo/metering_points.h"

namespace gridbill::demo {

struct ReadingsOptions {
  uint64_t seed = 42;
  absl::CivilDay first = absl::CivilDay(2025, 11, 1);
  absl::CivilDay last = absl::CivilDay(2026, 10, 31);  // inclusive
  absl::TimeZone zone;  // default: Asia/Almaty (loaded by the constructor when UTC is given)
};

// metering.v1.Source numbers.
inline constexpr int kSourceScada = 1;
inline constexpr int kSourceCms = 2;

// One series of one point, channel and local day, as one source sends it.
struct SeriesDay {
  int point = -1;  // index into MeteringSet::points
  int channel = 0;
  int source = kSourceCms;
  std::vector<int64_t> values;   // Wh per interval
  std::vector<uint8_t> present;  // 0: the interval is not sent (a gap)
};

// A point-day that gets a second revision after the load.
struct CorrectionKey {
  int point = -1;
  int channel = 0;
  absl::CivilDay day;
};

struct DayReadings {
  absl::CivilDay day;
  absl::Time start;                  // local midnight
  absl::Duration step;               // 15 minutes
  std::vector<SeriesDay> first;      // SCADA series before CMS ones
  std::vector<SeriesDay> corrected;  // the second revision of this day's corrections
};

class ReadingsGenerator {
 public:
  ReadingsGenerator(const MeteringSet& set, ReadingsOptions options);

  const ReadingsOptions& options() const { return options_; }
  // The local days of the data, first to last.
  std::vector<absl::CivilDay> Days() const;
  DayReadings Day(absl::CivilDay day) const;
  // Every corrected point-day of [first, last], by day.
  std::vector<CorrectionKey> Corrections() const;

  // For tests: the node losses factor (e.g. 0.031) of a node.
  double LossFactor(const std::string& node) const;

 private:
  struct Month;
  double Shape(LoadProfile profile, absl::CivilDay day, int interval, int intervals) const;
  bool Corrected(int point, int channel, absl::CivilDay day) const;
  bool WholeDayGap(int point, absl::CivilDay day) const;

  const MeteringSet& set_;
  ReadingsOptions options_;
  // Sum of Shape() over every interval of a month, per consumption profile.
  std::map<std::pair<int, absl::CivilMonth>, double> month_shape_;
  std::vector<int> parent_;  // node index -> parent node index (-1 at the root)
  std::vector<int> node_of_point_;
  std::vector<int> peer_of_point_;
  std::vector<double> loss_;  // per node
};

}  // namespace gridbill::demo
