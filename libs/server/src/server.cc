#include "gridbill/server/server.h"

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/identity_guard.h"
#include "gridbill/server/tls.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/impl/server_initializer.h"
#include "grpcpp/resource_quota.h"
#include "prometheus/exposer.h"
#include "rpc_observer.h"

namespace gridbill {
namespace {

// Threads kept polling for calls when `threads` is not configured.
constexpr int kIdlePollers = 16;

// The write end of the running server's wake-up pipe, for the signal
// handler; -1 when no server handles signals.
std::atomic<int> g_signal_fd{-1};
std::atomic<int> g_signal_count{0};
static_assert(std::atomic<int>::is_always_lock_free);

// Async-signal-safe: atomics, write(2), signal(2) and raise(2) only.
extern "C" void OnShutdownSignal(int sig) {
  const int saved_errno = errno;
  if (g_signal_count.fetch_add(1) > 0) {
    // A second signal while draining: stop waiting, die the default way.
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
  const int fd = g_signal_fd.load();
  if (fd >= 0) {
    const char byte = static_cast<char>(sig);
    [[maybe_unused]] ssize_t n = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

constexpr char kShutdownByte = 's';

// Copies the server's service names (as gRPC derives them from the
// registered methods) before the first call can arrive.
class ServiceListPlugin : public grpc::ServerBuilderPlugin {
 public:
  explicit ServiceListPlugin(std::shared_ptr<internal::ServiceTable> table)
      : table_(std::move(table)) {}
  std::string name() override { return "gridbill_service_list"; }
  void InitServer(grpc::ServerInitializer* si) override { table_->Set(*si->GetServiceList()); }
  void Finish(grpc::ServerInitializer* si) override { table_->Set(*si->GetServiceList()); }
  void ChangeArguments(const std::string& /*name*/, void* /*value*/) override {}

 private:
  std::shared_ptr<internal::ServiceTable> table_;
};

class ServiceListOption : public grpc::ServerBuilderOption {
 public:
  explicit ServiceListOption(std::shared_ptr<internal::ServiceTable> table)
      : table_(std::move(table)) {}
  void UpdateArguments(grpc::ChannelArguments* /*args*/) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->push_back(std::make_unique<ServiceListPlugin>(table_));
  }

 private:
  std::shared_ptr<internal::ServiceTable> table_;
};

void InitGrpcOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Both are process-wide and "not thread safe": set them exactly once.
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  });
}

std::string SignalName(char byte) {
  if (byte == kShutdownByte) return "Shutdown()";
  if (byte == SIGTERM) return "SIGTERM";
  if (byte == SIGINT) return "SIGINT";
  return absl::StrCat("signal ", static_cast<int>(byte));
}

}  // namespace

struct Server::Impl {
  Options options;
  std::shared_ptr<prometheus::Registry> registry;
  std::shared_ptr<internal::ServiceTable> services = std::make_shared<internal::ServiceTable>();
  std::unique_ptr<prometheus::Exposer> exposer;
  // Declared after the exposer: destroyed first.
  std::unique_ptr<grpc::Server> server;
  int grpc_port = 0;
  int metrics_port = 0;
  int wake_read = -1;
  int wake_write = -1;
  bool signals_installed = false;
  struct sigaction old_term {};
  struct sigaction old_int {};

  absl::Mutex wait_mu;
  bool stopped ABSL_GUARDED_BY(wait_mu) = false;

  ~Impl() {
    if (signals_installed) {
      int expected = wake_write;
      g_signal_fd.compare_exchange_strong(expected, -1);
      sigaction(SIGTERM, &old_term, nullptr);
      sigaction(SIGINT, &old_int, nullptr);
    }
    if (wake_read >= 0) ::close(wake_read);
    if (wake_write >= 0) ::close(wake_write);
  }

