// gridbill-gateway: the front door of the suite. The only place that wires
// objects together.
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "audit.h"
#include "audit_service.h"
#include "auth.h"
#include "auth_service.h"
#include "config.h"
#include "google/protobuf/descriptor.h"
#include "gridbill/base/clock.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/server/bootstrap.h"
#include "gridbill/server/server.h"
#include "gridbill/server/tls.h"
#include "grpcpp/create_channel.h"
#include "metrics.h"
#include "passwords.h"
#include "pg_store.h"
#include "policy.h"
#include "proxy.h"
#include "rate_limit.h"
#include "routes.h"
#include "tokens.h"
#include "web_server.h"

namespace gridbill::gateway {
namespace {

// A secret kept in a file (one line; surrounding whitespace ignored).
absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: bootstrap_admin_password_file: cannot read \"", path, "\""));
  }
  std::string secret(absl::StripAsciiWhitespace(text));
  if (secret.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: bootstrap_admin_password_file: \"", path, "\" is missing or empty"));
  }
  return secret;
}

// Connections to each backend, used in turn by the proxy's calls.
constexpr int kBackendConnections = 2;

std::vector<std::shared_ptr<grpc::Channel>> BackendChannels(
    const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  std::vector<std::shared_ptr<grpc::Channel>> out;
  for (int i = 0; i < kBackendConnections; ++i) {
    grpc::ChannelArguments args;
    // Otherwise channels with equal arguments share one connection.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    out.push_back(grpc::CreateCustomChannel(target, credentials, args));
  }
  return out;
}

