#include "web_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/gateway/v1/gateway.pb.h"
#include "gridbill/server/access.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/server.h"
#include "grpc_web.h"
#include "proxy.h"

namespace gridbill::gateway {
namespace {

// Request headers that become gRPC metadata of a bridged call: the
// credentials and tracing. Everything else (x-gridbill-* above all) stays.
constexpr const char* kBridgedHeaders[] = {kAuthorizationHeader, kApiKeyHeader, kRequestIdHeader,
                                           "traceparent", "tracestate"};
// What a browser may send cross-origin (CORS preflight).
constexpr char kAllowedHeaders[] =
    "content-type, x-grpc-web, x-user-agent, grpc-timeout, authorization, x-api-key, "
    "x-request-id, traceparent, tracestate";
constexpr char kExposedHeaders[] =
    "grpc-status, grpc-message, grpc-status-details-bin, retry-after-ms";

// The session methods whose refresh token travels in kRefreshCookie (found
// from their request types); the browser sends the cookie to the
// AuthService's paths only.
struct SessionMethods {
  std::string sign_in, refresh, sign_out;
  std::string path;  // "/gridbill.gateway.v1.AuthService/"
};
const SessionMethods& AuthMethods() {
  static const SessionMethods* methods = [] {
    auto name = [](const google::protobuf::Descriptor& request) {
      absl::StatusOr<const google::protobuf::MethodDescriptor*> m = MethodOfRequest(request);
      return m.ok() ? FullMethodName(**m) : std::string();
    };
    auto* s = new SessionMethods{name(*v1::SignInRequest::descriptor()),
                                 name(*v1::RefreshRequest::descriptor()),
                                 name(*v1::SignOutRequest::descriptor()), ""};
    s->path = s->sign_in.substr(0, s->sign_in.rfind('/') + 1);
    return s;
  }();
  return *methods;
}

// Every answer of the portal's files (their 404s too): scripts and styles
// from the portal's own files only (no inline script), calls to this origin
// only, never inside a frame, no type sniffing, no referrer to other sites.
constexpr char kContentSecurityPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";
// Hashed assets never change under their name; everything else (index.html
// above all) is revalidated, so a new build is seen at once.
constexpr char kCacheHashed[] = "public, max-age=31536000, immutable";
constexpr char kCacheRevalidate[] = "no-cache";

void AddPortalHeaders(MHD_Response* response) {
  MHD_add_response_header(response, "Content-Security-Policy", kContentSecurityPolicy);
  MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(response, "X-Frame-Options", "DENY");
  MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(response, "Cross-Origin-Opener-Policy", "same-origin");
}

// "name-HASH.ext" under /assets/ (the build's esbuild names: 8 or more
// letters and digits after the last '-').
bool IsHashedAsset(std::string_view path) {
  if (path.substr(0, 8) != "/assets/") return false;
  const std::string_view name = path.substr(path.rfind('/') + 1);
  const size_t dash = name.rfind('-');
  const size_t dot = name.find('.', dash == std::string_view::npos ? 0 : dash);
  if (dash == std::string_view::npos || dot == std::string_view::npos || dot - dash - 1 < 8) {
    return false;
  }
  for (size_t i = dash + 1; i < dot; ++i) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(name[i]))) return false;
  }
  return true;
}

// The portal file a GET names, relative to the folder, or nullopt: plain
// names only (letters, digits, '-', '_', '.', '/'), no empty, ".", ".." or
// hidden segment. "/" and a path ending in '/' name its index.html.
std::optional<std::string> PortalPath(std::string_view url) {
  if (url.empty() || url[0] != '/' || url.size() > 512) return std::nullopt;
  std::string rel(url.substr(1));
  if (rel.empty() || rel.back() == '/') rel += "index.html";
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string::npos) end = rel.size();
    const std::string_view segment = std::string_view(rel).substr(start, end - start);
    if (segment.empty() || segment[0] == '.') return std::nullopt;
    for (const char c : segment) {
      const bool ok =
          absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      if (!ok) return std::nullopt;
    }
    start = end + 1;
  }
  return rel;
}

struct TakenToken {
  std::string token;        // "" when the answer holds none
  int64_t max_age_seconds;  // until the token expires
};

