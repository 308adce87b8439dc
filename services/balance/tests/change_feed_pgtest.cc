// The change feed of ListRuns (changes_after) against real PostgreSQL
// through the gRPC edge: every run once, then only the runs that changed
// (started, progressed, finished), paged, bound to its filters, refused to
// a participant's user, and never skipping a transaction that commits after
// a later one.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "harness.h"
#include "pg_test_util.h"

namespace gridbill::balance::testing {
namespace {

using metering::v1::CHANNEL_ACTIVE_RECEIVED;
using pg::testing::RawConnection;

// One hourly point of one participant, every hour of February 2024, and its scheme.
void LoadFebruary(Suite& suite) {
  suite.CreatePoint("X1", metering::v1::RESOLUTION_PT60M, "P1", D(2024, 1, 1));
  std::vector<metering::v1::Reading> batch;
  for (absl::Time t = Local(2024, 2, 1); t < Local(2024, 3, 1); t += absl::Hours(1)) {
    batch.push_back(R("X1", t, 100));
  }
  suite.Ingest(batch);
  v1::Scheme s;
  s.set_kind(v1::SCHEME_KIND_PARTICIPANT_SERVICE);
  s.set_participant_id("P1");
  s.set_service_type(contracts::v1::SERVICE_TYPE_TRANSMISSION);
  v1::SchemeTerm* t = s.add_terms();
  t->set_point_code("X1");
  t->set_channel(CHANNEL_ACTIVE_RECEIVED);
  t->set_role(v1::TERM_ROLE_ADD);
  *s.mutable_valid_from() = D(2024, 1, 1);
  REQUIRE_OK(suite.DefineScheme(s));
}

std::string StartRun(Suite& suite, int y, int m, v1::RunType type) {
  v1::StartRunRequest req;
  *req.mutable_period() = P(y, m);
  req.set_type(type);
  v1::BalanceRun run;
  REQUIRE_OK(suite.StartRun(req, &run));
  return run.id();
}

grpc::Status CallFeed(Suite& suite, const std::string& cursor, v1::ListRunsResponse* resp,
                      int page_size = 0, v1::ListRunsRequest req = {},
                      const std::string& participant = "") {
  req.mutable_changes_after()->set_cursor(cursor);
  req.set_page_size(page_size);
  grpc::ClientContext ctx;
  suite.AddWho(ctx, participant);
  return suite.balance->ListRuns(&ctx, req, resp);
}

// One call of the feed after `cursor`: the run ids in order; `cursor` moves
// to the answer's change_cursor (the same one back when none).
std::vector<std::string> Feed(Suite& suite, std::string* cursor, int page_size = 0,
                              v1::ListRunsRequest req = {}) {
  v1::ListRunsResponse resp;
  REQUIRE_OK(CallFeed(suite, *cursor, &resp, page_size, req));
  std::vector<std::string> ids;
  for (const auto& r : resp.runs()) {
    ids.push_back(absl::StrCat(r.id(), " ", common::v1::JobState_Name(r.job().state())));
  }
  if (page_size > 0) REQUIRE(ids.size() <= static_cast<size_t>(page_size));
  if (ids.empty()) REQUIRE(resp.change_cursor() == *cursor);
  *cursor = resp.change_cursor();
  return ids;
}

// The feed's items until `want` came (or 20 s passed): a feed holds a row
// back while any older transaction on the server is still open (an
// autovacuum's analyze included), so a test reads on until it is caught up.
std::vector<std::string> Collect(Suite& suite, std::string* cursor, size_t want, int page_size = 0,
                                 v1::ListRunsRequest req = {}) {
  std::vector<std::string> all;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (all.size() < want && absl::Now() < deadline) {
    std::vector<std::string> got = Feed(suite, cursor, page_size, req);
    all.insert(all.end(), got.begin(), got.end());
    if (got.empty()) absl::SleepFor(absl::Milliseconds(50));
  }
  return all;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST_CASE("the balance run feed returns every run once, then only the runs that changed",
          "[balance][pg]") {
  Suite suite(Local(2024, 3, 10, 12));
  LoadFebruary(suite);
  const std::string preliminary = StartRun(suite, 2024, 3, v1::RUN_TYPE_PRELIMINARY);
  std::string cursor;
  const std::string pending = " JOB_STATE_PENDING";
  CHECK(Collect(suite, &cursor, 1) == std::vector<std::string>{preliminary + pending});
  CHECK(Feed(suite, &cursor).empty());

  const std::string final_run = StartRun(suite, 2024, 2, v1::RUN_TYPE_FINAL);
  CHECK(Collect(suite, &cursor, 1) == std::vector<std::string>{final_run + pending});
  // Finish works every shard left: both runs change many times (running,
  // each shard, succeeded) and each comes once, as it is now.
  suite.Finish(final_run);
  const std::string succeeded = final_run + " JOB_STATE_SUCCEEDED";
  const std::vector<std::string> both = Sorted({preliminary + " JOB_STATE_SUCCEEDED", succeeded});
  CHECK(Sorted(Collect(suite, &cursor, 2)) == both);
  CHECK(Feed(suite, &cursor).empty());

  // The other filters apply: only final runs, from the first change.
  std::string finals;
  v1::ListRunsRequest only_final;
  only_final.set_type(v1::RUN_TYPE_FINAL);
  CHECK(Collect(suite, &finals, 1, 0, only_final) == std::vector<std::string>{succeeded});

  // Paged: one run a call, then nothing.
  std::string paged;
  CHECK(Sorted(Collect(suite, &paged, 2, 1)) == both);
  CHECK(Feed(suite, &paged, 1).empty());
  v1::ListRunsResponse resp;

  // An edited cursor, or one issued for other filters.
  std::string edited = cursor;
  edited[edited.size() / 2] = edited[edited.size() / 2] == 'Q' ? 'R' : 'Q';
  REQUIRE_GRPC(CallFeed(suite, edited, &resp), grpc::StatusCode::INVALID_ARGUMENT,
               "changes_after.cursor");
  REQUIRE_GRPC(CallFeed(suite, cursor, &resp, 0, only_final), grpc::StatusCode::INVALID_ARGUMENT,
               "changes_after.cursor");
  // Runs are the TSO's: a participant's user has no feed of them.
  REQUIRE_GRPC(CallFeed(suite, "", &resp, 0, {}, "P1"), grpc::StatusCode::PERMISSION_DENIED, "");
}

TEST_CASE("a run changed by a transaction that commits after a later one is not skipped",
          "[balance][pg]") {
  Suite suite(Local(2024, 3, 10, 12));
  LoadFebruary(suite);
  const std::string february = StartRun(suite, 2024, 2, v1::RUN_TYPE_PRELIMINARY);
  const std::string march = StartRun(suite, 2024, 3, v1::RUN_TYPE_PRELIMINARY);
  std::string cursor;
  REQUIRE(Collect(suite, &cursor, 2).size() == 2);

  auto db = suite.balance_pool().Execute(pg::Query{"", "SELECT current_database()"});
  REQUIRE(db.ok());
  const std::string conninfo = pgtest::Cluster::Get().Conninfo((*db)[0].String(0));
  RawConnection first(conninfo);
  RawConnection second(conninfo);
  auto touch = [](RawConnection& conn, const std::string& id) {
    conn.Run(absl::StrCat("UPDATE runs SET summary_text = summary_text || '.' WHERE id = ", id));
  };
  first.Run("BEGIN");
  touch(first, february);  // the earlier position
  second.Run("BEGIN");
  touch(second, march);
  second.Run("COMMIT");
  CHECK(Feed(suite, &cursor).empty());  // march waits for the older transaction
  first.Run("COMMIT");
  CHECK(Collect(suite, &cursor, 2) ==
        std::vector<std::string>{february + " JOB_STATE_PENDING", march + " JOB_STATE_PENDING"});
  CHECK(Feed(suite, &cursor).empty());
}

}  // namespace
}  // namespace gridbill::balance::testing
