// The runner over the in-memory store (no database): wake-ups, takeovers,
// cancel and the gridbill_jobs_* series.
#include <atomic>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "catch2/catch.hpp"
#include "gridbill/jobs/memory_jobs.h"
#include "gridbill/jobs/metrics.h"
#include "gridbill/jobs/runner.h"
#include "gridbill/testing/fake_clock.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace gridbill::jobs {
namespace {

constexpr char kKind[] = "test.sum";

// Splits a job into `pieces` pieces of 10 units; piece n's result is n;
// the summary lists the results.
class ListHandler final : public Handler {
 public:
  ListHandler(JobStore& store, testing::FakeClock& clock, int pieces)
      : store_(store), clock_(clock), pieces_(pieces) {}

  absl::StatusOr<bool> Plan(const Job&, const Claim& claim) override {
    std::vector<PieceSpec> specs;
    for (int i = 1; i <= pieces_; ++i) specs.push_back(PieceSpec{absl::StrCat(i), 10});
    return store_.StorePlan(claim, specs, clock_.Now());
  }
  absl::StatusOr<Completion> Work(const Job&, const Claim& claim) override {
    ++worked_;
    return store_.CompletePiece(claim, claim.piece.spec, clock_.Now());
  }
  absl::StatusOr<std::string> Summarize(const Job& job,
                                        const std::vector<std::string>& results) override {
    return absl::StrCat(job.state == State::kCancelled ? "cancelled after " : "pieces ",
                        absl::StrJoin(results, ","));
  }

  std::atomic<int> worked_{0};

