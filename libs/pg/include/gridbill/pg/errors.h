// SQLSTATE -> absl::Status mapping.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace gridbill::pg {

// 23505 unique -> ALREADY_EXISTS; 23503 foreign key -> FAILED_PRECONDITION;
// 23514 check, 23502 not null, 22xxx data -> INVALID_ARGUMENT;
// 23P01 exclusion -> FAILED_PRECONDITION; 40001, 40P01 -> ABORTED;
// 08xxx, 57P01..03, 53300 (too many connections) -> UNAVAILABLE;
// 57014 (timeout) -> DEADLINE_EXCEEDED; anything else -> INTERNAL. The
// message keeps the server's text and, for constraint violations, the
// constraint name (payload "gridbill.constraint").
absl::Status StatusFromSqlState(std::string_view sqlstate, std::string_view message,
                                std::string_view constraint = "");

// The constraint a status came from, or "".
std::string ConstraintOf(const absl::Status& status);

}  // namespace gridbill::pg
