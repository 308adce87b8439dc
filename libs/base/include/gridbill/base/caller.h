// Who makes a call, as handlers and domain code see it: plain types, no gRPC
// and no protobuf, so that a domain target needs neither. The gRPC edge
// builds it once per call (gridbill/server/access.h Authorize) from the
// identity the gateway passes in metadata.
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gridbill {

// The roles of gridbill.common.v1.Role, with the same numbers (the
// conversion in libs/server checks names and numbers against the proto).
enum class Role {
  kParticipantUser = 1,
  kParticipantAdmin = 2,
  kOperator = 3,
  kAccountant = 4,
  kMeteringEngineer = 5,
  kAuditor = 6,
  kAdmin = 7,
  kIntegrationClient = 8,
};

inline constexpr std::array<Role, 8> kAllRoles = {
    Role::kParticipantUser,  Role::kParticipantAdmin, Role::kOperator, Role::kAccountant,
    Role::kMeteringEngineer, Role::kAuditor,          Role::kAdmin,    Role::kIntegrationClient};

// The role whose number (the same as gridbill.common.v1.Role's) is `value`;
// nullopt for 0 and unknown numbers.
inline std::optional<Role> RoleFromNumber(int value) {
  for (Role role : kAllRoles) {
    if (static_cast<int>(role) == value) return role;
  }
  return std::nullopt;
}

// "ROLE_OPERATOR", ...: the proto names, which the gateway sends in
// x-gridbill-roles and stores.
inline std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kParticipantUser:
      return "ROLE_PARTICIPANT_USER";
    case Role::kParticipantAdmin:
      return "ROLE_PARTICIPANT_ADMIN";
    case Role::kOperator:
      return "ROLE_OPERATOR";
    case Role::kAccountant:
      return "ROLE_ACCOUNTANT";
    case Role::kMeteringEngineer:
      return "ROLE_METERING_ENGINEER";
    case Role::kAuditor:
      return "ROLE_AUDITOR";
    case Role::kAdmin:
      return "ROLE_ADMIN";
    case Role::kIntegrationClient:
      return "ROLE_INTEGRATION_CLIENT";
  }
  return "ROLE_UNSPECIFIED";
}

// The role named `name`; nullopt for ROLE_UNSPECIFIED and unknown names (a
// newer gateway's role grants nothing here).
inline std::optional<Role> ParseRole(std::string_view name) {
  for (Role role : kAllRoles) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

// The roles that only make sense scoped to one participant.
inline bool IsParticipantRole(Role role) {
  return role == Role::kParticipantUser || role == Role::kParticipantAdmin;
}

// "ROLE_A,ROLE_B": the x-gridbill-roles form.
inline std::string RolesText(const std::vector<Role>& roles) {
  std::string out;
  for (Role role : roles) {
    if (!out.empty()) out.push_back(',');
    out += RoleName(role);
  }
  return out;
}

struct Caller {
  std::string principal;  // "" when the call carries none
  // Empty: the call did not come through the gateway (a trusted tool or
  // another service, on a server without identity_secret).
  std::vector<Role> roles;
  std::string participant_id;  // non-empty: scoped to one participant
  // The request id of the mutation this call makes ("" for reads), recorded
  // in histories beside the actor (set by Mutate, gridbill/server/
  // idempotent_call.h).
  std::string request_id;

  bool scoped() const { return !participant_id.empty(); }
  bool Has(Role role) const { return std::find(roles.begin(), roles.end(), role) != roles.end(); }
  // True when scoped and `participant` is someone else's.
  bool DeniedFor(const std::string& participant) const {
    return scoped() && participant != participant_id;
  }
  // The actor recorded in histories: principal, or "system" when none.
  std::string Actor() const { return principal.empty() ? "system" : principal; }
};

}  // namespace gridbill
