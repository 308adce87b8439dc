#include "rpc_observer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/log.h"
#include "gridbill/common/v1/common.pb.h"
#include "gridbill/server/caller.h"

namespace gridbill::internal {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr std::string_view kHealthService = "grpc.health.v1.Health";
constexpr std::string_view kUnknown = "unknown";
constexpr char kTraceparentHeader[] = "traceparent";
// Log lines quote client-chosen text; keep them bounded.
constexpr size_t kMaxLoggedValue = 256;

std::string Bounded(std::string_view text) {
  if (text.size() <= kMaxLoggedValue) return std::string(text);
  size_t n = kMaxLoggedValue;
  // Do not split a UTF-8 sequence: back up over continuation bytes.
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return std::string(text.substr(0, n));
}

const prometheus::Histogram::BucketBoundaries& Buckets() {
  static const auto* const buckets = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

// Server faults are errors, overload and timeouts warnings, the rest (the
// client's mistakes included) information.
std::string_view LevelFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DATA_LOSS:
      return "error";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "warn";
    default:
      return "info";
  }
}

std::string MetadataValue(const std::multimap<grpc::string_ref, grpc::string_ref>& md,
                          std::string_view key) {
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return "";
  return Bounded(std::string_view(it->second.data(), it->second.size()));
}

// The top-level string field `request_id`, or "".
std::string RequestIdOf(const google::protobuf::Message& message) {
  const google::protobuf::FieldDescriptor* field =
      message.GetDescriptor()->FindFieldByName("request_id");
  if (field == nullptr || field->is_repeated() ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return "";
  }
  return Bounded(message.GetReflection()->GetString(message, field));
}

class RpcObserver : public grpc::experimental::Interceptor {
 public:
  // `series`: nullptr when the calls are not counted here.
  RpcObserver(grpc::experimental::ServerRpcInfo* info, RpcMetrics::Method* series,
              ServiceTable::Method method)
      : info_(info),
        series_(series),
        method_(std::move(method)),
        full_method_(Bounded(info->method() == nullptr ? kUnknown : info->method())),
        start_(std::chrono::steady_clock::now()) {
    if (series_ != nullptr) series_->Started();
  }

  ~RpcObserver() override {
    if (!finished_) {
      // The call (and its context) is being torn down: use only what was seen.
      metadata_read_ = true;
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the call ended without a status"));
    }
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      if (const auto* md = methods->GetRecvInitialMetadata(); md != nullptr) ReadMetadata(*md);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        method_.typed_request && message_request_id_.empty()) {
      // Typed methods receive the generated message (see ServiceTable).
      if (const void* raw = methods->GetRecvMessage(); raw != nullptr) {
        message_request_id_ = RequestIdOf(*static_cast<const google::protobuf::Message*>(raw));
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        !finished_) {
      // Recorded before the status leaves, so a client that sees the
      // response also sees it counted.
      Finish(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void ReadMetadata(const std::multimap<grpc::string_ref, grpc::string_ref>& md) {
    metadata_read_ = true;
    header_request_id_ = MetadataValue(md, kRequestIdHeader);
    traceparent_ = MetadataValue(md, kTraceparentHeader);
    principal_ = MetadataValue(md, kPrincipalHeader);
  }

  void Finish(const grpc::Status& status) {
    finished_ = true;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const grpc::StatusCode code = status.error_code();
    if (series_ != nullptr) series_->Handled(code, seconds);

    std::string_view level = LevelFor(code);
    // Probes call Check every few seconds, reads are many and recorded by
    // the gateway's audit trail: their successes stay out of the info log.
    if (code == grpc::StatusCode::OK && (method_.service == kHealthService || method_.read)) {
      level = "debug";
    }
    if (!LogEnabled(level)) return;
    if (!metadata_read_ && info_->server_context() != nullptr) {
      ReadMetadata(info_->server_context()->client_metadata());
    }
    const std::string& request_id =
        message_request_id_.empty() ? header_request_id_ : message_request_id_;
    json::ObjectWriter w = StartLogLine(level);
    w.Add("method", full_method_)
        .Add("code", GrpcCodeName(code))
        .Add("duration_ms", std::round(seconds * 1e6) / 1e3);
    if (!request_id.empty()) w.Add("request_id", request_id);
    if (!traceparent_.empty()) w.Add("traceparent", traceparent_);
    if (!principal_.empty()) w.Add("principal", principal_);
    if (code != grpc::StatusCode::OK && !status.error_message().empty()) {
      w.Add("error", Bounded(status.error_message()));
    }
    EmitLogLine(std::move(w).Finish());
  }

  grpc::experimental::ServerRpcInfo* info_;
  RpcMetrics::Method* const series_;
  const ServiceTable::Method method_;
  const std::string full_method_;
  const std::chrono::steady_clock::time_point start_;
  bool finished_ = false;
  bool metadata_read_ = false;
  std::string message_request_id_;
  std::string header_request_id_;
  std::string traceparent_;
  std::string principal_;
};

}  // namespace

void ServiceTable::Set(const std::vector<std::string>& services) {
  absl::MutexLock lock(&mu_);
  services_.insert(services.begin(), services.end());
  services_.insert(std::string(kHealthService));
}

std::vector<std::string> ServiceTable::AppServices() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> out;
  for (const std::string& s : services_) {
    if (!absl::StartsWith(s, "grpc.")) out.push_back(s);
  }
  std::sort(out.begin(), out.end());
  return out;
}

ServiceTable::Method ServiceTable::Lookup(std::string_view std_full_method) const {
  absl::string_view full_method = ToAbsl(std_full_method);
  Method unknown{std::string(kUnknown), std::string(kUnknown), false};
  if (!absl::StartsWith(full_method, "/")) return unknown;
  full_method.remove_prefix(1);
  size_t slash = full_method.find('/');
  if (slash == absl::string_view::npos) return unknown;
  std::string service(full_method.substr(0, slash));
  std::string method(full_method.substr(slash + 1));
  {
    absl::MutexLock lock(&mu_);
    if (!services_.contains(service)) return unknown;
  }
  // Generated services are in the generated pool: there the method must
  // exist too (gRPC answers UNIMPLEMENTED for the rest). The default health
  // service is the one served without a generated descriptor.
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
  if (descriptor != nullptr
          ? descriptor->FindMethodByName(method) == nullptr
          : !(service == kHealthService && (method == "Check" || method == "Watch"))) {
    return unknown;
  }
  const bool typed = descriptor != nullptr && !absl::StartsWith(service, "grpc.");
  bool read = false;
  if (typed) {
    const google::protobuf::MethodDescriptor* m = descriptor->FindMethodByName(method);
    read = m->options().HasExtension(common::v1::access) &&
           !m->options().GetExtension(common::v1::access).mutating();
  }
  return Method{std::move(service), std::move(method), typed, read};
}

grpc::experimental::Interceptor* RpcObserverFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  ServiceTable::Method method =
      services_->Lookup(info->method() == nullptr ? std::string_view() : info->method());
  RpcMetrics::Method* series =
      metrics_ == nullptr ? nullptr : &metrics_->For(method.service, method.method);
  // gRPC takes ownership of the interceptor and deletes it with the call.
  return new RpcObserver(info, series, std::move(method));
}

}  // namespace gridbill::internal

