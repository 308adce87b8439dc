// The integrations store and gRPC edge on a real PostgreSQL: every method x
// role as its access option says; facts stored once with their cursor, due
// deliveries claimed once between two workers, dead letters listed, retried
// and skipped through the API (idempotent by request id), adapter status.
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "adapters.h"
#include "documents.h"
#include "erp.h"
#include "every_method.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/testing/fake_clock.h"
#include "gridbill/testing/service_harness.h"
#include "integrations_service.h"
#include "pg_store.h"

namespace gridbill::integrations {
namespace {

using ::gridbill::testing::Call;
using ::gridbill::testing::FakeClock;
using ::gridbill::testing::ServiceHarness;
using ::gridbill::testing::Who;

const absl::Time kStart = absl::FromUnixSeconds(1790000000);

struct Fixture {
  ServiceHarness base{GRIDBILL_INTEGRATIONS_MIGRATIONS_DIR};
  FakeClock clock{kStart};
  PgStore store{base.pool()};
  pg::PgIdempotency idempotency{base.pool()};
  Adapters adapters{store, nullptr, clock, Policy(), absl::Seconds(1)};
  IntegrationsServiceImpl service{store, adapters, idempotency, clock, absl::UTCTimeZone()};
  std::unique_ptr<v1::IntegrationsService::Stub> stub;

  static RetryPolicy Policy() {
    RetryPolicy p;
    p.max_attempts = 2;
    p.first_delay = absl::Seconds(1);
    return p;
  }
  Fixture() {
    base.Start({&service});
    stub = v1::IntegrationsService::NewStub(base.channel());
  }
};

class Refusing final : public Receiver {
 public:
  SendResult Send(const Delivery&) override { return SendResult::Retry("connection refused"); }
};

std::vector<Fact> Facts(const std::string& adapter, int from, int to) {
  std::vector<Fact> out;
  for (int i = from; i < to; ++i) {
    out.push_back({adapter, "document.issued", absl::StrCat("doc-", i), "1", "payload"});
  }
  return out;
}

TEST_CASE("every method x every role, as the access options say") {
  Fixture f;
  const auto services = access_testing::ServicesOf(*v1::Delivery::descriptor());
  REQUIRE(services.size() == 1);
  CHECK(access_testing::CheckEveryMethodAndRole(f.base.channel(), services) == 6 * 8);
  CHECK(f.base.CountRows("deliveries") == 0);
}

TEST_CASE("facts are stored once per adapter and key, with the feed's cursor") {
  Fixture f;
  CHECK(*f.store.Cursor("invoicing.documents") == "");
  CHECK(*f.store.AppendFacts("invoicing.documents", "c-10", Facts("erp", 0, 10), kStart) == 10);
  CHECK(*f.store.Cursor("invoicing.documents") == "c-10");
  // The same facts again (a feed re-read), and for a second adapter.
  CHECK(*f.store.AppendFacts("invoicing.documents", "c-12", Facts("erp", 5, 12), kStart) == 2);
  CHECK(*f.store.AppendFacts("invoicing.documents", "c-12", Facts("ecm", 0, 3), kStart) == 3);
  CHECK(f.base.CountRows("deliveries") == 15);
  CHECK(f.base.QueryInt("SELECT count(DISTINCT idempotency_key) FROM deliveries") == 12);
}

TEST_CASE("two workers claiming at once get disjoint deliveries; an expired claim is taken over") {
  Fixture f;
  REQUIRE(*f.store.AppendFacts("feed", "1", Facts("erp", 0, 200), kStart) == 200);
  absl::Mutex mu;
  std::multiset<int64_t> claimed;
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&] {
      for (;;) {
        absl::StatusOr<std::vector<Delivery>> got =
            f.store.ClaimDue("erp", 7, kStart, absl::Seconds(30));
        if (!got.ok() || got->empty()) return;
        absl::MutexLock l(&mu);
        for (const Delivery& d : *got) claimed.insert(d.id);
      }
    });
  }
  for (std::thread& t : workers) t.join();
  CHECK(claimed.size() == 200);
  CHECK(std::set<int64_t>(claimed.begin(), claimed.end()).size() == 200);
  // After the lease, the (never ended) claims are taken over, with a new epoch.
  std::vector<Delivery> again =
      *f.store.ClaimDue("erp", 500, kStart + absl::Seconds(30), absl::Seconds(30));
  CHECK(again.size() == 200);
  CHECK(again[0].claim_epoch == 2);
}

