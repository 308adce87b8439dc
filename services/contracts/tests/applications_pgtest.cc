// Applications against real PostgreSQL through the gRPC edge: validation,
// the workflow, deadlines with the injected clock, counts, scoping, comments.
#include <set>

#include "gridbill/server/proto_convert.h"
#include "harness.h"

namespace gridbill::contracts::testing {
namespace {

using AS = v1::ApplicationService::Stub;

const char* StateName(v1::ApplicationState s) { return Name(static_cast<ApplicationState>(s)); }

const std::vector<v1::ApplicationState> kStates = {
    v1::APPLICATION_STATE_DRAFT,     v1::APPLICATION_STATE_SUBMITTED,
    v1::APPLICATION_STATE_IN_REVIEW, v1::APPLICATION_STATE_APPROVED,
    v1::APPLICATION_STATE_REJECTED,  v1::APPLICATION_STATE_CLOSED};

TEST_CASE("every application transition, legal and illegal") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  const std::set<std::pair<int, int>> legal = {
      {v1::APPLICATION_STATE_DRAFT, v1::APPLICATION_STATE_SUBMITTED},
      {v1::APPLICATION_STATE_DRAFT, v1::APPLICATION_STATE_CLOSED},
      {v1::APPLICATION_STATE_SUBMITTED, v1::APPLICATION_STATE_IN_REVIEW},
      {v1::APPLICATION_STATE_IN_REVIEW, v1::APPLICATION_STATE_APPROVED},
      {v1::APPLICATION_STATE_IN_REVIEW, v1::APPLICATION_STATE_REJECTED},
      {v1::APPLICATION_STATE_APPROVED, v1::APPLICATION_STATE_CLOSED},
      {v1::APPLICATION_STATE_REJECTED, v1::APPLICATION_STATE_CLOSED}};
  for (auto from : kStates) {
    for (auto to : kStates) {
      DYNAMIC_SECTION(StateName(from) << " -> " << StateName(to)) {
        v1::Application a = h.CreateApplication(p.id());
        a = h.MoveApplication(a.id(), from);
        REQUIRE(a.state() == from);
        v1::Application moved;
        grpc::Status st = h.TransitionApplication(a.id(), to, &moved, Who(), "Decision text");
        if (legal.count({from, to})) {
          REQUIRE_OK(st);
          REQUIRE(moved.state() == to);
          REQUIRE(moved.version() == a.version() + 1);
          if (to == v1::APPLICATION_STATE_SUBMITTED) {
            REQUIRE(moved.submit_time().seconds() == absl::ToUnixSeconds(h.clock.Now()));
            // METERING_CORRECTION: 10 days.
            REQUIRE(moved.due_time().seconds() - moved.submit_time().seconds() == 10 * 86400);
          }
          if (to == v1::APPLICATION_STATE_APPROVED || to == v1::APPLICATION_STATE_REJECTED) {
            REQUIRE(moved.has_decide_time());
            REQUIRE(moved.resolution() == "Decision text");
          }
          if (to == v1::APPLICATION_STATE_CLOSED) REQUIRE(moved.has_close_time());
        } else {
          REQUIRE_GRPC(st, grpc::StatusCode::FAILED_PRECONDITION,
                       absl::StrCat("target_state: cannot move from ", StateName(from), " to ",
                                    StateName(to)));
        }
      }
    }
  }
}

TEST_CASE("application validation names the field") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  v1::Participant other = h.CreateParticipant(2);
  v1::Contract theirs = h.CreateContract(other.id(), "TR-OTHER");
  v1::Contract mine = h.CreateContract(p.id(), "TR-MINE");
  auto base = [&] {
    v1::CreateApplicationRequest req;
    req.set_request_id(NewRequestId());
    auto* a = req.mutable_application();
    a->set_participant_id(p.id());
    a->set_type(v1::APPLICATION_TYPE_DECLARED_VOLUMES);
    a->mutable_period()->set_year(2026);
    a->mutable_period()->set_month(5);
    auto* v = a->add_declared_volumes();
    v->set_service_type(v1::SERVICE_TYPE_TRANSMISSION);
    v->set_volume_wh(900'000'000);
    return req;
  };
  v1::CreateApplicationResponse resp;
  auto check = [&](const v1::CreateApplicationRequest& req, grpc::StatusCode code,
                   const std::string& text) {
    REQUIRE_GRPC(h.Call(*h.application_stub, &AS::CreateApplication, req, &resp), code, text);
  };
  auto req = base();
  req.mutable_application()->set_type(v1::APPLICATION_TYPE_UNSPECIFIED);
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "application.type: required");
  req = base();
  req.mutable_application()->clear_period();
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "application.period: required");
  req = base();
  req.mutable_application()->mutable_period()->set_month(13);
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "application.period");
  req = base();
  req.mutable_application()->clear_declared_volumes();
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "application.declared_volumes: at least one");
  req = base();
  req.mutable_application()->mutable_declared_volumes(0)->set_volume_wh(-1);
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "application.declared_volumes[0].volume_wh");
  req = base();
  *req.mutable_application()->add_declared_volumes() = req.application().declared_volumes(0);
  check(req, grpc::StatusCode::INVALID_ARGUMENT,
        "application.declared_volumes[1].service_type: duplicate service TRANSMISSION");
  req = base();
  req.mutable_application()->mutable_declared_volumes(0)->set_service_type(
      v1::SERVICE_TYPE_UNSPECIFIED);
  check(req, grpc::StatusCode::INVALID_ARGUMENT,
        "application.declared_volumes[0].service_type: required");
  req = base();
  req.mutable_application()->set_type(v1::APPLICATION_TYPE_CONTRACT_AMENDMENT);
  req.mutable_application()->clear_declared_volumes();
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "application.contract_id: required");
  req.mutable_application()->set_contract_id(theirs.id());
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "application.contract_id");
  req = base();
  req.mutable_application()->set_participant_id("0a0a0a0a-0000-4000-8000-000000000000");
  check(req, grpc::StatusCode::NOT_FOUND, "application.participant_id");
  REQUIRE(h.CountRows("applications") == 0);

  req = base();
  req.mutable_application()->set_type(v1::APPLICATION_TYPE_CONTRACT_AMENDMENT);
  req.mutable_application()->clear_declared_volumes();
  req.mutable_application()->set_contract_id(mine.id());
  req.mutable_application()->set_subject("Change the due day");
  REQUIRE_OK(h.Call(*h.application_stub, &AS::CreateApplication, req, &resp));
  REQUIRE(resp.application().number() == "APP-2026-000001");
  REQUIRE(resp.application().state() == v1::APPLICATION_STATE_DRAFT);
  REQUIRE_OK(h.Call(*h.application_stub, &AS::CreateApplication, base(), &resp));
  REQUIRE(resp.application().number() == "APP-2026-000002");
  REQUIRE(resp.application().declared_volumes(0).volume_wh() == 900'000'000);
  REQUIRE(resp.application().period().month() == 5);

  h.SetParticipantStatus(other.id(), v1::PARTICIPANT_STATUS_TERMINATED);
  req = base();
  req.mutable_application()->set_participant_id(other.id());
  check(req, grpc::StatusCode::FAILED_PRECONDITION, "application.participant_id");
}

