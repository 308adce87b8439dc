// The verified identity of a call, passed by the gateway in metadata. The
// Caller type itself is gRPC-free (gridbill/base/caller.h); handlers get it
// from Authorize (gridbill/server/access.h), which also applies the method's
// declared access.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "gridbill/base/caller.h"
#include "gridbill/common/v1/common.pb.h"
#include "grpcpp/server_context.h"

namespace gridbill {

// Metadata keys the gateway sets (services accept them only from the gateway;
// see issue on the gateway for how that trust is established).
inline constexpr char kPrincipalHeader[] = "x-gridbill-principal";
inline constexpr char kRolesHeader[] = "x-gridbill-roles";  // comma-separated ROLE_* names
inline constexpr char kParticipantHeader[] = "x-gridbill-participant";  // participant id scope
inline constexpr char kRequestIdHeader[] = "x-request-id";
// HMAC-SHA256 (lowercase hex) by the gateway over the identity and the method;
// see SignIdentity.
inline constexpr char kIdentitySigHeader[] = "x-gridbill-identity-sig";

// Reads the caller from the server context's client metadata. Trusts the
// metadata as sent: for services not configured with an identity secret.
Caller CallerFrom(const grpc::ServerContext& ctx);

// The signature the gateway puts into kIdentitySigHeader: lowercase hex of
// HMAC-SHA256(secret, principal "|" roles "|" participant "|" method), where
// `roles` is the kRolesHeader value exactly as sent and `method` the full
// gRPC method name ("/gridbill.contracts.v1.ContractService/GetContract").
// Binding the method keeps a captured header set from being replayed to
// another method.
std::string SignIdentity(std::string_view secret, std::string_view principal,
                         std::string_view roles, std::string_view participant,
                         std::string_view method);

// True when `signature` is SignIdentity(...) of the same values (compared in
// constant time).
bool IdentitySignatureValid(std::string_view secret, std::string_view principal,
                            std::string_view roles, std::string_view participant,
                            std::string_view method, std::string_view signature);

// The caller, accepted only when the gateway signed it. With an empty
// `secret` this is CallerFrom(ctx) (today's behaviour for services not
// configured with one). Otherwise a call without a principal, without a
// signature or with a wrong one is UNAUTHENTICATED: such a call did not come
// through the gateway, and an unsigned empty identity must not read as the
// unscoped "system" caller. `method` is the full method name being served.
absl::StatusOr<Caller> VerifiedCallerFrom(const grpc::ServerContext& ctx, std::string_view secret,
                                          std::string_view method);

}  // namespace gridbill
