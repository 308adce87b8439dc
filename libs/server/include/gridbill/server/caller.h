// The verified identity of a call, passed by the gateway in metadata.
#pragma once

#include <string>
#include <vector>

#include "gridbill/common/v1/common.pb.h"
#include "grpcpp/server_context.h"

namespace gridbill {

// Metadata keys the gateway sets (services accept them only from the gateway;
// see issue on the gateway for how that trust is established).
inline constexpr char kPrincipalHeader[] = "x-gridbill-principal";
inline constexpr char kRolesHeader[] = "x-gridbill-roles";  // comma-separated ROLE_* names
inline constexpr char kParticipantHeader[] = "x-gridbill-participant";  // participant id scope
inline constexpr char kRequestIdHeader[] = "x-request-id";

struct Caller {
  std::string principal;  // "" when the call carries none
  std::vector<common::v1::Role> roles;
  std::string participant_id;  // non-empty: scoped to one participant

  bool scoped() const { return !participant_id.empty(); }
  // True when scoped and `participant_id` is someone else's.
  bool DeniedFor(const std::string& participant) const {
    return scoped() && participant != participant_id;
  }
  // The actor recorded in histories: principal, or "system" when none.
  std::string Actor() const { return principal.empty() ? "system" : principal; }
};

// Reads the caller from the server context's client metadata.
Caller CallerFrom(const grpc::ServerContext& ctx);

}  // namespace gridbill
