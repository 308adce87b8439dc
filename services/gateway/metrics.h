// What the gateway's two doors count, for the operator's dashboard of the
// front door:
//   grpc_server_started_total{grpc_service, grpc_method, transport}
//   grpc_server_handled_total{grpc_service, grpc_method, grpc_code, transport}
//   grpc_server_handling_seconds{grpc_service, grpc_method, grpc_code, transport}
//     every proxied call (gridbill::RpcMetrics, the series of every other
//     service, with a `transport` label: "grpc" or "grpc-web"); a method
//     the gateway does not route is grpc_service="unknown",
//     grpc_method="unknown".
//   gridbill_gateway_rejected_total{reason, transport}
//     the calls the gateway refused itself, before or instead of the
//     backend: reasons in RejectionName.
// Registered once in main.cc and injected into the proxy (ProxyOptions).
// The handles of every routed method are looked up here once: a call pays
// no hashing of label values and no lock of this object.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "gridbill/server/rpc_metrics.h"
#include "policy.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace gridbill::gateway {

// The door a call came in by.
enum class Transport { kGrpc, kGrpcWeb };
inline constexpr size_t kTransports = 2;
// "grpc", "grpc-web": the label value (and the audit trail's transport).
std::string_view TransportName(Transport transport);

// Why the gateway refused a call.
enum class Rejection {
  kUnauthenticated,  // no credentials, or ones the store does not know
  kDenied,           // the caller's roles or participant scope do not allow it
  kRateLimited,      // over the caller's (or the method's) rate limit
  kUnrouted,         // the gateway routes no such method
  kInvalid,          // a request the gateway cannot read (the participant check)
  kUnavailable,      // the gateway could not check it (credential store, no backend)
};
inline constexpr size_t kRejections = 6;
// "unauthenticated", "denied", "rate_limited", "unrouted", "invalid",
// "unavailable".
std::string_view RejectionName(Rejection reason);

class GatewayMetrics {
 public:
  // Every method of `table` (which must outlive this) gets its handles here.
  GatewayMetrics(prometheus::Registry& registry, const PolicyTable& table);
  GatewayMetrics(const GatewayMetrics&) = delete;
  GatewayMetrics& operator=(const GatewayMetrics&) = delete;

  // The series of a routed method (nullptr: the one "unknown" method).
  RpcMetrics::Method& Calls(const MethodPolicy* policy, Transport transport);
  void Rejected(Rejection reason, Transport transport);
  // A call refused before any check could run, its request unreadable (a
  // malformed gRPC-web body): started, handled with the refusal's code in
  // no time, and rejected as invalid.
  void Unreadable(const MethodPolicy* policy, Transport transport, grpc::StatusCode code);

 private:
  using PerTransport = std::array<RpcMetrics::Method*, kTransports>;
  RpcMetrics rpc_;
  // Immutable after construction.
  absl::flat_hash_map<const MethodPolicy*, PerTransport> methods_;
  PerTransport unknown_{};
  // Every reason x transport, zero from the start (a rate() needs a start).
  std::array<std::array<prometheus::Counter*, kTransports>, kRejections> rejected_{};
};

}  // namespace gridbill::gateway