// The refresh token in a SignIn or Refresh answer: taken out of the message
// (rewritten without it) and returned with its lifetime.
TakenToken TakeRefreshToken(const std::string& method, std::string& message) {
  v1::SignInResponse signed_in;
  v1::RefreshResponse refreshed;
  google::protobuf::Message* parsed = nullptr;
  if (method == AuthMethods().sign_in) {
    parsed = &signed_in;
  } else if (method == AuthMethods().refresh) {
    parsed = &refreshed;
  }
  if (parsed == nullptr || !parsed->ParseFromString(message)) return {"", 0};
  // Only after the parse: parsing clears the message first, which frees a
  // Tokens taken from it before (AddressSanitizer: heap-use-after-free).
  v1::Tokens* tokens =
      parsed == &signed_in ? signed_in.mutable_tokens() : refreshed.mutable_tokens();
  TakenToken taken{std::move(*tokens->mutable_refresh_token()),
                   tokens->refresh_expire_time().seconds() - absl::ToUnixSeconds(absl::Now())};
  tokens->clear_refresh_token();
  message = parsed->SerializeAsString();
  return taken;
}

// A Set-Cookie value for the session cookie: the token until it expires,
// or an expired empty cookie (token "") that makes the browser drop it.
std::string SessionCookie(const std::string& token, int64_t max_age_seconds, bool secure) {
  return absl::StrCat(kRefreshCookie, "=", token, "; Path=", AuthMethods().path,
                      "; Max-Age=", token.empty() ? 0 : std::max<int64_t>(0, max_age_seconds),
                      "; HttpOnly; SameSite=Strict", secure ? "; Secure" : "");
}

// Refresh and SignOut from a browser: an empty refresh_token is taken from
// the session cookie. The message is rewritten with it.
void FillRefreshFromCookie(MHD_Connection* connection, std::string_view method,
                           std::string& message) {
  if (method != AuthMethods().refresh && method != AuthMethods().sign_out) return;
  const char* cookie = MHD_lookup_connection_value(connection, MHD_COOKIE_KIND, kRefreshCookie);
  if (cookie == nullptr || *cookie == '\0' || std::strlen(cookie) > 256) return;
  // RefreshRequest and SignOutRequest both hold the token as field 1.
  v1::RefreshRequest req;
  if (!req.ParseFromString(message) || !req.refresh_token().empty()) return;
  req.set_refresh_token(cookie);
  message = req.SerializeAsString();
}

std::string ContentTypeFor(WebEncoding encoding) {
  return encoding == WebEncoding::kText ? "application/grpc-web-text+proto"
                                        : "application/grpc-web+proto";
}

// One piece of a response body in the request's encoding (each piece
// base64'd on its own for grpc-web-text: the client decodes piece by piece).
std::string Piece(WebEncoding enc, const std::string& frame) {
  return enc == WebEncoding::kText ? EncodeWebText(frame) : frame;
}

std::optional<std::string> Header(MHD_Connection* connection, const char* key) {
  const char* value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, key);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string ClientHost(MHD_Connection* connection) {
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == nullptr || info->client_addr == nullptr) return "";
  char text[INET6_ADDRSTRLEN] = {};
  const sockaddr* addr = info->client_addr;
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, text, sizeof text);
    return text;
  }
  if (addr->sa_family == AF_INET6) {
    const in6_addr& a6 = reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
      inet_ntop(AF_INET, &a6.s6_addr[12], text, sizeof text);
      return text;
    }
    inet_ntop(AF_INET6, &a6, text, sizeof text);
    return absl::StrCat("[", text, "]");
  }
  return "";
}

// "/package.Service/Method": the gRPC method a POST names, or nullopt.
std::optional<std::string> GrpcMethodOf(std::string_view url) {
  if (url.size() < 4 || url[0] != '/') return std::nullopt;
  const size_t slash = url.find('/', 1);
  if (slash == std::string_view::npos || slash == 1 || slash + 1 == url.size()) return std::nullopt;
  for (size_t i = 1; i < url.size(); ++i) {
    const char c = url[i];
    const bool ok = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                    (c == '.' && i < slash) || i == slash;
    if (!ok) return std::nullopt;
  }
  return std::string(url);
}

const char* MimeType(const std::string& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".wasm", "application/wasm"},
      {".txt", "text/plain; charset=utf-8"},
      {".pdf", "application/pdf"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (absl::EndsWithIgnoreCase(path, ext)) return type;
  }
  return "application/octet-stream";
}

}  // namespace

// One HTTP request on the web door. MHD holds it (per-request pointer) until
// the request completes; a gRPC call made for it holds it too until the
// call is done. While the connection waits for the call it is suspended
// (no thread waits), and the call resumes it.
struct WebServer::Exchange {
  MHD_Connection* connection = nullptr;
  std::string body;
  bool too_large = false;
  bool started = false;  // a call was started or a response queued
  WebEncoding enc = WebEncoding::kBinary;

