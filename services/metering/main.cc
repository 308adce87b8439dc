// gridbill-metering: metering points, interval readings with revisions, VEE
// and queries. The only place that wires objects together.
#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "config.h"
#include "estimation.h"
#include "gridbill/base/clock.h"
#include "gridbill/base/periodic.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/jobs/metrics.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/server/bootstrap.h"
#include "gridbill/server/server.h"
#include "imports.h"
#include "ingestion.h"
#include "metering_service.h"
#include "pg_store.h"
#include "points.h"
#include "prometheus/gauge.h"
#include "readings.h"

namespace gridbill::metering {
namespace {

absl::Status Run(const Config& config, ServiceBase& base) {
  SystemClock clock;
  PgStore store(base.pool());
  pg::PgIdempotency idempotency(base.pool());

  Points points(store, clock);
  Ingestion ingestion(store, clock, config.zone, config.vee);
  Readings readings(store, ingestion, config.zone);
  Estimation estimation(store, ingestion, clock, config.zone, config.estimation);
  jobs::RunnerMetrics job_metrics(base.registry());
  ImportJobs imports(store, ingestion, clock, config.zone,
                     ImportOptions{config.worker_id, config.import_lease, &job_metrics,
                                   config.import_file_retention});
  // Imports a previous process (or another replica) left unfinished resume
  // from their stored file: the points not yet stored.
  ASSIGN_OR_RETURN(int64_t unfinished, imports.ResumeUnfinished());
  if (unfinished > 0) {
    LogJson("info", "import jobs resumed", {{"unfinished", absl::StrCat(unfinished)}});
  }
  imports.StartWorker();

  // Completeness of the current period (through yesterday) and the previous
  // one as gauges (the month-close dashboard), one aggregate each, every
  // five minutes and once at start.
  auto& completeness = prometheus::BuildGauge()
                           .Name("gridbill_metering_completeness_ratio")
                           .Help("Present intervals / expected intervals of the active points")
                           .Register(base.registry());
  prometheus::Gauge& current_ratio = completeness.Add({{"period", "current"}});
  prometheus::Gauge& previous_ratio = completeness.Add({{"period", "previous"}});
  Periodic count_completeness(absl::Minutes(5), [&] {
    const absl::CivilDay today = absl::ToCivilDay(clock.Now(), config.zone);
    const BillingPeriod current = BillingPeriod::Of(today);
    const BillingPeriod previous = current.Prev();
    struct Span {
      absl::CivilDay from, to;
      prometheus::Gauge& gauge;
    };
    for (const Span& s : {Span{current.first_day(), today - 1, current_ratio},
                          Span{previous.first_day(), previous.last_day(), previous_ratio}}) {
      absl::StatusOr<IntervalTotals> t = store.CountIntervals(s.from, s.to);
      if (!t.ok()) {
        LogJson("warn", "completeness", {{"error", t.status().ToString()}});
        return;
      }
      // Nothing expected (the first day of a month) is nothing missing.
      s.gauge.Set(t->expected > 0 ? std::min(1.0, static_cast<double>(t->present) /
                                                      static_cast<double>(t->expected))
                                  : 1.0);
    }
  });

  MeteringPointServiceImpl point_service(points, idempotency);
  ReadingServiceImpl reading_service(ingestion, readings, estimation, idempotency, config.zone,
                                     config.max_batch);
  ImportServiceImpl import_service(imports, idempotency, config.import_max_bytes);

  return base.Serve({&point_service, &reading_service, &import_service},
                    {{"time_zone", config.time_zone}},
                    {.stop = [&imports] { imports.StopWorker(); }});
}

}  // namespace
}  // namespace gridbill::metering

int main(int argc, char** argv) {
  return gridbill::ServiceMain(argc, argv, gridbill::metering::Run);
}
