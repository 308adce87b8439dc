// The metering domain's plain types: points, point-days, readings, findings.
// No gRPC, no SQL.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gridbill/base/caller.h"
#include "gridbill/base/paging.h"

namespace gridbill::metering {

// Numeric values are the proto enum numbers and the stored smallints.
enum class Resolution : int16_t { kUnspecified = 0, kPt15m = 1, kPt30m = 2, kPt60m = 3 };
enum class Channel : int16_t {
  kUnspecified = 0,
  kActiveReceived = 1,
  kActiveDelivered = 2,
  kReactiveReceived = 3,
  kReactiveDelivered = 4
};
enum class Quality : int16_t {
  kUnspecified = 0,
  kMeasured = 1,
  kEstimated = 2,
  kSubstituted = 3,
  kMissing = 4,
  kManuallyEdited = 5
};
enum class Source : int16_t {
  kUnspecified = 0,
  kScada = 1,
  kCms = 2,
  kParticipant = 3,
  kOperator = 4,
  kEstimation = 5
};
enum class PointStatus : int16_t {
  kUnspecified = 0,
  kActive = 1,
  kInactive = 2,
  kDecommissioned = 3
};
enum class Aggregation { kUnspecified = 0, kNative = 1, kHour = 2, kDay = 3, kMonth = 4 };

// VEE findings; a stored interval carries a bitmask of (1 << Finding).
enum class Finding : int16_t {
  kNegative = 1,
  kSpike = 2,
  kFlatLine = 3,
  kGap = 4,
  kSourceMismatch = 5
};
inline int16_t Bit(Finding f) { return static_cast<int16_t>(1 << static_cast<int>(f)); }

absl::Duration Length(Resolution r);
// "01".."04" as in the 80020 layout.
std::string ChannelCode(Channel c);

// Who makes a call.
struct Assignment {
  std::string participant_id;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
  bool Covers(absl::CivilDay d) const { return d >= valid_from && (!valid_to || d <= *valid_to); }
};

struct ChannelConfig {
  Channel channel = Channel::kUnspecified;
  std::string meter_serial;
};

struct MeteringPoint {
  int64_t id = 0;  // surrogate key, internal
  std::string code;
  std::string eic;
  std::string name;
  std::string substation_code;
  std::string voltage_level_code;
  std::vector<Assignment> assignments;
  std::vector<ChannelConfig> channels;
  std::string meter_serial;
  std::string ct_ratio;  // decimal text
  std::string vt_ratio;  // decimal text
  Resolution resolution = Resolution::kUnspecified;
  PointStatus status = PointStatus::kUnspecified;
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;
  int64_t version = 0;
  absl::Time create_time;
  absl::Time update_time;

  bool HasChannel(Channel c) const;
  bool ValidOn(absl::CivilDay d) const { return d >= valid_from && (!valid_to || d <= *valid_to); }
  // True when some assignment to `participant` meets [from, to].
  bool AssignedTo(const std::string& participant, absl::CivilDay from, absl::CivilDay to) const;
};

struct PointFilter {
  std::string participant_id;
  std::string substation_code;
};

// The key of a stored point-day: (point, channel, local day).
struct DayKey {
  int64_t point_id = 0;
  Channel channel = Channel::kUnspecified;
  absl::CivilDay day;

  friend bool operator==(const DayKey& a, const DayKey& b) {
    return a.point_id == b.point_id && a.channel == b.channel && a.day == b.day;
  }
  friend bool operator<(const DayKey& a, const DayKey& b) {
    if (a.point_id != b.point_id) return a.point_id < b.point_id;
    if (a.channel != b.channel) return a.channel < b.channel;
    return a.day < b.day;
  }
  template <typename H>
  friend H AbslHashValue(H h, const DayKey& k) {
    return H::combine(std::move(h), k.point_id, static_cast<int16_t>(k.channel),
                      k.day - absl::CivilDay(1970, 1, 1));
  }
};

// "No value" in DayRow::scada_values.
inline constexpr int64_t kNoValue = std::numeric_limits<int64_t>::min();

// One revision of one point-day: every interval of the local day. Written
// once, never updated; a change is revision + 1 with the whole day.
struct DayRow {
  DayKey key;
  int32_t revision = 0;
  std::vector<int64_t> values;    // Wh per interval
  std::vector<int16_t> quality;   // Quality per interval
  std::vector<int16_t> findings;  // Finding bitmask per interval
  // The source of each interval's value; empty when every one is `source`.
  std::vector<int16_t> sources;
  // The SCADA value of each interval whose value came from CMS (kNoValue
  // where SCADA sent none); empty when no interval has one. CMS is the
  // commercial (billing) value; SCADA's is kept for the cross-check.
  std::vector<int64_t> scada_values;
  // The sender's status code of each interval's value (the 80020 `status`
  // attribute; 0 = normal); empty when every one is 0.
  std::vector<int32_t> status_codes;
  // The source of this revision's changes.
  Source source = Source::kUnspecified;
  std::string actor;
  std::string request_id;
  std::string reason;
  absl::Time created_at;

