// The computation of one shard of a balance run: whole point-days in, sums
// per scheme and hour out. Pure: no gRPC, no SQL; fed by the run's reader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "model.h"

namespace gridbill::balance {

// The hours a run computes: [start, start + hours h). start is local midnight
// of the period's first day; with whole-hour offset changes every step of one
// hour is a local hour start, so 23- and 25-hour days need no special case.
struct HourGrid {
  absl::Time start;
  int hours = 0;
  absl::Time end() const { return start + absl::Hours(hours); }
};

// The stored intervals of one point, channel and local day, as metering sends them.
struct PointDayIn {
  std::string point_code;
  int channel = 0;
  absl::CivilDay day;
  int revision = 0;
  absl::Time day_start;
  int interval_minutes = 60;
  std::vector<int64_t> values;
  std::vector<int> qualities;  // metering.v1.Quality numbers
};

// Metering qualities (metering.v1.Quality).
inline constexpr int kQualityMeasured = 1;
inline constexpr int kQualityEstimated = 2;
inline constexpr int kQualitySubstituted = 3;
inline constexpr int kQualityMissing = 4;
inline constexpr int kQualityEdited = 5;

// The declared volume of hour `index` of a period of `period_hours` hours: the
// monthly volume spread evenly, the remainder one Wh each to the first hours.
int64_t DeclaredForHour(int64_t monthly_wh, int period_hours, int index);

class ShardComputation {
 public:
  // `schemes`: the shard's scheme versions. `days`: the local days of the
  // grid. `declared`: monthly volumes by (participant, service).
  // `closure_terms`: the participant terms ("point\tchannel") this shard counts
  // in the grid closure. `period_hours`: hours of the whole month.
  // `user_terms`: every term ("point\tchannel") of the run's participant
  // schemes: a node's inflow term among them is generation, an outflow term
  // consumption; the node's other terms are tie lines to other nodes.
  ShardComputation(std::vector<Scheme> schemes, HourGrid grid, absl::CivilDay first_day,
                   absl::CivilDay last_day, absl::TimeZone zone,
                   const std::vector<DeclaredVolume>& declared,
                   const std::vector<std::string>& closure_terms, int period_hours,
                   const absl::flat_hash_set<std::string>& user_terms = {});

  // The points and channels to read.
  std::vector<std::string> PointCodes() const;
  std::vector<int> Channels() const;

  // Adds one point-day; days of points or channels not in the shard's schemes are ignored.
  void Add(const PointDayIn& day);

  // The shard's results; days never added count as missing.
  ShardResult Finish();

 private:
  struct Target {
    int subject;
    int sign;  // participant: +1 / -1; node: +1 inflow, -1 outflow
    // Node terms: measured at a grid user's point (generation or consumption).
    bool user;
    // The scheme version's validity as day indexes of the grid, inclusive.
    int64_t from_day;
    int64_t to_day;
  };
  struct Key {
    std::string point_code;
    int channel;
    std::vector<Target> targets;
    std::vector<bool> seen;  // per day of the grid
    int intervals_per_hour = 0;
    int closure = 0;  // +1 supply, -1 consumption, 0 not counted here
  };
  struct Acc {
    std::vector<int64_t> a;  // actual, or inflow
    std::vector<int64_t> b;  // outflow
    std::vector<int64_t> g;  // generation (nodes)
    std::vector<int64_t> c;  // consumption (nodes)
    std::vector<Quality> q;
  };
  void AddHour(const Key& key, int64_t day_index, int hour, int64_t wh, const Quality& q);

  std::vector<Scheme> schemes_;
  HourGrid grid_;
  absl::CivilDay first_day_;
  absl::CivilDay last_day_;
  absl::TimeZone zone_;
  int period_hours_;
  std::vector<Key> keys_;
  absl::flat_hash_map<std::string, absl::flat_hash_map<int, int>> key_index_;
  std::vector<Acc> acc_;
  // Per subject: the first scheme version's index (its identity) and the declaration.
  std::vector<int> subject_scheme_;
  std::vector<std::pair<bool, int64_t>> declared_;
  ShardResult out_;
};

// The key of a point's channel in a shard's closure and reader maps.
std::string TermKey(const std::string& point, int channel);

// Divides a run's schemes into shards: all versions of one subject together,
// participant subjects first, each shard up to `shard_points` distinct points.
std::vector<Shard> PlanShards(const std::vector<Scheme>& schemes, int shard_points);

}  // namespace gridbill::balance
