#include "web_server.h"

#include <sys/socket.h>

#include <httplib.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/server.h"
#include "grpc_web.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "proxy.h"

namespace gridbill::gateway {
namespace {

// Request headers that become gRPC metadata of the bridged call: the
// credentials and tracing. Everything else (x-gridbill-* above all) stays.
constexpr const char* kBridgedHeaders[] = {kAuthorizationHeader, kApiKeyHeader, kRequestIdHeader,
                                           "traceparent", "tracestate"};
// What a browser may send cross-origin (CORS preflight).
constexpr char kAllowedHeaders[] =
    "content-type, x-grpc-web, x-user-agent, grpc-timeout, authorization, x-api-key, "
    "x-request-id, traceparent, tracestate";
constexpr char kExposedHeaders[] =
    "grpc-status, grpc-message, grpc-status-details-bin, retry-after-ms";

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// One bridged call: writes the request messages, then hands the response
// messages one at a time to the HTTP side (the next backend read starts
// when the previous message was taken: a slow browser holds the stream
// back instead of filling memory).
class WebCall final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit WebCall(std::vector<std::string> messages) {
    for (std::string& m : messages) {
      grpc::Slice slice(m);
      requests_.emplace_back(&slice, 1);
    }
  }

  void Start(grpc::GenericStub& stub, const std::string& method) {
    stub.PrepareBidiStreamingCall(&ctx_, method, grpc::StubOptions(), this);
    // Reads after the first are started by the HTTP side (Next), outside
    // this reactor's callbacks: the hold keeps the call from finishing in
    // between; released at the end of the stream or by Close.
    {
      absl::MutexLock lock(&mu_);
      held_ = true;
    }
    AddHold();
    StartRead(&response_);
    if (requests_.empty()) {
      StartWritesDone();
    } else {
      StartWrite(&requests_[0]);
    }
    StartCall();
  }

  grpc::ClientContext& context() { return ctx_; }

  void OnWriteDone(bool ok) override {
    if (ok && ++next_ < requests_.size()) {
      StartWrite(&requests_[next_]);
    } else {
      StartWritesDone();
    }
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Release();
      return;
    }
    absl::MutexLock lock(&mu_);
    ready_ = Flatten(response_);
  }

  void OnDone(const grpc::Status& status) override {
    std::vector<std::pair<std::string, std::string>> trailers;
    for (const auto& [key, value] : ctx_.GetServerTrailingMetadata()) {
      if (key == kRetryAfterMsHeader) {
        trailers.emplace_back(std::string(key.data(), key.size()),
                              std::string(value.data(), value.size()));
      }
    }
    absl::MutexLock lock(&mu_);
    trailers_ = std::move(trailers);
    status_ = status;
  }

  // The next response message, or nullopt when the call is over (status()).
  std::optional<std::string> Next() {
    std::optional<std::string> out;
    bool more = false;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WebCall* c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->mu_) {
            return c->ready_.has_value() || c->status_.has_value();
          },
          this));
      if (!ready_) return std::nullopt;
      out = std::move(ready_);
      ready_.reset();
      more = held_;
    }
    if (more) StartRead(&response_);
    return out;
  }

  // The trailer frame of the finished call.
  std::string TrailerFrame() {
    absl::MutexLock lock(&mu_);
    return EncodeTrailerFrame(WithStandardDetails(*status_), trailers_);
  }

  // Cancels a call still running and waits for its end (the reactor must
  // outlive gRPC's use of it).
  void Close() {
    ctx_.TryCancel();
    Release();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](WebCall* c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->mu_) { return c->status_.has_value(); },
        this));
  }

 private:
  void Release() {
    {
      absl::MutexLock lock(&mu_);
      if (!held_) return;
      held_ = false;
    }
    RemoveHold();
  }

  grpc::ClientContext ctx_;
  std::vector<grpc::ByteBuffer> requests_;
  size_t next_ = 0;
  grpc::ByteBuffer response_;
  absl::Mutex mu_;
  std::optional<std::string> ready_ ABSL_GUARDED_BY(mu_);
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> status_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<std::string, std::string>> trailers_ ABSL_GUARDED_BY(mu_);
};

