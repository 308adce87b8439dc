// The outbound adapters against their stand-ins (real processes). ESF:
// every ESF document registered exactly once through failures (503),
// time-outs of uploads that happened, answers given twice and re-sent
// attempts; a declined invoice is a dead letter with the system's reason;
// prints the submission throughput (documents/s). ITSM: a rejected file
// opens one incident, a second rejection updates it, the fixed file
// resolves it; every incident opened, updated and resolved once through
// 503s, time-outs of changes that happened and requests received twice.
// ECM over the CMIS browser binding: every document archived once, its
// hash as invoicing's, through the same faults; the integrity check reads
// every document back and names a changed one. ERP: the ERP stand-in takes
// every document from the outbox folder once, checking its manifest.
#include <httplib.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "documents.h"
#include "erp.h"
#include "esf.h"
#include "fake_suite.h"
#include "gridbill/base/sha256.h"
#include "gridbill/testing/fake_clock.h"
#include "harness.h"
#include "inbound.h"
#include "itsm.h"
#include "memory_store.h"
#include "outbox.h"
#include "problems.h"

namespace gridbill::integrations {
namespace {

using ::gridbill::testing::FakeClock;

struct Standin {
  int port = suite::FreePort();
  suite::TempDir dir;
  std::unique_ptr<suite::Process> process;
  std::string stats;

