// The front door for gRPC clients: a generic service that accepts every
// routed method, authenticates the caller, authorizes by the method policy
// and forwards the raw message bytes to the owning backend (no re-encoding),
// for unary, server-, client- and bidi-streaming calls alike. Deadline and
// cancellation pass through; the verified identity goes to the backend in
// signed metadata (gridbill/server/caller.h).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "audit.h"
#include "auth.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "policy.h"
#include "rate_limit.h"

namespace gridbill::gateway {

// Credentials a call may carry.
inline constexpr char kApiKeyHeader[] = "x-api-key";
inline constexpr char kAuthorizationHeader[] = "authorization";
// Set by this process's gRPC-web bridge: the audit trail's transport, and
// the browser's address for the per-address rate limit of anonymous calls
// (every bridged call would otherwise share the bridge's one bucket). Both
// count only on a call that also carries kBridgeHeader with the proxy's
// bridge_secret(), a random value that only the bridge knows (it goes no
// further than the loopback hop: no header goes on to a backend unless
// listed); a network client's made-up ones are ignored.
inline constexpr char kTransportHeader[] = "x-gridbill-transport";
inline constexpr char kClientAddressHeader[] = "x-gridbill-client-address";
inline constexpr char kBridgeHeader[] = "x-gridbill-bridge";
// Trailing metadata of a RESOURCE_EXHAUSTED refusal: when to retry.
inline constexpr char kRetryAfterMsHeader[] = "retry-after-ms";

struct ProxyOptions {
  // How long a verified credential (API key or access token) is taken as
  // verified without asking the store again. This gateway forgets all it
  // cached whenever a call to its own AuthService (RevokeApiKey, SignOut,
  // ...) succeeds, so its revocations count at once; a revocation through
  // another replica, or a token's expiry, counts at most this long after
  // the fact. Zero: every call asks the store.
  absl::Duration auth_cache_ttl = absl::ZeroDuration();
};

class Proxy final : public grpc::CallbackGenericService {
 public:
  // `backends`: backend name (ServiceRoute::backend) -> channel.
  // `limiter` and `audit` are optional (nullptr: no rate limits, no audit
  // trail).
  Proxy(const PolicyTable& table, Authenticator& auth,
        std::map<std::string, std::shared_ptr<grpc::Channel>> backends, std::string identity_secret,
        RateLimiter* limiter = nullptr, AuditLog* audit = nullptr, ProxyOptions options = {});
  // The same with several channels per backend, used in turn: one HTTP/2
  // connection is not the bottleneck of all calls to a backend.
  Proxy(const PolicyTable& table, Authenticator& auth,
        std::map<std::string, std::vector<std::shared_ptr<grpc::Channel>>> backends,
        std::string identity_secret, RateLimiter* limiter = nullptr, AuditLog* audit = nullptr,
        ProxyOptions options = {});

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

  // The caller of a call's metadata: an API key in "x-api-key" or an access
  // token in "authorization: Bearer <token>"; UNAUTHENTICATED without one.
  absl::StatusOr<Principal> Authenticate(
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

  // What this process's web bridge sends in kBridgeHeader (WebOptions).
  const std::string& bridge_secret() const { return bridge_secret_; }

 private:
  friend class ProxyCall;
  struct Backend {
    std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
    std::atomic<size_t> next{0};
    grpc::GenericStub& Pick();
  };
  struct CachedPrincipal {
    Principal principal;
    absl::Time until;
  };
  // The store's answer for a credential, through the cache.
  absl::StatusOr<Principal> Verify(bool api_key, std::string_view credential);
  // Empties the cache (after a call to the gateway's own AuthService).
  void ForgetCredentials();

  const PolicyTable& table_;
  Authenticator& auth_;
  std::map<std::string, Backend, std::less<>> backends_;
  const std::string identity_secret_;
  RateLimiter* const limiter_;
  AuditLog* const audit_;
  const ProxyOptions options_;
  const std::string bridge_secret_;
  absl::Mutex cache_mu_;
  // Verified credentials (the full text as sent) -> who, until when.
  absl::flat_hash_map<std::string, CachedPrincipal> cache_ ABSL_GUARDED_BY(cache_mu_);
};

// The front door's gRPC server: the proxy for every routed method, plus the
// standard health service; TLS when a certificate and key are configured.
// The gRPC-web bridge of this process reaches it on a plaintext loopback
// port.
struct FrontDoorOptions {
  std::string address;  // grpc_address
  int64_t max_message_bytes = 16 << 20;
  // PEM files (tls_cert_file, tls_key_file): both or neither.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Also listen on 127.0.0.1:<free port> without TLS (for the web bridge).
  bool loopback = false;
};
struct FrontDoor {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  int loopback_port = 0;  // 0 unless asked for
};
absl::StatusOr<FrontDoor> StartFrontDoor(const FrontDoorOptions& options, Proxy& proxy);
absl::StatusOr<FrontDoor> StartFrontDoor(const std::string& address, int64_t max_message_bytes,
                                         Proxy& proxy);

}  // namespace gridbill::gateway