bool OriginAllowed(const std::vector<std::string>& allowed, const std::string& origin) {
  for (const std::string& a : allowed) {
    if (a == "*" || a == origin) return true;
  }
  return false;
}

std::string ContentTypeFor(WebEncoding encoding) {
  return encoding == WebEncoding::kText ? "application/grpc-web-text+proto"
                                        : "application/grpc-web+proto";
}

// The response body of a finished unary call: its message (when OK) and
// the trailer frame, each piece base64'd on its own for the text encoding.
std::string UnaryBody(WebEncoding enc, const grpc::Status& status, const std::string* message,
                      const std::vector<std::pair<std::string, std::string>>& trailers) {
  std::string body;
  if (message != nullptr) {
    const std::string frame = EncodeMessageFrame(*message);
    body = enc == WebEncoding::kText ? EncodeWebText(frame) : frame;
  }
  const std::string trailer = EncodeTrailerFrame(WithStandardDetails(status), trailers);
  body += enc == WebEncoding::kText ? EncodeWebText(trailer) : trailer;
  return body;
}

// A unary call through the proxy's Passage and on to the backend, blocking
// this HTTP worker (the calling thread drives the call: no hand-off).
std::string ServeUnary(Passage& passage, const httplib::Request& req, WebEncoding enc,
                       const std::vector<std::string>& messages,
                       std::optional<std::chrono::system_clock::time_point> deadline) {
  std::vector<std::pair<std::string, std::string>> trailers;
  auto header = [&req](const char* key) -> std::optional<std::string_view> {
    auto it = req.headers.find(key);
    if (it == req.headers.end()) return std::nullopt;
    return std::string_view(it->second);
  };
  Presented presented;
  presented.api_key = header(kApiKeyHeader);
  presented.authorization = header(kAuthorizationHeader);
  if (auto id = header(kRequestIdHeader)) presented.request_id = std::string(*id);
  presented.client_host = req.remote_addr;
  presented.transport = "grpc-web";
  grpc::Status status;
  std::string reply;
  if (absl::Status st = passage.Admit(presented); !st.ok()) {
    if (passage.retry_after_ms() > 0) {
      trailers.emplace_back(kRetryAfterMsHeader, absl::StrCat(passage.retry_after_ms()));
    }
    status = ToGrpc(st);
  } else if (messages.size() != 1) {
    status = grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("body: ", passage.policy().full_method,
                     " takes exactly one request message; the body holds ", messages.size()));
  } else if (absl::Status st = passage.Inspect(messages[0], /*first=*/true); !st.ok()) {
    status = ToGrpc(st);
  } else {
    grpc::ClientContext ctx;
    if (deadline) ctx.set_deadline(*deadline);
    for (const char* key : {kRequestIdHeader, "traceparent", "tracestate"}) {
      if (auto value = header(key)) ctx.AddMetadata(key, std::string(*value));
    }
    passage.Sign(ctx);
    grpc::Slice slice(messages[0]);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    status = grpc::internal::BlockingUnaryCall(
        &passage.channel(),
        grpc::internal::RpcMethod(passage.policy().full_method.c_str(),
                                  grpc::internal::RpcMethod::NORMAL_RPC),
        &ctx, request, &response);
    if (status.ok()) reply = Flatten(response);
    for (const auto& [key, value] : ctx.GetServerTrailingMetadata()) {
      if (key == kRetryAfterMsHeader) {
        trailers.emplace_back(std::string(key.data(), key.size()),
                              std::string(value.data(), value.size()));
      }
    }
  }
  passage.Record(status);
  return UnaryBody(enc, status, status.ok() ? &reply : nullptr, trailers);
}

}  // namespace

