// The gateway as its pgtests start it, written once: the shared
// ServiceHarness (a fresh database with the gateway's migrations, and the
// gateway's own services on a server when a test starts them), the
// authentication stack over its store, and the front door over a proxy of
// the suite's routes to the backends a test gives.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../pg_store.h"  // not contracts' pg_store.h (both are on the path)
#include "audit.h"
#include "auth.h"
#include "gateway_fakes.h"
#include "gridbill/testing/service_harness.h"
#include "grpcpp/grpcpp.h"
#include "policy.h"
#include "proxy.h"
#include "rate_limit.h"

namespace gridbill::gateway::testing {

// What the proxy signs the caller's identity with for the backends.
inline constexpr char kIdentitySecret[] = "identity-secret-identity-secret-0";

struct GatewayOptions {
  absl::Time now = absl::Now();  // the FakeClock's start
  // Set: the proxy limits calls by these; unset: no limiter.
  std::optional<RateLimits> limits;
  // Set: the proxy writes the audit log with these settings.
  std::optional<AuditSettings> audit;
  ProxyOptions proxy;
  bool loopback = false;  // the front door's loopback port, for the web door
  // The gateway's own services (StartOwnServices) check identities signed
  // with kIdentitySecret, as behind the front door.
  bool own_services = false;
};

class GatewayHarness {
 public:
  explicit GatewayHarness(GatewayOptions options = {});
  ~GatewayHarness();

  // Starts the gateway's own `services` (not owned) on the harness's server;
  // then harness.channel() is the "gateway" backend. Before StartDoor.
  void StartOwnServices(std::vector<grpc::Service*> services);
  // Starts the front door over a proxy of SuiteRoutes() to `backends`
  // (kBackend* -> channel); a backend left out answers UNAVAILABLE.
  void StartDoor(std::map<std::string, std::shared_ptr<grpc::Channel>> backends);
  // A channel to the front door.
  std::shared_ptr<grpc::Channel> Channel() const;
  // Shuts the front door and the own services' server down (idempotent),
  // e.g. before what they call goes.
  void Stop();
  // A new API key's secret with `roles` (scoped to `participant` when given).
  std::string Key(std::vector<Role> roles, const std::string& participant = "");

  ::gridbill::testing::ServiceHarness harness;
  FakeClock clock;
  PgStore store;
  PasswordHasher hasher;
  TokenSigner signer;
  Authenticator auth;
  std::unique_ptr<RateLimiter> limiter;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<PolicyTable> policies;
  std::unique_ptr<Proxy> proxy;
  FrontDoor front;

 private:
  GatewayOptions options_;
};

}  // namespace gridbill::gateway::testing
