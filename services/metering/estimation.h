// Estimation of gaps (the second "E" of VEE). A gap is a run of MISSING
// intervals of a point and channel inside a billing period (within the
// point's validity, intervals that have ended). A gap of up to
// max_linear_intervals intervals with a non-estimated value on both sides is
// interpolated linearly between them; a longer one (or one without both
// neighbours) takes the same-weekday profile: the average of the same
// interval of the same weekday in the previous profile_weeks weeks (latest
// revisions; measured, substituted or edited values, not earlier estimates). An interval with no
// profile data stays missing. Estimates are stored through Ingestion as a new revision of each day,
// quality ESTIMATED, source ESTIMATION, the reason naming the method of each gap; present values
// (measured, substituted, edited, estimated) are never touched, so running it again changes
// nothing.
#pragma once

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

struct EstimationConfig {
  // Gaps up to this many intervals are interpolated (estimation_max_linear_intervals).
  int64_t max_linear_intervals = 4;
  // Weeks the profile looks back (estimation_profile_weeks).
  int64_t profile_weeks = 4;
};

struct EstimateResult {
  int64_t estimated = 0;
  int64_t revisions_written = 0;
};

class Estimation {
 public:
  Estimation(Store& store, Ingestion& ingestion, const Clock& clock, absl::TimeZone zone,
             EstimationConfig config)
      : store_(store), ingestion_(ingestion), clock_(clock), zone_(zone), config_(config) {}

  // max_linear_intervals 0 = the configured value. All points or nothing.
  absl::StatusOr<EstimateResult> Estimate(const std::vector<std::string>& codes, Channel channel,
                                          BillingPeriod period, int64_t max_linear_intervals,
                                          const Caller& who);

 private:
  absl::StatusOr<EstimateResult> EstimatePoint(const MeteringPoint& p, Channel channel,
                                               BillingPeriod period, int64_t max_linear,
                                               const Caller& who);

  Store& store_;
  Ingestion& ingestion_;
  const Clock& clock_;
  absl::TimeZone zone_;
  EstimationConfig config_;
};

}  // namespace gridbill::metering
