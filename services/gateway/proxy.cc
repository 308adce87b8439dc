#include "proxy.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/server.h"
#include "grpcpp/health_check_service_interface.h"
#include "openssl/crypto.h"
#include "openssl/rand.h"
#include "routes.h"

namespace gridbill::gateway {

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

namespace {

// "ipv4:1.2.3.4:5678" -> "1.2.3.4"; "ipv6:[::1]:5678" -> "[::1]".
std::string PeerHost(const std::string& peer) {
  std::string host = peer.substr(peer.find(':') + 1);
  const size_t colon = host.rfind(':');
  return colon == std::string::npos ? host : host.substr(0, colon);
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    std::abort();  // no randomness: nothing safe to go on with
  }
  return absl::BytesToHexString(raw);
}

bool SameSecret(std::string_view sent, const std::string& secret) {
  return sent.size() == secret.size() &&
         CRYPTO_memcmp(sent.data(), secret.data(), sent.size()) == 0;
}

// Verified credentials kept before the cache is emptied (bounds memory
// when many distinct tokens are used).
constexpr size_t kMaxCachedCredentials = 10000;

// Why the gateway refused a call, by the refusal's code (the checks of
// Passage use each code for one reason only).
Rejection ReasonOf(const absl::Status& refusal) {
  switch (refusal.code()) {
    case absl::StatusCode::kUnauthenticated:
      return Rejection::kUnauthenticated;
    case absl::StatusCode::kPermissionDenied:
      return Rejection::kDenied;
    case absl::StatusCode::kResourceExhausted:
      return Rejection::kRateLimited;
    case absl::StatusCode::kUnimplemented:
      return Rejection::kUnrouted;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return Rejection::kInvalid;
    default:
      return Rejection::kUnavailable;
  }
}

}  // namespace

Passage::Passage(Proxy& proxy, std::string_view method)
    : proxy_(proxy), method_(method), start_(absl::Now()) {}

absl::Status Passage::Admit(const Presented& presented) {
  transport_ = presented.transport;
  door_ = std::string_view(transport_) == "grpc-web" ? Transport::kGrpcWeb : Transport::kGrpc;
  request_id_ = presented.request_id;
  policy_ = proxy_.table_.Find(method_);
  if (proxy_.options_.metrics != nullptr) {
    calls_ = &proxy_.options_.metrics->Calls(policy_, door_);
    calls_->Started();
  }
  if (absl::Status st = Check(presented); !st.ok()) return Refuse(std::move(st));
  return absl::OkStatus();
}

absl::Status Passage::Refuse(absl::Status refusal) {
  if (proxy_.options_.metrics != nullptr && !refusal.ok()) {
    proxy_.options_.metrics->Rejected(ReasonOf(refusal), door_);
  }
  return refusal;
}

absl::Status Passage::Check(const Presented& presented) {
  if (policy_ == nullptr) {
    return absl::UnimplementedError(absl::StrCat("the gateway routes no method ", ToAbsl(method_)));
  }
  if (auto it = proxy_.backends_.find(policy_->backend);
      it == proxy_.backends_.end() || it->second.connections.empty()) {
    return absl::UnavailableError(
        absl::StrCat("the gateway has no backend for ", policy_->backend));
  } else {
    Proxy::Backend::Connection& connection = it->second.Pick();
    stub_ = connection.stub.get();
    channel_ = connection.channel.get();
  }
  if (!policy_->is_public) {
    ASSIGN_OR_RETURN(who_, proxy_.Authenticate(presented));
    RETURN_IF_ERROR(AuthorizeMethod(*policy_, who_));
  }
  if (proxy_.limiter_ != nullptr) {
    // Public calls (sign-in) are limited per client address.
    const std::string key =
        !who_.name.empty() ? who_.name : absl::StrCat("peer:", presented.client_host);
    const Admission admission = proxy_.limiter_->Admit(key, method_, absl::Now());
    if (!admission.allowed) {
      retry_after_ms_ = std::max<int64_t>(
          1, absl::ToInt64Milliseconds(absl::Ceil(admission.retry_after, absl::Milliseconds(1))));
      absl::Status st = absl::ResourceExhaustedError(
          absl::StrCat("rate limit exceeded: ", admission.per_second, " calls/s per ",
                       admission.limit, " for ", key, "; retry after ", retry_after_ms_, " ms"));
      st.SetPayload("gridbill.constraint", absl::Cord("RATE_LIMITED"));
      return st;
    }
  }
  return absl::OkStatus();
}

