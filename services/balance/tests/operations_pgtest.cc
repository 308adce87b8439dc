// What an operator relies on when replicas fail: a shard whose holder died is
// taken over after the lease and the run completes with the same results; a
// holder whose lease was taken over cannot store its results; and the
// workers' Prometheus series say what happened.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gridbill/server/proto_convert.h"
#include "harness.h"

namespace gridbill::balance::testing {
namespace {

using metering::v1::CHANNEL_ACTIVE_RECEIVED;

v1::Scheme OnePointScheme(const std::string& participant, contracts::v1::ServiceType service,
                          const std::string& point) {
  v1::Scheme s;
  s.set_kind(v1::SCHEME_KIND_PARTICIPANT_SERVICE);
  s.set_participant_id(participant);
  s.set_service_type(service);
  v1::SchemeTerm* t = s.add_terms();
  t->set_point_code(point);
  t->set_channel(CHANNEL_ACTIVE_RECEIVED);
  t->set_role(v1::TERM_ROLE_ADD);
  *s.mutable_valid_from() = D(2024, 1, 1);
  return s;
}

v1::StartRunRequest Preliminary() {
  v1::StartRunRequest req;
  *req.mutable_period() = P(2024, 2);
  req.set_type(v1::RUN_TYPE_PRELIMINARY);
  return req;
}

// Three participants with one hourly point each over February 2024 (697
// hours); with one point per shard a run has three shards.
void LoadThree(Suite& suite) {
  const std::vector<std::string> points = {"X1", "X2", "X3"};
  std::vector<metering::v1::Reading> batch;
  for (size_t i = 0; i < points.size(); ++i) {
    suite.CreatePoint(points[i], metering::v1::RESOLUTION_PT60M, absl::StrCat("P", i + 1),
                      D(2024, 1, 1));
    int n = 0;
    for (absl::Time t = Local(2024, 2, 1); t < Local(2024, 3, 1); t += absl::Hours(1)) {
      batch.push_back(R(points[i], t, 100 * static_cast<int64_t>(i + 1) + (n++ % 7)));
    }
  }
  suite.Ingest(batch);
  for (size_t i = 0; i < points.size(); ++i) {
    REQUIRE_OK(suite.DefineScheme(OnePointScheme(
        absl::StrCat("P", i + 1), contracts::v1::SERVICE_TYPE_TRANSMISSION, points[i])));
  }
}

bool SameHours(const std::vector<v1::ServiceHour>& a, const std::vector<v1::ServiceHour>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].SerializeAsString() != b[i].SerializeAsString()) return false;
  }
  return true;
}

int64_t SumActual(const std::vector<v1::ServiceHour>& hours) {
  int64_t sum = 0;
  for (const auto& h : hours) sum += h.actual_wh();
  return sum;
}

// A run computed without failures, for comparison.
v1::BalanceRun CleanRun(Suite& suite) {
  v1::BalanceRun clean;
  REQUIRE_OK(suite.StartRun(Preliminary(), &clean));
  clean = suite.Finish(clean.id());
  REQUIRE(clean.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  REQUIRE(clean.job().total() == 3);
  return clean;
}

// Results a replica would store for a shard, made up: stored, they would show.
ShardResult Forged() {
  ShardResult r;
  ServiceHour h;
  h.participant_id = "P1";
  h.service_type = contracts::v1::SERVICE_TYPE_TRANSMISSION;
  h.hour_start = Local(2024, 2, 1);
  h.actual_wh = 999999;
  h.quality = Quality{1, 0, 0};
  r.service_hours.push_back(h);
  r.point_days = 29;
  return r;
}

int64_t RowsOf(Suite& suite, const std::string& run_id) {
  return suite.CountRows(
      absl::StrCat("SELECT count(*) FROM service_hours WHERE run_id = ", run_id));
}

std::string ShardOwner(Suite& suite, const std::string& run_id, int shard_no) {
  const std::string sql = absl::StrCat("SELECT claimed_by FROM job_pieces WHERE job_id = '", run_id,
                                       "' AND piece_no = ", shard_no);
  absl::StatusOr<pg::Result> res = suite.balance_pool().Execute(pg::Query{"", sql.c_str()});
  REQUIRE(res.ok());
  REQUIRE(res->size() == 1);
  return (*res)[0].String(0);
}

// The value of one series in a /metrics body ("" when absent).
std::string Sample(const std::string& metrics, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(metrics, '\n')) {
    if (absl::StartsWith(line, series + " ")) {
      return std::string(line.substr(series.size() + 1));
    }
  }
  return "";
}

