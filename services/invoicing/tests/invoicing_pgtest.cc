// The invoicing service against real PostgreSQL and the real contracts
// service binary: hand-computed runs (a tariff change inside a month, both
// sides of the 2026 VAT change, a 2025 period corrected in 2026, a
// retroactive tariff), immutability, gapless numbering under two concurrent
// runs, payments and their allocation, statements, aging, ERP export.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gridbill/base/sha256.h"
#include "gridbill/pg/query.h"
#include "invoicing_harness.h"

namespace gridbill::invoicing::testing {
namespace {

constexpr auto kGridUse = cv1::SERVICE_TYPE_GRID_USE;
constexpr auto kTransmission = cv1::SERVICE_TYPE_TRANSMISSION;
constexpr auto kBalancing = cv1::SERVICE_TYPE_BALANCING;

Completeness Share(const char* estimated) {
  return Completeness{*Decimal::Parse(estimated), Decimal()};
}

TEST_CASE("a tariff change inside March 2026 gives two lines, VAT 16 percent, three documents") {
  Harness h;
  h.SplitTariff(kGridUse, absl::CivilDay(2026, 3, 15), "1.25");  // 1.150 to 15 March, 1.25 after
  cv1::Participant p = h.CreateParticipant(1, "ТОО «Ақтөбе Энергия Қызмет»");
  cv1::Contract c = h.CreateContract(p.id(), "GU-0001", kGridUse);
  h.volumes.AddRun(Period(2026, 3), "bal-final-2026-03", BalanceRunType::kFinal);
  h.volumes.Set("bal-final-2026-03", p.id(), Service::kGridUse, 1'000'000'000, Share("0.02"));

  v1::InvoiceRun run = h.RunInvoicing(2026, 3);
  INFO(run.job().summary() << run.job().error());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(run.documents_issued() == 3);
  CHECK(run.job().done() == 1);
  CHECK(run.job().total() == 1);

  auto invoices = h.Documents(c.id(), v1::DOCUMENT_TYPE_INVOICE);
  REQUIRE(invoices.size() == 1);
  const v1::Document& inv = invoices[0];
  CHECK(inv.number() == "INV-2026-000001");
  CHECK(inv.customer_bin() == p.bin());
  CHECK(inv.customer_name() == "ТОО «Ақтөбе Энергия Қызмет»");
  CHECK(inv.turnover_date().day() == 31);
  CHECK(inv.due_date().month() == 4);
  CHECK(inv.due_date().day() == 25);
  CHECK(!inv.provisional());  // 2 % estimated is under the 5 % threshold
  REQUIRE(inv.lines_size() == 2);
  // 744 h: 360 h at 1.150 and 384 h at 1.25. 483 870.968 kWh × 1.150 = 556 451.61 tg.
  CHECK(inv.lines(0).volume_wh() == 483'870'968);
  CHECK(inv.lines(0).price_per_kwh() == "1.15");
  CHECK(inv.lines(0).amount_tiyn() == 55'645'161);
  CHECK(inv.lines(0).vat_rate_percent() == "16");
  CHECK(inv.lines(0).vat_tiyn() == 8'903'226);
  CHECK(inv.lines(0).tariff_version() == 2);  // the seeded tariff after its validity was cut
  CHECK(inv.lines(1).volume_wh() == 516'129'032);
  CHECK(inv.lines(1).amount_tiyn() == 64'516'129);
  CHECK(inv.lines(1).vat_tiyn() == 10'322'581);
  CHECK(inv.lines(1).tariff_version() == 1);
  CHECK(inv.lines(1).balance_run_id() == "bal-final-2026-03");
  CHECK(inv.lines(1).balance_run_type() == v1::BALANCE_RUN_TYPE_FINAL);
  CHECK(inv.lines(1).completeness().estimated_share() == "0.02");
  CHECK(inv.amount_tiyn() == 120'161'290);
  CHECK(inv.vat_tiyn() == 19'225'807);
  CHECK(inv.total_tiyn() == 139'387'097);
  CHECK(inv.pdf_sha256().size() == 64);  // rendered by the run

  auto acts = h.Documents(c.id(), v1::DOCUMENT_TYPE_ACT);
  auto esfs = h.Documents(c.id(), v1::DOCUMENT_TYPE_ESF);
  REQUIRE(acts.size() == 1);
  REQUIRE(esfs.size() == 1);
  CHECK(acts[0].number() == "ACT-2026-000001");
  CHECK(acts[0].related_document_number() == "INV-2026-000001");
  CHECK(acts[0].total_tiyn() == inv.total_tiyn());

  // The PDF as stored, with its hash; the ESF as XML naming the act.
  v1::GetDocumentPdfRequest pr;
  pr.set_id(inv.id());
  v1::GetDocumentPdfResponse pdf;
  REQUIRE_OK(h.Call(*h.document_stub, &v1::DocumentService::Stub::GetDocumentPdf, pr, &pdf));
  CHECK(absl::StartsWith(pdf.pdf(), "%PDF-"));
  CHECK(pdf.sha256() == Sha256Hex(pdf.pdf()));
  CHECK(pdf.sha256() == inv.pdf_sha256());
  CHECK(pdf.file_name() == "INV-2026-000001.pdf");
  v1::GetDocumentXmlRequest xr;
  xr.set_id(esfs[0].id());
  v1::GetDocumentXmlResponse xml;
  REQUIRE_OK(h.Call(*h.document_stub, &v1::DocumentService::Stub::GetDocumentXml, xr, &xml));
  CHECK(absl::StrContains(xml.xml(), "<invoiceType>ORDINARY_INVOICE</invoiceType>"));
  CHECK(absl::StrContains(xml.xml(), "<deliveryDocNum>ACT-2026-000001</deliveryDocNum>"));
  CHECK(absl::StrContains(xml.xml(), "<totalPriceWithTax>1393870.97</totalPriceWithTax>"));
  xr.set_id(inv.id());
  REQUIRE_GRPC(h.Call(*h.document_stub, &v1::DocumentService::Stub::GetDocumentXml, xr, &xml),
               grpc::StatusCode::FAILED_PRECONDITION, "not an ESF");

  // A second regular run of the period issues nothing again.
  v1::InvoiceRun again = h.RunInvoicing(2026, 3);
  REQUIRE(again.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(again.documents_issued() == 0);
  CHECK(again.contracts_skipped() == 1);
  CHECK(h.CountRows("documents") == 3);
  // The job runner counted both runs on /metrics (gridbill_jobs_*).
  const std::string metrics = h.base.ScrapeMetrics();
  INFO(metrics);
  CHECK(absl::StrContains(metrics, "gridbill_jobs_started_total{kind=\"invoicing.run\"} 2"));
  CHECK(absl::StrContains(
      metrics, "gridbill_jobs_ended_total{kind=\"invoicing.run\",state=\"succeeded\"} 2"));
  CHECK(absl::StrContains(metrics, "gridbill_jobs_pieces_done_total{kind=\"invoicing.run\"} 2"));
  CHECK(
      absl::StrContains(metrics, "gridbill_jobs_duration_seconds_count{kind=\"invoicing.run\"} 2"));
}

TEST_CASE("documents are immutable in the database") {
  Harness h;
  cv1::Participant p = h.CreateParticipant(2, "АО «Павлодарэнерго»");
  h.CreateContract(p.id(), "TR-0002", kTransmission);
  h.volumes.AddRun(Period(2026, 3), "bal-1", BalanceRunType::kFinal);
  h.volumes.Set("bal-1", p.id(), Service::kTransmission, 5'000'000);
  REQUIRE(h.RunInvoicing(2026, 3).documents_issued() == 3);
  auto update = h.db.pool().Execute(
      pg::Query{"", "UPDATE documents SET total_tiyn = 1, amount_tiyn = 1, vat_tiyn = 0"});
  REQUIRE(!update.ok());
  CHECK(absl::StrContains(update.status().message(), "immutable"));
  auto del = h.db.pool().Execute(pg::Query{"", "DELETE FROM document_lines"});
  REQUIRE(!del.ok());
  CHECK(absl::StrContains(del.status().message(), "immutable"));
  auto pdf = h.db.pool().Execute(pg::Query{"", "UPDATE documents SET pdf_sha256 = 'x'"});
  CHECK(!pdf.ok());  // the hash is set once, never replaced
  // A new change position (a payment changed the open amounts) is the one
  // other update allowed, and only alone.
  auto moved = h.db.pool().Execute(
      pg::Query{"", "UPDATE documents SET change_seq = nextval('change_feed_seq')"});
  CHECK(moved.ok());
  auto moved_with_content = h.db.pool().Execute(
      pg::Query{"",
                "UPDATE documents SET change_seq = nextval('change_feed_seq'), due_date = "
                "due_date + 1"});
  REQUIRE(!moved_with_content.ok());
  CHECK(absl::StrContains(moved_with_content.status().message(), "immutable"));
  CHECK(h.CountRows("document_lines") == 3);
}

TEST_CASE(
    "December 2025 is invoiced at 12 percent, January 2026 at 16, and the 2025 correction keeps "
    "12") {
  Harness h;
  cv1::Participant p = h.CreateParticipant(3, "ТОО «Қарағанды Жарық»");
  cv1::Contract c = h.CreateContract(p.id(), "TR-0003", kTransmission);
  h.volumes.AddRun(Period(2025, 12), "bal-2025-12", BalanceRunType::kFinal);
  h.volumes.Set("bal-2025-12", p.id(), Service::kTransmission, 100'000'000);
  h.volumes.AddRun(Period(2026, 1), "bal-2026-01", BalanceRunType::kFinal);
  h.volumes.Set("bal-2026-01", p.id(), Service::kTransmission, 100'000'000);
  h.clock.Set(Local(2026, 1, 5));
  REQUIRE(h.RunInvoicing(2025, 12).documents_issued() == 3);
  h.clock.Set(Local(2026, 2, 3));
  REQUIRE(h.RunInvoicing(2026, 1).documents_issued() == 3);
  auto inv = h.Documents(c.id(), v1::DOCUMENT_TYPE_INVOICE);
  REQUIRE(inv.size() == 2);
  // Ordered by number: INV-2026-000001 is December's (issued in January 2026).
  CHECK(inv[0].period().month() == 12);
  CHECK(inv[0].amount_tiyn() == 31'340'000);  // 100 000 kWh × 3.134
  CHECK(inv[0].vat_tiyn() == 3'760'800);      // 12 %
  CHECK(inv[0].lines(0).vat_rate_percent() == "12");
  CHECK(inv[1].period().month() == 1);
  CHECK(inv[1].vat_tiyn() == 5'014'400);  // 16 %

  // Close December; regular runs are refused, a correction is not.
  for (auto target : {v1::PERIOD_STATE_CLOSING, v1::PERIOD_STATE_CLOSED}) {
    v1::TransitionPeriodRequest t;
    t.set_request_id(NewRequestId());
    *t.mutable_period() = P(2025, 12);
    t.set_target_state(target);
    v1::TransitionPeriodResponse tr;
    REQUIRE_OK(h.Call(*h.period_stub, &v1::BillingPeriodService::Stub::TransitionPeriod, t, &tr));
    CHECK(tr.period().state() == target);
    CHECK(tr.period().vat_rate_percent() == "12");
  }
  v1::StartInvoiceRunRequest bad;
  bad.set_request_id(NewRequestId());
  *bad.mutable_period() = P(2025, 12);
  bad.set_run_type(v1::RUN_TYPE_REGULAR);
  v1::StartInvoiceRunResponse br;
  REQUIRE_GRPC(h.Call(*h.run_stub, &v1::InvoiceRunService::Stub::StartInvoiceRun, bad, &br),
               grpc::StatusCode::FAILED_PRECONDITION, "closed");

  // A correction balance run: 90 000 kWh instead of 100 000, settled in March 2026.
  h.volumes.AddRun(Period(2025, 12), "bal-2025-12-c1", BalanceRunType::kCorrection);
  h.volumes.Set("bal-2025-12-c1", p.id(), Service::kTransmission, 90'000'000);
  h.clock.Set(Local(2026, 3, 10));
  v1::InvoiceRun corr = h.RunInvoicing(2025, 12, v1::RUN_TYPE_CORRECTION);
  INFO(corr.job().summary() << corr.job().error());
  REQUIRE(corr.documents_issued() == 2);  // the credit note and its ESF
  auto credits = h.Documents(c.id(), v1::DOCUMENT_TYPE_CREDIT_NOTE);
  REQUIRE(credits.size() == 1);
  const v1::Document& cn = credits[0];
  CHECK(cn.number() == "CRN-2026-000001");
  CHECK(cn.related_document_number() == inv[0].number());
  CHECK(cn.turnover_date().year() == 2025);
  REQUIRE(cn.lines_size() == 1);
  CHECK(cn.lines(0).vat_rate_percent() == "12");  // the original turnover date's rate
  CHECK(cn.lines(0).volume_wh() == -10'000'000);
  CHECK(cn.amount_tiyn() == -3'134'000);
  CHECK(cn.vat_tiyn() == -376'080);
  CHECK(cn.total_tiyn() == -3'510'080);
  CHECK(cn.lines(0).balance_run_id() == "bal-2025-12-c1");
  CHECK(cn.lines(0).balance_run_type() == v1::BALANCE_RUN_TYPE_CORRECTION);
  // The ESF of the correction is an ADDITIONAL_INVOICE related to December's ESF.
  auto esfs = h.Documents(c.id(), v1::DOCUMENT_TYPE_ESF);
  REQUIRE(esfs.size() == 3);
  const v1::Document& cesf = esfs[2];
  v1::GetDocumentXmlRequest xr;
  xr.set_id(cesf.id());
  v1::GetDocumentXmlResponse xml;
  REQUIRE_OK(h.Call(*h.document_stub, &v1::DocumentService::Stub::GetDocumentXml, xr, &xml));
  CHECK(absl::StrContains(xml.xml(), "<invoiceType>ADDITIONAL_INVOICE</invoiceType>"));
  CHECK(absl::StrContains(xml.xml(), "<num>20260000001</num>"));  // December's ESF
  CHECK(absl::StrContains(xml.xml(), "<ndsRate>12</ndsRate>"));
  CHECK(absl::StrContains(xml.xml(), "<totalPriceWithTax>-35100.80</totalPriceWithTax>"));
  // The same correction again issues nothing.
  CHECK(h.RunInvoicing(2025, 12, v1::RUN_TYPE_CORRECTION).documents_issued() == 0);
}

TEST_CASE("a retroactive tariff change issues a credit note and a debit note") {
  Harness h;
  cv1::Participant p = h.CreateParticipant(4, "АО «Шығыс Энерго»");
  cv1::Contract c = h.CreateContract(p.id(), "BL-0004", kBalancing);
  h.volumes.AddRun(Period(2026, 2), "bal-2026-02", BalanceRunType::kFinal);
  h.volumes.Set("bal-2026-02", p.id(), Service::kBalancing, 1'000'000);
  h.clock.Set(Local(2026, 3, 3));
  REQUIRE(h.RunInvoicing(2026, 2).documents_issued() == 3);
  // 1000 kWh × 0.110 = 110.00 tg + 17.60 VAT. The regulator lowers it to 0.100 retroactively.
  h.ChangeTariffPrice(kBalancing, absl::CivilDay(2026, 2, 1), "0.100");
  h.clock.Set(Local(2026, 3, 20));
  v1::InvoiceRun corr = h.RunInvoicing(2026, 2, v1::RUN_TYPE_CORRECTION);
  INFO(corr.job().summary());
  REQUIRE(corr.documents_issued() == 4);
  auto credit = h.Documents(c.id(), v1::DOCUMENT_TYPE_CREDIT_NOTE);
  auto debit = h.Documents(c.id(), v1::DOCUMENT_TYPE_DEBIT_NOTE);
  REQUIRE(credit.size() == 1);
  REQUIRE(debit.size() == 1);
  CHECK(credit[0].amount_tiyn() == -11'000);
  CHECK(credit[0].vat_tiyn() == -1'760);
  CHECK(credit[0].lines(0).price_per_kwh() == "0.11");
  CHECK(debit[0].amount_tiyn() == 10'000);
  CHECK(debit[0].vat_tiyn() == 1'600);
  CHECK(debit[0].lines(0).price_per_kwh() == "0.1");
  CHECK(debit[0].lines(0).tariff_version() == 2);
  CHECK(debit[0].number() == "DBN-2026-000001");

  // The documents gauge's count: per type what the period's runs issued.
  absl::StatusOr<std::map<DocType, int64_t>> counts = h.store.CountDocumentsByType(Period(2026, 2));
  REQUIRE(counts.ok());
  int64_t total = 0;
  for (const auto& [type, n] : *counts) total += n;
  CHECK(total == 3 + 4);
  CHECK(counts->at(DocType::kInvoice) == 1);
  CHECK(counts->at(DocType::kCreditNote) == 1);
  CHECK(counts->at(DocType::kDebitNote) == 1);
  CHECK(counts->at(DocType::kAct) ==
        static_cast<int64_t>(h.Documents(c.id(), v1::DOCUMENT_TYPE_ACT).size()));
  CHECK(counts->at(DocType::kEsf) ==
        static_cast<int64_t>(h.Documents(c.id(), v1::DOCUMENT_TYPE_ESF).size()));
  absl::StatusOr<std::map<DocType, int64_t>> none = h.store.CountDocumentsByType(Period(2026, 3));
  REQUIRE(none.ok());
  CHECK(none->empty());
}

// Every hour of February 2026 in Almaty (672 hours) at `wh`.
std::vector<std::pair<absl::Time, int64_t>> EveryHourOfFebruary2026(int64_t wh) {
  std::vector<std::pair<absl::Time, int64_t>> out;
  for (absl::Time t = Local(2026, 2, 1, 0); t < Local(2026, 3, 1, 0); t += absl::Hours(1)) {
    out.emplace_back(t, wh);
  }
  return out;
}

std::string DayText(const common::v1::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

TEST_CASE(
    "a net exporter is not billed but listed with its reason; corrections bill or credit it") {
  Harness h;
  cv1::Participant exporter = h.CreateParticipant(11, "ТОО «Жел Энергия»");
  cv1::Participant consumer = h.CreateParticipant(12, "АО «Қарағанды Жарық»");
  cv1::Contract ce = h.CreateContract(exporter.id(), "BL-0101", kBalancing);
  cv1::Contract cc = h.CreateContract(consumer.id(), "BL-0102", kBalancing);
  // A participant the balance run has no volume for at all.
  cv1::Participant idle = h.CreateParticipant(13, "ТОО «Бос Желі»");
  cv1::Contract ci = h.CreateContract(idle.id(), "BL-0103", kBalancing);
  h.volumes.AddRun(Period(2026, 2), "bal-2026-02", BalanceRunType::kFinal);
  h.volumes.Set("bal-2026-02", exporter.id(), Service::kBalancing, -123'456);
  h.volumes.Set("bal-2026-02", consumer.id(), Service::kBalancing, 1'000'000);
  h.clock.Set(Local(2026, 3, 3));

  v1::InvoiceRun run = h.RunInvoicing(2026, 2);
  INFO(run.job().summary() << run.job().error());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(run.contracts_failed() == 0);
  CHECK(run.contracts_not_billed() == 2);
  CHECK(run.documents_issued() == 3);
  REQUIRE(run.not_billed_size() == 2);  // by contract number
  CHECK(run.not_billed(0).contract_id() == ce.id());
  CHECK(run.not_billed(0).contract_number() == "BL-0101");
  CHECK(run.not_billed(0).volume_wh() == -123'456);
  CHECK(run.not_billed(0).reason() ==
        "net volume -123456 Wh from 2026-02-01 to 2026-02-28: the participant delivered more "
        "than it received; nothing to bill");
  CHECK(run.not_billed(1).contract_id() == ci.id());
  CHECK(run.not_billed(1).volume_wh() == 0);
  CHECK(run.not_billed(1).reason() ==
        "net volume 0 Wh from 2026-02-01 to 2026-02-28: balance run bal-2026-02 has no volume of "
        "this participant and service; nothing to bill");
  CHECK(absl::StrContains(run.job().summary(),
                          "2 not billed (1 with no result for their participant and service in "
                          "the balance run: BL-0103; 1 with volume ≤ 0 (1 delivered more than "
                          "they received): BL-0101); 0 failed"));
  CHECK(h.Documents(ce.id()).empty());
  CHECK(h.Documents(ci.id()).empty());
  auto original = h.Documents(cc.id(), v1::DOCUMENT_TYPE_INVOICE);
  REQUIRE(original.size() == 1);
  CHECK(original[0].amount_tiyn() == 11'000);  // 1000 kWh × 0.110
  CHECK(original[0].vat_tiyn() == 1'760);

  // A correction balance run: the exporter now took 2345.678 kWh, the
  // consumer turned exporter (-500 kWh).
  h.volumes.AddRun(Period(2026, 2), "bal-2026-02-c1", BalanceRunType::kCorrection);
  h.volumes.Set("bal-2026-02-c1", exporter.id(), Service::kBalancing, 2'345'678);
  h.volumes.Set("bal-2026-02-c1", consumer.id(), Service::kBalancing, -500'000);
  h.clock.Set(Local(2026, 3, 20));
  v1::InvoiceRun corr = h.RunInvoicing(2026, 2, v1::RUN_TYPE_CORRECTION);
  INFO(corr.job().summary() << corr.job().error());
  REQUIRE(corr.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(corr.contracts_failed() == 0);
  CHECK(corr.contracts_not_billed() == 1);  // BL-0103, still no volume
  CHECK(corr.documents_issued() == 5);      // invoice, act, ESF + credit note, ESF

  // The exporter's first documents: 2345.678 kWh × 0.110 = 258.02458 tg -> 258.02.
  auto first = h.Documents(ce.id(), v1::DOCUMENT_TYPE_INVOICE);
  REQUIRE(first.size() == 1);
  CHECK(first[0].number() == "INV-2026-000002");
  REQUIRE(first[0].lines_size() == 1);
  CHECK(first[0].lines(0).volume_wh() == 2'345'678);
  CHECK(first[0].lines(0).balance_run_id() == "bal-2026-02-c1");
  CHECK(first[0].amount_tiyn() == 25'802);
  CHECK(first[0].vat_tiyn() == 4'128);  // 16 % of 258.02 = 41.2832
  CHECK(first[0].total_tiyn() == 29'930);
  CHECK(h.Documents(ce.id(), v1::DOCUMENT_TYPE_ACT).size() == 1);
  CHECK(h.Documents(ce.id(), v1::DOCUMENT_TYPE_ESF).size() == 1);
  CHECK(h.Documents(ce.id(), v1::DOCUMENT_TYPE_CREDIT_NOTE).empty());

  // The consumer's original is credited in full, not for -500 kWh.
  auto credit = h.Documents(cc.id(), v1::DOCUMENT_TYPE_CREDIT_NOTE);
  REQUIRE(credit.size() == 1);
  CHECK(credit[0].related_document_number() == "INV-2026-000001");
  CHECK(credit[0].amount_tiyn() == -11'000);
  CHECK(credit[0].vat_tiyn() == -1'760);
  CHECK(credit[0].lines(0).volume_wh() == -1'000'000);
  CHECK(h.Documents(cc.id(), v1::DOCUMENT_TYPE_DEBIT_NOTE).empty());

  // A further correction making the consumer export more credits nothing
  // more; the exporter's unchanged volume issues nothing either.
  h.volumes.AddRun(Period(2026, 2), "bal-2026-02-c2", BalanceRunType::kCorrection);
  h.volumes.Set("bal-2026-02-c2", exporter.id(), Service::kBalancing, 2'345'678);
  h.volumes.Set("bal-2026-02-c2", consumer.id(), Service::kBalancing, -700'000);
  v1::InvoiceRun again = h.RunInvoicing(2026, 2, v1::RUN_TYPE_CORRECTION);
  INFO(again.job().summary());
  REQUIRE(again.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(again.documents_issued() == 0);
  CHECK(again.contracts_skipped() == 2);
  CHECK(again.contracts_failed() == 0);
  CHECK(h.Documents(cc.id(), v1::DOCUMENT_TYPE_CREDIT_NOTE).size() == 1);
  CHECK(h.CountRows("documents") == 8);
}

TEST_CASE("a run's summary counts contracts without a balance result apart from volume <= 0") {
  Harness h;
  // Seven contracts whose participants the balance run has no result for
  // (no final run covered their points), one whose volume is zero.
  std::vector<cv1::Contract> contracts;
  std::vector<cv1::Participant> participants;
  for (int i = 1; i <= 8; ++i) {
    participants.push_back(h.CreateParticipant(20 + i, absl::StrCat("ТОО «Желі ", i, "»")));
    contracts.push_back(
        h.CreateContract(participants.back().id(), absl::StrFormat("BL-02%02d", i), kBalancing));
  }
  h.volumes.AddRun(Period(2026, 2), "bal-2026-02", BalanceRunType::kFinal);
  h.volumes.Set("bal-2026-02", participants[7].id(), Service::kBalancing, 0);
  h.clock.Set(Local(2026, 3, 3));
  v1::InvoiceRun run = h.RunInvoicing(2026, 2);
  INFO(run.job().summary() << run.job().error());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(run.contracts_not_billed() == 8);
  CHECK(run.job().summary() ==
        "0 documents issued from balance run bal-2026-02; 0 contracts skipped; 8 not billed (7 "
        "with no result for their participant and service in the balance run: BL-0201, BL-0202, "
        "BL-0203, BL-0204, BL-0205 and 2 more; 1 with volume ≤ 0 (0 delivered more than they "
        "received): BL-0208); 0 failed; 0 PDFs rendered");
}

TEST_CASE("contracts valid for part of February 2026 are billed only their own hours") {
  Harness h;
  // 0.110 tg/kWh to 14 February, 0.125 from 15 February; VAT 16 %.
  h.SplitTariff(kBalancing, absl::CivilDay(2026, 2, 14), "0.125");
  cv1::Participant p = h.CreateParticipant(21, "ТОО «Өскемен Жылу»");
  cv1::Participant q = h.CreateParticipant(22, "ТОО «Тараз Су»");
  cv1::Participant r = h.CreateParticipant(23, "ТОО «Атырау Мұнай Сервис»");
  // One contract ends on 10 February and its successor starts on 11 February.
  cv1::Contract ending = h.CreateContract(p.id(), "BL-0201", kBalancing, absl::CivilDay(2025, 1, 1),
                                          absl::CivilDay(2026, 2, 10));
  cv1::Contract next =
      h.CreateContract(p.id(), "BL-0202", kBalancing, absl::CivilDay(2026, 2, 11), std::nullopt);
  // A contract that starts on 20 February: the hours before it are not its own.
  cv1::Contract late =
      h.CreateContract(q.id(), "BL-0203", kBalancing, absl::CivilDay(2026, 2, 20), std::nullopt);
  // Two contracts that overlap from 15 February: the later one is refused.
  cv1::Contract first = h.CreateContract(r.id(), "BL-0301", kBalancing);
  cv1::Contract overlapping =
      h.CreateContract(r.id(), "BL-0302", kBalancing, absl::CivilDay(2026, 2, 15), std::nullopt);
  h.volumes.AddRun(Period(2026, 2), "bal-2026-02", BalanceRunType::kFinal);
  h.volumes.Set("bal-2026-02", p.id(), Service::kBalancing, 1'234 * 672);
  h.volumes.SetHours("bal-2026-02", p.id(), Service::kBalancing, EveryHourOfFebruary2026(1'234));
  h.volumes.Set("bal-2026-02", q.id(), Service::kBalancing, 1'111 * 672);
  h.volumes.SetHours("bal-2026-02", q.id(), Service::kBalancing, EveryHourOfFebruary2026(1'111));
  h.volumes.Set("bal-2026-02", r.id(), Service::kBalancing, 1'000'000);
  h.clock.Set(Local(2026, 3, 3));

  v1::InvoiceRun run = h.RunInvoicing(2026, 2);
  INFO(run.job().summary() << run.job().error());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(run.documents_issued() == 12);
  CHECK(run.contracts_not_billed() == 0);
  CHECK(run.contracts_failed() == 1);
  CHECK(absl::StrContains(
      run.job().summary(),
      "BL-0302: contracts BL-0301 and BL-0302 of participant " + r.id() + " are both valid for"));
  CHECK(absl::StrContains(run.job().summary(), "BL-0302 (the later one) is not billed"));
  CHECK(h.Documents(overlapping.id()).empty());
  CHECK(h.Documents(first.id(), v1::DOCUMENT_TYPE_INVOICE).size() == 1);

  // BL-0201, 1-10 February: 240 h × 1.234 kWh = 296.160 kWh × 0.110 = 32.5776 tg -> 32.58.
  auto a = h.Documents(ending.id(), v1::DOCUMENT_TYPE_INVOICE);
  REQUIRE(a.size() == 1);
  REQUIRE(a[0].lines_size() == 1);
  CHECK(DayText(a[0].lines(0).from_date()) == "2026-02-01");
  CHECK(DayText(a[0].lines(0).to_date()) == "2026-02-10");
  CHECK(a[0].lines(0).volume_wh() == 296'160);
  CHECK(a[0].lines(0).amount_tiyn() == 3'258);
  CHECK(a[0].lines(0).vat_tiyn() == 521);  // 16 % of 32.58 = 5.2128
  CHECK(a[0].total_tiyn() == 3'779);

  // BL-0202, 11-14 February at 0.110 (96 h) and 15-28 February at 0.125 (336 h).
  auto b = h.Documents(next.id(), v1::DOCUMENT_TYPE_INVOICE);
  REQUIRE(b.size() == 1);
  REQUIRE(b[0].lines_size() == 2);
  CHECK(DayText(b[0].lines(0).from_date()) == "2026-02-11");
  CHECK(DayText(b[0].lines(0).to_date()) == "2026-02-14");
  CHECK(b[0].lines(0).volume_wh() == 118'464);
  CHECK(b[0].lines(0).amount_tiyn() == 1'303);  // 13.03104 tg
  CHECK(b[0].lines(0).vat_tiyn() == 208);       // 2.0848 tg
  CHECK(DayText(b[0].lines(1).from_date()) == "2026-02-15");
  CHECK(DayText(b[0].lines(1).to_date()) == "2026-02-28");
  CHECK(b[0].lines(1).volume_wh() == 414'624);
  CHECK(b[0].lines(1).price_per_kwh() == "0.125");
  CHECK(b[0].lines(1).amount_tiyn() == 5'183);  // 51.828 tg
  CHECK(b[0].lines(1).vat_tiyn() == 829);       // 8.2928 tg
  CHECK(b[0].amount_tiyn() == 6'486);
  CHECK(b[0].vat_tiyn() == 1'037);
  CHECK(b[0].total_tiyn() == 7'523);
  CHECK(absl::StrContains(b[0].lines(0).description(), "11.02.2026–14.02.2026"));

  // BL-0203 from 20 February: 216 h × 1.111 kWh = 239.976 kWh × 0.125 = 29.997 tg -> 30.00.
  auto c = h.Documents(late.id(), v1::DOCUMENT_TYPE_INVOICE);
  REQUIRE(c.size() == 1);
  REQUIRE(c[0].lines_size() == 1);
  CHECK(DayText(c[0].lines(0).from_date()) == "2026-02-20");
  CHECK(c[0].lines(0).volume_wh() == 239'976);
  CHECK(c[0].lines(0).amount_tiyn() == 3'000);
  CHECK(c[0].lines(0).vat_tiyn() == 480);
  CHECK(c[0].total_tiyn() == 3'480);
}

TEST_CASE("two invoice runs of one period started at once issue one gapless set of documents") {
  Harness h;
  h.volumes.AddRun(Period(2026, 3), "bal-x", BalanceRunType::kFinal);
  std::vector<std::string> contract_ids;
  for (int i = 0; i < 25; ++i) {
    cv1::Participant p = h.CreateParticipant(100 + i, absl::StrCat("ТОО «Өскемен ", i, "»"));
    contract_ids.push_back(h.CreateContract(p.id(), absl::StrCat("TR-1", i), kTransmission).id());
    h.volumes.Set("bal-x", p.id(), Service::kTransmission, 1'000'000 * (i + 1));
  }
  // Two runs, each worked on by its own thread at the same moment, in small batches.
  auto a = h.runs.Start(Period(2026, 3), RunType::kRegular, "", "run-a");
  auto b = h.runs.Start(Period(2026, 3), RunType::kRegular, "", "run-b");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  h.runs.Enqueue("run-a");
  h.runs.Enqueue("run-b");
  auto ra = h.runs.Wait("run-a", absl::Seconds(120));
  auto rb = h.runs.Wait("run-b", absl::Seconds(120));
  REQUIRE(ra.ok());
  REQUIRE(rb.ok());
  CHECK(ra->state == JobState::kSucceeded);
  CHECK(rb->state == JobState::kSucceeded);
  CHECK(ra->documents_issued + rb->documents_issued == 75);
  CHECK(h.CountRows("documents") == 75);
  for (const char* type : {"invoice", "act", "esf"}) {
    const std::string sql = absl::StrCat(
        "SELECT count(*), min(seq), max(seq), count(DISTINCT contract_id) FROM documents WHERE "
        "doc_type = '",
        type, "'");
    auto res = h.db.pool().Execute(pg::Query{"", sql.c_str()});
    REQUIRE(res.ok());
    INFO(type);
    CHECK((*res)[0].Int(0) == 25);
    CHECK((*res)[0].Int(1) == 1);
    CHECK((*res)[0].Int(2) == 25);  // 25 numbers from 1 to 25: no gap, no repeat
    CHECK((*res)[0].Int(3) == 25);
  }
}

TEST_CASE("the same two runs driven by two threads directly share the work without duplicates") {
  RunOptions options;
  options.batch = 3;
  options.render_pdfs = false;
  Harness h(options);
  h.runs.StopWorkers();  // this test drives Execute itself
  h.volumes.AddRun(Period(2026, 4), "bal-y", BalanceRunType::kFinal);
  for (int i = 0; i < 20; ++i) {
    cv1::Participant p = h.CreateParticipant(200 + i, absl::StrCat("ТОО «Түркістан ", i, "»"));
    h.CreateContract(p.id(), absl::StrCat("DS-2", i), cv1::SERVICE_TYPE_TECHNICAL_DISPATCHING);
    h.volumes.Set("bal-y", p.id(), Service::kDispatching, 7'777'777);
  }
  h.clock.Set(Local(2026, 5, 4));
  REQUIRE(h.runs.Start(Period(2026, 4), RunType::kRegular, "", "t-a").ok());
  REQUIRE(h.runs.Start(Period(2026, 4), RunType::kRegular, "", "t-b").ok());
  std::thread ta([&] { (void)h.runs.Execute("t-a"); });
  std::thread tb([&] { (void)h.runs.Execute("t-b"); });
  ta.join();
  tb.join();
  CHECK(h.CountRows("documents") == 60);
  auto res = h.db.pool().Execute(pg::Query{
      "", "SELECT doc_type, array_agg(seq ORDER BY seq)::text FROM documents GROUP BY doc_type"});
  REQUIRE(res.ok());
  std::string expected = "{";
  for (int i = 1; i <= 20; ++i) absl::StrAppend(&expected, i == 1 ? "" : ",", i);
  expected += "}";
  for (const pg::Row& r : *res) {
    INFO(r.String(0));
    CHECK(r.String(1) == expected);
  }
}

TEST_CASE("payments are allocated oldest first, an overpayment stays as credit") {
  Harness h;
  cv1::Participant p = h.CreateParticipant(5, "ТОО «Маңғыстау Су»");
  cv1::Participant other = h.CreateParticipant(6, "ТОО «Басқа»");
  cv1::Contract c = h.CreateContract(p.id(), "TR-0005", kTransmission);
  cv1::Contract oc = h.CreateContract(other.id(), "TR-0006", kTransmission);
  h.volumes.AddRun(Period(2026, 1), "b-01", BalanceRunType::kFinal);
  h.volumes.Set("b-01", p.id(), Service::kTransmission, 10'000'000);
  h.volumes.Set("b-01", other.id(), Service::kTransmission, 10'000'000);
  h.volumes.AddRun(Period(2026, 2), "b-02", BalanceRunType::kFinal);
  h.volumes.Set("b-02", p.id(), Service::kTransmission, 20'000'000);
  h.clock.Set(Local(2026, 2, 3));
  REQUIRE(h.RunInvoicing(2026, 1).documents_issued() == 6);
  h.clock.Set(Local(2026, 3, 3));
  REQUIRE(h.RunInvoicing(2026, 2).documents_issued() == 3);
  auto inv = h.Documents(c.id(), v1::DOCUMENT_TYPE_INVOICE);
  REQUIRE(inv.size() == 2);
  // January: 10 000 kWh × 3.134 = 31 340.00 + 16 % = 36 354.40 tg; February: 72 708.80 tg.
  REQUIRE(inv[0].total_tiyn() == 3'635'440);
  REQUIRE(inv[1].total_tiyn() == 7'270'880);

  // A bad row rejects the whole file and writes nothing.
  v1::ImportPaymentsRequest bad;
  bad.set_request_id(NewRequestId());
  bad.set_csv(absl::StrCat("reference,value_date,payer_bin,contract_number,amount,purpose\n",
                           "PAY-1,2026-02-20,", p.bin(), ",TR-0005,40000.00,за январь\n",
                           "PAY-2,2026-02-31,", p.bin(), ",TR-0005,1.00,\n"));
  v1::ImportPaymentsResponse bad_resp;
  REQUIRE_GRPC(h.Call(*h.payment_stub, &v1::PaymentService::Stub::ImportPayments, bad, &bad_resp),
               grpc::StatusCode::INVALID_ARGUMENT, "csv line 3 value_date");
  CHECK(h.CountRows("payments") == 0);

  v1::ImportPaymentsRequest req;
  req.set_request_id(NewRequestId());
  req.set_csv(absl::StrCat("reference,value_date,payer_bin,contract_number,amount,purpose\n",
                           "PAY-1,2026-02-20,", p.bin(), ",TR-0005,40000.00,\"оплата, январь\"\n"));
  v1::ImportPaymentsResponse resp;
  REQUIRE_OK(h.Call(*h.payment_stub, &v1::PaymentService::Stub::ImportPayments, req, &resp));
  CHECK(resp.created() == 1);
  REQUIRE(resp.payments_size() == 1);
  // 40 000.00 pays January in full (36 354.40) and 3 645.60 of February.
  REQUIRE(resp.payments(0).allocations_size() == 2);
  CHECK(resp.payments(0).allocations(0).document_number() == inv[0].number());
  CHECK(resp.payments(0).allocations(0).amount_tiyn() == 3'635'440);
  CHECK(resp.payments(0).allocations(1).document_number() == inv[1].number());
  CHECK(resp.payments(0).allocations(1).amount_tiyn() == 364'560);
  CHECK(resp.payments(0).unallocated_tiyn() == 0);
  CHECK(resp.payments(0).purpose() == "оплата, январь");
  v1::GetDocumentRequest open_req;
  open_req.set_id(inv[1].id());
  v1::GetDocumentResponse open_doc;
  REQUIRE_OK(
      h.Call(*h.document_stub, &v1::DocumentService::Stub::GetDocument, open_req, &open_doc));
  CHECK(open_doc.document().open_tiyn() == 6'906'320);

  // Aging before the second payment, on 19 March: February's rest is not yet due (25 March);
  // the other participant's January invoice (due 25 February) is 22 days past due.
  v1::GetAgingRequest ar;
  *ar.mutable_as_of() = D(2026, 3, 19);
  v1::GetAgingResponse aging;
  REQUIRE_OK(h.Call(*h.payment_stub, &v1::PaymentService::Stub::GetAging, ar, &aging));
  CHECK(aging.aging().not_due_tiyn() == 6'906'320);
  CHECK(aging.aging().days_0_30_tiyn() == 3'635'440);
  CHECK(aging.aging().total_tiyn() == 6'906'320 + 3'635'440);
  *ar.mutable_as_of() = D(2026, 5, 10);  // 74 days after 25 February; 46 after 25 March
  ar.set_participant_id(other.id());
  REQUIRE_OK(h.Call(*h.payment_stub, &v1::PaymentService::Stub::GetAging, ar, &aging));
  CHECK(aging.aging().days_61_90_tiyn() == 3'635'440);
  CHECK(aging.aging().total_tiyn() == 3'635'440);

  // Importing the same file again changes nothing; same reference, other amount is refused.
  v1::ImportPaymentsRequest again = req;
  again.set_request_id(NewRequestId());
  REQUIRE_OK(h.Call(*h.payment_stub, &v1::PaymentService::Stub::ImportPayments, again, &resp));
  CHECK(resp.created() == 0);
  CHECK(resp.already_present() == 1);
  v1::ImportPaymentsRequest changed;
  changed.set_request_id(NewRequestId());
  changed.set_csv(absl::StrCat("reference,value_date,payer_bin,contract_number,amount\n",
                               "PAY-1,2026-02-20,", p.bin(), ",TR-0005,41000.00\n"));
  REQUIRE_GRPC(h.Call(*h.payment_stub, &v1::PaymentService::Stub::ImportPayments, changed, &resp),
               grpc::StatusCode::INVALID_ARGUMENT,
               "csv line 2 reference: payment \"PAY-1\" was imported before with other content "
               "(value date 2026-02-20, contract TR-0005, amount 40000.00)");

  // An overpayment: 80 000.00 against 69 063.20 still open leaves 10 936.80 of credit.
  v1::ImportPaymentsRequest over;
  over.set_request_id(NewRequestId());
  over.set_csv(absl::StrCat("reference,value_date,payer_bin,contract_number,amount\n",
                            "PAY-2,2026-03-20,", p.bin(), ",TR-0005,80000\n"));
  REQUIRE_OK(h.Call(*h.payment_stub, &v1::PaymentService::Stub::ImportPayments, over, &resp));
  REQUIRE(resp.payments_size() == 1);
  CHECK(resp.payments(0).allocations_size() == 1);
  CHECK(resp.payments(0).allocations(0).amount_tiyn() == 6'906'320);
  CHECK(resp.payments(0).unallocated_tiyn() == 1'093'680);

  // Listed a page at a time, each payment keeps the allocation the whole
  // ledger gives it: PAY-2 alone on its page still pays only February's rest.
  v1::ListPaymentsRequest lp;
  lp.set_contract_id(c.id());
  lp.set_page_size(1);
  v1::ListPaymentsResponse page1, page2;
  REQUIRE_OK(h.Call(*h.payment_stub, &v1::PaymentService::Stub::ListPayments, lp, &page1));
  REQUIRE(page1.payments_size() == 1);
  CHECK(page1.payments(0).reference() == "PAY-1");
  CHECK(page1.payments(0).allocations_size() == 2);
  REQUIRE(!page1.next_page_token().empty());
  lp.set_page_token(page1.next_page_token());
  REQUIRE_OK(h.Call(*h.payment_stub, &v1::PaymentService::Stub::ListPayments, lp, &page2));
  REQUIRE(page2.payments_size() == 1);
  CHECK(page2.payments(0).reference() == "PAY-2");
  REQUIRE(page2.payments(0).allocations_size() == 1);
  CHECK(page2.payments(0).allocations(0).amount_tiyn() == 6'906'320);
  CHECK(page2.payments(0).unallocated_tiyn() == 1'093'680);
  CHECK(page2.next_page_token().empty());

  v1::GetAccountBalanceRequest br;
  br.set_participant_id(p.id());
  v1::GetAccountBalanceResponse bal;
  REQUIRE_OK(h.Call(*h.payment_stub, &v1::PaymentService::Stub::GetAccountBalance, br, &bal));
  CHECK(bal.total().charged_tiyn() == 10'906'320);
  CHECK(bal.total().paid_tiyn() == 12'000'000);
  CHECK(bal.total().balance_tiyn() == -1'093'680);
  CHECK(bal.total().credit_tiyn() == 1'093'680);
  REQUIRE(bal.contracts_size() == 1);
  CHECK(bal.contracts(0).contract_id() == c.id());

  // The statement of March: opening 36 354.40 - 40 000.00; February's invoice; the payment.
  v1::GetStatementRequest sr;
  sr.set_participant_id(p.id());
  *sr.mutable_from_date() = D(2026, 3, 1);
  *sr.mutable_to_date() = D(2026, 3, 31);
  v1::GetStatementResponse st;
  REQUIRE_OK(h.Call(*h.payment_stub, &v1::PaymentService::Stub::GetStatement, sr, &st));
  CHECK(st.statement().opening_tiyn() == -364'560);
  CHECK(st.statement().charged_tiyn() == 7'270'880);
  CHECK(st.statement().paid_tiyn() == 8'000'000);
  CHECK(st.statement().closing_tiyn() == -1'093'680);
  REQUIRE(st.statement().entries_size() == 2);
  CHECK(st.statement().entries(0).reference() == inv[1].number());
  CHECK(st.statement().entries(1).reference() == "PAY-2");

  // A participant's user sees only its own account and documents.
  Who user{"user@msu.kz", "ROLE_PARTICIPANT_USER", other.id()};
  REQUIRE_GRPC(h.Call(*h.payment_stub, &v1::PaymentService::Stub::GetStatement, sr, &st, user),
               grpc::StatusCode::PERMISSION_DENIED, "participant_id");
  v1::GetDocumentRequest gd;
  gd.set_id(inv[0].id());
  v1::GetDocumentResponse gdr;
  REQUIRE_GRPC(h.Call(*h.document_stub, &v1::DocumentService::Stub::GetDocument, gd, &gdr, user),
               grpc::StatusCode::NOT_FOUND, "document");
  v1::ListDocumentsRequest ld;
  v1::ListDocumentsResponse ldr;
  REQUIRE_OK(h.Call(*h.document_stub, &v1::DocumentService::Stub::ListDocuments, ld, &ldr, user));
  CHECK(ldr.total_size() == 3);
  for (const auto& d : ldr.documents()) CHECK(d.participant_id() == other.id());
  CHECK(oc.participant_id() == other.id());
}

TEST_CASE("a list of documents shows the same open amounts as each document read alone") {
  Harness h;
  cv1::Participant p = h.CreateParticipant(5, "ТОО «Маңғыстау Су»");
  cv1::Participant other = h.CreateParticipant(6, "ТОО «Басқа»");
  cv1::Contract c = h.CreateContract(p.id(), "TR-0005", kTransmission);
  cv1::Contract oc = h.CreateContract(other.id(), "TR-0006", kTransmission);
  h.volumes.AddRun(Period(2026, 1), "b-01", BalanceRunType::kFinal);
  h.volumes.Set("b-01", p.id(), Service::kTransmission, 10'000'000);
  h.volumes.Set("b-01", other.id(), Service::kTransmission, 10'000'000);
  h.volumes.AddRun(Period(2026, 2), "b-02", BalanceRunType::kFinal);
  h.volumes.Set("b-02", p.id(), Service::kTransmission, 20'000'000);
  h.clock.Set(Local(2026, 2, 3));
  REQUIRE(h.RunInvoicing(2026, 1).documents_issued() == 6);
  h.clock.Set(Local(2026, 3, 3));
  REQUIRE(h.RunInvoicing(2026, 2).documents_issued() == 3);
  // 40 000.00 pays January's 36 354.40 in full and 3 645.60 of February's 72 708.80;
  // the other participant pays nothing.
  v1::ImportPaymentsRequest req;
  req.set_request_id(NewRequestId());
  req.set_csv(absl::StrCat("reference,value_date,payer_bin,contract_number,amount\n",
                           "PAY-1,2026-02-20,", p.bin(), ",TR-0005,40000.00\n"));
  v1::ImportPaymentsResponse resp;
  REQUIRE_OK(h.Call(*h.payment_stub, &v1::PaymentService::Stub::ImportPayments, req, &resp));

  // Every invoice listed (two to a page, so a page holds documents of
  // several contracts and a contract's documents span pages).
  std::map<std::string, int64_t> listed;  // invoice number -> open amount in the list
  std::map<std::string, std::string> ids;
  v1::ListDocumentsRequest ld;
  ld.set_type(v1::DOCUMENT_TYPE_INVOICE);
  ld.set_page_size(2);
  for (int pages = 0; pages < 10; ++pages) {
    v1::ListDocumentsResponse page;
    REQUIRE_OK(h.Call(*h.document_stub, &v1::DocumentService::Stub::ListDocuments, ld, &page));
    for (const auto& d : page.documents()) {
      listed[absl::StrCat(d.contract_number(), " ", d.period().month())] = d.open_tiyn();
      ids[absl::StrCat(d.contract_number(), " ", d.period().month())] = d.id();
    }
    if (page.next_page_token().empty()) break;
    ld.set_page_token(page.next_page_token());
  }
  REQUIRE(listed.size() == 3);
  int64_t paid = -1, part_paid = -1, unpaid = -1;
  for (const auto& [key, open] : listed) {
    v1::GetDocumentRequest gd;
    gd.set_id(ids[key]);
    v1::GetDocumentResponse got;
    REQUIRE_OK(h.Call(*h.document_stub, &v1::DocumentService::Stub::GetDocument, gd, &got));
    INFO(key);
    CHECK(got.document().open_tiyn() == open);
    if (got.document().contract_number() == "TR-0006") {
      unpaid = open;
    } else if (got.document().period().month() == 1) {
      paid = open;
    } else {
      part_paid = open;
    }
  }
  CHECK(paid == 0);
  CHECK(part_paid == 6'906'320);
  CHECK(unpaid == 3'635'440);

  // A participant's user sees the same in its own list.
  Who user{"user@msu.kz", "ROLE_PARTICIPANT_USER", p.id()};
  v1::ListDocumentsRequest own;
  own.set_type(v1::DOCUMENT_TYPE_INVOICE);
  v1::ListDocumentsResponse own_resp;
  REQUIRE_OK(
      h.Call(*h.document_stub, &v1::DocumentService::Stub::ListDocuments, own, &own_resp, user));
  REQUIRE(own_resp.documents_size() == 2);
  int64_t own_open = 0;
  for (const auto& d : own_resp.documents()) own_open += d.open_tiyn();
  CHECK(own_open == 6'906'320);
  CHECK(oc.participant_id() == other.id());
}

TEST_CASE("documents newest issued first: receivables of the latest issue lead, every page once") {
  Harness h;
  cv1::Participant p = h.CreateParticipant(11, "ТОО «Жаңа»");
  cv1::Participant other = h.CreateParticipant(12, "ТОО «Басқа»");
  h.CreateContract(p.id(), "TR-0011", kTransmission);
  h.CreateContract(other.id(), "TR-0012", kTransmission);
  for (int m : {1, 2}) {
    const std::string run = absl::StrCat("b-", m);
    h.volumes.AddRun(Period(2026, m), run, BalanceRunType::kFinal);
    h.volumes.Set(run, p.id(), Service::kTransmission, 10'000'000 * m);
    h.volumes.Set(run, other.id(), Service::kTransmission, 5'000'000 * m);
  }
  h.clock.Set(Local(2026, 2, 3));
  REQUIRE(h.RunInvoicing(2026, 1).documents_issued() == 6);
  h.clock.Set(Local(2026, 3, 3));
  REQUIRE(h.RunInvoicing(2026, 2).documents_issued() == 6);

  // By type and number (the default), the first five are acts and ESF: a
  // dashboard showing them as "latest" showed no invoice.
  v1::ListDocumentsRequest by_type;
  by_type.set_page_size(5);
  v1::ListDocumentsResponse first;
  REQUIRE_OK(h.Call(*h.document_stub, &v1::DocumentService::Stub::ListDocuments, by_type, &first));
  for (const auto& d : first.documents()) CHECK(d.type() != v1::DOCUMENT_TYPE_INVOICE);

  // Newest first, four to a page (pages cut across issues): every document
  // once, February's before January's, and within an issue the invoices
  // first, then the acts, then the ESF, each by number descending.
  v1::ListDocumentsRequest newest;
  newest.set_order(v1::DOCUMENT_ORDER_NEWEST_FIRST);
  newest.set_page_size(4);
  std::vector<v1::Document> listed;
  std::string second_token;
  for (int pages = 0; pages < 10; ++pages) {
    v1::ListDocumentsResponse page;
    REQUIRE_OK(h.Call(*h.document_stub, &v1::DocumentService::Stub::ListDocuments, newest, &page));
    // The total is counted on the first page only.
    CHECK(page.total_size() == (newest.page_token().empty() ? 12 : 0));
    for (const auto& d : page.documents()) listed.push_back(d);
    if (page.next_page_token().empty()) break;
    if (second_token.empty()) second_token = page.next_page_token();
    newest.set_page_token(page.next_page_token());
  }
  REQUIRE(listed.size() == 12);
  std::set<std::string> ids;
  for (const auto& d : listed) ids.insert(d.id());
  CHECK(ids.size() == 12);
  auto rank = [](v1::DocumentType t) {
    return t == v1::DOCUMENT_TYPE_INVOICE ? 0 : t == v1::DOCUMENT_TYPE_ACT ? 3 : 4;
  };
  std::vector<std::string> seen;
  for (const auto& d : listed) {
    seen.push_back(absl::StrCat(d.period().month(), " ", d.number()));
  }
  INFO(absl::StrJoin(seen, ", "));
  CHECK(listed[0].type() == v1::DOCUMENT_TYPE_INVOICE);
  CHECK(listed[0].period().month() == 2);
  for (size_t i = 0; i < 6; ++i) CHECK(listed[i].period().month() == 2);
  for (size_t i = 6; i < 12; ++i) CHECK(listed[i].period().month() == 1);
  for (size_t i = 1; i < listed.size(); ++i) {
    const v1::Document& a = listed[i - 1];
    const v1::Document& b = listed[i];
    if (a.period().month() != b.period().month()) continue;  // a later issue: checked above
    if (a.create_time().seconds() != b.create_time().seconds() ||
        a.create_time().nanos() != b.create_time().nanos()) {
      CHECK(std::make_pair(a.create_time().seconds(), a.create_time().nanos()) >
            std::make_pair(b.create_time().seconds(), b.create_time().nanos()));
      continue;
    }
    CHECK(rank(a.type()) <= rank(b.type()));
    if (a.type() == b.type()) CHECK(a.number() > b.number());
  }

  // The order is part of what a page token is for: the newest-first token
  // of page two does not page the default order.
  REQUIRE(!second_token.empty());
  by_type.set_page_token(second_token);
  v1::ListDocumentsResponse mixed;
  REQUIRE_GRPC(h.Call(*h.document_stub, &v1::DocumentService::Stub::ListDocuments, by_type, &mixed),
               grpc::StatusCode::INVALID_ARGUMENT, "page_token");
  // An order the service does not know is refused, naming the field.
  v1::ListDocumentsRequest unknown;
  unknown.set_order(static_cast<v1::DocumentOrder>(7));
  REQUIRE_GRPC(h.Call(*h.document_stub, &v1::DocumentService::Stub::ListDocuments, unknown, &mixed),
               grpc::StatusCode::INVALID_ARGUMENT, "order");

  // A participant's user, newest first: its own February invoice leads.
  Who user{"user@zhana.kz", "ROLE_PARTICIPANT_USER", p.id()};
  v1::ListDocumentsRequest own;
  own.set_order(v1::DOCUMENT_ORDER_NEWEST_FIRST);
  own.set_page_size(5);
  v1::ListDocumentsResponse own_resp;
  REQUIRE_OK(
      h.Call(*h.document_stub, &v1::DocumentService::Stub::ListDocuments, own, &own_resp, user));
  REQUIRE(own_resp.documents_size() == 5);
  CHECK(own_resp.total_size() == 6);
  CHECK(own_resp.documents(0).type() == v1::DOCUMENT_TYPE_INVOICE);
  CHECK(own_resp.documents(0).period().month() == 2);
  for (const auto& d : own_resp.documents()) CHECK(d.participant_id() == p.id());
}

// Every page of `req` (page_size as set), the documents' ids in list order;
// checks the total of the first page and that later pages carry none.
std::vector<std::string> PageAll(Harness& h, v1::ListDocumentsRequest req) {
  std::vector<std::string> ids;
  int64_t total = -1;
  for (int pages = 0; pages < 200; ++pages) {
    v1::ListDocumentsResponse page;
    REQUIRE_OK(h.Call(*h.document_stub, &v1::DocumentService::Stub::ListDocuments, req, &page));
    if (total < 0) {
      total = page.total_size();
    } else {
      CHECK(page.total_size() == 0);
    }
    for (const auto& d : page.documents()) ids.push_back(d.id());
    if (page.next_page_token().empty()) break;
    CHECK(page.documents_size() == req.page_size());
    req.set_page_token(page.next_page_token());
  }
  CHECK(total == static_cast<int64_t>(ids.size()));
  return ids;
}

TEST_CASE(
    "documents page by keyset: with equal dates and times, every document once, both orders") {
  Harness h;
  std::vector<cv1::Participant> ps;
  for (int n = 0; n < 8; ++n) {
    ps.push_back(h.CreateParticipant(20 + n, absl::StrCat("ТОО «Кілт ", n, "»")));
    h.CreateContract(ps.back().id(), absl::StrCat("TR-002", n), kTransmission);
  }
  for (int m : {1, 2}) {
    const std::string run = absl::StrCat("b-", m);
    h.volumes.AddRun(Period(2026, m), run, BalanceRunType::kFinal);
    for (const cv1::Participant& p : ps) {
      h.volumes.Set(run, p.id(), Service::kTransmission, 1'000'000 * m);
    }
  }
  // Both periods issued on one day at one clock time: the issue date and
  // created_at are the same for all 48 documents, only type and number differ.
  h.clock.Set(Local(2026, 3, 3));
  REQUIRE(h.RunInvoicing(2026, 1).documents_issued() == 24);
  REQUIRE(h.RunInvoicing(2026, 2).documents_issued() == 24);

  struct Filter {
    std::string name;
    v1::ListDocumentsRequest req;
  };
  std::vector<Filter> filters(4);
  filters[0].name = "no filter";
  filters[1].name = "participant";
  filters[1].req.set_participant_id(ps[1].id());
  filters[2].name = "type";
  filters[2].req.set_type(v1::DOCUMENT_TYPE_ACT);
  filters[3].name = "period and participant";
  *filters[3].req.mutable_period() = P(2026, 2);
  filters[3].req.set_participant_id(ps[2].id());
  const std::map<std::string, size_t> expected = {
      {"no filter", 48}, {"participant", 6}, {"type", 16}, {"period and participant", 3}};
  for (v1::DocumentOrder order :
       {v1::DOCUMENT_ORDER_UNSPECIFIED, v1::DOCUMENT_ORDER_NEWEST_FIRST}) {
    for (Filter& f : filters) {
      f.req.set_order(order);
      f.req.set_page_size(1000);
      const std::vector<std::string> whole = PageAll(h, f.req);
      INFO(f.name << ", order " << v1::DocumentOrder_Name(order));
      REQUIRE(whole.size() == expected.at(f.name));
      CHECK(std::set<std::string>(whole.begin(), whole.end()).size() == whole.size());
      for (int size : {1, 5, 7}) {
        INFO("page_size " << size);
        f.req.set_page_size(size);
        // Every document exactly once, in the order of the list read whole.
        CHECK(PageAll(h, f.req) == whole);
      }
    }
  }

  // Documents issued between two pages, newest first: they come before the
  // page already read, so the pages after it neither repeat a document nor
  // skip one (an offset would shift every later page by three).
  v1::ListDocumentsRequest req;
  req.set_order(v1::DOCUMENT_ORDER_NEWEST_FIRST);
  req.set_page_size(10);
  v1::ListDocumentsResponse first;
  REQUIRE_OK(h.Call(*h.document_stub, &v1::DocumentService::Stub::ListDocuments, req, &first));
  h.volumes.AddRun(Period(2026, 3), "b-3", BalanceRunType::kFinal);
  h.volumes.Set("b-3", ps[0].id(), Service::kTransmission, 1'000'000);
  h.clock.Set(Local(2026, 4, 3));
  REQUIRE(h.RunInvoicing(2026, 3).documents_issued() == 3);
  std::vector<std::string> ids;
  for (const auto& d : first.documents()) ids.push_back(d.id());
  req.set_page_token(first.next_page_token());
  for (int pages = 0; pages < 20 && !req.page_token().empty(); ++pages) {
    v1::ListDocumentsResponse page;
    REQUIRE_OK(h.Call(*h.document_stub, &v1::DocumentService::Stub::ListDocuments, req, &page));
    for (const auto& d : page.documents()) ids.push_back(d.id());
    req.set_page_token(page.next_page_token());
  }
  CHECK(ids.size() == 48);
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == 48);
}

TEST_CASE("payments and VAT rates page in SQL: every row once, by value date and reference") {
  Harness h;
  cv1::Participant p = h.CreateParticipant(7, "ТОО «Тест»");
  h.CreateContract(p.id(), "TR-0007", kTransmission);
  cv1::Contract other = h.CreateContract(p.id(), "TR-0008", kTransmission);
  // Value dates out of order and shared, so that the reference breaks ties.
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"P-07", "2026-03-02"}, {"P-03", "2026-03-01"}, {"P-05", "2026-03-01"},
      {"P-01", "2026-03-03"}, {"P-06", "2026-02-27"}, {"P-02", "2026-03-01"},
      {"P-04", "2026-03-05"}};
  std::string csv = "reference,value_date,payer_bin,contract_number,amount\n";
  for (const auto& [ref, day] : rows) {
    absl::StrAppend(&csv, ref, ",", day, ",", p.bin(), ",TR-0007,100.00\n");
  }
  absl::StrAppend(&csv, "P-99,2026-03-01,", p.bin(), ",TR-0008,1.00\n");
  v1::ImportPaymentsRequest imp;
  imp.set_request_id(NewRequestId());
  imp.set_csv(csv);
  v1::ImportPaymentsResponse imported;
  REQUIRE_OK(h.Call(*h.payment_stub, &v1::PaymentService::Stub::ImportPayments, imp, &imported));
  REQUIRE(imported.created() == 8);

  v1::ListPaymentsRequest req;
  req.set_participant_id(p.id());
  req.set_page_size(3);
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    v1::ListPaymentsResponse resp;
    REQUIRE_OK(h.Call(*h.payment_stub, &v1::PaymentService::Stub::ListPayments, req, &resp));
    ++pages;
    REQUIRE(resp.payments_size() <= 3);
    for (const auto& pay : resp.payments()) seen.push_back(pay.reference());
    if (resp.next_page_token().empty()) break;
    REQUIRE(pages < 10);
    req.set_page_token(resp.next_page_token());
  }
  CHECK(seen ==
        std::vector<std::string>{"P-06", "P-02", "P-03", "P-05", "P-99", "P-07", "P-01", "P-04"});
  CHECK(pages == 3);

  // A token of the participant's list is not one of a contract's list.
  req.set_page_token("");
  v1::ListPaymentsResponse first, resp;
  REQUIRE_OK(h.Call(*h.payment_stub, &v1::PaymentService::Stub::ListPayments, req, &first));
  req.set_contract_id(other.id());
  req.set_page_token(first.next_page_token());
  REQUIRE_GRPC(h.Call(*h.payment_stub, &v1::PaymentService::Stub::ListPayments, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "page_token");

  // The two VAT rates (12 %, 16 % from 2026), one per page.
  v1::ListVatRatesRequest vr;
  vr.set_page_size(1);
  v1::ListVatRatesResponse r1, r2;
  REQUIRE_OK(h.Call(*h.period_stub, &v1::BillingPeriodService::Stub::ListVatRates, vr, &r1));
  REQUIRE(r1.rates_size() == 1);
  CHECK(r1.rates(0).rate_percent() == "12");
  REQUIRE(!r1.next_page_token().empty());
  vr.set_page_token(r1.next_page_token());
  REQUIRE_OK(h.Call(*h.period_stub, &v1::BillingPeriodService::Stub::ListVatRates, vr, &r2));
  REQUIRE(r2.rates_size() == 1);
  CHECK(r2.rates(0).rate_percent() == "16");
  CHECK(r2.next_page_token().empty());
  vr.set_page_size(-3);
  REQUIRE_GRPC(h.Call(*h.period_stub, &v1::BillingPeriodService::Stub::ListVatRates, vr, &r2),
               grpc::StatusCode::INVALID_ARGUMENT, "page_size");
}

TEST_CASE("periods and invoice runs page by keyset: every row once, newest first") {
  Harness h;
  for (int m = 1; m <= 5; ++m) {
    v1::TransitionPeriodRequest t;
    t.set_request_id(NewRequestId());
    *t.mutable_period() = P(2026, m);
    t.set_target_state(v1::PERIOD_STATE_CLOSING);
    v1::TransitionPeriodResponse tr;
    REQUIRE_OK(h.Call(*h.period_stub, &v1::BillingPeriodService::Stub::TransitionPeriod, t, &tr));
  }
  v1::ListPeriodsRequest preq;
  preq.set_page_size(2);
  std::vector<int> months;
  int pages = 0;
  do {
    v1::ListPeriodsResponse resp;
    REQUIRE_OK(h.Call(*h.period_stub, &v1::BillingPeriodService::Stub::ListPeriods, preq, &resp));
    REQUIRE(++pages <= 3);
    REQUIRE(resp.periods_size() <= 2);
    for (const auto& p : resp.periods()) months.push_back(p.period().month());
    preq.set_page_token(resp.next_page_token());
  } while (!preq.page_token().empty());
  CHECK(months == std::vector<int>{5, 4, 3, 2, 1});

  // Runs started at the same instant are ordered by id.
  const absl::Time t0 = absl::FromUnixSeconds(1'780'000'000);
  const std::vector<std::pair<std::string, absl::Time>> started = {{"run-a", t0},
                                                                   {"run-b", t0},
                                                                   {"run-c", t0 + absl::Hours(1)},
                                                                   {"run-d", t0 + absl::Hours(2)},
                                                                   {"run-e", t0 + absl::Hours(2)}};
  for (const auto& [id, at] : started) {
    InvoiceRun run;
    run.id = id;
    run.period = *BillingPeriod::Make(2026, 1);
    run.balance_run_id = "none";
    run.start_time = at;
    REQUIRE(h.store.CreateRun(run).ok());
  }
  v1::ListInvoiceRunsRequest rreq;
  rreq.set_page_size(2);
  std::vector<std::string> ids;
  pages = 0;
  do {
    v1::ListInvoiceRunsResponse resp;
    REQUIRE_OK(h.Call(*h.run_stub, &v1::InvoiceRunService::Stub::ListInvoiceRuns, rreq, &resp));
    REQUIRE(++pages <= 3);
    for (const auto& r : resp.runs()) ids.push_back(r.job().id());
    rreq.set_page_token(resp.next_page_token());
  } while (!rreq.page_token().empty());
  CHECK(ids == std::vector<std::string>{"run-d", "run-e", "run-c", "run-a", "run-b"});
}

TEST_CASE("a provisional document and the ERP export of a period, stable across calls") {
  Harness h;
  cv1::Participant p = h.CreateParticipant(7, "ТОО «Жамбыл, Энерго»");
  h.CreateContract(p.id(), "TR-0007", kTransmission);
  h.volumes.AddRun(Period(2026, 3), "b-03", BalanceRunType::kFinal);
  h.volumes.Set("b-03", p.id(), Service::kTransmission, 3'000'000, Share("0.25"));
  REQUIRE(h.RunInvoicing(2026, 3).documents_issued() == 3);
  v1::ExportPeriodRequest req;
  *req.mutable_period() = P(2026, 3);
  req.set_format(v1::EXPORT_FORMAT_CSV);
  req.set_content(v1::EXPORT_CONTENT_DOCUMENTS);
  v1::ExportPeriodResponse a, b;
  REQUIRE_OK(h.Call(*h.export_stub, &v1::ErpExportService::Stub::ExportPeriod, req, &a));
  REQUIRE_OK(h.Call(*h.export_stub, &v1::ErpExportService::Stub::ExportPeriod, req, &b));
  CHECK(a.content() == b.content());
  CHECK(a.sha256() == Sha256Hex(a.content()));
  CHECK(a.records() == 3);
  std::vector<std::string> rows = absl::StrSplit(a.content(), "\r\n", absl::SkipEmpty());
  REQUIRE(rows.size() == 4);
  CHECK(absl::StartsWith(rows[0], "number,type,issue_date"));
  CHECK(absl::StrContains(a.content(), "\"ТОО «Жамбыл, Энерго»\""));  // quoted: it has a comma
  CHECK(absl::StrContains(rows[3], ",true,"));                        // provisional
  req.set_format(v1::EXPORT_FORMAT_JSONL);
  req.set_content(v1::EXPORT_CONTENT_ACCRUALS);
  REQUIRE_OK(h.Call(*h.export_stub, &v1::ErpExportService::Stub::ExportPeriod, req, &a));
  CHECK(a.records() == 1);  // one line of the invoice
  CHECK(absl::StrContains(a.content(), "\"estimated_share\":\"0.25\""));
  CHECK(absl::StrContains(a.content(), "\"balance_run_id\":\"b-03\""));
  CHECK(absl::StrContains(a.content(), "\"amount_tiyn\":940200"));  // 3000 kWh × 3.134
  req.set_format(v1::EXPORT_FORMAT_UNSPECIFIED);
  REQUIRE_GRPC(h.Call(*h.export_stub, &v1::ErpExportService::Stub::ExportPeriod, req, &a),
               grpc::StatusCode::INVALID_ARGUMENT, "format");
}

TEST_CASE("bad requests name the field and start nothing, and retries replay the first answer") {
  Harness h;
  v1::StartInvoiceRunRequest req;
  req.set_request_id(NewRequestId());
  req.set_run_type(v1::RUN_TYPE_REGULAR);
  v1::StartInvoiceRunResponse resp;
  REQUIRE_GRPC(h.Call(*h.run_stub, &v1::InvoiceRunService::Stub::StartInvoiceRun, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "period");
  *req.mutable_period() = P(2026, 3);
  req.set_run_type(v1::RUN_TYPE_UNSPECIFIED);
  REQUIRE_GRPC(h.Call(*h.run_stub, &v1::InvoiceRunService::Stub::StartInvoiceRun, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "run_type");
  CHECK(h.CountRows("invoice_runs") == 0);
  // No balance run for the period: the run fails with the reason.
  req.set_run_type(v1::RUN_TYPE_REGULAR);
  REQUIRE_OK(h.Call(*h.run_stub, &v1::InvoiceRunService::Stub::StartInvoiceRun, req, &resp));
  v1::StartInvoiceRunResponse replay;
  REQUIRE_OK(h.Call(*h.run_stub, &v1::InvoiceRunService::Stub::StartInvoiceRun, req, &replay));
  CHECK(replay.run().job().id() == resp.run().job().id());
  CHECK(h.CountRows("invoice_runs") == 1);
  auto run = h.runs.Wait(resp.run().job().id(), absl::Seconds(30));
  REQUIRE(run.ok());
  CHECK(run->state == JobState::kFailed);
  CHECK(absl::StrContains(run->error, "balance_run_id"));
  // A period never goes back.
  v1::TransitionPeriodRequest t;
  t.set_request_id(NewRequestId());
  *t.mutable_period() = P(2026, 3);
  t.set_target_state(v1::PERIOD_STATE_CLOSED);
  v1::TransitionPeriodResponse tr;
  REQUIRE_GRPC(h.Call(*h.period_stub, &v1::BillingPeriodService::Stub::TransitionPeriod, t, &tr),
               grpc::StatusCode::FAILED_PRECONDITION, "target_state");
  v1::ListVatRatesResponse rates;
  REQUIRE_OK(h.Call(*h.period_stub, &v1::BillingPeriodService::Stub::ListVatRates,
                    v1::ListVatRatesRequest(), &rates));
  REQUIRE(rates.rates_size() == 2);
  CHECK(rates.rates(1).rate_percent() == "16");
  CHECK(rates.rates(1).valid_from().year() == 2026);
}

}  // namespace
}  // namespace gridbill::invoicing::testing

namespace gridbill::invoicing::testing {
namespace {

TEST_CASE("a cancelled run stops between batches and an unfinished run is resumed") {
  RunOptions options;
  options.render_pdfs = false;
  Harness h(options);
  h.runs.StopWorkers();  // this test drives the runs itself
  cv1::Participant p = h.CreateParticipant(8, "ТОО «Атырау Мұнай»");
  h.CreateContract(p.id(), "TR-0008", cv1::SERVICE_TYPE_TRANSMISSION);
  h.volumes.AddRun(Period(2026, 3), "b-c", BalanceRunType::kFinal);
  h.volumes.Set("b-c", p.id(), Service::kTransmission, 1'000'000);
  REQUIRE(h.runs.Start(Period(2026, 3), RunType::kRegular, "", "to-cancel").ok());
  v1::CancelInvoiceRunRequest c;
  c.set_request_id(NewRequestId());
  c.set_id("to-cancel");
  v1::CancelInvoiceRunResponse cr;
  REQUIRE_OK(h.Call(*h.run_stub, &v1::InvoiceRunService::Stub::CancelInvoiceRun, c, &cr));
  REQUIRE(h.runs.Execute("to-cancel").ok());
  auto cancelled = h.runs.Get("to-cancel");
  REQUIRE(cancelled.ok());
  CHECK(cancelled->state == JobState::kCancelled);
  CHECK(h.CountRows("documents") == 0);
  // A run a previous process left pending is picked up again and finishes.
  REQUIRE(h.runs.Start(Period(2026, 3), RunType::kRegular, "", "left-over").ok());
  auto resumed = h.runs.ResumeUnfinished();
  REQUIRE(resumed.ok());
  CHECK(*resumed == 1);
  h.runs.StartWorkers(1);
  auto done = h.runs.Wait("left-over", absl::Seconds(60));
  REQUIRE(done.ok());
  CHECK(done->state == JobState::kSucceeded);
  CHECK(done->documents_issued == 3);
}

}  // namespace
}  // namespace gridbill::invoicing::testing

namespace gridbill::invoicing::testing {
namespace {

// Runs the real gridbillctl; returns its exit code and fills `out` with stdout + stderr.
int Ctl(const std::string& args, std::string* out) {
  const std::string cmd = absl::StrCat(GRIDBILLCTL_BINARY, " ", args, " 2>&1");
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  out->clear();
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  const int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_CASE("gridbillctl runs invoicing, lists documents, downloads a PDF and prints a statement") {
  Harness h;
  cv1::Participant p = h.CreateParticipant(9, "ТОО «Көкшетау Жылу»");
  h.CreateContract(p.id(), "TR-0009", cv1::SERVICE_TYPE_TRANSMISSION);
  h.volumes.AddRun(Period(2026, 3), "b-ctl", BalanceRunType::kFinal);
  h.volumes.Set("b-ctl", p.id(), Service::kTransmission, 10'000'000);
  cv1::Participant exporter = h.CreateParticipant(10, "ТОО «Шу Күн Энергия»");
  h.CreateContract(exporter.id(), "TR-0010", cv1::SERVICE_TYPE_TRANSMISSION);
  h.volumes.Set("b-ctl", exporter.id(), Service::kTransmission, -42'000);
  const std::string addr = absl::StrCat("--invoicing-addr=127.0.0.1:", h.base.server().grpc_port());
  std::string out;
  REQUIRE(Ctl(absl::StrCat("invoicing run 2026-03 ", addr), &out) == 0);
  INFO(out);
  CHECK(absl::StrContains(out, "3 documents issued from balance run b-ctl"));
  // The summary as one line (the table wraps long values).
  std::string flat;
  for (absl::string_view word : absl::StrSplit(out, absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
    absl::StrAppend(&flat, flat.empty() ? "" : " ", word);
  }
  CHECK(absl::StrContains(flat,
                          "1 not billed (1 with volume ≤ 0 (1 delivered more than they "
                          "received): TR-0010); 0 failed"));
  REQUIRE(Ctl(absl::StrCat("invoicing documents --type invoice ", addr), &out) == 0);
  CHECK(absl::StrContains(out, "INV-2026-000001"));
  CHECK(absl::StrContains(out, "TR-0009"));
  auto inv = h.Documents("", v1::DOCUMENT_TYPE_INVOICE);
  REQUIRE(inv.size() == 1);
  char dir[] = "/tmp/gridbill-ctl-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string pdf_path = absl::StrCat(dir, "/inv.pdf");
  REQUIRE(Ctl(absl::StrCat("invoicing pdf ", inv[0].id(), " --out ", pdf_path, " ", addr), &out) ==
          0);
  CHECK(absl::StrContains(out, inv[0].pdf_sha256()));
  std::ifstream f(pdf_path, std::ios::binary);
  std::stringstream bytes;
  bytes << f.rdbuf();
  CHECK(Sha256Hex(bytes.str()) == inv[0].pdf_sha256());
  std::remove(pdf_path.c_str());
  rmdir(dir);
  REQUIRE(
      Ctl(absl::StrCat("invoicing statement ", p.id(), " --from 2026-04-01 --to 2026-04-30 ", addr),
          &out) == 0);
  CHECK(absl::StrContains(out, "INV-2026-000001"));
  CHECK(absl::StrContains(out, "closing balance"));
  CHECK(Ctl(absl::StrCat("invoicing period 2026-13 ", addr), &out) == 2);  // usage error
}

}  // namespace
}  // namespace gridbill::invoicing::testing

namespace gridbill::invoicing::testing {
namespace {

TEST_CASE("runs stored before invoice runs became jobs keep their state, or start over") {
  absl::StatusOr<std::vector<pg::MigrationFile>> files =
      pg::LoadMigrationsFromDir(GRIDBILL_INVOICING_MIGRATIONS_DIR);
  REQUIRE(files.ok());
  REQUIRE(files->size() >= 5);
  REQUIRE((*files)[3].name == "V004__jobs.sql");
  // The schema as it was before (V001..V003), with a finished and an unfinished run.
  pgtest::Database db(std::vector<pg::MigrationFile>(files->begin(), files->begin() + 3));
  for (const char* sql :
       {"INSERT INTO invoice_runs (id, period, run_type, state, done, total, documents_issued, "
        "contracts_skipped, summary, start_time, finish_time) VALUES ('old-done', '2026-01', "
        "'regular', 'succeeded', 664, 664, 1992, 0, '1992 documents issued', "
        "'2026-02-03 10:00+05', '2026-02-03 10:05+05')",
        "INSERT INTO invoice_runs (id, period, run_type, state, done, total, documents_issued, "
        "start_time) VALUES ('old-open', '2026-02', 'regular', 'running', 200, 664, 600, "
        "'2026-03-03 10:00+05')"}) {
    REQUIRE(db.pool().Execute(pg::Query{"", sql}).ok());
  }
  absl::StatusOr<pg::MigrationReport> migrated = pg::Migrate(db.pool(), *files);
  INFO(migrated.status().message());
  REQUIRE(migrated.ok());
  PgStore store(db.pool());
  absl::StatusOr<InvoiceRun> done = store.GetRun("old-done");
  REQUIRE(done.ok());
  CHECK(done->state == JobState::kSucceeded);
  CHECK(done->done == 664);
  CHECK(done->total == 664);
  CHECK(done->documents_issued == 1992);
  CHECK(done->summary == "1992 documents issued");
  CHECK(done->finish_time.has_value());
  // The unfinished one is a pending job again: any replica splits it anew.
  absl::StatusOr<InvoiceRun> open = store.GetRun("old-open");
  REQUIRE(open.ok());
  CHECK(open->state == JobState::kPending);
  CHECK(open->done == 0);
  CHECK(open->documents_issued == 0);
  absl::StatusOr<int64_t> pending = store.Jobs().CountOpen({kRunJobKind});
  REQUIRE(pending.ok());
  CHECK(*pending == 1);
}

}  // namespace
}  // namespace gridbill::invoicing::testing
