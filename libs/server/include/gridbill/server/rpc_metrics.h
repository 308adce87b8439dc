// The standard per-call series of a gRPC server, with the names and labels
// of go-grpc-prometheus that dashboards expect:
//   grpc_server_started_total{grpc_service, grpc_method}
//   grpc_server_handled_total{grpc_service, grpc_method, grpc_code}
//   grpc_server_handling_seconds{grpc_service, grpc_method, grpc_code} (histogram)
// gridbill::Server counts every call it serves in them. A component that
// serves calls its own way (the gateway's proxy) counts them with the same
// object, optionally with one more label (the gateway's `transport`).
//
// Label values must come from a bounded set: callers map names nobody
// serves to "unknown" so that clients cannot grow the label sets.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/status.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/labels.h"
#include "prometheus/registry.h"

namespace gridbill {

// "OK", "INVALID_ARGUMENT", ... (the names in grpc/status.h without the prefix).
std::string_view GrpcCodeName(grpc::StatusCode code);

class RpcMetrics {
 public:
  // `extra_label`: the name of one more label on every series, or "" for
  // none. Several RpcMetrics may share a registry (the families are shared).
  explicit RpcMetrics(prometheus::Registry& registry, std::string extra_label = "");
  RpcMetrics(const RpcMetrics&) = delete;
  RpcMetrics& operator=(const RpcMetrics&) = delete;

  // The series of one method. Each series is created on its first use
  // (prometheus-cpp's Family::Add hashes and locks); after that a call
  // costs an atomic load and the increments, no lock of this object.
  class Method {
   public:
    void Started();
    void Handled(grpc::StatusCode code, double seconds);

   private:
    friend class RpcMetrics;
    Method(RpcMetrics& owner, prometheus::Labels labels)
        : owner_(owner), labels_(std::move(labels)) {}
    struct Series {
      // Published last (release), after `seconds`.
      std::atomic<prometheus::Counter*> count{nullptr};
      prometheus::Histogram* seconds = nullptr;
    };
    // OK .. UNAUTHENTICATED; other values count as UNKNOWN.
    static constexpr size_t kCodes = 17;

    RpcMetrics& owner_;
    const prometheus::Labels labels_;  // grpc_service, grpc_method[, extra]
    std::atomic<prometheus::Counter*> started_{nullptr};
    std::array<Series, kCodes> handled_;
  };

  // The series of `service`/`method` (and the extra label's `extra`): the
  // same object for the same names, alive as long as this RpcMetrics.
  // Looking it up takes a lock; callers that know their methods up front
  // look them up once.
  Method& For(std::string_view service, std::string_view method, std::string_view extra = {});

 private:
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& handling_;
  const std::string extra_label_;
  // Creates the series of methods (Method's first uses) and the methods.
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Method>> methods_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridbill
