// The start and the end of every service's main.cc, written once: the
// config read, the database pool opened, the schema migrated, and the
// metrics registry made, all before the service's components are built, so
// that each component receives its pool and its metrics through its
// constructor. Then the server starts on that same registry, logs
// "started" and serves until SIGTERM. A main.cc keeps only its own wiring:
//
//   absl::Status Serve(const Config& config, ServiceBase& base) {
//     PgStore store(base.pool());
//     RunsMetrics metrics(base.registry());
//     Runs runs(store, Source(base.PeerChannel(config.metering_address)), ..., metrics);
//     RunServiceImpl service(runs, ...);
//     return base.Serve({&service}, {{"metering", config.metering_address}});
//   }
//   int main(int argc, char** argv) { return gridbill::ServiceMain(argc, argv, Serve); }
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/migrations.h"
#include "gridbill/pg/pool.h"
#include "gridbill/server/config.h"
#include "gridbill/server/server.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "prometheus/registry.h"

namespace gridbill {

// The "started" line's fields after grpc_port and metrics_port (the peers'
// addresses, the time zone: what an operator checks a start by).
using StartedFields = std::vector<std::pair<std::string, std::string>>;

// What runs only while a service serves, such as its job workers: started
// once the server is up, stopped once it has stopped. Either may be empty.
struct ServingHooks {
  std::function<void()> start;
  std::function<void()> stop;
};

// What Bootstrap returns: what a service's components are built from.
class ServiceBase {
 public:
  pg::Pool& pool() { return *pool_; }
  prometheus::Registry& registry() { return *registry_; }
  const ServerConfig& server_config() const { return server_; }

  // A channel to another service of the suite at `address`: with this
  // process's mTLS credentials (mtls_*), its calls carrying the caller's
  // identity signed with identity_secret as the gateway signs them (so that
  // the other service accepts it), and message size limits of
  // `max_message_bytes` each way (0: gRPC's defaults).
  std::shared_ptr<grpc::Channel> PeerChannel(const std::string& address,
                                             int64_t max_message_bytes = 0) const;

  // Server options with the config and this registry, for a server started
  // differently (another address, fewer threads).
  Server::Options ServerOptions() const;
  // Starts the server on `services` (not owned; they must outlive it) with
  // this registry, and logs "started" with its ports and `fields`.
  absl::StatusOr<std::unique_ptr<Server>> Start(std::vector<grpc::Service*> services,
                                                const StartedFields& fields = {}) const;
  // Start, then `hooks.start`, then blocks until SIGTERM / SIGINT and the
  // server's graceful stop, then `hooks.stop`.
  absl::Status Serve(std::vector<grpc::Service*> services, const StartedFields& fields = {},
                     const ServingHooks& hooks = {}) const;

 private:
  friend absl::StatusOr<ServiceBase> Bootstrap(const ServerConfig&, const DatabaseConfig&,
                                               std::vector<pg::MigrationFile>);
  ServerConfig server_;
  std::unique_ptr<pg::Pool> pool_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<grpc::ChannelCredentials> peer_credentials_;
};

// Names the log lines after the service and sets their level, opens the
// pool, applies `migrations` (db.migrate kApply, logging what it applied),
// or applies them and ends the process with exit code 0 (kOnly: a
// migrations Job), or refuses to start unless they are all applied (kCheck:
// the services of a deployment whose Job migrates), and makes the registry
// with the pool's gauges (gridbill_db_pool_*). `migrations` defaults to those
// gridbill_embed_migrations() compiled into the binary (evaluated where
// Bootstrap is called, so that only binaries that call it need them).
absl::StatusOr<ServiceBase> Bootstrap(
    const ServerConfig& server, const DatabaseConfig& db,
    std::vector<pg::MigrationFile> migrations = pg::EmbeddedMigrations());

// A service's main(), all but its wiring: under RunMain, reads its Config
// (`Config::Load(ConfigSource)`: --config, the environment, --key=value),
// Bootstraps on config.server and config.db, and runs `serve`, which builds
// the components and ends in base.Serve(...). `before`, when given, runs
// first on the config: a one-off mode of the binary that needs no database
// (a check that prints and exits) returns its outcome, which ends the
// process; nullopt goes on to Bootstrap and serve.
template <typename Config>
int ServiceMain(int argc, char** argv, absl::Status (*serve)(const Config&, ServiceBase&),
                std::optional<absl::Status> (*before)(const Config&) = nullptr) {
  return RunMain([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ConfigSource source, ConfigSource::FromArgs(argc, argv));
    ASSIGN_OR_RETURN(Config config, Config::Load(source));
    if (before != nullptr) {
      std::optional<absl::Status> done = before(config);
      if (done.has_value()) return *done;
    }
    ASSIGN_OR_RETURN(ServiceBase base, Bootstrap(config.server, config.db));
    return serve(config, base);
  });
}

}  // namespace gridbill
