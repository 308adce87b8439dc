#include "gridbill/server/bootstrap.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gridbill/base/log.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/identity_signing.h"
#include "gridbill/server/tls.h"
#include "grpcpp/create_channel.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"

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

// The pool's connections as gauges, kept current by the pool itself:
//   gridbill_db_pool_connections{state="in_use"|"idle"}
//   gridbill_db_pool_max_connections
//   gridbill_db_pool_waiting              callers waiting for a connection
//   gridbill_db_pool_acquire_timeouts_total  waits that gave up (UNAVAILABLE)
void ExportPoolStats(pg::Pool& pool, std::shared_ptr<prometheus::Registry> registry) {
  auto& connections = prometheus::BuildGauge()
                          .Name("gridbill_db_pool_connections")
                          .Help("Connections of the service's PostgreSQL pool, by state")
                          .Register(*registry);
  prometheus::Gauge* in_use = &connections.Add({{"state", "in_use"}});
  prometheus::Gauge* idle = &connections.Add({{"state", "idle"}});
  prometheus::Gauge* max = &prometheus::BuildGauge()
                                .Name("gridbill_db_pool_max_connections")
                                .Help("The pool's size (database_pool_size)")
                                .Register(*registry)
                                .Add({});
  prometheus::Gauge* waiting = &prometheus::BuildGauge()
                                    .Name("gridbill_db_pool_waiting")
                                    .Help("Calls waiting for a free PostgreSQL connection")
                                    .Register(*registry)
                                    .Add({});
  prometheus::Counter* timeouts =
      &prometheus::BuildCounter()
           .Name("gridbill_db_pool_acquire_timeouts_total")
           .Help("Waits for a PostgreSQL connection that gave up (the call failed UNAVAILABLE)")
           .Register(*registry)
           .Add({});
  // The registry lives as long as the observer (the pool may outlive the
  // ServiceBase's own reference).
  pool.SetStatsObserver([registry, in_use, idle, max, waiting, timeouts](const pg::PoolStats& s) {
    in_use->Set(s.in_use);
    idle->Set(s.idle);
    max->Set(s.max);
    waiting->Set(s.waiting);
    const double more = static_cast<double>(s.timeouts) - timeouts->Value();
    if (more > 0) timeouts->Increment(more);
  });
}

}  // namespace

Server::Options ServiceBase::ServerOptions() const {
  Server::Options options;
  options.config = server_;
  options.registry = registry_;
  return options;
}

std::shared_ptr<grpc::Channel> ServiceBase::PeerChannel(const std::string& address,
                                                        int64_t max_message_bytes) const {
  grpc::ChannelArguments args;
  if (max_message_bytes > 0) {
    args.SetMaxReceiveMessageSize(static_cast<int>(max_message_bytes));
    args.SetMaxSendMessageSize(static_cast<int>(max_message_bytes));
  }
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> creators;
  if (!server_.identity_secret.empty()) {
    creators.push_back(IdentitySigningInterceptor(server_.identity_secret));
  }
  return grpc::experimental::CreateCustomChannelWithInterceptors(address, peer_credentials_, args,
                                                                 std::move(creators));
}

absl::StatusOr<std::unique_ptr<Server>> ServiceBase::Start(std::vector<grpc::Service*> services,
                                                           const StartedFields& fields) const {
  Server::Options options = ServerOptions();
  options.services = std::move(services);
  options.on_started = [&fields](const Server& server) {
    if (!LogEnabled("info")) return;
    json::ObjectWriter line = internal::StartLogLine("info");
    line.Add("msg", "started")
        .Add("grpc_port", absl::StrCat(server.grpc_port()))
        .Add("metrics_port", absl::StrCat(server.metrics_port()));
    for (const auto& [key, value] : fields) line.Add(key, value);
    internal::EmitLogLine(std::move(line).Finish());
  };
  return Server::Start(std::move(options));
}

absl::Status ServiceBase::Serve(std::vector<grpc::Service*> services, const StartedFields& fields,
                                const ServingHooks& hooks) const {
  ASSIGN_OR_RETURN(std::unique_ptr<Server> server, Start(std::move(services), fields));
  if (hooks.start) hooks.start();
  server->Wait();
  if (hooks.stop) hooks.stop();
  return absl::OkStatus();
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
  using Migrate = DatabaseConfig::Migrate;
  const bool apply = db.migrate == Migrate::kApply || db.migrate == Migrate::kOnly;
  if (apply && !db.owner_url.empty()) {
    RETURN_IF_ERROR(MigrateAsOwner(db, *base.pool_, migrations));
  } else if (apply) {
    ASSIGN_OR_RETURN(pg::MigrationReport report, pg::Migrate(*base.pool_, migrations));
    LogJson("info", "migrations",
            {{"applied", absl::StrJoin(report.applied, ",")},
             {"already_applied", absl::StrCat(report.already_applied)}});
  }
  if (db.migrate == Migrate::kOnly) {
    // A migrations Job (Kubernetes, a Helm pre-upgrade hook): done.
    LogJson("info", "migrate only: the schema is up to date, exiting");
    base.pool_.reset();
    std::exit(0);
  }
  if (db.migrate == Migrate::kCheck) {
    RETURN_IF_ERROR(pg::CheckMigrations(*base.pool_, migrations));
    LogJson("info", "migrations checked", {{"files", absl::StrCat(migrations.size())}});
  }
  ASSIGN_OR_RETURN(base.peer_credentials_, ChannelCredentialsFor(server.mtls));
  base.registry_ = std::make_shared<prometheus::Registry>();
  ExportPoolStats(*base.pool_, base.registry_);
  return base;
}

}  // namespace gridbill
