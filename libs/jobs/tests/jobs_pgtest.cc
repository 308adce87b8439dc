// The job runner against a real PostgreSQL: claims, lease expiry and
// takeover, epoch fencing, cancel, and a resumed job counting what was done
// before the restart.
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "catch2/catch.hpp"
#include "gridbill/base/status_macros.h"
#include "gridbill/jobs/pg_jobs.h"
#include "gridbill/jobs/runner.h"
#include "gridbill/pgtest/pgtest.h"

namespace gridbill::jobs {
namespace {

constexpr char kKind[] = "test.sum";

class TestClock {
 public:
  absl::Time Now() {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  std::function<absl::Time()> Fn() {
    return [this] { return Now(); };
  }

 private:
  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = absl::FromUnixSeconds(1'780'000'000);
};

// Splits a job into `pieces` pieces of 10 units each; piece n's result is
// n * 100; the summary adds the results up.
class SumHandler final : public Handler {
 public:
  SumHandler(PgJobs& store, TestClock& clock, int pieces)
      : store_(store), clock_(clock), pieces_(pieces) {}

  absl::StatusOr<bool> Plan(const Job&, const Claim& claim) override {
    std::vector<PieceSpec> specs;
    for (int i = 1; i <= pieces_; ++i) specs.push_back(PieceSpec{absl::StrCat(i), 10});
    return store_.StorePlan(claim, specs, clock_.Now());
  }
  absl::StatusOr<Completion> Work(const Job&, const Claim& claim) override {
    ++worked_;
    if (fail_piece_ == claim.piece_no) return absl::FailedPreconditionError("piece refused");
    int n = 0;
    if (!absl::SimpleAtoi(claim.piece.spec, &n)) return absl::InternalError("bad spec");
    return store_.CompletePiece(claim, absl::StrCat(n * 100), clock_.Now());
  }
  absl::StatusOr<std::string> Summarize(const Job& job,
                                        const std::vector<std::string>& results) override {
    int64_t sum = 0;
    for (const std::string& r : results) {
      int64_t v = 0;
      if (!absl::SimpleAtoi(r, &v)) return absl::InternalError("bad result");
      sum += v;
    }
    return absl::StrCat(job.state == State::kCancelled ? "cancelled: " : "", "sum ", sum, " of ",
                        results.size(), " pieces");
  }

  std::atomic<int> worked_{0};
  int fail_piece_ = -1;

 private:
  PgJobs& store_;
  TestClock& clock_;
  int pieces_;
};

struct Fixture {
  Fixture() : db(GRIDBILL_JOBS_MIGRATIONS_DIR), store(db.pool()) {}

  absl::Status Create(const std::string& id) {
    return db.pool().Transact(
        [&](pg::Transaction& tx) { return PgJobs::Insert(tx, id, kKind, clock.Now()); });
  }
  // A job split at creation into pieces 1..n of `units` each, each piece's
  // spec its number.
  absl::Status CreateSplit(const std::string& id, int n, int64_t units = 1) {
    std::vector<PieceSpec> specs;
    for (int i = 1; i <= n; ++i) specs.push_back(PieceSpec{absl::StrCat(i), units});
    return db.pool().Transact([&](pg::Transaction& tx) {
      return PgJobs::InsertSplit(tx, id, kKind, specs, clock.Now());
    });
  }
  RunnerOptions Options(const std::string& worker) {
    RunnerOptions o;
    o.worker_id = worker;
    o.lease = absl::Minutes(1);
    o.poll = absl::Milliseconds(10);
    return o;
  }

  pgtest::Database db;
  PgJobs store;
  TestClock clock;
};

TEST_CASE("a job is split once and each piece is claimed by one worker") {
  Fixture f;
  REQUIRE(f.Create("j1").ok());
  const std::vector<std::string> kinds = {kKind};
  auto job = f.store.ClaimJob("a", f.clock.Now(), f.clock.Now() - absl::Minutes(1), kinds, "");
  REQUIRE(job.ok());
  REQUIRE(job->has_value());
  CHECK((*job)->piece_no == 0);
  // While held, nobody else claims the job.
  auto again = f.store.ClaimJob("b", f.clock.Now(), f.clock.Now() - absl::Minutes(1), kinds, "");
  REQUIRE(again.ok());
  CHECK(!again->has_value());
  auto planned = f.store.StorePlan(**job, {{"1", 5}, {"2", 5}, {"3", 5}}, f.clock.Now());
  REQUIRE(planned.ok());
  CHECK(*planned);
  auto got = f.store.Get("j1");
  REQUIRE(got.ok());
  CHECK(got->state == State::kRunning);
  CHECK(got->total == 15);
  CHECK(got->pieces_total == 3);
  std::vector<int> claimed;
  for (const char* w : {"a", "b", "c", "d"}) {
    auto p = f.store.ClaimPiece(w, f.clock.Now(), f.clock.Now() - absl::Minutes(1), kinds, "");
    REQUIRE(p.ok());
    if (p->has_value()) claimed.push_back((*p)->piece_no);
  }
  CHECK(claimed == std::vector<int>{1, 2, 3});
  // Another kind's worker sees nothing.
  auto other =
      f.store.ClaimPiece("e", f.clock.Now(), f.clock.Now() + absl::Hours(1), {"other.kind"}, "");
  REQUIRE(other.ok());
  CHECK(!other->has_value());
}

TEST_CASE("a takeover between a piece's fence and its completion rolls the piece back") {
  Fixture f;
  REQUIRE(f.db.pool()
              .Transact([&](pg::Transaction& tx) {
                return PgJobs::InsertSplit(tx, "tf", kKind, {PieceSpec{"1", 7}}, f.clock.Now());
              })
              .ok());
  const std::vector<std::string> kinds = {kKind};
  auto a = f.store.ClaimPiece("a", f.clock.Now(), f.clock.Now() - absl::Minutes(1), kinds, "");
  REQUIRE(a.ok());
  REQUIRE(a->has_value());
  CHECK((*a)->job.id == "tf");
  CHECK((*a)->job.total == 7);
  // a fences and writes; b takes the piece over (a's lease counted as
  // expired) before a stores its result: a's transaction is refused whole.
  absl::Status st = f.db.pool().Transact([&](pg::Transaction& tx) -> absl::Status {
    auto held = PgJobs::FencePiece(tx, **a);
    if (!held.ok() || !*held) return absl::InternalError("fence refused a current claim");
    RETURN_IF_ERROR(tx.ExecuteScript("UPDATE jobs SET summary = 'written by a' WHERE id = 'tf'"));
    std::thread([&] {
      auto b = f.store.ClaimPiece("b", f.clock.Now(), f.clock.Now() + absl::Seconds(1), kinds, "");
      CHECK(b.ok());
      CHECK((b.ok() && b->has_value()));
    }).join();
    return PgJobs::CompletePiece(tx, **a, "a", f.clock.Now()).status();
  });
  CHECK(PgJobs::IsClaimLost(st));
  auto job = f.store.Get("tf");
  REQUIRE(job.ok());
  CHECK(job->summary.empty());
  CHECK(job->done == 0);
  CHECK(job->state == State::kRunning);
}

TEST_CASE("a piece without a fence is rolled back when its job was cancelled before it ended") {
  Fixture f;
  REQUIRE(f.db.pool()
              .Transact([&](pg::Transaction& tx) {
                return PgJobs::InsertSplit(tx, "nf", kKind, {PieceSpec{"1", 4}, PieceSpec{"2", 4}},
                                           f.clock.Now());
              })
              .ok());
  const std::vector<std::string> kinds = {kKind};
  auto a = f.store.ClaimPiece("a", f.clock.Now(), f.clock.Now() - absl::Minutes(1), kinds, "");
  REQUIRE(a.ok());
  REQUIRE(a->has_value());
  CHECK((*a)->piece.spec == "1");
  // a writes its effects first and completes last (no fence); the job is
  // cancelled in between: a's transaction is refused whole.
  absl::Status st = f.db.pool().Transact([&](pg::Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.ExecuteScript(
        "UPDATE job_pieces SET result = 'written by a' WHERE job_id = 'nf' AND piece_no = 2"));
    std::thread([&] {
      auto cancelled = f.store.Cancel("nf", f.clock.Now());
      CHECK(cancelled.ok());
      CHECK((cancelled.ok() && *cancelled));
    }).join();
    return PgJobs::CompletePiece(tx, **a, "a", f.clock.Now()).status();
  });
  CHECK(PgJobs::IsClaimLost(st));
  auto job = f.store.Get("nf");
  REQUIRE(job.ok());
  CHECK(job->state == State::kCancelled);
  CHECK(job->done == 0);
  CHECK(job->pieces_done == 0);
  auto written = f.db.pool().Exec(pg::Query{"test_piece_results",
                                            "SELECT count(*) FROM job_pieces WHERE job_id = 'nf' "
                                            "AND (state = 2 OR result <> '')"});
  REQUIRE(written.ok());
  CHECK((*written)[0].Int(0) == 0);
  // On its own (no transaction of the service's), a late completion stores nothing.
  auto late = f.store.CompletePiece(**a, "late", f.clock.Now());
  REQUIRE(late.ok());
  CHECK(*late == Completion::kDiscarded);
}

TEST_CASE("an expired claim is taken over and the old holder's result is refused") {
  Fixture f;
  REQUIRE(f.Create("j2").ok());
  const std::vector<std::string> kinds = {kKind};
  auto job = f.store.ClaimJob("a", f.clock.Now(), f.clock.Now() - absl::Minutes(1), kinds, "");
  REQUIRE(job.ok());
  REQUIRE(f.store.StorePlan(**job, {{"1", 1}}, f.clock.Now()).ok());
  auto a = f.store.ClaimPiece("a", f.clock.Now(), f.clock.Now() - absl::Minutes(1), kinds, "");
  REQUIRE(a.ok());
  REQUIRE(a->has_value());
  // Within the lease (renewed once), the claim holds.
  f.clock.Advance(absl::Seconds(40));
  auto renewed = f.store.Renew(**a, f.clock.Now());
  REQUIRE(renewed.ok());
  CHECK(*renewed);
  f.clock.Advance(absl::Seconds(40));
  auto early = f.store.ClaimPiece("b", f.clock.Now(), f.clock.Now() - absl::Minutes(1), kinds, "");
  REQUIRE(early.ok());
  CHECK(!early->has_value());
  // Past the lease, b takes it over with the next epoch.
  f.clock.Advance(absl::Seconds(30));
  auto b = f.store.ClaimPiece("b", f.clock.Now(), f.clock.Now() - absl::Minutes(1), kinds, "");
  REQUIRE(b.ok());
  REQUIRE(b->has_value());
  CHECK((*b)->piece_no == 1);
  CHECK((*b)->epoch == (*a)->epoch + 1);
  CHECK((*b)->taken_over_from == "a");
  // a wakes up: it can neither renew nor store.
  auto stale_renew = f.store.Renew(**a, f.clock.Now());
  REQUIRE(stale_renew.ok());
  CHECK(!*stale_renew);
  auto stale = f.store.CompletePiece(**a, "from a", f.clock.Now());
  REQUIRE(stale.ok());
  CHECK(*stale == Completion::kDiscarded);
  auto fresh = f.store.CompletePiece(**b, "from b", f.clock.Now());
  REQUIRE(fresh.ok());
  CHECK(*fresh == Completion::kLast);
  auto results = f.store.Results("j2");
  REQUIRE(results.ok());
  CHECK(*results == std::vector<std::string>{"from b"});
  auto got = f.store.Get("j2");
  REQUIRE(got.ok());
  CHECK(got->done == 1);
  CHECK(got->pieces_done == 1);
}

TEST_CASE("a runner splits, works and finishes a job; two runners share the pieces") {
  Fixture f;
  SumHandler h1(f.store, f.clock, 12), h2(f.store, f.clock, 12);
  Runner r1(f.store, f.clock.Fn(), f.Options("r1"));
  Runner r2(f.store, f.clock.Fn(), f.Options("r2"));
  r1.Register(kKind, h1);
  r2.Register(kKind, h2);
  REQUIRE(f.Create("j3").ok());
  r1.Start(2);
  r2.Start(2);
  auto job = r1.Wait("j3", absl::Seconds(30));
  r1.Stop();
  r2.Stop();
  REQUIRE(job.ok());
  CHECK(job->state == State::kSucceeded);
  CHECK(job->done == 120);
  CHECK(job->total == 120);
  // 100 + 200 + ... + 1200, every piece once.
  CHECK(job->summary == "sum 7800 of 12 pieces");
  CHECK(h1.worked_.load() + h2.worked_.load() == 12);
  CHECK(job->start_time.has_value());
  CHECK(job->finish_time.has_value());
}

TEST_CASE("a job resumed by another replica counts the pieces done before the restart") {
  Fixture f;
  SumHandler h1(f.store, f.clock, 6);
  REQUIRE(f.Create("j4").ok());
  {
    // The first replica splits the job and stores three pieces, then claims
    // a fourth and dies holding it.
    Runner r1(f.store, f.clock.Fn(), f.Options("r1"));
    r1.Register(kKind, h1);
    for (int i = 0; i < 4; ++i) {
      auto worked = r1.WorkOnce("j4");
      REQUIRE(worked.ok());
      REQUIRE(*worked);
    }
    auto held =
        f.store.ClaimPiece("r1", f.clock.Now(), f.clock.Now() - absl::Minutes(1), {kKind}, "j4");
    REQUIRE(held.ok());
    REQUIRE(held->has_value());
    CHECK((*held)->piece_no == 4);
  }
  auto mid = f.store.Get("j4");
  REQUIRE(mid.ok());
  CHECK(mid->done == 30);
  CHECK(mid->state == State::kRunning);
  // The second replica finds the pieces left; the one the dead replica held
  // only once its lease has expired.
  SumHandler h2(f.store, f.clock, 6);
  Runner r2(f.store, f.clock.Fn(), f.Options("r2"));
  r2.Register(kKind, h2);
  for (int i = 0; i < 2; ++i) {
    auto worked = r2.WorkOnce("j4");
    REQUIRE(worked.ok());
    REQUIRE(*worked);
  }
  auto idle = r2.WorkOnce("j4");
  REQUIRE(idle.ok());
  CHECK(!*idle);
  f.clock.Advance(absl::Minutes(2));
  auto job = r2.Drive("j4", absl::Seconds(30));
  REQUIRE(job.ok());
  CHECK(job->state == State::kSucceeded);
  CHECK(job->done == 60);
  CHECK(job->summary == "sum 2100 of 6 pieces");
  CHECK(h1.worked_.load() == 3);
  CHECK(h2.worked_.load() == 3);
}

TEST_CASE("a cancelled job stores no further piece and says what was done") {
  Fixture f;
  SumHandler h(f.store, f.clock, 5);
  Runner r(f.store, f.clock.Fn(), f.Options("r"));
  r.Register(kKind, h);
  REQUIRE(f.Create("j5").ok());
  REQUIRE(*r.WorkOnce("j5"));  // split
  REQUIRE(*r.WorkOnce("j5"));  // piece 1
  auto in_flight =
      f.store.ClaimPiece("other", f.clock.Now(), f.clock.Now() - absl::Minutes(1), {kKind}, "j5");
  REQUIRE(in_flight.ok());
  REQUIRE(in_flight->has_value());
  auto cancelled = r.Cancel("j5");
  REQUIRE(cancelled.ok());
  CHECK(cancelled->state == State::kCancelled);
  CHECK(cancelled->summary == "cancelled: sum 100 of 1 pieces");
  auto late = f.store.CompletePiece(**in_flight, "late", f.clock.Now());
  REQUIRE(late.ok());
  CHECK(*late == Completion::kDiscarded);
  auto idle = r.WorkOnce("j5");
  REQUIRE(idle.ok());
  CHECK(!*idle);
  auto again = r.Cancel("j5");
  REQUIRE(again.ok());
  CHECK(again->state == State::kCancelled);
  auto got = f.store.Get("j5");
  REQUIRE(got.ok());
  CHECK(got->done == 10);
  CHECK(absl::IsNotFound(r.Cancel("nope").status()));
}

TEST_CASE("a piece that fails fails the job with its error") {
  Fixture f;
  SumHandler h(f.store, f.clock, 3);
  h.fail_piece_ = 2;
  Runner r(f.store, f.clock.Fn(), f.Options("r"));
  r.Register(kKind, h);
  REQUIRE(f.Create("j6").ok());
  auto job = r.Drive("j6", absl::Seconds(30));
  REQUIRE(job.ok());
  CHECK(job->state == State::kFailed);
  CHECK(job->error == "piece refused");
  CHECK(job->done == 10);
}

}  // namespace
}  // namespace gridbill::jobs

namespace gridbill::jobs {
namespace {

TEST_CASE(
    "the next piece after a finished one is claimed ahead of it, expired claims behind by "
    "ClaimPiece") {
  Fixture f;
  REQUIRE(f.db.pool()
              .Transact([&](pg::Transaction& tx) {
                return PgJobs::InsertSplit(tx, "na", kKind,
                                           {{"1", 1}, {"2", 1}, {"3", 1}, {"4", 1}}, f.clock.Now());
              })
              .ok());
  const std::vector<std::string> kinds = {kKind};
  const absl::Time lease_start = f.clock.Now() - absl::Minutes(1);
  auto p1 = f.store.ClaimPiece("dead", f.clock.Now(), lease_start, kinds, "");  // never finished
  auto p2 = f.store.ClaimPiece("w", f.clock.Now(), lease_start, kinds, "");
  REQUIRE(p1.ok());
  REQUIRE(p2.ok());
  REQUIRE(p1->has_value());
  REQUIRE(p2->has_value());
  REQUIRE((*p2)->piece_no == 2);
  REQUIRE(f.store.CompletePiece(**p2, "", f.clock.Now()).ok());
  // Past the lease: piece 1's claim expired, but the claim after piece 2
  // looks ahead only: piece 3, then 4, then nothing.
  f.clock.Advance(absl::Minutes(2));
  const absl::Time stale = f.clock.Now() - absl::Minutes(1);
  auto p3 = f.store.ClaimPieceAfter(PieceRef{"na", 2}, "w", f.clock.Now(), stale);
  REQUIRE(p3.ok());
  REQUIRE(p3->has_value());
  CHECK((*p3)->piece_no == 3);
  CHECK((*p3)->piece.spec == "3");
  CHECK((*p3)->job.id == "na");
  CHECK((*p3)->taken_over_from.empty());
  auto p4 = f.store.ClaimPieceAfter(PieceRef{"na", 3}, "w", f.clock.Now(), stale);
  REQUIRE(p4.ok());
  REQUIRE(p4->has_value());
  CHECK((*p4)->piece_no == 4);
  auto none = f.store.ClaimPieceAfter(PieceRef{"na", 4}, "w", f.clock.Now(), stale);
  REQUIRE(none.ok());
  CHECK(!none->has_value());
  // The expired claim behind is ClaimPiece's, with the next epoch.
  auto taken = f.store.ClaimPiece("w", f.clock.Now(), stale, kinds, "");
  REQUIRE(taken.ok());
  REQUIRE(taken->has_value());
  CHECK((*taken)->piece_no == 1);
  CHECK((*taken)->epoch == (*p1)->epoch + 1);
  CHECK((*taken)->taken_over_from == "dead");
  // A cancelled job has no next piece.
  REQUIRE(f.db.pool()
              .Transact([&](pg::Transaction& tx) {
                return PgJobs::InsertSplit(tx, "nc", kKind, {{"1", 1}, {"2", 1}}, f.clock.Now());
              })
              .ok());
  REQUIRE(f.store.Cancel("nc", f.clock.Now()).ok());
  auto cancelled = f.store.ClaimPieceAfter(PieceRef{"nc", 0}, "w", f.clock.Now(), stale);
  REQUIRE(cancelled.ok());
  CHECK(!cancelled->has_value());
}

TEST_CASE("a job split at creation is finished in the transaction of its last piece") {
  Fixture f;
  REQUIRE(f.db.pool()
              .Transact([&](pg::Transaction& tx) {
                return PgJobs::InsertSplit(tx, "s1", kKind, {{"a", 2}, {"b", 3}}, f.clock.Now());
              })
              .ok());
  auto job = f.store.Get("s1");
  REQUIRE(job.ok());
  CHECK(job->state == State::kRunning);
  CHECK(job->total == 5);
  CHECK(job->pieces_total == 2);
  const std::vector<std::string> kinds = {kKind};
  auto p1 = f.store.ClaimPiece("w", f.clock.Now(), f.clock.Now() - absl::Minutes(1), kinds, "");
  auto p2 = f.store.ClaimPiece("w", f.clock.Now(), f.clock.Now() - absl::Minutes(1), kinds, "");
  REQUIRE(p1.ok());
  REQUIRE(p2.ok());
  REQUIRE(p1->has_value());
  REQUIRE(p2->has_value());
  auto oldest = f.store.OldestClaim(kinds);
  REQUIRE(oldest.ok());
  CHECK(*oldest == std::optional<absl::Time>(f.clock.Now()));
  auto first = f.store.CompletePiece(**p1, "", f.clock.Now());
  REQUIRE(first.ok());
  CHECK(*first == Completion::kStored);
  // The last piece and the job's end commit together.
  auto last = f.db.pool().TransactValue<bool>([&](pg::Transaction& tx) -> absl::StatusOr<bool> {
    auto held = PgJobs::FencePiece(tx, **p2);
    if (!held.ok() || !*held) return false;
    auto done = PgJobs::CompletePiece(tx, **p2, "", f.clock.Now());
    if (!done.ok()) return done.status();
    if (*done != Completion::kLast) return false;
    return PgJobs::Finish(tx, "s1", "all done", f.clock.Now());
  });
  REQUIRE(last.ok());
  CHECK(*last);
  job = f.store.Get("s1");
  REQUIRE(job.ok());
  CHECK(job->state == State::kSucceeded);
  CHECK(job->done == 5);
  CHECK(job->summary == "all done");
  oldest = f.store.OldestClaim(kinds);
  REQUIRE(oldest.ok());
  CHECK(!oldest->has_value());
}

// Records what the runner told it about failures, and fails the job with a
// marker of its own (as a service fails its resource with the job).
class RecordingHandler final : public Handler {
 public:
  RecordingHandler(PgJobs& store, TestClock& clock) : store_(store), clock_(clock) {}