  absl::Mutex mu;
  bool suspended ABSL_GUARDED_BY(mu) = false;
  // A unary call's whole response body, once it is done.
  std::optional<std::string> answer ABSL_GUARDED_BY(mu);
  // A Set-Cookie header to send with the answer (the session cookie).
  std::string set_cookie ABSL_GUARDED_BY(mu);
  // A streamed call: bytes not yet sent, whether the call is over, and a
  // way to ask for the next message once these are sent.
  std::string pending ABSL_GUARDED_BY(mu);
  bool ended ABSL_GUARDED_BY(mu) = false;
  std::function<void()> read_next;
  // Cancels the running call (the browser went away, or the server stops).
  std::function<void()> cancel ABSL_GUARDED_BY(mu);

  // MHD's thread: wait for the call without holding a thread.
  void Suspend() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    suspended = true;
    MHD_suspend_connection(connection);
  }
  // The call's thread: there is something to send.
  void Wake() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    if (!suspended) return;
    suspended = false;
    MHD_resume_connection(connection);
  }
  void Cancel() {
    std::function<void()> c;
    {
      absl::MutexLock lock(&mu);
      c = cancel;
    }
    if (c) c();
  }
};

namespace {

using Exchange = WebServer::Exchange;

// A unary call through the proxy's Passage straight to the backend. Owned
// by itself while it runs and by the exchange's cancel function.
class UnaryCall : public std::enable_shared_from_this<UnaryCall> {
 public:
  // secure: the session cookie this call may set gets Secure.
  UnaryCall(Proxy& proxy, std::string method, std::shared_ptr<Exchange> exchange, bool secure)
      : method_(std::move(method)),
        passage_(proxy, method_),
        exchange_(std::move(exchange)),
        secure_(secure) {}

  // Checks the call and starts it; its answer (or refusal) goes to the
  // exchange.
  void Start(const std::vector<std::string>& messages,
             std::optional<std::chrono::system_clock::time_point> deadline) {
    self_ = shared_from_this();
    MHD_Connection* connection = exchange_->connection;
    auto header = [connection](const char* key) -> std::optional<std::string_view> {
      const char* v = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, key);
      if (v == nullptr) return std::nullopt;
      return std::string_view(v);
    };
    Presented presented;
    presented.api_key = header(kApiKeyHeader);
    presented.authorization = header(kAuthorizationHeader);
    if (auto id = header(kRequestIdHeader)) presented.request_id = std::string(*id);
    presented.client_host = ClientHost(connection);
    presented.transport = "grpc-web";
    grpc::Status refusal;
    if (absl::Status st = passage_.Admit(presented); !st.ok()) {
      if (passage_.retry_after_ms() > 0) {
        trailers_.emplace_back(kRetryAfterMsHeader, absl::StrCat(passage_.retry_after_ms()));
      }
      refusal = ToGrpc(st);
    } else if (messages.size() != 1) {
      refusal = ToGrpc(passage_.Refuse(absl::InvalidArgumentError(
          absl::StrCat("body: ", passage_.policy().full_method,
                       " takes exactly one request message; the body holds ", messages.size()))));
    } else if (absl::Status st = passage_.Inspect(messages[0], /*first=*/true); !st.ok()) {
      refusal = ToGrpc(st);
    }
    if (!refusal.ok()) {
      Done(refusal);
      return;
    }
    if (deadline) ctx_.set_deadline(*deadline);
    for (const char* key : kForwardedHeaders) {
      if (auto value = header(key)) ctx_.AddMetadata(key, std::string(*value));
    }
    passage_.Sign(ctx_);
    grpc::Slice slice(messages[0]);
    request_ = grpc::ByteBuffer(&slice, 1);
    {
      absl::MutexLock lock(&exchange_->mu);
      exchange_->cancel = [self = shared_from_this()] { self->ctx_.TryCancel(); };
    }
    passage_.stub().UnaryCall(&ctx_, passage_.policy().full_method, grpc::StubOptions(), &request_,
                              &response_, [this](grpc::Status status) { Done(status); });
  }

