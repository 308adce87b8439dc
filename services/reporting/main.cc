// gridbill-reporting: analytical reports over a read model of the suite.
// The only place that wires objects together.
#include <memory>

#include "absl/strings/str_cat.h"
#include "config.h"
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
#include "grpc_report_sources.h"
#include "grpc_sources.h"
#include "grpcpp/security/credentials.h"
#include "pg_store.h"
#include "reporting.h"
#include "reporting_service.h"
#include "scheduler.h"

namespace gridbill::reporting {
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
  GrpcSources sources(CreateIdentitySigningChannel(config.contracts_address, credentials,
                                                   config.server.identity_secret),
                      CreateIdentitySigningChannel(config.invoicing_address, credentials,
                                                   config.server.identity_secret),
                      config.source_timeout);
  GrpcReportSources report_sources(
      CreateIdentitySigningChannel(config.balance_address, credentials,
                                   config.server.identity_secret),
      CreateIdentitySigningChannel(config.contracts_address, credentials,
                                   config.server.identity_secret),
      CreateIdentitySigningChannel(config.metering_address, credentials,
                                   config.server.identity_secret),
      config.source_timeout);
  if (!config.forecasting_address.empty()) {
    report_sources.UseForecasting(CreateIdentitySigningChannel(
        config.forecasting_address, credentials, config.server.identity_secret));
  }
  jobs::RunnerMetrics job_metrics(base.registry());
  Reporting reporting(store, jobs, sources, clock, config.reporting, &job_metrics);
  reporting.UseReportSources(report_sources);
  ReportServiceImpl report_service(reporting, idempotency, config.export_tmp_dir);
  Scheduler scheduler(store, reporting, clock, config.export_tmp_dir, config.schedule_poll);
  ScheduleServiceImpl schedule_service(scheduler, idempotency);

  auto on_started = [&config](const Server& server) {
    LogJson("info", "started",
            {{"grpc_port", absl::StrCat(server.grpc_port())},
             {"metrics_port", absl::StrCat(server.metrics_port())},
             {"contracts", config.contracts_address},
             {"invoicing", config.invoicing_address}});
  };
  ASSIGN_OR_RETURN(std::unique_ptr<Server> server,
                   base.Start({&report_service, &schedule_service}, on_started));
  // Refreshes left open by a stopped replica resume here.
  reporting.StartWorkers();
  // Schedules missed while the service was down run once, now.
  scheduler.Start();
  server->Wait();
  scheduler.Stop();
  reporting.StopWorkers();
  return absl::OkStatus();
}

}  // namespace
}  // namespace gridbill::reporting

int main(int argc, char** argv) {
  return gridbill::RunMain([&] { return gridbill::reporting::Serve(argc, argv); });
}