TEST_CASE("only a draft application changes, by mask") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  v1::Application a = h.CreateApplication(p.id(), v1::APPLICATION_TYPE_DECLARED_VOLUMES);
  v1::UpdateApplicationRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_application()->set_id(a.id());
  auto* v = req.mutable_application()->add_declared_volumes();
  v->set_service_type(v1::SERVICE_TYPE_BALANCING);
  v->set_volume_wh(5);
  auto* w = req.mutable_application()->add_declared_volumes();
  w->set_service_type(v1::SERVICE_TYPE_TECHNICAL_DISPATCHING);
  w->set_volume_wh(7);
  req.mutable_update_mask()->add_paths("declared_volumes");
  v1::UpdateApplicationResponse resp;
  REQUIRE_OK(h.Call(*h.application_stub, &AS::UpdateApplication, req, &resp));
  REQUIRE(resp.application().declared_volumes_size() == 2);
  REQUIRE(resp.application().declared_volumes(1).service_type() ==
          v1::SERVICE_TYPE_TECHNICAL_DISPATCHING);
  REQUIRE(resp.application().period().month() == 4);
  REQUIRE(h.CountRows("application_declared_volumes") == 2);

  req.set_request_id(NewRequestId());
  req.mutable_update_mask()->add_paths("state");
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::UpdateApplication, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "update_mask");
  h.MoveApplication(a.id(), v1::APPLICATION_STATE_SUBMITTED);
  req.set_request_id(NewRequestId());
  req.mutable_update_mask()->clear_paths();
  req.mutable_update_mask()->add_paths("subject");
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::UpdateApplication, req, &resp),
               grpc::StatusCode::FAILED_PRECONDITION, "SUBMITTED");
}

