#include "gridbill/pg/errors.h"

#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "string_view.h"

namespace gridbill::pg {
namespace {

constexpr std::string_view kConstraintPayloadKey = "gridbill.constraint";

absl::StatusCode CodeOf(std::string_view state) {
  if (state == "23505") return absl::StatusCode::kAlreadyExists;
  if (state == "23503" || state == "23P01") return absl::StatusCode::kFailedPrecondition;
  if (state == "23514" || state == "23502") return absl::StatusCode::kInvalidArgument;
  if (absl::StartsWith(Av(state), "22")) return absl::StatusCode::kInvalidArgument;
  if (state == "40001" || state == "40P01") return absl::StatusCode::kAborted;
  if (absl::StartsWith(Av(state), "08")) return absl::StatusCode::kUnavailable;
  if (state == "57P01" || state == "57P02" || state == "57P03" || state == "53300") {
    return absl::StatusCode::kUnavailable;
  }
  if (state == "57014") return absl::StatusCode::kDeadlineExceeded;
  return absl::StatusCode::kInternal;
}

}  // namespace

absl::Status StatusFromSqlState(std::string_view sqlstate, std::string_view message,
                                std::string_view constraint) {
  std::string text(message);
  if (!constraint.empty() && !absl::StrContains(Av(message), Av(constraint))) {
    absl::StrAppend(&text, " [constraint ", Av(constraint), "]");
  }
  if (!sqlstate.empty()) absl::StrAppend(&text, " (SQLSTATE ", Av(sqlstate), ")");
  absl::Status status(CodeOf(sqlstate), text);
  if (!constraint.empty()) {
    status.SetPayload(Av(kConstraintPayloadKey), absl::Cord(Av(constraint)));
  }
  return status;
}

std::string ConstraintOf(const absl::Status& status) {
  auto payload = status.GetPayload(Av(kConstraintPayloadKey));
  return payload ? std::string(*payload) : std::string();
}

}  // namespace gridbill::pg
