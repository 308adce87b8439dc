// The integrations document pump (PumpDocuments over GrpcSuite) against a
// real invoicing service: it follows invoicing's ListDocuments change feed
// page after page, so it sees every document, not only the first page of
// 500, and after a new run only that run's documents.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/server/caller.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/client_interceptor.h"
#include "invoicing_harness.h"
// By path: invoicing's headers of the same names come first on this test's
// include path (its harness includes them by name).
#include "services/integrations/documents.h"
#include "services/integrations/erp.h"
#include "services/integrations/grpc_suite.h"
#include "services/integrations/pg_store.h"

namespace gridbill::integrations {
namespace {

namespace iv = ::gridbill::invoicing::testing;
namespace cv1 = ::gridbill::contracts::v1;
namespace iv1 = ::gridbill::invoicing::v1;

// What the gateway adds to a call made with an integration client's API key.
class AsIntegrationClient final : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* m) override {
    if (m->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      auto* metadata = m->GetSendInitialMetadata();
      metadata->insert({kPrincipalHeader, "apikey:integrations"});
      metadata->insert({kRolesHeader, "ROLE_INTEGRATION_CLIENT"});
    }
    m->Proceed();
  }
};

class AsIntegrationClientFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new AsIntegrationClient();
  }
};

std::shared_ptr<grpc::Channel> GatewayLike(int port) {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<AsIntegrationClientFactory>());
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::experimental::CreateCustomChannelWithInterceptors(absl::StrCat("127.0.0.1:", port),
                                                                 grpc::InsecureChannelCredentials(),
                                                                 args, std::move(factories));
}

std::set<std::string> DocumentIds(iv::Harness& h) {
  std::set<std::string> ids;
  for (const auto& d : h.Documents("")) ids.insert(d.id());
  return ids;
}

std::set<std::string> Pumped(PgStore& store) {
  std::set<std::string> ids;
  paging::Page page;
  page.size = 10'000;
  absl::StatusOr<paging::PageOf<Delivery>> all = store.List({}, page);
  REQUIRE(all.ok());
  for (const Delivery& d : all->items) ids.insert(d.fact_id);
  return ids;
}

TEST_CASE("the document pump reads invoicing's feed past the first 500 documents") {
  invoicing::RunOptions options;
  options.render_pdfs = false;
  iv::Harness h(options);
  // 90 contracts, three documents each a month (invoice, act, ESF).
  constexpr int kContracts = 90;
  h.volumes.AddRun(iv::Period(2026, 1), "b-01", invoicing::BalanceRunType::kFinal);
  h.volumes.AddRun(iv::Period(2026, 2), "b-02", invoicing::BalanceRunType::kFinal);
  h.volumes.AddRun(iv::Period(2026, 3), "b-03", invoicing::BalanceRunType::kFinal);
  for (int i = 1; i <= kContracts; ++i) {
    const cv1::Participant p = h.CreateParticipant(i, absl::StrCat("ТОО «Участник ", i, "»"));
    h.CreateContract(p.id(), absl::StrCat("TR-", 1000 + i), cv1::SERVICE_TYPE_TRANSMISSION);
    for (const char* run : {"b-01", "b-02", "b-03"}) {
      h.volumes.Set(run, p.id(), invoicing::Service::kTransmission, 1'000'000 + i);
    }
  }
  h.clock.Set(iv::Local(2026, 2, 3));
  REQUIRE(h.RunInvoicing(2026, 1).documents_issued() == 3 * kContracts);
  h.clock.Set(iv::Local(2026, 3, 3));
  REQUIRE(h.RunInvoicing(2026, 2).documents_issued() == 3 * kContracts);
  const std::set<std::string> issued = DocumentIds(h);
  REQUIRE(issued.size() == 6 * kContracts);  // 540: more than one page of 500

  GrpcSuite suite(GatewayLike(h.base.server().grpc_port()), "unused-api-key", absl::Seconds(30));
  pgtest::Database outbox(GRIDBILL_INTEGRATIONS_MIGRATIONS_DIR);
  PgStore store(outbox.pool());
  // The feed holds documents back while an older transaction is open on the
  // server (an autovacuum's analyze), so the pump is repeated until it is
  // caught up; it never delivers a document twice.
  int pumped = 0;
  for (int i = 0; i < 100 && pumped < 6 * kContracts; ++i) {
    absl::StatusOr<int> n = PumpDocuments(store, suite, {"erp"}, h.clock.Now());
    INFO(n.status().ToString());
    REQUIRE(n.ok());
    pumped += *n;
    if (pumped < 6 * kContracts) absl::SleepFor(absl::Milliseconds(100));
  }
  CHECK(pumped == 6 * kContracts);
  CHECK(Pumped(store) == issued);
  CHECK(!store.Cursor(kDocumentsFeed)->empty());
  CHECK(*PumpDocuments(store, suite, {"erp"}, h.clock.Now()) == 0);

  // One more run: the next pump stores exactly its documents.
  h.clock.Set(iv::Local(2026, 4, 3));
  REQUIRE(h.RunInvoicing(2026, 3).documents_issued() == 3 * kContracts);
  int more = 0;
  for (int i = 0; i < 100 && more < 3 * kContracts; ++i) {
    absl::StatusOr<int> n = PumpDocuments(store, suite, {"erp"}, h.clock.Now());
    INFO(n.status().ToString());
    REQUIRE(n.ok());
    more += *n;
    if (more < 3 * kContracts) absl::SleepFor(absl::Milliseconds(100));
  }
  CHECK(more == 3 * kContracts);
  CHECK(Pumped(store) == DocumentIds(h));
}

