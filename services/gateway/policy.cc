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
      MethodPolicy policy;
      policy.full_method = absl::StrCat("/", service->full_name(), "/", m->name());
      policy.backend = route.backend;
      policy.descriptor = m;
      if (!m->options().HasExtension(common::v1::access)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "method ", policy.full_method, " declares no (gridbill.common.v1.access) policy"));
      }
      const common::v1::AccessPolicy& access = m->options().GetExtension(common::v1::access);
      for (int r : access.roles()) {
        if (r == common::v1::ROLE_UNSPECIFIED || !common::v1::Role_IsValid(r)) {
          return absl::FailedPreconditionError(
              absl::StrCat("method ", policy.full_method, " names an invalid role ", r));
        }
        policy.roles.push_back(static_cast<Role>(r));
      }
      if (policy.roles.empty()) {
        if (!route.allow_public) {
          return absl::FailedPreconditionError(
              absl::StrCat("method ", policy.full_method, " allows no roles"));
        }
        policy.is_public = true;
      }
      policy.participant_field = access.participant_field();
      policy.mutating = access.mutating();
      if (!policy.participant_field.empty()) {
        RETURN_IF_ERROR(
            CheckParticipantPath(m->input_type(), policy.participant_field, policy.full_method));
      }
      table->methods_.emplace(policy.full_method, std::move(policy));
    }
  }
  return table;
}

const MethodPolicy* PolicyTable::Find(std::string_view full_method) const {
  auto it = methods_.find(full_method);
  return it == methods_.end() ? nullptr : &it->second;
}

absl::StatusOr<std::string> PolicyTable::ExtractParticipant(const MethodPolicy& policy,
                                                            std::string_view request_bytes) const {
  if (policy.participant_field.empty()) return std::string();
  const Descriptor* type = policy.descriptor->input_type();
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  if (prototype == nullptr) prototype = dynamic_factory_->GetPrototype(type);
  std::unique_ptr<google::protobuf::Message> message(prototype->New());
  if (!message->ParseFromArray(request_bytes.data(), static_cast<int>(request_bytes.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request is not a valid ", type->full_name(), " message"));
  }
  // Follow the dotted path; an unset message on the way means an unset field.
  const google::protobuf::Message* current = message.get();
  for (absl::string_view part : absl::StrSplit(policy.participant_field, '.')) {
    const Descriptor* d = current->GetDescriptor();
    const FieldDescriptor* field = d->FindFieldByName(std::string(part));
    const google::protobuf::Reflection* reflection = current->GetReflection();
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      return reflection->GetString(*current, field);
    }
    if (!reflection->HasField(*current, field)) return std::string();
    current = &reflection->GetMessage(*current, field);
  }
  return absl::InternalError("participant_field does not end in a string field");
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
  for (Role role : policy.roles) {
    if (who.Has(role)) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(who.name, " (roles ", RolesText(who.roles),
                                                  ") may not call ", policy.full_method,
                                                  "; allowed roles: ", RolesText(policy.roles)));
}

absl::Status AuthorizeRequest(const PolicyTable& table, const MethodPolicy& policy,
                              const Principal& who, std::string_view request_bytes) {
  if (!who.scoped() || policy.participant_field.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string participant, table.ExtractParticipant(policy, request_bytes));
  if (participant == who.participant_id) return absl::OkStatus();
  absl::Status denied = absl::PermissionDeniedError(
      participant.empty() ? absl::StrCat(policy.participant_field,
                                         ": a participant's caller must name their own participant")
                          : absl::StrCat(policy.participant_field, ": ", who.name,
                                         " may not access participant ", participant));
  denied.SetPayload(ToAbsl(kFieldPayloadKey), absl::Cord(policy.participant_field));
  return denied;
}

}  // namespace gridbill::gateway
