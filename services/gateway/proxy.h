// The front door for gRPC clients: a generic service that accepts every
// routed method, authenticates the caller, authorizes by the method policy
// and forwards the raw message bytes to the owning backend (no re-encoding),
// for unary, server-, client- and bidi-streaming calls alike. Deadline and
// cancellation pass through; the verified identity goes to the backend in
// signed metadata (gridbill/server/caller.h).
#pragma once

#include <map>
#include <memory>
#include <string>

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
// Set by this process's gRPC-web bridge (trusted from loopback only): the
// audit trail's transport.
inline constexpr char kTransportHeader[] = "x-gridbill-transport";
// Trailing metadata of a RESOURCE_EXHAUSTED refusal: when to retry.
inline constexpr char kRetryAfterMsHeader[] = "retry-after-ms";

class Proxy final : public grpc::CallbackGenericService {
 public:
  // `backends`: backend name (ServiceRoute::backend) -> channel.
  // `limiter` and `audit` are optional (nullptr: no rate limits, no audit
  // trail).
  Proxy(const PolicyTable& table, Authenticator& auth,
        std::map<std::string, std::shared_ptr<grpc::Channel>> backends, std::string identity_secret,
        RateLimiter* limiter = nullptr, AuditLog* audit = nullptr);

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

  // The caller of a call's metadata: an API key in "x-api-key" or an access
  // token in "authorization: Bearer <token>"; UNAUTHENTICATED without one.
  absl::StatusOr<Principal> Authenticate(
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

 private:
  friend class ProxyCall;
  const PolicyTable& table_;
  Authenticator& auth_;
  std::map<std::string, std::unique_ptr<grpc::GenericStub>> stubs_;
  const std::string identity_secret_;
  RateLimiter* const limiter_;
  AuditLog* const audit_;
};

// The front door's gRPC server: the proxy for every routed method, plus the
// standard health service; TLS when a certificate and key are configured,
// and a plaintext loopback port for the gRPC-web bridge of this process.
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
