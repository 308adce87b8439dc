// The per-call interceptor behind gridbill::Server: metrics and one log line.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "gridbill/server/rpc_metrics.h"
#include "grpcpp/support/server_interceptor.h"
#include "grpcpp/support/status.h"

namespace gridbill::internal {

// The services the server serves, filled in while the server is built
// (before the first call) and read by every call.
class ServiceTable {
 public:
  void Set(const std::vector<std::string>& services);
  std::vector<std::string> AppServices() const;

  struct Method {
    std::string service;         // "gridbill.contracts.v1.ParticipantService", or "unknown"
    std::string method;          // "GetParticipant", or "unknown"
    bool typed_request = false;  // the request is a generated protobuf message
    // The method's access policy declares it not mutating: its successful
    // calls are logged at debug (the gateway's audit trail has every call).
    bool read = false;
  };
  // Labels for a full method name "/pkg.Service/Method"; names nobody serves
  // map to "unknown" so that clients cannot grow the label sets.
  Method Lookup(std::string_view full_method) const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> services_ ABSL_GUARDED_BY(mu_);
};

class RpcObserverFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `metrics`: nullptr when another component counts the calls.
  RpcObserverFactory(std::shared_ptr<RpcMetrics> metrics,
                     std::shared_ptr<const ServiceTable> services)
      : metrics_(std::move(metrics)), services_(std::move(services)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  std::shared_ptr<RpcMetrics> metrics_;
  std::shared_ptr<const ServiceTable> services_;
};

}  // namespace gridbill::internal