TEST_CASE("dead letters through the API: listed, retried, skipped; replays by request id") {
  Fixture f;
  REQUIRE(*f.store.AppendFacts("feed", "1", Facts("esf", 0, 3), kStart) == 3);
  Refusing esf;
  CHECK(*f.adapters.outbox().DeliverDue("esf", esf, 10) == 3);
  f.clock.Advance(absl::Seconds(1));
  CHECK(*f.adapters.outbox().DeliverDue("esf", esf, 10) == 3);

  v1::ListDeliveriesRequest list;
  list.set_state(v1::DELIVERY_STATE_DEAD);
  list.set_page_size(2);
  v1::ListDeliveriesResponse page;
  REQUIRE_OK(Call(*f.stub, &v1::IntegrationsService::Stub::ListDeliveries, list, &page));
  REQUIRE(page.deliveries_size() == 2);
  CHECK(page.deliveries(0).last_error() == "connection refused (2 attempts)");
  CHECK(page.deliveries(0).idempotency_key() == "document.issued/doc-0/1");
  REQUIRE_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  REQUIRE_OK(Call(*f.stub, &v1::IntegrationsService::Stub::ListDeliveries, list, &page));
  CHECK(page.deliveries_size() == 1);
  CHECK(page.next_page_token().empty());

  v1::RetryDeliveryRequest retry;
  retry.set_request_id("r-1");
  retry.set_delivery_id("1");
  v1::RetryDeliveryResponse retried;
  REQUIRE_OK(Call(*f.stub, &v1::IntegrationsService::Stub::RetryDelivery, retry, &retried));
  CHECK(retried.delivery().state() == v1::DELIVERY_STATE_PENDING);
  CHECK(retried.delivery().attempts() == 0);
  // The same request again replays the answer; a new one is refused (not dead).
  REQUIRE_OK(Call(*f.stub, &v1::IntegrationsService::Stub::RetryDelivery, retry, &retried));
  retry.set_request_id("r-2");
  REQUIRE_GRPC(Call(*f.stub, &v1::IntegrationsService::Stub::RetryDelivery, retry, &retried),
               grpc::StatusCode::FAILED_PRECONDITION, "delivery 1 is pending, not a dead letter");

  v1::SkipDeliveryRequest skip;
  skip.set_request_id("s-1");
  skip.set_delivery_id("2");
  v1::SkipDeliveryResponse skipped;
  REQUIRE_GRPC(Call(*f.stub, &v1::IntegrationsService::Stub::SkipDelivery, skip, &skipped),
               grpc::StatusCode::INVALID_ARGUMENT, "reason");
  skip.set_request_id("s-2");
  skip.set_reason("registered by hand in the ESF portal");
  REQUIRE_OK(Call(*f.stub, &v1::IntegrationsService::Stub::SkipDelivery, skip, &skipped));
  CHECK(skipped.delivery().state() == v1::DELIVERY_STATE_SKIPPED);
  CHECK(skipped.delivery().last_error() ==
        "registered by hand in the ESF portal (operator@kegoc.kz)");
  skip.set_request_id("s-3");
  skip.set_delivery_id("x");
  REQUIRE_GRPC(Call(*f.stub, &v1::IntegrationsService::Stub::SkipDelivery, skip, &skipped),
               grpc::StatusCode::INVALID_ARGUMENT, "delivery_id");

  v1::ListAdaptersResponse adapters;
  REQUIRE_OK(Call(*f.stub, &v1::IntegrationsService::Stub::ListAdapters, v1::ListAdaptersRequest(),
                  &adapters));
  REQUIRE(adapters.adapters_size() == 1);
  CHECK(adapters.adapters(0).name() == "esf");
  CHECK(adapters.adapters(0).backlog() == 1);
  CHECK(adapters.adapters(0).dead_letters() == 1);
  CHECK(adapters.adapters(0).last_error() == "connection refused (2 attempts)");
}

