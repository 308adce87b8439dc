#include "gridbill/server/client_call.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/server/access.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/grpc_status.h"

namespace gridbill {
namespace {

// "contracts GetContract" for a request of gridbill.contracts.v1; the
// request's full name when no single method takes it.
std::string CallName(const google::protobuf::Descriptor& request) {
  const std::vector<std::string> package = absl::StrSplit(request.file()->package(), '.');
  const std::string service =
      package.size() >= 2 && package[0] == "gridbill" ? package[1] : request.file()->package();
  absl::StatusOr<const google::protobuf::MethodDescriptor*> method = MethodOfRequest(request);
  if (!method.ok()) return request.full_name();
  return absl::StrCat(service, " ", (*method)->name());
}

}  // namespace

CallIdentity CallIdentity::Service(std::string_view name, Role role) {
  CallIdentity identity;
  identity.metadata.emplace_back(kPrincipalHeader, absl::StrCat("service:", ToAbsl(name)));
  identity.metadata.emplace_back(kRolesHeader, std::string(RoleName(role)));
  return identity;
}

CallIdentity CallIdentity::ApiKey(std::string key) {
  CallIdentity identity;
  // The gateway's header for an API key (services/gateway/proxy.h).
  identity.metadata.emplace_back("x-api-key", std::move(key));
  return identity;
}

absl::Status PeerError(const google::protobuf::Descriptor& request, const grpc::Status& status) {
  const absl::Status s = FromGrpc(status);
  switch (s.code()) {
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kAlreadyExists:
      return absl::Status(s.code(), absl::StrCat(CallName(request), ": ", s.message()));
    default:
      return absl::UnavailableError(absl::StrCat(CallName(request), " unavailable: ", s.message()));
  }
}

PeerCaller::PeerCaller(CallIdentity identity, absl::Duration timeout)
    : identity_(std::move(identity)), timeout_(timeout) {}

void PeerCaller::Prepare(grpc::ClientContext& ctx) const {
  for (const auto& [key, value] : identity_.metadata) ctx.AddMetadata(key, value);
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout_)));
}

}  // namespace gridbill