TEST_CASE("a replica that dies holding a shard does not stall the run", "[balance][pg]") {
  Suite suite(Local(2024, 3, 5), /*shard_points=*/1);
  LoadThree(suite);
  const v1::BalanceRun clean = CleanRun(suite);
  const std::vector<v1::ServiceHour> expected = suite.AllServiceHours(clean.id());
  REQUIRE(expected.size() == 3 * 697);

  v1::BalanceRun run;
  REQUIRE_OK(suite.StartRun(Preliminary(), &run));
  // Replica A claims the first shard and dies: it never completes it.
  const absl::Time claimed_at = suite.clock.Now();
  absl::StatusOr<std::optional<Shard>> dying =
      suite.store().ClaimShard("replica-a", claimed_at, claimed_at - absl::Minutes(10));
  REQUIRE(dying.ok());
  REQUIRE(dying->has_value());
  CHECK((*dying)->shard_no == 1);
  CHECK(absl::StrCat((*dying)->run_id) == run.id());

  // Within the lease the other replica computes the rest but leaves A's shard.
  run = suite.Finish(run.id());
  CHECK(run.job().state() == common::v1::JOB_STATE_RUNNING);
  CHECK(run.job().done() == 2);
  CHECK(ShardOwner(suite, run.id(), 1) == "replica-a");

  // An operator sees the stuck claim's age grow.
  suite.SetNow(claimed_at + absl::Minutes(3));
  REQUIRE(suite.runs().RefreshGauges().ok());
  CHECK(Sample(suite.ScrapeMetrics(), "gridbill_balance_oldest_lease_age_seconds") == "180");

  // Once the lease (10 min) has expired, the shard is taken over and the run
  // completes with exactly the results of the run without the failure.
  suite.SetNow(claimed_at + absl::Minutes(10) + absl::Seconds(1));
  run = suite.Finish(run.id());
  INFO(run.DebugString());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(run.job().done() == 3);
  CHECK(ShardOwner(suite, run.id(), 1) == "test");
  const std::vector<v1::ServiceHour> hours = suite.AllServiceHours(run.id());
  CHECK(SameHours(expected, hours));
  CHECK(SumActual(hours) == SumActual(expected));
  CHECK(run.summary().point_days() == clean.summary().point_days());
  CHECK(run.summary().service_hours() == clean.summary().service_hours());
  CHECK(run.summary().closure().supply_wh() == clean.summary().closure().supply_wh());

  const std::string metrics = suite.ScrapeMetrics();
  CHECK(Sample(metrics, "gridbill_balance_shards_claimed_total{takeover=\"true\"}") == "1");
  CHECK(Sample(metrics, "gridbill_balance_shards_claimed_total{takeover=\"false\"}") == "5");
  REQUIRE(suite.runs().RefreshGauges().ok());
  CHECK(Sample(suite.ScrapeMetrics(), "gridbill_balance_oldest_lease_age_seconds") == "0");
}