namespace gridbill {

std::string_view GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

RpcMetrics::RpcMetrics(prometheus::Registry& registry, std::string extra_label)
    : started_(prometheus::BuildCounter()
                   .Name("grpc_server_started_total")
                   .Help("Total number of RPCs started on the server.")
                   .Register(registry)),
      handled_(prometheus::BuildCounter()
                   .Name("grpc_server_handled_total")
                   .Help("Total number of RPCs completed on the server, regardless of success "
                         "or failure.")
                   .Register(registry)),
      handling_(prometheus::BuildHistogram()
                    .Name("grpc_server_handling_seconds")
                    .Help("Histogram of response latency (seconds) of gRPC calls handled by "
                          "the server.")
                    .Register(registry)),
      extra_label_(std::move(extra_label)) {}

RpcMetrics::Method& RpcMetrics::For(std::string_view service, std::string_view method,
                                    std::string_view extra) {
  std::string key = absl::StrCat(ToAbsl(service), "/", ToAbsl(method), "/", ToAbsl(extra));
  absl::MutexLock lock(&mu_);
  std::unique_ptr<Method>& slot = methods_[key];
  if (slot == nullptr) {
    prometheus::Labels labels{{"grpc_service", std::string(service)},
                              {"grpc_method", std::string(method)}};
    if (!extra_label_.empty()) labels.emplace(extra_label_, std::string(extra));
    slot.reset(new Method(*this, std::move(labels)));
  }
  return *slot;
}

void RpcMetrics::Method::Started() {
  prometheus::Counter* counter = started_.load(std::memory_order_acquire);
  if (counter == nullptr) {
    absl::MutexLock lock(&owner_.mu_);
    counter = started_.load(std::memory_order_relaxed);
    if (counter == nullptr) {
      counter = &owner_.started_.Add(labels_);
      started_.store(counter, std::memory_order_release);
    }
  }
  counter->Increment();
}

void RpcMetrics::Method::Handled(grpc::StatusCode code, double seconds) {
  const int index = static_cast<int>(code);
  Series& series = handled_[index >= 0 && static_cast<size_t>(index) < kCodes
                                ? static_cast<size_t>(index)
                                : static_cast<size_t>(grpc::StatusCode::UNKNOWN)];
  prometheus::Counter* count = series.count.load(std::memory_order_acquire);
  if (count == nullptr) {
    absl::MutexLock lock(&owner_.mu_);
    count = series.count.load(std::memory_order_relaxed);
    if (count == nullptr) {
      prometheus::Labels labels = labels_;
      labels.emplace("grpc_code", std::string(GrpcCodeName(code)));
      series.seconds = &owner_.handling_.Add(labels, internal::Buckets());
      count = &owner_.handled_.Add(labels);
      series.count.store(count, std::memory_order_release);
    }
  }
  count->Increment();
  series.seconds->Observe(seconds);
}

}  // namespace gridbill
