// Small rules and error helpers the domain files share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "model.h"

namespace gridbill::contracts {

// Status helpers in the shape of gridbill/base/errors.h ("field: reason",
// the field attached as payload) for the codes errors.h has no helper for.
absl::Status PermissionDeniedField(const std::string& field, const std::string& reason);
absl::Status NotFoundField(const std::string& field, const std::string& reason);
absl::Status AlreadyExistsField(const std::string& field, const std::string& reason);

// FAILED_PRECONDITION on "expected_version" when expected != 0 and differs.
absl::Status CheckExpectedVersion(int64_t expected, int64_t actual);

// INVALID_ARGUMENT "<prefix>.valid_to: before valid_from" when to < from.
absl::Status CheckValidity(const std::string& prefix, absl::CivilDay from,
                           const std::optional<absl::CivilDay>& to);

// True when [a_from, a_to] and [b_from, b_to] share a day (unset end: open).
bool Overlaps(absl::CivilDay a_from, const std::optional<absl::CivilDay>& a_to,
              absl::CivilDay b_from, const std::optional<absl::CivilDay>& b_to);
// True when `day` lies in [from, to].
bool Covers(absl::CivilDay from, const std::optional<absl::CivilDay>& to, absl::CivilDay day);

// "[2024-01-01 .. 2024-12-31]" or "[2024-01-01 .. open end]".
std::string ValidityText(absl::CivilDay from, const std::optional<absl::CivilDay>& to);

// True when the text is empty or only whitespace.
bool Blank(const std::string& text);
// The number of Unicode code points in UTF-8 `text`.
int64_t CodePoints(const std::string& text);

// Required non-blank text with a length limit in characters.
absl::Status CheckText(const std::string& field, const std::string& text, bool required,
                       int64_t max_chars);

}  // namespace gridbill::contracts

namespace gridbill::contracts {
// PERMISSION_DENIED when a participant-scoped caller attempts `what`
// (methods only the TSO's staff may call).
absl::Status DenyScoped(const Caller& who, const std::string& what);

// True when the caller may decide applications (approve, reject, ...): TSO
// staff (operators, metering engineers, admins) not scoped to a participant.
// A caller without roles did not come through the gateway (tools, tests)
// and is trusted like the gateway's own staff.
bool MayDecide(const Caller& who);

// The history entry of a change made by `who` (actor and request id from the
// caller), the one shape every resource's history is written in.
ChangeEntry HistoryEntry(const Caller& who, int64_t version, absl::Time at, std::string action,
                         std::string reason, std::vector<FieldChange> changes);
}  // namespace gridbill::contracts
