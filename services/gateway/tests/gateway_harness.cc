#include "gateway_harness.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/create_channel.h"
#include "routes.h"

namespace gridbill::gateway::testing {
namespace {

::gridbill::testing::ServiceHarness::Options HarnessOptions(const GatewayOptions& options) {
  ::gridbill::testing::ServiceHarness::Options o;
  o.service_name = "gateway";
  o.max_message_bytes = 16 << 20;
  if (options.own_services) o.identity_secret = kIdentitySecret;
  return o;
}

}  // namespace

GatewayHarness::GatewayHarness(GatewayOptions options)
    : harness(GRIDBILL_GATEWAY_MIGRATIONS_DIR, HarnessOptions(options)),
      clock(options.now),
      store(harness.pool()),
      hasher(kTestArgon2),
      signer("0123456789abcdef0123456789abcdef"),
      auth(store, clock, hasher, signer, AuthSettings{}),
      options_(std::move(options)) {
  if (options_.limits) limiter = std::make_unique<RateLimiter>(*options_.limits);
  if (options_.audit) audit = std::make_unique<AuditLog>(store, *options_.audit);
  auto built =
      PolicyTable::Build(*google::protobuf::DescriptorPool::generated_pool(), SuiteRoutes());
  REQUIRE(built.ok());
  policies = *std::move(built);
}

GatewayHarness::~GatewayHarness() { Stop(); }

void GatewayHarness::Stop() {
  if (front.server) {
    front.server->Shutdown();
    front.server.reset();
  }
  harness.Stop();
}

void GatewayHarness::StartOwnServices(std::vector<grpc::Service*> services) {
  harness.Start(std::move(services));
}

void GatewayHarness::StartDoor(std::map<std::string, std::shared_ptr<grpc::Channel>> backends) {
  REQUIRE(front.server == nullptr);
  proxy = std::make_unique<Proxy>(*policies, auth, std::move(backends), kIdentitySecret,
                                  limiter.get(), audit.get(), options_.proxy);
  FrontDoorOptions door;
  door.address = "127.0.0.1:0";
  door.max_message_bytes = 16 << 20;
  door.loopback = options_.loopback;
  auto started = StartFrontDoor(door, *proxy);
  INFO(started.status().ToString());
  REQUIRE(started.ok());
  front = *std::move(started);
}

std::shared_ptr<grpc::Channel> GatewayHarness::Channel() const {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", front.port),
                             grpc::InsecureChannelCredentials());
}

std::string GatewayHarness::Key(std::vector<Role> roles, const std::string& participant) {
  ApiKey k;
  k.name = "test key";
  k.roles = std::move(roles);
  k.participant_id = participant;
  auto created = auth.CreateApiKey(Principal{"user:root", {common::v1::ROLE_ADMIN}, "", ""}, k);
  INFO(created.status().ToString());
  REQUIRE(created.ok());
  return created->secret;
}

}  // namespace gridbill::gateway::testing
