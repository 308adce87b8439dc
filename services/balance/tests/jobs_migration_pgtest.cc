// Rows stored before a migration carry over. Runs and shard claims stored
// before balance runs became jobs (libs/jobs): a finished run keeps its
// state, a running run's claims keep their holder and epoch, and a claim that
// expires is taken over. Node results stored before generation and
// consumption were recorded (V007): kept as they were, both read as 0.
#include <optional>
#include <string>
#include <vector>

#include "catch2/catch.hpp"
#include "gridbill/pgtest/migration_test.h"
#include "pg_store.h"

namespace gridbill::balance {
namespace {

TEST_CASE("runs and shard claims stored before the jobs migration carry over", "[balance][pg]") {
  const absl::Time claimed = absl::FromUnixSeconds(1'780'000'000);
  std::unique_ptr<pgtest::Database> db = pgtest::MigratedOver(
      GRIDBILL_BALANCE_MIGRATIONS_DIR, "V003__jobs.sql",
      {"INSERT INTO runs (period, type, state, done, total, create_time, start_time, "
       "finish_time, summary_text, created_by, readings_as_of, computed_until, time_zone, "
       "closure_tolerance_percent) VALUES ('2026-01-01', 1, 3, 1, 1, now(), now(), now(), "
       "'grid closure holds', 'op', now(), now(), 'Asia/Almaty', '0.5')",
       "INSERT INTO runs (period, type, state, done, total, create_time, start_time, "
       "created_by, readings_as_of, computed_until, time_zone, closure_tolerance_percent) "
       "VALUES ('2026-02-01', 1, 2, 1, 2, now(), now(), 'op', now(), now(), 'Asia/Almaty', "
       "'0.5')",
       "INSERT INTO run_shards (run_id, shard_no, scheme_ids, closure_terms, state, "
       "claimed_by, claimed_at, claim_epoch) VALUES (1, 1, '{}', '{}', 2, 'x', now(), 1), "
       "(2, 1, '{}', '{}', 2, 'x', now(), 1), (2, 2, '{}', '{}', 1, 'replica-a', "
       "to_timestamp(1780000000), 3)"});

  PgStore store(db->pool());
  jobs::PgJobs job_store(db->pool());
  absl::StatusOr<jobs::Job> done = job_store.Get("1");
  REQUIRE(done.ok());
  CHECK(done->state == jobs::State::kSucceeded);
  CHECK(done->summary == "grid closure holds");
  absl::StatusOr<jobs::Job> running = job_store.Get("2");
  REQUIRE(running.ok());
  CHECK(running->state == jobs::State::kRunning);
  CHECK(running->done == 1);
  CHECK(running->total == 2);
  // The claim of replica-a holds until its lease expires, then is taken over.
  absl::StatusOr<std::optional<Shard>> early =
      store.ClaimShard("replica-b", claimed + absl::Minutes(5), claimed - absl::Minutes(5));
  REQUIRE(early.ok());
  CHECK(!early->has_value());
  absl::StatusOr<std::optional<Shard>> later =
      store.ClaimShard("replica-b", claimed + absl::Minutes(11), claimed + absl::Minutes(1));
  REQUIRE(later.ok());
  REQUIRE(later->has_value());
  CHECK((*later)->run_id == 2);
  CHECK((*later)->shard_no == 2);
  CHECK((*later)->epoch == 4);
  CHECK((*later)->taken_over_from == "replica-a");
  absl::StatusOr<std::optional<absl::Time>> oldest = store.OldestClaim();
  REQUIRE(oldest.ok());
  CHECK(*oldest == std::optional<absl::Time>(claimed + absl::Minutes(11)));
}

TEST_CASE("node results of a run stored before V007 keep their figures, split 0", "[balance][pg]") {
  std::unique_ptr<pgtest::Database> db = pgtest::MigratedOver(
      GRIDBILL_BALANCE_MIGRATIONS_DIR, "V007__node_generation_consumption.sql",
      {"INSERT INTO runs (period, type, state, done, total, create_time, start_time, "
       "finish_time, summary_text, created_by, readings_as_of, computed_until, time_zone, "
       "closure_tolerance_percent) VALUES ('2026-01-01', 2, 3, 1, 1, now(), now(), now(), "
       "'grid closure holds', 'op', now(), now(), 'Asia/Almaty', '0.5')",
       "INSERT INTO node_hours (run_id, node_code, kind, hour_start, inflow_wh, outflow_wh, "
       "normative_loss_percent, intervals, estimated, missing) VALUES "
       "(1, 'N-1', 2, '2025-12-31T19:00:00Z', 1000, 970, '3.5', 1, 0, 0), "
       "(1, 'N-1', 2, '2025-12-31T20:00:00Z', 1100, 1060, '3.5', 1, 0, 0)"});
  PgStore store(db->pool());
  paging::Page page;
  page.size = 10;
  absl::StatusOr<paging::PageOf<NodeTotal>> totals = store.NodeTotals(1, page);
  REQUIRE(totals.ok());
  REQUIRE(totals->items.size() == 1);
  const NodeTotal& n = totals->items[0];
  CHECK(n.inflow_wh == 2100);
  CHECK(n.outflow_wh == 2030);
  CHECK(n.generation_wh == 0);
  CHECK(n.consumption_wh == 0);
  absl::StatusOr<paging::PageOf<NodeHour>> hours = store.ListNodeHours(1, "N-1", page);
  REQUIRE(hours.ok());
  REQUIRE(hours->items.size() == 2);
  CHECK(hours->items[1].inflow_wh == 1100);
  CHECK(hours->items[1].consumption_wh == 0);
}

}  // namespace
}  // namespace gridbill::balance
