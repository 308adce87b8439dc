// The role x method matrix of the suite, read from the protos: every method
// of every gridbill.*.v1 service under proto/ declares its access, resolves
// from its own request type (how handlers find their method), and the access
// layer admits exactly the declared roles and refuses a participant's
// caller naming another participant. A method without an access option, a
// request type shared by two methods, or a proto file not linked into this
// test fails it. The services' own pgtests (metering access_pgtest) call
// the real servers with every role; this test covers every service at once.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "gridbill/balance/v1/balance.pb.h"
#include "gridbill/base/errors.h"
#include "gridbill/contracts/v1/contracts.pb.h"
#include "gridbill/forecasting/v1/forecasting.pb.h"
#include "gridbill/gateway/v1/gateway.pb.h"
#include "gridbill/integrations/v1/integrations.pb.h"
#include "gridbill/invoicing/v1/invoicing.pb.h"
#include "gridbill/metering/v1/metering.pb.h"
#include "gridbill/reporting/v1/reporting.pb.h"
#include "gridbill/server/access.h"

namespace gridbill {
namespace {

using google::protobuf::FileDescriptor;
using google::protobuf::MethodDescriptor;

// The only methods allowed to declare no roles: signing in.
bool MayBePublic(const MethodDescriptor& m) {
  return m.service()->full_name() == "gridbill.gateway.v1.AuthService";
}

// Every gridbill/<svc>/v1/*.proto of the source tree, as linked into this
// binary (a file the generated pool does not know fails: link its library).
std::vector<const FileDescriptor*> SuiteFiles() {
  // Referenced so that the linker keeps each library's descriptors.
  const FileDescriptor* linked[] = {
      contracts::v1::Contract::descriptor()->file(),
      metering::v1::MeteringPoint::descriptor()->file(),
      balance::v1::Scheme::descriptor()->file(),
      invoicing::v1::Document::descriptor()->file(),
      forecasting::v1::ForecastRun::descriptor()->file(),
      reporting::v1::Refresh::descriptor()->file(),
      integrations::v1::Delivery::descriptor()->file(),
      gateway::v1::User::descriptor()->file(),
  };
  std::vector<const FileDescriptor*> files;
  const std::filesystem::path root = std::filesystem::path(GRIDBILL_ACCESS_PROTO_ROOT) / "gridbill";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".proto") continue;
    const std::string name =
        std::filesystem::relative(entry.path(), GRIDBILL_ACCESS_PROTO_ROOT).generic_string();
    const FileDescriptor* file =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
    INFO(name << " is not linked into access_matrix_test");
    REQUIRE(file != nullptr);
    files.push_back(file);
  }
  for (const FileDescriptor* f : linked) {
    CHECK(std::find(files.begin(), files.end(), f) != files.end());
  }
  return files;
}

Caller WithRole(Role role, const std::string& participant = "P-OWN") {
  Caller caller;
  caller.principal = "user:matrix";
  caller.roles = {role};
  if (IsParticipantRole(role)) caller.participant_id = participant;
  return caller;
}

// A request of `method` whose participant field (set) names `participant`.
std::unique_ptr<google::protobuf::Message> RequestNaming(const MethodAccess& access,
                                                         const std::string& participant) {
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(
          access.method->input_type());
  std::unique_ptr<google::protobuf::Message> message(prototype->New());
  google::protobuf::Message* current = message.get();
  const std::vector<std::string> parts = absl::StrSplit(access.participant_field, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto* field = current->GetDescriptor()->FindFieldByName(parts[i]);
    if (i + 1 == parts.size()) {
      current->GetReflection()->SetString(current, field, participant);
    } else {
      current = current->GetReflection()->MutableMessage(current, field);
    }
  }
  return message;
}

TEST_CASE("every method of every service declares its access and is found from its request") {
  int services = 0;
  int methods = 0;
  for (const FileDescriptor* file : SuiteFiles()) {
    for (int s = 0; s < file->service_count(); ++s, ++services) {
      const auto* service = file->service(s);
      for (int i = 0; i < service->method_count(); ++i, ++methods) {
        const MethodDescriptor& m = *service->method(i);
        INFO(FullMethodName(m));
        const absl::StatusOr<MethodAccess> access = AccessOf(m);
        INFO(access.status().ToString());
        REQUIRE(access.ok());
        CHECK(access->full_name == FullMethodName(m));
        if (!MayBePublic(m)) CHECK_FALSE(access->is_public());
        // Handlers find their method from the request type alone.
        const absl::StatusOr<const MethodDescriptor*> found = MethodOfRequest(*m.input_type());
        INFO(found.status().ToString());
        REQUIRE(found.ok());
        CHECK(*found == &m);
        // A participant field cannot be checked once for a stream of requests.
        if (m.client_streaming()) CHECK(access->participant_field.empty());
        // Idempotency records are kept per "Service/Method".
        CHECK(IdempotencyMethodName(m) == absl::StrCat(service->name(), "/", m.name()));
      }
    }
  }
  CHECK(services >= 15);
  CHECK(methods >= 80);
}

