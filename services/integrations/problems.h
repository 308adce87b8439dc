// The problems the suite has that an operator must hear of through ITSM
// (itsm.h): a balance or invoice run that failed or is stuck, applications
// past their answer deadline, ESF documents whose legal deadline is near and
// not registered. Each pass reads what is wrong now and compares it with the
// incidents the outbox holds open:
//
// - a problem with no open incident opens one (an "incident.open" fact);
// - a problem whose details changed (another failed run of the same period,
//   another set of overdue applications, fewer days left) is a new version
//   of the same fact id: the ITSM receiver finds the open incident by its
//   correlation_id and adds a work note, never a second incident;
// - an open incident whose problem is gone is resolved.
//
// A source that cannot be read this pass (the suite unavailable) changes
// nothing of its own problems. Pure: the Suite and the Store interfaces.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"
#include "store.h"
#include "suite.h"

namespace gridbill::integrations {

struct ProblemOptions {
  // A pending or running run whose progress has not moved this long is stuck.
  absl::Duration stuck_after = absl::Hours(1);
  // ESF documents not registered this many days or fewer before the deadline.
  int esf_within_days = 3;
  // The operator's zone (the civil day of the ESF deadline).
  absl::TimeZone zone = absl::UTCTimeZone();
};

// One problem as the watch sees it now.
struct Problem {
  std::string id;       // the incident's correlation_id: "run/balance/2026-10/final", ...
  std::string version;  // what makes it the same (unchanged) or another (updated) problem
  std::string short_description;
  std::string description;
};

class ProblemWatch {
 public:
  ProblemWatch(Store& store, Suite& suite, const Clock& clock, ProblemOptions options)
      : store_(store), suite_(suite), clock_(clock), options_(std::move(options)) {}

  // One pass. Returns the incident facts stored new (opened, updated, resolved).
  absl::StatusOr<int> Check();

  // The problems of each source now (exposed for tests).
  std::vector<Problem> RunProblems(const std::vector<RunFact>& runs);
  std::vector<Problem> ApplicationProblems(const std::vector<ApplicationFact>& overdue);
  std::vector<Problem> EsfProblems(const std::vector<Delivery>& esf);

 private:
  // Opens, updates and resolves the incidents of ids starting with `prefix`.
  absl::StatusOr<int> Reconcile(const std::string& prefix, const std::vector<Problem>& now);

  Store& store_;
  Suite& suite_;
  const Clock& clock_;
  ProblemOptions options_;
  absl::Mutex mu_;
  // Per run id: its progress (done) and when it was first seen at that value.
  std::map<std::string, std::pair<int64_t, absl::Time>> progress_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridbill::integrations
