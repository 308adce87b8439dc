// Services accept the caller's identity only from the gateway: a check that
// runs before any handler, on every call of a server configured with an
// identity secret (ServerConfig::identity_secret).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "gridbill/server/tls.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/support/string_ref.h"

namespace gridbill {

// The decision for one call of `method` ("/pkg.Service/Method") carrying
// `metadata`. With an empty `secret` every call passes (local tools and
// tests). Otherwise:
//  - grpc.health.v1 and grpc.reflection calls pass (probes carry no identity);
//  - methods whose (gridbill.common.v1.access) policy names no roles are
//    public (the gateway's sign-in) and pass;
//  - every other call needs exactly one principal, roles and participant
//    header and a valid x-gridbill-identity-sig over them and the method
//    (SignIdentity), else UNAUTHENTICATED;
//  - then the method's declared roles, by the rule of access.h Decide: a
//    caller holding none of them (or no role at all), or a method that
//    declares no policy, is PERMISSION_DENIED (a second line of defence
//    behind the gateway; the participant field is checked by the handler's
//    Authorize, which has the request).
absl::Status CheckCallIdentity(std::string_view secret, std::string_view method,
                               const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

// Server credentials that run CheckCallIdentity on every call before the
// handler: a refused call ends with the check's status and the handler
// never runs. Each refusal is logged (warn) with the method and why.
// Plaintext without `tls`; with it, mutual TLS as in tls.h.
std::shared_ptr<grpc::ServerCredentials> GatewayIdentityCredentials(
    std::string secret, std::optional<MutualTlsPem> tls = std::nullopt);

}  // namespace gridbill
