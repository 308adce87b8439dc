// Pure tests of the ledger: credit notes against the document they correct,
// payments oldest first, credit kept and applied later, aging bucket edges,
// the statement's opening and closing balances.
#include "ledger.h"
#include "absl/strings/str_cat.h"
#include "catch2/catch.hpp"

namespace gridbill::invoicing {
namespace {

Document Doc(const std::string& id, DocType type, absl::CivilDay issued, int64_t total,
             const std::string& related = "") {
  Document d;
  d.id = id;
  d.number = absl::StrCat(DocTypePrefix(type), "-", id);
  d.type = type;
  d.issue_date = issued;
  d.due_date = issued + 20;
  d.total_tiyn = total;
  d.related_id = related;
  d.contract_id = "c";
  return d;
}

Payment Pay(const std::string& ref, absl::CivilDay value, int64_t amount) {
  Payment p;
  p.reference = ref;
  p.value_date = value;
  p.amount_tiyn = amount;
  p.contract_id = "c";
  return p;
}

TEST_CASE("a credit note reduces the invoice it corrects before payments are allocated") {
  const absl::CivilDay d(2026, 2, 3);
  std::vector<Document> docs = {Doc("i1", DocType::kInvoice, d, 1000),
                                Doc("i2", DocType::kInvoice, d + 30, 500),
                                Doc("c1", DocType::kCreditNote, d + 40, -300, "i1")};
  LedgerResult l = Allocate(docs, {Pay("P1", d + 10, 800)});
  CHECK(l.open["i1"] == 0);    // 1000 - 300 credit - 700 paid
  CHECK(l.open["i2"] == 400);  // the payment's last 100 goes to the next oldest
  REQUIRE(l.payments.size() == 1);
  REQUIRE(l.payments[0].allocations.size() == 2);
  CHECK(l.payments[0].allocations[0].amount_tiyn == 700);
  CHECK(l.payments[0].allocations[1].amount_tiyn == 100);
  CHECK(l.charged == 1200);
  CHECK(l.paid == 800);
  CHECK(l.credit == 0);
}

TEST_CASE("a credit note on a paid invoice becomes credit, and credit pays later documents") {
  const absl::CivilDay d(2026, 2, 3);
  std::vector<Document> docs = {Doc("i1", DocType::kInvoice, d, 1000),
                                Doc("c1", DocType::kCreditNote, d + 40, -300, "i1")};
  LedgerResult l = Allocate(docs, {Pay("P1", d + 10, 1000)});
  CHECK(l.open["i1"] == 0);
  CHECK(l.credit == 300);
  docs.push_back(Doc("i2", DocType::kInvoice, d + 60, 250));
  l = Allocate(docs, {Pay("P1", d + 10, 1000)});
  CHECK(l.open["i2"] == 0);  // the credit (here the payment's rest) pays the later invoice
  CHECK(l.credit == 50);
  // As of a day before i2 and the note: only i1 and the payment count.
  l = Allocate(docs, {Pay("P1", d + 10, 1000)}, d + 39);
  CHECK(l.charged == 1000);
  CHECK(l.credit == 0);
  CHECK(l.open.count("i2") == 0);
}

TEST_CASE("aging buckets by days past the due date, edges included") {
  const absl::CivilDay issued(2026, 1, 1);  // due 2026-01-21
  std::vector<Document> docs = {Doc("a", DocType::kInvoice, issued, 1)};
  auto bucket = [&](int days_after_due) {
    LedgerResult l = Allocate(docs, {});
    AgingBuckets b;
    AddAging(docs, l, docs[0].due_date + days_after_due, b);
    return b;
  };
  CHECK(bucket(-1).not_due == 1);
  CHECK(bucket(0).d0_30 == 1);
  CHECK(bucket(30).d0_30 == 1);
  CHECK(bucket(31).d31_60 == 1);
  CHECK(bucket(60).d31_60 == 1);
  CHECK(bucket(61).d61_90 == 1);
  CHECK(bucket(90).d61_90 == 1);
  CHECK(bucket(91).over_90 == 1);
}

TEST_CASE("a statement carries the opening balance and closes with opening + charges - payments") {
  const absl::CivilDay d(2026, 1, 10);
  std::vector<Document> docs = {Doc("i1", DocType::kInvoice, d, 1000),
                                Doc("i2", DocType::kInvoice, d + 31, 2000),
                                Doc("a2", DocType::kAct, d + 31, 2000)};  // acts are not charges
  std::vector<Payment> pays = {Pay("P1", d + 5, 600), Pay("P2", d + 35, 1500)};
  StatementData s = BuildStatement(docs, pays, d + 20, d + 60);
  CHECK(s.opening == 400);
  CHECK(s.charged == 2000);
  CHECK(s.paid == 1500);
  CHECK(s.closing == 900);
  REQUIRE(s.lines.size() == 2);
  CHECK(s.lines[0].reference == "INV-i2");
  CHECK(s.lines[1].reference == "P2");
}

}  // namespace
}  // namespace gridbill::invoicing
