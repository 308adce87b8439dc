// Metering points: validation of their attributes, creation, changes, reads.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gridbill/base/clock.h"
#include "model.h"
#include "store.h"

namespace gridbill::metering {

class Points {
 public:
  Points(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  absl::StatusOr<MeteringPoint> Create(const MeteringPoint& input, const Caller& who);
  absl::StatusOr<MeteringPoint> Update(const MeteringPoint& input, int64_t expected_version,
                                       const Caller& who);
  // A participant-scoped caller sees only points ever assigned to it (NOT_FOUND otherwise).
  absl::StatusOr<MeteringPoint> Get(const std::string& code, const Caller& who);
  // Many points at once (at most kMaxBatchGet distinct codes): the points
  // found in the order of their first code, and the codes naming no point
  // the caller may see (scoped callers: as Get).
  struct Found {
    std::vector<MeteringPoint> points;
    std::vector<std::string> missing;
  };
  static constexpr size_t kMaxBatchGet = 1000;
  absl::StatusOr<Found> BatchGet(const std::vector<std::string>& codes, const Caller& who);
  absl::StatusOr<ListPage<MeteringPoint>> List(const PointFilter& filter, const paging::Page& page,
                                               const Caller& who);

 private:
  Store& store_;
  const Clock& clock_;
};

// The checks on a point's attributes; errors name the field under "point.".
absl::Status CheckPoint(const MeteringPoint& p);

}  // namespace gridbill::metering