TEST_CASE("a replica whose lease was taken over cannot store the shard", "[balance][pg]") {
  Suite suite(Local(2024, 3, 5), /*shard_points=*/1);
  LoadThree(suite);
  const v1::BalanceRun clean = CleanRun(suite);
  const std::vector<v1::ServiceHour> expected = suite.AllServiceHours(clean.id());

  v1::BalanceRun run;
  REQUIRE_OK(suite.StartRun(Preliminary(), &run));
  const absl::Duration lease = suite.runs().config().lease;
  absl::Time now = suite.clock.Now();
  absl::StatusOr<std::optional<Shard>> a = suite.store().ClaimShard("replica-a", now, now - lease);
  REQUIRE(a.ok());
  REQUIRE(a->has_value());
  CHECK((*a)->taken_over_from.empty());

  // A stalls past its lease; B takes the shard over (a new epoch).
  now += lease + absl::Seconds(1);
  suite.SetNow(now);
  absl::StatusOr<std::optional<Shard>> b = suite.store().ClaimShard("replica-b", now, now - lease);
  REQUIRE(b.ok());
  REQUIRE(b->has_value());
  CHECK((*b)->shard_no == (*a)->shard_no);
  CHECK((*b)->taken_over_from == "replica-a");
  CHECK((*b)->epoch == (*a)->epoch + 1);

  // A wakes up and completes while B holds the shard: nothing is stored.
  absl::StatusOr<bool> renewed = suite.store().RenewShard(**a, now);
  REQUIRE(renewed.ok());
  CHECK_FALSE(*renewed);
  absl::StatusOr<ShardCompletion> late = suite.store().CompleteShard(**a, Forged(), now);
  REQUIRE(late.ok());
  CHECK(*late == ShardCompletion::kDiscarded);
  CHECK(RowsOf(suite, run.id()) == 0);
  CHECK(suite.GetRun(run.id()).job().done() == 0);
  CHECK(ShardOwner(suite, run.id(), 1) == "replica-b");

  // B stalls too; this replica takes the shard over and stores it first...
  now += lease + absl::Seconds(1);
  suite.SetNow(now);
  absl::StatusOr<bool> worked = suite.runs().WorkOnce();
  REQUIRE(worked.ok());
  REQUIRE(*worked);
  CHECK(ShardOwner(suite, run.id(), 1) == "test");
  CHECK(RowsOf(suite, run.id()) == 697);
  // ...then B completes its stale claim: discarded, no duplicate results.
  late = suite.store().CompleteShard(**b, Forged(), now);
  REQUIRE(late.ok());
  CHECK(*late == ShardCompletion::kDiscarded);
  CHECK(RowsOf(suite, run.id()) == 697);
  CHECK(suite.GetRun(run.id()).job().done() == 1);

  run = suite.Finish(run.id());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(SameHours(expected, suite.AllServiceHours(run.id())));
  CHECK(run.summary().point_days() == clean.summary().point_days());
  CHECK(run.summary().quality().intervals() == clean.summary().quality().intervals());
}

// A replica's view of metering that stalls past the lease (meanwhile replica
// B takes the shard over) and then fails, as a lost connection would.
class StallingThenFailing final : public ReadingSource {
 public:
  explicit StallingThenFailing(Suite& suite) : suite_(suite) {}
  absl::Status StreamDays(const std::vector<std::string>&, const std::vector<int>&, absl::CivilDay,
                          absl::CivilDay, absl::Time,
                          const std::function<absl::Status(std::vector<PointDayIn>&)>&) override {
    const absl::Duration lease = suite_.runs().config().lease;
    const absl::Time later = suite_.clock.Now() + lease + absl::Seconds(1);
    suite_.SetNow(later);
    absl::StatusOr<std::optional<Shard>> b =
        suite_.store().ClaimShard("replica-b", later, later - lease);
    if (!b.ok()) return b.status();
    taken_over_ = b->has_value() && (*b)->taken_over_from == "replica-a";
    return absl::UnavailableError("metering StreamPointDays: connection reset");
  }
  bool taken_over_ = false;

 private:
  Suite& suite_;
};