WebServer::WebServer(WebOptions options)
    : options_(std::move(options)), http_(std::make_unique<httplib::Server>()) {}

WebServer::~WebServer() { Stop(); }

void WebServer::Stop() {
  if (http_ != nullptr && http_->is_running()) http_->stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::unique_ptr<WebServer>> WebServer::Start(WebOptions options) {
  std::unique_ptr<WebServer> web(new WebServer(std::move(options)));
  const WebOptions& o = web->options_;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  web->channel_ = o.bridge != nullptr ? o.bridge
                                      : grpc::CreateCustomChannel(
                                            o.front_door, grpc::InsecureChannelCredentials(), args);
  web->stub_ = std::make_unique<grpc::GenericStub>(web->channel_);
  web->Install();

  const size_t colon = o.address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(o.address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: web_address: \"", o.address, "\" is not host:port"));
  }
  std::string host = o.address.substr(0, colon);
  if (port == 0) {
    web->port_ = web->http_->bind_to_any_port(host);
  } else if (web->http_->bind_to_port(host, port)) {
    web->port_ = port;
  }
  if (web->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("web: cannot listen on ", o.address));
  }
  // Debian's compiled cpp-httplib listens with a backlog of 5: a burst of new
  // connections overflows it and browsers see resets or a 1 s SYN retry.
  // listen() again on the bound socket widens the queue.
  if (web->listen_fd_ >= 0) ::listen(web->listen_fd_, SOMAXCONN);
  httplib::Server* http = web->http_.get();
  web->thread_ = std::thread([http] { http->listen_after_bind(); });
  return web;
}

