// absl::Status <-> grpc::Status at the edge, once.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"

namespace gridbill {

// Same code and message; a field named by the status (gridbill/base/errors.h)
// and a constraint go into a gridbill.common.v1.ErrorDetails in the binary
// trailer "gridbill-error-details-bin" (set as error_details, which gRPC
// sends as grpc-status-details-bin).
grpc::Status ToGrpc(const absl::Status& status);
absl::Status FromGrpc(const grpc::Status& status);

}  // namespace gridbill

// In a gRPC method: return the converted status when `expr` fails.
#define RETURN_IF_ERROR_GRPC(expr)                              \
  do {                                                          \
    ::absl::Status gridbill_gs_ = (expr);                       \
    if (!gridbill_gs_.ok()) return ::gridbill::ToGrpc(gridbill_gs_); \
  } while (0)

#define GRIDBILL_ASSIGN_OR_RETURN_GRPC_IMPL_(tmp, lhs, expr)     \
  auto tmp = (expr);                                            \
  if (!tmp.ok()) return ::gridbill::ToGrpc(tmp.status());       \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN_GRPC(lhs, expr) \
  GRIDBILL_ASSIGN_OR_RETURN_GRPC_IMPL_(GRIDBILL_CONCAT_(gridbill_gso_, __LINE__), lhs, expr)