bool IsUnary(const MethodPolicy& policy) {
  return policy.descriptor != nullptr && !policy.descriptor->client_streaming() &&
         !policy.descriptor->server_streaming();
}

bool Passage::unary() const { return policy_ != nullptr && IsUnary(*policy_); }

bool Passage::Inspects(bool first) const {
  return policy_ != nullptr && !policy_->is_public && (who_.scoped() || first) &&
         (!policy_->participant_field.empty() || policy_->mutating);
}

absl::Status Passage::Inspect(std::string_view message, bool first) {
  if (!Inspects(first)) return absl::OkStatus();
  if (first) {
    if (auto p = proxy_.table_.ExtractParticipant(*policy_, message); p.ok() && !p->empty()) {
      participant_ = *p;
    }
    if (policy_->mutating) {
      if (std::string id = proxy_.table_.ExtractRequestId(*policy_, message); !id.empty()) {
        request_id_ = id;
      }
    }
  }
  absl::Status st = AuthorizeRequest(proxy_.table_, *policy_, who_, message);
  if (!st.ok()) return Refuse(std::move(st));
  return st;
}

void Passage::Sign(grpc::ClientContext& backend) const {
  if (who_.name.empty()) return;
  const std::string roles = RolesText(who_.roles);
  backend.AddMetadata(kPrincipalHeader, who_.name);
  backend.AddMetadata(kRolesHeader, roles);
  if (who_.scoped()) backend.AddMetadata(kParticipantHeader, who_.participant_id);
  backend.AddMetadata(kIdentitySigHeader, SignIdentity(proxy_.identity_secret_, who_.name, roles,
                                                       who_.participant_id, policy_->full_method));
}

void Passage::Record(const grpc::Status& status) {
  if (status.ok() && policy_ != nullptr && policy_->backend == kBackendGateway) {
    // The gateway's own AuthService may have revoked a key or ended a
    // session: this gateway forgets what it verified before the caller
    // hears the answer (other replicas within auth_cache_ttl).
    proxy_.ForgetCredentials();
  }
  const absl::Duration took = absl::Now() - start_;
  if (calls_ != nullptr) calls_->Handled(status.error_code(), absl::ToDoubleSeconds(took));
  if (proxy_.audit_ != nullptr) {
    AuditEntry entry;
    entry.call_time = start_;
    entry.principal = who_.name;
    entry.method = std::string(method_.substr(0, 300));
    entry.participant_id = participant_.empty() ? who_.participant_id : participant_;
    entry.request_id = request_id_.substr(0, 200);
    entry.code = static_cast<int>(status.error_code());
    entry.duration_us = absl::ToInt64Microseconds(took);
    entry.mutating = policy_ != nullptr && policy_->mutating;
    entry.transport = transport_;
    proxy_.audit_->Record(std::move(entry));
  }
  // Every call is in the audit trail: a log line for each successful one
  // only at log_level=debug.
  if (status.ok() && !gridbill::LogEnabled("debug")) return;
  LogJson(status.ok() ? "debug" : "warn", "proxied",
          {{"method", std::string(method_)},
           {"principal", who_.name},
           {"participant", who_.participant_id},
           {"code", absl::StrCat(static_cast<int>(status.error_code()))},
           {"duration_ms", absl::StrCat(absl::ToDoubleMilliseconds(took))},
           {"transport", transport_},
           {"message", status.ok() ? "" : status.error_message()}});
}