 private:
  void Done(const grpc::Status& status) {
    const std::shared_ptr<UnaryCall> keep = std::move(self_);  // until this returns
    passage_.Record(status);
    for (const auto& [key, value] : ctx_.GetServerTrailingMetadata()) {
      if (key == kRetryAfterMsHeader) {
        trailers_.emplace_back(std::string(key.data(), key.size()),
                               std::string(value.data(), value.size()));
      }
    }
    const WebEncoding enc = exchange_->enc;
    std::string body;
    std::string cookie;
    if (status.ok()) {
      std::string message = Flatten(response_);
      if (TakenToken taken = TakeRefreshToken(method_, message); !taken.token.empty()) {
        cookie = SessionCookie(taken.token, taken.max_age_seconds, secure_);
      }
      body = Piece(enc, EncodeMessageFrame(message));
    }
    // A session ended, or a refresh token the gateway no longer knows.
    if (method_ == AuthMethods().sign_out ||
        (method_ == AuthMethods().refresh &&
         status.error_code() == grpc::StatusCode::UNAUTHENTICATED)) {
      cookie = SessionCookie("", 0, secure_);
    }
    body += Piece(enc, EncodeTrailerFrame(WithStandardDetails(status), trailers_));
    std::function<void()> cancel;  // dropped outside the lock
    {
      absl::MutexLock lock(&exchange_->mu);
      cancel = std::move(exchange_->cancel);
      exchange_->cancel = nullptr;
      exchange_->answer = std::move(body);
      exchange_->set_cookie = std::move(cookie);
      exchange_->Wake();
    }
  }

  std::shared_ptr<UnaryCall> self_;
  const std::string method_;
  Passage passage_;
  std::shared_ptr<Exchange> exchange_;
  grpc::ClientContext ctx_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::vector<std::pair<std::string, std::string>> trailers_;
  const bool secure_;
};

// A call bridged to the gateway's own gRPC front door (streaming methods,
// and every method when the web door has no proxy): the request messages
// go out as they came, the response messages come back one at a time (the
// next is read once the previous one is sent, so a slow browser holds the
// stream back instead of filling memory).
class BridgedCall final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
                          public std::enable_shared_from_this<BridgedCall> {
 public:
  BridgedCall(std::vector<std::string> messages, std::shared_ptr<Exchange> exchange)
      : exchange_(std::move(exchange)) {
    for (std::string& m : messages) {
      grpc::Slice slice(m);
      requests_.emplace_back(&slice, 1);
    }
  }

  grpc::ClientContext& context() { return ctx_; }

  // Owned by itself until OnDone, and by the exchange's functions.
  void Start(grpc::GenericStub& stub, const std::string& method) {
    self_ = shared_from_this();
    {
      absl::MutexLock lock(&exchange_->mu);
      exchange_->cancel = [self = shared_from_this()] { self->Close(); };
      exchange_->read_next = [self = shared_from_this()] { self->ReadNext(); };
    }
    stub.PrepareBidiStreamingCall(&ctx_, method, grpc::StubOptions(), this);
    // Reads after the first are started from the HTTP side (ReadNext),
    // outside this reactor's callbacks: the hold keeps the call from
    // finishing in between; released at the end of the stream or by Close.
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

  void OnWriteDone(bool ok) override {
    if (ok && ++next_ < requests_.size()) {
      StartWrite(&requests_[next_]);
    } else {
      StartWritesDone();
    }
  }

  // The next response message, once the previous one is sent.
  void ReadNext() {
    absl::MutexLock lock(&mu_);
    if (held_) StartRead(&response_);
  }

  // Cancels the call (the browser went away, or the server stops).
  void Close() {
    ctx_.TryCancel();
    Release();
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Release();  // the end of the stream: OnDone follows
      return;
    }
    std::string piece = Piece(exchange_->enc, EncodeMessageFrame(Flatten(response_)));
    absl::MutexLock lock(&exchange_->mu);
    exchange_->pending += piece;
    exchange_->Wake();
  }

  void OnDone(const grpc::Status& status) override {
    std::vector<std::pair<std::string, std::string>> trailers;
    for (const auto& [key, value] : ctx_.GetServerTrailingMetadata()) {
      if (key == kRetryAfterMsHeader) {
        trailers.emplace_back(std::string(key.data(), key.size()),
                              std::string(value.data(), value.size()));
      }
    }
    std::string piece =
        Piece(exchange_->enc, EncodeTrailerFrame(WithStandardDetails(status), trailers));
    const std::shared_ptr<BridgedCall> keep = std::move(self_);  // until this returns
    std::function<void()> cancel;                                // dropped outside the lock
    std::function<void()> read_next;
    {
      absl::MutexLock lock(&exchange_->mu);
      cancel = std::move(exchange_->cancel);
      read_next = std::move(exchange_->read_next);
      exchange_->cancel = nullptr;
      exchange_->read_next = nullptr;
      exchange_->pending += piece;
      exchange_->ended = true;
      exchange_->Wake();
    }
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

  std::shared_ptr<BridgedCall> self_;
  std::shared_ptr<Exchange> exchange_;
  absl::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext ctx_;
  std::vector<grpc::ByteBuffer> requests_;
  size_t next_ = 0;
  grpc::ByteBuffer response_;
};

// The body of a bridged call's response: what the call has sent so far.
ssize_t ReadStream(void* cls, uint64_t /*pos*/, char* buf, size_t max) {
  Exchange& x = **static_cast<std::shared_ptr<Exchange>*>(cls);
  std::function<void()> read_next;
  size_t n = 0;
  {
    absl::MutexLock lock(&x.mu);
    if (x.pending.empty()) {
      if (x.ended) return MHD_CONTENT_READER_END_OF_STREAM;
      x.Suspend();  // until the call has more (legal from a content reader)
      return 0;
    }
    n = std::min(max, x.pending.size());
    x.pending.copy(buf, n);
    x.pending.erase(0, n);
    // A message is sent whole before the next is read from the backend.
    if (x.pending.empty() && !x.ended) read_next = x.read_next;
  }
  if (read_next) read_next();
  return static_cast<ssize_t>(n);
}

void FreeStream(void* cls) { delete static_cast<std::shared_ptr<Exchange>*>(cls); }

}  // namespace

