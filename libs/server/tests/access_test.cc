// The access layer: a method's policy from its descriptor, the method from
// its request type, and the decision for a caller.
#include "gridbill/server/access.h"

#include <catch2/catch.hpp>

#include "gridbill/base/errors.h"
#include "gridbill/server/caller.h"
#include "gridbill/testing/v1/guarded.pb.h"
#include "gridbill/testing/v1/testing.pb.h"
#include "grpcpp/test/server_context_test_spouse.h"

namespace gridbill {
namespace {

namespace tv1 = gridbill::testing::v1;

const google::protobuf::MethodDescriptor& Guarded(const char* name) {
  return *tv1::GuardedRequest::descriptor()
              ->file()
              ->FindServiceByName("GuardedService")
              ->FindMethodByName(name);
}

Caller Staff(Role role) {
  Caller c;
  c.principal = "user:staff";
  c.roles = {role};
  return c;
}

Caller ParticipantUser(const std::string& participant) {
  Caller c;
  c.principal = "user:p";
  c.roles = {Role::kParticipantUser};
  c.participant_id = participant;
  return c;
}

TEST_CASE("AccessOf reads the declared roles and participant field") {
  absl::StatusOr<MethodAccess> staff = AccessOf(Guarded("ForStaff"));
  REQUIRE(staff.ok());
  CHECK(staff->full_name == "/gridbill.testing.v1.GuardedService/ForStaff");
  CHECK(staff->roles == std::vector<Role>{Role::kOperator, Role::kAuditor});
  CHECK(staff->participant_field == "participant_id");
  CHECK_FALSE(staff->is_public());
  absl::StatusOr<MethodAccess> anyone = AccessOf(Guarded("ForAnyone"));
  REQUIRE(anyone.ok());
  CHECK(anyone->is_public());
  absl::StatusOr<MethodAccess> undeclared = AccessOf(Guarded("Undeclared"));
  CHECK(undeclared.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(undeclared.status().message() ==
        "method /gridbill.testing.v1.GuardedService/Undeclared declares no "
        "(gridbill.common.v1.access) policy");
}

TEST_CASE("Decide admits the declared roles and a participant naming itself") {
  const MethodAccess staff = *AccessOf(Guarded("ForStaff"));
  CHECK(Decide(staff, Staff(Role::kOperator), nullptr).ok());
  const absl::Status denied = Decide(staff, Staff(Role::kAccountant), nullptr);
  CHECK(denied.code() == absl::StatusCode::kPermissionDenied);
  CHECK(denied.message() ==
        "user:staff (roles ROLE_ACCOUNTANT) may not call "
        "/gridbill.testing.v1.GuardedService/ForStaff; allowed roles: ROLE_OPERATOR,ROLE_AUDITOR");
  // A trusted tool (no roles, no participant) passes; a public method admits all.
  CHECK(Decide(staff, Caller{}, nullptr).ok());
  CHECK(Decide(*AccessOf(Guarded("ForAnyone")), ParticipantUser("P-1"), nullptr).ok());

  // The participant field, for a method that admits participants.
  MethodAccess open = staff;
  open.roles.push_back(Role::kParticipantUser);
  tv1::GuardedRequest req;
  CHECK(Decide(open, ParticipantUser("P-1"), &req).ok());  // empty: the domain scopes
  req.set_participant_id("P-1");
  CHECK(Decide(open, ParticipantUser("P-1"), &req).ok());
  req.set_participant_id("P-2");
  const absl::Status other = Decide(open, ParticipantUser("P-1"), &req);
  CHECK(other.code() == absl::StatusCode::kPermissionDenied);
  CHECK(other.message() == "participant_id: user:p may not access participant P-2");
  CHECK(FieldOf(other) == "participant_id");
  CHECK(Decide(open, Staff(Role::kOperator), &req).ok());
}

TEST_CASE("the method of a request type: none or two are a defect") {
  absl::StatusOr<const google::protobuf::MethodDescriptor*> echo =
      MethodOfRequest(*tv1::EchoRequest::descriptor());
  REQUIRE(echo.ok());
  CHECK((*echo)->full_name() == "gridbill.testing.v1.TestService.Echo");
  CHECK(IdempotencyMethodName(**echo) == "TestService/Echo");
  // GuardedRequest is the request of three methods.
  absl::StatusOr<const google::protobuf::MethodDescriptor*> shared =
      MethodOfRequest(*tv1::GuardedRequest::descriptor());
  CHECK(shared.status().code() == absl::StatusCode::kInternal);
  CHECK(shared.status().message().find("is the request of both") != absl::string_view::npos);
  CHECK(MethodOfRequest(*tv1::EchoResponse::descriptor()).status().code() ==
        absl::StatusCode::kInternal);
}

TEST_CASE("Authorize reads the caller from metadata; a method without policy is closed") {
  grpc::ServerContext ctx;
  grpc::testing::ServerContextTestSpouse spouse(&ctx);
  spouse.AddClientMetadata(kPrincipalHeader, "user:aliya");
  spouse.AddClientMetadata(kRolesHeader, "ROLE_OPERATOR");
  // TestService declares no access option.
  absl::StatusOr<Caller> caller = Authorize(ctx, tv1::EchoRequest());
  CHECK(caller.status().code() == absl::StatusCode::kPermissionDenied);
  CHECK(caller.status().message().find("declares no (gridbill.common.v1.access) policy") !=
        absl::string_view::npos);
}

}  // namespace
}  // namespace gridbill
