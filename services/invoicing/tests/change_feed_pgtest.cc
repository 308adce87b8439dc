// The change feeds of ListDocuments, ListPayments and ListInvoiceRuns
// (changes_after) against real PostgreSQL through the gRPC edge: everything
// once, then only what changed, paged, bound to the list and its filters,
// scoped to a participant, and never skipping a transaction that commits
// after a later one.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "invoicing_harness.h"
#include "pg_test_util.h"

namespace gridbill::invoicing::testing {
namespace {

using DS = v1::DocumentService::Stub;
using PS = v1::PaymentService::Stub;
using RS = v1::InvoiceRunService::Stub;
using pg::testing::RawConnection;

constexpr auto kTransmission = cv1::SERVICE_TYPE_TRANSMISSION;

Who UserOf(const std::string& participant_id) {
  return Who{"user@participant.kz", "ROLE_PARTICIPANT_USER", participant_id};
}

// One call of a feed after `cursor`: the ids returned, in order; `cursor`
// moves to the answer's change_cursor (the same one back when none).
template <typename Stub, typename Req, typename Resp, typename IdsFn>
std::vector<std::string> Feed(Harness& h, Stub& stub,
                              grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                              IdsFn ids_of, std::string* cursor, int page_size = 0,
                              const Who& who = Accountant(), Req req = {}) {
  req.mutable_changes_after()->set_cursor(*cursor);
  req.set_page_size(page_size);
  Resp resp;
  REQUIRE_OK(h.Call(stub, method, req, &resp, who));
  std::vector<std::string> ids = ids_of(resp);
  if (page_size > 0) REQUIRE(ids.size() <= static_cast<size_t>(page_size));
  if (ids.empty()) REQUIRE(resp.change_cursor() == *cursor);
  *cursor = resp.change_cursor();
  return ids;
}

std::vector<std::string> DocumentFeed(Harness& h, std::string* cursor, int page_size = 0,
                                      const Who& who = Accountant()) {
  return Feed(
      h, *h.document_stub, &DS::ListDocuments,
      [](const v1::ListDocumentsResponse& r) {
        std::vector<std::string> ids;
        for (const auto& d : r.documents()) ids.push_back(d.number());
        return ids;
      },
      cursor, page_size, who);
}

std::vector<std::string> PaymentFeed(Harness& h, std::string* cursor,
                                     const Who& who = Accountant()) {
  return Feed(
      h, *h.payment_stub, &PS::ListPayments,
      [](const v1::ListPaymentsResponse& r) {
        std::vector<std::string> ids;
        for (const auto& p : r.payments()) {
          ids.push_back(absl::StrCat(p.reference(), " allocated to ", p.allocations_size()));
        }
        return ids;
      },
      cursor, 0, who);
}

std::vector<std::string> RunFeed(Harness& h, std::string* cursor) {
  return Feed(
      h, *h.run_stub, &RS::ListInvoiceRuns,
      [](const v1::ListInvoiceRunsResponse& r) {
        std::vector<std::string> ids;
        for (const auto& run : r.runs()) {
          ids.push_back(
              absl::StrCat(run.job().id(), " ", common::v1::JobState_Name(run.job().state())));
        }
        return ids;
      },
      cursor);
}

// What `read` returns until `want` items came (or 20 s passed): a feed holds
// a row back while any older transaction on the server is still open (an
// autovacuum's analyze included), so a test reads on until it is caught up.
template <typename ReadFn>
std::vector<std::string> Collect(size_t want, ReadFn read) {
  std::vector<std::string> all;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (all.size() < want && absl::Now() < deadline) {
    std::vector<std::string> got = read();
    all.insert(all.end(), got.begin(), got.end());
    if (got.empty()) absl::SleepFor(absl::Milliseconds(50));
  }
  return all;
}

void ImportPayment(Harness& h, const std::string& reference, const std::string& bin,
                   const std::string& contract_number, const std::string& amount) {
  v1::ImportPaymentsRequest req;
  req.set_request_id(NewRequestId());
  req.set_csv(absl::StrCat("reference,value_date,payer_bin,contract_number,amount\n", reference,
                           ",2026-02-20,", bin, ",", contract_number, ",", amount, "\n"));
  v1::ImportPaymentsResponse resp;
  REQUIRE_OK(h.Call(*h.payment_stub, &PS::ImportPayments, req, &resp));
  REQUIRE(resp.created() == 1);
}

TEST_CASE("documents, payments and invoice runs feeds: everything once, then only what changed") {
  Harness h;
  cv1::Participant p = h.CreateParticipant(5, "ТОО «Маңғыстау Су»");
  cv1::Participant other = h.CreateParticipant(6, "ТОО «Басқа»");
  h.CreateContract(p.id(), "TR-0005", kTransmission);
  h.CreateContract(other.id(), "TR-0006", kTransmission);
  h.volumes.AddRun(Period(2026, 1), "b-01", BalanceRunType::kFinal);
  h.volumes.Set("b-01", p.id(), Service::kTransmission, 10'000'000);
  h.volumes.Set("b-01", other.id(), Service::kTransmission, 10'000'000);
  h.volumes.AddRun(Period(2026, 2), "b-02", BalanceRunType::kFinal);
  h.volumes.Set("b-02", p.id(), Service::kTransmission, 20'000'000);
  h.clock.Set(Local(2026, 2, 3));
  const v1::InvoiceRun january = h.RunInvoicing(2026, 1);
  REQUIRE(january.documents_issued() == 6);

  std::string docs, pays, runs;
  const std::string january_done = january.job().id() + " JOB_STATE_SUCCEEDED";
  CHECK(Collect(6, [&] { return DocumentFeed(h, &docs); }).size() == 6);
  CHECK(DocumentFeed(h, &docs).empty());
  CHECK(Collect(1, [&] { return RunFeed(h, &runs); }) == std::vector<std::string>{january_done});
  CHECK(RunFeed(h, &runs).empty());
  CHECK(PaymentFeed(h, &pays).empty());
  CHECK(pays.empty());  // nothing yet: the empty cursor back

  // A new run: only its documents and itself, finished.
  h.clock.Set(Local(2026, 3, 3));
  const v1::InvoiceRun february = h.RunInvoicing(2026, 2);
  REQUIRE(february.documents_issued() == 3);
  std::vector<std::string> new_docs = Collect(3, [&] { return DocumentFeed(h, &docs); });
  CHECK(new_docs.size() == 3);
  for (const auto& d : h.Documents("")) {
    const bool is_new = std::find(new_docs.begin(), new_docs.end(), d.number()) != new_docs.end();
    CHECK(is_new == (d.period().month() == 2));
  }
  CHECK(DocumentFeed(h, &docs).empty());
  CHECK(Collect(1, [&] { return RunFeed(h, &runs); }) ==
        std::vector<std::string>{february.job().id() + " JOB_STATE_SUCCEEDED"});
  CHECK(RunFeed(h, &runs).empty());

  // A payment, with its allocation.
  ImportPayment(h, "PAY-1", p.bin(), "TR-0005", "40000.00");
  // January in full, part of February.
  CHECK(Collect(1, [&] { return PaymentFeed(h, &pays); }) ==
        std::vector<std::string>{"PAY-1 allocated to 2"});
  CHECK(PaymentFeed(h, &pays).empty());
  // Their open amounts changed: the contract's two invoices are listed
  // again (nothing else), with the open amounts after the payment.
  std::vector<std::string> paid_invoices;
  for (const auto& d : h.Documents("", v1::DOCUMENT_TYPE_INVOICE)) {
    if (d.contract_number() == "TR-0005") paid_invoices.push_back(d.number());
  }
  REQUIRE(paid_invoices.size() == 2);
  std::vector<std::string> relisted = Collect(2, [&] { return DocumentFeed(h, &docs); });
  std::sort(relisted.begin(), relisted.end());
  std::sort(paid_invoices.begin(), paid_invoices.end());
  CHECK(relisted == paid_invoices);
  CHECK(DocumentFeed(h, &docs).empty());

  // A job's state or summary is a change of its run; a claim is not.
  RawConnection raw(h.db.conninfo());
  raw.Run(absl::StrCat("UPDATE jobs SET claimed_at = now() WHERE id = '", january.job().id(), "'"));
  CHECK(RunFeed(h, &runs).empty());
  raw.Run(absl::StrCat("UPDATE jobs SET summary = summary || '.' WHERE id = '", january.job().id(),
                       "'"));
  CHECK(Collect(1, [&] { return RunFeed(h, &runs); }) == std::vector<std::string>{january_done});

  SECTION("paged by page_size, every document once") {
    std::string cursor;
    std::vector<std::string> all = Collect(9, [&] { return DocumentFeed(h, &cursor, 4); });
    CHECK(all.size() == 9);
    CHECK(std::set<std::string>(all.begin(), all.end()).size() == 9);
    CHECK(DocumentFeed(h, &cursor, 4).empty());
    // Oldest change first: January's documents, then February's, then the
    // two invoices PAY-1 paid (their change is the payment).
    std::map<std::string, int> month_of;
    for (const auto& d : h.Documents("")) month_of[d.number()] = d.period().month();
    std::vector<int> months;
    for (const std::string& number : all) months.push_back(month_of[number]);
    std::sort(months.begin() + 7, months.end());
    CHECK(months == std::vector<int>{1, 1, 1, 1, 1, 2, 2, 1, 2});
  }

  SECTION("a participant's user follows its own documents and payments only") {
    std::string mine;
    CHECK(Collect(6, [&] { return DocumentFeed(h, &mine, 0, UserOf(p.id())); }).size() == 6);
    CHECK(DocumentFeed(h, &mine, 0, UserOf(p.id())).empty());
    std::string theirs;
    CHECK(Collect(3, [&] { return DocumentFeed(h, &theirs, 0, UserOf(other.id())); }).size() == 3);
    CHECK(DocumentFeed(h, &theirs, 0, UserOf(other.id())).empty());
    std::string their_pays;
    CHECK(PaymentFeed(h, &their_pays, UserOf(other.id())).empty());
    v1::ListDocumentsRequest req;
    req.set_participant_id(p.id());
    req.mutable_changes_after();
    v1::ListDocumentsResponse resp;
    REQUIRE_GRPC(h.Call(*h.document_stub, &DS::ListDocuments, req, &resp, UserOf(other.id())),
                 grpc::StatusCode::PERMISSION_DENIED, "participant_id");
  }

  SECTION("an edited cursor, or one of another list or other filters, is refused") {
    auto documents_after = [&](const std::string& cursor, v1::ListDocumentsRequest req = {}) {
      req.mutable_changes_after()->set_cursor(cursor);
      v1::ListDocumentsResponse resp;
      return h.Call(*h.document_stub, &DS::ListDocuments, req, &resp);
    };
    REQUIRE_OK(documents_after(docs));
    std::string edited = docs;
    edited[3] = edited[3] == 'x' ? 'y' : 'x';
    REQUIRE_GRPC(documents_after(edited), grpc::StatusCode::INVALID_ARGUMENT,
                 "changes_after.cursor");
    v1::ListDocumentsRequest invoices;
    invoices.set_type(v1::DOCUMENT_TYPE_INVOICE);
    REQUIRE_GRPC(documents_after(docs, invoices), grpc::StatusCode::INVALID_ARGUMENT,
                 "changes_after.cursor");
    REQUIRE_GRPC(documents_after(pays), grpc::StatusCode::INVALID_ARGUMENT, "changes_after.cursor");
  }
}

TEST_CASE("a payment committed after a later one is not skipped by the payments feed") {
  Harness h;
  cv1::Participant p = h.CreateParticipant(5, "ТОО «Маңғыстау Су»");
  cv1::Contract c = h.CreateContract(p.id(), "TR-0005", kTransmission);
  ImportPayment(h, "PAY-0", p.bin(), "TR-0005", "10.00");
  std::string cursor;
  REQUIRE(Collect(1, [&] { return PaymentFeed(h, &cursor); }) ==
          std::vector<std::string>{"PAY-0 allocated to 0"});

  auto insert = [&](RawConnection& conn, const std::string& reference) {
    conn.Run(
        absl::StrCat("INSERT INTO payments (id, reference, value_date, payer_bin, contract_id, "
                     "contract_number, participant_id, amount_tiyn, created_at) VALUES ('",
                     reference, "', '", reference, "', '2026-02-21', '", p.bin(), "', '", c.id(),
                     "', 'TR-0005', '", p.id(), "', 100, now())"));
  };
  RawConnection first(h.db.conninfo());
  RawConnection second(h.db.conninfo());
  first.Run("BEGIN");
  insert(first, "PAY-A");  // the earlier position
  second.Run("BEGIN");
  insert(second, "PAY-B");
  second.Run("COMMIT");
  CHECK(PaymentFeed(h, &cursor).empty());  // PAY-B waits for the older transaction
  first.Run("COMMIT");
  CHECK(Collect(2, [&] { return PaymentFeed(h, &cursor); }) ==
        std::vector<std::string>{"PAY-A allocated to 0", "PAY-B allocated to 0"});
  CHECK(PaymentFeed(h, &cursor).empty());
}

}  // namespace
}  // namespace gridbill::invoicing::testing
