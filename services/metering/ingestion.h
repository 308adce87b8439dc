// Ingestion of interval readings: a batch is checked structurally (known
// point and channel, interval aligned and inside the point's validity, one
// value per key), grouped into point-days of the operator's zone, merged with
// the latest stored revision of each day, validated (VEE) and stored as new
// revisions of the days that changed, all or nothing. Re-sending identical
// readings writes nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"
#include "model.h"
#include "store.h"
#include "vee.h"

namespace gridbill::metering {

// Consecutive interval values of one point and channel (the compact form
// of as many readings).
struct Series {
  std::string point_code;
  Channel channel = Channel::kUnspecified;
  absl::Time start;
  Resolution resolution = Resolution::kUnspecified;
  std::vector<int64_t> values;
  std::vector<Quality> qualities;  // empty: all MEASURED
  Source source = Source::kUnspecified;
};

struct Batch {
  int32_t index = 0;  // in the stream, for rejections
  Source source = Source::kUnspecified;
  std::vector<Reading> readings;
  std::vector<Series> series;
  // Set by edits: recorded with the revision.
  std::string reason;

  // Readings in all: each reading and each series value.
  int64_t size() const {
    int64_t n = static_cast<int64_t>(readings.size());
    for (const Series& s : series) n += static_cast<int64_t>(s.values.size());
    return n;
  }
};

// The metering points one reading stream has used, kept between its batches
// for a few seconds so that a stream does not read the same points for
// every batch. Not thread-safe: one per stream. Unknown codes are not kept
// (a point created meanwhile is found by the next batch).
class PointCache {
 public:
  // Makes Get() answer for `codes`, reading those it does not hold.
  absl::Status Load(Store& store, absl::Time now, const std::vector<std::string>& codes);
  // The point, or nullptr when unknown.
  const MeteringPoint* Get(const std::string& code) const;

 private:
  // A point changed by UpdateMeteringPoint is seen by a stream at most this late.
  static constexpr absl::Duration kTtl = absl::Seconds(10);
  absl::flat_hash_map<std::string, MeteringPoint> points_;
  absl::Time loaded_at_ = absl::InfinitePast();
};

class Ingestion {
 public:
  Ingestion(Store& store, const Clock& clock, absl::TimeZone zone, VeeConfig vee)
      : store_(store), clock_(clock), zone_(zone), vee_(vee) {}

  // A structurally invalid batch is not an error: its summary counts every
  // reading rejected and names each reason, and nothing is written. Errors
  // are storage failures only.
  // `cache` (optional) keeps the points between the batches of a stream.
  absl::StatusOr<IngestSummary> Ingest(const Batch& batch, const Caller& who,
                                       PointCache* cache = nullptr);

  // The structural checks of Ingest alone: the summary names every rejected
  // reading (rejected = all readings when any is); nothing is written. A
  // MISSING reading never replaces a stored value (counted unchanged).
  absl::StatusOr<IngestSummary> Check(const Batch& batch);

  // Ingest in two steps, so that a stream can check its next batch while the
  // previous one is being stored: Prepare is the structural checks (CPU and
  // point look-ups only, never the stored readings); Commit merges with the
  // latest stored days, validates and writes. Commit the prepared batches of
  // a stream one after the other, in order.
  struct Prepared;
  absl::StatusOr<std::shared_ptr<const Prepared>> Prepare(const Batch& batch, PointCache* cache);
  absl::StatusOr<IngestSummary> Commit(const Prepared& prepared, const Caller& who);

 private:
  absl::Status PrepareInto(const Batch& batch, Prepared& prepared, PointCache* cache);

  Store& store_;
  const Clock& clock_;
  absl::TimeZone zone_;
  VeeConfig vee_;
};

}  // namespace gridbill::metering
