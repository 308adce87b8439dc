// The outbox rule: facts stored once per adapter and key, retries with
// backoff, dead letters after N failures or a permanent one, operators'
// retry and skip, and a claim taken over after its lease.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "documents.h"
#include "esf.h"
#include "fake_suite.h"
#include "gridbill/testing/fake_clock.h"
#include "memory_store.h"
#include "outbox.h"

namespace gridbill::integrations {
namespace {

using ::gridbill::testing::FakeClock;

const absl::Time kStart = absl::FromUnixSeconds(1790000000);

// A receiver that keeps the first delivery per key and counts every attempt.
class CountingReceiver final : public Receiver {
 public:
  std::map<std::string, int> kept;  // key -> times kept (must stay 1)
  int attempts = 0;
  int fail_next = 0;  // transient failures to answer first
  bool permanent = false;
  SendResult Send(const Delivery& d) override {
    ++attempts;
    if (permanent) return SendResult::Permanent("400 Bad Request: malformed invoice");
    if (fail_next > 0) {
      --fail_next;
      return SendResult::Retry("503 Service Unavailable");
    }
    if (kept.count(d.idempotency_key) == 0) kept[d.idempotency_key] = 1;
    return SendResult::Delivered(absl::StrCat("reg-", d.fact_id));
  }
};

TEST_CASE("backoff doubles from the first delay up to the maximum") {
  RetryPolicy p;
  p.first_delay = absl::Seconds(1);
  p.max_delay = absl::Seconds(10);
  CHECK(p.NextAttempt(1, kStart) == kStart + absl::Seconds(1));
  CHECK(p.NextAttempt(2, kStart) == kStart + absl::Seconds(2));
  CHECK(p.NextAttempt(4, kStart) == kStart + absl::Seconds(8));
  CHECK(p.NextAttempt(5, kStart) == kStart + absl::Seconds(10));
  CHECK(p.NextAttempt(60, kStart) == kStart + absl::Seconds(10));
}

TEST_CASE("a fact read twice (a feed re-read after a crash) is delivered once") {
  MemoryStore store;
  FakeSuite suite;
  FakeClock clock(kStart);
  for (int i = 1; i <= 5; ++i) suite.documents.push_back(Doc(i, i == 3 ? 3 : 1));
  REQUIRE(*PumpDocuments(store, suite, {"erp", "esf"}, clock.Now(), 2) == 6);  // 5 erp + 1 esf
  // The cursor was stored with the facts: reading on adds nothing.
  REQUIRE(*PumpDocuments(store, suite, {"erp", "esf"}, clock.Now(), 2) == 0);
  // A feed read again from the start (cursor lost) stores no duplicate.
  REQUIRE(*store.AppendFacts(kDocumentsFeed, "", {}, clock.Now()) == 0);
  REQUIRE(*PumpDocuments(store, suite, {"erp", "esf"}, clock.Now(), 2) == 0);
  Outbox outbox(store, clock, RetryPolicy{});
  CountingReceiver erp;
  CHECK(*outbox.DeliverDue("erp", erp, 50) == 5);
  CHECK(*outbox.DeliverDue("erp", erp, 50) == 0);
  CHECK(erp.attempts == 5);
  CHECK(erp.kept.size() == 5);
  CHECK(erp.kept.count("document.issued/doc-3/1") == 1);
}

TEST_CASE("transient failures retry with backoff; the N-th makes a dead letter with its reason") {
  MemoryStore store;
  FakeClock clock(kStart);
  REQUIRE(*store.AppendFacts("f", "1", {{"esf", "document.issued", "d-1", "1", ""}}, kStart) == 1);
  RetryPolicy policy;
  policy.first_delay = absl::Seconds(1);
  policy.max_attempts = 3;
  Outbox outbox(store, clock, policy);
  CountingReceiver esf;
  esf.fail_next = 10;
  CHECK(*outbox.DeliverDue("esf", esf, 10) == 1);
  CHECK(store.Get(1)->state == DeliveryState::kPending);
  CHECK(store.Get(1)->next_attempt_time == kStart + absl::Seconds(1));
  CHECK(*outbox.DeliverDue("esf", esf, 10) == 0);  // not due yet
  clock.Advance(absl::Seconds(1));
  CHECK(*outbox.DeliverDue("esf", esf, 10) == 1);
  CHECK(store.Get(1)->next_attempt_time == clock.Now() + absl::Seconds(2));
  clock.Advance(absl::Seconds(2));
  CHECK(*outbox.DeliverDue("esf", esf, 10) == 1);
  Delivery dead = *store.Get(1);
  CHECK(dead.state == DeliveryState::kDead);
  CHECK(dead.attempts == 3);
  CHECK(dead.last_error == "503 Service Unavailable (3 attempts)");
  // An operator retries it: attempts from zero, due at once, delivered.
  esf.fail_next = 0;
  CHECK(outbox.Retry(1)->state == DeliveryState::kPending);
  CHECK(*outbox.DeliverDue("esf", esf, 10) == 1);
  CHECK(store.Get(1)->state == DeliveryState::kDelivered);
  CHECK(store.Get(1)->receipt == "reg-d-1");
  // Retrying what is not dead is refused.
  CHECK(outbox.Retry(1).status().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("a permanent refusal is a dead letter at once; skip needs a reason") {
  MemoryStore store;
  FakeClock clock(kStart);
  REQUIRE(*store.AppendFacts("f", "1", {{"itsm", "incident", "i-1", "1", ""}}, kStart) == 1);
  Outbox outbox(store, clock, RetryPolicy{});
  CountingReceiver itsm;
  itsm.permanent = true;
  CHECK(*outbox.DeliverDue("itsm", itsm, 10) == 1);
  CHECK(store.Get(1)->state == DeliveryState::kDead);
  CHECK(store.Get(1)->attempts == 1);
  CHECK(outbox.Skip(1, "").status().code() == absl::StatusCode::kInvalidArgument);
  absl::StatusOr<Delivery> skipped = outbox.Skip(1, "the incident was closed by hand");
  REQUIRE(skipped.ok());
  CHECK(skipped->state == DeliveryState::kSkipped);
  CHECK(itsm.attempts == 1);
}

TEST_CASE("an attempt whose claim expired is taken over; the late end counts nothing") {
  MemoryStore store;
  FakeClock clock(kStart);
  REQUIRE(*store.AppendFacts("f", "1", {{"erp", "document.issued", "d-1", "1", ""}}, kStart) == 1);
  // A worker claims and dies (never ends the attempt).
  std::vector<Delivery> first = *store.ClaimDue("erp", 10, kStart, absl::Seconds(30));
  REQUIRE(first.size() == 1);
  CHECK(store.ClaimDue("erp", 10, kStart + absl::Seconds(29), absl::Seconds(30))->empty());
  RetryPolicy policy;
  policy.lease = absl::Seconds(30);
  clock.Advance(absl::Seconds(30));
  Outbox outbox(store, clock, policy);
  CountingReceiver erp;
  CHECK(*outbox.DeliverDue("erp", erp, 10) == 1);
  CHECK(store.Get(1)->state == DeliveryState::kDelivered);
  // The dead worker's end, arriving late, changes nothing.
  CHECK_FALSE(*store.EndAttempt(first[0], DeliveryState::kDead, "late", kStart, kStart));
  CHECK(store.Get(1)->state == DeliveryState::kDelivered);
}

}  // namespace
}  // namespace gridbill::integrations

namespace gridbill::integrations {
namespace {

TEST_CASE("ESF deadlines: the 20th of the month after the turnover; at risk when near or missed") {
  CHECK(EsfDeadline(absl::CivilDay(2026, 10, 31)) == absl::CivilDay(2026, 11, 20));
  CHECK(EsfDeadline(absl::CivilDay(2026, 12, 31)) == absl::CivilDay(2027, 1, 20));
  std::vector<Delivery> ds;
  for (int i = 1; i <= 4; ++i) {
    Delivery d;
    d.id = i;
    DocumentFact doc = Doc(i, 3);
    doc.period = i == 4 ? "2026-09" : "2026-10";  // 2026-09: due 2026-10-20, missed
    d.payload = doc.Encode();
    d.state = i == 2 ? DeliveryState::kDelivered
                     : (i == 3 ? DeliveryState::kDead : DeliveryState::kPending);
    ds.push_back(d);
  }
  const std::vector<EsfRisk> risk = EsfAtRisk(ds, absl::CivilDay(2026, 11, 16), 5);
  REQUIRE(risk.size() == 3);
  CHECK(risk[0].document_number == "INV-2026-4");
  CHECK(risk[0].days_left == -27);
  CHECK(risk[1].document_number == "INV-2026-1");
  CHECK(risk[1].days_left == 4);
  CHECK(risk[2].delivery.state == DeliveryState::kDead);
  CHECK(EsfAtRisk(ds, absl::CivilDay(2026, 11, 10), 5).size() == 1);  // only the missed one
}

}  // namespace
}  // namespace gridbill::integrations
