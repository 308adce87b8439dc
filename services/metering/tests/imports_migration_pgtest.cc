// Imports stored before they became jobs (libs/jobs) are carried over: a
// finished import keeps its state, progress and counts; one left open had
// no file kept to resume from and is failed.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "catch2/catch.hpp"
#include "gridbill/pgtest/migration_test.h"
#include "pg_store.h"

namespace gridbill::metering {
namespace {

TEST_CASE("imports stored before the jobs migration carry over", "[metering][pg]") {
  std::unique_ptr<pgtest::Database> db = pgtest::MigratedOver(
      GRIDBILL_METERING_MIGRATIONS_DIR, "V005__jobs.sql",
      {"INSERT INTO import_jobs (id, request_id, fingerprint, actor, file_name, state, done, "
       "total, readings, accepted, unchanged, create_time, start_time, finish_time) VALUES "
       "('imp-done', 'req-1', 'f1', 'op', 'a.csv', 3, 2, 2, 5, 4, 1, now(), now(), now())",
       "INSERT INTO import_jobs (id, request_id, fingerprint, actor, file_name, state, done, "
       "total, readings, accepted, create_time, start_time) VALUES "
       "('imp-open', 'req-2', 'f2', 'op', 'b.csv', 2, 1, 3, 72, 24, now(), now())"});

  PgStore store(db->pool());
  absl::StatusOr<ImportJob> done = store.FindImportJob("req-1");
  REQUIRE(done.ok());
  CHECK(done->id == "imp-done");
  CHECK(done->state == JobState::kSucceeded);
  CHECK(done->done == 2);
  CHECK(done->total == 2);
  CHECK(done->summary.accepted == 4);
  CHECK(done->summary.unchanged == 1);
  CHECK(done->finish_time.has_value());
  absl::StatusOr<ImportJob> open = store.GetImportJob("imp-open");
  REQUIRE(open.ok());
  CHECK(open->state == JobState::kFailed);
  CHECK(open->done == 1);
  CHECK(open->summary.accepted == 24);
  CHECK(absl::StrContains(open->error, "interrupted by restart"));
  CHECK(open->finish_time.has_value());
  // Nothing is left for a runner to resume.
  absl::StatusOr<int64_t> still_open = store.Jobs().CountOpen({kImportJobKind});
  REQUIRE(still_open.ok());
  CHECK(*still_open == 0);
}

}  // namespace
}  // namespace gridbill::metering
