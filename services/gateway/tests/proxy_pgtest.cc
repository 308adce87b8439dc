// The gateway in front of the real contracts service (in-process, see
// services/contracts/tests/harness.h): calls go through the front door with
// an API key, are authorized by the contracts' access options and arrive at
// the service with the caller's identity.
#include <httplib.h>
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>

#include "../pg_store.h"  // not contracts' pg_store.h (both are on the path)
#include "absl/strings/str_cat.h"
#include "auth.h"
#include "gateway_harness.h"
#include "google/protobuf/descriptor.h"
#include "google/rpc/status.pb.h"
#include "gridbill/server/grpc_status.h"
#include "grpc_web.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "harness.h"
#include "policy.h"
#include "proxy.h"
#include "routes.h"
#include "web_response.h"
#include "web_server.h"

namespace gridbill::gateway {
namespace {

namespace cv1 = ::gridbill::contracts::v1;
using contracts::testing::Harness;

using testing::kIdentitySecret;

testing::GatewayOptions ProxyOptionsOf(RateLimits limits) {
  testing::GatewayOptions o;
  o.limits = limits;
  o.audit = AuditSettings{absl::Milliseconds(20), 100, 10000};
  return o;
}

// The gateway in front of the contracts harness; metering's and the
// gateway's own backends are not started (their calls fail UNAVAILABLE),
// balance and invoicing are left out (the same).
class Gateway : public testing::GatewayHarness {
 public:
  explicit Gateway(Harness& contracts, RateLimits limits = {})
      : GatewayHarness(ProxyOptionsOf(limits)) {
    std::map<std::string, std::shared_ptr<grpc::Channel>> backends;
    backends[kBackendContracts] =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", contracts.server->grpc_port()),
                            grpc::InsecureChannelCredentials());
    backends[kBackendMetering] =
        grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
    backends[kBackendGateway] = backends[kBackendMetering];
    StartDoor(std::move(backends));
    channel = Channel();
    participants = cv1::ParticipantService::NewStub(channel);
    contracts_stub = cv1::ContractService::NewStub(channel);
  }

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

TEST_CASE(
    "through the gateway: a caller over its rate limit gets RESOURCE_EXHAUSTED with a retry time") {
  Harness contracts;
  Gateway gw(contracts, RateLimits{.principal = {1, 2}, .method = {}});
  const std::string key = gw.Key({common::v1::ROLE_OPERATOR});
  const std::string other = gw.Key({common::v1::ROLE_OPERATOR});
  cv1::ListParticipantsRequest req;
  cv1::ListParticipantsResponse resp;
  REQUIRE_OK(
      Call(*gw.participants, &cv1::ParticipantService::Stub::ListParticipants, req, &resp, key));
  REQUIRE_OK(
      Call(*gw.participants, &cv1::ParticipantService::Stub::ListParticipants, req, &resp, key));
  grpc::ClientContext ctx;
  ctx.AddMetadata(kApiKeyHeader, key);
  grpc::Status st = gw.participants->ListParticipants(&ctx, req, &resp);
  REQUIRE(st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK_THAT(st.error_message(), Catch::Contains("retry after"));
  auto retry = ctx.GetServerTrailingMetadata().find(kRetryAfterMsHeader);
  REQUIRE(retry != ctx.GetServerTrailingMetadata().end());
  const int ms = std::stoi(std::string(retry->second.data(), retry->second.size()));
  CHECK(ms > 0);
  CHECK(ms <= 1000);
  // The reason travels in the status details too.
  const std::optional<common::v1::ErrorDetails> details = ErrorDetailsOf(st);
  REQUIRE(details.has_value());
  CHECK(details->reason() == "RATE_LIMITED");
  // Another caller is not held back.
  REQUIRE_OK(
      Call(*gw.participants, &cv1::ParticipantService::Stub::ListParticipants, req, &resp, other));
}

TEST_CASE(
    "through the gateway: a service's field error arrives as a google.rpc.Status with "
    "ErrorDetails") {
  Harness contracts;
  Gateway gw(contracts);
  const std::string key = gw.Key({common::v1::ROLE_OPERATOR});
  const int64_t before = contracts.CountRows("participants");
  cv1::CreateParticipantRequest create;
  create.set_request_id("req-gw-details");
  create.mutable_participant()->set_bin(contracts::testing::MakeBin(9));
  create.mutable_participant()->set_short_name("No roles");
  create.mutable_participant()->set_legal_name("АО «No roles»");
  cv1::CreateParticipantResponse created;
  const grpc::Status st = Call(*gw.participants, &cv1::ParticipantService::Stub::CreateParticipant,
                               create, &created, key);
  REQUIRE(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(st.error_message() == "participant.roles: at least one role required");
  // grpc-status-details-bin as any gRPC client's rich-error model reads it.
  google::rpc::Status rich;
  REQUIRE(rich.ParseFromString(st.error_details()));
  CHECK(rich.code() == static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  CHECK(rich.message() == st.error_message());
  REQUIRE(rich.details_size() == 1);
  CHECK(rich.details(0).type_url() == "type.googleapis.com/gridbill.common.v1.ErrorDetails");
  common::v1::ErrorDetails details;
  REQUIRE(rich.details(0).UnpackTo(&details));
  REQUIRE(details.violations_size() == 1);
  CHECK(details.violations(0).field() == "participant.roles");
  CHECK(details.violations(0).description() == "at least one role required");
  // The helper reads the same.
  const std::optional<common::v1::ErrorDetails> read = ErrorDetailsOf(st);
  REQUIRE(read.has_value());
  CHECK(read->violations(0).field() == "participant.roles");
  // Nothing was written.
  CHECK(contracts.CountRows("participants") == before);
}

TEST_CASE("through the gateway: every call lands in the audit trail") {
  Harness contracts;
  Gateway gw(contracts);
  const std::string op_key = gw.Key({common::v1::ROLE_OPERATOR});
  const std::string key_principal = "key:" + op_key.substr(4, op_key.find('.') - 4);
  const cv1::Participant a = contracts.CreateParticipant(1);
  const std::string a_key = gw.Key({common::v1::ROLE_PARTICIPANT_USER}, a.id());

  cv1::CreateParticipantRequest create;
  create.set_request_id("req-audit-1");
  create.mutable_participant()->set_bin(contracts::testing::MakeBin(8));
  create.mutable_participant()->set_short_name("Audited");
  create.mutable_participant()->set_legal_name("АО «Audited»");
  create.mutable_participant()->add_roles(cv1::PARTICIPANT_ROLE_CONSUMER);
  cv1::CreateParticipantResponse created;
  REQUIRE_OK(Call(*gw.participants, &cv1::ParticipantService::Stub::CreateParticipant, create,
                  &created, op_key));
  cv1::GetParticipantRequest get;
  get.set_id(created.participant().id());
  cv1::GetParticipantResponse got;
  REQUIRE_GRPC(
      Call(*gw.participants, &cv1::ParticipantService::Stub::GetParticipant, get, &got, a_key),
      grpc::StatusCode::PERMISSION_DENIED, "may not access");
  gw.audit->Flush();

  AuditQuery query;
  query.principal = key_principal;
  auto mine = gw.store.ListAuditEntries(query);
  REQUIRE(mine.ok());
  REQUIRE(mine->size() == 1);
  const AuditEntry& e = mine->front();
  CHECK(e.method == "/gridbill.contracts.v1.ParticipantService/CreateParticipant");
  CHECK(e.request_id == "req-audit-1");
  CHECK(e.code == 0);
  CHECK(e.mutating);
  CHECK(e.transport == "grpc");
  CHECK(e.duration_us > 0);

  AuditQuery denied;
  denied.participant_id = created.participant().id();
  auto refused = gw.store.ListAuditEntries(denied);
  REQUIRE(refused.ok());
  REQUIRE(refused->size() == 1);  // the refused call, with what it asked for
  CHECK(refused->front().code == static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  CHECK_FALSE(refused->front().mutating);
}

TEST_CASE("the gRPC port speaks TLS when a certificate and key are configured") {
  Harness contracts;
  Gateway gw(contracts);
  // A self-signed certificate made by openssl for this test.
  const std::string dir =
      std::filesystem::temp_directory_path() / absl::StrCat("gridbill-tls-", getpid());
  std::filesystem::create_directories(dir);
  const std::string cert = dir + "/cert.pem";
  const std::string key = dir + "/key.pem";
  const std::string cmd = absl::StrCat(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "
      "subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout ",
      key, " -out ", cert, " >", dir, "/openssl.log 2>&1");
  REQUIRE(std::system(cmd.c_str()) == 0);

  // A proxy serves one server: a second one for the TLS door.
  std::map<std::string, std::shared_ptr<grpc::Channel>> backends;
  backends[kBackendContracts] =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", contracts.server->grpc_port()),
                          grpc::InsecureChannelCredentials());
  Proxy tls_proxy(*gw.policies, gw.auth, backends, kIdentitySecret);
  FrontDoorOptions options;
  options.address = "127.0.0.1:0";
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  auto door = StartFrontDoor(options, tls_proxy);
  REQUIRE(door.ok());
  std::ifstream in(cert);
  std::stringstream pem;
  pem << in.rdbuf();

  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = pem.str();
  auto tls = cv1::ParticipantService::NewStub(
      grpc::CreateChannel(absl::StrCat("localhost:", door->port), grpc::SslCredentials(ssl)));
  cv1::ListParticipantsRequest req;
  cv1::ListParticipantsResponse resp;
  const std::string op_key = gw.Key({common::v1::ROLE_OPERATOR});
  REQUIRE_OK(Call(*tls, &cv1::ParticipantService::Stub::ListParticipants, req, &resp, op_key));

  // A plaintext client cannot talk to the TLS port.
  auto plain = cv1::ParticipantService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", door->port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  CHECK(plain->ListParticipants(&ctx, req, &resp).error_code() == grpc::StatusCode::UNAVAILABLE);
  door->server->Shutdown();

  // Bad settings are refused with the key named.
  FrontDoorOptions half = options;
  half.tls_key_file = "";
  CHECK_THAT(std::string(StartFrontDoor(half, tls_proxy).status().message()),
             Catch::Contains("tls_key_file"));
  FrontDoorOptions missing = options;
  missing.tls_cert_file = dir + "/nope.pem";
  CHECK_THAT(std::string(StartFrontDoor(missing, tls_proxy).status().message()),
             Catch::Contains("tls_cert_file: cannot read"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("through the gateway: a routed service without a configured backend is UNAVAILABLE") {
  Harness contracts;
  Gateway gw(contracts);
  grpc::GenericStub stub(gw.channel);
  grpc::ClientContext ctx;
  ctx.AddMetadata(kApiKeyHeader, gw.Key({common::v1::ROLE_OPERATOR}));
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/gridbill.balance.v1.BalanceService/ListRuns", grpc::StubOptions(),
                 &request, &response, [&](grpc::Status st) { done.set_value(st); });
  grpc::Status st = done.get_future().get();
  CHECK(st.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK_THAT(st.error_message(), Catch::Contains("no backend for balance"));
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

namespace gridbill::gateway {
namespace {

// The web door as main.cc starts it: unary calls through the proxy straight
// to the backend, streaming ones bridged in-process to the front door.
struct WebDoor {
  explicit WebDoor(Gateway& gw) {
    WebOptions options;
    options.address = "127.0.0.1:0";
    options.bridge = gw.front.server->InProcessChannel(grpc::ChannelArguments());
    options.proxy = gw.proxy.get();
    options.threads = 4;
    auto started = WebServer::Start(std::move(options));
    REQUIRE(started.ok());
    server = *std::move(started);
    client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
    client->set_read_timeout(std::chrono::seconds(10));
  }
  // One call; the parsed body.
  WebResponse Call(const std::string& method, const std::string& body, httplib::Headers headers,
                   bool text = false) {
    auto res = client->Post(method.c_str(), headers, text ? EncodeWebText(body) : body,
                            text ? "application/grpc-web-text" : "application/grpc-web+proto");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    WebResponse out = ParseResponse(text ? DecodeTextBody(res->body) : res->body);
    REQUIRE(out.error.empty());
    return out;
  }
  std::unique_ptr<WebServer> server;
  std::unique_ptr<httplib::Client> client;
};

constexpr char kGetParticipant[] = "/gridbill.contracts.v1.ParticipantService/GetParticipant";

TEST_CASE("through the web door: the same credentials, policy and participant scope") {
  Harness contracts;
  Gateway gw(contracts);
  WebDoor web(gw);
  const cv1::Participant a = contracts.CreateParticipant(1);
  const cv1::Participant b = contracts.CreateParticipant(2);
  const std::string a_key = gw.Key({common::v1::ROLE_PARTICIPANT_USER}, a.id());

  cv1::GetParticipantRequest get;
  get.set_id(a.id());
  WebResponse own = web.Call(kGetParticipant, EncodeMessageFrame(get.SerializeAsString()),
                             {{"x-api-key", a_key}});
  CHECK(own.trailers["grpc-status"] == "0");
  REQUIRE(own.messages.size() == 1);
  cv1::GetParticipantResponse resp;
  REQUIRE(resp.ParseFromString(own.messages[0]));
  CHECK(resp.participant().id() == a.id());

  get.set_id(b.id());
  WebResponse other =
      web.Call(kGetParticipant, EncodeMessageFrame(get.SerializeAsString()), {{"x-api-key", a_key}},
               /*text=*/true);
  CHECK(other.messages.empty());
  CHECK(other.trailers["grpc-status"] == "7");
  CHECK_THAT(other.trailers["grpc-message"], Catch::Contains("may not access participant"));

  WebResponse anonymous =
      web.Call(kGetParticipant, EncodeMessageFrame(get.SerializeAsString()), {});
  CHECK(anonymous.trailers["grpc-status"] == "16");
  WebResponse forged = web.Call(kGetParticipant, EncodeMessageFrame(get.SerializeAsString()),
                                {{"x-api-key", "gbk_nosuchkey.secret"}});
  CHECK(forged.trailers["grpc-status"] == "16");

  // A unary method takes one message: two frames are refused, naming it.
  get.set_id(a.id());
  const std::string frame = EncodeMessageFrame(get.SerializeAsString());
  WebResponse two = web.Call(kGetParticipant, frame + frame, {{"x-api-key", a_key}});
  CHECK(two.trailers["grpc-status"] == "3");
  CHECK_THAT(two.trailers["grpc-message"], Catch::Contains("exactly one request message"));

  WebResponse unrouted = web.Call("/gridbill.contracts.v1.ParticipantService/NoSuchMethod", frame,
                                  {{"x-api-key", a_key}});
  CHECK(unrouted.trailers["grpc-status"] == "12");
}

TEST_CASE("through the web door: the service sees who called and the audit trail says grpc-web") {
  Harness contracts;
  Gateway gw(contracts);
  WebDoor web(gw);
  const std::string op_key = gw.Key({common::v1::ROLE_OPERATOR});
  const std::string key_principal = "key:" + op_key.substr(4, op_key.find('.') - 4);

  cv1::CreateParticipantRequest create;
  create.set_request_id("req-web-1");
  create.mutable_participant()->set_bin(contracts::testing::MakeBin(9));
  create.mutable_participant()->set_short_name("Through the web door");
  create.mutable_participant()->set_legal_name("АО «Through the web door»");
  create.mutable_participant()->add_roles(cv1::PARTICIPANT_ROLE_CONSUMER);
  WebResponse created_web =
      web.Call("/gridbill.contracts.v1.ParticipantService/CreateParticipant",
               EncodeMessageFrame(create.SerializeAsString()), {{"x-api-key", op_key}});
  REQUIRE(created_web.trailers["grpc-status"] == "0");
  REQUIRE(created_web.messages.size() == 1);
  cv1::CreateParticipantResponse created;
  REQUIRE(created.ParseFromString(created_web.messages[0]));

  cv1::ListParticipantHistoryRequest history_req;
  history_req.set_id(created.participant().id());
  cv1::ListParticipantHistoryResponse history;
  REQUIRE_OK(Call(*gw.participants, &cv1::ParticipantService::Stub::ListParticipantHistory,
                  history_req, &history, op_key));
  REQUIRE(history.entries_size() == 1);
  CHECK(history.entries(0).actor() == key_principal);

  gw.audit->Flush();
  AuditQuery query;
  query.principal = key_principal;
  query.method = "/gridbill.contracts.v1.ParticipantService/CreateParticipant";
  auto entries = gw.store.ListAuditEntries(query);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1);
  CHECK(entries->front().transport == "grpc-web");
  CHECK(entries->front().request_id == "req-web-1");
  CHECK(entries->front().participant_id.empty());
  CHECK(entries->front().code == 0);
}

TEST_CASE("through the web door: a grpc-timeout shorter than the call ends DEADLINE_EXCEEDED") {
  Harness contracts;
  Gateway gw(contracts);
  WebDoor web(gw);
  const std::string op_key = gw.Key({common::v1::ROLE_OPERATOR});
  cv1::GetParticipantRequest get;
  get.set_id(contracts.CreateParticipant(1).id());
  // 1 ns: over before the backend can answer.
  WebResponse late = web.Call(kGetParticipant, EncodeMessageFrame(get.SerializeAsString()),
                              {{"x-api-key", op_key}, {"grpc-timeout", "1n"}});
  CHECK(late.trailers["grpc-status"] == "4");
  WebResponse bad = web.Call(kGetParticipant, EncodeMessageFrame(get.SerializeAsString()),
                             {{"x-api-key", op_key}, {"grpc-timeout", "soon"}});
  CHECK(bad.trailers["grpc-status"] == "3");
  CHECK_THAT(bad.trailers["grpc-message"], Catch::Contains("grpc-timeout"));
}

}  // namespace
}  // namespace gridbill::gateway
