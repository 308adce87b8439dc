// gridbill-balance: accounting schemes, balance runs and their immutable
// results. The only place that wires objects together.
#include <memory>

#include "balance_service.h"
#include "config.h"
#include "gridbill/base/clock.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/server/bootstrap.h"
#include "grpc_sources.h"
#include "metrics.h"
#include "pg_store.h"
#include "runs.h"
#include "schemes.h"

namespace gridbill::balance {
namespace {

absl::Status Serve(const Config& config, ServiceBase& base) {
  SystemClock clock;
  PgStore store(base.pool());
  pg::PgIdempotency idempotency(base.pool());
  std::shared_ptr<grpc::Channel> metering = base.PeerChannel(config.metering_address, 256 << 20);
  GrpcReadingSource readings(metering, config.stream_batch_points, config.source_timeout);
  GrpcPointDirectory points(metering, config.source_timeout);
  std::unique_ptr<DeclarationSource> declarations;
  if (config.contracts_address.empty()) {
    declarations = std::make_unique<NoDeclarations>();
  } else {
    declarations = std::make_unique<GrpcDeclarationSource>(
        base.PeerChannel(config.contracts_address, 64 << 20), config.source_timeout);
  }

  Schemes schemes(store, points, clock);
  RunsMetrics metrics(base.registry());
  Runs runs(store, readings, *declarations, clock, config.runs, metrics);

  SchemeServiceImpl scheme_service(schemes, idempotency);
  BalanceServiceImpl balance_service(runs, idempotency);

  // Shards claimed by a process that stopped are claimed again after the lease;
  // runs left pending or running resume in whichever replica has free workers.
  return base.Serve({&scheme_service, &balance_service},
                    {{"metering", config.metering_address},
                     {"contracts", config.contracts_address},
                     {"time_zone", config.runs.time_zone}},
                    {[&runs] { runs.StartWorkers(); }, [&runs] { runs.StopWorkers(); }});
}

}  // namespace
}  // namespace gridbill::balance

int main(int argc, char** argv) {
  return gridbill::ServiceMain(argc, argv, gridbill::balance::Serve);
}
