#include "gridbill/server/access.h"

#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/caller.h"

namespace gridbill {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

// Checks that `path` leads through singular message fields to a singular
// string field of `request`.
absl::Status CheckParticipantPath(const Descriptor* request, const std::string& path,
                                  const std::string& method) {
  const Descriptor* current = request;
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* field = current->FindFieldByName(parts[i]);
    const bool last = i + 1 == parts.size();
    if (field == nullptr || field->is_repeated() ||
        (last ? field->type() != FieldDescriptor::TYPE_STRING
              : field->type() != FieldDescriptor::TYPE_MESSAGE)) {
      return absl::FailedPreconditionError(
          absl::StrCat("method ", method, ": participant_field \"", path,
                       "\" is not a singular string field of ", current->full_name()));
    }
    if (!last) current = field->message_type();
  }
  return absl::OkStatus();
}

// The request types resolved so far; entries are never removed, so the
// pointers handed out stay valid.
class AccessCache {
 public:
  absl::StatusOr<const MethodAccess*> Get(const Descriptor& request) {
    {
      absl::MutexLock lock(&mu_);
      if (auto it = by_request_.find(&request); it != by_request_.end()) return it->second.get();
    }
    ASSIGN_OR_RETURN(const MethodDescriptor* method, MethodOfRequest(request));
    ASSIGN_OR_RETURN(MethodAccess access, AccessOf(*method));
    absl::MutexLock lock(&mu_);
    auto [it, inserted] =
        by_request_.try_emplace(&request, std::make_unique<MethodAccess>(std::move(access)));
    return it->second.get();
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<const Descriptor*, std::unique_ptr<MethodAccess>> by_request_
      ABSL_GUARDED_BY(mu_);
};

AccessCache& Cache() {
  static AccessCache* const cache = new AccessCache();
  return *cache;
}

std::string Who(const Caller& caller) {
  return caller.principal.empty() ? std::string("the caller") : caller.principal;
}

absl::Status DecideRoles(const MethodAccess& access, const Caller& caller) {
  if (access.is_public()) return absl::OkStatus();
  if (caller.roles.empty() && !caller.scoped()) return absl::OkStatus();  // trusted, see header
  for (Role allowed : access.roles) {
    if (caller.roles.empty() ? IsParticipantRole(allowed) : caller.Has(allowed)) {
      return absl::OkStatus();
    }
  }
  const std::string held =
      caller.roles.empty() ? absl::StrCat("no roles, scoped to participant ", caller.participant_id)
                           : absl::StrCat("roles ", RolesText(caller.roles));
  return absl::PermissionDeniedError(absl::StrCat(Who(caller), " (", held, ") may not call ",
                                                  access.full_name,
                                                  "; allowed roles: ", RolesText(access.roles)));
}

}  // namespace

std::optional<Role> RoleFromProto(int value) { return RoleFromNumber(value); }

common::v1::Role RoleToProto(Role role) { return static_cast<common::v1::Role>(role); }

std::string FullMethodName(const MethodDescriptor& method) {
  return absl::StrCat("/", method.service()->full_name(), "/", method.name());
}

std::string IdempotencyMethodName(const MethodDescriptor& method) {
  return absl::StrCat(method.service()->name(), "/", method.name());
}

absl::StatusOr<MethodAccess> AccessOf(const MethodDescriptor& method) {
  MethodAccess out;
  out.method = &method;
  out.full_name = FullMethodName(method);
  if (!method.options().HasExtension(common::v1::access)) {
    return absl::FailedPreconditionError(
        absl::StrCat("method ", out.full_name, " declares no (gridbill.common.v1.access) policy"));
  }
  const common::v1::AccessPolicy& policy = method.options().GetExtension(common::v1::access);
  for (int r : policy.roles()) {
    const std::optional<Role> role = RoleFromProto(r);
    if (!role.has_value()) {
      return absl::FailedPreconditionError(
          absl::StrCat("method ", out.full_name, " names an invalid role ", r));
    }
    out.roles.push_back(*role);
  }
  out.participant_field = policy.participant_field();
  out.mutating = policy.mutating();
  if (!out.participant_field.empty()) {
    RETURN_IF_ERROR(
        CheckParticipantPath(method.input_type(), out.participant_field, out.full_name));
  }
  return out;
}