 private:
  JobStore& store_;
  testing::FakeClock& clock_;
  int pieces_;
};

std::string Scrape(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

RunnerOptions Options(const std::string& worker) {
  RunnerOptions o;
  o.worker_id = worker;
  o.lease = absl::Minutes(1);
  o.poll = absl::Hours(1);  // a worker that waited for its poll would never finish
  return o;
}

TEST_CASE("a started job is split, worked and finished at once, without waiting for a poll") {
  MemoryJobs store;
  testing::FakeClock clock(absl::FromUnixSeconds(1'780'000'000));
  ListHandler h(store, clock, 5);
  prometheus::Registry registry;
  RunnerMetrics metrics(registry);
  RunnerOptions o = Options("r");
  o.metrics = &metrics;
  Runner r(
      store, [&clock] { return clock.Now(); }, o);
  r.Register(kKind, h);
  r.Start(2);
  // Let both workers go idle first: the job below is found only by a wake-up.
  absl::SleepFor(absl::Milliseconds(50));
  REQUIRE(store.Insert("j1", kKind, clock.Now()).ok());
  r.Wake();
  auto job = r.Wait("j1", absl::Seconds(10));
  r.Stop();
  REQUIRE(job.ok());
  CHECK(job->state == State::kSucceeded);
  CHECK(job->done == 50);
  CHECK(job->summary == "pieces 1,2,3,4,5");
  CHECK(h.worked_ == 5);
  const std::string text = Scrape(registry);
  CHECK(text.find("gridbill_jobs_started_total{kind=\"test.sum\"} 1") != std::string::npos);
  CHECK(text.find("gridbill_jobs_ended_total{kind=\"test.sum\",state=\"succeeded\"} 1") !=
        std::string::npos);
  CHECK(text.find("gridbill_jobs_ended_total{kind=\"test.sum\",state=\"failed\"} 0") !=
        std::string::npos);
  CHECK(text.find("gridbill_jobs_pieces_done_total{kind=\"test.sum\"} 5") != std::string::npos);
  CHECK(text.find("gridbill_jobs_duration_seconds_count{kind=\"test.sum\"} 1") !=
        std::string::npos);
}

TEST_CASE("gridbill_jobs_open counts the store's open jobs from the start, then every heartbeat") {
  MemoryJobs store;
  testing::FakeClock clock(absl::FromUnixSeconds(1'780'000'000));
  ListHandler h(store, clock, 3);
  prometheus::Registry registry;
  RunnerMetrics metrics(registry);
  RunnerOptions o = Options("r");
  o.metrics = &metrics;
  o.renew_every = absl::Milliseconds(20);
  REQUIRE(store.Insert("j1", kKind, clock.Now()).ok());
  REQUIRE(store.Insert("j2", kKind, clock.Now()).ok());
  Runner r(
      store, [&clock] { return clock.Now(); }, o);
  r.Register(kKind, h);
  r.Start(0);  // no worker: the jobs stay open
  CHECK(Scrape(registry).find("gridbill_jobs_open{kind=\"test.sum\"} 2") != std::string::npos);
  r.Stop();
  r.Start(2);
  REQUIRE(r.Wait("j1", absl::Seconds(10)).ok());
  REQUIRE(r.Wait("j2", absl::Seconds(10)).ok());
  bool zero = false;
  for (int i = 0; i < 200 && !zero; ++i) {
    zero = Scrape(registry).find("gridbill_jobs_open{kind=\"test.sum\"} 0") != std::string::npos;
    if (!zero) absl::SleepFor(absl::Milliseconds(10));
  }
  r.Stop();
  CHECK(zero);
}

TEST_CASE("jobs created one after another while the workers are busy all end without a poll") {
  MemoryJobs store;
  testing::FakeClock clock(absl::FromUnixSeconds(1'780'000'000));
  ListHandler h(store, clock, 3);
  Runner r(
      store, [&clock] { return clock.Now(); }, Options("r"));
  r.Register(kKind, h);
  r.Start(2);
  for (int i = 0; i < 20; ++i) {
    REQUIRE(store.Insert(absl::StrCat("k", i), kKind, clock.Now()).ok());
    r.Wake();
  }
  for (int i = 0; i < 20; ++i) {
    auto job = r.Wait(absl::StrCat("k", i), absl::Seconds(10));
    REQUIRE(job.ok());
    CHECK(job->state == State::kSucceeded);
  }
  r.Stop();
  CHECK(h.worked_ == 60);
}

TEST_CASE("an expired piece claim is taken over, counted, and the old holder's result refused") {
  MemoryJobs store;
  testing::FakeClock clock(absl::FromUnixSeconds(1'780'000'000));
  ListHandler h(store, clock, 0);
  prometheus::Registry registry;
  RunnerMetrics metrics(registry);
  RunnerOptions o = Options("r");
  o.metrics = &metrics;
  Runner r(
      store, [&clock] { return clock.Now(); }, o);
  r.Register(kKind, h);
  REQUIRE(store.InsertSplit("t1", kKind, {PieceSpec{"1", 1}, PieceSpec{"2", 1}}, clock.Now()).ok());
  auto dead = store.ClaimPiece("dead", clock.Now(), clock.Now() - absl::Minutes(1), {kKind}, "");
  REQUIRE(dead.ok());
  REQUIRE(dead->has_value());
  CHECK((*dead)->piece_no == 1);
  // Within the lease nobody else may take piece 1.
  auto job = r.Drive("t1", absl::Milliseconds(300));
  CHECK(absl::IsDeadlineExceeded(job.status()));
  clock.Advance(absl::Minutes(2));
  job = r.Drive("t1", absl::Seconds(10));
  REQUIRE(job.ok());
  CHECK(job->state == State::kSucceeded);
  CHECK(job->summary == "pieces 1,2");
  auto late = store.CompletePiece(**dead, "late", clock.Now());
  REQUIRE(late.ok());
  CHECK(*late == Completion::kDiscarded);
  CHECK(Scrape(registry).find("gridbill_jobs_piece_takeovers_total{kind=\"test.sum\"} 1") !=
        std::string::npos);
}

TEST_CASE("a cancelled job stores no further piece, says what was done and is counted") {
  MemoryJobs store;
  testing::FakeClock clock(absl::FromUnixSeconds(1'780'000'000));
  ListHandler h(store, clock, 4);
  prometheus::Registry registry;
  RunnerMetrics metrics(registry);
  RunnerOptions o = Options("r");
  o.metrics = &metrics;
  Runner r(
      store, [&clock] { return clock.Now(); }, o);
  r.Register(kKind, h);
  REQUIRE(store.Insert("c1", kKind, clock.Now()).ok());
  REQUIRE(r.WorkOnce("c1").ok());  // split
  REQUIRE(r.WorkOnce("c1").ok());  // piece 1
  auto held = store.ClaimPiece("other", clock.Now(), clock.Now() - absl::Minutes(1), {kKind}, "");
  REQUIRE(held.ok());
  REQUIRE(held->has_value());
  auto job = r.Cancel("c1");
  REQUIRE(job.ok());
  CHECK(job->state == State::kCancelled);
  CHECK(job->summary == "cancelled after 1");
  auto late = store.CompletePiece(**held, "2", clock.Now());
  REQUIRE(late.ok());
  CHECK(*late == Completion::kDiscarded);
  auto worked = r.WorkOnce("c1");
  REQUIRE(worked.ok());
  CHECK(!*worked);
  CHECK(
      Scrape(registry).find("gridbill_jobs_ended_total{kind=\"test.sum\",state=\"cancelled\"} 1") !=
      std::string::npos);
}

}  // namespace
}  // namespace gridbill::jobs
