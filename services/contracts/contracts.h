// Contracts per service: validation, the lifecycle (draft -> active <->
// suspended -> terminated) and amendments of contracts in force.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"
#include "model.h"
#include "store.h"

namespace gridbill::contracts {

// Update-mask paths UpdateContract accepts.
inline constexpr std::string_view kContractUpdatable[] = {"number",
                                                          "participant_id",
                                                          "service_type",
                                                          "signed_on",
                                                          "valid_from",
                                                          "valid_to",
                                                          "payment_terms",
                                                          "payment_terms.due_day",
                                                          "payment_terms.prepayment_share",
                                                          "metering_point_codes",
                                                          "accounting_scheme_id"};

// OK when the lifecycle allows `from` -> `to`; FAILED_PRECONDITION
// "target_state: cannot move from X to Y" otherwise.
absl::Status CheckContractTransition(ContractState from, ContractState to);

class Contracts {
 public:
  Contracts(Store& store, const Clock& clock, absl::TimeZone zone)
      : store_(store), clock_(clock), zone_(zone) {}

  absl::StatusOr<Contract> Create(const Contract& input, const Caller& who);
  absl::StatusOr<Contract> Get(const std::string& id, const Caller& who);
  absl::StatusOr<ListPage<Contract>> List(ContractFilter filter, const PageRequest& page,
                                          const Caller& who);
  // Any field of a draft; an amendment (reason and amendment number
  // required) of an active or suspended contract; nothing of a terminated one.
  absl::StatusOr<Contract> Update(const Contract& input, const Mask& mask, int64_t expected_version,
                                  const AmendmentInfo& amendment, const Caller& who);
  absl::StatusOr<Contract> Transition(const std::string& id, ContractState target,
                                      const std::string& reason, int64_t expected_version,
                                      const Caller& who);
  absl::StatusOr<paging::PageOf<ChangeEntry>> History(const std::string& id,
                                                      const paging::Page& page, const Caller& who);

 private:
  absl::Status Validate(const Contract& c);
  // The participant must exist and not be terminated.
  absl::Status CheckParticipant(const std::string& participant_id);

  Store& store_;
  const Clock& clock_;
  absl::TimeZone zone_;
};

// The contract as (field, text) pairs for history diffs.
FieldTexts FieldsOf(const Contract& c);

}  // namespace gridbill::contracts
