// Participants' applications (declared volumes, contract requests, metering
// requests) and their workflow: draft -> submitted -> in review -> approved
// or rejected -> closed, with a processing deadline per type.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"
#include "gridbill/domain/civil.h"
#include "model.h"
#include "store.h"

namespace gridbill::contracts {

// Update-mask paths UpdateApplication accepts.
inline constexpr std::string_view kApplicationUpdatable[] = {"period", "contract_id",
                                                             "declared_volumes", "subject", "body"};

inline constexpr int kMaxCommentChars = 4000;

// OK when the workflow allows `from` -> `to`; FAILED_PRECONDITION
// "target_state: cannot move from X to Y" otherwise.
absl::Status CheckApplicationTransition(ApplicationState from, ApplicationState to);

// Undecided (submitted or in review) and past its due time at `now`.
bool IsOverdue(const Application& a, absl::Time now);

// `from` plus `days` calendar days in `zone` (same local time of day).
absl::Time AddDays(absl::Time from, int days, absl::TimeZone zone);

class Applications {
 public:
  Applications(Store& store, const Clock& clock, absl::TimeZone zone,
               ApplicationDeadlines deadlines)
      : store_(store), clock_(clock), zone_(zone), deadlines_(deadlines) {}

  absl::StatusOr<Application> Create(const Application& input, const Caller& who);
  absl::StatusOr<Application> Get(const std::string& id, const Caller& who);
  absl::StatusOr<ListPage<Application>> List(ApplicationFilter filter, const PageRequest& page,
                                             const Caller& who);
  // The change feed of what `who` may see (page.after: a change position).
  absl::StatusOr<ListPage<Application>> Changes(ApplicationFilter filter, const PageRequest& page,
                                                const Caller& who);
  absl::StatusOr<Application> Update(const Application& input, const Mask& mask,
                                     int64_t expected_version, const Caller& who);
  // `received` (applications registered from paper, the TSO's staff only,
  // on the move to SUBMITTED): when the TSO received it; the submit time and
  // the due date count from it. Not in the future, not before the year 2000.
  absl::StatusOr<Application> Transition(const std::string& id, ApplicationState target,
                                         const std::string& resolution, int64_t expected_version,
                                         const Caller& who,
                                         std::optional<absl::Time> received = std::nullopt);
  absl::StatusOr<ApplicationComment> AddComment(const std::string& application_id,
                                                const std::string& text, const Caller& who);
  absl::StatusOr<paging::PageOf<ApplicationComment>> ListComments(const std::string& application_id,
                                                                  const paging::Page& page,
                                                                  const Caller& who);
  absl::StatusOr<ApplicationCounts> Count(const BillingPeriod& period, std::string participant_id,
                                          ApplicationType type, const Caller& who);
  // Applications submitted or in review past their due time, of every
  // participant (the operators' gauge; no caller).
  absl::StatusOr<int64_t> Overdue();
  absl::StatusOr<paging::PageOf<ChangeEntry>> History(const std::string& id,
                                                      const paging::Page& page, const Caller& who);

 private:
  absl::Status Validate(const Application& a);
  absl::Status CheckParticipant(const std::string& participant_id);
  // Get for `who`, PERMISSION_DENIED on another participant's application.
  absl::StatusOr<Application> Visible(const std::string& id, const Caller& who);
  // The filter of a list for `who`: a participant's caller sees only its own.
  absl::StatusOr<ApplicationFilter> Scoped(ApplicationFilter filter, const Caller& who) const;

  Store& store_;
  const Clock& clock_;
  absl::TimeZone zone_;
  ApplicationDeadlines deadlines_;
};

// The application as (field, text) pairs for history diffs.
FieldTexts FieldsOf(const Application& a);

}  // namespace gridbill::contracts
