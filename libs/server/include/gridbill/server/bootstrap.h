// The start of every service's main.cc, written once: the database pool
// opened, the schema migrated, and the metrics registry made, all before the
// service's components are built, so that each component receives its pool
// and its metrics through its constructor. Then the server starts on that
// same registry.
//
//   ASSIGN_OR_RETURN(Config config, Config::Load(source));
//   ASSIGN_OR_RETURN(ServiceBase base, Bootstrap(config.server, config.db));
//   PgStore store(base.pool());
//   RunsMetrics metrics(base.registry());
//   Runs runs(store, ..., metrics);
//   ASSIGN_OR_RETURN(auto server, base.Start({&service}));
//   server->Wait();
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "gridbill/pg/migrations.h"
#include "gridbill/pg/pool.h"
#include "gridbill/server/config.h"
#include "gridbill/server/server.h"
#include "prometheus/registry.h"

namespace gridbill {

// What Bootstrap returns: what a service's components are built from.
class ServiceBase {
 public:
  pg::Pool& pool() { return *pool_; }
  prometheus::Registry& registry() { return *registry_; }
  const ServerConfig& server_config() const { return server_; }

  // Server options with the config and this registry, for a server started
  // differently (another address, fewer threads).
  Server::Options ServerOptions() const;
  // Starts the server on `services` (not owned; they must outlive it) with
  // this registry; `on_started` as in Server::Options.
  absl::StatusOr<std::unique_ptr<Server>> Start(
      std::vector<grpc::Service*> services,
      std::function<void(const Server&)> on_started = nullptr) const;

 private:
  friend absl::StatusOr<ServiceBase> Bootstrap(const ServerConfig&, const DatabaseConfig&,
                                               std::vector<pg::MigrationFile>);
  ServerConfig server_;
  std::unique_ptr<pg::Pool> pool_;
  std::shared_ptr<prometheus::Registry> registry_;
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

}  // namespace gridbill