void WebServer::Install() {
  httplib::Server& http = *http_;
  const int threads = options_.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(static_cast<size_t>(options_.max_request_bytes));
  http.set_read_timeout(std::chrono::seconds(30));
  // Frames are small writes: without this, Nagle and delayed ACKs add ~40 ms.
  http.set_tcp_nodelay(true);
  // Keep a browser's connection for many calls (the default closes it after
  // 5 requests, so each few calls paid a new TCP connection).
  http.set_keep_alive_max_count(100000);
  http.set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd_ = static_cast<int>(sock);
  });

  // CORS on every response to an allowed origin.
  http.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const std::string origin = req.get_header_value("Origin");
    if (!origin.empty() && OriginAllowed(options_.cors_origins, origin)) {
      res.set_header("Access-Control-Allow-Origin", origin);
      res.set_header("Vary", "Origin");
      res.set_header("Access-Control-Expose-Headers", kExposedHeaders);
    }
  });
  http.Options(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string origin = req.get_header_value("Origin");
    if (origin.empty() || !OriginAllowed(options_.cors_origins, origin)) {
      res.status = 403;
      res.set_content(absl::StrCat("origin \"", origin.substr(0, 200),
                                   "\" is not allowed (gateway setting cors_origins)\n"),
                      "text/plain");
      return;
    }
    res.status = 204;
    res.set_header("Access-Control-Allow-Methods", "POST, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", kAllowedHeaders);
    res.set_header("Access-Control-Max-Age", "600");
  });
  // httplib's own refusals (413 too large, 400 bad request, 404) get a body
  // that says what happened.
  http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string why = res.status == 404 ? "not found" : "refused";
    if (res.status == 413) {
      why = absl::StrCat("the request body is larger than ", options_.max_request_bytes,
                         " bytes (gateway setting web_max_request_bytes)");
    }
    res.set_content(absl::StrCat("HTTP ", res.status, ": ", why, "\n"), "text/plain");
  });

  http.Post(R"(/([A-Za-z0-9_.]+)/([A-Za-z0-9_]+))", [this](const httplib::Request& req,
                                                           httplib::Response& res) {
    absl::StatusOr<WebEncoding> encoding = ParseContentType(req.get_header_value("Content-Type"));
    if (!encoding.ok()) {
      res.status = 415;
      res.set_content(absl::StrCat(encoding.status().message(), "\n"), "text/plain");
      return;
    }
    const WebEncoding enc = *encoding;
    res.status = 200;
    res.set_header("Content-Type", ContentTypeFor(enc));
    auto refuse = [&](const grpc::Status& status) {
      std::string body = EncodeTrailerFrame(WithStandardDetails(status));
      if (enc == WebEncoding::kText) body = EncodeWebText(body);
      res.set_content(body, ContentTypeFor(enc));
    };
    std::string decoded;
    std::string_view body = req.body;
    if (enc == WebEncoding::kText) {
      absl::StatusOr<std::string> d = DecodeWebText(req.body);
      if (!d.ok()) return refuse(ToGrpc(d.status()));
      decoded = *std::move(d);
      body = decoded;
    }
    absl::StatusOr<std::vector<std::string>> messages =
        ParseRequestFrames(body, options_.max_message_bytes);
    if (!messages.ok()) return refuse(ToGrpc(messages.status()));

    std::optional<std::chrono::system_clock::time_point> deadline;
    if (req.has_header("grpc-timeout")) {
      absl::StatusOr<int64_t> micros = ParseGrpcTimeoutMicros(req.get_header_value("grpc-timeout"));
      if (!micros.ok()) return refuse(ToGrpc(micros.status()));
      deadline = std::chrono::system_clock::now() + std::chrono::microseconds(*micros);
    }
    const std::string method = absl::StrCat("/", req.matches[1].str(), "/", req.matches[2].str());
    if (options_.proxy != nullptr) {
      Passage passage(*options_.proxy, method);
      if (const MethodPolicy* policy = options_.proxy->Route(method);
          policy == nullptr || IsUnary(*policy)) {
        res.set_content(ServeUnary(passage, req, enc, *messages, deadline), ContentTypeFor(enc));
        return;
      }
    }

    auto call = std::make_shared<WebCall>(*std::move(messages));
    grpc::ClientContext& ctx = call->context();
    ctx.AddMetadata(kTransportHeader, "grpc-web");
    if (!options_.bridge_secret.empty()) {
      ctx.AddMetadata(kBridgeHeader, options_.bridge_secret);
      ctx.AddMetadata(kClientAddressHeader, req.remote_addr);
    }
    for (const char* key : kBridgedHeaders) {
      if (req.has_header(key)) ctx.AddMetadata(key, req.get_header_value(key));
    }
    if (deadline) ctx.set_deadline(*deadline);
    call->Start(*stub_, method);

    res.set_chunked_content_provider(
        ContentTypeFor(enc),
        [call, enc](size_t /*offset*/, httplib::DataSink& sink) {
          auto send = [&](const std::string& frame) {
            if (enc == WebEncoding::kText) {
              const std::string text = EncodeWebText(frame);
              return sink.write(text.data(), text.size());
            }
            return sink.write(frame.data(), frame.size());
          };
          if (std::optional<std::string> message = call->Next()) {
            // The browser went away: stop the call (the backend sees the cancel).
            if (!send(EncodeMessageFrame(*message))) return false;
            return true;
          }
          send(call->TrailerFrame());
          sink.done();
          return true;
        },
        [call](bool /*success*/) { call->Close(); });
  });

  // Everything else is the portal.
  std::error_code ec;
  if (!options_.portal_dir.empty() && std::filesystem::is_directory(options_.portal_dir, ec)) {
    http.set_mount_point("/", options_.portal_dir);
  }
  const std::string why = options_.portal_dir.empty()
                              ? "no portal is configured (gateway setting portal_dir)"
                              : absl::StrCat("the portal is not installed: ", options_.portal_dir,
                                             " does not exist or holds no such file");
  http.Get(R"(/.*)", [why](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(absl::StrCat(why, "\n"), "text/plain");
  });
}

}  // namespace gridbill::gateway
