// gridbill-forecasting: forecasts of service volumes with measured accuracy.
// The only place that wires objects together.
#include <memory>

#include "absl/strings/str_cat.h"
#include "config.h"
#include "forecasting_service.h"
#include "gridbill/base/clock.h"
#include "gridbill/base/log.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/jobs/metrics.h"
#include "gridbill/jobs/pg_jobs.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/server/bootstrap.h"
#include "gridbill/server/identity_signing.h"
#include "gridbill/server/server.h"
#include "gridbill/server/tls.h"
#include "grpc_sources.h"
#include "grpcpp/security/credentials.h"
#include "outlook.h"
#include "pg_store.h"
#include "runs.h"

namespace gridbill::forecasting {
namespace {

absl::Status Serve(int argc, char** argv) {
  ASSIGN_OR_RETURN(ConfigSource source, ConfigSource::FromArgs(argc, argv));
  ASSIGN_OR_RETURN(Config config, Config::Load(source));
  ASSIGN_OR_RETURN(ServiceBase base, Bootstrap(config.server, config.db));

  SystemClock clock;
  PgStore store(base.pool());
  jobs::PgJobs jobs(base.pool());
  pg::PgIdempotency idempotency(base.pool());
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials,
                   ChannelCredentialsFor(config.server.mtls));
  GrpcDirectory directory(CreateIdentitySigningChannel(config.contracts_address, credentials,
                                                       config.server.identity_secret),
                          config.source_timeout);
  std::unique_ptr<GrpcVolumeSource> volumes;
  if (!config.balance_address.empty()) {
    volumes = std::make_unique<GrpcVolumeSource>(
        CreateIdentitySigningChannel(config.balance_address, credentials,
                                     config.server.identity_secret),
        config.source_timeout);
  }
  // VAT rates from invoicing's table; the vat_rates setting only without invoicing.
  std::unique_ptr<VatSource> vat;
  if (config.invoicing_address.empty()) {
    vat = std::make_unique<ConfiguredVatRates>(config.vat_rates);
  } else {
    vat = std::make_unique<GrpcVatRates>(
        CreateIdentitySigningChannel(config.invoicing_address, credentials,
                                     config.server.identity_secret),
        config.source_timeout);
  }
  jobs::RunnerMetrics job_metrics(base.registry());
  Runs runs(store, jobs, directory, volumes.get(), clock, config.runs, &job_metrics);
  Outlook outlook(runs, directory, *vat, directory, volumes.get(), config.outlook, volumes.get());
  ForecastServiceImpl forecast_service(runs, outlook, idempotency);
  HistoryServiceImpl history_service(runs, idempotency);

  auto on_started = [&config](const Server& server) {
    LogJson("info", "started",
            {{"grpc_port", absl::StrCat(server.grpc_port())},
             {"metrics_port", absl::StrCat(server.metrics_port())},
             {"contracts", config.contracts_address},
             {"balance", config.balance_address},
             {"invoicing", config.invoicing_address}});
  };
  ASSIGN_OR_RETURN(std::unique_ptr<Server> server,
                   base.Start({&forecast_service, &history_service}, on_started));
  // Runs and imports left open by a stopped replica resume here.
  runs.StartWorkers();
  server->Wait();
  runs.StopWorkers();
  return absl::OkStatus();
}

}  // namespace
}  // namespace gridbill::forecasting

int main(int argc, char** argv) {
  return gridbill::RunMain([&] { return gridbill::forecasting::Serve(argc, argv); });
}
