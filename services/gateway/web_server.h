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
//
// A browser session's refresh token lives in a cookie the page's scripts
// cannot read (kRefreshCookie: HttpOnly, SameSite=Strict, Secure when the
// door is reached over TLS, sent only to the AuthService's paths): the door
// takes it out of SignIn and Refresh answers and sets the cookie, fills an
// empty refresh_token of Refresh and SignOut from it, and clears it on
// SignOut. The access token is only ever in the message.
//
// The portal's files are answered with a Content-Security-Policy without
// inline scripts, nosniff, no framing and no referrer; hashed names under
// assets/ are cached for a year, everything else (index.html) revalidated.
// A path outside the folder, or any unusual path, is 404 without naming a
// server path.
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

// The cookie of a browser session's refresh token.
inline constexpr char kRefreshCookie[] = "gridbill_refresh";

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
  // web_cookie_secure: the door is reached over TLS (a terminating proxy in
  // front): the session cookie gets Secure. A request with
  // "X-Forwarded-Proto: https" gets it too.
  bool cookie_secure = false;
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
  bool portal_ = false;      // portal_dir is a directory
  std::string portal_root_;  // its real path (symbolic links resolved)
  absl::Mutex mu_;
  // Requests MHD has not completed yet (Stop cancels their calls).
  std::map<Exchange*, std::shared_ptr<Exchange>> live_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridbill::gateway
