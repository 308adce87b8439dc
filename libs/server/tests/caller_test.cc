#include "gridbill/server/caller.h"

#include <catch2/catch.hpp>

#include "grpcpp/test/server_context_test_spouse.h"

namespace gridbill {
namespace {

using common::v1::Role;

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
  CHECK(caller.roles ==
        std::vector<Role>{common::v1::ROLE_PARTICIPANT_USER, common::v1::ROLE_AUDITOR});
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

}  // namespace
}  // namespace gridbill
