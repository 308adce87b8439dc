// Reading stored data back: one point and channel at native resolution or
// summed to hours, days or months of the operator's zone, as of a revision
// or a time; completeness; bulk point-days; and operators' manual edits.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"
#include "gridbill/domain/civil.h"
#include "ingestion.h"
#include "model.h"
#include "store.h"

namespace gridbill::metering {

struct ReadingsQuery {
  std::string point_code;
  Channel channel = Channel::kUnspecified;
  absl::CivilDay from;  // local days, inclusive
  absl::CivilDay to;
  Aggregation aggregation = Aggregation::kNative;
  AsOf as_of;
};

struct ReadingsResult {
  std::vector<ValueOut> values;
  int64_t total_wh = 0;
};

// Where a whole day of a point is sent in bulk.
struct PointDayOut {
  std::string point_code;
  Resolution resolution = Resolution::kUnspecified;
  absl::Time day_start;
  DayRow row;
};

class Readings {
 public:
  Readings(Store& store, Ingestion& ingestion, absl::TimeZone zone)
      : store_(store), ingestion_(ingestion), zone_(zone) {}

  absl::StatusOr<ReadingsResult> Get(const ReadingsQuery& query, const Caller& who);

  absl::StatusOr<std::vector<Completeness>> GetCompleteness(std::vector<std::string> codes,
                                                            const std::string& participant_id,
                                                            BillingPeriod period,
                                                            const Caller& who);

  // Calls `sink` with chunks of stored days (ordered by point, channel, day),
  // reading at most `chunk_days` local days of the points at a time.
  absl::Status StreamDays(const std::vector<std::string>& codes,
                          const std::vector<Channel>& channels, absl::CivilDay from,
                          absl::CivilDay to, const AsOf& as_of,
                          const std::function<absl::Status(std::vector<PointDayOut>)>& sink);

  // An operator's edit of one interval: a new revision with the reason.
  absl::StatusOr<int32_t> Edit(const std::string& point_code, Channel channel, absl::Time start,
                               int64_t value_wh, const std::string& reason, const Caller& who);

 private:
  Store& store_;
  Ingestion& ingestion_;
  absl::TimeZone zone_;
};

// Quality order for buckets: the worst of the intervals wins.
Quality Worse(Quality a, Quality b);

}  // namespace gridbill::metering