  absl::Status OpenWakePipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      return absl::InternalError(absl::StrCat("server: pipe: ", std::strerror(errno)));
    }
    wake_read = fds[0];
    wake_write = fds[1];
    // The signal handler must never block.
    ::fcntl(wake_write, F_SETFL, ::fcntl(wake_write, F_GETFL) | O_NONBLOCK);
    return absl::OkStatus();
  }

  void InstallSignals() {
    g_signal_count.store(0);
    g_signal_fd.store(wake_write);
    struct sigaction sa {};
    sa.sa_handler = OnShutdownSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGINT, &sa, &old_int);
    signals_installed = true;
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  bool stopped;
  {
    absl::MutexLock lock(&impl_->wait_mu);
    stopped = impl_->stopped;
  }
  // Dropped without Wait(): stop now, cancelling what is still running.
  if (!stopped && impl_->server != nullptr) {
    impl_->server->Shutdown(std::chrono::system_clock::now());
  }
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(Options options) {
  // Abseil's mutex deadlock detection (on in Debian's build) records every
  // mutex in a global graph under a global lock: measurable on every call.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  const ServerConfig& config = options.config;
  SetLogService(config.service_name);
  SetLogLevel(config.log_level.empty() ? "info" : config.log_level);
  for (grpc::Service* service : options.services) {
    if (service == nullptr) return absl::InvalidArgumentError("server: a null service");
  }

  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  const ServerConfig& cfg = impl->options.config;
  if (absl::Status s = impl->OpenWakePipe(); !s.ok()) return s;
  impl->registry = impl->options.registry != nullptr ? impl->options.registry
                                                     : std::make_shared<prometheus::Registry>();

  std::shared_ptr<RpcMetrics> metrics;
  if (impl->options.count_calls) metrics = std::make_shared<RpcMetrics>(*impl->registry);
  if (!cfg.metrics_address.empty()) {
    try {
      impl->exposer = std::make_unique<prometheus::Exposer>(cfg.metrics_address, 2);
    } catch (const std::exception& e) {
      return absl::UnavailableError(
          absl::StrCat("metrics: cannot listen on ", cfg.metrics_address, ": ", e.what()));
    }
    impl->exposer->RegisterCollectable(impl->registry);
    std::vector<int> ports = impl->exposer->GetListeningPorts();
    impl->metrics_port = ports.empty() ? 0 : ports.front();
  }

  InitGrpcOnce();
  grpc::ServerBuilder builder;
  // With an identity secret, only calls the gateway signed reach a handler.
  // With mTLS, only clients holding a certificate of the suite's CA connect.
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials, ServerCredentialsFor(cfg));
  builder.AddListeningPort(cfg.grpc_address, credentials, &impl->grpc_port);
  // A second instance on a taken port must fail, not share it silently.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (grpc::Service* service : impl->options.services) builder.RegisterService(service);
  const int64_t max_bytes = cfg.max_message_bytes > 0 ? cfg.max_message_bytes : int64_t{16} << 20;
  const int max_message =
      static_cast<int>(std::min<int64_t>(max_bytes, std::numeric_limits<int>::max()));
  builder.SetMaxReceiveMessageSize(max_message);
  builder.SetMaxSendMessageSize(max_message);
  if (cfg.threads > 0) {
    // Up to `threads` calls run at once; the quota counts the thread that
    // polls for the next call too, hence +1. gRPC's sync server has no
    // queue: a call beyond that is refused with RESOURCE_EXHAUSTED.
    grpc::ResourceQuota quota(absl::StrCat(cfg.service_name, "-threads"));
    quota.SetMaxThreads(cfg.threads + 1);
    builder.SetResourceQuota(quota);
  }
  // A thread that finishes a call stays to poll for the next one instead of
  // exiting (gRPC's default keeps 2 pollers): without this, every burst of
  // concurrent calls created and destroyed threads (clone, stack mmap/munmap
  // and the TLB shootdowns that go with it, on every call under load).
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              cfg.threads > 0 ? cfg.threads : kIdlePollers);
  builder.SetOption(std::make_unique<ServiceListOption>(impl->services));
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  creators.push_back(std::make_unique<internal::RpcObserverFactory>(metrics, impl->services));
  builder.experimental().SetInterceptorCreators(std::move(creators));

  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || impl->grpc_port == 0) {
    return absl::UnavailableError(absl::StrCat("grpc: cannot listen on ", cfg.grpc_address));
  }
  if (grpc::HealthCheckServiceInterface* health = impl->server->GetHealthCheckService()) {
    for (const std::string& name : impl->services->AppServices()) {
      health->SetServingStatus(name, true);
    }
    health->SetServingStatus("", true);
  }
  if (impl->options.handle_signals) impl->InstallSignals();

  std::unique_ptr<Server> server(new Server(std::move(impl)));
  LogJson("info", "listening",
          {{"grpc_address", server->impl_->options.config.grpc_address},
           {"identity", server->impl_->options.config.identity_secret.empty()
                            ? "trusted as sent (no identity_secret)"
                            : "signed by the gateway"},
           {"transport", server->impl_->options.config.mtls.enabled() ? "mutual TLS" : "plaintext"},
           {"grpc_port", absl::StrCat(server->grpc_port())},
           {"metrics_port", absl::StrCat(server->metrics_port())}});
  if (server->impl_->options.on_started) server->impl_->options.on_started(*server);
  return server;
}

int Server::grpc_port() const { return impl_->grpc_port; }

int Server::metrics_port() const { return impl_->metrics_port; }

prometheus::Registry& Server::registry() { return *impl_->registry; }

void Server::SetServing(bool serving) {
  if (grpc::HealthCheckServiceInterface* health = impl_->server->GetHealthCheckService()) {
    health->SetServingStatus(serving);
  }
}

void Server::Shutdown() {
  const char byte = kShutdownByte;
  [[maybe_unused]] ssize_t n = ::write(impl_->wake_write, &byte, 1);
}

void Server::Wait() {
  absl::MutexLock lock(&impl_->wait_mu);
  if (impl_->stopped) return;
  char byte = 0;
  ssize_t n;
  do {
    n = ::read(impl_->wake_read, &byte, 1);
  } while (n < 0 && errno == EINTR);

  const absl::Duration grace = impl_->options.config.shutdown_grace;
  LogJson("info", "shutting down",
          {{"reason", SignalName(byte)}, {"grace", absl::FormatDuration(grace)}});
  const absl::Time begin = absl::Now();
  // Probes see NOT_SERVING first; gRPC then refuses new calls and lets the
  // running ones finish until the deadline, when it cancels the rest.
  SetServing(false);
  impl_->server->Shutdown(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(grace));
  impl_->server->Wait();
  impl_->stopped = true;
  LogJson("info", "stopped",
          {{"drain_ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - begin))}});
}

int RunMain(std::function<absl::Status()> body) {
  // glibc gives threads up to 8 malloc arenas per core, each keeping freed
  // memory: with the gRPC pollers every service keeps, metering's peak in
  // the balance benchmark was 310 MB, with one arena per core 130 MB (and
  // the run faster). MALLOC_ARENA_MAX in the environment still decides.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) {
    mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  }
  absl::Status status;
  try {
    status = body();
  } catch (const std::exception& e) {
    status = absl::InternalError(absl::StrCat("uncaught exception: ", e.what()));
  }
  if (status.ok()) return 0;
  LogJson("error", ToStd(status.message()), {{"code", absl::StatusCodeToString(status.code())}});
  return 1;
}

}  // namespace gridbill
