#include "gridbill/server/caller.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace gridbill {
namespace {

std::string Value(const grpc::ServerContext& ctx, const char* key) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

Caller CallerFrom(const grpc::ServerContext& ctx) {
  Caller caller;
  caller.principal = Value(ctx, kPrincipalHeader);
  caller.participant_id = Value(ctx, kParticipantHeader);
  const std::string roles = Value(ctx, kRolesHeader);
  for (absl::string_view name : absl::StrSplit(roles, ',', absl::SkipWhitespace())) {
    common::v1::Role role;
    // Names this build does not know (a newer gateway) grant nothing.
    if (!common::v1::Role_Parse(std::string(absl::StripAsciiWhitespace(name)), &role) ||
        role == common::v1::ROLE_UNSPECIFIED) {
      continue;
    }
    if (std::find(caller.roles.begin(), caller.roles.end(), role) == caller.roles.end()) {
      caller.roles.push_back(role);
    }
  }
  return caller;
}

}  // namespace gridbill
