// The values every service's tests build their requests from, written once:
// times in the operator's zone, request ids and the common proto dates.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "gridbill/common/v1/common.pb.h"

namespace gridbill::testing {

// Asia/Almaty (REQUIREs that the zone loads).
absl::TimeZone Almaty();
// Local civil time in Asia/Almaty as an instant (the earlier one when repeated).
absl::Time Local(int y, int m, int d, int hh = 0, int mm = 0);
// "req-1", "req-2", ...: a request id not used before in this process.
std::string NewRequestId();
common::v1::Date D(int y, int m, int d);
common::v1::BillingPeriod P(int y, int m);

}  // namespace gridbill::testing