// Every pending ERP delivery, attempted until none is due (no backoff waits:
// the clock jumps past each).
void DeliverErp(Outbox& outbox, Receiver& receiver, iv::Harness& h, PgStore& store) {
  for (int round = 0; round < 20; ++round) {
    absl::StatusOr<int> n = outbox.DeliverDue("erp", receiver, 1000);
    REQUIRE(n.ok());
    DeliveryFilter pending;
    pending.adapter = "erp";
    pending.state = DeliveryState::kPending;
    if (store.List(pending, paging::Page())->items.empty()) return;
    h.clock.Set(h.clock.Now() + absl::Minutes(11));
  }
  FAIL("ERP deliveries still pending");
}

// Both feeds read until the run's fact and all its documents are in the
// outbox (the document feed may hold rows back for a moment, above).
void PumpRun(PgStore& store, GrpcSuite& suite, iv::Harness& h, const std::string& run_id,
             size_t documents) {
  for (int i = 0; i < 100; ++i) {
    REQUIRE(PumpDocuments(store, suite, {"erp"}, h.clock.Now()).ok());
    absl::StatusOr<int> runs = PumpInvoiceRuns(store, suite, h.clock.Now());
    INFO(runs.status().ToString());
    REQUIRE(runs.ok());
    absl::StatusOr<std::vector<Delivery>> group = store.ListGroup("erp", run_id);
    REQUIRE(group.ok());
    if (group->size() == documents + 1) return;
    absl::SleepFor(absl::Milliseconds(100));
  }
  FAIL("run " << run_id << " and its documents not in the outbox");
}

