// One access layer for every service and the gateway: who may call a method
// is declared once, in its `(gridbill.common.v1.access)` option
// (proto/gridbill/common/v1/common.proto), and read here from the method's
// descriptor. Nothing names a method by a string.
//
// How a handler knows its method: by its request type. Every RPC has its own
// <Method>Request message (STYLE.md), so the request's descriptor leads to
// the one method of its file's services that takes it (looked up once per
// type, then cached). A request type taken by no method or by two is a
// defect: Authorize answers INTERNAL naming it, and the access matrix test
// (tests/access) fails for it. The alternatives were weaker: gRPC 1.51's
// ServerContext does not expose the method, and recording it from the
// server interceptor would tie handlers to a process-wide map keyed by
// context pointers and leave handlers called without the interceptor (pure
// tests) without a method.
//
// What a handler does, first thing:
//   ASSIGN_OR_RETURN_GRPC(Caller caller, Authorize(*ctx, *req));
// (client streams: Authorize(*ctx, reader)). Authorize reads the caller from
// metadata and applies the method's policy:
//  - a public method (no roles declared: the gateway's sign-in) admits all;
//  - a caller without roles and without a participant did not come through
//    the gateway (a trusted tool or another service, on a server without
//    identity_secret; with one, the identity guard refuses unsigned calls
//    before any handler) and is admitted;
//  - otherwise the caller must hold one of the declared roles (a participant
//    -scoped caller without roles counts as a participant's user), else
//    PERMISSION_DENIED "<principal> (roles ...) may not call /pkg.Svc/M;
//    allowed roles: ...";
//  - a participant-scoped caller whose request names another participant in
//    the declared participant_field is PERMISSION_DENIED naming the field
//    (the field is attached as the status payload, so ErrorDetails carries
//    it). An empty field passes: the domain then limits the call to the
//    caller's own rows (data filtering stays in the domain and reads
//    Caller::participant_id). The gateway adds the stricter rule that a
//    scoped caller must name itself (services/gateway/policy.h).
// The Caller it returns is what the handler passes on to the domain.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gridbill/base/caller.h"
#include "gridbill/common/v1/common.pb.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/sync_stream.h"

namespace gridbill {

// A method's declared access in plain types.
struct MethodAccess {
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string full_name;    // "/gridbill.contracts.v1.ContractService/GetContract"
  std::vector<Role> roles;  // empty: public
  // Dotted path of the request's string field holding the participant id, or "".
  std::string participant_field;
  bool mutating = false;

  bool is_public() const { return roles.empty(); }
};

// The role with proto number `value`; nullopt for ROLE_UNSPECIFIED and
// numbers this build does not know.
std::optional<Role> RoleFromProto(int value);
common::v1::Role RoleToProto(Role role);

// "/pkg.Service/Method", the name gRPC routes by.
std::string FullMethodName(const google::protobuf::MethodDescriptor& method);

// The method's declared access. FAILED_PRECONDITION naming the method when
// it has no access option, names ROLE_UNSPECIFIED or an unknown role, or its
// participant_field is not a singular string field of the request (reached
// through singular message fields).
absl::StatusOr<MethodAccess> AccessOf(const google::protobuf::MethodDescriptor& method);

// The method that takes `request` as its request message (see above);
// INTERNAL when none or several do.
absl::StatusOr<const google::protobuf::MethodDescriptor*> MethodOfRequest(
    const google::protobuf::Descriptor& request);

// AccessOf(MethodOfRequest(request)), cached per request type.
absl::StatusOr<const MethodAccess*> AccessOfRequest(const google::protobuf::Descriptor& request);

// The method's name in idempotency records: "Service/Method" (without the
// package), e.g. "ContractService/CreateContract". Stored keys depend on
// this spelling: change it only with a migration in every service.
std::string IdempotencyMethodName(const google::protobuf::MethodDescriptor& method);

// The value of the access's participant field in `request` ("" when the
// policy names none or it is unset).
std::string ParticipantIn(const MethodAccess& access, const google::protobuf::Message& request);

// The decision for `caller` (see above). `request` null: the roles only (a
// client stream, or a check before the message is read).
absl::Status Decide(const MethodAccess& access, const Caller& caller,
                    const google::protobuf::Message* request);

// The caller of this call, admitted by its method's policy. With a non-empty
// `identity_secret` the identity must also carry the gateway's signature for
// this method (VerifiedCallerFrom), for servers whose transport does not
// check it already (the gateway's own services).
absl::StatusOr<Caller> Authorize(const grpc::ServerContext& ctx,
                                 const google::protobuf::Message& request,
                                 std::string_view identity_secret = "");

namespace internal {
absl::StatusOr<Caller> AuthorizeStream(const grpc::ServerContext& ctx,
                                       const google::protobuf::Descriptor& request);
}  // namespace internal

// Authorize for a client-streaming method: the roles only (a participant
// field cannot be checked once for a stream of messages; the access matrix
// test refuses one on a client stream).
template <typename Request>
absl::StatusOr<Caller> Authorize(const grpc::ServerContext& ctx,
                                 grpc::ServerReader<Request>* /*reader*/) {
  return internal::AuthorizeStream(ctx, *Request::descriptor());
}

}  // namespace gridbill
