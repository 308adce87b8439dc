// The callers and period ranges the reporting unit tests share.
#ifndef GRIDBILL_SERVICES_REPORTING_TESTS_CALLERS_H_
#define GRIDBILL_SERVICES_REPORTING_TESTS_CALLERS_H_

#include <string>

#include "absl/time/civil_time.h"
#include "gridbill/base/caller.h"
#include "reports.h"

namespace gridbill::reporting::testing {

inline Caller Operator() {
  Caller c;
  c.principal = "operator";
  c.roles = {Role::kOperator};
  return c;
}

inline Caller Participant(const std::string& id) {
  Caller c;
  c.principal = "user";
  c.roles = {Role::kParticipantUser};
  c.participant_id = id;
  return c;
}

inline Params Months(absl::CivilMonth from, absl::CivilMonth to) {
  Params p;
  p.period_from = from;
  p.period_to = to;
  return p;
}

}  // namespace gridbill::reporting::testing

#endif  // GRIDBILL_SERVICES_REPORTING_TESTS_CALLERS_H_