  Source SourceAt(size_t i) const {
    return sources.empty() ? source : static_cast<Source>(sources[i]);
  }
  bool HasScadaValue(size_t i) const {
    return !scada_values.empty() && scada_values[i] != kNoValue;
  }
  int32_t StatusCodeAt(size_t i) const { return status_codes.empty() ? 0 : status_codes[i]; }
};

// Which revision of each day a read returns.
struct AsOf {
  enum class Kind { kLatest, kRevision, kTime };
  Kind kind = Kind::kLatest;
  int32_t revision = 0;
  absl::Time time;
};

struct DayRange {
  std::vector<int64_t> point_ids;
  std::vector<Channel> channels;  // empty: all
  absl::CivilDay from;
  absl::CivilDay to;  // inclusive
  AsOf as_of;
};

// One reading as it arrives.
struct Reading {
  std::string point_code;
  Channel channel = Channel::kUnspecified;
  absl::Time interval_start;
  int64_t value_wh = 0;
  Quality quality = Quality::kUnspecified;
  Source source = Source::kUnspecified;
  // The sender's status code (the 80020 `status` attribute), kept with the
  // value; 0 = normal.
  int32_t status_code = 0;
};

struct Rejection {
  int32_t batch_index = 0;
  int32_t reading_index = -1;
  std::string key;
  std::string reason;
  int32_t series_index = -1;
  int32_t value_index = -1;
};

struct IngestSummary {
  int64_t accepted = 0;
  int64_t unchanged = 0;
  int64_t revised = 0;
  int64_t rejected = 0;
  int64_t revisions_written = 0;
  int64_t flagged = 0;
  // Values the sender reported missing (no value: a stored value is kept).
  int64_t missing = 0;
  // Values whose sender's status code is not 0 (normal).
  int64_t status_flagged = 0;
  std::vector<Rejection> rejections;
  void Add(const IngestSummary& o);
};

// One value of a query result: an interval or a bucket.
struct ValueOut {
  absl::Time start;
  absl::Time end;
  int64_t value_wh = 0;
  Quality quality = Quality::kMissing;
  int32_t revision = 0;
  int16_t findings = 0;
  Source source = Source::kUnspecified;   // of the value (native only)
  std::optional<int64_t> scada_value_wh;  // SCADA's check value (native only)
  int32_t status_code = 0;                // the sender's status code (native only)
};

struct Completeness {
  std::string point_code;
  Channel channel = Channel::kUnspecified;
  int64_t expected = 0;
  int64_t measured = 0;
  int64_t estimated = 0;
  int64_t edited = 0;
  int64_t missing = 0;
  // Intervals stored with each VEE finding (kinds with none are absent).
  std::map<Finding, int64_t> findings;
};

// Intervals of every active point over some days (the completeness gauge).
struct IntervalTotals {
  int64_t expected = 0;
  int64_t present = 0;  // stored and not MISSING
};

// The state of a long job; numbers are common.v1.JobState's.
enum class JobState : int16_t {
  kUnspecified = 0,
  kPending = 1,
  kRunning = 2,
  kSucceeded = 3,
  kFailed = 4,
  kCancelled = 5
};
inline bool Terminal(JobState s) {
  return s == JobState::kSucceeded || s == JobState::kFailed || s == JobState::kCancelled;
}

// An import of one file: its progress (points done of total) and summary.
struct ImportJob {
  std::string id;
  std::string request_id;
  std::string fingerprint;
  std::string actor;
  std::string file_name;
  JobState state = JobState::kUnspecified;
  int64_t done = 0;
  int64_t total = 0;
  int64_t readings = 0;  // readings in the file
  IngestSummary summary;
  std::string error;
  absl::Time create_time;
  std::optional<absl::Time> start_time;
  std::optional<absl::Time> finish_time;
};

// One page of a list, read keyset (gridbill/base/paging.h).
template <typename T>
using ListPage = paging::PageOf<T>;

}  // namespace gridbill::metering
