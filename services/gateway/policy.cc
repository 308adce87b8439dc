#include "policy.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/message.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/common/v1/common.pb.h"

namespace gridbill::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

}  // namespace

absl::StatusOr<std::unique_ptr<PolicyTable>> PolicyTable::Build(
    const google::protobuf::DescriptorPool& pool, const std::vector<ServiceRoute>& routes) {
  std::unique_ptr<PolicyTable> table(new PolicyTable());
  table->dynamic_factory_ = std::make_unique<google::protobuf::DynamicMessageFactory>(&pool);
  for (const ServiceRoute& route : routes) {
    const google::protobuf::ServiceDescriptor* service = pool.FindServiceByName(route.service);
    if (service == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("routed service ", route.service, " is not compiled into the gateway"));
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* m = service->method(i);
      ASSIGN_OR_RETURN(MethodAccess access, AccessOf(*m));
      MethodPolicy policy;
      policy.full_method = access.full_name;
      policy.backend = route.backend;
      policy.descriptor = m;
      for (gridbill::Role role : access.roles) policy.roles.push_back(RoleToProto(role));
      if (policy.roles.empty()) {
        if (!route.allow_public) {
          return absl::FailedPreconditionError(
              absl::StrCat("method ", policy.full_method, " allows no roles"));
        }
        policy.is_public = true;
      }
      policy.participant_field = access.participant_field;
      policy.mutating = access.mutating;
      policy.access = std::move(access);
      table->methods_.emplace(policy.full_method, std::move(policy));
    }
  }
  return table;
}

const MethodPolicy* PolicyTable::Find(std::string_view full_method) const {
  auto it = methods_.find(full_method);
  return it == methods_.end() ? nullptr : &it->second;
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> PolicyTable::ParseRequest(
    const MethodPolicy& policy, std::string_view request_bytes) const {
  const Descriptor* type = policy.descriptor->input_type();
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  if (prototype == nullptr) prototype = dynamic_factory_->GetPrototype(type);
  std::unique_ptr<google::protobuf::Message> message(prototype->New());
  if (!message->ParseFromArray(request_bytes.data(), static_cast<int>(request_bytes.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request is not a valid ", type->full_name(), " message"));
  }
  return message;
}

absl::StatusOr<std::string> PolicyTable::ExtractParticipant(const MethodPolicy& policy,
                                                            std::string_view request_bytes) const {
  if (policy.participant_field.empty()) return std::string();
  ASSIGN_OR_RETURN(std::unique_ptr<google::protobuf::Message> message,
                   ParseRequest(policy, request_bytes));
  return ParticipantIn(policy.access, *message);
}

std::string PolicyTable::ExtractRequestId(const MethodPolicy& policy,
                                          std::string_view request_bytes) const {
  const Descriptor* type = policy.descriptor->input_type();
  const FieldDescriptor* field = type->FindFieldByName("request_id");
  if (field == nullptr || field->is_repeated() || field->type() != FieldDescriptor::TYPE_STRING) {
    return "";
  }
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  if (prototype == nullptr) prototype = dynamic_factory_->GetPrototype(type);
  std::unique_ptr<google::protobuf::Message> message(prototype->New());
  if (!message->ParseFromArray(request_bytes.data(), static_cast<int>(request_bytes.size()))) {
    return "";
  }
  return message->GetReflection()->GetString(*message, field);
}

absl::Status AuthorizeMethod(const MethodPolicy& policy, const Principal& who) {
  if (policy.is_public) return absl::OkStatus();
  const gridbill::Caller caller = ToCaller(who);
  if (caller.roles.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(who.name, " (roles ", RolesText(who.roles),
                                                    ") may not call ", policy.full_method,
                                                    "; allowed roles: ", RolesText(policy.roles)));
  }
  return Decide(policy.access, caller, nullptr);
}

absl::Status AuthorizeRequest(const PolicyTable& table, const MethodPolicy& policy,
                              const Principal& who, std::string_view request_bytes) {
  if (!who.scoped() || policy.participant_field.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::unique_ptr<google::protobuf::Message> message,
                   table.ParseRequest(policy, request_bytes));
  if (ParticipantIn(policy.access, *message).empty()) {
    absl::Status denied = absl::PermissionDeniedError(absl::StrCat(
        policy.participant_field, ": a participant's caller must name their own participant"));
    denied.SetPayload(ToAbsl(kFieldPayloadKey), absl::Cord(policy.participant_field));
    return denied;
  }
  return Decide(policy.access, ToCaller(who), message.get());
}

}  // namespace gridbill::gateway
