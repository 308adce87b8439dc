// The gRPC edge of an idempotent mutation: the request's fingerprint, the
// run under the idempotency store, and the stored response's replay.
#pragma once

#include <string>
#include <type_traits>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/server/access.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/grpc_status.h"
#include "grpcpp/grpcpp.h"

namespace gridbill {

// The idempotency fingerprint of a request made by `caller`: the request's
// content and the caller's identity, so that one caller's request id never
// replays another caller's response.
std::string CallerFingerprint(const google::protobuf::Message& request, const Caller& caller);

// Runs a mutation under the idempotency guard: the domain call and the
// stored response commit together; a retry gets the stored response back.
// `fn` fills a fresh response; an error from it is returned (converted to
// grpc::Status) and not stored. `Request` has a `request_id()`. Records are
// kept per method, named by IdempotencyMethodName of the method that takes
// `Request` (access.h).
template <typename Request, typename Response>
grpc::Status IdempotentCall(Idempotency& idempotency, const Caller& caller, const Request& req,
                            Response* resp,
                            absl::FunctionRef<absl::Status(std::type_identity_t<Response>&)> fn) {
  absl::StatusOr<const google::protobuf::MethodDescriptor*> method =
      MethodOfRequest(*Request::descriptor());
  if (!method.ok()) return ToGrpc(method.status());
  absl::StatusOr<std::string> bytes =
      idempotency.Run(IdempotencyMethodName(**method), req.request_id(),
                      CallerFingerprint(req, caller), [&]() -> absl::StatusOr<std::string> {
                        Response fresh;
                        RETURN_IF_ERROR(fn(fresh));
                        std::string out;
                        if (!fresh.SerializeToString(&out)) {
                          return absl::InternalError("cannot serialize the response");
                        }
                        return out;
                      });
  if (!bytes.ok()) return ToGrpc(bytes.status());
  if (!resp->ParseFromString(*bytes)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "the stored response cannot be read");
  }
  return grpc::Status::OK;
}

// A mutating handler's whole frame: the caller admitted by the method's
// access policy (Authorize, access.h), with the request's request_id, runs
// `fn` under IdempotentCall.
//   return Mutate(idempotency_, *ctx, *req, resp, [&](const Caller& who, auto& out) {...});
template <typename Request, typename Response>
grpc::Status Mutate(
    Idempotency& idempotency, const grpc::ServerContext& ctx, const Request& req, Response* resp,
    absl::FunctionRef<absl::Status(const Caller&, std::type_identity_t<Response>&)> fn) {
  absl::StatusOr<Caller> caller = Authorize(ctx, req);
  if (!caller.ok()) return ToGrpc(caller.status());
  caller->request_id = req.request_id();
  return IdempotentCall(idempotency, *caller, req, resp,
                        [&](Response& out) { return fn(*caller, out); });
}

}  // namespace gridbill
