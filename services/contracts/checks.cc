#include "checks.h"

#include <cctype>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "model.h"

namespace gridbill::contracts {
namespace {

absl::Status WithField(absl::StatusCode code, const std::string& field, const std::string& reason) {
  absl::Status st(code, absl::StrCat(field, ": ", reason));
  st.SetPayload(absl::string_view(kFieldPayloadKey.data(), kFieldPayloadKey.size()),
                absl::Cord(field));
  return st;
}

}  // namespace

absl::Status PermissionDeniedField(const std::string& field, const std::string& reason) {
  return WithField(absl::StatusCode::kPermissionDenied, field, reason);
}

absl::Status NotFoundField(const std::string& field, const std::string& reason) {
  return WithField(absl::StatusCode::kNotFound, field, reason);
}

absl::Status AlreadyExistsField(const std::string& field, const std::string& reason) {
  return WithField(absl::StatusCode::kAlreadyExists, field, reason);
}

absl::Status CheckExpectedVersion(int64_t expected, int64_t actual) {
  if (expected != 0 && expected != actual) {
    return FailedPrecondition("expected_version",
                              absl::StrCat("is ", expected, " but the current version is ", actual,
                                           "; reload and retry"));
  }
  return absl::OkStatus();
}

absl::Status CheckValidity(const std::string& prefix, absl::CivilDay from,
                           const std::optional<absl::CivilDay>& to) {
  if (to && *to < from) {
    return InvalidField(
        absl::StrCat(prefix, ".valid_to"),
        absl::StrCat("before valid_from (", DateText(*to), " < ", DateText(from), ")"));
  }
  return absl::OkStatus();
}

bool Overlaps(absl::CivilDay a_from, const std::optional<absl::CivilDay>& a_to,
              absl::CivilDay b_from, const std::optional<absl::CivilDay>& b_to) {
  bool a_starts_before_b_ends = !b_to || a_from <= *b_to;
  bool b_starts_before_a_ends = !a_to || b_from <= *a_to;
  return a_starts_before_b_ends && b_starts_before_a_ends;
}

bool Covers(absl::CivilDay from, const std::optional<absl::CivilDay>& to, absl::CivilDay day) {
  return from <= day && (!to || day <= *to);
}

std::string ValidityText(absl::CivilDay from, const std::optional<absl::CivilDay>& to) {
  return absl::StrCat("[", DateText(from), " .. ", to ? DateText(*to) : "open end", "]");
}

bool Blank(const std::string& text) {
  for (unsigned char c : text) {
    if (!std::isspace(c)) return false;
  }
  return true;
}

int64_t CodePoints(const std::string& text) {
  int64_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

absl::Status CheckText(const std::string& field, const std::string& text, bool required,
                       int64_t max_chars) {
  if (required && Blank(text)) return InvalidField(field, "required");
  if (CodePoints(text) > max_chars) {
    return InvalidField(field, absl::StrCat("longer than ", max_chars, " characters"));
  }
  return absl::OkStatus();
}

}  // namespace gridbill::contracts

namespace gridbill::contracts {
absl::Status DenyScoped(const Caller& who, const std::string& what) {
  if (who.scoped()) {
    return absl::PermissionDeniedError(absl::StrCat("a participant-scoped caller may not ", what));
  }
  return absl::OkStatus();
}

bool MayDecide(const Caller& who) {
  const bool staff = who.roles.empty() || who.Has(Role::kOperator) ||
                     who.Has(Role::kMeteringEngineer) || who.Has(Role::kAdmin);
  return staff && !who.scoped();
}

ChangeEntry HistoryEntry(const Caller& who, int64_t version, absl::Time at, std::string action,
                         std::string reason, std::vector<FieldChange> changes) {
  return ChangeEntry{.version = version,
                     .actor = who.Actor(),
                     .change_time = at,
                     .action = std::move(action),
                     .reason = std::move(reason),
                     .changes = std::move(changes),
                     .request_id = who.request_id};
}
}  // namespace gridbill::contracts