absl::Status Run(int argc, char** argv) {
  // Abseil's mutex deadlock detection (on in Debian's build) records every
  // mutex in a global graph, and the proxy makes one per call.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  ASSIGN_OR_RETURN(ConfigSource source, ConfigSource::FromArgs(argc, argv));
  ASSIGN_OR_RETURN(Config config, Config::Load(source));

  // Refuse to start when a routed method has no policy.
  ASSIGN_OR_RETURN(
      std::unique_ptr<PolicyTable> policies,
      PolicyTable::Build(*google::protobuf::DescriptorPool::generated_pool(), SuiteRoutes()));

  ASSIGN_OR_RETURN(ServiceBase base, Bootstrap(config.server, config.db));

  SystemClock clock;
  PgStore store(base.pool());
  PasswordHasher hasher(config.argon2);
  TokenSigner signer(config.token_secret);
  Authenticator auth(store, clock, hasher, signer, config.auth);
  pg::PgIdempotency idempotency(base.pool());
  AuthServiceImpl auth_service(auth, idempotency, config.identity_secret);
  if (!config.bootstrap_admin.empty()) {
    ASSIGN_OR_RETURN(std::string password, ReadSecretFile(config.bootstrap_admin_password_file));
    ASSIGN_OR_RETURN(bool created, auth.EnsureBootstrapAdmin(config.bootstrap_admin, password));
    LogJson("info", created ? "bootstrap admin created" : "bootstrap admin exists",
            {{"username", config.bootstrap_admin}});
  }

  // The gateway's own AuthService: a standard server on loopback, reached
  // through the proxy like any backend.
  Server::Options options = base.ServerOptions();
  options.config.grpc_address = config.auth_address;
  // Few calls come here (sign-in, keys, audit queries): a few threads, so
  // that idle pollers of this server do not take the proxy's I/O events and
  // hand them over to other threads (fewer wake-ups per proxied call).
  if (options.config.threads <= 0) options.config.threads = 4;
  // On loopback, reached only by this process's proxy: plaintext.
  options.config.mtls = {};
  AuditServiceImpl audit_service(store);
  options.services = {&auth_service, &audit_service};
  options.count_calls = false;  // the proxy counts them, with their transport
  ASSIGN_OR_RETURN(std::unique_ptr<Server> auth_server, Server::Start(std::move(options)));

  // With mtls_*, the gateway presents its certificate to every service.
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   ChannelCredentialsFor(config.server.mtls));
  std::map<std::string, std::vector<std::shared_ptr<grpc::Channel>>> backends;
  backends[kBackendContracts] = BackendChannels(config.backend_contracts, credentials);
  backends[kBackendMetering] = BackendChannels(config.backend_metering, credentials);
  backends[kBackendBalance] = BackendChannels(config.backend_balance, credentials);
  backends[kBackendInvoicing] = BackendChannels(config.backend_invoicing, credentials);
  backends[kBackendForecasting] = BackendChannels(config.backend_forecasting, credentials);
  backends[kBackendReporting] = BackendChannels(config.backend_reporting, credentials);
  backends[kBackendIntegrations] = BackendChannels(config.backend_integrations, credentials);
  backends[kBackendGateway] = BackendChannels(absl::StrCat("127.0.0.1:", auth_server->grpc_port()),
                                              grpc::InsecureChannelCredentials());
  RateLimiter limiter(config.rate_limits);
  AuditLog audit(store, config.audit);
  ProxyOptions proxy_options;
  proxy_options.auth_cache_ttl = config.auth_cache_ttl;
  GatewayMetrics metrics(auth_server->registry(), *policies);
  proxy_options.metrics = &metrics;
  Proxy proxy(*policies, auth, std::move(backends), config.identity_secret, &limiter, &audit,
              proxy_options);
  FrontDoorOptions door_options;
  door_options.address = config.server.grpc_address;
  door_options.max_message_bytes = config.server.max_message_bytes;
  door_options.tls_cert_file = config.tls_cert_file;
  door_options.tls_key_file = config.tls_key_file;
  ASSIGN_OR_RETURN(FrontDoor door, StartFrontDoor(door_options, proxy));

  std::unique_ptr<WebServer> web;
  if (!config.web_address.empty()) {
    WebOptions web_options;
    web_options.address = config.web_address;
    // Unary calls through the proxy straight to the backends; streaming
    // ones bridged to the front door in-process.
    grpc::ChannelArguments bridge_args;
    bridge_args.SetMaxReceiveMessageSize(-1);
    bridge_args.SetMaxSendMessageSize(-1);
    web_options.bridge = door.server->InProcessChannel(bridge_args);
    web_options.proxy = &proxy;
    web_options.bridge_secret = proxy.bridge_secret();
    web_options.max_request_bytes = config.web_max_request_bytes;
    web_options.max_message_bytes = config.server.max_message_bytes;
    web_options.portal_dir = config.portal_dir;
    web_options.cookie_secure = config.web_cookie_secure;
    web_options.cors_origins = config.cors_origins;
    web_options.threads = config.web_threads;
    ASSIGN_OR_RETURN(web, WebServer::Start(std::move(web_options)));
  }
  LogJson("info", "started",
          {{"grpc_port", absl::StrCat(door.port)},
           {"tls", config.tls_cert_file.empty() ? "off" : "on"},
           {"web_port", absl::StrCat(web == nullptr ? 0 : web->port())},
           {"portal_dir", config.portal_dir},
           {"auth_port", absl::StrCat(auth_server->grpc_port())},
           {"metrics_port", absl::StrCat(auth_server->metrics_port())},
           {"routed_methods", absl::StrCat(policies->methods().size())}});

  auth_server->Wait();  // until SIGTERM / SIGINT
  // The front door first: its grace ends the bridged gRPC-web calls too,
  // which the web server's threads wait on.
  door.server->Shutdown(absl::ToChronoTime(absl::Now() + config.server.shutdown_grace));
  if (web != nullptr) web->Stop();
  return absl::OkStatus();
}

}  // namespace
}  // namespace gridbill::gateway

int main(int argc, char** argv) {
  return gridbill::RunMain([&] { return gridbill::gateway::Run(argc, argv); });
}
