// Services accept the identity only from the gateway: a server started with
// an identity secret refuses unsigned, forged and replayed identities before
// any handler runs, and enforces the method's declared roles.
#include "gridbill/server/identity_guard.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/config.h"
#include "gridbill/server/identity_signing.h"
#include "gridbill/server/server.h"
#include "gridbill/testing/test_server.h"
#include "gridbill/testing/v1/guarded.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace gridbill {
namespace {

namespace tv1 = gridbill::testing::v1;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef-test";
constexpr char kForStaff[] = "/gridbill.testing.v1.GuardedService/ForStaff";

class GuardedImpl final : public tv1::GuardedService::Service {
 public:
  grpc::Status ForStaff(grpc::ServerContext* ctx, const tv1::GuardedRequest*,
                        tv1::GuardedResponse* resp) override {
    return Answer(*ctx, resp);
  }
  grpc::Status ForAnyone(grpc::ServerContext* ctx, const tv1::GuardedRequest*,
                         tv1::GuardedResponse* resp) override {
    return Answer(*ctx, resp);
  }
  grpc::Status Undeclared(grpc::ServerContext* ctx, const tv1::GuardedRequest*,
                          tv1::GuardedResponse* resp) override {
    return Answer(*ctx, resp);
  }
  std::atomic<int> runs{0};

