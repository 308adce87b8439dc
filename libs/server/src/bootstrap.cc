#include "gridbill/server/bootstrap.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gridbill/base/log.h"
#include "gridbill/base/status_macros.h"

namespace gridbill {

Server::Options ServiceBase::ServerOptions() const {
  Server::Options options;
  options.config = server_;
  options.registry = registry_;
  return options;
}

absl::StatusOr<std::unique_ptr<Server>> ServiceBase::Start(
    std::vector<grpc::Service*> services, std::function<void(const Server&)> on_started) const {
  Server::Options options = ServerOptions();
  options.services = std::move(services);
  options.on_started = std::move(on_started);
  return Server::Start(std::move(options));
}

absl::StatusOr<ServiceBase> Bootstrap(const ServerConfig& server, const DatabaseConfig& db,
                                      std::vector<pg::MigrationFile> migrations) {
  // Before anything logs: lines carry the service's name and honour its level.
  SetLogService(server.service_name);
  SetLogLevel(server.log_level.empty() ? "info" : server.log_level);

  ServiceBase base;
  base.server_ = server;
  pg::PoolOptions pool_options;
  pool_options.conninfo = db.url;
  pool_options.size = db.pool_size;
  pool_options.statement_timeout = db.statement_timeout;
  ASSIGN_OR_RETURN(base.pool_, pg::Pool::Create(pool_options));
  if (db.migrate) {
    ASSIGN_OR_RETURN(pg::MigrationReport report, pg::Migrate(*base.pool_, migrations));
    LogJson("info", "migrations",
            {{"applied", absl::StrJoin(report.applied, ",")},
             {"already_applied", absl::StrCat(report.already_applied)}});
  }
  base.registry_ = std::make_shared<prometheus::Registry>();
  return base;
}

}  // namespace gridbill
