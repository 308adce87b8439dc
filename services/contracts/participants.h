// Market participants: registration, validation of their identifiers and
// bank details, status changes with a reason, history of every change.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gridbill/base/clock.h"
#include "model.h"
#include "store.h"

namespace gridbill::contracts {

// Update-mask paths UpdateParticipant accepts; the BIN is the identity.
inline constexpr std::string_view kParticipantUpdatable[] = {
    "eic",          "legal_name", "short_name", "legal_address", "postal_address", "region_code",
    "bank_account", "contacts",   "roles",      "status",        "vat_certificate"};

// OK when a participant may move from `from` to `to`: ACTIVE <-> SUSPENDED,
// ACTIVE or SUSPENDED -> TERMINATED (final); FAILED_PRECONDITION on
// "participant.status" otherwise.
absl::Status CheckStatusChange(ParticipantStatus from, ParticipantStatus to);

class Participants {
 public:
  Participants(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  absl::StatusOr<Participant> Create(const Participant& input, const Caller& who);
  absl::StatusOr<Participant> Get(const std::string& id, const Caller& who);
  absl::StatusOr<ListPage<Participant>> List(ParticipantFilter filter, const PageRequest& page,
                                             const Caller& who);
  absl::StatusOr<Participant> Update(const Participant& input, const Mask& mask,
                                     int64_t expected_version, const std::string& reason,
                                     const Caller& who);
  absl::StatusOr<paging::PageOf<ChangeEntry>> History(const std::string& id,
                                                      const paging::Page& page, const Caller& who);

 private:
  absl::Status Validate(const Participant& p);
  // FAILED_PRECONDITION naming the participant's active and suspended
  // contracts, if any: a participant is terminated after its contracts.
  absl::Status CheckNoContractsInForce(const std::string& participant_id);

  Store& store_;
  const Clock& clock_;
};

// The participant as (field, text) pairs for history diffs.
FieldTexts FieldsOf(const Participant& p);

}  // namespace gridbill::contracts
