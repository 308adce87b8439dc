// Runs against the real metering service: a whole month (February 2024 in
// Asia/Almaty, 697 hours), recomputation from recorded inputs after later
// revisions, diffs, corrections, and the bad-input and state-conflict cases.
#include "absl/strings/str_cat.h"
#include "gridbill/server/proto_convert.h"
#include "harness.h"

namespace gridbill::balance::testing {
namespace {

using metering::v1::CHANNEL_ACTIVE_RECEIVED;

v1::Scheme OnePointScheme(const std::string& participant, contracts::v1::ServiceType service,
                          const std::string& point, common::v1::Date from) {
  v1::Scheme s;
  s.set_kind(v1::SCHEME_KIND_PARTICIPANT_SERVICE);
  s.set_participant_id(participant);
  s.set_service_type(service);
  v1::SchemeTerm* t = s.add_terms();
  t->set_point_code(point);
  t->set_channel(CHANNEL_ACTIVE_RECEIVED);
  t->set_role(v1::TERM_ROLE_ADD);
  *s.mutable_valid_from() = from;
  return s;
}

v1::StartRunRequest RunOf(int y, int m, v1::RunType type) {
  v1::StartRunRequest req;
  *req.mutable_period() = P(y, m);
  req.set_type(type);
  return req;
}

// Two participants with one hourly point each, every hour of February 2024.
void LoadFebruary(Suite& suite) {
  suite.CreatePoint("X1", metering::v1::RESOLUTION_PT60M, "P1", D(2024, 1, 1));
  suite.CreatePoint("X2", metering::v1::RESOLUTION_PT60M, "P2", D(2024, 1, 1));
  std::vector<metering::v1::Reading> batch;
  const absl::Time start = Local(2024, 2, 1);
  const absl::Time end = Local(2024, 3, 1);
  for (absl::Time t = start; t < end; t += absl::Hours(1)) {
    batch.push_back(R("X1", t, 100));
    batch.push_back(R("X2", t, 200));
  }
  REQUIRE(batch.size() == 2 * 697);
  suite.Ingest(batch);
  REQUIRE_OK(suite.DefineScheme(
      OnePointScheme("P1", contracts::v1::SERVICE_TYPE_TRANSMISSION, "X1", D(2024, 1, 1))));
  REQUIRE_OK(suite.DefineScheme(
      OnePointScheme("P2", contracts::v1::SERVICE_TYPE_BALANCING, "X2", D(2024, 1, 1))));
}

v1::DiffRunsResponse Diff(Suite& suite, const std::string& base, const std::string& other) {
  v1::DiffRunsRequest req;
  req.set_base_run_id(base);
  req.set_other_run_id(other);
  v1::DiffRunsResponse resp;
  grpc::ClientContext ctx;
  suite.AddWho(ctx);
  REQUIRE_OK(suite.balance->DiffRuns(&ctx, req, &resp));
  return resp;
}

bool SameHours(const std::vector<v1::ServiceHour>& a, const std::vector<v1::ServiceHour>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].SerializeAsString() != b[i].SerializeAsString()) return false;
  }
  return true;
}

TEST_CASE("February 2024 gives 697 hourly results per participant and service", "[balance][pg]") {
  Suite suite(Local(2024, 3, 5));
  LoadFebruary(suite);
  v1::BalanceRun run;
  REQUIRE_OK(suite.StartRun(RunOf(2024, 2, v1::RUN_TYPE_FINAL), &run));
  run = suite.Finish(run.id());
  INFO(run.DebugString());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(run.summary().hours() == 697);
  for (const char* p : {"P1", "P2"}) {
    const std::vector<v1::ServiceHour> hours = suite.AllServiceHours(run.id(), p);
    REQUIRE(hours.size() == 697);
    CHECK(FromProtoTime(hours.front().hour_start()) == Local(2024, 2, 1));
    // The last hour is 29 February 23:00 at UTC+5 (the zone changed at midnight).
    CHECK(FromProtoTime(hours.back().hour_start()) ==
          absl::FromCivil(absl::CivilSecond(2024, 2, 29, 18, 0, 0), absl::UTCTimeZone()));
    int64_t missing = 0;
    for (const auto& h : hours) missing += h.quality().missing();
    CHECK(missing == 0);
  }
  v1::GetBillingRunRequest breq;
  *breq.mutable_period() = P(2024, 2);
  v1::GetBillingRunResponse bresp;
  grpc::ClientContext ctx;
  suite.AddWho(ctx);
  REQUIRE_OK(suite.balance->GetBillingRun(&ctx, breq, &bresp));
  CHECK(bresp.run().id() == run.id());
}

