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

#include "auth.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "policy.h"

namespace gridbill::gateway {

// Credentials a call may carry.
inline constexpr char kApiKeyHeader[] = "x-api-key";
inline constexpr char kAuthorizationHeader[] = "authorization";

class Proxy final : public grpc::CallbackGenericService {
 public:
  // `backends`: backend name (ServiceRoute::backend) -> channel.
  Proxy(const PolicyTable& table, Authenticator& auth,
        std::map<std::string, std::shared_ptr<grpc::Channel>> backends,
        std::string identity_secret);

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
};

// The front door's gRPC server: the proxy for every routed method, plus the
// standard health service. TLS is a next step (insecure credentials today).
struct FrontDoor {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};
absl::StatusOr<FrontDoor> StartFrontDoor(const std::string& address, int64_t max_message_bytes,
                                         Proxy& proxy);

}  // namespace gridbill::gateway