TEST_CASE("deadlines and overdue follow the injected clock; counts by state") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  // Five applications submitted in March 2026 ...
  std::vector<v1::Application> apps;
  for (int i = 0; i < 5; ++i) {
    apps.push_back(h.CreateApplication(p.id(), v1::APPLICATION_TYPE_DECLARED_VOLUMES));
    v1::Application submitted;
    REQUIRE_OK(
        h.TransitionApplication(apps.back().id(), v1::APPLICATION_STATE_SUBMITTED, &submitted));
    REQUIRE(submitted.due_time().seconds() - submitted.submit_time().seconds() == 5 * 86400);
    REQUIRE_FALSE(submitted.overdue());
  }
  // ... one drafted but never submitted, one submitted in April.
  h.CreateApplication(p.id());
  v1::Application april = h.CreateApplication(p.id());
  h.clock.Set(absl::FromCivil(absl::CivilSecond(2026, 4, 1, 0, 0, 1), Almaty()));
  REQUIRE_OK(h.TransitionApplication(april.id(), v1::APPLICATION_STATE_SUBMITTED, nullptr));
  h.clock.Set(StartTime() + absl::Hours(1));

  REQUIRE_OK(h.TransitionApplication(apps[1].id(), v1::APPLICATION_STATE_IN_REVIEW, nullptr));
  for (int i : {2, 3}) {
    REQUIRE_OK(h.TransitionApplication(apps[i].id(), v1::APPLICATION_STATE_IN_REVIEW, nullptr));
  }
  REQUIRE_OK(h.TransitionApplication(apps[2].id(), v1::APPLICATION_STATE_APPROVED, nullptr, Who(),
                                     "Accepted"));
  REQUIRE_OK(h.TransitionApplication(apps[3].id(), v1::APPLICATION_STATE_REJECTED, nullptr, Who(),
                                     "Volumes exceed the connection capacity"));
  REQUIRE_OK(h.TransitionApplication(apps[3].id(), v1::APPLICATION_STATE_CLOSED, nullptr));

  v1::GetApplicationRequest get;
  get.set_id(apps[0].id());
  v1::GetApplicationResponse got;
  h.clock.Set(StartTime() + absl::Hours(24 * 5));
  REQUIRE_OK(h.Call(*h.application_stub, &AS::GetApplication, get, &got));
  REQUIRE_FALSE(got.application().overdue());
  h.clock.Advance(absl::Seconds(1));
  REQUIRE_OK(h.Call(*h.application_stub, &AS::GetApplication, get, &got));
  REQUIRE(got.application().overdue());

  v1::ListApplicationsRequest list;
  list.set_overdue_only(true);
  v1::ListApplicationsResponse listed;
  REQUIRE_OK(h.Call(*h.application_stub, &AS::ListApplications, list, &listed));
  REQUIRE(listed.total_size() == 3);  // apps 0, 1 (in review) and 4
  for (const auto& a : listed.applications()) REQUIRE(a.overdue());

  v1::CountApplicationsRequest count;
  count.mutable_period()->set_year(2026);
  count.mutable_period()->set_month(3);
  v1::CountApplicationsResponse counts;
  REQUIRE_OK(h.Call(*h.application_stub, &AS::CountApplications, count, &counts));
  REQUIRE(counts.received() == 5);
  REQUIRE(counts.processed() == 2);  // approved + rejected-then-closed
  REQUIRE(counts.closed() == 1);
  REQUIRE(counts.overdue() == 3);
  // The operators' gauge (gridbill_contracts_applications_overdue) counts
  // every month's: the April one is not due yet.
  absl::StatusOr<int64_t> overdue = h.applications.Overdue();
  REQUIRE(overdue.ok());
  CHECK(*overdue == 3);
  std::map<int, int64_t> by_state;
  for (const auto& s : counts.by_state()) by_state[s.state()] = s.count();
  REQUIRE(by_state == std::map<int, int64_t>{{v1::APPLICATION_STATE_SUBMITTED, 2},
                                             {v1::APPLICATION_STATE_IN_REVIEW, 1},
                                             {v1::APPLICATION_STATE_APPROVED, 1},
                                             {v1::APPLICATION_STATE_CLOSED, 1}});
  count.mutable_period()->set_month(4);
  REQUIRE_OK(h.Call(*h.application_stub, &AS::CountApplications, count, &counts));
  REQUIRE(counts.received() == 1);
  count.set_type(v1::APPLICATION_TYPE_DECLARED_VOLUMES);
  REQUIRE_OK(h.Call(*h.application_stub, &AS::CountApplications, count, &counts));
  REQUIRE(counts.received() == 0);
  count.clear_period();
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::CountApplications, count, &counts),
               grpc::StatusCode::INVALID_ARGUMENT, "period: required");
}

