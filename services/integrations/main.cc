// gridbill-integrations: the adapters to the outside systems and their
// delivery state. The only place that wires objects together.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "adapters.h"
#include "config.h"
#include "documents.h"
#include "dwh.h"
#include "erp.h"
#include "esf.h"
#include "gridbill/base/clock.h"
#include "gridbill/base/log.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/server/bootstrap.h"
#include "gridbill/server/server.h"
#include "grpc_suite.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "inbound.h"
#include "integrations_service.h"
#include "itsm.h"
#include "pg_store.h"
#include "problems.h"
#include "scada.h"

namespace gridbill::integrations {
namespace {

// --check_archive=true: every archived document against invoicing's hash,
// one line per finding on stdout; an error when there is one.
absl::Status CheckArchiveOnce(const Config& config) {
  GrpcSuite suite(grpc::CreateChannel(config.gateway_address, grpc::InsecureChannelCredentials()),
                  config.api_key, config.call_timeout);
  int checked = 0;
  ASSIGN_OR_RETURN(std::vector<IntegrityFinding> findings,
                   config.ecm_archive_dir.empty()
                       ? CheckCmisArchive(config.ecm_cmis, suite, &checked)
                       : CheckArchive(config.ecm_archive_dir, suite, &checked));
  for (const IntegrityFinding& f : findings) {
    std::printf("%s: %s\n", f.document_number.c_str(), f.reason.c_str());
  }
  std::printf("%d archived documents checked, %zu differ\n", checked, findings.size());
  std::fflush(stdout);
  if (!findings.empty()) {
    return absl::DataLossError(
        absl::StrCat(findings.size(), " archived documents differ from invoicing's"));
  }
  return absl::OkStatus();
}

// Before the database: --check_archive=true checks the archive and exits
// (no database, no serving).
std::optional<absl::Status> CheckArchiveMode(const Config& config) {
  if (!config.check_archive) return std::nullopt;
  return CheckArchiveOnce(config);
}

absl::Status Serve(const Config& config, ServiceBase& base) {
  SystemClock clock;
  PgStore store(base.pool());
  pg::PgIdempotency idempotency(base.pool());
  std::unique_ptr<GrpcSuite> suite;
  if (!config.gateway_address.empty() && !config.api_key.empty()) {
    suite = std::make_unique<GrpcSuite>(
        grpc::CreateChannel(config.gateway_address, grpc::InsecureChannelCredentials()),
        config.api_key, config.call_timeout);
  }
  Adapters adapters(store, suite.get(), clock, config.retry, config.poll_interval);
  if (suite) {
    if (!config.erp_outbox_dir.empty()) {
      adapters.AddOutbound("erp",
                           std::make_unique<ErpFolderReceiver>(config.erp_outbox_dir, suite.get()));
      // Each finished invoice run: its entries file, and the figures it is reconciled by.
      adapters.AddPeriodic("erp", config.poll_interval, [&store, &suite, &clock] {
        return PumpInvoiceRuns(store, *suite, clock.Now());
      });
    }
    if (!config.ecm_archive_dir.empty()) {
      adapters.AddOutbound(
          "ecm", std::make_unique<DirectoryArchiveReceiver>(config.ecm_archive_dir, *suite));
    }
    if (!config.ecm_cmis.repository_url.empty()) {
      adapters.AddOutbound("ecm", std::make_unique<CmisArchiveReceiver>(config.ecm_cmis, *suite));
    }
    if (!config.esf.base_url.empty()) {
      adapters.AddOutbound("esf", std::make_unique<EsfReceiver>(config.esf, *suite, store));
    }
    const bool itsm = !config.itsm.base_url.empty();
    if (itsm) {
      adapters.AddOutbound("itsm", std::make_unique<ItsmReceiver>(config.itsm), false);
    }
    if (!config.cms_inbound_dir.empty()) {
      adapters.AddInbound(
          "cms", config.cms_inbound_dir,
          std::make_unique<CmsFileHandler>(*suite, config.cms_import_wait, config.cms_unit), itsm);
    }
    if (!config.bank_inbound_dir.empty()) {
      adapters.AddInbound("bank", config.bank_inbound_dir,
                          std::make_unique<BankFileHandler>(*suite), itsm);
    }
  }
  std::unique_ptr<DwhNightly> dwh;
  if (suite && !config.dwh_dir.empty()) {
    dwh = std::make_unique<DwhNightly>(
        store, clock, DwhSchedule{config.dwh_dir, config.dwh_export_at, config.zone}, suite.get());
    adapters.AddDocumentsConsumer(kDwhAdapter);
    adapters.AddPeriodic(kDwhAdapter, std::min(config.poll_interval * 30, absl::Minutes(1)),
                         [&dwh] { return dwh->RunIfDue(); });
  }
  std::unique_ptr<ProblemWatch> problems;
  if (suite && !config.itsm.base_url.empty() &&
      config.problem_check_interval > absl::ZeroDuration()) {
    ProblemOptions options;
    options.stuck_after = config.run_stuck_after;
    options.esf_within_days = config.esf_risk_days;
    options.zone = config.zone;
    problems = std::make_unique<ProblemWatch>(store, *suite, clock, options);
    adapters.AddPeriodic("itsm.watch", config.problem_check_interval,
                         [&problems] { return problems->Check(); });
  }
  IntegrationsServiceImpl service(store, adapters, idempotency, clock, config.zone);

  ASSIGN_OR_RETURN(std::unique_ptr<Server> server,
                   base.Start({&service}, {{"gateway", config.gateway_address},
                                           {"cms_inbound_dir", config.cms_inbound_dir},
                                           {"bank_inbound_dir", config.bank_inbound_dir},
                                           {"erp_outbox_dir", config.erp_outbox_dir},
                                           {"ecm_archive_dir", config.ecm_archive_dir},
                                           {"scada_listen_address", config.scada_listen_address}}));
  std::unique_ptr<ScadaListener> scada;
  if (suite && !config.scada_listen_address.empty()) {
    ScadaOptions options;
    options.batch_size = config.scada_batch_size;
    scada = std::make_unique<ScadaListener>(store, *suite, clock, options);
    RETURN_IF_ERROR(scada->Start(config.scada_listen_address));
    LogJson("info", "scada listening", {{"port", absl::StrCat(scada->port())}});
  }
  // Deliveries left pending (or claimed by a killed process) resume here.
  adapters.Start();
  server->Wait();
  if (scada) scada->Stop();
  adapters.Stop();
  return absl::OkStatus();
}

}  // namespace
}  // namespace gridbill::integrations

int main(int argc, char** argv) {
  return gridbill::ServiceMain(argc, argv, gridbill::integrations::Serve,
                               gridbill::integrations::CheckArchiveMode);
}