// The HTTP library's callbacks, with access to the server.
struct WebServerAccess {
  static MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url,
                              const char* method, const char* version, const char* upload_data,
                              size_t* upload_data_size, void** con_cls);
  static void OnCompleted(void* cls, MHD_Connection* connection, void** con_cls,
                          MHD_RequestTerminationCode toe);
  static void OnLog(void* cls, const char* format, va_list args);
  static MHD_Result Handle(WebServer& self, Exchange& x, MHD_Connection* connection,
                           const char* url, const char* method,
                           const std::shared_ptr<Exchange>& held);
  static MHD_Result ServeFile(WebServer& self, MHD_Connection* connection, const char* url);
  static MHD_Result Respond(const WebServer& self, MHD_Connection* connection, unsigned int status,
                            const std::string& body, const std::string& content_type,
                            const std::string& set_cookie = "");
  static MHD_Result NotFound(const WebServer& self, MHD_Connection* connection);
  static void AddCors(const WebServer& self, MHD_Connection* connection, MHD_Response* response);
  static bool OriginAllowed(const WebServer& self, const std::string& origin);
};

WebServer::WebServer(WebOptions options) : options_(std::move(options)) {}

WebServer::~WebServer() { Stop(); }

absl::StatusOr<std::unique_ptr<WebServer>> WebServer::Start(WebOptions options) {
  std::unique_ptr<WebServer> web(new WebServer(std::move(options)));
  const WebOptions& o = web->options_;
  if (o.bridge != nullptr) {
    web->channel_ = o.bridge;
  } else {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);
    args.SetMaxSendMessageSize(-1);
    web->channel_ =
        grpc::CreateCustomChannel(o.front_door, grpc::InsecureChannelCredentials(), args);
  }
  web->stub_ = std::make_unique<grpc::GenericStub>(web->channel_);
  std::error_code ec;
  web->portal_ = !o.portal_dir.empty() && std::filesystem::is_directory(o.portal_dir, ec);
  if (web->portal_) {
    web->portal_root_ = std::filesystem::canonical(o.portal_dir, ec).string();
    web->portal_ = !ec;
  }
  if (!o.portal_dir.empty() && !web->portal_) {
    // Said here, in the log, and not to browsers.
    LogJson(
        "warn", "web: the portal is not installed",
        {{"portal_dir", o.portal_dir}, {"fix", "build it (portal/build.sh) or fix portal_dir"}});
  }

  const size_t colon = o.address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(o.address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: web_address: \"", o.address, "\" is not host:port"));
  }
  std::string host = o.address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = absl::StrCat(port);
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found) != 0 ||
      found == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: web_address: cannot resolve \"", host, "\""));
  }
  sockaddr_storage addr{};
  std::memcpy(&addr, found->ai_addr, found->ai_addrlen);
  const bool ipv6 = found->ai_family == AF_INET6;
  freeaddrinfo(found);

  unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME;
  if (ipv6) flags |= MHD_USE_IPv6;
  const unsigned int threads = static_cast<unsigned int>(std::max(1, o.threads));
  web->daemon_ = MHD_start_daemon(
      flags, 0, nullptr, nullptr, &WebServerAccess::OnRequest, web.get(), MHD_OPTION_SOCK_ADDR,
      reinterpret_cast<sockaddr*>(&addr), MHD_OPTION_THREAD_POOL_SIZE, threads,
      MHD_OPTION_NOTIFY_COMPLETED, &WebServerAccess::OnCompleted, web.get(),
      // Idle keep-alive connections are closed after this many seconds.
      MHD_OPTION_CONNECTION_TIMEOUT, static_cast<unsigned int>(60), MHD_OPTION_CONNECTION_LIMIT,
      static_cast<unsigned int>(10000), MHD_OPTION_LISTEN_BACKLOG_SIZE,
      static_cast<unsigned int>(SOMAXCONN), MHD_OPTION_EXTERNAL_LOGGER, &WebServerAccess::OnLog,
      web.get(), MHD_OPTION_END);
  if (web->daemon_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("web: cannot listen on ", o.address));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(web->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  web->port_ = info != nullptr ? info->port : port;
  return web;
}