// One proxied call: the server side (this reactor) and the backend side (an
// inner client reactor). One message is in flight per direction: the next
// read on one side starts when the write on the other side is done, so a
// slow reader holds back the writer (flow control end to end).
class ProxyCall final : public grpc::ServerGenericBidiReactor {
 public:
  ProxyCall(Proxy& proxy, grpc::GenericCallbackServerContext* ctx)
      : ctx_(ctx), passage_(proxy, ctx->method()), backend_(this) {
    const auto& md = ctx_->client_metadata();
    auto header = [&md](const char* key) -> std::optional<std::string_view> {
      auto it = md.find(key);
      if (it == md.end()) return std::nullopt;
      return std::string_view(it->second.data(), it->second.size());
    };
    Presented presented;
    presented.api_key = header(kApiKeyHeader);
    presented.authorization = header(kAuthorizationHeader);
    if (auto id = header(kRequestIdHeader)) presented.request_id = std::string(*id);
    if (auto secret = header(kBridgeHeader); secret && SameSecret(*secret, proxy.bridge_secret())) {
      if (header(kTransportHeader) == "grpc-web") presented.transport = "grpc-web";
      if (auto host = header(kClientAddressHeader); host && !host->empty()) {
        presented.client_host = std::string(host->substr(0, 64));
      }
    }
    if (presented.client_host.empty()) presented.client_host = PeerHost(ctx_->peer());
    if (absl::Status st = passage_.Admit(presented); !st.ok()) {
      if (passage_.retry_after_ms() > 0) {
        ctx_->AddTrailingMetadata(kRetryAfterMsHeader, absl::StrCat(passage_.retry_after_ms()));
      }
      FinishOnce(ToGrpc(st));
      return;
    }
    unary_ = passage_.unary();
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (ok && unary_ && first_message_) {
      ForwardUnary();
      return;
    }
    if (!ok) {
      // The client half-closed (or is gone): pass that on.
      bool start = false;
      if (!ClaimBackend(&start)) return;
      if (start) PrepareBackend();
      backend_.StartWritesDone();
      if (start) backend_.StartCall();
      return;
    }
    if (passage_.Inspects(first_message_)) {
      if (absl::Status st = passage_.Inspect(Flatten(request_), first_message_); !st.ok()) {
        first_message_ = false;
        Deny(ToGrpc(st));
        return;
      }
    }
    first_message_ = false;
    bool start = false;
    if (!ClaimBackend(&start)) return;
    if (start) PrepareBackend();
    backend_.StartWrite(&request_);
    if (start) backend_.StartCall();
  }