  explicit Standin(std::vector<std::string> flags, const char* binary = GRIDBILL_ESF_STANDIN_BIN,
                   std::string stats_path = "/esf/v1/stats")
      : stats(std::move(stats_path)) {
    std::vector<std::string> argv = {binary, "--port", std::to_string(port)};
    if (stats == "/esf/v1/stats") {
      argv.push_back("--log");
      argv.push_back(dir.File("esf.log"));
    }
    argv.insert(argv.end(), flags.begin(), flags.end());
    process = suite::Process::Start(argv, {}, dir.File("standin.out"));
    httplib::Client c("127.0.0.1", port);
    for (int i = 0; i < 100; ++i) {
      if (c.Get(stats.c_str())) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("the stand-in did not start: " << process->Log());
  }
  std::string Stat(const std::string& name) {
    httplib::Client c("127.0.0.1", port);
    httplib::Result r = c.Get(stats.c_str());
    REQUIRE(r);
    return JsonField(r->body, name);
  }
  EsfConfig Config(absl::Duration timeout = absl::Seconds(5)) {
    EsfConfig c;
    c.base_url = absl::StrCat("http://127.0.0.1:", port);
    c.bin = "040340001237";
    c.username = "kegoc";
    c.password = "secret";
    c.timeout = timeout;
    return c;
  }
};

// Every due delivery until none is pending (the clock jumps to each next attempt).
void DeliverAll(Outbox& outbox, Receiver& esf, FakeClock& clock, MemoryStore& store,
                const char* adapter = "esf") {
  for (int round = 0; round < 200; ++round) {
    absl::StatusOr<int> n = outbox.DeliverDue(adapter, esf, 100);
    REQUIRE(n.ok());
    DeliveryFilter pending;
    pending.adapter = adapter;
    pending.state = DeliveryState::kPending;
    if (store.List(pending, paging::Page())->items.empty()) return;
    clock.Advance(absl::Minutes(11));
  }
  FAIL("deliveries still pending after 200 rounds");
}

// Documents 1..n, of type type_of(i) (as `edit` leaves them), known to the
// suite when one is given and queued for `adapter` as issued facts.
std::vector<DocumentFact> QueueDocuments(const std::string& adapter, int n,
                                         const std::function<int(int)>& type_of, MemoryStore& store,
                                         FakeClock& clock, FakeSuite* suite = nullptr,
                                         const std::function<void(DocumentFact&)>& edit = nullptr) {
  std::vector<DocumentFact> docs;
  std::vector<Fact> facts;
  for (int i = 1; i <= n; ++i) {
    DocumentFact d = Doc(i, type_of(i));
    if (edit) edit(d);
    if (suite != nullptr) suite->documents.push_back(d);
    facts.push_back({adapter, "document.issued", d.id, "1", d.Encode()});
    docs.push_back(std::move(d));
  }
  REQUIRE(*store.AppendFacts("feed", std::to_string(n), facts, clock.Now()) == n);
  return docs;
}

// Every delivery of the store (one page: the tests hold fewer than 1000).
std::vector<Delivery> AllDeliveries(MemoryStore& store) {
  paging::Page all;
  all.size = 1000;
  absl::StatusOr<paging::PageOf<Delivery>> listed = store.List({}, all);
  REQUIRE(listed.ok());
  return std::move(listed->items);
}

void CheckAllDelivered(MemoryStore& store) {
  for (const Delivery& d : AllDeliveries(store)) {
    INFO(d.fact_id << ": " << d.last_error);
    CHECK(d.state == DeliveryState::kDelivered);
  }
}

TEST_CASE(
    "every ESF registered once through 503s, time-outs and double answers; a decline is a dead "
    "letter") {
  Standin esf({"--register-after", "2", "--fail-every", "7", "--twice-every", "5", "--slow-every",
               "23", "--reject-bin", "999999999999"});
  MemoryStore store;
  FakeSuite suite;
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  QueueDocuments(
      "esf", 60, [](int) { return 3; }, store, clock, &suite,
      [](DocumentFact& d) {
        if (d.id == "doc-13") d.customer_bin = "999999999999";
      });
  RetryPolicy policy;
  policy.max_attempts = 20;
  Outbox outbox(store, clock, policy);
  EsfReceiver receiver(esf.Config(absl::Seconds(2)), suite, store);
  DeliverAll(outbox, receiver, clock, store);

  int delivered = 0;
  for (const Delivery& d : AllDeliveries(store)) {
    if (d.fact_id == "doc-13") {
      CHECK(d.state == DeliveryState::kDead);
      CHECK(absl::StrContains(d.last_error, "999999999999 is not registered as a VAT payer"));
      continue;
    }
    CHECK(d.state == DeliveryState::kDelivered);
    CHECK(absl::StartsWith(d.receipt, "ESF-"));
    ++delivered;
  }
  CHECK(delivered == 59);
  CHECK(esf.Stat("invoices") == "60");
  CHECK(esf.Stat("registrations") == "59");
  CHECK(esf.Stat("duplicate_registrations") == "0");
  CHECK(std::stoi(esf.Stat("duplicate_uploads")) > 0);  // the re-sent attempts happened

  // An attempt re-sent after a crash (the outbox never heard the answer):
  // the same invoice, no second registration.
  Delivery again = *store.Get(1);
  SendResult r = receiver.Send(again);
  CHECK(r.kind == SendResult::Kind::kDelivered);
  CHECK(r.detail == again.receipt);
  CHECK(esf.Stat("duplicate_registrations") == "0");
}

TEST_CASE("ESF: a credit note's ESF is the correction of the original's registration number") {
  Standin esf({"--register-after", "2"});
  MemoryStore store;
  FakeSuite suite;
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  DocumentFact original = Doc(1, 3);
  DocumentFact correction = Doc(2, 3);
  correction.related_document_id = original.id;
  correction.related_document_number = "20260000001";
  suite.documents = {original, correction};
  // The correction comes first: it waits for the original's registration.
  REQUIRE(*store.AppendFacts("feed", "2",
                             {{"esf", "document.issued", correction.id, "1", correction.Encode()},
                              {"esf", "document.issued", original.id, "1", original.Encode()}},
                             clock.Now()) == 2);
  Outbox outbox(store, clock, RetryPolicy{});
  EsfReceiver receiver(esf.Config(), suite, store);
  REQUIRE(outbox.DeliverDue("esf", receiver, 1).ok());
  const Delivery waiting = *store.Get(1);
  CHECK(waiting.state == DeliveryState::kPending);
  CHECK(absl::StrContains(waiting.last_error, "not registered yet"));
  CHECK(esf.Stat("invoices") == "0");
  DeliverAll(outbox, receiver, clock, store);
  const Delivery first = *store.Get(2), second = *store.Get(1);
  REQUIRE(first.state == DeliveryState::kDelivered);
  REQUIRE(second.state == DeliveryState::kDelivered);
  CHECK(esf.Stat("corrections") == "1");
  CHECK(esf.Stat("registrations") == "2");
  // The stand-in holds the correction against the original's registration number.
  httplib::Client c("127.0.0.1", esf.port);
  httplib::Result session =
      c.Post("/esf/v1/sessions", "{\"bin\":\"040340001237\",\"username\":\"k\",\"password\":\"p\"}",
             "application/json");
  REQUIRE(session);
  httplib::Result list =
      c.Get("/esf/v1/invoices?size=10", {{"X-Session-Id", JsonField(session->body, "session_id")}});
  REQUIRE(list);
  CHECK(absl::StrContains(list->body,
                          absl::StrCat("\"related_registration_number\":\"", first.receipt, "\"")));
  // A correction without the registration number is refused by the system.
  httplib::Result bare = c.Post(
      "/esf/v1/invoices",
      {{"X-Session-Id", JsonField(session->body, "session_id")}, {"X-Idempotency-Key", "manual-1"}},
      "<invoice><invoiceType>ADDITIONAL_INVOICE</invoiceType></invoice>", "application/xml");
  REQUIRE(bare);
  CHECK(bare->status == 400);
}

TEST_CASE("benchmark: ESF submissions against the stand-in", "[benchmark]") {
  Standin esf({});
  MemoryStore store;
  FakeSuite suite;
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  const int n = 500;
  QueueDocuments(
      "esf", n, [](int) { return 3; }, store, clock, &suite);
  Outbox outbox(store, clock, RetryPolicy{});
  EsfReceiver receiver(esf.Config(), suite, store);
  const auto start = std::chrono::steady_clock::now();
  DeliverAll(outbox, receiver, clock, store);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "ESF submissions: %d documents in %.2f s = %.0f documents/s (upload + status, "
      "one at a time, stand-in on loopback)\n",
      n, s, n / s);
  CHECK(esf.Stat("registrations") == std::to_string(n));
}

std::string Statement(const std::string& amount) {
  return absl::StrCat(
      "1CClientBankExchange\nРасчСчет=KZ1\nСекцияДокумент=Платежное поручение\nНомер=5\n"
      "Дата=03.11.2026\nСумма=",
      amount,
      "\nПлательщикСчет=KZ2\nПлательщикБИН=040340001237\n"
      "ДатаПоступило=04.11.2026\nНазначениеПлатежа=по договору № TR-0042\nКонецДокумента\n"
      "КонецФайла\n");
}

TEST_CASE("ITSM: one incident per broken file, updated on a second failure, resolved once fixed") {
  Standin itsm({"--fail-every", "4"}, GRIDBILL_ITSM_STANDIN_BIN, "/stats");
  suite::TempDir in;
  MemoryStore store;
  FakeSuite fake;
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  BankFileHandler handler(fake);
  InboundFolder folder("bank", in.path(), handler, store, clock);
  folder.ReportProblems(true);
  Outbox outbox(store, clock, RetryPolicy{});
  ItsmReceiver receiver({absl::StrCat("http://127.0.0.1:", itsm.port), "gridbill", "secret"});
  auto drop = [&](const std::string& text) {
    suite::WriteFile(in.File("statement.txt"), text);
    REQUIRE(folder.Scan().ok());
    REQUIRE(*folder.Scan() == 1);
    DeliverAll(outbox, receiver, clock, store, "itsm");
  };
  drop(Statement("1O0.00"));
  CHECK(itsm.Stat("incidents") == "1");
  CHECK(itsm.Stat("active") == "1");
  drop(Statement("2O0.00"));  // broken again, differently: the same incident, updated
  CHECK(itsm.Stat("incidents") == "1");
  drop(Statement("100.00"));  // fixed: resolved
  CHECK(itsm.Stat("incidents") == "1");
  CHECK(itsm.Stat("active") == "0");
  CHECK(itsm.Stat("resolved") == "1");
  CHECK(itsm.Stat("duplicate_active") == "0");
  // Another file imported without a problem opens and resolves nothing.
  suite::WriteFile(in.File("other.txt"), Statement("7.00"));
  REQUIRE(folder.Scan().ok());
  REQUIRE(*folder.Scan() == 1);
  DeliverAll(outbox, receiver, clock, store, "itsm");
  CHECK(itsm.Stat("incidents") == "1");
}

TEST_CASE("ITSM: each incident once through 503s, time-outs and requests received twice") {
  Standin itsm({"--fail-every", "6", "--slow-every", "11", "--twice-every", "4"},
               GRIDBILL_ITSM_STANDIN_BIN, "/stats");
  MemoryStore store;
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  RetryPolicy policy;
  policy.max_attempts = 20;
  Outbox outbox(store, clock, policy);
  ItsmReceiver receiver(
      {absl::StrCat("http://127.0.0.1:", itsm.port), "gridbill", "secret", absl::Seconds(2)});
  std::vector<Fact> opened;
  for (int i = 1; i <= 40; ++i) {
    opened.push_back(IncidentOpen(absl::StrCat("problem/", i), "1", "broken", "first seen"));
  }
  REQUIRE(*store.AppendFacts("problems", "", opened, clock.Now()) == 40);
  DeliverAll(outbox, receiver, clock, store, "itsm");
  CHECK(itsm.Stat("incidents") == "40");
  CHECK(itsm.Stat("active") == "40");
  // Ten problems change, twenty clear.
  std::vector<Fact> later;
  for (int i = 1; i <= 10; ++i) {
    later.push_back(IncidentOpen(absl::StrCat("problem/", i), "2", "broken", "seen again"));
  }
  for (int i = 21; i <= 40; ++i) {
    later.push_back(IncidentResolve(absl::StrCat("problem/", i), "1", "cleared"));
  }
  REQUIRE(*store.AppendFacts("problems", "", later, clock.Now()) == 30);
  DeliverAll(outbox, receiver, clock, store, "itsm");
  CHECK(itsm.Stat("incidents") == "40");  // no problem has a second incident
  CHECK(itsm.Stat("active") == "20");
  CHECK(itsm.Stat("resolved") == "20");
  CHECK(itsm.Stat("duplicate_active") == "0");
  CHECK(std::stoi(itsm.Stat("work_notes")) >= 10);
  // The faults happened.
  CHECK(std::stoi(itsm.Stat("slow")) > 0);
  CHECK(std::stoi(itsm.Stat("twice")) > 0);
  CHECK(std::stoi(itsm.Stat("replays")) > 0);
  CheckAllDelivered(store);
}

TEST_CASE("ECM over CMIS: every document archived once through 503s, time-outs, twice") {
  Standin cmis({"--fail-every", "7", "--slow-every", "13", "--twice-every", "5"},
               GRIDBILL_CMIS_STANDIN_BIN, "/stats");
  MemoryStore store;
  FakeSuite suite;
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  // Every third an ESF (archived as XML).
  QueueDocuments(
      "ecm", 30, [](int i) { return i % 3 == 0 ? 3 : 1; }, store, clock, &suite);
  RetryPolicy policy;
  policy.max_attempts = 20;
  Outbox outbox(store, clock, policy);
  CmisArchiveReceiver receiver(
      {absl::StrCat("http://127.0.0.1:", cmis.port, "/cmis/browser/gridbill"), "gridbill", "secret",
       absl::Seconds(2)},
      suite);
  DeliverAll(outbox, receiver, clock, store, "ecm");
  CHECK(cmis.Stat("documents") == "30");
  CHECK(cmis.Stat("bad_hashes") == "0");
  CHECK(cmis.Stat("folders") == "31");  // the period and one per document
  CHECK(std::stoi(cmis.Stat("slow")) > 0);
  CHECK(std::stoi(cmis.Stat("twice")) > 0);
  CheckAllDelivered(store);
  // A redelivery (the outbox never heard the answer) creates nothing.
  const Delivery first = *store.Get(1);
  CHECK(absl::StrContains(receiver.Send(first).detail, "already present"));
  CHECK(cmis.Stat("documents") == "30");
  // The archived ESF is its XML, the others their PDF (read past the 503s).
  httplib::Client c("127.0.0.1", cmis.port);
  c.set_basic_auth("gridbill", "secret");
  auto read = [&](const std::string& path) {
    for (int i = 0; i < 5; ++i) {
      httplib::Result r = c.Get(("/cmis/browser/gridbill/root/2026-10/" + path).c_str());
      if (r && r->status != 503) return r->body;
    }
    return std::string("unavailable");
  };
  CHECK(read("INV-2026-3/document.xml?cmisselector=content") == *suite.DocumentXml("doc-3"));
  CHECK(absl::StrContains(read("INV-2026-1/document.pdf?cmisselector=object"),
                          "\"gridbill:retentionClass\":\"accounting-5y\""));
}

// The integrity check over the CMIS archive: every archived document's
// content read back and hashed against its gridbill:sha256 and invoicing's,
// through 503s; a document changed in the ECM is reported, and so is one
// whose archived copy is no longer what invoicing holds.
TEST_CASE("ECM over CMIS: the integrity check reads every document back and names a tampered one") {
  Standin cmis({"--fail-every", "5"}, GRIDBILL_CMIS_STANDIN_BIN, "/stats");
  MemoryStore store;
  FakeSuite suite;
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  // Over a page of children (100).
  QueueDocuments(
      "ecm", 120, [](int i) { return i % 3 == 0 ? 3 : 1; }, store, clock, &suite);
  RetryPolicy policy;
  policy.max_attempts = 20;
  Outbox outbox(store, clock, policy);
  const CmisConfig config{absl::StrCat("http://127.0.0.1:", cmis.port, "/cmis/browser/gridbill"),
                          "gridbill", "secret", absl::Seconds(2)};
  CmisArchiveReceiver receiver(config, suite);
  DeliverAll(outbox, receiver, clock, store, "ecm");
  REQUIRE(cmis.Stat("documents") == "120");

  int checked = 0;
  absl::StatusOr<std::vector<IntegrityFinding>> found = CheckCmisArchive(config, suite, &checked);
  REQUIRE(found.ok());
  CHECK(found->empty());
  CHECK(checked == 120);

  // Someone replaces INV-2026-7's PDF in the ECM (CMIS setContent).
  httplib::Client c("127.0.0.1", cmis.port);
  c.set_basic_auth("gridbill", "secret");
  int status = 0;
  for (int i = 0; i < 5 && status != 200; ++i) {
    httplib::Result r =
        c.Post("/cmis/browser/gridbill/root/2026-10/INV-2026-7/document.pdf",
               httplib::MultipartFormDataItems{
                   {"cmisaction", "setContent", "", ""},
                   {"content", "%PDF-1.4 forged", "document.pdf", "application/pdf"}});
    status = r ? r->status : -1;
  }
  REQUIRE(status == 200);
  // And invoicing's ESF of doc-9 is no longer the archived one.
  suite.documents[8].customer_bin = "990340001234";

  found = CheckCmisArchive(config, suite, &checked);
  REQUIRE(found.ok());
  CHECK(checked == 120);
  REQUIRE(found->size() == 2);
  std::map<std::string, std::string> by_number;
  for (const IntegrityFinding& f : *found) by_number[f.document_number] = f.reason;
  CHECK(by_number["INV-2026-7"] == "document.pdf does not hash to its gridbill:sha256");
  CHECK(absl::StartsWith(by_number["INV-2026-9"], "invoicing holds sha256 "));

  // An archive that cannot be read is an error, not an empty finding list.
  const CmisConfig nowhere{absl::StrCat("http://127.0.0.1:", suite::FreePort(), "/cmis/browser/x"),
                           "gridbill", "secret", absl::Seconds(1)};
  CHECK(CheckCmisArchive(nowhere, suite, &checked).status().code() ==
        absl::StatusCode::kUnavailable);
}

// ERP: the stand-in takes what the outbox folder receives, checks every
// manifest against its CSV and counts each key once; a key written again is
// a duplicate, a CSV changed after its manifest a rejection with the reason.
TEST_CASE("ERP: every document received once by the ERP stand-in, its manifest checked") {
  suite::TempDir out;
  Standin erp({"--dir", out.path(), "--scan-ms", "50", "--twice-every", "8"},
              GRIDBILL_ERP_STANDIN_BIN, "/stats");
  MemoryStore store;
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  int64_t total = 0;
  // Every fifth a credit note.
  for (const DocumentFact& d : QueueDocuments(
           "erp", 25, [](int i) { return i % 5 == 0 ? 4 : 1; }, store, clock)) {
    total += d.total_tiyn;
  }
  Outbox outbox(store, clock, RetryPolicy());
  ErpFolderReceiver receiver(out.path());
  DeliverAll(outbox, receiver, clock, store, "erp");
  auto settled = [&](const std::string& name, const std::string& want) {
    for (int i = 0; i < 100 && erp.Stat(name) != want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return erp.Stat(name);
  };
  CHECK(settled("deliveries", "25") == "25");
  CHECK(erp.Stat("rejected") == "0");
  CHECK(erp.Stat("rows") == "25");
  CHECK(erp.Stat("total_tiyn") == std::to_string(total));
  // The fault mode read some manifests twice: duplicates, not deliveries.
  CHECK(std::stoi(erp.Stat("twice")) > 0);
  CHECK(erp.Stat("duplicates") == erp.Stat("twice"));

  // Files put in place as the receiver does: written aside, then renamed.
  auto place = [](const std::string& path, const std::string& text) {
    suite::WriteFile(path + ".part", text);
    std::filesystem::rename(path + ".part", path);
  };
  // A manifest of a key already received, under another name: a duplicate.
  const std::string base = out.path() + "/2026-10/invoice-INV-2026-1";
  place(out.path() + "/2026-10/again.csv", suite::ReadFile(base + ".csv"));
  std::string manifest = suite::ReadFile(base + ".manifest");
  absl::StrReplaceAll({{"file=invoice-INV-2026-1.csv", "file=again.csv"}}, &manifest);
  const int duplicates = std::stoi(erp.Stat("duplicates"));
  place(out.path() + "/2026-10/again.manifest", manifest);
  CHECK(settled("duplicates", std::to_string(duplicates + 1)) == std::to_string(duplicates + 1));
  CHECK(erp.Stat("deliveries") == "25");

  // A CSV whose total does not match its manifest: rejected, with the reason.
  std::string forged = manifest;
  absl::StrReplaceAll(
      {{"file=again.csv", "file=forged.csv"}, {"idempotency_key=", "idempotency_key=forged-"}},
      &forged);
  std::string csv = suite::ReadFile(base + ".csv");
  absl::StrReplaceAll({{"1160.00", "1170.00"}}, &csv);
  place(out.path() + "/2026-10/forged.csv", csv);
  absl::StrReplaceAll({{Sha256Hex(suite::ReadFile(base + ".csv")), Sha256Hex(csv)}}, &forged);
  place(out.path() + "/2026-10/forged.manifest", forged);
  CHECK(settled("rejected", "1") == "1");
  httplib::Client c("127.0.0.1", erp.port);
  httplib::Result r = c.Get("/received");
  REQUIRE(r);
  INFO(r->body);
  CHECK(absl::StrContains(r->body, "forged.csv: total sums to 1170.00, the manifest 1160.00"));
  CHECK(erp.Stat("deliveries") == "25");
}

// ERP entries and the reconciliation per invoice run: a finished run's
// entries file (invoicing's accruals of the run's documents) is received and
// verified by the ERP stand-in like the documents; the service's
// reconciliation of the run matches. With one document refused for good by
// ERP (a file of another document under its name) the delivery is a dead
// letter and the reconciliation names the gap; retried once the name is
// free, it matches.
TEST_CASE("ERP: a run's entries file verified by the stand-in, the run reconciled") {
  suite::TempDir out;
  Standin erp({"--dir", out.path(), "--scan-ms", "50"}, GRIDBILL_ERP_STANDIN_BIN, "/stats");
  MemoryStore store;
  FakeSuite suite;
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  // Run r-10: 12 documents (an invoice of 3 lines and its act each second
  // contract, a credit note every fourth); another run's document aside.
  int64_t gross = 0, rows = 0;
  for (int i = 1; i <= 12; ++i) {
    DocumentFact d = Doc(i, i % 2 == 0 ? 2 : (i % 4 == 1 ? 1 : 4));
    d.invoice_run_id = "r-10";
    d.lines = d.type == 2 ? 0 : 3;
    if (d.type != 2) {
      gross += d.total_tiyn;
      rows += 3;
    }
    suite.documents.push_back(d);
  }
  DocumentFact other = Doc(99);
  other.invoice_run_id = "r-9";
  suite.documents.push_back(other);
  RunFact run;
  run.id = "r-10";
  run.service = "invoicing";
  run.period = "2026-10";
  run.type = "regular";
  run.state = 3;
  run.documents = 12;
  RunFact running = run;
  running.id = "r-11";
  running.state = 2;
  suite.invoice_run_feed = {running, run};

  SECTION("everything delivered: match") {
    REQUIRE(*PumpDocuments(store, suite, {"erp"}, clock.Now()) == 13);
    REQUIRE(*PumpInvoiceRuns(store, suite, clock.Now()) == 1);  // the running one is passed over
    REQUIRE(*PumpInvoiceRuns(store, suite, clock.Now()) == 0);
    Outbox outbox(store, clock, RetryPolicy());
    ErpFolderReceiver receiver(out.path(), &suite);
    DeliverAll(outbox, receiver, clock, store, "erp");
    for (int i = 0; i < 100 && erp.Stat("entries") != "1"; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(erp.Stat("entries") == "1");
    CHECK(erp.Stat("entry_rows") == std::to_string(rows));
    CHECK(erp.Stat("entries_total_tiyn") == std::to_string(gross));
    CHECK(erp.Stat("rejected") == "0");
    const std::string manifest = suite::ReadFile(out.path() + "/2026-10/entries-r-10.manifest");
    CHECK(absl::StrContains(manifest, "idempotency_key=invoice_run.finished/r-10/1\n"));
    CHECK(absl::StrContains(manifest, "source=invoicing-2026-10-accruals.csv\n"));

    absl::StatusOr<paging::PageOf<RunReconciliation>> r =
        ReconcileRuns(store, "", "", paging::Page{.size = 20});
    REQUIRE(r.ok());
    REQUIRE(r->items.size() == 1);
    const RunReconciliation& rec = r->items[0];
    INFO(absl::StrJoin(rec.gaps, "; "));
    CHECK(rec.state == ReconcileState::kMatch);
    CHECK(rec.invoicing.documents == 12);
    CHECK(rec.invoicing.total_tiyn == gross);
    CHECK(rec.documents == rec.invoicing);
    CHECK(rec.entries.rows == rows);
    CHECK(rec.entries.total_tiyn == gross);
    CHECK(rec.gaps.empty());
    // A redelivery of the entries writes nothing new and receipts the same figures.
    absl::StatusOr<std::vector<Delivery>> group = store.ListGroup("erp", "r-10");
    REQUIRE(group.ok());
    for (const Delivery& d : *group) {
      if (d.fact_kind != kInvoiceRunFinished) continue;
      SendResult again = receiver.Send(d);
      CHECK(again.kind == SendResult::Kind::kDelivered);
      CHECK(absl::StrContains(again.detail, absl::StrCat("total_tiyn=", gross)));
    }
  }

  SECTION("a document refused for good by ERP: a dead letter, and the gap reported") {
    // ERP holds another document's file under the name of INV-2026-5 (an invoice).
    std::filesystem::create_directories(out.path() + "/2026-10");
    suite::WriteFile(out.path() + "/2026-10/invoice-INV-2026-5.manifest",
                     "idempotency_key=somebody-else\n");
    REQUIRE(*PumpDocuments(store, suite, {"erp"}, clock.Now()) == 13);
    REQUIRE(*PumpInvoiceRuns(store, suite, clock.Now()) == 1);
    Outbox outbox(store, clock, RetryPolicy());
    ErpFolderReceiver receiver(out.path(), &suite);
    DeliverAll(outbox, receiver, clock, store, "erp");
    DeliveryFilter dead;
    dead.state = DeliveryState::kDead;
    const std::vector<Delivery> letters = store.List(dead, paging::Page())->items;
    REQUIRE(letters.size() == 1);
    CHECK(letters[0].fact_id == "doc-5");

    absl::StatusOr<paging::PageOf<RunReconciliation>> r =
        ReconcileRuns(store, "2026-10", "r-10", paging::Page{.size = 20});
    REQUIRE(r.ok());
    REQUIRE(r->items.size() == 1);
    const RunReconciliation& rec = r->items[0];
    const std::string gaps = absl::StrJoin(rec.gaps, "; ");
    INFO(gaps);
    CHECK(rec.state == ReconcileState::kMismatch);
    CHECK(rec.documents_undelivered == 1);
    CHECK(rec.documents.documents == 11);
    CHECK(rec.documents.total_tiyn == gross - Doc(5).total_tiyn);
    CHECK(rec.entries.total_tiyn == gross);  // the entries file went out whole
    CHECK(absl::StrContains(gaps,
                            "documents: invoicing issued 12, ERP received 11 (0 pending, 1 "
                            "dead or skipped, 0 not read yet)"));
    CHECK(absl::StrContains(
        gaps, absl::StrCat("gross ", Tenge(gross - Doc(5).total_tiyn), " vs ", Tenge(gross))));

    // The name freed in ERP and the dead letter retried: the run matches.
    std::filesystem::remove(out.path() + "/2026-10/invoice-INV-2026-5.manifest");
    REQUIRE(outbox.Retry(letters[0].id).ok());
    DeliverAll(outbox, receiver, clock, store, "erp");
    r = ReconcileRuns(store, "2026-10", "", paging::Page{.size = 20});
    REQUIRE(r.ok());
    REQUIRE(r->items.size() == 1);
    INFO(absl::StrJoin(r->items[0].gaps, "; "));
    CHECK(r->items[0].state == ReconcileState::kMatch);
  }
}

// Incidents of the problem watch: run failed/stuck, overdue applications,
// ESF deadline at risk; each opened once, updated, resolved when it clears.
TEST_CASE("ITSM: runs failed or stuck, overdue applications, ESF deadlines at risk") {
  Standin itsm({}, GRIDBILL_ITSM_STANDIN_BIN, "/stats");
  MemoryStore store;
  FakeSuite suite;
  // 2026-11-17 12:00 in Almaty: three days before the October ESF deadline.
  FakeClock clock(
      absl::FromCivil(absl::CivilSecond(2026, 11, 17, 12, 0, 0), absl::FixedTimeZone(5 * 3600)));
  ProblemOptions options;
  options.stuck_after = absl::Minutes(30);
  options.esf_within_days = 3;
  options.zone = absl::FixedTimeZone(5 * 3600);
  ProblemWatch watch(store, suite, clock, options);
  Outbox outbox(store, clock, RetryPolicy{});
  ItsmReceiver receiver({absl::StrCat("http://127.0.0.1:", itsm.port), "gridbill", "secret"});
  auto pass = [&] {
    REQUIRE(watch.Check().ok());
    DeliverAll(outbox, receiver, clock, store, "itsm");
  };
  auto run = [](std::string id, int state, int64_t done) {
    RunFact r;
    r.id = std::move(id);
    r.service = "balance";
    r.period = "2026-10";
    r.type = "final";
    r.state = state;
    r.done = done;
    r.total = 10;
    r.error = state == 4 ? "metering unavailable" : "";
    return r;
  };

  SECTION("a failed run, failed again, then a run that succeeds") {
    suite.balance_runs = {run("r1", 4, 3)};
    pass();
    CHECK(itsm.Stat("incidents") == "1");
    CHECK(itsm.Stat("active") == "1");
    pass();  // nothing changed: nothing sent
    CHECK(itsm.Stat("work_notes") == "0");
    suite.balance_runs = {run("r2", 4, 5), run("r1", 4, 3)};
    pass();  // another failure of the same period and type: the same incident, a note
    CHECK(itsm.Stat("incidents") == "1");
    CHECK(itsm.Stat("work_notes") == "1");
    suite.runs_error = absl::UnavailableError("balance down");
    CHECK(!watch.Check().ok());  // an unreadable source resolves nothing
    DeliverAll(outbox, receiver, clock, store, "itsm");
    CHECK(itsm.Stat("active") == "1");
    suite.runs_error = absl::OkStatus();
    suite.balance_runs = {run("r3", 3, 10), run("r2", 4, 5), run("r1", 4, 3)};
    pass();
    CHECK(itsm.Stat("active") == "0");
    CHECK(itsm.Stat("resolved") == "1");
    suite.balance_runs = {run("r4", 4, 1), run("r3", 3, 10)};
    pass();  // failing again later: a new incident, the old one stays resolved
    CHECK(itsm.Stat("incidents") == "2");
    CHECK(itsm.Stat("active") == "1");
  }

  SECTION("a run without progress is stuck until it moves") {
    suite.balance_runs = {run("r1", 2, 4)};
    pass();
    clock.Advance(absl::Minutes(20));
    pass();
    CHECK(itsm.Stat("incidents") == "0");  // 20 minutes without progress: not yet
    clock.Advance(absl::Minutes(15));
    REQUIRE(watch.Check().ok());
    DeliverAll(outbox, receiver, clock, store, "itsm");
    CHECK(itsm.Stat("incidents") == "1");
    suite.balance_runs = {run("r1", 2, 5)};
    pass();
    CHECK(itsm.Stat("active") == "0");
  }

  SECTION("overdue applications: one incident, updated as the set changes, resolved") {
    suite.overdue = {{"a1", "APP-2026-0001", "P-1", "2026-11-10"}};
    pass();
    suite.overdue.push_back({"a2", "APP-2026-0002", "P-2", "2026-11-12"});
    pass();
    CHECK(itsm.Stat("incidents") == "1");
    CHECK(itsm.Stat("work_notes") == "1");
    suite.overdue.clear();
    pass();
    CHECK(itsm.Stat("active") == "0");
    CHECK(itsm.Stat("resolved") == "1");
  }

  SECTION("ESF of October not registered three days before the 20th of November") {
    REQUIRE(*store.AppendFacts("feed", "1",
                               {{"esf", "document.issued", "doc-1", "1", Doc(1, 3).Encode()},
                                {"esf", "document.issued", "doc-2", "1", Doc(2, 3).Encode()}},
                               clock.Now()) == 2);
    pass();
    CHECK(itsm.Stat("incidents") == "1");
    CHECK(itsm.Stat("active") == "1");
    // Registered: the problem clears.
    std::vector<Delivery> claimed = *store.ClaimDue("esf", 10, clock.Now(), absl::Minutes(1));
    REQUIRE(claimed.size() == 2);
    for (const Delivery& d : claimed) {
      REQUIRE(*store.EndAttempt(d, DeliveryState::kDelivered, "ESF-1", clock.Now(), clock.Now()));
    }
    pass();
    CHECK(itsm.Stat("active") == "0");
    CHECK(itsm.Stat("incidents") == "1");
  }
  CHECK(itsm.Stat("duplicate_active") == "0");
}

}  // namespace
}  // namespace gridbill::integrations
