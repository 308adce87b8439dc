#include "policy.h"

#include <catch2/catch.hpp>

#include "google/protobuf/descriptor.pb.h"
#include "gridbill/contracts/v1/contracts.pb.h"
#include "routes.h"

namespace gridbill::gateway {
namespace {

namespace cv1 = ::gridbill::contracts::v1;
using google::protobuf::DescriptorPool;

const PolicyTable& Suite() {
  static const std::unique_ptr<PolicyTable> table = [] {
    auto built = PolicyTable::Build(*DescriptorPool::generated_pool(), SuiteRoutes());
    INFO(built.status().ToString());
    REQUIRE(built.ok());
    return std::move(built).value();
  }();
  return *table;
}

Principal Operator() { return Principal{"key:erp", {common::v1::ROLE_OPERATOR}, "", ""}; }
Principal ParticipantUser(const std::string& participant) {
  return Principal{"user:aliya", {common::v1::ROLE_PARTICIPANT_USER}, participant, "s1"};
}

template <typename M>
std::string Bytes(const M& message) {
  return message.SerializeAsString();
}

TEST_CASE("every method of every routed service is in the table with its policy") {
  const PolicyTable& table = Suite();
  size_t expected = 0;
  for (const ServiceRoute& route : SuiteRoutes()) {
    const auto* service = DescriptorPool::generated_pool()->FindServiceByName(route.service);
    REQUIRE(service != nullptr);
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string full = "/" + service->full_name() + "/" + service->method(i)->name();
      INFO(full);
      const MethodPolicy* policy = table.Find(full);
      REQUIRE(policy != nullptr);
      CHECK(policy->backend == route.backend);
      // Only the gateway's own sign-in methods are public.
      CHECK((policy->is_public == (route.allow_public && policy->roles.empty())));
      if (!route.allow_public) CHECK_FALSE(policy->roles.empty());
      ++expected;
    }
  }
  CHECK(table.methods().size() == expected);
  CHECK(expected > 40);
  CHECK(table.Find("/gridbill.contracts.v1.ContractService/NoSuchMethod") == nullptr);

