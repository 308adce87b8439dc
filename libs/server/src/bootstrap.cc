#include "gridbill/server/bootstrap.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gridbill/base/log.h"
#include "gridbill/base/status_macros.h"

namespace gridbill {
namespace {

// The role the service works as (the role of database_url).
constexpr pg::Query kCurrentUser{"bootstrap_current_user", "SELECT current_user::text AS name"};
// Names the runtime role for kGrantRuntime (a DO block takes no parameters).
constexpr pg::Query kSetRuntimeRole{"bootstrap_set_runtime_role",
                                    "SELECT set_config('gridbill.runtime_role', $1, true)"};
// What the runtime role may do: read and write rows, use the sequences and
// functions; on tables and sequences the owner makes later (partitions) too.
// No ownership: it cannot drop or alter a table, or disable its triggers.
constexpr char kGrantRuntime[] = R"sql(
DO $grant$
DECLARE
  r text := current_setting('gridbill.runtime_role');
BEGIN
  IF r = current_user THEN RETURN; END IF;
  EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', r);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', r);
  EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO %I', r);
  EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO %I', r);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public '
                 'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', r);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public '
                 'GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', r);
END
$grant$)sql";

// Applies `migrations` over `owner_url` and grants the role of `runtime`
// what it needs.
absl::Status MigrateAsOwner(const DatabaseConfig& db, pg::Pool& runtime,
                            const std::vector<pg::MigrationFile>& migrations) {
  pg::PoolOptions options;
  options.conninfo = db.owner_url;
  options.size = 1;
  options.statement_timeout = db.statement_timeout;
  ASSIGN_OR_RETURN(std::unique_ptr<pg::Pool> owner, pg::Pool::Create(options));
  ASSIGN_OR_RETURN(pg::MigrationReport report, pg::Migrate(*owner, migrations));
  ASSIGN_OR_RETURN(pg::Result who, runtime.Exec(kCurrentUser));
  const std::string role(who[0].Text("name"));
  RETURN_IF_ERROR(owner->Transact([&](pg::Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.Exec(kSetRuntimeRole, role).status());
    return tx.ExecuteScript(kGrantRuntime);
  }));
  LogJson("info", "migrations",
          {{"applied", absl::StrJoin(report.applied, ",")},
           {"already_applied", absl::StrCat(report.already_applied)},
           {"runtime_role", role}});
  return absl::OkStatus();
}

}  // namespace

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
  if (db.migrate && !db.owner_url.empty()) {
    RETURN_IF_ERROR(MigrateAsOwner(db, *base.pool_, migrations));
  } else if (db.migrate) {
    ASSIGN_OR_RETURN(pg::MigrationReport report, pg::Migrate(*base.pool_, migrations));
    LogJson("info", "migrations",
            {{"applied", absl::StrJoin(report.applied, ",")},
             {"already_applied", absl::StrCat(report.already_applied)}});
  }
  base.registry_ = std::make_shared<prometheus::Registry>();
  return base;
}

}  // namespace gridbill
