// Calls from one service to another (client_call.h) against a real server
// that verifies identities: the calling service's identity is admitted by
// the identity guard, every call has its deadline, and the other service's
// failures read as the caller's, naming the service and method.
#include "gridbill/server/client_call.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gridbill/server/caller.h"
#include "gridbill/server/identity_signing.h"
#include "gridbill/server/server.h"
#include "gridbill/testing/test_server.h"
#include "gridbill/testing/v1/peer.grpc.pb.h"

namespace gridbill {
namespace {

namespace tv1 = gridbill::testing::v1;
using Stub = tv1::PeerService::Stub;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef-test";

std::string Header(const grpc::ServerContext& ctx, const char* key) {
  auto it = ctx.client_metadata().find(key);
  return it == ctx.client_metadata().end() ? "" : std::string(it->second.data(), it->second.size());
}

class PeerImpl final : public tv1::PeerService::Service {
 public:
  grpc::Status Lookup(grpc::ServerContext* ctx, const tv1::LookupRequest* req,
                      tv1::LookupResponse* resp) override {
    if (req->millis() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(req->millis()));
    if (req->code() != 0) {
      return grpc::Status(static_cast<grpc::StatusCode>(req->code()), "no such thing 7");
    }
    resp->set_principal(Header(*ctx, kPrincipalHeader));
    resp->set_roles(Header(*ctx, kRolesHeader));
    resp->set_api_key(Header(*ctx, "x-api-key"));
    resp->set_page_size(req->page_size());
    // Three pages: "", "2", "3".
    resp->set_page(req->page_token());
    if (req->page_token().empty()) resp->set_next_page_token("2");
    if (req->page_token() == "2") resp->set_next_page_token("3");
    return grpc::Status::OK;
  }
  grpc::Status CountUp(grpc::ServerContext*, const tv1::CountUpRequest* req,
                       grpc::ServerWriter<tv1::CountUpResponse>* writer) override {
    for (int i = 1; i <= req->count(); ++i) {
      tv1::CountUpResponse r;
      r.set_value(i);
      if (!writer->Write(r)) break;
    }
    return grpc::Status::OK;
  }
};

// A server that verifies identities with `secret`, and a channel to it
// that signs with `channel_secret`.
struct Fixture {
  explicit Fixture(std::string secret = kSecret, std::string channel_secret = kSecret)
      : server(testing::StartTestServer(testing::TestServerOptions("peer", {&impl}, secret))),
        stub(tv1::PeerService::NewStub(CreateIdentitySigningChannel(
            testing::AddressOf(*server), grpc::InsecureChannelCredentials(), channel_secret))) {}
  PeerImpl impl;
  std::unique_ptr<Server> server;
  std::unique_ptr<Stub> stub;
};

const PeerCaller kAuditor(CallIdentity::Service("reporting", Role::kAuditor), absl::Seconds(10));

TEST_CASE("a service's call carries its identity, which the other's identity guard admits") {
  Fixture f;
  absl::StatusOr<tv1::LookupResponse> resp = kAuditor.Call(*f.stub, &Stub::Lookup, {});
  REQUIRE(resp.ok());
  CHECK(resp->principal() == "service:reporting");
  CHECK(resp->roles() == "ROLE_AUDITOR");
}

TEST_CASE("a refusal by the identity guard names the service and method") {
  SECTION("a role the method does not admit") {
    Fixture f;
    const PeerCaller balance(CallIdentity::Service("balance", Role::kIntegrationClient),
                             absl::Seconds(10));
    absl::StatusOr<tv1::LookupResponse> resp = balance.Call(*f.stub, &Stub::Lookup, {});
    CHECK(absl::IsPermissionDenied(resp.status()));
    CHECK_THAT(std::string(resp.status().message()), Catch::StartsWith("testing Lookup: "));
  }
  SECTION("a channel that signs with another secret") {
    Fixture f(kSecret, "another-secret-another-secret-another");
    absl::StatusOr<tv1::LookupResponse> resp = kAuditor.Call(*f.stub, &Stub::Lookup, {});
    CHECK(absl::IsUnauthenticated(resp.status()));
    CHECK_THAT(std::string(resp.status().message()),
               Catch::StartsWith("testing Lookup: the identity signature"));
  }
}

TEST_CASE("an API key identity is sent as x-api-key") {
  Fixture f("");
  const PeerCaller keyed(CallIdentity::ApiKey("key-123"), absl::Seconds(10));
  absl::StatusOr<tv1::LookupResponse> resp = keyed.Call(*f.stub, &Stub::Lookup, {});
  REQUIRE(resp.ok());
  CHECK(resp->api_key() == "key-123");
  CHECK(resp->principal().empty());
}

TEST_CASE("every call has the caller's deadline, and a passed deadline is UNAVAILABLE") {
  const PeerCaller quick(CallIdentity::Service("reporting", Role::kAuditor),
                         absl::Milliseconds(200));
  grpc::ClientContext ctx;
  const auto before = std::chrono::system_clock::now();
  quick.Prepare(ctx);
  CHECK(ctx.deadline() >= before + std::chrono::milliseconds(200));
  CHECK(ctx.deadline() <= std::chrono::system_clock::now() + std::chrono::milliseconds(200));

  Fixture f;
  tv1::LookupRequest slow;
  slow.set_millis(1500);
  const absl::Time start = absl::Now();
  absl::StatusOr<tv1::LookupResponse> resp = quick.Call(*f.stub, &Stub::Lookup, slow);
  CHECK(absl::Now() - start < absl::Seconds(1));
  CHECK(absl::IsUnavailable(resp.status()));
  CHECK_THAT(std::string(resp.status().message()),
             Catch::StartsWith("testing Lookup unavailable: "));
}

TEST_CASE("the other's refusal keeps its code, its other failures are UNAVAILABLE") {
  Fixture f;
  tv1::LookupRequest req;
  req.set_code(static_cast<int>(grpc::StatusCode::NOT_FOUND));
  absl::StatusOr<tv1::LookupResponse> resp = kAuditor.Call(*f.stub, &Stub::Lookup, req);
  CHECK(resp.status() == absl::NotFoundError("testing Lookup: no such thing 7"));

  req.set_code(static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  resp = kAuditor.Call(*f.stub, &Stub::Lookup, req);
  CHECK(resp.status() == absl::FailedPreconditionError("testing Lookup: no such thing 7"));

  req.set_code(static_cast<int>(grpc::StatusCode::INTERNAL));
  resp = kAuditor.Call(*f.stub, &Stub::Lookup, req);
  CHECK(resp.status() == absl::UnavailableError("testing Lookup unavailable: no such thing 7"));
}

TEST_CASE("EveryPage reads every page, 1,000 rows a page unless the request says") {
  Fixture f;
  std::vector<std::string> pages;
  std::vector<int> sizes;
  auto each = [&](const tv1::LookupResponse& page) {
    pages.push_back(page.page());
    sizes.push_back(page.page_size());
    return absl::OkStatus();
  };
  REQUIRE(kAuditor.EveryPage(*f.stub, &Stub::Lookup, tv1::LookupRequest(), each).ok());
  CHECK(pages == std::vector<std::string>{"", "2", "3"});
  CHECK(sizes == std::vector<int>{1000, 1000, 1000});

  tv1::LookupRequest failing;
  failing.set_code(static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  CHECK(absl::IsInvalidArgument(kAuditor.EveryPage(*f.stub, &Stub::Lookup, failing, each)));
}

TEST_CASE("ReadStream reads a stream to its end, and an error of the reader ends it") {
  Fixture f;
  tv1::CountUpRequest req;
  req.set_count(5);
  int sum = 0;
  REQUIRE(kAuditor
              .ReadStream(*f.stub, &Stub::CountUp, req,
                          [&](tv1::CountUpResponse& r) {
                            sum += r.value();
                            return absl::OkStatus();
                          })
              .ok());
  CHECK(sum == 15);

  int seen = 0;
  absl::Status st = kAuditor.ReadStream(*f.stub, &Stub::CountUp, req, [&](tv1::CountUpResponse&) {
    return ++seen == 2 ? absl::DataLossError("second message refused") : absl::OkStatus();
  });
  CHECK(st == absl::DataLossError("second message refused"));
  CHECK(seen == 2);
}

}  // namespace
}  // namespace gridbill
