// The file adapters: the ERP outbox folder and the document archive (what
// lands on disk, a redelivery that writes nothing twice, the integrity
// check), and the inbound folder rule (.tmp and growing files left alone,
// done/ and rejected/ with the reason, one import per content).
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "documents.h"
#include "dwh.h"
#include "fake_suite.h"
#include "gridbill/base/sha256.h"
#include "gridbill/testing/fake_clock.h"
#include "inbound.h"
#include "memory_store.h"

namespace gridbill::integrations {
namespace {

namespace fs = std::filesystem;
using ::gridbill::testing::FakeClock;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/integrations_test_XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string str(const std::string& sub = "") const { return (path / sub).string(); }
};

Delivery DeliveryOf(const DocumentFact& d) {
  Delivery out;
  out.id = 1;
  out.fact_id = d.id;
  out.idempotency_key = absl::StrCat("document.issued/", d.id, "/1");
  out.payload = d.Encode();
  return out;
}

int Lines(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return 0;
  return static_cast<int>(std::count(text->begin(), text->end(), '\n'));
}

TEST_CASE("ERP outbox: a CSV and its manifest per document, once, whatever the retries") {
  TempDir dir;
  ErpFolderReceiver erp(dir.str());
  const DocumentFact doc = Doc(7);
  SendResult r = erp.Send(DeliveryOf(doc));
  REQUIRE(r.kind == SendResult::Kind::kDelivered);
  const std::string csv = *ReadFile(dir.str("2026-10/invoice-INV-2026-7.csv"));
  CHECK(absl::StrContains(csv,
                          "doc-7,invoice,INV-2026-7,2026-11-01,2026-10,P-1,TR-0042,"
                          "040340001237,\"ТОО \"\"Энергосбыт\"\", Алматы\",,7000.00,1120.00,"
                          "8120.00"));
  const std::string manifest = *ReadFile(dir.str("2026-10/invoice-INV-2026-7.manifest"));
  CHECK(absl::StrContains(manifest, "idempotency_key=document.issued/doc-7/1\n"));
  CHECK(absl::StrContains(manifest, "rows=1\n"));
  CHECK(absl::StrContains(manifest, "total=8120.00\n"));
  CHECK(absl::StrContains(manifest, absl::StrCat("sha256=", Sha256Hex(csv), "\n")));
  // Delivered again (a retry after a crash before the outbox was told): no new write.
  SendResult again = erp.Send(DeliveryOf(doc));
  CHECK(again.kind == SendResult::Kind::kDelivered);
  CHECK(absl::StrContains(again.detail, "already present"));
  CHECK(Lines(dir.str("received.log")) == 1);
  // Nothing half-written is left.
  for (const auto& e : fs::recursive_directory_iterator(dir.path)) {
    CHECK_FALSE(absl::EndsWith(e.path().string(), ".tmp"));
  }
}

TEST_CASE("document archive: PDF, ESF XML, metadata; the integrity check finds a changed PDF") {
  TempDir dir;
  FakeSuite suite;
  DirectoryArchiveReceiver ecm(dir.str(), suite);
  REQUIRE(ecm.Send(DeliveryOf(Doc(1))).kind == SendResult::Kind::kDelivered);
  REQUIRE(ecm.Send(DeliveryOf(Doc(2, 3))).kind == SendResult::Kind::kDelivered);
  CHECK(ReadFile(dir.str("2026-10/INV-2026-2/document.xml")).ok());
  CHECK_FALSE(ReadFile(dir.str("2026-10/INV-2026-1/document.xml")).ok());
  const std::string meta = *ReadFile(dir.str("2026-10/INV-2026-1/metadata.txt"));
  CHECK(absl::StrContains(meta, "retention_class=accounting-5y\n"));
  CHECK(absl::StrContains(meta, "participant_id=P-1\n"));
  int checked = 0;
  CHECK(CheckArchive(dir.str(), suite, &checked)->empty());
  CHECK(checked == 2);
  {
    std::ofstream out(dir.str("2026-10/INV-2026-1/document.pdf"), std::ios::app);
    out << "tampered";
  }
  std::vector<IntegrityFinding> found = *CheckArchive(dir.str(), suite, &checked);
  REQUIRE(found.size() == 1);
  CHECK(found[0].document_number == "INV-2026-1");
}

void Write(const std::string& path, const std::string& text);

TEST_CASE("ERP folder and archive unwritable: retried, then written once") {
  TempDir dir;
  FakeSuite suite;
  ErpFolderReceiver erp(dir.str("erp"));
  DirectoryArchiveReceiver ecm(dir.str("ecm"), suite);
  // The period's folder cannot be made (a file holds its name), as a full
  // or read-only disk would refuse: a retry, nothing half-written.
  fs::create_directories(dir.str("erp"));
  fs::create_directories(dir.str("ecm"));
  Write(dir.str("erp/2026-10"), "x");
  Write(dir.str("ecm/2026-10"), "x");
  const Delivery d = DeliveryOf(Doc(3));
  CHECK(erp.Send(d).kind == SendResult::Kind::kRetry);
  CHECK(ecm.Send(d).kind == SendResult::Kind::kRetry);
  CHECK_FALSE(fs::exists(dir.str("erp/received.log")));
  fs::remove(dir.str("erp/2026-10"));
  fs::remove(dir.str("ecm/2026-10"));
  for (int i = 0; i < 2; ++i) {  // the retry, then the same delivery again
    CHECK(erp.Send(d).kind == SendResult::Kind::kDelivered);
    CHECK(ecm.Send(d).kind == SendResult::Kind::kDelivered);
  }
  CHECK(Lines(dir.str("erp/received.log")) == 1);
  CHECK(ReadFile(dir.str("ecm/2026-10/INV-2026-3/metadata.txt")).ok());
}

std::string OneCStatement(const std::string& amount) {
  return absl::StrCat(
      "1CClientBankExchange\nРасчСчет=KZ1\nСекцияДокумент=Платежное поручение\nНомер=5\n"
      "Дата=03.11.2026\nСумма=",
      amount,
      "\nПлательщикСчет=KZ2\nПлательщикБИН=040340001237\n"
      "ДатаПоступило=04.11.2026\nНазначениеПлатежа=по договору № TR-0042\nКонецДокумента\n"
      "КонецФайла\n");
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

TEST_CASE("bank folder: complete files only, done/ or rejected/ with the reason naming the line") {
  TempDir dir;
  MemoryStore store;
  FakeSuite suite;
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  BankFileHandler handler(suite);
  InboundFolder folder("bank", dir.str(), handler, store, clock);
  Write(dir.str("good.txt"), OneCStatement("100.00"));
  Write(dir.str("bad.txt"), OneCStatement("1O0.00"));
  Write(dir.str("coming.txt.tmp"), OneCStatement("5.00"));
  // First scan: sizes noted, nothing taken (a file may still be growing).
  CHECK(*folder.Scan() == 0);
  CHECK(folder.backlog() == 2);
  CHECK(*folder.Scan() == 2);
  CHECK(fs::exists(dir.str("done/good.txt")));
  CHECK(fs::exists(dir.str("rejected/bad.txt")));
  CHECK(*ReadFile(dir.str("rejected/bad.txt.reason")) ==
        "bad.txt: line 6: Сумма: bad amount \"1O0.00\"\n");
  CHECK(fs::exists(dir.str("coming.txt.tmp")));
  REQUIRE(suite.payment_imports.size() == 1);
  CHECK(suite.payment_imports[0].first ==
        absl::StrCat("bank-", Sha256Hex(OneCStatement("100.00"))));
  CHECK(absl::StrContains(suite.payment_imports[0].second,
                          "1C/KZ2/5/2026-11-03,2026-11-04,040340001237,TR-0042,100.00"));
  // The same statement dropped again: moved to done/, not imported twice.
  Write(dir.str("again.txt"), OneCStatement("100.00"));
  CHECK(*folder.Scan() == 0);
  CHECK(*folder.Scan() == 1);
  CHECK(fs::exists(dir.str("done/again.txt")));
  CHECK(suite.payment_imports.size() == 1);
  // The suite unavailable: the file stays for the next scan.
  suite.payments_error = absl::UnavailableError("gateway unavailable");
  Write(dir.str("later.txt"), OneCStatement("7.00"));
  CHECK(*folder.Scan() == 0);
  CHECK(*folder.Scan() == 0);
  CHECK(fs::exists(dir.str("later.txt")));
  suite.payments_error = absl::OkStatus();
  CHECK(*folder.Scan() == 1);
  CHECK(fs::exists(dir.str("done/later.txt")));
}

TEST_CASE(
    "CMS folder: the file's SHA-256 is the request id; a failed import is rejected with its "
    "error") {
  TempDir dir;
  MemoryStore store;
  FakeSuite suite;
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  CmsFileHandler handler(suite, absl::Seconds(5));
  InboundFolder folder("cms", dir.str(), handler, store, clock);
  const std::string csv =
      "point_code,channel,interval_start,value\nP,1,2026-10-01T00:00:00+05:00,5\n";
  Write(dir.str("day.csv"), csv);
  folder.Scan().IgnoreError();
  CHECK(*folder.Scan() == 1);
  CHECK(suite.metering_imports == std::vector<std::string>{absl::StrCat("cms-", Sha256Hex(csv))});
  suite.import_succeeds = false;
  Write(dir.str("broken.csv"), csv + "X,1,2026-10-01T00:15:00+05:00,5\n");
  folder.Scan().IgnoreError();
  CHECK(*folder.Scan() == 1);
  CHECK(*ReadFile(dir.str("rejected/broken.csv.reason")) == "line 3: unknown point X\n");
}

}  // namespace
}  // namespace gridbill::integrations

