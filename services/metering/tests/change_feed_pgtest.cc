// ListImports against real PostgreSQL through the gRPC edge: newest first
// by pages, and its change feed (changes_after): every import once, then
// only the imports that started or progressed, paged, bound to the list,
// refused to a participant's user, and never skipping a transaction that
// commits after a later one.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "harness.h"
#include "pg_test_util.h"

namespace gridbill::metering::testing {
namespace {

using IStub = v1::ImportService::Stub;
using pg::testing::RawConnection;

std::string StartImport(Harness& h, const std::string& point) {
  v1::StartImportRequest req;
  req.set_request_id(NewRequestId());
  req.set_file_name(point + ".csv");
  req.set_format(v1::IMPORT_FORMAT_CSV);
  req.set_unit(v1::ENERGY_UNIT_WH);
  req.set_content(absl::StrCat("point_code,channel,interval_start,value\n", point,
                               ",01,2024-01-15 00:00,1000\n", point,
                               ",01,2024-01-15 01:00,2000\n"));
  v1::StartImportResponse resp;
  REQUIRE_OK(h.Call(*h.import_stub, &IStub::StartImport, req, &resp));
  return resp.job().id();
}

grpc::Status CallFeed(Harness& h, const std::string& cursor, v1::ListImportsResponse* resp,
                      int page_size = 0, const Who& who = Who()) {
  v1::ListImportsRequest req;
  req.mutable_changes_after()->set_cursor(cursor);
  req.set_page_size(page_size);
  return h.Call(*h.import_stub, &IStub::ListImports, req, resp, who);
}

// One call of the feed after `cursor`: the imports returned; `cursor` moves
// to the answer's change_cursor (the same one back when none).
std::vector<v1::ImportJob> Feed(Harness& h, std::string* cursor, int page_size = 0) {
  v1::ListImportsResponse resp;
  REQUIRE_OK(CallFeed(h, *cursor, &resp, page_size));
  if (page_size > 0) REQUIRE(resp.imports_size() <= page_size);
  if (resp.imports().empty()) REQUIRE(resp.change_cursor() == *cursor);
  *cursor = resp.change_cursor();
  return {resp.imports().begin(), resp.imports().end()};
}

std::vector<std::string> Ids(const std::vector<v1::ImportJob>& imports) {
  std::vector<std::string> ids;
  for (const auto& i : imports) ids.push_back(i.job().id());
  return ids;
}

// The feed's imports until `want` came (or 20 s passed): a feed holds a row
// back while any older transaction on the server is still open (an
// autovacuum's analyze included), so a test reads on until it is caught up.
std::vector<v1::ImportJob> Collect(Harness& h, std::string* cursor, size_t want,
                                   int page_size = 0) {
  std::vector<v1::ImportJob> all;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (all.size() < want && absl::Now() < deadline) {
    std::vector<v1::ImportJob> got = Feed(h, cursor, page_size);
    all.insert(all.end(), got.begin(), got.end());
    if (got.empty()) absl::SleepFor(absl::Milliseconds(50));
  }
  return all;
}

TEST_CASE("the import feed returns each import as it starts and progresses, once per change") {
  Harness h(WriteMethod::kCopyBinary, /*start_import_worker=*/false);
  h.CreatePoint("MP-1");
  h.CreatePoint("MP-2");
  const std::string a = StartImport(h, "MP-1");

  std::string cursor;
  std::vector<v1::ImportJob> got = Collect(h, &cursor, 1);
  REQUIRE(Ids(got) == std::vector<std::string>{a});
  CHECK(got[0].job().state() == common::v1::JOB_STATE_PENDING);
  CHECK(got[0].file_name() == "MP-1.csv");
  CHECK(Feed(h, &cursor).empty());

  REQUIRE(*h.imports.WorkOnce(a));  // split: running
  got = Collect(h, &cursor, 1);
  REQUIRE(Ids(got) == std::vector<std::string>{a});
  CHECK(got[0].job().state() == common::v1::JOB_STATE_RUNNING);
  CHECK(Feed(h, &cursor).empty());

  auto done = h.imports.Execute(a, absl::Seconds(60));
  REQUIRE(done.ok());
  REQUIRE(done->state == JobState::kSucceeded);
  got = Collect(h, &cursor, 1);
  REQUIRE(Ids(got) == std::vector<std::string>{a});
  CHECK(got[0].job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(got[0].summary().accepted() == 2);
  CHECK(Feed(h, &cursor).empty());

  h.clock.Advance(absl::Minutes(1));
  const std::string b = StartImport(h, "MP-2");
  CHECK(Ids(Collect(h, &cursor, 1)) == std::vector<std::string>{b});
  CHECK(Feed(h, &cursor).empty());

  // Paged by page_size: one import a call, by latest change, then nothing.
  std::string paged;
  CHECK(Ids(Collect(h, &paged, 2, 1)) == std::vector<std::string>{a, b});
  CHECK(Feed(h, &paged, 1).empty());

  // The list without a feed: newest first, by pages.
  v1::ListImportsRequest list;
  list.set_page_size(1);
  std::vector<std::string> listed;
  for (int pages = 0; pages < 5; ++pages) {
    v1::ListImportsResponse page;
    REQUIRE_OK(h.Call(*h.import_stub, &IStub::ListImports, list, &page));
    for (const auto& i : page.imports()) listed.push_back(i.job().id());
    if (page.next_page_token().empty()) break;
    list.set_page_token(page.next_page_token());
  }
  CHECK(listed == std::vector<std::string>{b, a});

  // An edited cursor, or a page token, is not a cursor.
  v1::ListImportsResponse resp;
  std::string edited = cursor;
  edited[edited.size() / 2] = edited[edited.size() / 2] == 'Q' ? 'R' : 'Q';
  REQUIRE_GRPC(CallFeed(h, edited, &resp), grpc::StatusCode::INVALID_ARGUMENT,
               "changes_after.cursor");
  list.clear_page_token();
  v1::ListImportsResponse first_page;
  REQUIRE_OK(h.Call(*h.import_stub, &IStub::ListImports, list, &first_page));
  REQUIRE_GRPC(CallFeed(h, first_page.next_page_token(), &resp), grpc::StatusCode::INVALID_ARGUMENT,
               "changes_after.cursor");
  // Imports are the TSO's: a participant's user has no list of them.
  REQUIRE_GRPC(CallFeed(h, "", &resp, 0, Who{"u@p1", "ROLE_PARTICIPANT_USER", "p-1"}),
               grpc::StatusCode::PERMISSION_DENIED, "");
}

TEST_CASE("an import changed by a transaction that commits after a later one is not skipped") {
  Harness h(WriteMethod::kCopyBinary, /*start_import_worker=*/false);
  h.CreatePoint("MP-1");
  h.CreatePoint("MP-2");
  const std::string a = StartImport(h, "MP-1");
  const std::string b = StartImport(h, "MP-2");
  std::string cursor;
  REQUIRE(Collect(h, &cursor, 2).size() == 2);

  RawConnection first(h.db.conninfo());
  RawConnection second(h.db.conninfo());
  auto touch = [](RawConnection& conn, const std::string& id) {
    conn.Run(absl::StrCat("UPDATE import_jobs SET flagged = flagged + 1 WHERE id = '", id, "'"));
  };
  first.Run("BEGIN");
  touch(first, a);  // the earlier position
  second.Run("BEGIN");
  touch(second, b);
  second.Run("COMMIT");
  CHECK(Feed(h, &cursor).empty());  // b waits for the older transaction
  first.Run("COMMIT");
  CHECK(Ids(Collect(h, &cursor, 2)) == std::vector<std::string>{a, b});
  CHECK(Feed(h, &cursor).empty());

  // A job's claim or heartbeat is not a change of its import.
  first.Run(absl::StrCat("UPDATE jobs SET claimed_at = now() WHERE id = '", a, "'"));
  CHECK(Feed(h, &cursor).empty());
}

}  // namespace
}  // namespace gridbill::metering::testing