void WebServer::Stop() {
  if (daemon_ == nullptr) return;
  // New connections are refused; running calls are cancelled, and MHD may
  // only stop once no connection is left suspended waiting for one.
  MHD_quiesce_daemon(daemon_);
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  for (;;) {
    std::vector<std::shared_ptr<Exchange>> live;
    {
      absl::MutexLock lock(&mu_);
      for (const auto& [raw, x] : live_) live.push_back(x);
    }
    bool waiting = false;
    for (const auto& x : live) {
      x->Cancel();
      absl::MutexLock lock(&x->mu);
      waiting = waiting || x->suspended;
    }
    if (!waiting || absl::Now() > give_up) break;
    absl::SleepFor(absl::Milliseconds(5));
  }
  MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
}

void WebServerAccess::OnLog(void* /*cls*/, const char* format, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, args);
  std::string line(absl::StripTrailingAsciiWhitespace(text));
  LogJson("warn", "web: http", {{"message", line}});
}

void WebServerAccess::OnCompleted(void* cls, MHD_Connection* /*connection*/, void** con_cls,
                                  MHD_RequestTerminationCode /*toe*/) {
  auto* self = static_cast<WebServer*>(cls);
  auto* held = static_cast<std::shared_ptr<Exchange>*>(*con_cls);
  if (held == nullptr) return;
  // The browser is gone or the answer is sent: stop a call still running.
  (*held)->Cancel();
  {
    absl::MutexLock lock(&self->mu_);
    self->live_.erase(held->get());
  }
  delete held;
  *con_cls = nullptr;
}