  absl::StatusOr<bool> Plan(const Job&, const Claim&) override {
    return absl::InternalError("split at creation");
  }
  absl::StatusOr<Completion> Work(const Job&, const Claim& claim) override {
    if (runner_ == nullptr) return absl::UnavailableError("metering unreachable");
    // A long piece: stops once the heartbeat finds its claim lost.
    claimed_.store(true);
    const absl::Time until = absl::Now() + absl::Seconds(20);
    while (absl::Now() < until) {
      if (runner_->Lost(claim)) return absl::CancelledError("claim lost");
      absl::SleepFor(absl::Milliseconds(5));
    }
    return store_.CompletePiece(claim, "late", clock_.Now());
  }
  absl::StatusOr<std::string> Summarize(const Job&, const std::vector<std::string>&) override {
    return std::string("summary");
  }
  absl::StatusOr<bool> Fail(JobStore& jobs, const Claim& claim, const std::string& error,
                            absl::Time now) override {
    ++failed_;
    return jobs.Fail(claim.job_id, absl::StrCat("service: ", error), now);
  }
  void Dropped(const Claim&) override { ++dropped_; }

  Runner* runner_ = nullptr;
  std::atomic<bool> claimed_{false};
  std::atomic<int> failed_{0};
  std::atomic<int> dropped_{0};

