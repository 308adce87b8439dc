// The gateway in front of the real contracts service (in-process, see
// services/contracts/tests/harness.h): calls go through the front door with
// an API key, are authorized by the contracts' access options and arrive at
// the service with the caller's identity.
#include <catch2/catch.hpp>

#include <future>

#include "../pg_store.h"  // not contracts' pg_store.h (both are on the path)
#include "absl/strings/str_cat.h"
#include "auth.h"
#include "gateway_fakes.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "harness.h"
#include "policy.h"
#include "proxy.h"
#include "routes.h"

namespace gridbill::gateway {
namespace {

namespace cv1 = ::gridbill::contracts::v1;
using contracts::testing::Harness;

constexpr char kIdentitySecret[] = "identity-secret-identity-secret-0";

class Gateway {
 public:
  explicit Gateway(Harness& contracts)
      : db(GRIDBILL_GATEWAY_MIGRATIONS_DIR),
        clock(absl::Now()),
        store(db.pool()),
        hasher(testing::kTestArgon2),
        signer("0123456789abcdef0123456789abcdef"),
        auth(store, clock, hasher, signer, AuthSettings{}) {
    auto built =
        PolicyTable::Build(*google::protobuf::DescriptorPool::generated_pool(), SuiteRoutes());
    REQUIRE(built.ok());
    policies = std::move(built).value();
    std::map<std::string, std::shared_ptr<grpc::Channel>> backends;
    backends[kBackendContracts] =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", contracts.server->grpc_port()),
                            grpc::InsecureChannelCredentials());
    // Not started in this test: calls routed there fail UNAVAILABLE.
    backends[kBackendMetering] =
        grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
    backends[kBackendGateway] = backends[kBackendMetering];
    proxy = std::make_unique<Proxy>(*policies, auth, std::move(backends), kIdentitySecret);
    auto door = StartFrontDoor("127.0.0.1:0", 16 << 20, *proxy);
    REQUIRE(door.ok());
    front = std::move(door).value();
    channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", front.port),
                                  grpc::InsecureChannelCredentials());
    participants = cv1::ParticipantService::NewStub(channel);
    contracts_stub = cv1::ContractService::NewStub(channel);
  }
  ~Gateway() {
    if (front.server) front.server->Shutdown();
  }

  std::string Key(std::vector<Role> roles, const std::string& participant = "") {
    ApiKey k;
    k.name = "test key";
    k.roles = std::move(roles);
    k.participant_id = participant;
    auto created = auth.CreateApiKey(Principal{"user:root", {common::v1::ROLE_ADMIN}, "", ""}, k);
    INFO(created.status().ToString());
    REQUIRE(created.ok());
    return created->secret;
  }

  pgtest::Database db;
  testing::FakeClock clock;
  PgStore store;
  PasswordHasher hasher;
  TokenSigner signer;
  Authenticator auth;
  std::unique_ptr<PolicyTable> policies;
  std::unique_ptr<Proxy> proxy;
  FrontDoor front;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<cv1::ParticipantService::Stub> participants;
  std::unique_ptr<cv1::ContractService::Stub> contracts_stub;
};

template <typename Stub, typename Req, typename Resp>
grpc::Status Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                  const Req& req, Resp* resp, const std::string& api_key) {
  grpc::ClientContext ctx;
  if (!api_key.empty()) ctx.AddMetadata(kApiKeyHeader, api_key);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  return (stub.*method)(&ctx, req, resp);
}

TEST_CASE("through the gateway: an operator's key is allowed and the service sees who called") {
  Harness contracts;
  Gateway gw(contracts);
  const std::string op_key = gw.Key({common::v1::ROLE_OPERATOR});

  cv1::CreateParticipantRequest create;
  create.set_request_id("req-gw-1");
  create.mutable_participant()->set_bin(contracts::testing::MakeBin(7));
  create.mutable_participant()->set_short_name("Through the gateway");
  create.mutable_participant()->set_legal_name("АО «Through the gateway»");
  create.mutable_participant()->add_roles(cv1::PARTICIPANT_ROLE_CONSUMER);
  cv1::CreateParticipantResponse created;
  REQUIRE_OK(Call(*gw.participants, &cv1::ParticipantService::Stub::CreateParticipant, create,
                  &created, op_key));
  CHECK(created.participant().short_name() == "Through the gateway");

  cv1::ListParticipantHistoryRequest history_req;
  history_req.set_id(created.participant().id());
  cv1::ListParticipantHistoryResponse history;
  REQUIRE_OK(Call(*gw.participants, &cv1::ParticipantService::Stub::ListParticipantHistory,
                  history_req, &history, op_key));
  REQUIRE(history.entries_size() == 1);
  // The gateway's principal for the key reached the service.
  const std::string key_id = op_key.substr(4, op_key.find('.') - 4);
  CHECK(history.entries(0).actor() == "key:" + key_id);
}

TEST_CASE("through the gateway: a participant's key sees only its own participant") {
  Harness contracts;
  Gateway gw(contracts);
  const cv1::Participant a = contracts.CreateParticipant(1);
  const cv1::Participant b = contracts.CreateParticipant(2);
  const std::string a_key = gw.Key({common::v1::ROLE_PARTICIPANT_USER}, a.id());

  cv1::GetParticipantRequest get;
  cv1::GetParticipantResponse resp;
  get.set_id(a.id());
  REQUIRE_OK(
      Call(*gw.participants, &cv1::ParticipantService::Stub::GetParticipant, get, &resp, a_key));
  CHECK(resp.participant().id() == a.id());

  get.set_id(b.id());
  REQUIRE_GRPC(
      Call(*gw.participants, &cv1::ParticipantService::Stub::GetParticipant, get, &resp, a_key),
      grpc::StatusCode::PERMISSION_DENIED, "may not access participant " + b.id());

  // A method the role may not call at all.
  cv1::CreateContractRequest contract;
  contract.set_request_id("req-gw-2");
  cv1::CreateContractResponse contract_resp;
  REQUIRE_GRPC(Call(*gw.contracts_stub, &cv1::ContractService::Stub::CreateContract, contract,
                    &contract_resp, a_key),
               grpc::StatusCode::PERMISSION_DENIED, "may not call");
  // Nothing was written by the refused call.
  CHECK(contracts.CountRows("contracts") == 0);
}

TEST_CASE("through the gateway: missing, unknown and revoked credentials are UNAUTHENTICATED") {
  Harness contracts;
  Gateway gw(contracts);
  cv1::GetParticipantRequest get;
  get.set_id("00000000-0000-0000-0000-000000000000");
  cv1::GetParticipantResponse resp;
  REQUIRE_GRPC(
      Call(*gw.participants, &cv1::ParticipantService::Stub::GetParticipant, get, &resp, ""),
      grpc::StatusCode::UNAUTHENTICATED, "no credentials");
  REQUIRE_GRPC(Call(*gw.participants, &cv1::ParticipantService::Stub::GetParticipant, get, &resp,
                    "gbk_unknown.secret"),
               grpc::StatusCode::UNAUTHENTICATED, "unknown API key");
}

TEST_CASE("through the gateway: an unrouted method is UNIMPLEMENTED") {
  Harness contracts;
  Gateway gw(contracts);
  grpc::GenericStub stub(gw.channel);
  grpc::ClientContext ctx;
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);  // an empty message (a default ByteBuffer is none)
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/gridbill.secret.v1.Hidden/Peek", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status st) { done.set_value(st); });
  grpc::Status st = done.get_future().get();
  CHECK(st.error_code() == grpc::StatusCode::UNIMPLEMENTED);
}

}  // namespace
}  // namespace gridbill::gateway
