// The change feed of ListApplications (changes_after) against real
// PostgreSQL through the gRPC edge: everything once, then only what changed,
// paged, bound to its filters, scoped to a participant, and never skipping a
// transaction that commits after a later one.
#include <set>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "harness.h"
#include "pg_test_util.h"

namespace gridbill::contracts::testing {
namespace {

using AS = v1::ApplicationService::Stub;
using pg::testing::RawConnection;

// One call of the feed after `cursor`; returns the ids in order and moves
// `cursor` to the answer's change_cursor.
std::vector<std::string> Changes(Harness& h, std::string* cursor, int page_size = 0,
                                 const Who& who = Who(), v1::ListApplicationsRequest req = {}) {
  req.mutable_changes_after()->set_cursor(*cursor);
  req.set_page_size(page_size);
  v1::ListApplicationsResponse resp;
  REQUIRE_OK(h.Call(*h.application_stub, &AS::ListApplications, req, &resp, who));
  std::vector<std::string> ids;
  for (const auto& a : resp.applications()) ids.push_back(a.id());
  if (ids.empty()) REQUIRE(resp.change_cursor() == *cursor);  // nothing new: same cursor back
  *cursor = resp.change_cursor();
  return ids;
}

// The rows of the feed until `want` came (or 20 s passed): a feed holds a row
// back while any older transaction on the server is still open (an
// autovacuum's analyze included), so a test reads on until it is caught up.
std::vector<std::string> Collect(Harness& h, std::string* cursor, size_t want, int page_size = 0,
                                 const Who& who = Who(), v1::ListApplicationsRequest req = {}) {
  std::vector<std::string> all;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (all.size() < want && absl::Now() < deadline) {
    std::vector<std::string> got = Changes(h, cursor, page_size, who, req);
    if (page_size > 0) REQUIRE(got.size() <= static_cast<size_t>(page_size));
    all.insert(all.end(), got.begin(), got.end());
    if (got.empty()) absl::SleepFor(absl::Milliseconds(50));
  }
  return all;
}

TEST_CASE("the application feed returns everything once, then only what changed") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  const std::string a = h.CreateApplication(p.id()).id();
  const std::string b = h.CreateApplication(p.id()).id();
  const std::string c = h.CreateApplication(p.id()).id();

  std::string cursor;
  CHECK(Collect(h, &cursor, 3) == std::vector<std::string>{a, b, c});  // oldest change first
  CHECK(!cursor.empty());
  CHECK(Changes(h, &cursor).empty());

  // A transition of b: only b comes back, at its new state.
  v1::Application moved;
  REQUIRE_OK(h.TransitionApplication(b, v1::APPLICATION_STATE_SUBMITTED, &moved));
  CHECK(Collect(h, &cursor, 1) == std::vector<std::string>{b});
  v1::ListApplicationsRequest submitted_only;
  submitted_only.set_state(v1::APPLICATION_STATE_SUBMITTED);
  std::string from_start;
  CHECK(Collect(h, &from_start, 1, 0, Who(), submitted_only) == std::vector<std::string>{b});
  CHECK(Changes(h, &cursor).empty());

  // Changed twice since the cursor: once, after the row changed before it.
  const std::string d = h.CreateApplication(p.id()).id();
  REQUIRE_OK(h.TransitionApplication(a, v1::APPLICATION_STATE_SUBMITTED, &moved));
  REQUIRE_OK(h.TransitionApplication(a, v1::APPLICATION_STATE_IN_REVIEW, &moved));
  CHECK(Collect(h, &cursor, 2) == std::vector<std::string>{d, a});
  CHECK(Changes(h, &cursor).empty());

  // The other filters still apply: only IN_REVIEW ones, from the start.
  std::string in_review;
  v1::ListApplicationsRequest only;
  only.set_state(v1::APPLICATION_STATE_IN_REVIEW);
  CHECK(Collect(h, &in_review, 1, 0, Who(), only) == std::vector<std::string>{a});
}

TEST_CASE("the application feed pages by page_size") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  std::vector<std::string> made;
  for (int i = 0; i < 5; ++i) made.push_back(h.CreateApplication(p.id()).id());
  std::string cursor;
  CHECK(Collect(h, &cursor, 5, 2) == made);  // no page above 2
  CHECK(Changes(h, &cursor, 2).empty());
}