MHD_Result WebServerAccess::OnRequest(void* cls, MHD_Connection* connection, const char* url,
                                      const char* method, const char* /*version*/,
                                      const char* upload_data, size_t* upload_data_size,
                                      void** con_cls) {
  auto* self = static_cast<WebServer*>(cls);
  if (*con_cls == nullptr) {
    auto x = std::make_shared<Exchange>();
    x->connection = connection;
    {
      absl::MutexLock lock(&self->mu_);
      self->live_.emplace(x.get(), x);
    }
    *con_cls = new std::shared_ptr<Exchange>(std::move(x));
    return MHD_YES;
  }
  Exchange& x = **static_cast<std::shared_ptr<Exchange>*>(*con_cls);
  if (*upload_data_size > 0) {
    if (!x.too_large && x.body.size() + *upload_data_size <=
                            static_cast<size_t>(self->options_.max_request_bytes)) {
      x.body.append(upload_data, *upload_data_size);
    } else {
      x.too_large = true;
      x.body.clear();
    }
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (x.started) {
    // Resumed: a unary call's answer is there.
    std::optional<std::string> answer;
    std::string set_cookie;
    {
      absl::MutexLock lock(&x.mu);
      answer = std::move(x.answer);
      x.answer.reset();
      if (!answer) {
        x.Suspend();  // not yet (a spurious resume)
        return MHD_YES;
      }
      set_cookie = std::move(x.set_cookie);
    }
    return Respond(*self, connection, 200, *answer, ContentTypeFor(x.enc), set_cookie);
  }
  x.started = true;
  return Handle(*self, x, connection, url, method,
                *static_cast<std::shared_ptr<Exchange>*>(*con_cls));
}

MHD_Result WebServerAccess::Respond(const WebServer& self, MHD_Connection* connection,
                                    unsigned int status, const std::string& body,
                                    const std::string& content_type,
                                    const std::string& set_cookie) {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(response, "Content-Type", content_type.c_str());
  if (!set_cookie.empty()) {
    MHD_add_response_header(response, "Set-Cookie", set_cookie.c_str());
    MHD_add_response_header(response, "Cache-Control", "no-store");
  }
  AddCors(self, connection, response);
  const MHD_Result r = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return r;
}

void WebServerAccess::AddCors(const WebServer& self, MHD_Connection* connection,
                              MHD_Response* response) {
  const std::optional<std::string> origin = Header(connection, "Origin");
  if (!origin || !OriginAllowed(self, *origin)) return;
  MHD_add_response_header(response, "Access-Control-Allow-Origin", origin->c_str());
  MHD_add_response_header(response, "Vary", "Origin");
  MHD_add_response_header(response, "Access-Control-Expose-Headers", kExposedHeaders);
}

bool WebServerAccess::OriginAllowed(const WebServer& self, const std::string& origin) {
  for (const std::string& a : self.options_.cors_origins) {
    if (a == "*" || a == origin) return true;
  }
  return false;
}

MHD_Result WebServerAccess::Handle(WebServer& self, Exchange& x, MHD_Connection* connection,
                                   const char* url, const char* method,
                                   const std::shared_ptr<Exchange>& held) {
  const std::string_view verb(method);
  if (verb == MHD_HTTP_METHOD_OPTIONS) {
    const std::string origin = Header(connection, "Origin").value_or("");
    if (origin.empty() || !OriginAllowed(self, origin)) {
      return Respond(self, connection, 403,
                     absl::StrCat("origin \"", origin.substr(0, 200),
                                  "\" is not allowed (gateway setting cors_origins)\n"),
                     "text/plain");
    }
    MHD_Response* response = MHD_create_response_from_buffer(0, nullptr, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(response, "Access-Control-Allow-Methods", "POST, OPTIONS");
    MHD_add_response_header(response, "Access-Control-Allow-Headers", kAllowedHeaders);
    MHD_add_response_header(response, "Access-Control-Max-Age", "600");
    AddCors(self, connection, response);
    const MHD_Result r = MHD_queue_response(connection, 204, response);
    MHD_destroy_response(response);
    return r;
  }
  if (verb == MHD_HTTP_METHOD_GET || verb == MHD_HTTP_METHOD_HEAD)
    return ServeFile(self, connection, url);
  if (verb != MHD_HTTP_METHOD_POST) {
    return Respond(self, connection, 405,
                   absl::StrCat("HTTP 405: ", std::string(verb).substr(0, 20),
                                " is not served here (POST for gRPC-web, GET for the portal)\n"),
                   "text/plain");
  }
  const std::optional<std::string> grpc_method = GrpcMethodOf(url);
  if (!grpc_method) return Respond(self, connection, 404, "HTTP 404: not found\n", "text/plain");
  if (x.too_large) {
    return Respond(
        self, connection, 413,
        absl::StrCat("HTTP 413: the request body is larger than ", self.options_.max_request_bytes,
                     " bytes (gateway setting web_max_request_bytes)\n"),
        "text/plain");
  }
  absl::StatusOr<WebEncoding> encoding =
      ParseContentType(Header(connection, "Content-Type").value_or(""));
  if (!encoding.ok()) {
    return Respond(self, connection, 415, absl::StrCat(encoding.status().message(), "\n"),
                   "text/plain");
  }
  x.enc = *encoding;
  auto refuse = [&](const absl::Status& st) {
    if (Proxy* proxy = self.options_.proxy; proxy != nullptr && proxy->metrics() != nullptr) {
      proxy->metrics()->Unreadable(proxy->Route(*grpc_method), Transport::kGrpcWeb,
                                   static_cast<grpc::StatusCode>(st.code()));
    }
    return Respond(self, connection, 200,
                   Piece(x.enc, EncodeTrailerFrame(WithStandardDetails(ToGrpc(st)))),
                   ContentTypeFor(x.enc));
  };
  std::string decoded;
  std::string_view body = x.body;
  if (x.enc == WebEncoding::kText) {
    absl::StatusOr<std::string> d = DecodeWebText(x.body);
    if (!d.ok()) return refuse(d.status());
    decoded = *std::move(d);
    body = decoded;
  }
  absl::StatusOr<std::vector<std::string>> messages =
      ParseRequestFrames(body, self.options_.max_message_bytes);
  if (!messages.ok()) return refuse(messages.status());
  if (messages->size() == 1) FillRefreshFromCookie(connection, *grpc_method, (*messages)[0]);
  std::optional<std::chrono::system_clock::time_point> deadline;
  if (std::optional<std::string> timeout = Header(connection, "grpc-timeout")) {
    absl::StatusOr<int64_t> micros = ParseGrpcTimeoutMicros(*timeout);
    if (!micros.ok()) return refuse(micros.status());
    deadline = std::chrono::system_clock::now() + std::chrono::microseconds(*micros);
  }
  x.body.clear();
  x.body.shrink_to_fit();

  if (self.options_.proxy != nullptr) {
    const MethodPolicy* policy = self.options_.proxy->Route(*grpc_method);
    if (policy == nullptr || IsUnary(*policy)) {
      // Suspended first: the call may finish before Start returns.
      {
        absl::MutexLock lock(&x.mu);
        x.Suspend();
      }
      const bool secure =
          self.options_.cookie_secure ||
          absl::EqualsIgnoreCase(Header(connection, "X-Forwarded-Proto").value_or(""), "https");
      std::make_shared<UnaryCall>(*self.options_.proxy, *grpc_method, held, secure)
          ->Start(*messages, deadline);
      return MHD_YES;
    }
  }

  auto call = std::make_shared<BridgedCall>(*std::move(messages), held);
  grpc::ClientContext& ctx = call->context();
  ctx.AddMetadata(kTransportHeader, "grpc-web");
  if (!self.options_.bridge_secret.empty()) {
    ctx.AddMetadata(kBridgeHeader, self.options_.bridge_secret);
    ctx.AddMetadata(kClientAddressHeader, ClientHost(connection));
  }
  for (const char* key : kBridgedHeaders) {
    if (std::optional<std::string> value = Header(connection, key)) ctx.AddMetadata(key, *value);
  }
  if (deadline) ctx.set_deadline(*deadline);
  MHD_Response* response = MHD_create_response_from_callback(
      MHD_SIZE_UNKNOWN, 32 * 1024, &ReadStream, new std::shared_ptr<Exchange>(held), &FreeStream);
  MHD_add_response_header(response, "Content-Type", ContentTypeFor(x.enc).c_str());
  AddCors(self, connection, response);
  const MHD_Result r = MHD_queue_response(connection, 200, response);
  MHD_destroy_response(response);
  call->Start(*self.stub_, *grpc_method);
  return r;
}

MHD_Result WebServerAccess::NotFound(const WebServer& self, MHD_Connection* connection) {
  // Never the folder's path: the setting's name says where to look.
  const char* body = self.options_.portal_dir.empty()
                         ? "HTTP 404: no portal is configured here (gateway setting portal_dir)\n"
                     : !self.portal_
                         ? "HTTP 404: the portal is not installed (gateway setting portal_dir)\n"
                         : "HTTP 404: not found\n";
  MHD_Response* response = MHD_create_response_from_buffer(
      std::strlen(body), const_cast<char*>(body), MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(response, "Content-Type", "text/plain; charset=utf-8");
  MHD_add_response_header(response, "Cache-Control", kCacheRevalidate);
  AddPortalHeaders(response);
  const MHD_Result r = MHD_queue_response(connection, 404, response);
  MHD_destroy_response(response);
  return r;
}

MHD_Result WebServerAccess::ServeFile(WebServer& self, MHD_Connection* connection,
                                      const char* url) {
  if (!self.portal_) return NotFound(self, connection);
  const std::optional<std::string> rel = PortalPath(url);
  if (!rel) return NotFound(self, connection);
  // The real path (symbolic links followed) must stay inside the folder.
  std::error_code ec;
  std::string file = std::filesystem::weakly_canonical(self.portal_root_ + "/" + *rel, ec).string();
  if (ec || !absl::StartsWith(file, self.portal_root_ + "/")) return NotFound(self, connection);
  if (std::filesystem::is_directory(file, ec)) file += "/index.html";
  const int fd = open(file.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (fd >= 0) close(fd);
    return NotFound(self, connection);
  }
  MHD_Response* response = MHD_create_response_from_fd(static_cast<uint64_t>(st.st_size), fd);
  MHD_add_response_header(response, "Content-Type", MimeType(file));
  MHD_add_response_header(response, "Cache-Control",
                          IsHashedAsset(std::string_view(url)) ? kCacheHashed : kCacheRevalidate);
  AddPortalHeaders(response);
  AddCors(self, connection, response);
  const MHD_Result r = MHD_queue_response(connection, 200, response);
  MHD_destroy_response(response);
  return r;
}

}  // namespace gridbill::gateway
