// The browser door: gRPC-web over HTTP/1.1 (libmicrohttpd: a few event-loop
// threads serve every keep-alive connection; a connection waiting for its
// gRPC call is suspended, not holding a thread) on its own port,
// with CORS, request size limits and the portal's static files.
//
// A unary call goes through the proxy's Passage (the same authentication,
// method policy, participant scope, rate limit and audit trail as the gRPC
// door) and straight on to the backend, its message bytes untouched: one
// gRPC hop, no second trip through the gateway's own gRPC server. Streaming
// calls (and every call when no proxy is given) are bridged to the gRPC
// front door instead, in-process or on loopback; the bridge passes the
// browser's address (kClientAddressHeader) for the rate limit of anonymous
// calls, and a client's own header of that name is never bridged.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"

struct MHD_Daemon;

namespace gridbill::gateway {

class Proxy;

struct WebOptions {
  std::string address;  // web_address, "host:port" (port 0: pick one)
  // The gRPC front door: a channel to it (Server::InProcessChannel), or
  // else its loopback address.
  std::shared_ptr<grpc::Channel> bridge;
  std::string front_door;
  // The front door's proxy: unary calls go through it to the backend
  // directly. nullptr: every call is bridged.
  Proxy* proxy = nullptr;
  // Proxy::bridge_secret() of the front door: without it the browser's
  // address and the transport are not taken from this bridge's calls.
  std::string bridge_secret;
  int64_t max_request_bytes = 4 << 20;  // web_max_request_bytes: whole HTTP body
  int64_t max_message_bytes = 4 << 20;  // each message inside it
  std::string portal_dir;               // portal_dir: static files; "" = none
  // cors_origins: origins allowed to call from a browser page of another
  // origin ("*" = any); empty = same origin only.
  std::vector<std::string> cors_origins;
  int threads = 4;  // web_threads: HTTP event-loop threads (calls do not hold one)
};

class WebServer {
 public:
  static absl::StatusOr<std::unique_ptr<WebServer>> Start(WebOptions options);
  ~WebServer();

  int port() const { return port_; }
  // Stops accepting, cancels the calls still running and waits for the
  // HTTP threads.
  void Stop();

  struct Exchange;  // one HTTP request (web_server.cc)

 private:
  friend struct WebServerAccess;  // the HTTP library's callbacks
  explicit WebServer(WebOptions options);

  const WebOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<grpc::GenericStub> stub_;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
  bool portal_ = false;  // portal_dir is a directory
  absl::Mutex mu_;
  // Requests MHD has not completed yet (Stop cancels their calls).
  std::map<Exchange*, std::shared_ptr<Exchange>> live_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridbill::gateway
