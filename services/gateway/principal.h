// Who is calling through the gateway, once authenticated.
#pragma once

#include <string>
#include <vector>

#include "gridbill/base/caller.h"
#include "gridbill/common/v1/common.pb.h"

namespace gridbill::gateway {

using Role = common::v1::Role;

// An authenticated caller: a signed-in user or an API key.
struct Principal {
  // "user:<username>" or "key:<key id>": what services record as the actor.
  std::string name;
  std::vector<Role> roles;
  // Non-empty: the caller sees only this participant's data.
  std::string participant_id;
  // The session of a user's access token ("" for API keys).
  std::string session_id;

  bool scoped() const { return !participant_id.empty(); }
  bool Has(Role role) const;
};

// True for the roles that only make sense scoped to one participant.
bool IsParticipantRole(Role role);

// The principal as the access layer (gridbill/server/access.h) and the
// services see a caller, and back.
gridbill::Caller ToCaller(const Principal& who);
Principal FromCaller(const gridbill::Caller& caller);

// "ROLE_A,ROLE_B": the kRolesHeader value services parse.
std::string RolesText(const std::vector<Role>& roles);

}  // namespace gridbill::gateway
