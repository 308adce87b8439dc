// RETURN_IF_ERROR / ASSIGN_OR_RETURN: the Debian Abseil predates its own.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define GRIDBILL_CONCAT_INNER_(a, b) a##b
#define GRIDBILL_CONCAT_(a, b) GRIDBILL_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::absl::Status gridbill_status_ = (expr);            \
    if (!gridbill_status_.ok()) return gridbill_status_; \
  } while (0)

#define GRIDBILL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return std::move(tmp).status();        \
  lhs = std::move(tmp).value()

// Evaluates `expr` (an absl::StatusOr<T>); on error returns its status,
// otherwise assigns the value to `lhs` (which may be a declaration).
#define ASSIGN_OR_RETURN(lhs, expr) \
  GRIDBILL_ASSIGN_OR_RETURN_IMPL_(GRIDBILL_CONCAT_(gridbill_statusor_, __LINE__), lhs, expr)