  void OnWriteDone(bool ok) override {
    std::optional<grpc::Status> finish;
    bool read = false;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (pending_finish_) {
        finish = std::move(pending_finish_);
        pending_finish_.reset();
      } else if (ok && !backend_done_) {
        read = true;
      }
    }
    if (!read) ReleaseBackendHold();
    if (finish) {
      FinishOnce(*finish);
    } else if (read) {
      backend_.StartRead(&response_);
    } else if (!ok) {
      // The client is gone: stop the backend call too.
      grpc::ClientContext* backend = nullptr;
      {
        absl::MutexLock lock(&mu_);
        if (backend_started_ && !backend_done_) backend = client_ctx_.get();
      }
      if (backend != nullptr) backend->TryCancel();
    }
  }

  void OnCancel() override {
    grpc::ClientContext* cancel_backend = nullptr;
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      if (backend_started_ && !backend_done_) cancel_backend = client_ctx_.get();
      // Nothing was forwarded yet: do not start a backend call for nobody.
      finish = !backend_started_;
    }
    if (cancel_backend != nullptr) cancel_backend->TryCancel();
    if (finish) FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "the client cancelled"));
  }

  void OnDone() override {
    bool last = false;
    {
      absl::MutexLock lock(&mu_);
      server_done_ = true;
      last = !backend_started_ || backend_done_;
    }
    if (last) delete this;
  }

 private:
  // A unary method: the request is complete with its one message (the
  // client's half-close need not be read), so it goes to the backend as one
  // unary call (message and half-close in one batch) and the answer back as
  // one write-and-finish: half the callbacks, thread hops and HTTP/2 frames
  // of the streaming path.
  void ForwardUnary() {
    first_message_ = false;
    if (passage_.Inspects(true)) {
      if (absl::Status st = passage_.Inspect(Flatten(request_), true); !st.ok()) {
        FinishOnce(ToGrpc(st));
        return;
      }
    }
    bool start = false;
    if (!ClaimBackend(&start) || !start) return;
    AddIdentity();
    passage_.stub().UnaryCall(client_ctx_.get(), passage_.policy().full_method, grpc::StubOptions(),
                              &request_, &response_,
                              [this](grpc::Status status) { OnUnaryDone(std::move(status)); });
  }

  void OnUnaryDone(grpc::Status status) {
    bool last = false;
    {
      absl::MutexLock lock(&mu_);
      backend_done_ = true;
      last = server_done_;
    }
    if (last) {
      delete this;  // the client is gone and the call finished already
      return;
    }
    FinishOnce(status, status.ok() ? &response_ : nullptr);
  }

  class Backend final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    explicit Backend(ProxyCall* call) : call_(call) {}
    void OnReadInitialMetadataDone(bool ok) override {}
    void OnWriteDone(bool ok) override { call_->OnBackendWriteDone(ok); }
    void OnReadDone(bool ok) override { call_->OnBackendReadDone(ok); }
    void OnDone(const grpc::Status& status) override { call_->OnBackendDone(status); }

   private:
    ProxyCall* call_;
  };

  // False when the call is over. Otherwise `*start` tells whether this call
  // must prepare the backend call; its context exists from here on, so that
  // OnCancel and Deny on other threads always find it.
  bool ClaimBackend(bool* start) {
    absl::MutexLock lock(&mu_);
    if (finished_ || backend_done_) return false;
    *start = !backend_started_;
    if (*start) {
      backend_started_ = true;
      backend_held_ = true;  // AddHold follows in PrepareBackend
      // The deadline carries over; cancellation is passed on by OnCancel.
      // Not FromCallbackServerContext: a propagated child call refers to
      // the server call, which gRPC may free before this object (and the
      // child context with it) is deleted in OnDone.
      client_ctx_ = std::make_unique<grpc::ClientContext>();
      client_ctx_->set_deadline(ctx_->deadline());
    }
    return true;
  }

  void PrepareBackend() {
    AddIdentity();
    passage_.stub().PrepareBidiStreamingCall(client_ctx_.get(), passage_.policy().full_method,
                                             grpc::StubOptions(), &backend_);
    // The next backend read is started from the server side (OnWriteDone),
    // outside the backend's own callbacks: the hold keeps the backend call
    // from finishing (and freeing itself) in between. Released once no read
    // will follow.
    backend_.AddHold();
    backend_.StartRead(&response_);
  }

  // The forwarded client metadata and the signed identity.
  void AddIdentity() {
    const auto& md = ctx_->client_metadata();
    for (const char* key : kForwardedHeaders) {
      auto it = md.find(key);
      if (it != md.end())
        client_ctx_->AddMetadata(key, std::string(it->second.data(), it->second.size()));
    }
    passage_.Sign(*client_ctx_);
  }

  void OnBackendWriteDone(bool ok) {
    {
      absl::MutexLock lock(&mu_);
      if (!ok || finished_) return;  // the backend ended; its OnDone finishes the call
    }
    StartRead(&request_);
  }

  void OnBackendReadDone(bool ok) {
    if (!ok) {
      ReleaseBackendHold();  // end of the backend's stream; OnBackendDone follows
      return;
    }
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      writing_ = true;
    }
    StartWrite(&response_);
  }

  void OnBackendDone(const grpc::Status& status) {
    grpc::Status result = status;
    bool finish_now = false;
    bool last = false;
    {
      absl::MutexLock lock(&mu_);
      backend_done_ = true;
      if (override_) result = *override_;
      if (writing_) {
        pending_finish_ = result;
      } else {
        finish_now = true;
      }
      last = server_done_;
    }
    if (finish_now) FinishOnce(result);
    if (last) delete this;
  }

  // A later message of a stream was refused: stop the backend call and
  // finish with the refusal instead of its CANCELLED.
  void Deny(const grpc::Status& status) {
    bool cancel = false;
    {
      absl::MutexLock lock(&mu_);
      if (backend_started_) {
        override_ = status;
        cancel = !backend_done_;
      }
    }
    if (cancel) {
      client_ctx_->TryCancel();
    } else {
      FinishOnce(status);
    }
  }

  void ReleaseBackendHold() {
    {
      absl::MutexLock lock(&mu_);
      if (!backend_held_) return;
      backend_held_ = false;
    }
    backend_.RemoveHold();
  }

  // Records the call and finishes it; with `last`, writes that message in
  // the same step.
  void FinishOnce(const grpc::Status& status, const grpc::ByteBuffer* last = nullptr) {
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
    }
    passage_.Record(status);
    if (last != nullptr) {
      StartWriteAndFinish(last, grpc::WriteOptions(), status);
    } else {
      Finish(status);
    }
  }

  grpc::GenericCallbackServerContext* ctx_;
  Passage passage_;
  bool first_message_ = true;
  bool unary_ = false;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  Backend backend_;

  absl::Mutex mu_;
  // Set once, under mu_, when the backend call is claimed; read freely after.
  std::unique_ptr<grpc::ClientContext> client_ctx_;
  bool backend_started_ ABSL_GUARDED_BY(mu_) = false;
  bool backend_done_ ABSL_GUARDED_BY(mu_) = false;
  bool server_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool backend_held_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> pending_finish_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::Status> override_ ABSL_GUARDED_BY(mu_);
};

