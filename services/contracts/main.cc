// gridbill-contracts: reference data, participants, contracts, tariffs and
// applications. The only place that wires objects together.
#include <memory>
#include <string>

#include "config.h"
#include "contracts_service.h"
#include "gridbill/base/clock.h"
#include "gridbill/base/periodic.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/server/bootstrap.h"
#include "gridbill/server/server.h"
#include "pg_store.h"
#include "prometheus/gauge.h"

namespace gridbill::contracts {
namespace {

absl::Status Run(const Config& config, ServiceBase& base) {
  SystemClock clock;
  PgStore store(base.pool());
  pg::PgIdempotency idempotency(base.pool());

  ReferenceData reference_data(store, clock);
  Participants participants(store, clock);
  Contracts contracts(store, clock, config.zone);
  Tariffs tariffs(store, clock, config.zone);
  Applications applications(store, clock, config.zone, config.deadlines);

  ReferenceDataServiceImpl reference_service(reference_data, idempotency);
  ParticipantServiceImpl participant_service(participants, idempotency);
  ContractServiceImpl contract_service(contracts, idempotency);
  TariffServiceImpl tariff_service(tariffs, idempotency);
  ApplicationServiceImpl application_service(applications, idempotency);

  // Overdue applications as a gauge, read from the database every minute.
  prometheus::Gauge& overdue = prometheus::BuildGauge()
                                   .Name("gridbill_contracts_applications_overdue")
                                   .Help("Applications submitted or in review past their due time")
                                   .Register(base.registry())
                                   .Add({});
  Periodic count_overdue(absl::Minutes(1), [&] {
    absl::StatusOr<int64_t> n = applications.Overdue();
    if (n.ok()) {
      overdue.Set(static_cast<double>(*n));
    } else {
      LogJson("warn", "overdue applications", {{"error", n.status().ToString()}});
    }
  });

  return base.Serve({&reference_service, &participant_service, &contract_service, &tariff_service,
                     &application_service},
                    {{"time_zone", config.time_zone}});
}

}  // namespace
}  // namespace gridbill::contracts

int main(int argc, char** argv) {
  return gridbill::ServiceMain(argc, argv, gridbill::contracts::Run);
}