// A receiver that delivers everything but one fact, which it refuses for good.
class RefusingOne final : public Receiver {
 public:
  explicit RefusingOne(std::string fact_id) : fact_id_(std::move(fact_id)) {}
  SendResult Send(const Delivery& d) override {
    if (d.fact_id == fact_id_) return SendResult::Permanent("the name is taken in ERP");
    if (d.fact_kind == kInvoiceRunFinished) {
      return SendResult::Delivered("entries.csv rows=2 amount_tiyn=300 vat_tiyn=48 total_tiyn=348");
    }
    return SendResult::Delivered("doc.csv");
  }

 private:
  std::string fact_id_;
};

TEST_CASE("ListReconciliations: per run, what invoicing reported against what ERP received") {
  Fixture f;
  // Run r-1 of 2026-10: two invoices (100 + 200 net, one line each) and an
  // act; the ERP refuses the second invoice.
  std::vector<Fact> facts;
  for (int i = 1; i <= 3; ++i) {
    DocumentFact d;
    d.id = absl::StrCat("doc-", i);
    d.type = i == 3 ? 2 : 1;
    d.number = absl::StrCat("N-", i);
    d.period = "2026-10";
    d.lines = i == 3 ? 0 : 1;
    d.amount_tiyn = i == 3 ? 0 : 100 * i;
    d.vat_tiyn = i == 3 ? 0 : 16 * i;
    d.total_tiyn = d.amount_tiyn + d.vat_tiyn;
    d.invoice_run_id = "r-1";
    facts.push_back({"erp", kDocumentIssued, d.id, "1", d.Encode(), "r-1"});
  }
  RunFinishedFact run{"r-1", "2026-10", "regular", 3, {3, 2, 300, 48, 348}};
  facts.push_back({"erp", kInvoiceRunFinished, "r-1", "1", run.Encode(), "r-1"});
  REQUIRE(*f.store.AppendFacts("feed", "1", facts, kStart) == 4);
  RefusingOne receiver("doc-2");
  REQUIRE(*f.adapters.outbox().DeliverDue("erp", receiver, 10) == 4);

  v1::ListReconciliationsRequest req;
  req.mutable_period()->set_year(2026);
  req.mutable_period()->set_month(10);
  v1::ListReconciliationsResponse resp;
  REQUIRE_OK(Call(*f.stub, &v1::IntegrationsService::Stub::ListReconciliations, req, &resp,
                  Who{"auditor@kegoc.kz", "ROLE_AUDITOR", ""}));
  REQUIRE(resp.reconciliations_size() == 1);
  const v1::Reconciliation& r = resp.reconciliations(0);
  CHECK(r.invoice_run_id() == "r-1");
  CHECK(r.period().month() == 10);
  CHECK(r.state() == v1::RECONCILIATION_STATE_MISMATCH);
  CHECK(r.invoicing().documents() == 3);
  CHECK(r.invoicing().total_tiyn() == 348);
  CHECK(r.erp_documents().documents() == 2);
  CHECK(r.erp_documents().total_tiyn() == 116);
  CHECK(r.erp_entries().entry_rows() == 2);
  CHECK(r.erp_entries().total_tiyn() == 348);
  CHECK(r.documents_undelivered() == 1);
  CHECK(r.entries_delivery().state() == v1::DELIVERY_STATE_DELIVERED);
  REQUIRE(r.gaps_size() == 2);
  CHECK(r.gaps(0) ==
        "documents: invoicing issued 3, ERP received 2 (0 pending, 1 dead or skipped, "
        "0 not read yet)");
  CHECK(r.gaps(1) ==
        "documents' totals (ERP vs invoicing): rows 1 vs 2, net 1.00 vs 3.00, VAT 0.16 vs 0.48, "
        "gross 1.16 vs 3.48");

  // Another period: nothing. A malformed period: INVALID_ARGUMENT naming it.
  req.mutable_period()->set_month(11);
  REQUIRE_OK(Call(*f.stub, &v1::IntegrationsService::Stub::ListReconciliations, req, &resp));
  CHECK(resp.reconciliations_size() == 0);
  req.mutable_period()->set_month(13);
  REQUIRE_GRPC(Call(*f.stub, &v1::IntegrationsService::Stub::ListReconciliations, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "period");
}

TEST_CASE("ListReconciliations pages: every run once, the token bound to its filters") {
  Fixture f;
  std::vector<Fact> facts;
  for (int i = 1; i <= 3; ++i) {
    const std::string id = absl::StrCat("r-", i);
    RunFinishedFact run{id, "2026-10", "regular", 0, {0, 0, 0, 0, 0}};
    facts.push_back({"erp", kInvoiceRunFinished, id, "1", run.Encode(), id});
  }
  REQUIRE(*f.store.AppendFacts("feed", "1", facts, kStart) == 3);

  v1::ListReconciliationsRequest req;
  req.mutable_period()->set_year(2026);
  req.mutable_period()->set_month(10);
  req.set_page_size(2);
  v1::ListReconciliationsResponse resp;
  REQUIRE_OK(Call(*f.stub, &v1::IntegrationsService::Stub::ListReconciliations, req, &resp));
  REQUIRE(resp.reconciliations_size() == 2);
  REQUIRE_FALSE(resp.next_page_token().empty());
  std::set<std::string> seen;
  for (const auto& r : resp.reconciliations()) seen.insert(r.invoice_run_id());
  req.set_page_token(resp.next_page_token());
  REQUIRE_OK(Call(*f.stub, &v1::IntegrationsService::Stub::ListReconciliations, req, &resp));
  REQUIRE(resp.reconciliations_size() == 1);
  CHECK(resp.next_page_token().empty());
  seen.insert(resp.reconciliations(0).invoice_run_id());
  CHECK(seen == std::set<std::string>{"r-1", "r-2", "r-3"});

  // The token of October's list is refused for November's; a negative size too.
  req.mutable_period()->set_month(11);
  REQUIRE_GRPC(Call(*f.stub, &v1::IntegrationsService::Stub::ListReconciliations, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "page_token");
  req.clear_page_token();
  req.set_page_size(-1);
  REQUIRE_GRPC(Call(*f.stub, &v1::IntegrationsService::Stub::ListReconciliations, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "page_size");
}

TEST_CASE("inbound files are remembered by content, and counted") {
  Fixture f;
  CHECK_FALSE(f.store.FindInboundFile("bank", "abc")->has_value());
  REQUIRE(f.store.RecordInboundFile("bank", "abc", "a.txt", {true, ""}, kStart).ok());
  REQUIRE(f.store.RecordInboundFile("bank", "abc", "again.txt", {true, ""}, kStart).ok());
  REQUIRE(f.store.RecordInboundFile("bank", "def", "b.txt", {false, "line 3: bad"}, kStart).ok());
  CHECK((*f.store.FindInboundFile("bank", "def"))->reason == "line 3: bad");
  std::vector<AdapterCounts> counts = *f.store.Counts();
  REQUIRE(counts.size() == 1);
  CHECK(counts[0].done == 1);
  CHECK(counts[0].dead == 1);
  CHECK(counts[0].last_error == "line 3: bad");
  CHECK(*f.store.StreamPosition("scada-main") == 0);
  REQUIRE(f.store.SetStreamPosition("scada-main", 40, kStart).ok());
  REQUIRE(f.store.SetStreamPosition("scada-main", 12, kStart).ok());
  CHECK(*f.store.StreamPosition("scada-main") == 40);
}

}  // namespace
}  // namespace gridbill::integrations