TEST_CASE("ERP entries and reconciliation per run against the real invoicing") {
  invoicing::RunOptions options;
  options.render_pdfs = false;
  iv::Harness h(options);
  h.volumes.AddRun(iv::Period(2026, 1), "b-01", invoicing::BalanceRunType::kFinal);
  h.volumes.AddRun(iv::Period(2026, 2), "b-02", invoicing::BalanceRunType::kFinal);
  for (int i = 1; i <= 6; ++i) {
    const cv1::Participant p = h.CreateParticipant(i, absl::StrCat("ТОО «Участник ", i, "»"));
    h.CreateContract(p.id(), absl::StrCat("TR-", 2000 + i), cv1::SERVICE_TYPE_TRANSMISSION);
    h.volumes.Set("b-01", p.id(), invoicing::Service::kTransmission, 1'234'567 * i);
    h.volumes.Set("b-02", p.id(), invoicing::Service::kTransmission, 2'000'000 + i);
  }
  GrpcSuite suite(GatewayLike(h.base.server().grpc_port()), "unused-api-key", absl::Seconds(30));
  pgtest::Database outbox_db(GRIDBILL_INTEGRATIONS_MIGRATIONS_DIR);
  PgStore store(outbox_db.pool());
  const std::string folder = absl::StrCat(std::filesystem::temp_directory_path().string(),
                                          "/gridbill-erp-feed-", ::getpid());
  std::filesystem::remove_all(folder);
  Outbox outbox(store, h.clock, RetryPolicy());
  ErpFolderReceiver receiver(folder, &suite);

  // What invoicing holds of a run: documents, and lines, net, VAT, gross of the receivable ones.
  auto figures_of = [&](const std::string& run_id) {
    ErpFigures f;
    for (const auto& d : h.Documents("")) {
      if (d.invoice_run_id() != run_id) continue;
      ++f.documents;
      if (d.type() == iv1::DOCUMENT_TYPE_ACT || d.type() == iv1::DOCUMENT_TYPE_ESF) continue;
      f.rows += d.lines_size();
      f.amount_tiyn += d.amount_tiyn();
      f.vat_tiyn += d.vat_tiyn();
      f.total_tiyn += d.total_tiyn();
    }
    return f;
  };

  // January: everything delivered, the run matches to the tiyn.
  h.clock.Set(iv::Local(2026, 2, 3));
  const iv1::InvoiceRun jan = h.RunInvoicing(2026, 1);
  REQUIRE(jan.documents_issued() == 18);
  PumpRun(store, suite, h, jan.job().id(), 18);
  DeliverErp(outbox, receiver, h, store);
  absl::StatusOr<paging::PageOf<RunReconciliation>> r =
      ReconcileRuns(store, "2026-01", jan.job().id(), paging::Page{.size = 20});
  REQUIRE(r.ok());
  REQUIRE(r->items.size() == 1);
  {
    const RunReconciliation& rec = r->items[0];
    INFO(absl::StrJoin(rec.gaps, "; "));
    CHECK(rec.state == ReconcileState::kMatch);
    const ErpFigures want = figures_of(jan.job().id());
    CHECK(want.documents == 18);
    CHECK(want.rows == 6);
    CHECK(rec.invoicing == want);
    CHECK(rec.documents == want);
    CHECK(rec.entries.rows == want.rows);
    CHECK(rec.entries.total_tiyn == want.total_tiyn);
    CHECK(rec.run_type == "regular");
  }
  // The entries file is invoicing's export of the period (one run: all of it).
  const std::string entries =
      ReadFile(absl::StrCat(folder, "/2026-01/entries-", jan.job().id(), ".csv")).value_or("");
  iv1::ExportPeriodRequest export_req;
  export_req.mutable_period()->set_year(2026);
  export_req.mutable_period()->set_month(1);
  export_req.set_format(iv1::EXPORT_FORMAT_CSV);
  export_req.set_content(iv1::EXPORT_CONTENT_ACCRUALS);
  iv1::ExportPeriodResponse exported;
  REQUIRE(h.Call(*h.export_stub, &iv1::ErpExportService::Stub::ExportPeriod, export_req, &exported)
              .ok());
  CHECK(entries == exported.content());

  // February: ERP holds another document's file under one invoice's name:
  // that delivery is refused for good (a dead letter) and the run's
  // reconciliation says what is missing.
  h.clock.Set(iv::Local(2026, 3, 3));
  const iv1::InvoiceRun feb = h.RunInvoicing(2026, 2);
  REQUIRE(feb.documents_issued() == 18);
  std::string blocked_number;
  int64_t blocked_total = 0;
  for (const auto& d : h.Documents("", iv1::DOCUMENT_TYPE_INVOICE)) {
    if (d.invoice_run_id() != feb.job().id()) continue;
    blocked_number = d.number();
    blocked_total = d.total_tiyn();
    break;
  }
  REQUIRE(!blocked_number.empty());
  REQUIRE(WriteFileAtomically(
              absl::StrCat(folder, "/2026-02/invoice-", SafeName(blocked_number), ".manifest"),
              "idempotency_key=another-document\n")
              .ok());
  PumpRun(store, suite, h, feb.job().id(), 18);
  DeliverErp(outbox, receiver, h, store);
  r = ReconcileRuns(store, "", "", paging::Page{.size = 20});
  REQUIRE(r.ok());
  REQUIRE(r->items.size() == 2);
  const RunReconciliation& rec = r->items[0];  // newest first
  REQUIRE(rec.run_id == feb.job().id());
  const std::string gaps = absl::StrJoin(rec.gaps, "; ");
  INFO(gaps);
  CHECK(rec.state == ReconcileState::kMismatch);
  CHECK(rec.documents_undelivered == 1);
  const ErpFigures want = figures_of(feb.job().id());
  CHECK(rec.invoicing == want);
  CHECK(rec.documents.documents == 17);
  CHECK(rec.documents.total_tiyn == want.total_tiyn - blocked_total);
  CHECK(rec.entries.total_tiyn == want.total_tiyn);
  CHECK(absl::StrContains(gaps, "documents: invoicing issued 18, ERP received 17"));
  CHECK(absl::StrContains(gaps, absl::StrCat("gross ", Tenge(want.total_tiyn - blocked_total),
                                             " vs ", Tenge(want.total_tiyn))));
  CHECK(r->items[1].state == ReconcileState::kMatch);  // January still matches
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace gridbill::integrations
