#include "gridbill/server/identity_guard.h"

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/common/v1/common.pb.h"
#include "gridbill/server/access.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/server.h"

namespace gridbill {
namespace {

using Metadata = std::multimap<grpc::string_ref, grpc::string_ref>;

// Services that answer without an identity: probes and tooling.
constexpr std::string_view kOpenPrefixes[] = {"/grpc.health.v1.Health/", "/grpc.reflection."};

// Log lines quote client-chosen text; keep them bounded.
std::string Bounded(std::string_view text) { return std::string(text.substr(0, 200)); }

// The single value of `key`; several values are an error (which one would
// the handler read?).
absl::StatusOr<std::string> Single(const Metadata& md, const char* key) {
  auto [begin, end] = md.equal_range(grpc::string_ref(key));
  if (begin == end) return std::string();
  std::string value(begin->second.data(), begin->second.size());
  if (std::next(begin) != end) {
    return absl::UnauthenticatedError(absl::StrCat("the call carries ", key, " more than once"));
  }
  return value;
}

const google::protobuf::MethodDescriptor* FindMethod(std::string_view method) {
  // "/pkg.Service/Method" -> "pkg.Service.Method".
  if (method.size() < 2 || method[0] != '/') return nullptr;
  std::string name(method.substr(1));
  const size_t slash = name.rfind('/');
  if (slash == std::string::npos) return nullptr;
  name[slash] = '.';
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name);
}

// The metadata of a core call as the C++ multimap.
Metadata ToMultimap(const grpc_metadata* md, size_t n) {
  Metadata out;
  for (size_t i = 0; i < n; ++i) {
    out.emplace(grpc::string_ref(reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(md[i].key)),
                                 GRPC_SLICE_LENGTH(md[i].key)),
                grpc::string_ref(reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(md[i].value)),
                                 GRPC_SLICE_LENGTH(md[i].value)));
  }
  return out;
}

struct ProcessorState {
  std::string secret;
};

void Process(void* state, grpc_auth_context* /*context*/, const grpc_metadata* md, size_t num_md,
             grpc_process_auth_metadata_done_cb cb, void* user_data) {
  const auto* s = static_cast<const ProcessorState*>(state);
  const Metadata metadata = ToMultimap(md, num_md);
  std::string method;
  if (auto it = metadata.find(grpc::string_ref(":path")); it != metadata.end()) {
    method.assign(it->second.data(), it->second.size());
  }
  const absl::Status status = CheckCallIdentity(s->secret, method, metadata);
  if (status.ok()) {
    cb(user_data, nullptr, 0, nullptr, 0, GRPC_STATUS_OK, nullptr);
    return;
  }
  const std::string message(status.message());
  LogJson("warn", "call refused: identity",
          {{"method", Bounded(method)},
           {"code", absl::StatusCodeToString(status.code())},
           {"reason", message}});
  cb(user_data, nullptr, 0, nullptr, 0, static_cast<grpc_status_code>(status.code()),
     message.c_str());
}

void Destroy(void* state) { delete static_cast<ProcessorState*>(state); }

// Plaintext transport (as InsecureServerCredentials) with the processor
// installed on the core credentials: the server's auth filter runs it on
// every call's initial metadata, before the call reaches the application.
class GatewayIdentityServerCredentials final : public grpc::ServerCredentials {
 public:
  GatewayIdentityServerCredentials(std::string secret, std::optional<MutualTlsPem> tls)
      : secret_(std::move(secret)), tls_(std::move(tls)) {}

  void SetAuthMetadataProcessor(const std::shared_ptr<grpc::AuthMetadataProcessor>&) override {
    // The identity check is this object's processor; another one would
    // silently replace it.
  }

 private:
  int AddPortToServer(const std::string& addr, grpc_server* server) override {
    grpc_server_credentials* creds = nullptr;
    if (tls_) {
      grpc_ssl_pem_key_cert_pair pair{tls_->private_key.c_str(), tls_->cert_chain.c_str()};
      creds = grpc_ssl_server_credentials_create_ex(
          tls_->ca.c_str(), &pair, 1, GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY,
          nullptr);
    } else {
      creds = grpc_insecure_server_credentials_create();
    }
    grpc_auth_metadata_processor processor{Process, Destroy, new ProcessorState{secret_}};
    grpc_server_credentials_set_auth_metadata_processor(creds, processor);
    const int port = grpc_server_add_http2_port(server, addr.c_str(), creds);
    grpc_server_credentials_release(creds);
    return port;
  }

  const std::string secret_;
  const std::optional<MutualTlsPem> tls_;
};

}  // namespace

absl::Status CheckCallIdentity(std::string_view secret, std::string_view method_name,
                               const Metadata& metadata) {
  const absl::string_view method = ToAbsl(method_name);
  if (secret.empty()) return absl::OkStatus();
  for (std::string_view prefix : kOpenPrefixes) {
    if (absl::StartsWith(method, ToAbsl(prefix))) return absl::OkStatus();
  }
  const google::protobuf::MethodDescriptor* descriptor = FindMethod(method_name);
  absl::StatusOr<MethodAccess> access =
      descriptor == nullptr ? absl::FailedPreconditionError(absl::StrCat(
                                  method, " declares no (gridbill.common.v1.access) policy"))
                            : AccessOf(*descriptor);
  if (access.ok() && access->is_public()) return absl::OkStatus();

  ASSIGN_OR_RETURN(std::string principal, Single(metadata, kPrincipalHeader));
  ASSIGN_OR_RETURN(std::string roles, Single(metadata, kRolesHeader));
  ASSIGN_OR_RETURN(std::string participant, Single(metadata, kParticipantHeader));
  ASSIGN_OR_RETURN(std::string signature, Single(metadata, kIdentitySigHeader));
  if (principal.empty() || signature.empty()) {
    return absl::UnauthenticatedError(
        "the call carries no identity signed by the gateway: call through the gateway");
  }
  if (!IdentitySignatureValid(secret, principal, roles, participant, method_name, signature)) {
    return absl::UnauthenticatedError("the identity signature of the call is not valid");
  }
  if (!access.ok()) return absl::PermissionDeniedError(access.status().message());
  // The caller as the handler will read it (CallerFrom), decided by the
  // same rule as the handler's Authorize (the request is not read here).
  Caller caller;
  caller.principal = principal;
  caller.participant_id = participant;
  for (absl::string_view name : absl::StrSplit(roles, ',', absl::SkipWhitespace())) {
    const std::optional<Role> role = ParseRole(ToStd(absl::StripAsciiWhitespace(name)));
    if (role.has_value() && !caller.Has(*role)) caller.roles.push_back(*role);
  }
  if (caller.roles.empty()) {
    // A signed identity always carries roles: without, it must not read
    // as a trusted tool.
    return absl::PermissionDeniedError(
        absl::StrCat(principal, " holds no role that may call ", method));
  }
  return Decide(*access, caller, nullptr);
}

std::shared_ptr<grpc::ServerCredentials> GatewayIdentityCredentials(
    std::string secret, std::optional<MutualTlsPem> tls) {
  return std::make_shared<GatewayIdentityServerCredentials>(std::move(secret), std::move(tls));
}

}  // namespace gridbill
