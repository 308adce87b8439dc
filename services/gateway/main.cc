// gridbill-gateway: the front door of the suite. The only place that wires
// objects together.
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "auth.h"
#include "auth_service.h"
#include "clock.h"
#include "config.h"
#include "google/protobuf/descriptor.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/migrations.h"
#include "gridbill/pg/pool.h"
#include "gridbill/server/config.h"
#include "gridbill/server/server.h"
#include "grpcpp/create_channel.h"
#include "passwords.h"
#include "pg_store.h"
#include "policy.h"
#include "proxy.h"
#include "routes.h"
#include "tokens.h"

namespace gridbill::gateway {
namespace {

absl::Status Run(int argc, char** argv) {
  ASSIGN_OR_RETURN(ConfigSource source, ConfigSource::FromArgs(argc, argv));
  ASSIGN_OR_RETURN(Config config, Config::Load(source));

  // Refuse to start when a routed method has no policy.
  ASSIGN_OR_RETURN(
      std::unique_ptr<PolicyTable> policies,
      PolicyTable::Build(*google::protobuf::DescriptorPool::generated_pool(), SuiteRoutes()));

  pg::PoolOptions pool_options;
  pool_options.conninfo = config.db.url;
  pool_options.size = config.db.pool_size;
  pool_options.statement_timeout = config.db.statement_timeout;
  ASSIGN_OR_RETURN(std::unique_ptr<pg::Pool> pool, pg::Pool::Create(pool_options));
  if (config.db.migrate) {
    ASSIGN_OR_RETURN(pg::MigrationReport report, pg::Migrate(*pool, pg::EmbeddedMigrations()));
    LogJson("info", "migrations",
            {{"applied", absl::StrJoin(report.applied, ",")},
             {"already_applied", absl::StrCat(report.already_applied)}});
  }

  SystemClock clock;
  PgStore store(*pool);
  PasswordHasher hasher(config.argon2);
  TokenSigner signer(config.token_secret);
  Authenticator auth(store, clock, hasher, signer, config.auth);
  AuthServiceImpl auth_service(auth, config.identity_secret);

  // The gateway's own AuthService: a standard server on loopback, reached
  // through the proxy like any backend.
  Server::Options options;
  options.config = config.server;
  options.config.grpc_address = config.auth_address;
  options.services = {&auth_service};
  ASSIGN_OR_RETURN(std::unique_ptr<Server> auth_server, Server::Start(std::move(options)));

  std::map<std::string, std::shared_ptr<grpc::Channel>> backends;
  backends[kBackendContracts] =
      grpc::CreateChannel(config.backend_contracts, grpc::InsecureChannelCredentials());
  backends[kBackendMetering] =
      grpc::CreateChannel(config.backend_metering, grpc::InsecureChannelCredentials());
  backends[kBackendGateway] = grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", auth_server->grpc_port()), grpc::InsecureChannelCredentials());
  Proxy proxy(*policies, auth, std::move(backends), config.identity_secret);
  ASSIGN_OR_RETURN(FrontDoor door, StartFrontDoor(config.server.grpc_address,
                                                  config.server.max_message_bytes, proxy));
  LogJson("info", "started",
          {{"grpc_port", absl::StrCat(door.port)},
           {"auth_port", absl::StrCat(auth_server->grpc_port())},
           {"metrics_port", absl::StrCat(auth_server->metrics_port())},
           {"routed_methods", absl::StrCat(policies->methods().size())}});

  auth_server->Wait();  // until SIGTERM / SIGINT
  door.server->Shutdown(absl::ToChronoTime(absl::Now() + config.server.shutdown_grace));
  return absl::OkStatus();
}

}  // namespace
}  // namespace gridbill::gateway

int main(int argc, char** argv) {
  return gridbill::RunMain([&] { return gridbill::gateway::Run(argc, argv); });
}
