// Metering points: validation of their attributes, creation, changes, reads.
#pragma once

#include <string>

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
  absl::StatusOr<ListPage<MeteringPoint>> List(const PointFilter& filter, const paging::Page& page,
                                               const Caller& who);

 private:
  Store& store_;
  const Clock& clock_;
};

// The checks on a point's attributes; errors name the field under "point.".
absl::Status CheckPoint(const MeteringPoint& p);

}  // namespace gridbill::metering
