// gridbill-reporting: analytical reports over a read model of the suite.
// The only place that wires objects together.
#include <memory>

#include "config.h"
#include "gridbill/base/clock.h"
#include "gridbill/base/log.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/jobs/metrics.h"
#include "gridbill/jobs/pg_jobs.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/server/bootstrap.h"
#include "grpc_report_sources.h"
#include "grpc_sources.h"
#include "pg_store.h"
#include "reporting.h"
#include "reporting_service.h"
#include "scheduler.h"

namespace gridbill::reporting {
namespace {

absl::Status Serve(const Config& config, ServiceBase& base) {
  SystemClock clock;
  PgStore store(base.pool());
  jobs::PgJobs jobs(base.pool());
  pg::PgIdempotency idempotency(base.pool());
  GrpcSources sources(base.PeerChannel(config.contracts_address),
                      base.PeerChannel(config.invoicing_address), config.source_timeout);
  GrpcReportSources report_sources(
      base.PeerChannel(config.balance_address), base.PeerChannel(config.contracts_address),
      base.PeerChannel(config.metering_address), config.source_timeout);
  if (!config.forecasting_address.empty()) {
    report_sources.UseForecasting(base.PeerChannel(config.forecasting_address));
  }
  jobs::RunnerMetrics job_metrics(base.registry());
  Reporting reporting(store, jobs, sources, clock, config.reporting, &job_metrics);
  reporting.UseReportSources(report_sources);
  ReportServiceImpl report_service(reporting, idempotency, config.export_tmp_dir);
  Scheduler scheduler(store, reporting, clock, config.export_tmp_dir, config.schedule_poll);
  ScheduleServiceImpl schedule_service(scheduler, idempotency);

  return base.Serve(
      {&report_service, &schedule_service},
      {{"contracts", config.contracts_address}, {"invoicing", config.invoicing_address}},
      {[&] {
         // Refreshes left open by a stopped replica resume here.
         reporting.StartWorkers();
         // Schedules missed while the service was down run once, now.
         scheduler.Start();
       },
       [&] {
         scheduler.Stop();
         reporting.StopWorkers();
       }});
}

}  // namespace
}  // namespace gridbill::reporting

int main(int argc, char** argv) {
  return gridbill::ServiceMain(argc, argv, gridbill::reporting::Serve);
}