namespace {

std::map<std::string, std::vector<std::shared_ptr<grpc::Channel>>> OneEach(
    std::map<std::string, std::shared_ptr<grpc::Channel>> backends) {
  std::map<std::string, std::vector<std::shared_ptr<grpc::Channel>>> out;
  for (auto& [name, channel] : backends) out[name].push_back(std::move(channel));
  return out;
}

}  // namespace

Proxy::Proxy(const PolicyTable& table, Authenticator& auth,
             std::map<std::string, std::shared_ptr<grpc::Channel>> backends,
             std::string identity_secret, RateLimiter* limiter, AuditLog* audit,
             ProxyOptions options)
    : Proxy(table, auth, OneEach(std::move(backends)), std::move(identity_secret), limiter, audit,
            options) {}

Proxy::Proxy(const PolicyTable& table, Authenticator& auth,
             std::map<std::string, std::vector<std::shared_ptr<grpc::Channel>>> backends,
             std::string identity_secret, RateLimiter* limiter, AuditLog* audit,
             ProxyOptions options)
    : table_(table),
      auth_(auth),
      identity_secret_(std::move(identity_secret)),
      limiter_(limiter),
      audit_(audit),
      options_(options),
      bridge_secret_(RandomHex(32)) {
  for (auto& [name, channels] : backends) {
    Backend& backend = backends_[name];
    for (auto& channel : channels) {
      auto stub = std::make_unique<grpc::GenericStub>(channel);
      backend.connections.push_back(Backend::Connection{std::move(channel), std::move(stub)});
    }
  }
}

void Proxy::ForgetCredentials() {
  absl::MutexLock lock(&cache_mu_);
  cache_.clear();
}

Proxy::Backend::Connection& Proxy::Backend::Pick() {
  return connections[next.fetch_add(1, std::memory_order_relaxed) % connections.size()];
}

