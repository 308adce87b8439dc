// gridbill-balance: accounting schemes, balance runs and their immutable
// results. The only place that wires objects together.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "balance_service.h"
#include "config.h"
#include "gridbill/base/clock.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/server/bootstrap.h"
#include "gridbill/server/identity_signing.h"
#include "gridbill/server/server.h"
#include "gridbill/server/tls.h"
#include "grpc_sources.h"
#include "grpcpp/create_channel.h"
#include "metrics.h"
#include "pg_store.h"
#include "runs.h"
#include "schemes.h"

namespace gridbill::balance {
namespace {

// A channel to another service; with an identity secret its calls carry the
// balance service's identity signed as the gateway signs (the other services
// then accept it).
std::shared_ptr<grpc::Channel> ChannelTo(
    const std::string& address, int64_t max_bytes,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    const std::string& identity_secret) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(static_cast<int>(max_bytes));
  args.SetMaxSendMessageSize(static_cast<int>(max_bytes));
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> creators;
  if (!identity_secret.empty()) creators.push_back(IdentitySigningInterceptor(identity_secret));
  return grpc::experimental::CreateCustomChannelWithInterceptors(address, credentials, args,
                                                                 std::move(creators));
}

absl::Status Serve(int argc, char** argv) {
  ASSIGN_OR_RETURN(ConfigSource source, ConfigSource::FromArgs(argc, argv));
  ASSIGN_OR_RETURN(Config config, Config::Load(source));

  ASSIGN_OR_RETURN(ServiceBase base, Bootstrap(config.server, config.db));

  SystemClock clock;
  PgStore store(base.pool());
  pg::PgIdempotency idempotency(base.pool());
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   ChannelCredentialsFor(config.server.mtls));
  std::shared_ptr<grpc::Channel> metering =
      ChannelTo(config.metering_address, 256 << 20, credentials, config.server.identity_secret);
  GrpcReadingSource readings(metering, config.stream_batch_points, config.source_timeout);
  GrpcPointDirectory points(metering, config.source_timeout);
  std::unique_ptr<DeclarationSource> declarations;
  if (config.contracts_address.empty()) {
    declarations = std::make_unique<NoDeclarations>();
  } else {
    declarations = std::make_unique<GrpcDeclarationSource>(
        ChannelTo(config.contracts_address, 64 << 20, credentials, config.server.identity_secret),
        config.source_timeout);
  }

  Schemes schemes(store, points, clock);
  RunsMetrics metrics(base.registry());
  Runs runs(store, readings, *declarations, clock, config.runs, metrics);

  SchemeServiceImpl scheme_service(schemes, idempotency);
  BalanceServiceImpl balance_service(runs, idempotency);

  auto on_started = [&config](const Server& server) {
    LogJson("info", "started",
            {{"grpc_port", absl::StrCat(server.grpc_port())},
             {"metrics_port", absl::StrCat(server.metrics_port())},
             {"metering", config.metering_address},
             {"contracts", config.contracts_address},
             {"time_zone", config.runs.time_zone}});
  };
  ASSIGN_OR_RETURN(std::unique_ptr<Server> server,
                   base.Start({&scheme_service, &balance_service}, on_started));
  // Shards claimed by a process that stopped are claimed again after the lease;
  // runs left pending or running resume in whichever replica has free workers.
  runs.StartWorkers();
  server->Wait();
  runs.StopWorkers();
  return absl::OkStatus();
}

}  // namespace
}  // namespace gridbill::balance

int main(int argc, char** argv) {
  return gridbill::RunMain([&] { return gridbill::balance::Serve(argc, argv); });
}
