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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "audit.h"
#include "auth.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/rpc_metrics.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "metrics.h"
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
// Client metadata passed on to backends as is; everything else (credentials,
// and above all any x-gridbill-* identity a client made up) stays here.
inline constexpr const char* kForwardedHeaders[] = {kRequestIdHeader, "traceparent", "tracestate"};

// The bytes of a message as one string.
std::string Flatten(const grpc::ByteBuffer& buffer);

struct ProxyOptions {
  // How long a verified credential (API key or access token) is taken as
  // verified without asking the store again. This gateway forgets all it
  // cached whenever a call to its own AuthService (RevokeApiKey, SignOut,
  // ...) succeeds, so its revocations count at once; a revocation through
  // another replica, or a token's expiry, counts at most this long after
  // the fact. Zero: every call asks the store.
  absl::Duration auth_cache_ttl = absl::ZeroDuration();
  // Where every call and every refusal is counted (not owned; nullptr: not
  // counted).
  GatewayMetrics* metrics = nullptr;
};

// A method with one request and one response message.
bool IsUnary(const MethodPolicy& policy);

// What a call presents to the gateway, read by the door it came in by from
// its gRPC metadata or its HTTP headers.
struct Presented {
  std::optional<std::string_view> api_key;        // kApiKeyHeader
  std::optional<std::string_view> authorization;  // kAuthorizationHeader
  std::string request_id;                         // kRequestIdHeader
  // The caller's address: the rate-limit bucket of anonymous calls.
  std::string client_host;
  const char* transport = "grpc";  // for the audit trail
};

class Proxy;

// One call's way through the gateway, whichever door it came in by: the
// route to the backend that owns the method, the caller's identity, the
// method policy, the rate limit, the participant scope of the request
// messages, the signed identity for the backend and the audit record of the
// result. Used by one call at a time (not thread-safe).
class Passage {
 public:
  // `method`: "/package.Service/Method".
  Passage(Proxy& proxy, std::string_view method);

  // Route, authenticate, authorize the method and admit under the rate
  // limit; the refusal otherwise (retry_after_ms() tells when to retry a
  // RESOURCE_EXHAUSTED one). The call counts as started here.
  absl::Status Admit(const Presented& presented);
  // Whether a request message must be checked by Inspect: the first one of
  // a call always (audit fields, participant scope), later ones of a
  // participant-scoped caller's stream too.
  bool Inspects(bool first) const;
  // Checks a request message against the participant scope; the first one
  // also gives the audit trail its participant and request id.
  absl::Status Inspect(std::string_view message, bool first);
  // The verified identity, signed for this method, on a backend call.
  void Sign(grpc::ClientContext& backend) const;
  // The audit record, log line and metrics of the call's result.
  void Record(const grpc::Status& status);
  // Counts a refusal of the call by the gateway (not by the backend) under
  // the reason its code tells, and returns it. Admit and Inspect count
  // their own; a door calls this for a refusal of its own.
  absl::Status Refuse(absl::Status refusal);

  // After a successful Admit: the policy and the backend.
  const MethodPolicy& policy() const { return *policy_; }
  bool unary() const;
  grpc::GenericStub& stub() const { return *stub_; }
  grpc::Channel& channel() const { return *channel_; }
  int64_t retry_after_ms() const { return retry_after_ms_; }

 private:
  // Admit without the counting.
  absl::Status Check(const Presented& presented);

  Proxy& proxy_;
  const std::string_view method_;
  const absl::Time start_;
  const MethodPolicy* policy_ = nullptr;
  grpc::GenericStub* stub_ = nullptr;
  grpc::Channel* channel_ = nullptr;
  Principal who_;
  // For the audit trail.
  std::string request_id_;
  std::string participant_;
  const char* transport_ = "grpc";
  Transport door_ = Transport::kGrpc;
  // This call's series (after Admit; nullptr when not counted).
  RpcMetrics::Method* calls_ = nullptr;
  int64_t retry_after_ms_ = 0;
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

  // The caller of a call: an API key in "x-api-key" or an access token in
  // "authorization: Bearer <token>"; UNAUTHENTICATED without one.
  absl::StatusOr<Principal> Authenticate(const Presented& presented);
  absl::StatusOr<Principal> Authenticate(
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

  // The policy of a routed method, or nullptr.
  const MethodPolicy* Route(std::string_view method) const { return table_.Find(method); }

  // What this process's web bridge sends in kBridgeHeader (WebOptions).
  const std::string& bridge_secret() const { return bridge_secret_; }
  // Where calls are counted (ProxyOptions::metrics), or nullptr.
  GatewayMetrics* metrics() const { return options_.metrics; }

 private:
  friend class Passage;
  struct Backend {
    struct Connection {
      std::shared_ptr<grpc::Channel> channel;
      std::unique_ptr<grpc::GenericStub> stub;
    };
    std::vector<Connection> connections;
    std::atomic<size_t> next{0};
    Connection& Pick();
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
