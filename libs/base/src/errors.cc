#include "gridbill/base/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"
#include "gridbill/base/absl_compat.h"

namespace gridbill {
namespace {

absl::Status WithField(absl::StatusCode code, std::string_view field, std::string_view reason) {
  if (field.empty()) return absl::Status(code, ToAbsl(reason));
  absl::Status status(code, absl::StrCat(ToAbsl(field), ": ", ToAbsl(reason)));
  status.SetPayload(ToAbsl(kFieldPayloadKey), absl::Cord(ToAbsl(field)));
  return status;
}

}  // namespace

absl::Status InvalidField(std::string_view field, std::string_view reason) {
  return WithField(absl::StatusCode::kInvalidArgument, field, reason);
}

absl::Status FailedPrecondition(std::string_view field, std::string_view reason) {
  return WithField(absl::StatusCode::kFailedPrecondition, field, reason);
}

absl::Status NotFound(std::string_view what, std::string_view id) {
  return absl::NotFoundError(absl::StrCat(ToAbsl(what), " ", ToAbsl(id), " not found"));
}

std::string FieldOf(const absl::Status& status) {
  absl::optional<absl::Cord> field = status.GetPayload(ToAbsl(kFieldPayloadKey));
  if (!field.has_value()) return "";
  return std::string(*field);
}

std::string QuoteInput(std::string_view text, size_t max_bytes) {
  bool cut = false;
  if (text.size() > max_bytes) {
    size_t n = max_bytes;
    // Do not split a UTF-8 sequence: back up over continuation bytes.
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    text = text.substr(0, n);
    cut = true;
  }
  return absl::StrCat("\"", absl::Utf8SafeCHexEscape(ToAbsl(text)), cut ? "...\"" : "\"");
}

}  // namespace gridbill