namespace gridbill::integrations {
namespace {

TEST_CASE(
    "data warehouse: a partition re-exported is byte-identical; the manifest holds its hash") {
  TempDir a, b;
  DwhPartition p;
  p.table = "documents";
  p.partition = "period=2026-10";
  p.columns = {"document_id", "number", "total"};
  for (int i = 1; i <= 500; ++i) {
    p.rows.push_back(
        {absl::StrCat("doc-", i), absl::StrCat("INV-2026-", i), absl::StrCat(i * 116)});
  }
  p.cursor_from = "";
  p.cursor_to = "c-500";
  absl::StatusOr<DwhWritten> first = ExportPartition(a.str(), p);
  REQUIRE(first.ok());
  CHECK(first->rows == 500);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(1100));  // another second: no time stamp inside
  absl::StatusOr<DwhWritten> second = ExportPartition(b.str(), p);
  REQUIRE(second.ok());
  CHECK(*ReadFile(first->path) == *ReadFile(second->path));
  CHECK(first->sha256 == second->sha256);
  const std::string manifest = *ReadFile(a.str("documents/period=2026-10/manifest.json"));
  CHECK(absl::StrContains(manifest, absl::StrCat("\"sha256\":\"", first->sha256, "\"")));
  CHECK(absl::StrContains(manifest, "\"rows\":500"));
  CHECK(absl::StrContains(manifest, "\"schema_version\":1"));
  // The file is gzip that gunzip reads back to the CSV.
  const std::string gz = *ReadFile(first->path);
  REQUIRE(gz.size() > 10);
  CHECK(static_cast<unsigned char>(gz[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(gz[1]) == 0x8b);
  CHECK(gz.substr(4, 4) == std::string(4, '\0'));  // mtime 0
}

TEST_CASE("data warehouse: the nightly export runs once a day after its time, incrementally") {
  TempDir dir;
  MemoryStore store;
  // 2026-11-02 01:30 in Almaty (UTC+5): before the 02:00 export.
  const absl::TimeZone almaty = absl::FixedTimeZone(5 * 3600);
  FakeClock clock(absl::FromCivil(absl::CivilSecond(2026, 11, 2, 1, 30, 0), almaty));
  DwhNightly nightly(store, clock, DwhSchedule{dir.str(), absl::Hours(2), almaty});
  std::vector<Fact> facts;
  for (int i : {3, 1, 2})
    facts.push_back({"dwh", "document.issued", Doc(i).id, "1", Doc(i).Encode()});
  DocumentFact september = Doc(4);
  september.period = "2026-09";
  facts.push_back({"dwh", "document.issued", september.id, "1", september.Encode()});
  REQUIRE(*store.AppendFacts("invoicing.documents", "4", facts, clock.Now()) == 4);

  CHECK(*nightly.RunIfDue() == 0);  // not yet 02:00
  CHECK(!fs::exists(dir.str("documents")));
  clock.Advance(absl::Minutes(31));
  CHECK(*nightly.RunIfDue() == 4);
  const std::string october = dir.str("documents/date=2026-11-02/period=2026-10/");
  const std::string manifest = *ReadFile(october + "manifest.json");
  CHECK(absl::StrContains(manifest, "\"rows\":3"));
  CHECK(absl::StrContains(manifest, "\"cursor_from\":\"1\""));
  CHECK(absl::StrContains(manifest, "\"cursor_to\":\"3\""));
  CHECK(fs::exists(dir.str("documents/date=2026-11-02/period=2026-09/part-00000.csv.gz")));
  DeliveryFilter pending;
  pending.adapter = "dwh";
  pending.state = DeliveryState::kPending;
  CHECK(store.List(pending, paging::Page())->items.empty());

  // Later the same day: nothing again, even with a new document.
  REQUIRE(*store.AppendFacts("invoicing.documents", "5",
                             {{"dwh", "document.issued", Doc(5).id, "1", Doc(5).Encode()}},
                             clock.Now()) == 1);
  clock.Advance(absl::Hours(10));
  CHECK(*nightly.RunIfDue() == 0);
  // Midnight is not yet the next export; 02:00 is, with only what is new since.
  clock.Advance(absl::Hours(12));
  CHECK(*nightly.RunIfDue() == 0);
  clock.Advance(absl::Hours(2));
  CHECK(*nightly.RunIfDue() == 1);
  const std::string next =
      *ReadFile(dir.str("documents/date=2026-11-03/period=2026-10/manifest.json"));
  CHECK(absl::StrContains(next, "\"rows\":1"));
  CHECK(*nightly.RunIfDue() == 0);
}

TEST_CASE("data warehouse: runs, node balances, readings quality and payments by cursor") {
  TempDir dir;
  MemoryStore store;
  FakeSuite suite;
  const absl::TimeZone almaty = absl::FixedTimeZone(5 * 3600);
  FakeClock clock(absl::FromCivil(absl::CivilSecond(2026, 11, 2, 2, 30, 0), almaty));
  DwhNightly nightly(store, clock, DwhSchedule{dir.str(), absl::Hours(2), almaty}, &suite);
  auto run = [](std::string id, std::string type, int state) {
    RunFact r;
    r.id = std::move(id);
    r.service = "balance";
    r.period = "2026-10";
    r.type = std::move(type);
    r.state = state;
    return r;
  };
  auto payment = [](int n) {
    PaymentFact p;
    p.id = absl::StrCat("pay-", n);
    p.reference = absl::StrCat("REF", n);
    p.value_date = "2026-11-01";
    p.contract_number = "TR-0042";
    p.amount_tiyn = 1000 * n;
    p.unallocated_tiyn = n == 2 ? 500 : 0;
    return p;
  };
  // A final run, a preliminary one (not a fact), a final one still running.
  suite.run_feed = {run("r1", "final", 3), run("r2", "preliminary", 3), run("r3", "final", 2)};
  suite.payment_feed = {payment(2), payment(1)};

  // balance fails half-way: the hours are written, nothing is marked.
  suite.nodes_error = absl::UnavailableError("balance down");
  CHECK_FALSE(nightly.RunIfDue().ok());
  const std::string r1 = "period=2026-10/run=r1/";
  const std::string hours = dir.str("hourly_volumes/" + r1 + "part-00000.csv.gz");
  const std::string written = *ReadFile(hours);
  CHECK(store.Cursor(kDwhRunsFeed)->empty());
  // The next pass writes the same range again: the same bytes.
  suite.nodes_error = absl::OkStatus();
  // 2 hours + 1 node + 2 points x 31 days + 2 payments.
  CHECK(*nightly.RunIfDue() == 2 + 1 + 62 + 2);
  CHECK(*ReadFile(hours) == written);
  CHECK(*store.Cursor(kDwhRunsFeed) == "3");
  CHECK(*store.Cursor(kDwhPaymentsFeed) == "2");
  CHECK_FALSE(fs::exists(dir.str("hourly_volumes/period=2026-10/run=r2")));
  CHECK_FALSE(fs::exists(dir.str("hourly_volumes/period=2026-10/run=r3")));
  const std::string manifest = *ReadFile(dir.str("readings_quality/" + r1 + "manifest.json"));
  CHECK(absl::StrContains(manifest, "\"rows\":62"));
  CHECK(absl::StrContains(manifest, "\"cursor_from\":\"\""));
  CHECK(absl::StrContains(manifest, "\"cursor_to\":\"1\""));
  const std::string paid = *ReadFile(dir.str("payments/date=2026-11-02/manifest.json"));
  CHECK(absl::StrContains(paid, "\"rows\":2"));
  CHECK(absl::StrContains(paid, "\"cursor_to\":\"2\""));

  // The next night: the running run has ended, one payment more; only they.
  suite.run_feed.push_back(run("r3", "final", 3));
  suite.payment_feed.push_back(payment(3));
  clock.Advance(absl::Hours(24));
  CHECK(*nightly.RunIfDue() == 2 + 1 + 62 + 1);
  CHECK(fs::exists(dir.str("node_balances/period=2026-10/run=r3/part-00000.csv.gz")));
  CHECK(absl::StrContains(*ReadFile(dir.str("payments/date=2026-11-03/manifest.json")),
                          "\"rows\":1"));
  CHECK(*nightly.RunIfDue() == 0);
}

}  // namespace
}  // namespace gridbill::integrations