TEST_CASE("an application registered from paper is submitted at the time it was received") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  v1::Application paper = h.CreateApplication(p.id(), v1::APPLICATION_TYPE_DECLARED_VOLUMES);
  const absl::Time received = absl::FromCivil(absl::CivilSecond(2025, 11, 10, 10, 30, 0), Almaty());
  v1::TransitionApplicationRequest req;
  req.set_request_id(NewRequestId());
  req.set_id(paper.id());
  req.set_target_state(v1::APPLICATION_STATE_SUBMITTED);
  *req.mutable_received_time() = ToProtoTime(received);
  v1::TransitionApplicationResponse resp;
  // Not for the participant's own users, not in the future, only on submission.
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::TransitionApplication, req, &resp,
                      ParticipantUser(p.id(), "zhanna@energo-1.kz")),
               grpc::StatusCode::PERMISSION_DENIED, "received_time");
  req.set_request_id(NewRequestId());
  *req.mutable_received_time() = ToProtoTime(h.clock.Now() + absl::Hours(1));
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::TransitionApplication, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "received_time: is in the future");
  req.set_request_id(NewRequestId());
  req.set_target_state(v1::APPLICATION_STATE_IN_REVIEW);
  *req.mutable_received_time() = ToProtoTime(received);
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::TransitionApplication, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "received_time: only on the move to SUBMITTED");

  req.set_request_id(NewRequestId());
  req.set_target_state(v1::APPLICATION_STATE_SUBMITTED);
  REQUIRE_OK(h.Call(*h.application_stub, &AS::TransitionApplication, req, &resp));
  CHECK(FromProtoTime(resp.application().submit_time()) == received);
  CHECK(resp.application().due_time().seconds() - resp.application().submit_time().seconds() ==
        5 * 86400);
  CHECK(resp.application().overdue());  // due in November 2025, still open

  // Counted in the month it was received, not in the month it was typed in.
  v1::CountApplicationsRequest count;
  count.mutable_period()->set_year(2025);
  count.mutable_period()->set_month(11);
  v1::CountApplicationsResponse counts;
  REQUIRE_OK(h.Call(*h.application_stub, &AS::CountApplications, count, &counts));
  CHECK(counts.received() == 1);
  CHECK(counts.overdue() == 1);
  const absl::CivilMonth now_month(absl::ToCivilMonth(h.clock.Now(), Almaty()));
  count.mutable_period()->set_year(static_cast<int32_t>(now_month.year()));
  count.mutable_period()->set_month(now_month.month());
  REQUIRE_OK(h.Call(*h.application_stub, &AS::CountApplications, count, &counts));
  CHECK(counts.received() == 0);
}

