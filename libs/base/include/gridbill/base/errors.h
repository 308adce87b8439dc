// Errors that name the offending field, the shape every service returns.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace gridbill {

// INVALID_ARGUMENT "field: reason"; the field is also attached as a payload
// (kFieldPayloadKey) so that the gRPC edge can put it into ErrorDetails.
absl::Status InvalidField(std::string_view field, std::string_view reason);

// FAILED_PRECONDITION "field: reason" for a state conflict, same payload.
absl::Status FailedPrecondition(std::string_view field, std::string_view reason);

// NOT_FOUND "<what> <id> not found".
absl::Status NotFound(std::string_view what, std::string_view id);

// The payload key holding the field name of a field error.
inline constexpr std::string_view kFieldPayloadKey = "gridbill.field";

// The field a status names, or "" when it names none.
std::string FieldOf(const absl::Status& status);

// `text` in double quotes for an error message: control characters, quotes
// and backslashes escaped (UTF-8 kept), cut to `max_bytes` with "..." so that
// a hostile input cannot blow up a log line.
std::string QuoteInput(std::string_view text, size_t max_bytes = 64);

}  // namespace gridbill