TEST_CASE("runs list a page at a time, newest first, each once", "[balance][pg]") {
  Suite suite(Local(2024, 3, 10, 12));
  LoadFebruary(suite);
  v1::BalanceRun run;
  REQUIRE_OK(suite.StartRun(RunOf(2024, 3, v1::RUN_TYPE_PRELIMINARY), &run));
  const std::string preliminary_id = run.id();
  v1::BalanceRun final_run;
  REQUIRE_OK(suite.StartRun(RunOf(2024, 2, v1::RUN_TYPE_FINAL), &final_run));
  final_run = suite.Finish(final_run.id());
  REQUIRE(final_run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  v1::BalanceRun correction;
  REQUIRE_OK(suite.StartRun(RunOf(2024, 2, v1::RUN_TYPE_CORRECTION), &correction));

  v1::ListRunsRequest lreq;
  lreq.set_page_size(1);
  std::vector<std::string> listed;
  do {
    v1::ListRunsResponse page;
    grpc::ClientContext ctx;
    suite.AddWho(ctx);
    REQUIRE_OK(suite.balance->ListRuns(&ctx, lreq, &page));
    REQUIRE(page.runs_size() == 1);
    REQUIRE(listed.size() < 3);
    listed.push_back(page.runs(0).id());
    lreq.set_page_token(page.next_page_token());
  } while (!lreq.page_token().empty());
  CHECK(listed == std::vector<std::string>{correction.id(), final_run.id(), preliminary_id});
}

TEST_CASE("a final run recomputed from its recorded inputs after later revisions is identical",
          "[balance][pg]") {
  Suite suite(Local(2024, 3, 5));
  LoadFebruary(suite);
  v1::BalanceRun final_run;
  REQUIRE_OK(suite.StartRun(RunOf(2024, 2, v1::RUN_TYPE_FINAL), &final_run));
  final_run = suite.Finish(final_run.id());
  REQUIRE(final_run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  const std::vector<v1::ServiceHour> before = suite.AllServiceHours(final_run.id());

  // A later revision: 10 February 12:00 of X1 becomes 150 Wh.
  suite.SetNow(Local(2024, 3, 10));
  suite.Ingest({R("X1", Local(2024, 2, 10, 12), 150)});

  v1::StartRunRequest verify;
  verify.set_type(v1::RUN_TYPE_VERIFICATION);
  verify.set_base_run_id(final_run.id());
  v1::BalanceRun recomputed;
  REQUIRE_OK(suite.StartRun(verify, &recomputed));
  CHECK(recomputed.inputs().readings_as_of().SerializeAsString() ==
        final_run.inputs().readings_as_of().SerializeAsString());
  recomputed = suite.Finish(recomputed.id());
  REQUIRE(recomputed.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(SameHours(before, suite.AllServiceHours(recomputed.id())));
  const v1::DiffRunsResponse none = Diff(suite, final_run.id(), recomputed.id());
  CHECK(none.services_size() == 0);
  CHECK(none.changed_point_days() == 0);

  // A fresh run reads the revision, and the diff names it as the cause.
  v1::BalanceRun correction;
  REQUIRE_OK(suite.StartRun(RunOf(2024, 2, v1::RUN_TYPE_CORRECTION), &correction));
  CHECK(correction.correction_number() == 1);
  CHECK(correction.base_run_id() == final_run.id());
  correction = suite.Finish(correction.id());
  REQUIRE(correction.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  const v1::DiffRunsResponse diff = Diff(suite, final_run.id(), correction.id());
  REQUIRE(diff.services_size() == 1);
  const v1::ServiceDiff& d = diff.services(0);
  CHECK(d.participant_id() == "P1");
  CHECK(d.service_type() == contracts::v1::SERVICE_TYPE_TRANSMISSION);
  CHECK(d.base_wh() == 100 * 697);
  CHECK(d.other_wh() == 100 * 697 + 50);
  CHECK(d.delta_wh() == 50);
  CHECK(d.changed_hours() == 1);
  REQUIRE(d.causes_size() == 1);
  CHECK(d.causes(0).kind() == v1::CAUSE_KIND_READINGS_REVISION);
  CHECK(d.causes(0).point_code() == "X1");
  CHECK(d.causes(0).day().day() == 10);
  CHECK(d.causes(0).base_revision() == 1);
  CHECK(d.causes(0).other_revision() == 2);
  CHECK(diff.changed_point_days() == 1);

  // A scheme change after the final run: P2's version is closed on 14 February
  // and a new one (X1 instead of X2) starts on the 15th. A recomputation of the
  // final run still uses the version as it was; a new run names the change.
  v1::ListSchemesRequest lreq;
  lreq.set_participant_id("P2");
  v1::ListSchemesResponse listed;
  {
    grpc::ClientContext ctx;
    suite.AddWho(ctx);
    REQUIRE_OK(suite.schemes->ListSchemes(&ctx, lreq, &listed));
  }
  REQUIRE(listed.schemes_size() == 1);
  v1::CloseSchemeRequest close;
  close.set_request_id(NewRequestId());
  close.set_scheme_id(listed.schemes(0).id());
  *close.mutable_valid_to() = D(2024, 2, 14);
  close.set_reason("X1 replaces X2");
  v1::CloseSchemeResponse closed;
  {
    grpc::ClientContext ctx;
    suite.AddWho(ctx);
    REQUIRE_OK(suite.schemes->CloseScheme(&ctx, close, &closed));
  }
  v1::Scheme replacement;
  REQUIRE_OK(suite.DefineScheme(
      OnePointScheme("P2", contracts::v1::SERVICE_TYPE_BALANCING, "X1", D(2024, 2, 15)),
      &replacement));
  CHECK(replacement.version() == 2);
  v1::BalanceRun again;
  REQUIRE_OK(suite.StartRun(verify, &again));
  again = suite.Finish(again.id());
  REQUIRE(again.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(SameHours(before, suite.AllServiceHours(again.id())));
  v1::BalanceRun preliminary;
  REQUIRE_OK(suite.StartRun(RunOf(2024, 2, v1::RUN_TYPE_PRELIMINARY), &preliminary));
  preliminary = suite.Finish(preliminary.id());
  const v1::DiffRunsResponse schemes_diff = Diff(suite, correction.id(), preliminary.id());
  CHECK(schemes_diff.changed_schemes() == 1);
  REQUIRE(schemes_diff.services_size() == 1);
  CHECK(schemes_diff.services(0).participant_id() == "P2");
  // From 15 February P2 reads X1 (100 Wh) instead of X2 (200 Wh).
  const int64_t hours_from_15th =
      absl::ToInt64Hours(Local(2024, 3, 1) - Local(2024, 2, 15));  // 361: the 29th has 25
  CHECK(hours_from_15th == 15 * 24 + 1);
  CHECK(schemes_diff.services(0).changed_hours() == hours_from_15th);
  CHECK(schemes_diff.services(0).delta_wh() == -100 * hours_from_15th);
  REQUIRE(schemes_diff.services(0).causes_size() >= 1);
  CHECK(schemes_diff.services(0).causes(0).kind() == v1::CAUSE_KIND_SCHEME_VERSION);
  CHECK(schemes_diff.services(0).causes(0).other_scheme_id() == replacement.id());

  // The whole run streamed in bulk equals its pages.
  v1::StreamServiceHoursRequest sreq;
  sreq.set_run_id(final_run.id());
  grpc::ClientContext sctx;
  suite.AddWho(sctx);
  auto reader = suite.balance->StreamServiceHours(&sctx, sreq);
  std::vector<v1::ServiceHour> streamed;
  v1::StreamServiceHoursResponse chunk;
  while (reader->Read(&chunk)) {
    for (const auto& h : chunk.hours()) streamed.push_back(h);
  }
  REQUIRE_OK(reader->Finish());
  CHECK(SameHours(before, streamed));

  // The period is now billed from the correction.
  v1::GetBillingRunRequest breq;
  *breq.mutable_period() = P(2024, 2);
  v1::GetBillingRunResponse bresp;
  {
    grpc::ClientContext ctx;
    suite.AddWho(ctx);
    REQUIRE_OK(suite.balance->GetBillingRun(&ctx, breq, &bresp));
  }
  CHECK(bresp.run().id() == correction.id());

  // The final run stays as it was, even for the database's own users.
  CHECK(SameHours(before, suite.AllServiceHours(final_run.id())));
  const std::string update =
      absl::StrCat("UPDATE service_hours SET actual_wh = 0 WHERE run_id = ", final_run.id());
  absl::StatusOr<pg::Result> res = suite.balance_pool().Execute(pg::Query{"", update.c_str()});
  REQUIRE_FALSE(res.ok());
  CHECK(absl::StrContains(res.status().message(), "immutable"));
  const std::string del = absl::StrCat("DELETE FROM runs WHERE id = ", final_run.id());
  res = suite.balance_pool().Execute(pg::Query{"", del.c_str()});
  REQUIRE_FALSE(res.ok());
  CHECK(absl::StrContains(res.status().message(), "immutable"));
}

TEST_CASE("bad input and state conflicts are clear errors that write nothing", "[balance][pg]") {
  Suite suite(Local(2024, 3, 5), /*shard_points=*/1);
  suite.CreatePoint("X1", metering::v1::RESOLUTION_PT60M, "P1", D(2024, 1, 1));
  suite.CreatePoint("X2", metering::v1::RESOLUTION_PT60M, "P2", D(2024, 1, 1));
  v1::BalanceRun run;

  SECTION("a run for a period with no schemes") {
    REQUIRE_GRPC(suite.StartRun(RunOf(2024, 2, v1::RUN_TYPE_FINAL), &run),
                 grpc::StatusCode::FAILED_PRECONDITION,
                 "no accounting schemes are valid in 2024-02");
    CHECK(suite.CountRows("SELECT count(*) FROM runs") == 0);
  }

  SECTION("overlapping scheme versions") {
    v1::Scheme first;
    REQUIRE_OK(suite.DefineScheme(
        OnePointScheme("P1", contracts::v1::SERVICE_TYPE_TRANSMISSION, "X1", D(2024, 1, 1)),
        &first));
    CHECK(first.version() == 1);
    REQUIRE_GRPC(suite.DefineScheme(OnePointScheme("P1", contracts::v1::SERVICE_TYPE_TRANSMISSION,
                                                   "X2", D(2024, 2, 1))),
                 grpc::StatusCode::FAILED_PRECONDITION, "overlaps version 1");
    CHECK(suite.CountRows("SELECT count(*) FROM schemes") == 1);
    // Another service of the same participant is another subject.
    REQUIRE_OK(suite.DefineScheme(
        OnePointScheme("P1", contracts::v1::SERVICE_TYPE_BALANCING, "X2", D(2024, 2, 1))));
    // Closing the first version makes room for the second.
    v1::CloseSchemeRequest close;
    close.set_request_id(NewRequestId());
    close.set_scheme_id(first.id());
    *close.mutable_valid_to() = D(2024, 1, 31);
    close.set_reason("X2 replaces X1 from February");
    v1::CloseSchemeResponse closed;
    {
      grpc::ClientContext ctx;
      suite.AddWho(ctx);
      REQUIRE_OK(suite.schemes->CloseScheme(&ctx, close, &closed));
    }
    CHECK(closed.scheme().valid_to().day() == 31);
    v1::Scheme second;
    REQUIRE_OK(suite.DefineScheme(
        OnePointScheme("P1", contracts::v1::SERVICE_TYPE_TRANSMISSION, "X2", D(2024, 2, 1)),
        &second));
    CHECK(second.version() == 2);
  }

  SECTION("a scheme with a wrong role or no terms") {
    v1::Scheme s =
        OnePointScheme("P1", contracts::v1::SERVICE_TYPE_TRANSMISSION, "X1", D(2024, 1, 1));
    s.mutable_terms(0)->set_role(v1::TERM_ROLE_INFLOW);
    REQUIRE_GRPC(suite.DefineScheme(s), grpc::StatusCode::INVALID_ARGUMENT,
                 "scheme.terms[0].role: a participant scheme's terms are ADD or SUBTRACT");
    s.clear_terms();
    REQUIRE_GRPC(suite.DefineScheme(s), grpc::StatusCode::INVALID_ARGUMENT, "scheme.terms");
    v1::Scheme node = s;
    node.set_kind(v1::SCHEME_KIND_NODE);
    REQUIRE_GRPC(suite.DefineScheme(node), grpc::StatusCode::INVALID_ARGUMENT, "scheme.node_code");
    CHECK(suite.CountRows("SELECT count(*) FROM schemes") == 0);
  }

  SECTION("runs: type, unfinished period, second final, cancel, correction") {
    REQUIRE_OK(suite.DefineScheme(
        OnePointScheme("P1", contracts::v1::SERVICE_TYPE_TRANSMISSION, "X1", D(2024, 1, 1))));
    REQUIRE_OK(suite.DefineScheme(
        OnePointScheme("P2", contracts::v1::SERVICE_TYPE_TRANSMISSION, "X2", D(2024, 1, 1))));
    REQUIRE_GRPC(suite.StartRun(RunOf(2024, 2, v1::RUN_TYPE_UNSPECIFIED), &run),
                 grpc::StatusCode::INVALID_ARGUMENT, "type: required");
    REQUIRE_GRPC(suite.StartRun(RunOf(2024, 3, v1::RUN_TYPE_FINAL), &run),
                 grpc::StatusCode::FAILED_PRECONDITION, "needs the whole month");
    REQUIRE_GRPC(suite.StartRun(RunOf(2024, 2, v1::RUN_TYPE_CORRECTION), &run),
                 grpc::StatusCode::FAILED_PRECONDITION, "no succeeded final run of 2024-02");
    CHECK(suite.CountRows("SELECT count(*) FROM runs") == 0);

    // The same request id twice starts one run.
    v1::StartRunRequest req = RunOf(2024, 2, v1::RUN_TYPE_FINAL);
    req.set_request_id("final-2024-02");
    v1::BalanceRun first, again;
    REQUIRE_OK(suite.StartRun(req, &first));
    REQUIRE_OK(suite.StartRun(req, &again));
    CHECK(first.id() == again.id());
    CHECK(first.job().total() == 2);  // one point per shard

    REQUIRE_GRPC(suite.StartRun(RunOf(2024, 2, v1::RUN_TYPE_FINAL), &run),
                 grpc::StatusCode::FAILED_PRECONDITION, "already pending, running or done");

    // One shard computed, then cancelled: its results are removed.
    REQUIRE(*suite.runs().WorkOnce());
    CHECK(suite.GetRun(first.id()).job().done() == 1);
    CHECK(suite.CountRows("SELECT count(*) FROM service_hours") == 697);
    v1::CancelRunRequest cancel;
    cancel.set_request_id(NewRequestId());
    cancel.set_run_id(first.id());
    v1::CancelRunResponse cancelled;
    {
      grpc::ClientContext ctx;
      suite.AddWho(ctx);
      REQUIRE_OK(suite.balance->CancelRun(&ctx, cancel, &cancelled));
    }
    CHECK(cancelled.run().job().state() == common::v1::JOB_STATE_CANCELLED);
    CHECK(suite.CountRows("SELECT count(*) FROM service_hours") == 0);
    CHECK_FALSE(*suite.runs().WorkOnce());  // nothing left to do
    CHECK(suite.GetRun(first.id()).job().state() == common::v1::JOB_STATE_CANCELLED);

    // After the cancel a final run can start again, and completes.
    v1::BalanceRun second;
    REQUIRE_OK(suite.StartRun(RunOf(2024, 2, v1::RUN_TYPE_FINAL), &second));
    second = suite.Finish(second.id());
    CHECK(second.job().state() == common::v1::JOB_STATE_SUCCEEDED);
    // No readings at all: every interval is missing and counted so.
    CHECK(second.summary().quality().missing() == second.summary().quality().intervals());
    CHECK(second.summary().quality().missing() == 2 * 697);
    // Cancelling a finished run changes nothing.
    cancel.set_request_id(NewRequestId());
    cancel.set_run_id(second.id());
    grpc::ClientContext ctx;
    suite.AddWho(ctx);
    REQUIRE_OK(suite.balance->CancelRun(&ctx, cancel, &cancelled));
    CHECK(cancelled.run().job().state() == common::v1::JOB_STATE_SUCCEEDED);
  }

  SECTION("unknown ids") {
    v1::GetRunRequest req;
    req.set_run_id("999");
    v1::GetRunResponse resp;
    {
      grpc::ClientContext ctx;
      suite.AddWho(ctx);
      REQUIRE_GRPC(suite.balance->GetRun(&ctx, req, &resp), grpc::StatusCode::NOT_FOUND, "999");
    }
    req.set_run_id("abc");
    grpc::ClientContext ctx;
    suite.AddWho(ctx);
    REQUIRE_GRPC(suite.balance->GetRun(&ctx, req, &resp), grpc::StatusCode::INVALID_ARGUMENT,
                 "run_id: not an id");
  }
}

TEST_CASE("a scheme naming a point metering does not know is refused and not stored",
          "[balance][pg]") {
  Suite suite(Local(2024, 3, 5));
  suite.CreatePoint("X1", metering::v1::RESOLUTION_PT60M, "P1", D(2024, 1, 1));
  suite.CreatePoint("X2", metering::v1::RESOLUTION_PT60M, "P2", D(2024, 1, 1));
  v1::Scheme s =
      OnePointScheme("P1", contracts::v1::SERVICE_TYPE_TRANSMISSION, "X1", D(2024, 1, 1));
  auto add = [&s](const std::string& point, metering::v1::Channel channel, v1::TermRole role) {
    v1::SchemeTerm* t = s.add_terms();
    t->set_point_code(point);
    t->set_channel(channel);
    t->set_role(role);
  };

  SECTION("one unknown point among known ones") {
    add("X2", CHANNEL_ACTIVE_RECEIVED, v1::TERM_ROLE_ADD);
    add("X1", metering::v1::CHANNEL_ACTIVE_DELIVERED, v1::TERM_ROLE_SUBTRACT);
    add("MP-NO-SUCH", CHANNEL_ACTIVE_RECEIVED, v1::TERM_ROLE_SUBTRACT);
    REQUIRE_GRPC(suite.DefineScheme(s), grpc::StatusCode::INVALID_ARGUMENT,
                 "scheme.terms[3].point_code: no metering point \"MP-NO-SUCH\"");
    CHECK(suite.CountRows("SELECT count(*) FROM schemes") == 0);
  }

  SECTION("several unknown points, looked up in several rounds, are all named") {
    add("Y1", CHANNEL_ACTIVE_RECEIVED, v1::TERM_ROLE_ADD);
    add("X2", CHANNEL_ACTIVE_RECEIVED, v1::TERM_ROLE_ADD);
    add("Y2", CHANNEL_ACTIVE_RECEIVED, v1::TERM_ROLE_ADD);
    add("Y1", metering::v1::CHANNEL_ACTIVE_DELIVERED, v1::TERM_ROLE_SUBTRACT);
    add("Y3", CHANNEL_ACTIVE_RECEIVED, v1::TERM_ROLE_ADD);
    REQUIRE_GRPC(suite.DefineScheme(s), grpc::StatusCode::INVALID_ARGUMENT,
                 "scheme.terms[1].point_code: no metering point \"Y1\"; also unknown: "
                 "\"Y2\", \"Y3\"");
    CHECK(suite.CountRows("SELECT count(*) FROM schemes") == 0);
  }

  SECTION("a node scheme of known points is stored") {
    v1::Scheme node;
    node.set_kind(v1::SCHEME_KIND_NODE);
    node.set_node_code("N-1");
    *node.mutable_valid_from() = D(2024, 1, 1);
    v1::SchemeTerm* in = node.add_terms();
    in->set_point_code("X1");
    in->set_channel(CHANNEL_ACTIVE_RECEIVED);
    in->set_role(v1::TERM_ROLE_INFLOW);
    v1::SchemeTerm* out = node.add_terms();
    out->set_point_code("X2");
    out->set_channel(metering::v1::CHANNEL_ACTIVE_DELIVERED);
    out->set_role(v1::TERM_ROLE_OUTFLOW);
    REQUIRE_OK(suite.DefineScheme(node));
    out->set_point_code("x2");  // codes are exact
    node.set_node_code("N-2");
    REQUIRE_GRPC(suite.DefineScheme(node), grpc::StatusCode::INVALID_ARGUMENT,
                 "scheme.terms[1].point_code: no metering point \"x2\"");
    CHECK(suite.CountRows("SELECT count(*) FROM schemes") == 1);
  }

  SECTION("a channel the point does not measure is refused") {
    add("X2", metering::v1::CHANNEL_REACTIVE_RECEIVED, v1::TERM_ROLE_ADD);
    REQUIRE_GRPC(suite.DefineScheme(s), grpc::StatusCode::INVALID_ARGUMENT,
                 "scheme.terms[1].channel: point \"X2\" has no channel 03 (it measures 01, 02)");
    CHECK(suite.CountRows("SELECT count(*) FROM schemes") == 0);
  }

  SECTION("a point valid on no day of the scheme is refused; one valid on some is not") {
    suite.CreatePoint("X3", metering::v1::RESOLUTION_PT60M, "P1", D(2024, 6, 1));
    s.mutable_valid_to()->CopyFrom(D(2024, 5, 31));
    add("X3", CHANNEL_ACTIVE_RECEIVED, v1::TERM_ROLE_ADD);
    REQUIRE_GRPC(suite.DefineScheme(s), grpc::StatusCode::INVALID_ARGUMENT,
                 "scheme.terms[1].point_code: point \"X3\" is valid 2024-06-01..open-ended, no "
                 "day of the scheme's 2024-01-01..2024-05-31");
    CHECK(suite.CountRows("SELECT count(*) FROM schemes") == 0);
    s.mutable_valid_to()->CopyFrom(D(2024, 6, 1));
    REQUIRE_OK(suite.DefineScheme(s));
  }
}

TEST_CASE("WatchRun streams a run until it ends", "[balance][pg]") {
  Suite suite(Local(2024, 3, 5));
  LoadFebruary(suite);
  v1::BalanceRun run;
  REQUIRE_OK(suite.StartRun(RunOf(2024, 2, v1::RUN_TYPE_PRELIMINARY), &run));
  suite.runs().StartWorkers();
  v1::WatchRunRequest req;
  req.set_run_id(run.id());
  grpc::ClientContext ctx;
  suite.AddWho(ctx);
  auto reader = suite.balance->WatchRun(&ctx, req);
  v1::WatchRunResponse resp;
  v1::BalanceRun last;
  int messages = 0;
  while (reader->Read(&resp)) {
    last = resp.run();
    ++messages;
  }
  REQUIRE_OK(reader->Finish());
  suite.runs().StopWorkers();
  CHECK(messages >= 1);
  CHECK(last.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(last.summary().service_hours() == 2 * 697);
}

}  // namespace
}  // namespace gridbill::balance::testing