TEST_CASE("matrix: every role x every method is admitted exactly as declared") {
  int admitted = 0;
  int denied = 0;
  for (const FileDescriptor* file : SuiteFiles()) {
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      for (int i = 0; i < service->method_count(); ++i) {
        const absl::StatusOr<const MethodAccess*> access =
            AccessOfRequest(*service->method(i)->input_type());
        REQUIRE(access.ok());
        const MethodAccess& a = **access;
        for (Role role : kAllRoles) {
          INFO(a.full_name << " as " << RoleName(role));
          const bool declared =
              a.is_public() || std::find(a.roles.begin(), a.roles.end(), role) != a.roles.end();
          const absl::Status st = Decide(a, WithRole(role), nullptr);
          if (declared) {
            ++admitted;
            CHECK(st.ok());
          } else {
            ++denied;
            CHECK(st.code() == absl::StatusCode::kPermissionDenied);
            CHECK(st.message() == absl::StrCat("user:matrix (roles ", std::string(RoleName(role)),
                                               ") may not call ", a.full_name,
                                               "; allowed roles: ", RolesText(a.roles)));
          }
        }
      }
    }
  }
  CHECK(admitted > 0);
  CHECK(denied > 0);
}

TEST_CASE("matrix: a participant's caller may not name another participant in any method") {
  int checked = 0;
  for (const FileDescriptor* file : SuiteFiles()) {
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      for (int i = 0; i < service->method_count(); ++i) {
        const MethodAccess& a = **AccessOfRequest(*service->method(i)->input_type());
        if (a.participant_field.empty()) continue;
        for (Role role : {Role::kParticipantUser, Role::kParticipantAdmin}) {
          if (std::find(a.roles.begin(), a.roles.end(), role) == a.roles.end()) continue;
          INFO(a.full_name << " as " << RoleName(role));
          ++checked;
          CHECK(Decide(a, WithRole(role), RequestNaming(a, "P-OWN").get()).ok());
          const absl::Status other = Decide(a, WithRole(role), RequestNaming(a, "P-OTHER").get());
          CHECK(other.code() == absl::StatusCode::kPermissionDenied);
          CHECK(other.message() ==
                absl::StrCat(a.participant_field,
                             ": user:matrix may not access participant P-OTHER"));
          CHECK(FieldOf(other) == a.participant_field);
          // Staff are not scoped to a participant: they may name any.
          if (std::find(a.roles.begin(), a.roles.end(), Role::kAdmin) != a.roles.end()) {
            CHECK(Decide(a, WithRole(Role::kAdmin), RequestNaming(a, "P-OTHER").get()).ok());
          }
        }
      }
    }
  }
  CHECK(checked > 10);
}

TEST_CASE("the proto's roles and the plain roles are the same names and numbers") {
  const google::protobuf::EnumDescriptor* proto = common::v1::Role_descriptor();
  int known = 0;
  for (int i = 0; i < proto->value_count(); ++i) {
    const auto* value = proto->value(i);
    INFO(value->name());
    const std::optional<Role> role = RoleFromProto(value->number());
    if (value->number() == common::v1::ROLE_UNSPECIFIED) {
      CHECK_FALSE(role.has_value());
      continue;
    }
    REQUIRE(role.has_value());
    CHECK(RoleName(*role) == value->name());
    CHECK(ParseRole(value->name()) == role);
    CHECK(RoleToProto(*role) == value->number());
    ++known;
  }
  CHECK(known == static_cast<int>(kAllRoles.size()));
}

TEST_CASE("callers without roles: trusted when unscoped, a participant's user when scoped") {
  const MethodAccess& staff_only = **AccessOfRequest(*balance::v1::StartRunRequest::descriptor());
  const MethodAccess& open = **AccessOfRequest(*balance::v1::ListRunTotalsRequest::descriptor());
  Caller tool;  // no principal, no roles: a trusted tool without identity_secret
  CHECK(Decide(staff_only, tool, nullptr).ok());
  Caller scoped;
  scoped.participant_id = "P-OWN";
  CHECK(Decide(staff_only, scoped, nullptr).code() == absl::StatusCode::kPermissionDenied);
  CHECK(Decide(open, scoped, nullptr).ok());
  balance::v1::ListRunTotalsRequest other;
  other.set_participant_id("P-OTHER");
  CHECK(Decide(open, scoped, &other).code() == absl::StatusCode::kPermissionDenied);
  // An empty field is the domain's to scope.
  CHECK(Decide(open, scoped, &balance::v1::ListRunTotalsRequest::default_instance()).ok());
}

}  // namespace
}  // namespace gridbill