TEST_CASE("an edited or foreign cursor is refused naming changes_after.cursor") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  h.CreateApplication(p.id());
  std::string cursor;
  REQUIRE(Collect(h, &cursor, 1).size() == 1);
  auto call = [&](const std::string& c, v1::ListApplicationsRequest req = {}) {
    req.mutable_changes_after()->set_cursor(c);
    v1::ListApplicationsResponse resp;
    return h.Call(*h.application_stub, &AS::ListApplications, req, &resp);
  };
  REQUIRE_OK(call(cursor));
  std::string edited = cursor;
  edited[edited.size() / 2] = edited[edited.size() / 2] == 'A' ? 'B' : 'A';
  REQUIRE_GRPC(call(edited), grpc::StatusCode::INVALID_ARGUMENT, "changes_after.cursor");
  REQUIRE_GRPC(call("not-a-cursor"), grpc::StatusCode::INVALID_ARGUMENT, "changes_after.cursor");
  // Issued for other filters.
  v1::ListApplicationsRequest typed;
  typed.set_type(v1::APPLICATION_TYPE_DECLARED_VOLUMES);
  REQUIRE_GRPC(call(cursor, typed), grpc::StatusCode::INVALID_ARGUMENT, "changes_after.cursor");
  // A page token is not a cursor.
  v1::ListApplicationsRequest paged;
  paged.set_page_size(1);
  h.CreateApplication(p.id());
  v1::ListApplicationsResponse page;
  REQUIRE_OK(h.Call(*h.application_stub, &AS::ListApplications, paged, &page));
  REQUIRE(!page.next_page_token().empty());
  REQUIRE_GRPC(call(page.next_page_token()), grpc::StatusCode::INVALID_ARGUMENT,
               "changes_after.cursor");
}

TEST_CASE("a participant's user follows the feed of its own applications only") {
  Harness h;
  v1::Participant p1 = h.CreateParticipant(1);
  v1::Participant p2 = h.CreateParticipant(2);
  const std::string mine = h.CreateApplication(p1.id()).id();
  h.CreateApplication(p2.id());
  std::string cursor;
  CHECK(Collect(h, &cursor, 1, 0, ParticipantUser(p1.id())) == std::vector<std::string>{mine});
  h.MoveApplication(h.CreateApplication(p2.id()).id(), v1::APPLICATION_STATE_SUBMITTED);
  std::string all;
  REQUIRE(Collect(h, &all, 3).size() == 3);  // caught up with everything
  CHECK(Changes(h, &cursor, 0, ParticipantUser(p1.id())).empty());

  v1::ListApplicationsRequest theirs;
  theirs.set_participant_id(p2.id());
  theirs.mutable_changes_after();
  v1::ListApplicationsResponse resp;
  REQUIRE_GRPC(
      h.Call(*h.application_stub, &AS::ListApplications, theirs, &resp, ParticipantUser(p1.id())),
      grpc::StatusCode::PERMISSION_DENIED, "participant_id");
}

TEST_CASE("a transaction that commits after a later one is not skipped by the feed") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  const std::string a = h.CreateApplication(p.id()).id();
  const std::string b = h.CreateApplication(p.id()).id();
  const std::string c = h.CreateApplication(p.id()).id();
  std::string cursor;
  REQUIRE(Collect(h, &cursor, 3).size() == 3);

  RawConnection first(h.db.conninfo());
  RawConnection second(h.db.conninfo());
  auto touch = [](RawConnection& conn, const std::string& id) {
    conn.Run("UPDATE applications SET subject = subject || '.' WHERE id = '" + id + "'");
  };

  SECTION("the earlier writer commits last") {
    first.Run("BEGIN");
    touch(first, a);  // takes its position first
    second.Run("BEGIN");
    touch(second, b);  // a later position
    second.Run("COMMIT");
    // b is committed, but a transaction older than it is still open: the
    // cursor does not move past it.
    CHECK(Changes(h, &cursor).empty());
    first.Run("COMMIT");
    CHECK(Collect(h, &cursor, 2) == std::vector<std::string>{a, b});
    CHECK(Changes(h, &cursor).empty());
  }

  SECTION("a transaction that started first writes after a later one committed") {
    first.Run("BEGIN");
    first.Run("SELECT pg_current_xact_id()");  // the older transaction
    second.Run("BEGIN");
    touch(second, b);
    second.Run("COMMIT");
    CHECK(Changes(h, &cursor).empty());
    touch(first, c);  // a higher sequence number than b's, in the older transaction
    CHECK(Changes(h, &cursor).empty());
    first.Run("COMMIT");
    std::vector<std::string> got = Collect(h, &cursor, 2);
    CHECK(std::set<std::string>(got.begin(), got.end()) == std::set<std::string>{b, c});
    CHECK(got.size() == 2);
    CHECK(Changes(h, &cursor).empty());
  }

  SECTION("a rolled-back change leaves nothing to read") {
    first.Run("BEGIN");
    touch(first, a);
    touch(second, c);  // autocommit, later
    CHECK(Changes(h, &cursor).empty());
    first.Run("ROLLBACK");
    CHECK(Collect(h, &cursor, 1) == std::vector<std::string>{c});
    CHECK(Changes(h, &cursor).empty());
  }
}

}  // namespace
}  // namespace gridbill::contracts::testing
