#include "metrics.h"

#include <string>

#include "prometheus/family.h"

namespace gridbill::gateway {
namespace {

constexpr std::string_view kUnknown = "unknown";

}  // namespace

std::string_view TransportName(Transport transport) {
  return transport == Transport::kGrpcWeb ? "grpc-web" : "grpc";
}

std::string_view RejectionName(Rejection reason) {
  switch (reason) {
    case Rejection::kUnauthenticated:
      return "unauthenticated";
    case Rejection::kDenied:
      return "denied";
    case Rejection::kRateLimited:
      return "rate_limited";
    case Rejection::kUnrouted:
      return "unrouted";
    case Rejection::kInvalid:
      return "invalid";
    case Rejection::kUnavailable:
      return "unavailable";
  }
  return "unavailable";
}

GatewayMetrics::GatewayMetrics(prometheus::Registry& registry, const PolicyTable& table)
    : rpc_(registry, "transport") {
  constexpr Transport kAll[kTransports] = {Transport::kGrpc, Transport::kGrpcWeb};
  for (const auto& [full_method, policy] : table.methods()) {
    // "/package.Service/Method"
    const std::string_view name = std::string_view(full_method).substr(1);
    const size_t slash = name.find('/');
    PerTransport& per = methods_[&policy];
    for (Transport t : kAll) {
      per[static_cast<size_t>(t)] =
          &rpc_.For(name.substr(0, slash), name.substr(slash + 1), TransportName(t));
    }
  }
  for (Transport t : kAll) {
    unknown_[static_cast<size_t>(t)] = &rpc_.For(kUnknown, kUnknown, TransportName(t));
  }
  auto& family = prometheus::BuildCounter()
                     .Name("gridbill_gateway_rejected_total")
                     .Help(
                         "Calls the gateway refused itself, before or instead of the backend, "
                         "by reason and transport.")
                     .Register(registry);
  for (size_t r = 0; r < kRejections; ++r) {
    for (Transport t : kAll) {
      rejected_[r][static_cast<size_t>(t)] =
          &family.Add({{"reason", std::string(RejectionName(static_cast<Rejection>(r)))},
                       {"transport", std::string(TransportName(t))}});
    }
  }
}

RpcMetrics::Method& GatewayMetrics::Calls(const MethodPolicy* policy, Transport transport) {
  const size_t t = static_cast<size_t>(transport);
  if (policy != nullptr) {
    if (auto it = methods_.find(policy); it != methods_.end()) return *it->second[t];
  }
  return *unknown_[t];
}

void GatewayMetrics::Unreadable(const MethodPolicy* policy, Transport transport,
                                grpc::StatusCode code) {
  RpcMetrics::Method& calls = Calls(policy, transport);
  calls.Started();
  calls.Handled(code, 0);
  Rejected(Rejection::kInvalid, transport);
}

void GatewayMetrics::Rejected(Rejection reason, Transport transport) {
  rejected_[static_cast<size_t>(reason)][static_cast<size_t>(transport)]->Increment();
}

}  // namespace gridbill::gateway