TEST_CASE("a replica that fails after its shard was taken over does not fail the run",
          "[balance][pg]") {
  Suite suite(Local(2024, 3, 5), /*shard_points=*/1);
  LoadThree(suite);
  const v1::BalanceRun clean = CleanRun(suite);
  const std::vector<v1::ServiceHour> expected = suite.AllServiceHours(clean.id());

  v1::BalanceRun run;
  REQUIRE_OK(suite.StartRun(Preliminary(), &run));
  StallingThenFailing source(suite);
  RunsConfig config = suite.runs().config();
  config.worker_id = "replica-a";
  Runs replica_a(suite.store(), source, suite.declarations, suite.clock, config, suite.metrics());
  absl::StatusOr<bool> worked = replica_a.WorkOnce();
  REQUIRE(worked.ok());
  CHECK(*worked);
  REQUIRE(source.taken_over_);
  // A's error is not the run's: B holds the shard, the run goes on.
  CHECK(suite.GetRun(run.id()).job().state() == common::v1::JOB_STATE_RUNNING);
  CHECK(ShardOwner(suite, run.id(), 1) == "replica-b");

  // B dies too; after its lease this replica completes the run.
  suite.SetNow(suite.clock.Now() + config.lease + absl::Seconds(1));
  run = suite.Finish(run.id());
  INFO(run.DebugString());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(SameHours(expected, suite.AllServiceHours(run.id())));
}

// A replica's view of metering that fails while it holds the shard.
class Failing final : public ReadingSource {
 public:
  absl::Status StreamDays(const std::vector<std::string>&, const std::vector<int>&, absl::CivilDay,
                          absl::CivilDay, absl::Time,
                          const std::function<absl::Status(std::vector<PointDayIn>&)>&) override {
    return absl::UnavailableError("metering StreamPointDays: connection reset");
  }
};

TEST_CASE("a shard's error while its claim is held fails the run with that error",
          "[balance][pg]") {
  Suite suite(Local(2024, 3, 5), /*shard_points=*/1);
  LoadThree(suite);
  v1::BalanceRun run;
  REQUIRE_OK(suite.StartRun(Preliminary(), &run));
  Failing source;
  RunsConfig config = suite.runs().config();
  config.worker_id = "replica-a";
  Runs replica_a(suite.store(), source, suite.declarations, suite.clock, config, suite.metrics());
  absl::StatusOr<bool> worked = replica_a.WorkOnce();
  REQUIRE(worked.ok());
  CHECK(*worked);
  const v1::BalanceRun failed = suite.GetRun(run.id());
  CHECK(failed.job().state() == common::v1::JOB_STATE_FAILED);
  CHECK(absl::StrContains(failed.job().error(), "connection reset"));
  // Nothing is left to claim: the run ended.
  worked = suite.runs().WorkOnce();
  REQUIRE(worked.ok());
  CHECK_FALSE(*worked);
}