TEST_CASE("a participant's user files, submits and withdraws only its own applications") {
  Harness h;
  v1::Participant mine = h.CreateParticipant(1);
  v1::Participant theirs = h.CreateParticipant(2);
  const Who me = ParticipantUser(mine.id(), "zhanna@energo-1.kz");

  v1::CreateApplicationRequest create;
  create.set_request_id(NewRequestId());
  create.mutable_application()->set_type(v1::APPLICATION_TYPE_METERING_POINT_CONNECTION);
  create.mutable_application()->set_participant_id(theirs.id());
  v1::CreateApplicationResponse created;
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::CreateApplication, create, &created, me),
               grpc::StatusCode::PERMISSION_DENIED, "application.participant_id");
  create.mutable_application()->clear_participant_id();  // defaults to the caller's own
  REQUIRE_OK(h.Call(*h.application_stub, &AS::CreateApplication, create, &created, me));
  v1::Application own = created.application();
  REQUIRE(own.participant_id() == mine.id());
  v1::Application foreign = h.CreateApplication(theirs.id());

  v1::GetApplicationRequest get;
  v1::GetApplicationResponse got;
  get.set_id(foreign.id());
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::GetApplication, get, &got, me),
               grpc::StatusCode::PERMISSION_DENIED, "another participant");
  get.set_id(own.id());
  REQUIRE_OK(h.Call(*h.application_stub, &AS::GetApplication, get, &got, me));

  v1::ListApplicationsRequest list;
  v1::ListApplicationsResponse listed;
  REQUIRE_OK(h.Call(*h.application_stub, &AS::ListApplications, list, &listed, me));
  REQUIRE(listed.total_size() == 1);
  list.set_participant_id(theirs.id());
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::ListApplications, list, &listed, me),
               grpc::StatusCode::PERMISSION_DENIED, "participant_id");
  v1::CountApplicationsRequest count;
  count.mutable_period()->set_year(2026);
  count.mutable_period()->set_month(3);
  count.set_participant_id(theirs.id());
  v1::CountApplicationsResponse counts;
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::CountApplications, count, &counts, me),
               grpc::StatusCode::PERMISSION_DENIED, "participant_id");

  REQUIRE_GRPC(h.TransitionApplication(foreign.id(), v1::APPLICATION_STATE_SUBMITTED, nullptr, me),
               grpc::StatusCode::PERMISSION_DENIED, "");
  REQUIRE_OK(h.TransitionApplication(own.id(), v1::APPLICATION_STATE_SUBMITTED, nullptr, me));
  // Deciding is the TSO's: not even its own application.
  REQUIRE_GRPC(h.TransitionApplication(own.id(), v1::APPLICATION_STATE_IN_REVIEW, nullptr, me),
               grpc::StatusCode::PERMISSION_DENIED, "target_state");
  // An auditor cannot decide either.
  REQUIRE_GRPC(h.TransitionApplication(own.id(), v1::APPLICATION_STATE_IN_REVIEW, nullptr,
                                       Who{"audit@kegoc.kz", "ROLE_AUDITOR", ""}),
               grpc::StatusCode::PERMISSION_DENIED,
               "(roles ROLE_AUDITOR) may not call "
               "/gridbill.contracts.v1.ApplicationService/TransitionApplication");
  REQUIRE_OK(h.TransitionApplication(own.id(), v1::APPLICATION_STATE_IN_REVIEW, nullptr,
                                     Who{"meter@kegoc.kz", "ROLE_METERING_ENGINEER", ""}));
  v1::Application approved;
  REQUIRE_GRPC(h.TransitionApplication(own.id(), v1::APPLICATION_STATE_APPROVED, &approved),
               grpc::StatusCode::INVALID_ARGUMENT, "resolution: required");
  REQUIRE_OK(h.TransitionApplication(own.id(), v1::APPLICATION_STATE_APPROVED, &approved, Who(),
                                     "Connected from 2026-04-01"));
  REQUIRE_GRPC(h.TransitionApplication(own.id(), v1::APPLICATION_STATE_CLOSED, nullptr, me),
               grpc::StatusCode::PERMISSION_DENIED, "");

  // A withdrawn draft.
  create.set_request_id(NewRequestId());
  REQUIRE_OK(h.Call(*h.application_stub, &AS::CreateApplication, create, &created, me));
  v1::Application withdrawn;
  REQUIRE_OK(h.TransitionApplication(created.application().id(), v1::APPLICATION_STATE_CLOSED,
                                     &withdrawn, me));
  REQUIRE(withdrawn.state() == v1::APPLICATION_STATE_CLOSED);
  REQUIRE_FALSE(withdrawn.has_decide_time());
}

