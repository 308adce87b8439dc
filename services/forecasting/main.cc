// gridbill-forecasting: forecasts of service volumes with measured accuracy.
// The only place that wires objects together.
#include <memory>

#include "config.h"
#include "forecasting_service.h"
#include "gridbill/base/clock.h"
#include "gridbill/base/log.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/jobs/metrics.h"
#include "gridbill/jobs/pg_jobs.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/server/bootstrap.h"
#include "grpc_sources.h"
#include "outlook.h"
#include "pg_store.h"
#include "runs.h"

namespace gridbill::forecasting {
namespace {

absl::Status Serve(const Config& config, ServiceBase& base) {
  SystemClock clock;
  PgStore store(base.pool());
  jobs::PgJobs jobs(base.pool());
  pg::PgIdempotency idempotency(base.pool());
  GrpcDirectory directory(base.PeerChannel(config.contracts_address), config.source_timeout);
  std::unique_ptr<GrpcVolumeSource> volumes;
  if (!config.balance_address.empty()) {
    volumes = std::make_unique<GrpcVolumeSource>(base.PeerChannel(config.balance_address),
                                                 config.source_timeout);
  }
  // VAT rates from invoicing's table; the vat_rates setting only without invoicing.
  std::unique_ptr<VatSource> vat;
  if (config.invoicing_address.empty()) {
    vat = std::make_unique<ConfiguredVatRates>(config.vat_rates);
  } else {
    vat = std::make_unique<GrpcVatRates>(base.PeerChannel(config.invoicing_address),
                                         config.source_timeout);
  }
  jobs::RunnerMetrics job_metrics(base.registry());
  Runs runs(store, jobs, directory, volumes.get(), clock, config.runs, &job_metrics);
  Outlook outlook(runs, directory, *vat, directory, volumes.get(), config.outlook, volumes.get());
  ForecastServiceImpl forecast_service(runs, outlook, idempotency);
  HistoryServiceImpl history_service(runs, idempotency);

  // Runs and imports left open by a stopped replica resume here.
  return base.Serve({&forecast_service, &history_service},
                    {{"contracts", config.contracts_address},
                     {"balance", config.balance_address},
                     {"invoicing", config.invoicing_address}},
                    {[&runs] { runs.StartWorkers(); }, [&runs] { runs.StopWorkers(); }});
}

}  // namespace
}  // namespace gridbill::forecasting

int main(int argc, char** argv) {
  return gridbill::ServiceMain(argc, argv, gridbill::forecasting::Serve);
}
