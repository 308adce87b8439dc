#include "principal.h"

#include <algorithm>

#include "gridbill/base/caller.h"

namespace gridbill::gateway {

bool Principal::Has(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool IsParticipantRole(Role role) {
  return role == common::v1::ROLE_PARTICIPANT_USER || role == common::v1::ROLE_PARTICIPANT_ADMIN;
}

gridbill::Caller ToCaller(const Principal& who) {
  gridbill::Caller caller;
  caller.principal = who.name;
  caller.participant_id = who.participant_id;
  for (Role role : who.roles) {
    if (std::optional<gridbill::Role> r = RoleFromNumber(role); r.has_value()) {
      caller.roles.push_back(*r);
    }
  }
  return caller;
}

Principal FromCaller(const gridbill::Caller& caller) {
  Principal p;
  p.name = caller.principal;
  p.participant_id = caller.participant_id;
  for (gridbill::Role role : caller.roles) p.roles.push_back(static_cast<Role>(role));
  return p;
}

std::string RolesText(const std::vector<Role>& roles) {
  std::string out;
  for (Role role : roles) {
    if (!out.empty()) out.push_back(',');
    out += common::v1::Role_Name(role);
  }
  return out;
}

}  // namespace gridbill::gateway