 private:
  grpc::Status Answer(const grpc::ServerContext& ctx, tv1::GuardedResponse* resp) {
    ++runs;
    const Caller caller = CallerFrom(ctx);
    resp->set_principal(caller.principal);
    resp->set_participant_id(caller.participant_id);
    return grpc::Status::OK;
  }
};

struct Fixture {
  explicit Fixture(std::string secret)
      : server(testing::StartTestServer(testing::TestServerOptions("guarded", {&impl}, secret))),
        channel(
            grpc::CreateChannel(testing::AddressOf(*server), grpc::InsecureChannelCredentials())),
        stub(tv1::GuardedService::NewStub(channel)) {}
  GuardedImpl impl;
  std::unique_ptr<Server> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<tv1::GuardedService::Stub> stub;
};

// An identity as the gateway sends it, signed for `method` with `secret`.
void Identify(grpc::ClientContext& ctx, const std::string& principal, const std::string& roles,
              const std::string& participant, const std::string& method,
              const std::string& secret = kSecret) {
  ctx.AddMetadata(kPrincipalHeader, principal);
  ctx.AddMetadata(kRolesHeader, roles);
  if (!participant.empty()) ctx.AddMetadata(kParticipantHeader, participant);
  ctx.AddMetadata(kIdentitySigHeader, SignIdentity(secret, principal, roles, participant, method));
}

TEST_CASE("a signed caller holding an allowed role reaches the handler as sent") {
  Fixture f(kSecret);
  grpc::ClientContext ctx;
  Identify(ctx, "user:ops", "ROLE_AUDITOR", "", kForStaff);
  tv1::GuardedRequest req;
  tv1::GuardedResponse resp;
  grpc::Status st = f.stub->ForStaff(&ctx, req, &resp);
  REQUIRE(st.ok());
  CHECK(resp.principal() == "user:ops");
  CHECK(f.impl.runs == 1);
}

TEST_CASE("an unsigned identity is refused before the handler runs") {
  Fixture f(kSecret);
  grpc::ClientContext ctx;
  ctx.AddMetadata(kPrincipalHeader, "user:mallory");
  ctx.AddMetadata(kRolesHeader, "ROLE_ADMIN,ROLE_OPERATOR");
  tv1::GuardedResponse resp;
  grpc::Status st = f.stub->ForStaff(&ctx, tv1::GuardedRequest(), &resp);
  CHECK(st.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK_THAT(st.error_message(), Catch::Contains("signed by the gateway"));
  CHECK(f.impl.runs == 0);
}

TEST_CASE("a call without any identity is refused, not treated as the system") {
  Fixture f(kSecret);
  grpc::ClientContext ctx;
  tv1::GuardedResponse resp;
  grpc::Status st = f.stub->ForStaff(&ctx, tv1::GuardedRequest(), &resp);
  CHECK(st.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(f.impl.runs == 0);
}

TEST_CASE("forged and tampered identities are refused") {
  Fixture f(kSecret);
  tv1::GuardedResponse resp;
  SECTION("signed with another secret") {
    grpc::ClientContext ctx;
    Identify(ctx, "user:ops", "ROLE_OPERATOR", "", kForStaff,
             "another-secret-another-secret-another");
    CHECK(f.stub->ForStaff(&ctx, tv1::GuardedRequest(), &resp).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
  }
  SECTION("a participant scope dropped after signing") {
    grpc::ClientContext ctx;
    const std::string roles = "ROLE_OPERATOR";
    ctx.AddMetadata(kPrincipalHeader, "user:p");
    ctx.AddMetadata(kRolesHeader, roles);
    ctx.AddMetadata(kIdentitySigHeader, SignIdentity(kSecret, "user:p", roles, "P-1", kForStaff));
    CHECK(f.stub->ForStaff(&ctx, tv1::GuardedRequest(), &resp).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
  }
  SECTION("a role added after signing") {
    grpc::ClientContext ctx;
    ctx.AddMetadata(kPrincipalHeader, "user:p");
    ctx.AddMetadata(kRolesHeader, "ROLE_PARTICIPANT_USER,ROLE_OPERATOR");
    ctx.AddMetadata(kParticipantHeader, "P-1");
    ctx.AddMetadata(kIdentitySigHeader,
                    SignIdentity(kSecret, "user:p", "ROLE_PARTICIPANT_USER", "P-1", kForStaff));
    CHECK(f.stub->ForStaff(&ctx, tv1::GuardedRequest(), &resp).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
  }
  SECTION("headers signed for another method (replay)") {
    grpc::ClientContext ctx;
    Identify(ctx, "user:ops", "ROLE_OPERATOR", "", "/gridbill.testing.v1.GuardedService/ForAnyone");
    CHECK(f.stub->ForStaff(&ctx, tv1::GuardedRequest(), &resp).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
  }
  SECTION("the principal sent twice") {
    grpc::ClientContext ctx;
    Identify(ctx, "user:ops", "ROLE_OPERATOR", "", kForStaff);
    ctx.AddMetadata(kPrincipalHeader, "user:other");
    CHECK(f.stub->ForStaff(&ctx, tv1::GuardedRequest(), &resp).error_code() ==
          grpc::StatusCode::UNAUTHENTICATED);
  }
  CHECK(f.impl.runs == 0);
}

TEST_CASE("a signed caller without an allowed role is PERMISSION_DENIED") {
  Fixture f(kSecret);
  grpc::ClientContext ctx;
  Identify(ctx, "user:p", "ROLE_PARTICIPANT_USER", "P-1", kForStaff);
  tv1::GuardedResponse resp;
  grpc::Status st = f.stub->ForStaff(&ctx, tv1::GuardedRequest(), &resp);
  CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK_THAT(st.error_message(), Catch::Contains("ROLE_OPERATOR,ROLE_AUDITOR"));
  CHECK(f.impl.runs == 0);
}

TEST_CASE("a method that declares no policy is closed when identity is verified") {
  Fixture f(kSecret);
  grpc::ClientContext ctx;
  Identify(ctx, "user:admin", "ROLE_ADMIN", "", "/gridbill.testing.v1.GuardedService/Undeclared");
  tv1::GuardedResponse resp;
  grpc::Status st = f.stub->Undeclared(&ctx, tv1::GuardedRequest(), &resp);
  CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
  CHECK(f.impl.runs == 0);
}

TEST_CASE("public methods and health probes need no identity") {
  Fixture f(kSecret);
  {
    grpc::ClientContext ctx;
    tv1::GuardedResponse resp;
    CHECK(f.stub->ForAnyone(&ctx, tv1::GuardedRequest(), &resp).ok());
  }
  auto health = grpc::health::v1::Health::NewStub(f.channel);
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckResponse resp;
  REQUIRE(health->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &resp).ok());
  CHECK(resp.status() == grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_CASE("without an identity secret the identity is trusted as sent") {
  Fixture f("");
  grpc::ClientContext ctx;
  ctx.AddMetadata(kPrincipalHeader, "user:local");
  ctx.AddMetadata(kParticipantHeader, "P-9");
  tv1::GuardedResponse resp;
  REQUIRE(f.stub->Undeclared(&ctx, tv1::GuardedRequest(), &resp).ok());
  CHECK(resp.principal() == "user:local");
  CHECK(resp.participant_id() == "P-9");
}

TEST_CASE("a trusted tool's signing channel is accepted for the method it calls") {
  Fixture f(kSecret);
  auto channel = CreateIdentitySigningChannel(absl::StrCat("127.0.0.1:", f.server->grpc_port()),
                                              grpc::InsecureChannelCredentials(), kSecret);
  auto stub = tv1::GuardedService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.AddMetadata(kPrincipalHeader, "user:cli");
  ctx.AddMetadata(kRolesHeader, "ROLE_OPERATOR");
  tv1::GuardedResponse resp;
  REQUIRE(stub->ForStaff(&ctx, tv1::GuardedRequest(), &resp).ok());
  CHECK(resp.principal() == "user:cli");
  // Signed with the wrong secret it is refused like any forgery.
  auto wrong = tv1::GuardedService::NewStub(CreateIdentitySigningChannel(
      absl::StrCat("127.0.0.1:", f.server->grpc_port()), grpc::InsecureChannelCredentials(),
      "not-the-secret-not-the-secret-not-the"));
  grpc::ClientContext ctx2;
  ctx2.AddMetadata(kPrincipalHeader, "user:cli");
  ctx2.AddMetadata(kRolesHeader, "ROLE_OPERATOR");
  CHECK(wrong->ForStaff(&ctx2, tv1::GuardedRequest(), &resp).error_code() ==
        grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("identity_secret is read from the config and must be long enough") {
  auto good = ConfigSource::FromText("identity_secret = 0123456789abcdef0123456789abcdef\n");
  REQUIRE(good.ok());
  auto config = ServerConfig::Load(*good, "x", 1, 2);
  REQUIRE(config.ok());
  CHECK(config->identity_secret == "0123456789abcdef0123456789abcdef");
  auto short_secret = ConfigSource::FromText("identity_secret = short\n");
  REQUIRE(short_secret.ok());
  auto refused = ServerConfig::Load(*short_secret, "x", 1, 2);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(std::string(refused.status().message()), Catch::Contains("identity_secret"));
  auto none = ConfigSource::FromText("");
  REQUIRE(none.ok());
  CHECK(ServerConfig::Load(*none, "x", 1, 2)->identity_secret.empty());
}

}  // namespace
}  // namespace gridbill
