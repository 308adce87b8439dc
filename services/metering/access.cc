#include "access.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "gridbill/base/absl_compat.h"

namespace gridbill::metering {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// The string at a dotted path of singular fields ("" when unset).
std::string FieldText(const Message& m, const std::string& path) {
  const Message* cur = &m;
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* f = cur->GetDescriptor()->FindFieldByName(parts[i]);
    if (f == nullptr || f->is_repeated()) return "";
    if (i + 1 == parts.size()) {
      return f->cpp_type() == FieldDescriptor::CPPTYPE_STRING
                 ? cur->GetReflection()->GetString(*cur, f)
                 : "";
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return "";
    cur = &cur->GetReflection()->GetMessage(*cur, f);
  }
  return "";
}

}  // namespace

absl::Status Authorize(const Caller& caller, std::string_view method,
                       const google::protobuf::Message* request) {
  const std::string full = absl::StrCat("gridbill.metering.v1.", ToAbsl(method));
  std::string dotted = full;
  std::replace(dotted.begin(), dotted.end(), '/', '.');
  const google::protobuf::MethodDescriptor* m =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(dotted);
  if (m == nullptr || !m->options().HasExtension(common::v1::access)) {
    return absl::InternalError(absl::StrCat("method ", full, " declares no access policy"));
  }
  if (caller.roles.empty()) return absl::OkStatus();
  const common::v1::AccessPolicy& policy = m->options().GetExtension(common::v1::access);
  bool allowed = false;
  for (common::v1::Role role : caller.roles) {
    for (int r : policy.roles()) allowed = allowed || r == role;
  }
  if (!allowed) {
    std::vector<std::string> names;
    for (common::v1::Role role : caller.roles) names.push_back(common::v1::Role_Name(role));
    return absl::PermissionDeniedError(
        absl::StrCat("/", full, " is not allowed for role(s) ", absl::StrJoin(names, ",")));
  }
  if (caller.scoped() && request != nullptr && !policy.participant_field().empty()) {
    const std::string value = FieldText(*request, policy.participant_field());
    if (!value.empty() && value != caller.participant_id) {
      return absl::PermissionDeniedError(
          absl::StrCat(policy.participant_field(), ": another participant's data"));
    }
  }
  return absl::OkStatus();
}

}  // namespace gridbill::metering