absl::StatusOr<Principal> Proxy::Verify(bool api_key, std::string_view credential) {
  const bool cached = options_.auth_cache_ttl > absl::ZeroDuration();
  const absl::Time now = cached ? absl::Now() : absl::Time();
  if (cached) {
    absl::MutexLock lock(&cache_mu_);
    if (auto it = cache_.find(ToAbsl(credential)); it != cache_.end()) {
      if (now < it->second.until) return it->second.principal;
      cache_.erase(it);
    }
  }
  absl::StatusOr<Principal> who =
      api_key ? auth_.AuthenticateApiKey(credential) : auth_.AuthenticateBearer(credential);
  // Only what the store confirmed is kept: a refused credential asks again.
  if (cached && who.ok()) {
    absl::MutexLock lock(&cache_mu_);
    if (cache_.size() >= kMaxCachedCredentials) cache_.clear();
    cache_.insert_or_assign(std::string(credential),
                            CachedPrincipal{*who, now + options_.auth_cache_ttl});
  }
  return who;
}

grpc::ServerGenericBidiReactor* Proxy::CreateReactor(grpc::GenericCallbackServerContext* ctx) {
  return new ProxyCall(*this, ctx);  // deletes itself in OnDone
}

absl::StatusOr<Principal> Proxy::Authenticate(const Presented& presented) {
  if (presented.api_key) return Verify(true, *presented.api_key);
  if (presented.authorization) {
    absl::string_view value = ToAbsl(*presented.authorization);
    if (absl::StartsWithIgnoreCase(value, "bearer ")) {
      value.remove_prefix(7);
      return Verify(false, ToStd(absl::StripAsciiWhitespace(value)));
    }
    return absl::UnauthenticatedError("authorization: only Bearer access tokens are accepted");
  }
  return absl::UnauthenticatedError(
      "no credentials: send an API key in x-api-key or an access token in authorization");
}

absl::StatusOr<Principal> Proxy::Authenticate(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  Presented presented;
  if (auto it = metadata.find(kApiKeyHeader); it != metadata.end()) {
    presented.api_key = std::string_view(it->second.data(), it->second.size());
  }
  if (auto it = metadata.find(kAuthorizationHeader); it != metadata.end()) {
    presented.authorization = std::string_view(it->second.data(), it->second.size());
  }
  return Authenticate(presented);
}

absl::StatusOr<FrontDoor> StartFrontDoor(const std::string& address, int64_t max_message_bytes,
                                         Proxy& proxy) {
  FrontDoorOptions options;
  options.address = address;
  options.max_message_bytes = max_message_bytes;
  return StartFrontDoor(options, proxy);
}

namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* key) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in || text.str().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: ", key, ": cannot read \"", path, "\""));
  }
  if (text.str().find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: ", key, ": \"", path, "\" is not a PEM file"));
  }
  return text.str();
}

}  // namespace

absl::StatusOr<FrontDoor> StartFrontDoor(const FrontDoorOptions& options, Proxy& proxy) {
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "config: tls_cert_file and tls_key_file: give both (TLS) or neither (plaintext)");
  }
  if (!options.tls_cert_file.empty()) {
    grpc::SslServerCredentialsOptions ssl;
    grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
    ASSIGN_OR_RETURN(pair.cert_chain, ReadPem(options.tls_cert_file, "tls_cert_file"));
    ASSIGN_OR_RETURN(pair.private_key, ReadPem(options.tls_key_file, "tls_key_file"));
    ssl.pem_key_cert_pairs.push_back(std::move(pair));
    credentials = grpc::SslServerCredentials(ssl);
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  FrontDoor door;
  builder.AddListeningPort(options.address, credentials, &door.port);
  if (options.loopback) {
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &door.loopback_port);
  }
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(options.max_message_bytes));
  builder.RegisterCallbackGenericService(&proxy);
  door.server = builder.BuildAndStart();
  if (door.server == nullptr || door.port == 0 || (options.loopback && door.loopback_port == 0)) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.address));
  }
  if (grpc::HealthCheckServiceInterface* health = door.server->GetHealthCheckService()) {
    health->SetServingStatus(true);
  }
  return door;
}

}  // namespace gridbill::gateway
