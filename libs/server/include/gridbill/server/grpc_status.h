// absl::Status <-> grpc::Status at the edge, once.
#pragma once

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/common/v1/common.pb.h"
#include "grpcpp/grpcpp.h"

namespace gridbill {

// Same code and message; a field named by the status (gridbill/base/errors.h,
// as a FieldViolation with the reason) and a constraint (payload
// "gridbill.constraint", as ErrorDetails.reason) go into a
// gridbill.common.v1.ErrorDetails. That travels as gRPC's rich error model
// expects: the status's error_details (the binary trailer
// grpc-status-details-bin) is a serialized google.rpc.Status with the same
// code and message and the ErrorDetails packed as a google.protobuf.Any
// (type URL kErrorDetailsTypeUrl) in its details. FromGrpc restores both
// payloads.
grpc::Status ToGrpc(const absl::Status& status);
absl::Status FromGrpc(const grpc::Status& status);

inline constexpr char kErrorDetailsTypeUrl[] =
    "type.googleapis.com/gridbill.common.v1.ErrorDetails";

// The ErrorDetails a status carries, for clients and tests: read from the
// google.rpc.Status that ToGrpc sends or, from services that predate it, a
// bare serialized ErrorDetails. nullopt when the status has none.
std::optional<common::v1::ErrorDetails> ErrorDetailsOf(const grpc::Status& status);

}  // namespace gridbill

// In a gRPC method: return the converted status when `expr` fails.
#define RETURN_IF_ERROR_GRPC(expr)                                   \
  do {                                                               \
    ::absl::Status gridbill_gs_ = (expr);                            \
    if (!gridbill_gs_.ok()) return ::gridbill::ToGrpc(gridbill_gs_); \
  } while (0)

#define GRIDBILL_ASSIGN_OR_RETURN_GRPC_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                         \
  if (!tmp.ok()) return ::gridbill::ToGrpc(tmp.status());    \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN_GRPC(lhs, expr) \
  GRIDBILL_ASSIGN_OR_RETURN_GRPC_IMPL_(GRIDBILL_CONCAT_(gridbill_gso_, __LINE__), lhs, expr)
