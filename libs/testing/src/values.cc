#include "gridbill/testing/values.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "catch2/catch.hpp"

namespace gridbill::testing {

absl::TimeZone Almaty() {
  absl::TimeZone zone;
  REQUIRE(absl::LoadTimeZone("Asia/Almaty", &zone));
  return zone;
}

absl::Time Local(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), Almaty());
}

std::string NewRequestId() {
  static std::atomic<int> n{0};
  return absl::StrCat("req-", ++n);
}

common::v1::Date D(int y, int m, int d) {
  common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

common::v1::BillingPeriod P(int y, int m) {
  common::v1::BillingPeriod p;
  p.set_year(y);
  p.set_month(m);
  return p;
}

}  // namespace gridbill::testing
