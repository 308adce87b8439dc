#include "gridbill/server/caller.h"

#include <catch2/catch.hpp>

#include "grpcpp/test/server_context_test_spouse.h"

namespace gridbill {
namespace {

TEST_CASE("CallerFrom reads principal and roles and participant scope from metadata") {
  grpc::ServerContext ctx;
  grpc::testing::ServerContextTestSpouse spouse(&ctx);
  spouse.AddClientMetadata(kPrincipalHeader, "user:aliya@example.kz");
  spouse.AddClientMetadata(kRolesHeader,
                           "ROLE_PARTICIPANT_USER, ROLE_AUDITOR,ROLE_FUTURE,,"
                           "ROLE_UNSPECIFIED,ROLE_AUDITOR");
  spouse.AddClientMetadata(kParticipantHeader, "p-42");

  Caller caller = CallerFrom(ctx);
  CHECK(caller.principal == "user:aliya@example.kz");
  // Unknown names and the unspecified role grant nothing; duplicates collapse.
  CHECK(caller.roles == std::vector<Role>{Role::kParticipantUser, Role::kAuditor});
  CHECK(caller.participant_id == "p-42");
  CHECK(caller.scoped());
  CHECK(caller.DeniedFor("p-43"));
  CHECK_FALSE(caller.DeniedFor("p-42"));
  CHECK(caller.Actor() == "user:aliya@example.kz");
}

TEST_CASE("CallerFrom without metadata is an unscoped system caller") {
  grpc::ServerContext ctx;
  Caller caller = CallerFrom(ctx);
  CHECK(caller.principal.empty());
  CHECK(caller.roles.empty());
  CHECK_FALSE(caller.scoped());
  CHECK_FALSE(caller.DeniedFor("p-1"));
  CHECK(caller.Actor() == "system");
}

constexpr char kSecret[] = "test-identity-secret";
constexpr char kMethod[] = "/gridbill.contracts.v1.ContractService/GetContract";

void AddIdentity(grpc::testing::ServerContextTestSpouse& spouse, const std::string& principal,
                 const std::string& roles, const std::string& participant,
                 const std::string& signature) {
  spouse.AddClientMetadata(kPrincipalHeader, principal);
  spouse.AddClientMetadata(kRolesHeader, roles);
  if (!participant.empty()) spouse.AddClientMetadata(kParticipantHeader, participant);
  spouse.AddClientMetadata(kIdentitySigHeader, signature);
}

TEST_CASE("SignIdentity is HMAC-SHA256 hex over principal|roles|participant|method") {
  // Known answer computed independently (Python's hmac module).
  CHECK(SignIdentity("Jefe", "user:aliya", "ROLE_OPERATOR", "", "/x.S/M") ==
        "311b99f149adc8db0eaaa5f4808eda283b90ad6ddaae8c62cc47bda199c9c7e3");
  CHECK(SignIdentity("Jefe", "a", "b", "c", "d") == SignIdentity("Jefe", "a", "b", "c", "d"));
  CHECK(SignIdentity("Jefe", "a", "b", "c", "d").size() == 64);
  CHECK(SignIdentity("Jefe", "a", "b", "c", "d") != SignIdentity("Jefe", "a", "b", "c", "e"));
  CHECK(SignIdentity("Jefe", "a", "b", "c", "d") != SignIdentity("other", "a", "b", "c", "d"));
}

TEST_CASE("VerifiedCallerFrom accepts an identity the gateway signed for this method") {
  grpc::ServerContext ctx;
  grpc::testing::ServerContextTestSpouse spouse(&ctx);
  AddIdentity(spouse, "user:aliya", "ROLE_PARTICIPANT_USER", "p-42",
              SignIdentity(kSecret, "user:aliya", "ROLE_PARTICIPANT_USER", "p-42", kMethod));
  absl::StatusOr<Caller> caller = VerifiedCallerFrom(ctx, kSecret, kMethod);
  REQUIRE(caller.ok());
  CHECK(caller->principal == "user:aliya");
  CHECK(caller->participant_id == "p-42");
  CHECK(caller->roles == std::vector<Role>{Role::kParticipantUser});
}

TEST_CASE("VerifiedCallerFrom refuses forged, replayed and unsigned identities") {
  const std::string good =
      SignIdentity(kSecret, "user:aliya", "ROLE_PARTICIPANT_USER", "p-42", kMethod);
  SECTION("participant changed after signing") {
    grpc::ServerContext ctx;
    grpc::testing::ServerContextTestSpouse spouse(&ctx);
    AddIdentity(spouse, "user:aliya", "ROLE_PARTICIPANT_USER", "p-43", good);
    CHECK(VerifiedCallerFrom(ctx, kSecret, kMethod).status().code() ==
          absl::StatusCode::kUnauthenticated);
  }
  SECTION("roles widened after signing") {
    grpc::ServerContext ctx;
    grpc::testing::ServerContextTestSpouse spouse(&ctx);
    AddIdentity(spouse, "user:aliya", "ROLE_PARTICIPANT_USER,ROLE_ADMIN", "p-42", good);
    CHECK(VerifiedCallerFrom(ctx, kSecret, kMethod).status().code() ==
          absl::StatusCode::kUnauthenticated);
  }
  SECTION("replayed to another method") {
    grpc::ServerContext ctx;
    grpc::testing::ServerContextTestSpouse spouse(&ctx);
    AddIdentity(spouse, "user:aliya", "ROLE_PARTICIPANT_USER", "p-42", good);
    CHECK(VerifiedCallerFrom(ctx, kSecret, "/gridbill.contracts.v1.ContractService/CreateContract")
              .status()
              .code() == absl::StatusCode::kUnauthenticated);
  }
  SECTION("signed with another secret") {
    grpc::ServerContext ctx;
    grpc::testing::ServerContextTestSpouse spouse(&ctx);
    AddIdentity(spouse, "user:aliya", "ROLE_PARTICIPANT_USER", "p-42",
                SignIdentity("other", "user:aliya", "ROLE_PARTICIPANT_USER", "p-42", kMethod));
    CHECK(VerifiedCallerFrom(ctx, kSecret, kMethod).status().code() ==
          absl::StatusCode::kUnauthenticated);
  }
  SECTION("no metadata at all is not the system caller") {
    grpc::ServerContext ctx;
    CHECK(VerifiedCallerFrom(ctx, kSecret, kMethod).status().code() ==
          absl::StatusCode::kUnauthenticated);
  }
}

TEST_CASE("VerifiedCallerFrom without a secret keeps trusting the metadata") {
  grpc::ServerContext ctx;
  grpc::testing::ServerContextTestSpouse spouse(&ctx);
  spouse.AddClientMetadata(kPrincipalHeader, "operator@kegoc.kz");
  absl::StatusOr<Caller> caller = VerifiedCallerFrom(ctx, "", kMethod);
  REQUIRE(caller.ok());
  CHECK(caller->principal == "operator@kegoc.kz");
}

}  // namespace
}  // namespace gridbill
