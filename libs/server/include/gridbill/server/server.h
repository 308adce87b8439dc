// One call to run any Gridbill service: a gRPC server with the standard
// health service and reflection, a Prometheus /metrics endpoint, one JSON log
// line per call, and graceful shutdown on SIGTERM / SIGINT. Services start
// through Bootstrap (bootstrap.h), which opens their database first.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gridbill/base/log.h"  // LogJson and friends, for every service
#include "gridbill/server/config.h"
#include "grpcpp/grpcpp.h"
#include "prometheus/registry.h"

namespace gridbill {

// A started server. Wait() blocks until a signal or Shutdown().
//
// Every call is observed by an interceptor: one JSON log line per call (at
// its end for streams) with method, code, duration, request_id (the
// request's top-level `request_id` field, else x-request-id), traceparent and
// principal; and the Prometheus series grpc_server_started_total,
// grpc_server_handled_total and grpc_server_handling_seconds labelled by
// grpc_service, grpc_method (and grpc_code). Registered services must use
// protobuf request types (no raw ByteBuffer methods).
class Server {
 public:
  struct Options {
    ServerConfig config;
    std::vector<grpc::Service*> services;  // not owned; must outlive the server
    // Called at the end of Start(), once the server is up (e.g. to print ports).
    std::function<void(const Server&)> on_started;
    // Install SIGTERM/SIGINT handlers (off in tests).
    bool handle_signals = true;
    // Count the calls in the grpc_server_* series. Off where every call
    // is counted already by whoever forwards it (the gateway's own
    // services, reached only through its proxy).
    bool count_calls = true;
    // The registry /metrics serves and the RPC series go to; Bootstrap
    // makes it before the components that register their own series. Null:
    // the server makes one.
    std::shared_ptr<prometheus::Registry> registry;
  };

  static absl::StatusOr<std::unique_ptr<Server>> Start(Options options);
  ~Server();

  // The bound gRPC port (useful with port 0) and metrics port (0 when disabled).
  int grpc_port() const;
  int metrics_port() const;
  // The registry /metrics serves (Options::registry when given).
  prometheus::Registry& registry();
  // Marks every service NOT_SERVING / SERVING in grpc.health.v1.
  void SetServing(bool serving);

  // Blocks until SIGTERM/SIGINT (when handled) or Shutdown(); then stops
  // accepting calls, lets in-flight calls finish within shutdown_grace, and returns.
  void Wait();
  // Starts a graceful shutdown from another thread.
  void Shutdown();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Wraps main(): runs `body`; a non-OK status is logged and the process exits 1
// with the message (e.g. "config: database_url: required"). Before, limits
// glibc's malloc arenas to one per core (unless MALLOC_ARENA_MAX is set).
int RunMain(std::function<absl::Status()> body);

}  // namespace gridbill