  const MethodPolicy* create =
      table.Find("/gridbill.contracts.v1.ApplicationService/CreateApplication");
  REQUIRE(create != nullptr);
  CHECK(create->participant_field == "application.participant_id");
  CHECK(create->mutating);
  CHECK(create->backend == "contracts");
  const MethodPolicy* sign_in = table.Find("/gridbill.gateway.v1.AuthService/SignIn");
  REQUIRE(sign_in != nullptr);
  CHECK(sign_in->is_public);
  CHECK(sign_in->backend == "gateway");
}

TEST_CASE("the table refuses an unknown service and a backend method allowing no roles") {
  auto unknown = PolicyTable::Build(*DescriptorPool::generated_pool(),
                                    {{"gridbill.nothing.v1.NoService", "x", false}});
  CHECK(unknown.status().code() == absl::StatusCode::kFailedPrecondition);

  // AuthService's public methods are refused when routed as a backend's.
  auto not_public = PolicyTable::Build(*DescriptorPool::generated_pool(),
                                       {{"gridbill.gateway.v1.AuthService", "auth", false}});
  REQUIRE(not_public.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(not_public.status().message().find("SignIn allows no roles") != absl::string_view::npos);
}

TEST_CASE("the table refuses a routed method that declares no access policy") {
  // A pool with one extra file whose service has no option.
  DescriptorPool pool;
  google::protobuf::FileDescriptorProto file;
  file.set_name("test/nopolicy.proto");
  file.set_package("test.v1");
  file.set_syntax("proto3");
  auto* msg = file.add_message_type();
  msg->set_name("PingRequest");
  auto* svc = file.add_service();
  svc->set_name("PingService");
  auto* m = svc->add_method();
  m->set_name("Ping");
  m->set_input_type(".test.v1.PingRequest");
  m->set_output_type(".test.v1.PingRequest");
  REQUIRE(pool.BuildFile(file) != nullptr);
  auto built = PolicyTable::Build(pool, {{"test.v1.PingService", "test", false}});
  REQUIRE(built.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(built.status().message() ==
        "method /test.v1.PingService/Ping declares no (gridbill.common.v1.access) policy");
}

TEST_CASE("AuthorizeMethod allows exactly the declared roles") {
  const PolicyTable& table = Suite();
  const MethodPolicy& create = *table.Find("/gridbill.contracts.v1.ContractService/CreateContract");
  CHECK(AuthorizeMethod(create, Operator()).ok());
  absl::Status denied = AuthorizeMethod(create, ParticipantUser("p-1"));
  CHECK(denied.code() == absl::StatusCode::kPermissionDenied);
  CHECK(
      denied.message().find("may not call /gridbill.contracts.v1.ContractService/CreateContract") !=
      absl::string_view::npos);
  Principal nobody{"key:x", {}, "", ""};
  CHECK(AuthorizeMethod(create, nobody).code() == absl::StatusCode::kPermissionDenied);
  // Public methods admit an unauthenticated caller.
  CHECK(AuthorizeMethod(*table.Find("/gridbill.gateway.v1.AuthService/SignIn"), Principal{}).ok());
}

TEST_CASE("AuthorizeRequest compares the request's participant field with the caller's scope") {
  const PolicyTable& table = Suite();
  const MethodPolicy& get = *table.Find("/gridbill.contracts.v1.ParticipantService/GetParticipant");
  cv1::GetParticipantRequest own;
  own.set_id("p-1");
  cv1::GetParticipantRequest other;
  other.set_id("p-2");

  CHECK(AuthorizeRequest(table, get, ParticipantUser("p-1"), Bytes(own)).ok());
  absl::Status denied = AuthorizeRequest(table, get, ParticipantUser("p-1"), Bytes(other));
  CHECK(denied.code() == absl::StatusCode::kPermissionDenied);
  CHECK(denied.message() == "id: user:aliya may not access participant p-2");
  // Unscoped callers are not limited by the field.
  CHECK(AuthorizeRequest(table, get, Operator(), Bytes(other)).ok());

  SECTION("a nested path") {
    const MethodPolicy& create =
        *table.Find("/gridbill.contracts.v1.ApplicationService/CreateApplication");
    cv1::CreateApplicationRequest req;
    req.mutable_application()->set_participant_id("p-2");
    CHECK(AuthorizeRequest(table, create, ParticipantUser("p-2"), Bytes(req)).ok());
    CHECK(AuthorizeRequest(table, create, ParticipantUser("p-1"), Bytes(req)).code() ==
          absl::StatusCode::kPermissionDenied);
    // The message on the path is unset: no participant named.
    cv1::CreateApplicationRequest empty;
    CHECK(AuthorizeRequest(table, create, ParticipantUser("p-1"), Bytes(empty)).code() ==
          absl::StatusCode::kPermissionDenied);
  }
  SECTION("an empty participant filter would list everyone's data") {
    const MethodPolicy& list =
        *table.Find("/gridbill.contracts.v1.ApplicationService/ListApplications");
    cv1::ListApplicationsRequest all;
    absl::Status st = AuthorizeRequest(table, list, ParticipantUser("p-1"), Bytes(all));
    CHECK(st.code() == absl::StatusCode::kPermissionDenied);
    CHECK(st.message() == "participant_id: a participant's caller must name their own participant");
    all.set_participant_id("p-1");
    CHECK(AuthorizeRequest(table, list, ParticipantUser("p-1"), Bytes(all)).ok());
  }
  SECTION("bytes that are not the request message") {
    CHECK(AuthorizeRequest(table, get, ParticipantUser("p-1"), std::string("\xff\xff\xff", 3))
              .code() == absl::StatusCode::kInvalidArgument);
  }
  SECTION("extraction reads the field") {
    auto got = table.ExtractParticipant(get, Bytes(other));
    REQUIRE(got.ok());
    CHECK(*got == "p-2");
  }
}

}  // namespace
}  // namespace gridbill::gateway