TEST_CASE("the balance metrics say what runs and shards did", "[balance][pg]") {
  Suite suite(Local(2024, 3, 5), /*shard_points=*/1);
  LoadThree(suite);
  std::string metrics = suite.ScrapeMetrics();
  // Every series exists before the first run, at 0.
  CHECK(Sample(metrics, "gridbill_balance_runs_started_total{type=\"final\"}") == "0");
  CHECK(Sample(metrics,
               "gridbill_balance_runs_ended_total{outcome=\"failed\",type=\"correction\"}") == "0");
  CHECK(Sample(metrics, "gridbill_balance_oldest_lease_age_seconds") == "0");

  // A final run that takes 90 s from StartRun to its last shard.
  v1::BalanceRun final_run;
  v1::StartRunRequest req = Preliminary();
  req.set_type(v1::RUN_TYPE_FINAL);
  REQUIRE_OK(suite.StartRun(req, &final_run));
  suite.SetNow(Local(2024, 3, 5) + absl::Seconds(90));
  final_run = suite.Finish(final_run.id());
  REQUIRE(final_run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  // A preliminary run, cancelled before any shard is computed.
  v1::BalanceRun cancelled;
  REQUIRE_OK(suite.StartRun(Preliminary(), &cancelled));
  v1::CancelRunRequest cancel;
  cancel.set_request_id(NewRequestId());
  cancel.set_run_id(cancelled.id());
  v1::CancelRunResponse cancel_resp;
  for (int i = 0; i < 2; ++i) {  // a second cancel of a cancelled run counts nothing
    grpc::ClientContext ctx;
    suite.AddWho(ctx);
    cancel.set_request_id(NewRequestId());
    REQUIRE_OK(suite.balance->CancelRun(&ctx, cancel, &cancel_resp));
  }

  metrics = suite.ScrapeMetrics();
  INFO(metrics);
  CHECK(Sample(metrics, "gridbill_balance_runs_started_total{type=\"final\"}") == "1");
  CHECK(Sample(metrics, "gridbill_balance_runs_started_total{type=\"preliminary\"}") == "1");
  CHECK(Sample(metrics,
               "gridbill_balance_runs_ended_total{outcome=\"succeeded\",type=\"final\"}") == "1");
  CHECK(Sample(metrics,
               "gridbill_balance_runs_ended_total{outcome=\"cancelled\","
               "type=\"preliminary\"}") == "1");
  CHECK(Sample(metrics, "gridbill_balance_runs_ended_total{outcome=\"failed\",type=\"final\"}") ==
        "0");
  CHECK(Sample(metrics, "gridbill_balance_last_run_duration_seconds{type=\"final\"}") == "90");
  CHECK(Sample(metrics, "gridbill_balance_last_run_duration_seconds{type=\"preliminary\"}") == "0");
  CHECK(Sample(metrics, "gridbill_balance_shards_claimed_total{takeover=\"false\"}") == "3");
  CHECK(Sample(metrics, "gridbill_balance_shards_claimed_total{takeover=\"true\"}") == "0");
  CHECK(Sample(metrics, "gridbill_balance_shards_completed_total{outcome=\"stored\"}") == "3");
  CHECK(Sample(metrics, "gridbill_balance_shards_completed_total{outcome=\"discarded\"}") == "0");
  CHECK(Sample(metrics, "gridbill_balance_shard_duration_seconds_count") == "3");
  CHECK(Sample(metrics, "gridbill_balance_shard_duration_seconds_bucket{le=\"+Inf\"}") == "3");
  // 3 points × 29 days of channel 01; 3 participants × 697 hours.
  CHECK(Sample(metrics, "gridbill_balance_point_day_reads_total") == "87");
  CHECK(final_run.summary().point_days() == 87);
  CHECK(Sample(metrics, "gridbill_balance_results_written_total{kind=\"service_hour\"}") == "2091");
  CHECK(Sample(metrics, "gridbill_balance_results_written_total{kind=\"node_hour\"}") == "0");
  // The job runner's own series (libs/jobs), the same in every service.
  CHECK(Sample(metrics, "gridbill_jobs_ended_total{kind=\"balance.run\",state=\"succeeded\"}") ==
        "1");
  CHECK(Sample(metrics, "gridbill_jobs_ended_total{kind=\"balance.run\",state=\"cancelled\"}") ==
        "1");
  CHECK(Sample(metrics, "gridbill_jobs_ended_total{kind=\"balance.run\",state=\"failed\"}") == "0");
  CHECK(Sample(metrics, "gridbill_jobs_pieces_done_total{kind=\"balance.run\"}") == "3");
  CHECK(Sample(metrics, "gridbill_jobs_piece_takeovers_total{kind=\"balance.run\"}") == "0");
  CHECK(Sample(metrics, "gridbill_jobs_duration_seconds_count{kind=\"balance.run\"}") == "1");

  // The exposition is valid for Prometheus.
  const std::string promtool =
      std::filesystem::exists("/usr/bin/promtool") ? "/usr/bin/promtool" : "promtool";
  const std::string file =
      (std::filesystem::temp_directory_path() / absl::StrCat("balance_metrics_", getpid()))
          .string();
  std::ofstream(file) << metrics;
  const int rc = std::system(
      absl::StrCat(promtool, " check metrics < ", file, " > ", file, ".out 2>&1").c_str());
  std::ifstream out(file + ".out");
  const std::string complaints((std::istreambuf_iterator<char>(out)),
                               std::istreambuf_iterator<char>());
  std::filesystem::remove(file);
  std::filesystem::remove(file + ".out");
  INFO("promtool: " << complaints);
  CHECK(rc == 0);
}

}  // namespace
}  // namespace gridbill::balance::testing