TEST_CASE("an application's history: creation and every state change with its resolution") {
  Harness h;
  v1::Participant mine = h.CreateParticipant(1);
  v1::Participant theirs = h.CreateParticipant(2);
  const Who me = ParticipantUser(mine.id(), "zhanna@energo-1.kz");
  v1::Application own =
      h.CreateApplication(mine.id(), v1::APPLICATION_TYPE_METERING_CORRECTION, me);
  v1::Application foreign = h.CreateApplication(theirs.id());
  REQUIRE_OK(h.TransitionApplication(own.id(), v1::APPLICATION_STATE_SUBMITTED, nullptr, me));
  REQUIRE_OK(h.TransitionApplication(own.id(), v1::APPLICATION_STATE_IN_REVIEW, nullptr,
                                     Who{"meter@kegoc.kz", "ROLE_METERING_ENGINEER", ""}));
  REQUIRE_OK(h.TransitionApplication(own.id(), v1::APPLICATION_STATE_REJECTED, nullptr, Who(),
                                     "The act is not signed by the metering engineer"));

  v1::ListApplicationHistoryRequest req;
  req.set_id(own.id());
  v1::ListApplicationHistoryResponse resp;
  REQUIRE_OK(h.Call(*h.application_stub, &AS::ListApplicationHistory, req, &resp, me));
  REQUIRE(resp.entries_size() == 4);
  CHECK(resp.entries(0).action() == "create");
  CHECK(resp.entries(0).actor() == "zhanna@energo-1.kz");
  CHECK(resp.entries(0).version() == 1);
  CHECK(resp.entries(2).actor() == "meter@kegoc.kz");
  CHECK(resp.entries(3).action() == "transition");
  CHECK(resp.entries(3).reason() == "The act is not signed by the metering engineer");
  CHECK(resp.entries(3).version() == 4);

  // Another participant's application is not shown to this participant.
  req.set_id(foreign.id());
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::ListApplicationHistory, req, &resp, me),
               grpc::StatusCode::PERMISSION_DENIED, "");
  req.set_id("");
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::ListApplicationHistory, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "id");
}

TEST_CASE("application comments: authors from metadata, scoped, idempotent") {
  Harness h;
  v1::Participant mine = h.CreateParticipant(1);
  v1::Participant theirs = h.CreateParticipant(2);
  const Who me = ParticipantUser(mine.id(), "zhanna@energo-1.kz");
  v1::Application own = h.CreateApplication(mine.id());
  v1::Application foreign = h.CreateApplication(theirs.id());

  v1::AddApplicationCommentRequest add;
  add.set_request_id("comment-1");
  add.set_application_id(own.id());
  add.set_text("Please see the attached act of metering point inspection.");
  v1::AddApplicationCommentResponse first, again;
  REQUIRE_OK(h.Call(*h.application_stub, &AS::AddApplicationComment, add, &first, me));
  REQUIRE(first.comment().author() == "zhanna@energo-1.kz");
  REQUIRE_OK(h.Call(*h.application_stub, &AS::AddApplicationComment, add, &again, me));
  REQUIRE(again.SerializeAsString() == first.SerializeAsString());
  REQUIRE(h.CountRows("application_comments") == 1);

  add.set_request_id(NewRequestId());
  add.set_text(std::string(4001, 'x'));
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::AddApplicationComment, add, &again, me),
               grpc::StatusCode::INVALID_ARGUMENT, "text");
  add.set_text(std::string(4000, 'x'));
  REQUIRE_OK(h.Call(*h.application_stub, &AS::AddApplicationComment, add, &again));
  REQUIRE(again.comment().author() == "operator@kegoc.kz");
  add.set_request_id(NewRequestId());
  add.set_text("");
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::AddApplicationComment, add, &again, me),
               grpc::StatusCode::INVALID_ARGUMENT, "text: required");
  add.set_text("Hello");
  add.set_application_id(foreign.id());
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::AddApplicationComment, add, &again, me),
               grpc::StatusCode::PERMISSION_DENIED, "");

  v1::ListApplicationCommentsRequest list;
  list.set_application_id(own.id());
  v1::ListApplicationCommentsResponse comments;
  REQUIRE_OK(h.Call(*h.application_stub, &AS::ListApplicationComments, list, &comments, me));
  REQUIRE(comments.comments_size() == 2);
  REQUIRE(comments.comments(0).id() == first.comment().id());
  list.set_application_id(foreign.id());
  REQUIRE_GRPC(h.Call(*h.application_stub, &AS::ListApplicationComments, list, &comments, me),
               grpc::StatusCode::PERMISSION_DENIED, "");
}

TEST_CASE("application lists: newest first, every page once") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  std::vector<std::string> created;
  for (int i = 0; i < 9; ++i) {
    created.push_back(h.CreateApplication(p.id()).id());
    h.clock.Advance(absl::Minutes(1));
  }
  v1::ListApplicationsRequest req;
  req.set_page_size(4);
  std::vector<std::string> seen;
  do {
    v1::ListApplicationsResponse resp;
    REQUIRE_OK(h.Call(*h.application_stub, &AS::ListApplications, req, &resp));
    REQUIRE(resp.total_size() == 9);
    for (const auto& a : resp.applications()) seen.push_back(a.id());
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  std::reverse(created.begin(), created.end());
  REQUIRE(seen == created);
}

}  // namespace
}  // namespace gridbill::contracts::testing
