// gridbill-invoicing: billing periods, invoice runs, documents with gapless
// numbering and PDF/ESF renderings, payments, statements, ERP export. The
// only place that wires objects together.
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "accounts.h"
#include "config.h"
#include "documents.h"
#include "gridbill/base/clock.h"
#include "gridbill/base/periodic.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/jobs/metrics.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/server/bootstrap.h"
#include "grpc_sources.h"
#include "invoice_runs.h"
#include "invoicing_service.h"
#include "ledger.h"
#include "pg_store.h"
#include "prometheus/gauge.h"

namespace gridbill::invoicing {
namespace {

absl::Status Run(const Config& config, ServiceBase& base) {
  SystemClock clock;
  PgStore store(base.pool());
  pg::PgIdempotency idempotency(base.pool());
  GrpcContractDirectory directory(base.PeerChannel(config.contracts_address), config.zone);
  std::unique_ptr<GrpcVolumeSource> volumes;
  if (!config.balance_address.empty()) {
    volumes = std::make_unique<GrpcVolumeSource>(base.PeerChannel(config.balance_address));
  }

  jobs::RunnerMetrics job_metrics(base.registry());
  InvoiceRuns runs(store, directory, volumes.get(), clock, config.zone, config.run, config.seller,
                   config.pdf_font, &job_metrics);
  Documents documents(store, clock, config.seller, config.pdf_font);
  Accounts accounts(store, directory, clock);
  // Receivables by days past due as gauges (the month-close dashboard),
  // read from the ledger every five minutes.
  auto& receivables = prometheus::BuildGauge()
                          .Name("gridbill_invoicing_receivables_tiyn")
                          .Help("Open amounts of invoices and notes by days past due, in tiyn")
                          .Register(base.registry());
  prometheus::Gauge* by_age[] = {
      &receivables.Add({{"age", "not_due"}}), &receivables.Add({{"age", "0-30"}}),
      &receivables.Add({{"age", "31-60"}}), &receivables.Add({{"age", "61-90"}}),
      &receivables.Add({{"age", "over_90"}})};
  Periodic count_receivables(absl::Minutes(5), [&] {
    absl::StatusOr<AgingBuckets> b =
        accounts.Aging("", absl::ToCivilDay(clock.Now(), config.zone), "");
    if (!b.ok()) {
      LogJson("warn", "receivables", {{"error", b.status().ToString()}});
      return;
    }
    const int64_t amounts[] = {b->not_due, b->d0_30, b->d31_60, b->d61_90, b->over_90};
    for (int i = 0; i < 5; ++i) by_age[i]->Set(static_cast<double>(amounts[i]));
  });
  // Documents issued by type in the current and previous billing period as
  // gauges (the month-close dashboard), one count each, every five minutes.
  auto& issued = prometheus::BuildGauge()
                     .Name("gridbill_invoicing_documents")
                     .Help("Documents of the current and previous billing period by type")
                     .Register(base.registry());
  constexpr DocType kTypes[] = {DocType::kInvoice, DocType::kAct, DocType::kEsf,
                                DocType::kCreditNote, DocType::kDebitNote};
  const char* const kPeriods[] = {"current", "previous"};
  prometheus::Gauge* by_type[2][5];
  for (int p = 0; p < 2; ++p) {
    for (int t = 0; t < 5; ++t) {
      by_type[p][t] = &issued.Add({{"type", DocTypeName(kTypes[t])}, {"period", kPeriods[p]}});
    }
  }
  Periodic count_documents(absl::Minutes(5), [&] {
    const BillingPeriod current = BillingPeriod::Of(absl::ToCivilDay(clock.Now(), config.zone));
    const BillingPeriod periods[] = {current, current.Prev()};
    for (int p = 0; p < 2; ++p) {
      absl::StatusOr<std::map<DocType, int64_t>> counts = store.CountDocumentsByType(periods[p]);
      if (!counts.ok()) {
        LogJson("warn", "documents", {{"error", counts.status().ToString()}});
        return;
      }
      for (int t = 0; t < 5; ++t) {
        auto it = counts->find(kTypes[t]);
        by_type[p][t]->Set(it == counts->end() ? 0.0 : static_cast<double>(it->second));
      }
    }
  });
  // Runs a previous process left unfinished resume: issuing is idempotent
  // per contract, so nothing is issued twice.
  ASSIGN_OR_RETURN(int64_t resumed, runs.ResumeUnfinished());
  if (resumed > 0) LogJson("info", "invoice runs resumed", {{"runs", absl::StrCat(resumed)}});
  runs.StartWorkers(config.run_workers);

  BillingPeriodServiceImpl period_service(documents, idempotency);
  InvoiceRunServiceImpl run_service(runs, idempotency);
  DocumentServiceImpl document_service(documents);
  PaymentServiceImpl payment_service(accounts, idempotency);
  ErpExportServiceImpl export_service(documents);

  return base.Serve(
      {&period_service, &run_service, &document_service, &payment_service, &export_service},
      {{"time_zone", config.time_zone},
       {"contracts_address", config.contracts_address},
       {"balance_address", config.balance_address}},
      {.stop = [&runs] { runs.StopWorkers(); }});
}

}  // namespace
}  // namespace gridbill::invoicing

int main(int argc, char** argv) {
  return gridbill::ServiceMain(argc, argv, gridbill::invoicing::Run);
}
