#include "principal.h"

#include <algorithm>

namespace gridbill::gateway {

bool Principal::Has(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool IsParticipantRole(Role role) {
  return role == common::v1::ROLE_PARTICIPANT_USER || role == common::v1::ROLE_PARTICIPANT_ADMIN;
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