absl::StatusOr<const MethodDescriptor*> MethodOfRequest(const Descriptor& request) {
  const google::protobuf::FileDescriptor* file = request.file();
  const MethodDescriptor* found = nullptr;
  for (int s = 0; s < file->service_count(); ++s) {
    const google::protobuf::ServiceDescriptor* service = file->service(s);
    for (int m = 0; m < service->method_count(); ++m) {
      const MethodDescriptor* method = service->method(m);
      if (method->input_type() != &request) continue;
      if (found != nullptr) {
        return absl::InternalError(absl::StrCat(
            request.full_name(), " is the request of both ", FullMethodName(*found), " and ",
            FullMethodName(*method), ": give each method its own request message"));
      }
      found = method;
    }
  }
  if (found == nullptr) {
    return absl::InternalError(absl::StrCat("no method of a service in ", file->name(), " takes ",
                                            request.full_name(), " as its request"));
  }
  return found;
}

absl::StatusOr<const MethodAccess*> AccessOfRequest(const Descriptor& request) {
  return Cache().Get(request);
}

std::string ParticipantIn(const MethodAccess& access, const Message& request) {
  if (access.participant_field.empty()) return "";
  // Follow the dotted path (checked by AccessOf); an unset message on the
  // way means an unset field.
  const Message* current = &request;
  std::vector<std::string> parts = absl::StrSplit(access.participant_field, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* field = current->GetDescriptor()->FindFieldByName(parts[i]);
    if (field == nullptr || field->is_repeated()) return "";
    const google::protobuf::Reflection* reflection = current->GetReflection();
    if (i + 1 == parts.size()) {
      return field->cpp_type() == FieldDescriptor::CPPTYPE_STRING
                 ? reflection->GetString(*current, field)
                 : "";
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
        !reflection->HasField(*current, field)) {
      return "";
    }
    current = &reflection->GetMessage(*current, field);
  }
  return "";
}

absl::Status Decide(const MethodAccess& access, const Caller& caller, const Message* request) {
  RETURN_IF_ERROR(DecideRoles(access, caller));
  if (request == nullptr || !caller.scoped() || access.participant_field.empty()) {
    return absl::OkStatus();
  }
  const std::string participant = ParticipantIn(access, *request);
  if (participant.empty() || participant == caller.participant_id) return absl::OkStatus();
  absl::Status denied = absl::PermissionDeniedError(absl::StrCat(
      access.participant_field, ": ", Who(caller), " may not access participant ", participant));
  denied.SetPayload(ToAbsl(kFieldPayloadKey), absl::Cord(access.participant_field));
  return denied;
}

namespace {

absl::StatusOr<Caller> AuthorizeCall(const grpc::ServerContext& ctx, const Descriptor& type,
                                     const Message* request, std::string_view identity_secret) {
  absl::StatusOr<const MethodAccess*> access = AccessOfRequest(type);
  if (!access.ok()) {
    // A method without a policy is closed (as at the gateway and the
    // identity guard); a request type without a method is a defect.
    if (access.status().code() == absl::StatusCode::kFailedPrecondition) {
      return absl::PermissionDeniedError(access.status().message());
    }
    return access.status();
  }
  // Public methods (sign-in) are called before there is an identity.
  if ((*access)->is_public()) return CallerFrom(ctx);
  Caller caller;
  if (identity_secret.empty()) {
    caller = CallerFrom(ctx);
  } else {
    ASSIGN_OR_RETURN(caller, VerifiedCallerFrom(ctx, identity_secret, (*access)->full_name));
  }
  RETURN_IF_ERROR(Decide(**access, caller, request));
  return caller;
}

}  // namespace

absl::StatusOr<Caller> Authorize(const grpc::ServerContext& ctx, const Message& request,
                                 std::string_view identity_secret) {
  return AuthorizeCall(ctx, *request.GetDescriptor(), &request, identity_secret);
}

namespace internal {

absl::StatusOr<Caller> AuthorizeStream(const grpc::ServerContext& ctx, const Descriptor& request) {
  return AuthorizeCall(ctx, request, nullptr, "");
}

}  // namespace internal
}  // namespace gridbill