 private:
  PgJobs& store_;
  TestClock& clock_;
};

absl::Status CreateSplit(Fixture& f, const std::string& id, int pieces) {
  return f.db.pool().Transact([&](pg::Transaction& tx) {
    return PgJobs::InsertSplit(tx, id, kKind, std::vector<PieceSpec>(pieces), f.clock.Now());
  });
}

TEST_CASE("a piece's error fails the job through its handler's Fail") {
  Fixture f;
  RecordingHandler h(f.store, f.clock);
  Runner r(f.store, f.clock.Fn(), f.Options("r"));
  r.Register(kKind, h);
  REQUIRE(CreateSplit(f, "f1", 2).ok());
  auto worked = r.WorkOnce("f1");
  REQUIRE(worked.ok());
  CHECK(*worked);
  auto job = f.store.Get("f1");
  REQUIRE(job.ok());
  CHECK(job->state == State::kFailed);
  CHECK(job->error == "service: metering unreachable");
  CHECK(h.failed_ == 1);
  CHECK(h.dropped_ == 0);
}

TEST_CASE("the heartbeat tells a worker its claim was taken over, and calls the service's hook") {
  Fixture f;
  RecordingHandler h(f.store, f.clock);
  std::atomic<int> beats{0};
  RunnerOptions o = f.Options("a");
  o.renew_every = absl::Milliseconds(20);
  o.on_heartbeat = [&beats] { ++beats; };
  Runner a(f.store, f.clock.Fn(), o);
  a.Register(kKind, h);
  h.runner_ = &a;
  REQUIRE(CreateSplit(f, "h1", 1).ok());
  a.Start(1);
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (!h.claimed_ && absl::Now() < until) absl::SleepFor(absl::Milliseconds(5));
  REQUIRE(h.claimed_);
  // b takes the piece over as if a's lease had expired (every claim older
  // than a moment from now counts as stale); a's heartbeat then finds its
  // claim lost and a stops.
  const std::vector<std::string> kinds = {kKind};
  auto b = f.store.ClaimPiece("b", f.clock.Now(), f.clock.Now() + absl::Seconds(1), kinds, "");
  REQUIRE(b.ok());
  REQUIRE(b->has_value());
  while (h.dropped_ == 0 && absl::Now() < until) absl::SleepFor(absl::Milliseconds(5));
  a.Stop();
  CHECK(h.dropped_ == 1);
  CHECK(h.failed_ == 0);
  CHECK(beats > 0);
  auto job = f.store.Get("h1");
  REQUIRE(job.ok());
  CHECK(job->state == State::kRunning);
  CHECK(job->done == 0);
}

// The piece rows of job `id` with a given condition, counted.
int64_t CountPieces(pgtest::Database& db, const std::string& id, const std::string& where) {
  auto res = db.pool().Exec(
      pg::Query{
          "test_count_pieces",
          "SELECT count(*) FILTER (WHERE state = 1), count(*) FILTER (WHERE claim_epoch <> 1), "
          "count(*) FILTER (WHERE finish_time IS NULL), count(*) FROM job_pieces "
          "WHERE job_id = $1"},
      id);
  REQUIRE(res.ok());
  const int col = where == "held"                     ? 0
                  : where == "claimed more than once" ? 1
                  : where == "unfinished"             ? 2
                                                      : 3;
  return (*res)[0].Int(col);
}

std::shared_ptr<Handoff> HandTo(const std::string& worker, absl::Time stale_before) {
  auto h = std::make_shared<Handoff>();
  h->worker = worker;
  h->stale_before = stale_before;
  return h;
}

TEST_CASE("a piece's completion claims the worker's next piece in the same statement") {
  Fixture f;
  REQUIRE(f.CreateSplit("h1", 5, 10).ok());
  const absl::Time stale = f.clock.Now() - absl::Minutes(1);
  auto a = f.store.ClaimPiece("a", f.clock.Now(), stale, {kKind}, "");
  auto b = f.store.ClaimPiece("b", f.clock.Now(), stale, {kKind}, "");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE((*a)->piece_no == 1);
  REQUIRE((*b)->piece_no == 2);

  // a finishes 1 and is handed 3 (2 is b's), with the job as just updated.
  Claim a1 = **a;
  a1.handoff = HandTo("a", stale);
  auto done = f.store.CompletePiece(a1, "1", f.clock.Now());
  REQUIRE(done.ok());
  CHECK(*done == Completion::kStored);
  CHECK(a1.handoff->looked);
  REQUIRE(a1.handoff->next != nullptr);
  Claim a3 = *a1.handoff->next;
  CHECK(a3.piece_no == 3);
  CHECK(a3.epoch == 1);
  CHECK(a3.worker == "a");
  CHECK(a3.piece.spec == "3");
  CHECK(a3.job.done == 10);
  CHECK(a3.job.pieces_done == 1);
  CHECK(a3.taken_over_from.empty());
  // Nobody else claims 3 now; the next free one is 4.
  auto c = f.store.ClaimPiece("c", f.clock.Now(), stale, {kKind}, "");
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  CHECK((*c)->piece_no == 4);

  // A completion whose transaction rolls back takes its hand-off back too.
  Claim b2 = **b;
  b2.handoff = HandTo("b", stale);
  absl::Status rolled = f.db.pool().Transact([&](pg::Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(PgJobs::CompletePiece(tx, b2, "2", f.clock.Now()).status());
    return absl::AbortedError("the service's write failed");
  });
  CHECK(absl::IsAborted(rolled));
  REQUIRE(b2.handoff->next != nullptr);
  CHECK(b2.handoff->next->piece_no == 5);
  CHECK(CountPieces(f.db, "h1", "held") == 3);  // 2, 3, 4: 5 is open again
  // Done again (its claim is still current), it is handed 5 once more.
  auto again = f.store.CompletePiece(b2, "2", f.clock.Now());
  REQUIRE(again.ok());
  REQUIRE(b2.handoff->next != nullptr);
  Claim b5 = *b2.handoff->next;
  CHECK(b5.piece_no == 5);
  CHECK(b5.epoch == 1);

  // Nothing lies ahead of 5: the completion says it looked.
  b5.handoff = HandTo("b", stale);
  REQUIRE(f.store.CompletePiece(b5, "5", f.clock.Now()).ok());
  CHECK(b5.handoff->looked);
  CHECK(b5.handoff->next == nullptr);

  // A stale completion (its claim taken over) stores nothing and claims nothing.
  f.clock.Advance(absl::Minutes(2));
  auto taken =
      f.store.ClaimPiece("d", f.clock.Now(), f.clock.Now() - absl::Minutes(1), {kKind}, "");
  REQUIRE(taken.ok());
  REQUIRE(taken->has_value());
  CHECK((*taken)->piece_no == 3);
  CHECK((*taken)->taken_over_from == "a");
  a3.handoff = HandTo("a", stale);
  auto refused = f.store.CompletePiece(a3, "late", f.clock.Now());
  REQUIRE(refused.ok());
  CHECK(*refused == Completion::kDiscarded);
  CHECK(!a3.handoff->looked);
  CHECK(a3.handoff->next == nullptr);

  // d finishes 3 with 4 ahead held by c under an expired lease: handed over.
  Claim d3 = **taken;
  d3.handoff = HandTo("d", f.clock.Now() - absl::Minutes(1));
  REQUIRE(f.store.CompletePiece(d3, "3", f.clock.Now()).ok());
  REQUIRE(d3.handoff->next != nullptr);
  CHECK(d3.handoff->next->piece_no == 4);
  CHECK(d3.handoff->next->taken_over_from == "c");
  CHECK(d3.handoff->next->epoch == 2);
  Claim d4 = *d3.handoff->next;
  d4.handoff = HandTo("d", f.clock.Now() - absl::Minutes(1));
  auto last = f.store.CompletePiece(d4, "4", f.clock.Now());
  REQUIRE(last.ok());
  CHECK(*last == Completion::kLast);
  CHECK(d4.handoff->next == nullptr);
  auto job = f.store.Get("h1");
  REQUIRE(job.ok());
  CHECK(job->pieces_done == 5);
  CHECK(job->done == 50);
}

// Counts each piece's Work calls and how many of its pieces came handed
// on by the previous completion.
class CountingHandler final : public Handler {
 public:
  CountingHandler(PgJobs& store, TestClock& clock) : store_(store), clock_(clock) {}
  absl::StatusOr<bool> Plan(const Job&, const Claim&) override {
    return absl::InternalError("split at creation");
  }
  absl::StatusOr<Completion> Work(const Job&, const Claim& claim) override {
    {
      absl::MutexLock lock(&mu_);
      ++worked_[claim.piece_no];
    }
    absl::StatusOr<Completion> done = store_.CompletePiece(claim, "", clock_.Now());
    if (done.ok() && claim.handoff != nullptr && claim.handoff->next != nullptr) ++handed_;
    return done;
  }
  absl::StatusOr<std::string> Summarize(const Job&, const std::vector<std::string>& r) override {
    return absl::StrCat(r.size(), " pieces");
  }
  std::map<int, int> worked() {
    absl::MutexLock lock(&mu_);
    return worked_;
  }
  std::atomic<int> handed_{0};

