// Rate limits of anonymous calls by the caller's real address, also for
// gRPC-web calls that the web door bridges to the front door, and the
// proxy's cache of verified credentials. The backends are not running:
// an admitted call ends UNAVAILABLE, a refused one RESOURCE_EXHAUSTED.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "../pg_store.h"  // not contracts' pg_store.h (both are on the path)
#include "absl/strings/str_cat.h"
#include "auth.h"
#include "gateway_harness.h"
#include "google/protobuf/descriptor.h"
#include "gridbill/gateway/v1/gateway.grpc.pb.h"
#include "gridbill/pgtest/pgtest.h"
#include "grpc_web.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "policy.h"
#include "proxy.h"
#include "routes.h"
#include "web_server.h"

namespace gridbill::gateway {
namespace {

namespace gv1 = ::gridbill::gateway::v1;

// One anonymous call per address per 100 s: a second one is refused.
constexpr RateLimits kOneCallEach{.principal = {0.01, 1}, .method = {}};

testing::GatewayOptions OptionsOf(RateLimits limits, ProxyOptions proxy) {
  testing::GatewayOptions o;
  o.limits = limits;
  o.proxy = proxy;
  o.loopback = true;  // the web bridge's way in, as in main.cc
  return o;
}

struct Fixture : testing::GatewayHarness {
  explicit Fixture(RateLimits limits = kOneCallEach, ProxyOptions options = {})
      : GatewayHarness(OptionsOf(limits, options)) {
    auto nowhere = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
    StartDoor({{kBackendContracts, nowhere}, {kBackendGateway, nowhere}});
  }

  // An anonymous SignIn claiming a client address, with `bridge` in
  // kBridgeHeader ("" = none).
  grpc::Status SignIn(const std::shared_ptr<grpc::Channel>& channel,
                      const std::string& claimed_address, const std::string& bridge) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata(kClientAddressHeader, claimed_address);
    if (!bridge.empty()) ctx.AddMetadata(kBridgeHeader, bridge);
    gv1::SignInRequest req;
    req.set_username("someone");
    req.set_password("a password of some length");
    gv1::SignInResponse resp;
    return gv1::AuthService::NewStub(channel)->SignIn(&ctx, req, &resp);
  }
};

// A gRPC-web SignIn over a new connection from `source` (any 127.0.0.0/8
// address is this host), with a made-up client address header; the HTTP
// response as received.
std::string WebSignIn(int port, const char* source) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  REQUIRE(inet_pton(AF_INET, source, &from.sin_addr) == 1);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
  gv1::SignInRequest req;
  req.set_username("someone");
  req.set_password("a password of some length");
  const std::string body = EncodeMessageFrame(req.SerializeAsString());
  const std::string request = absl::StrCat(
      "POST /gridbill.gateway.v1.AuthService/SignIn HTTP/1.1\r\n"
      "Host: gateway\r\n"
      "Content-Type: application/grpc-web+proto\r\n"
      "X-Gridbill-Client-Address: 198.51.100.7\r\n"
      "Connection: close\r\n"
      "Content-Length: ",
      body.size(), "\r\n\r\n", body);
  REQUIRE(write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
    response.append(buf, static_cast<size_t>(n));
  close(fd);
  return response;
}

TEST_CASE("anonymous calls bridged from the web door are limited per client address") {
  Fixture f;
  auto bridge = grpc::CreateChannel(absl::StrCat("127.0.0.1:", f.front.loopback_port),
                                    grpc::InsecureChannelCredentials());
  const std::string secret = f.proxy->bridge_secret();
  // Two browsers behind the one bridge: each its own bucket.
  CHECK(f.SignIn(bridge, "203.0.113.1", secret).error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(f.SignIn(bridge, "203.0.113.2", secret).error_code() == grpc::StatusCode::UNAVAILABLE);
  const grpc::Status again = f.SignIn(bridge, "203.0.113.1", secret);
  CHECK(again.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK_THAT(again.error_message(), Catch::Contains("peer:203.0.113.1"));
}

TEST_CASE("a client address header without the bridge's secret is ignored") {
  Fixture f;
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", f.front.port),
                                     grpc::InsecureChannelCredentials());
  CHECK(f.SignIn(channel, "203.0.113.1", "").error_code() == grpc::StatusCode::UNAVAILABLE);
  // Another made-up address, even with a guessed bridge secret, does not
  // buy another call: the bucket is the connection's address.
  const grpc::Status forged = f.SignIn(channel, "203.0.113.2", std::string(64, '0'));
  CHECK(forged.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK_THAT(forged.error_message(), Catch::Contains("peer:127.0.0.1"));
}

TEST_CASE("through the web door, two client addresses get separate buckets") {
  Fixture f;
  WebOptions options;
  options.address = "127.0.0.1:0";
  options.front_door = absl::StrCat("127.0.0.1:", f.front.loopback_port);
  options.bridge_secret = f.proxy->bridge_secret();
  SECTION("bridged to the front door") {}
  SECTION("through the proxy straight to the backend") { options.proxy = f.proxy.get(); }
  auto web = WebServer::Start(options);
  REQUIRE(web.ok());
  const int port = (*web)->port();
  // Each request claims the same made-up address in a header: not taken.
  CHECK_THAT(WebSignIn(port, "127.0.0.2"), Catch::Contains("grpc-status:14"));
  CHECK_THAT(WebSignIn(port, "127.0.0.3"), Catch::Contains("grpc-status:14"));
  const std::string refused = WebSignIn(port, "127.0.0.2");
  CHECK_THAT(refused, Catch::Contains("grpc-status:8"));
  CHECK_THAT(refused, Catch::Contains("retry-after-ms:"));
  CHECK_THAT(refused, Catch::Contains("peer:127.0.0.2"));
  (*web)->Stop();
}

TEST_CASE("a revoked API key is refused once the credential cache time has passed") {
  Fixture f(RateLimits{}, ProxyOptions{.auth_cache_ttl = absl::Milliseconds(300)});
  ApiKey key;
  key.name = "cached";
  key.roles = {common::v1::ROLE_OPERATOR};
  const Principal admin{"user:root", {common::v1::ROLE_ADMIN}, "", ""};
  auto created = f.auth.CreateApiKey(admin, key);
  REQUIRE(created.ok());
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", f.front.port),
                                     grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  auto call = [&] {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ctx.AddMetadata(kApiKeyHeader, created->secret);
    grpc::Slice empty(std::string{});  // ListParticipantsRequest{}
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, "/gridbill.contracts.v1.ParticipantService/ListParticipants",
                   grpc::StubOptions(), &request, &response,
                   [&](grpc::Status st) { done.set_value(std::move(st)); });
    return done.get_future().get();
  };
  // Verified (then cached): on to the backend, which is down.
  CHECK(call().error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(call().error_code() == grpc::StatusCode::UNAVAILABLE);
  REQUIRE(f.auth.RevokeApiKey(admin, created->key.id).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  const grpc::Status refused = call();
  CHECK(refused.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK_THAT(refused.error_message(), Catch::Contains("revoked"));
}

}  // namespace
}  // namespace gridbill::gateway
