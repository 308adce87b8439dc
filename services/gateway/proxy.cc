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
namespace {

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

// Client metadata passed on to backends as is; everything else (credentials,
// and above all any x-gridbill-* identity a client made up) stays here.
constexpr const char* kForwardedHeaders[] = {kRequestIdHeader, "traceparent", "tracestate"};

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

bool SameSecret(grpc::string_ref sent, const std::string& secret) {
  return sent.size() == secret.size() &&
         CRYPTO_memcmp(sent.data(), secret.data(), sent.size()) == 0;
}

// Verified credentials kept before the cache is emptied (bounds memory
// when many distinct tokens are used).
constexpr size_t kMaxCachedCredentials = 10000;

}  // namespace

// One proxied call: the server side (this reactor) and the backend side (an
// inner client reactor). One message is in flight per direction: the next
// read on one side starts when the write on the other side is done, so a
// slow reader holds back the writer (flow control end to end).
class ProxyCall final : public grpc::ServerGenericBidiReactor {
 public:
  ProxyCall(Proxy& proxy, grpc::GenericCallbackServerContext* ctx)
      : proxy_(proxy), ctx_(ctx), start_(absl::Now()), backend_(this) {
    const auto& md = ctx_->client_metadata();
    if (auto it = md.find(kRequestIdHeader); it != md.end()) {
      request_id_.assign(it->second.data(), it->second.size());
    }
    const std::string peer = ctx_->peer();
    std::string client_host;
    if (auto it = md.find(kBridgeHeader);
        it != md.end() && SameSecret(it->second, proxy_.bridge_secret_)) {
      if (auto it = md.find(kTransportHeader); it != md.end() && it->second == "grpc-web") {
        transport_ = "grpc-web";
      }
      if (auto it = md.find(kClientAddressHeader); it != md.end() && it->second.size() > 0) {
        client_host.assign(it->second.data(), std::min<size_t>(it->second.size(), 64));
      }
    }
    policy_ = proxy_.table_.Find(ctx_->method());
    if (policy_ == nullptr) {
      FinishEarly(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                               absl::StrCat("the gateway routes no method ", ctx_->method())));
      return;
    }
    if (auto it = proxy_.backends_.find(policy_->backend);
        it == proxy_.backends_.end() || it->second.stubs.empty()) {
      FinishEarly(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                               absl::StrCat("the gateway has no backend for ", policy_->backend)));
      return;
    } else {
      stub_ = &it->second.Pick();
    }
    if (!policy_->is_public) {
      absl::StatusOr<Principal> who = proxy_.Authenticate(ctx_->client_metadata());
      if (!who.ok()) {
        FinishEarly(ToGrpc(who.status()));
        return;
      }
      who_ = *std::move(who);
      if (absl::Status st = AuthorizeMethod(*policy_, who_); !st.ok()) {
        FinishEarly(ToGrpc(st));
        return;
      }
    }
    if (proxy_.limiter_ != nullptr) {
      // Public calls (sign-in) are limited per client address: the
      // browser's for bridged gRPC-web calls, the connection's otherwise.
      const std::string key =
          !who_.name.empty()
              ? who_.name
              : absl::StrCat("peer:", client_host.empty() ? PeerHost(peer) : client_host);
      const Admission admission = proxy_.limiter_->Admit(key, ctx_->method(), absl::Now());
      if (!admission.allowed) {
        const int64_t ms = std::max<int64_t>(
            1, absl::ToInt64Milliseconds(absl::Ceil(admission.retry_after, absl::Milliseconds(1))));
        ctx_->AddTrailingMetadata(kRetryAfterMsHeader, absl::StrCat(ms));
        absl::Status st = absl::ResourceExhaustedError(
            absl::StrCat("rate limit exceeded: ", admission.per_second, " calls/s per ",
                         admission.limit, " for ", key, "; retry after ", ms, " ms"));
        st.SetPayload("gridbill.constraint", absl::Cord("RATE_LIMITED"));
        FinishEarly(ToGrpc(st));
        return;
      }
    }
    unary_ = policy_->descriptor != nullptr && !policy_->descriptor->client_streaming() &&
             !policy_->descriptor->server_streaming();
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
    const bool inspect = !policy_->is_public && (who_.scoped() || first_message_);
    if (inspect) {
      if (absl::Status st = Inspect(first_message_); !st.ok()) {
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
  // What the policy needs from the request message in request_: from the
  // first one, the participant and request id for the audit trail; from
  // every inspected one, the participant-scope check.
  absl::Status Inspect(bool first) {
    if (policy_->participant_field.empty() && !policy_->mutating) return absl::OkStatus();
    const std::string bytes = Flatten(request_);
    if (first) {
      if (auto p = proxy_.table_.ExtractParticipant(*policy_, bytes); p.ok() && !p->empty()) {
        participant_ = *p;
      }
      if (policy_->mutating) {
        if (std::string id = proxy_.table_.ExtractRequestId(*policy_, bytes); !id.empty()) {
          request_id_ = id;
        }
      }
    }
    return AuthorizeRequest(proxy_.table_, *policy_, who_, bytes);
  }

  // A unary method: the request is complete with its one message (the
  // client's half-close need not be read), so it goes to the backend as one
  // unary call (message and half-close in one batch) and the answer back as
  // one write-and-finish: half the callbacks, thread hops and HTTP/2 frames
  // of the streaming path.
  void ForwardUnary() {
    first_message_ = false;
    if (!policy_->is_public) {
      if (absl::Status st = Inspect(/*first=*/true); !st.ok()) {
        FinishOnce(ToGrpc(st));
        return;
      }
    }
    bool start = false;
    if (!ClaimBackend(&start) || !start) return;
    AddIdentity();
    stub_->UnaryCall(client_ctx_.get(), policy_->full_method, grpc::StubOptions(), &request_,
                     &response_, [this](grpc::Status status) { OnUnaryDone(std::move(status)); });
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
    grpc::GenericStub& stub = *stub_;
    stub.PrepareBidiStreamingCall(client_ctx_.get(), policy_->full_method, grpc::StubOptions(),
                                  &backend_);
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
    if (!who_.name.empty()) {
      const std::string roles = RolesText(who_.roles);
      client_ctx_->AddMetadata(kPrincipalHeader, who_.name);
      client_ctx_->AddMetadata(kRolesHeader, roles);
      if (who_.scoped()) client_ctx_->AddMetadata(kParticipantHeader, who_.participant_id);
      client_ctx_->AddMetadata(kIdentitySigHeader,
                               SignIdentity(proxy_.identity_secret_, who_.name, roles,
                                            who_.participant_id, policy_->full_method));
    }
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

  void FinishEarly(const grpc::Status& status) { FinishOnce(status); }

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
    if (status.ok() && policy_ != nullptr && policy_->backend == kBackendGateway) {
      // The gateway's own AuthService may have revoked a key or ended a
      // session: this gateway forgets what it verified before the caller
      // hears the answer (other replicas within auth_cache_ttl).
      proxy_.ForgetCredentials();
    }
    const absl::Duration took = absl::Now() - start_;
    if (proxy_.audit_ != nullptr) {
      AuditEntry entry;
      entry.call_time = start_;
      entry.principal = who_.name;
      entry.method = std::string(ctx_->method().substr(0, 300));
      entry.participant_id = participant_.empty() ? who_.participant_id : participant_;
      entry.request_id = request_id_.substr(0, 200);
      entry.code = static_cast<int>(status.error_code());
      entry.duration_us = absl::ToInt64Microseconds(took);
      entry.mutating = policy_ != nullptr && policy_->mutating;
      entry.transport = transport_;
      proxy_.audit_->Record(std::move(entry));
    }
    // Every call is in the audit trail: a log line for each successful one
    // (formatting, a lock and a write per call) only at log_level=debug.
    const std::string code = absl::StrCat(static_cast<int>(status.error_code()));
    const std::string ms = absl::StrCat(absl::ToDoubleMilliseconds(took));
    LogJson(status.ok() ? "debug" : "warn", "proxied",
            {{"method", ctx_->method()},
             {"principal", who_.name},
             {"participant", who_.participant_id},
             {"code", code},
             {"duration_ms", ms},
             {"message", status.ok() ? "" : status.error_message()}});
    if (last != nullptr) {
      StartWriteAndFinish(last, grpc::WriteOptions(), status);
    } else {
      Finish(status);
    }
  }

  Proxy& proxy_;
  grpc::GenericCallbackServerContext* ctx_;
  const absl::Time start_;
  const MethodPolicy* policy_ = nullptr;
  grpc::GenericStub* stub_ = nullptr;
  Principal who_;
  // For the audit trail.
  std::string request_id_;
  std::string participant_;
  std::string transport_ = "grpc";
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
      backend.stubs.push_back(std::make_unique<grpc::GenericStub>(std::move(channel)));
    }
  }
}

void Proxy::ForgetCredentials() {
  absl::MutexLock lock(&cache_mu_);
  cache_.clear();
}

grpc::GenericStub& Proxy::Backend::Pick() {
  return *stubs[next.fetch_add(1, std::memory_order_relaxed) % stubs.size()];
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

absl::StatusOr<Principal> Proxy::Authenticate(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  if (auto it = metadata.find(kApiKeyHeader); it != metadata.end()) {
    return Verify(true, std::string_view(it->second.data(), it->second.size()));
  }
  if (auto it = metadata.find(kAuthorizationHeader); it != metadata.end()) {
    absl::string_view value(it->second.data(), it->second.size());
    if (absl::StartsWithIgnoreCase(value, "bearer ")) {
      value.remove_prefix(7);
      return Verify(false, ToStd(absl::StripAsciiWhitespace(value)));
    }
    return absl::UnauthenticatedError("authorization: only Bearer access tokens are accepted");
  }
  return absl::UnauthenticatedError(
      "no credentials: send an API key in x-api-key or an access token in authorization");
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