 private:
  PgJobs& store_;
  TestClock& clock_;
  absl::Mutex mu_;
  std::map<int, int> worked_ ABSL_GUARDED_BY(mu_);
};

TEST_CASE("concurrent workers handing pieces on finish each piece once and never share one") {
  Fixture f;
  constexpr int kPieces = 120;
  REQUIRE(f.CreateSplit("many", kPieces).ok());
  CountingHandler h1(f.store, f.clock), h2(f.store, f.clock);
  Runner r1(f.store, f.clock.Fn(), f.Options("r1"));
  Runner r2(f.store, f.clock.Fn(), f.Options("r2"));
  r1.Register(kKind, h1);
  r2.Register(kKind, h2);
  r1.Start(3);
  r2.Start(3);
  auto job = r1.Wait("many", absl::Seconds(60));
  r1.Stop();
  r2.Stop();
  REQUIRE(job.ok());
  CHECK(job->state == State::kSucceeded);
  CHECK(job->pieces_done == kPieces);
  CHECK(job->done == kPieces);
  // Every piece worked once, by one worker, claimed once (a second claim of
  // a piece would have raised its epoch), and finished once.
  std::map<int, int> worked = h1.worked();
  for (const auto& [piece, n] : h2.worked()) worked[piece] += n;
  REQUIRE(worked.size() == static_cast<size_t>(kPieces));
  for (const auto& [piece, n] : worked) {
    INFO("piece " << piece);
    CHECK(n == 1);
  }
  CHECK(CountPieces(f.db, "many", "claimed more than once") == 0);
  CHECK(CountPieces(f.db, "many", "unfinished") == 0);
  CHECK(CountPieces(f.db, "many", "all") == kPieces);
  // Nearly every piece came with the previous one's completion: a worker
  // claims on its own only its first piece and after a chain ran out of
  // open pieces ahead of it (at most a few per worker).
  CHECK(h1.handed_.load() + h2.handed_.load() >= kPieces - 6 * 4);
}

TEST_CASE("a worker that stops gives back the piece its last completion handed it") {
  Fixture f;
  constexpr int kPieces = 200;
  REQUIRE(f.CreateSplit("stop", kPieces).ok());
  CountingHandler h(f.store, f.clock);
  Runner r(f.store, f.clock.Fn(), f.Options("r"));
  r.Register(kKind, h);
  r.Start(1);
  for (int i = 0; i < 500 && h.handed_.load() < 3; ++i) absl::SleepFor(absl::Milliseconds(10));
  r.Stop();
  REQUIRE(h.handed_.load() >= 3);
  auto job = f.store.Get("stop");
  REQUIRE(job.ok());
  REQUIRE(job->pieces_done < kPieces);  // stopped mid-run
  // No piece is left held by the stopped worker: the next one is open at once.
  CHECK(CountPieces(f.db, "stop", "held") == 0);
  auto next =
      f.store.ClaimPiece("other", f.clock.Now(), f.clock.Now() - absl::Minutes(1), {kKind}, "");
  REQUIRE(next.ok());
  REQUIRE(next->has_value());
  CHECK((*next)->piece_no == job->pieces_done + 1);
}

TEST_CASE("claiming a piece is a HOT update: a run's claims leave no index entries behind") {
  // One connection, so that the statistics read at the end are the ones
  // its own claims and completions flushed.
  pgtest::Database db(GRIDBILL_JOBS_MIGRATIONS_DIR, 1);
  PgJobs store(db.pool());
  TestClock clock;
  constexpr int kPieces = 300;
  std::vector<PieceSpec> specs;
  for (int i = 1; i <= kPieces; ++i) specs.push_back(PieceSpec{absl::StrCat("contract ", i), 1});
  REQUIRE(db.pool()
              .Transact([&](pg::Transaction& tx) {
                return PgJobs::InsertSplit(tx, "hot", kKind, specs, clock.Now());
              })
              .ok());
  const absl::Time stale = clock.Now() - absl::Minutes(1);
  std::optional<PieceRef> last;
  for (int i = 1; i <= kPieces; ++i) {
    auto claim = last ? store.ClaimPieceAfter(*last, "w", clock.Now(), stale)
                      : store.ClaimPiece("w", clock.Now(), stale, {kKind}, "");
    REQUIRE(claim.ok());
    REQUIRE(claim->has_value());
    REQUIRE((*claim)->piece_no == i);
    auto done = store.CompletePiece(**claim, "r", clock.Now());
    REQUIRE(done.ok());
    CHECK(*done == (i == kPieces ? Completion::kLast : Completion::kStored));
    last = PieceRef{"hot", i};
  }
  REQUIRE(db.pool().Exec(pg::Query{"test_flush", "SELECT pg_stat_force_next_flush()"}).ok());
  auto stats = db.pool().Exec(pg::Query{"test_hot",
                                        "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
                                        "WHERE relname = 'job_pieces'"});
  REQUIRE(stats.ok());
  REQUIRE(!stats->empty());
  // Every piece row written twice: the claim in place (HOT), the
  // completion (it sets finish_time, which takes the piece out of the
  // unfinished-pieces index) as a new version. A claim is HOT when its page
  // has room for the new version: the pages' free half (fillfactor) is
  // shared with the completions' new versions, and a full page is pruned
  // only when no snapshot still sees its dead versions, so how many claims
  // find room depends on timing (277 of 300 on an idle machine, 147 of 300
  // in a loaded CI run). With the index on `state` before V002, none was.
  CHECK((*stats)[0].Int(0) == 2 * kPieces);
  CHECK((*stats)[0].Int(1) >= kPieces / 4);
  CHECK((*stats)[0].Int(1) <= kPieces);
  auto job = store.Get("hot");
  REQUIRE(job.ok());
  CHECK(job->pieces_done == kPieces);
}

}  // namespace
}  // namespace gridbill::jobs
