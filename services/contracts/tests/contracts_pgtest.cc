// Contracts against real PostgreSQL through the gRPC edge.
#include <set>

#include "harness.h"

namespace gridbill::contracts::testing {
namespace {

using CS = v1::ContractService::Stub;
using PS = v1::ParticipantService::Stub;

const char* StateName(v1::ContractState s) { return Name(static_cast<ContractState>(s)); }

grpc::Status Transition(Harness& h, const std::string& id, v1::ContractState target,
                        const std::string& reason, v1::Contract* out = nullptr) {
  v1::TransitionContractRequest req;
  req.set_request_id(NewRequestId());
  req.set_id(id);
  req.set_target_state(target);
  req.set_reason(reason);
  v1::TransitionContractResponse resp;
  grpc::Status st = h.Call(*h.contract_stub, &CS::TransitionContract, req, &resp);
  if (out) *out = resp.contract();
  return st;
}

std::vector<common::v1::ChangeEntry> History(Harness& h, const std::string& id,
                                             const Who& who = Who()) {
  v1::ListContractHistoryRequest req;
  req.set_id(id);
  v1::ListContractHistoryResponse resp;
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::ListContractHistory, req, &resp, who));
  return {resp.entries().begin(), resp.entries().end()};
}

TEST_CASE("every contract transition, legal and illegal") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  const std::set<std::pair<int, int>> legal = {
      {v1::CONTRACT_STATE_DRAFT, v1::CONTRACT_STATE_ACTIVE},
      {v1::CONTRACT_STATE_DRAFT, v1::CONTRACT_STATE_TERMINATED},
      {v1::CONTRACT_STATE_ACTIVE, v1::CONTRACT_STATE_SUSPENDED},
      {v1::CONTRACT_STATE_ACTIVE, v1::CONTRACT_STATE_TERMINATED},
      {v1::CONTRACT_STATE_SUSPENDED, v1::CONTRACT_STATE_ACTIVE},
      {v1::CONTRACT_STATE_SUSPENDED, v1::CONTRACT_STATE_TERMINATED}};
  const std::vector<v1::ContractState> states = {
      v1::CONTRACT_STATE_DRAFT, v1::CONTRACT_STATE_ACTIVE, v1::CONTRACT_STATE_SUSPENDED,
      v1::CONTRACT_STATE_TERMINATED};
  int n = 0;
  for (auto from : states) {
    for (auto to : states) {
      DYNAMIC_SECTION(StateName(from) << " -> " << StateName(to)) {
        v1::Contract c = h.CreateContract(p.id(), absl::StrCat("TR-", ++n));
        c = h.MoveContract(c.id(), from);
        REQUIRE(c.state() == from);
        v1::Contract moved;
        grpc::Status st = Transition(h, c.id(), to, "reason given", &moved);
        if (legal.count({from, to})) {
          REQUIRE_OK(st);
          REQUIRE(moved.state() == to);
          REQUIRE(moved.version() == c.version() + 1);
          auto entries = History(h, c.id());
          REQUIRE(entries.back().action() == "transition");
          REQUIRE(entries.back().changes(0).field() == "state");
          REQUIRE(entries.back().changes(0).old_value() == StateName(from));
          REQUIRE(entries.back().changes(0).new_value() == StateName(to));
        } else {
          REQUIRE_GRPC(st, grpc::StatusCode::FAILED_PRECONDITION,
                       absl::StrCat("target_state: cannot move from ", StateName(from), " to ",
                                    StateName(to)));
          REQUIRE(History(h, c.id()).size() == static_cast<size_t>(c.version()));
        }
      }
    }
  }
}

TEST_CASE("suspension and termination need a reason; activation an active participant") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  v1::Contract c = h.CreateContract(p.id(), "TR-1");
  REQUIRE_GRPC(Transition(h, c.id(), v1::CONTRACT_STATE_TERMINATED, ""),
               grpc::StatusCode::INVALID_ARGUMENT, "reason: required");
  REQUIRE_GRPC(Transition(h, c.id(), v1::CONTRACT_STATE_UNSPECIFIED, "x"),
               grpc::StatusCode::INVALID_ARGUMENT, "target_state: required");
  h.SetParticipantStatus(p.id(), v1::PARTICIPANT_STATUS_SUSPENDED);
  REQUIRE_GRPC(Transition(h, c.id(), v1::CONTRACT_STATE_ACTIVE, ""),
               grpc::StatusCode::FAILED_PRECONDITION, "SUSPENDED");
  h.SetParticipantStatus(p.id(), v1::PARTICIPANT_STATUS_ACTIVE);
  REQUIRE_OK(Transition(h, c.id(), v1::CONTRACT_STATE_ACTIVE, ""));
  REQUIRE_GRPC(Transition(h, c.id(), v1::CONTRACT_STATE_SUSPENDED, "  "),
               grpc::StatusCode::INVALID_ARGUMENT, "reason");
  v1::Contract suspended;
  REQUIRE_OK(Transition(h, c.id(), v1::CONTRACT_STATE_SUSPENDED, "Debt over 2 months", &suspended));
  REQUIRE(History(h, c.id()).back().reason() == "Debt over 2 months");

  // A participant with a contract in force is not terminated; once the
  // contract is, the participant can be, and gets no new contract.
  v1::UpdateParticipantRequest end;
  end.set_request_id(NewRequestId());
  end.mutable_participant()->set_id(p.id());
  end.mutable_participant()->set_status(v1::PARTICIPANT_STATUS_TERMINATED);
  end.mutable_update_mask()->add_paths("status");
  end.set_reason("Left the market");
  v1::UpdateParticipantResponse ended;
  REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::UpdateParticipant, end, &ended),
               grpc::StatusCode::FAILED_PRECONDITION,
               "participant.status: the participant has contracts in force (TR-1)");
  REQUIRE_OK(Transition(h, c.id(), v1::CONTRACT_STATE_TERMINATED, "Left the market"));
  h.SetParticipantStatus(p.id(), v1::PARTICIPANT_STATUS_TERMINATED);
  v1::CreateContractRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_contract()->set_number("TR-2");
  req.mutable_contract()->set_participant_id(p.id());
  req.mutable_contract()->set_service_type(v1::SERVICE_TYPE_TRANSMISSION);
  *req.mutable_contract()->mutable_valid_from() = D(2026, 1, 1);
  v1::CreateContractResponse resp;
  REQUIRE_GRPC(h.Call(*h.contract_stub, &CS::CreateContract, req, &resp),
               grpc::StatusCode::FAILED_PRECONDITION, "contract.participant_id");
}

TEST_CASE("contract validation names the field and writes nothing") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  auto base = [&] {
    v1::CreateContractRequest req;
    req.set_request_id(NewRequestId());
    auto* c = req.mutable_contract();
    c->set_number("DSP-2026/17");
    c->set_participant_id(p.id());
    c->set_service_type(v1::SERVICE_TYPE_TECHNICAL_DISPATCHING);
    *c->mutable_valid_from() = D(2026, 1, 1);
    return req;
  };
  v1::CreateContractResponse resp;
  auto check = [&](const v1::CreateContractRequest& req, grpc::StatusCode code,
                   const std::string& text) {
    REQUIRE_GRPC(h.Call(*h.contract_stub, &CS::CreateContract, req, &resp), code, text);
  };
  auto req = base();
  req.mutable_contract()->clear_number();
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "contract.number: required");
  req = base();
  req.mutable_contract()->set_service_type(v1::SERVICE_TYPE_UNSPECIFIED);
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "contract.service_type: required");
  req = base();
  req.mutable_contract()->clear_valid_from();
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "contract.valid_from");
  req = base();
  *req.mutable_contract()->mutable_valid_to() = D(2025, 12, 31);
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "contract.valid_to: before valid_from");
  req = base();
  *req.mutable_contract()->mutable_valid_to() = D(2026, 12, 31);
  *req.mutable_contract()->mutable_signed_on() = D(2027, 1, 1);
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "contract.signed_on: after valid_to");
  req = base();
  req.mutable_contract()->mutable_payment_terms()->set_due_day(32);
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "contract.payment_terms.due_day");
  req = base();
  req.mutable_contract()->mutable_payment_terms()->set_prepayment_share("1.5");
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "contract.payment_terms.prepayment_share");
  req = base();
  req.mutable_contract()->mutable_payment_terms()->set_prepayment_share("0.1234567");
  check(req, grpc::StatusCode::INVALID_ARGUMENT,
        "contract.payment_terms.prepayment_share: more than 6 fractional digits");
  req = base();
  req.mutable_contract()->set_participant_id("5b0a4d6e-0000-4000-8000-000000000000");
  check(req, grpc::StatusCode::NOT_FOUND, "contract.participant_id");
  req = base();
  req.mutable_contract()->set_participant_id("");
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "contract.participant_id: required");
  req = base();
  req.mutable_contract()->add_metering_point_codes("MP-1");
  req.mutable_contract()->add_metering_point_codes("MP-1");
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "contract.metering_point_codes[1]");
  REQUIRE(h.CountRows("contracts") == 0);
  REQUIRE(h.CountRows("contract_history") == 0);

  req = base();
  req.mutable_contract()->mutable_payment_terms()->set_prepayment_share("0.25");
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::CreateContract, req, &resp));
  REQUIRE(resp.contract().state() == v1::CONTRACT_STATE_DRAFT);
  REQUIRE(resp.contract().payment_terms().due_day() == 20);
  REQUIRE(resp.contract().payment_terms().prepayment_share() == "0.25");
  REQUIRE(resp.contract().version() == 1);

  req = base();
  check(req, grpc::StatusCode::ALREADY_EXISTS, "contract.number");
  REQUIRE(h.CountRows("contracts") == 1);
}

TEST_CASE("a draft changes freely, a contract in force only by amendment") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  v1::Participant other = h.CreateParticipant(2);
  v1::Contract c = h.CreateContract(p.id(), "BAL-1", v1::SERVICE_TYPE_BALANCING);

  auto update = [&](const v1::Contract& values, std::vector<std::string> paths,
                    const std::string& reason, const std::string& amendment,
                    v1::UpdateContractResponse* resp) {
    v1::UpdateContractRequest req;
    req.set_request_id(NewRequestId());
    *req.mutable_contract() = values;
    for (const auto& path : paths) req.mutable_update_mask()->add_paths(path);
    req.set_reason(reason);
    req.set_amendment_number(amendment);
    *req.mutable_effective_date() = D(2026, 4, 1);
    return h.Call(*h.contract_stub, &CS::UpdateContract, req, resp);
  };
  v1::UpdateContractResponse resp;
  v1::Contract values;
  values.set_id(c.id());
  values.set_number("BAL-1/26");
  values.set_participant_id(other.id());
  REQUIRE_OK(update(values, {"number", "participant_id"}, "", "", &resp));
  REQUIRE(resp.contract().number() == "BAL-1/26");
  REQUIRE(resp.contract().participant_id() == other.id());
  REQUIRE(resp.contract().amendment_count() == 0);
  REQUIRE(History(h, c.id()).back().action() == "update");

  h.MoveContract(c.id(), v1::CONTRACT_STATE_ACTIVE);
  values.set_number("BAL-2");
  REQUIRE_GRPC(update(values, {"number"}, "r", "A-1", &resp), grpc::StatusCode::FAILED_PRECONDITION,
               "contract.number");
  values.set_participant_id(p.id());
  REQUIRE_GRPC(update(values, {"participant_id"}, "r", "A-1", &resp),
               grpc::StatusCode::FAILED_PRECONDITION, "contract.participant_id");
  values.mutable_payment_terms()->set_due_day(25);
  REQUIRE_GRPC(update(values, {"payment_terms.due_day"}, "", "A-1", &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "reason");
  REQUIRE_GRPC(update(values, {"payment_terms.due_day"}, "New payment schedule", "", &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "amendment_number");
  REQUIRE_OK(
      update(values, {"payment_terms.due_day"}, "New payment schedule", "Add. No. 1", &resp));
  REQUIRE(resp.contract().payment_terms().due_day() == 25);
  REQUIRE(resp.contract().amendment_count() == 1);
  REQUIRE(resp.contract().state() == v1::CONTRACT_STATE_ACTIVE);

  auto entries = History(h, c.id());
  const auto& amend = entries.back();
  REQUIRE(amend.action() == "amend");
  REQUIRE(amend.reason() == "New payment schedule");
  std::map<std::string, std::pair<std::string, std::string>> changes;
  for (const auto& ch : amend.changes()) changes[ch.field()] = {ch.old_value(), ch.new_value()};
  REQUIRE(changes["payment_terms.due_day"] == std::make_pair(std::string("20"), std::string("25")));
  REQUIRE(changes["amendment_number"].second == "Add. No. 1");
  REQUIRE(changes["effective_date"].second == "2026-04-01");
  REQUIRE(changes["amendment_count"] == std::make_pair(std::string("0"), std::string("1")));

  h.MoveContract(c.id(), v1::CONTRACT_STATE_TERMINATED);
  values.mutable_payment_terms()->set_due_day(10);
  REQUIRE_GRPC(update(values, {"payment_terms.due_day"}, "x", "Add. No. 2", &resp),
               grpc::StatusCode::FAILED_PRECONDITION, "TERMINATED");
  REQUIRE_GRPC(update(values, {"state"}, "x", "y", &resp), grpc::StatusCode::INVALID_ARGUMENT,
               "update_mask");
}

TEST_CASE("a participant's user sees only its own contracts") {
  Harness h;
  v1::Participant mine = h.CreateParticipant(1);
  v1::Participant theirs = h.CreateParticipant(2);
  v1::Contract my_contract = h.CreateContract(mine.id(), "C-MINE");
  v1::Contract their_contract = h.CreateContract(theirs.id(), "C-THEIRS");
  const Who me = ParticipantUser(mine.id());

  v1::GetContractRequest get;
  v1::GetContractResponse got;
  get.set_id(my_contract.id());
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::GetContract, get, &got, me));
  REQUIRE(got.contract().number() == "C-MINE");
  get.set_id(their_contract.id());
  REQUIRE_GRPC(h.Call(*h.contract_stub, &CS::GetContract, get, &got, me),
               grpc::StatusCode::PERMISSION_DENIED, "another participant");

  v1::ListContractsRequest list;
  v1::ListContractsResponse listed;
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::ListContracts, list, &listed, me));
  REQUIRE(listed.total_size() == 1);
  REQUIRE(listed.contracts(0).id() == my_contract.id());
  list.set_participant_id(theirs.id());
  REQUIRE_GRPC(h.Call(*h.contract_stub, &CS::ListContracts, list, &listed, me),
               grpc::StatusCode::PERMISSION_DENIED, "participant_id");
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::ListContracts, list, &listed));
  REQUIRE(listed.total_size() == 1);
  REQUIRE(listed.contracts(0).id() == their_contract.id());

  v1::ListContractHistoryRequest hist;
  v1::ListContractHistoryResponse entries;
  hist.set_id(their_contract.id());
  REQUIRE_GRPC(h.Call(*h.contract_stub, &CS::ListContractHistory, hist, &entries, me),
               grpc::StatusCode::PERMISSION_DENIED, "");
  hist.set_id(my_contract.id());
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::ListContractHistory, hist, &entries, me));
  REQUIRE(entries.entries_size() == 1);

  // Nor may it change contracts, its own included.
  v1::TransitionContractRequest tr;
  tr.set_request_id(NewRequestId());
  tr.set_id(my_contract.id());
  tr.set_target_state(v1::CONTRACT_STATE_ACTIVE);
  v1::TransitionContractResponse moved;
  REQUIRE_GRPC(h.Call(*h.contract_stub, &CS::TransitionContract, tr, &moved, me),
               grpc::StatusCode::PERMISSION_DENIED, "");

  get.set_id("not-a-uuid");
  REQUIRE_GRPC(h.Call(*h.contract_stub, &CS::GetContract, get, &got), grpc::StatusCode::NOT_FOUND,
               "not-a-uuid");
  get.set_id("7d1e2a3b-0000-4000-8000-000000000000");
  REQUIRE_GRPC(h.Call(*h.contract_stub, &CS::GetContract, get, &got), grpc::StatusCode::NOT_FOUND,
               "contract");
}

TEST_CASE("a retried contract call replays its first response and writes nothing new") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  v1::CreateContractRequest req;
  req.set_request_id("create-tr-7");
  req.mutable_contract()->set_number("TR-7");
  req.mutable_contract()->set_participant_id(p.id());
  req.mutable_contract()->set_service_type(v1::SERVICE_TYPE_TRANSMISSION);
  *req.mutable_contract()->mutable_valid_from() = D(2026, 1, 1);
  v1::CreateContractResponse first, second;
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::CreateContract, req, &first));
  h.clock.Advance(absl::Minutes(5));
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::CreateContract, req, &second));
  REQUIRE(second.SerializeAsString() == first.SerializeAsString());
  REQUIRE(h.CountRows("contracts") == 1);
  REQUIRE(h.CountRows("contract_history") == 1);

  req.mutable_contract()->set_number("TR-8");
  REQUIRE_GRPC(h.Call(*h.contract_stub, &CS::CreateContract, req, &second),
               grpc::StatusCode::INVALID_ARGUMENT, "request_id");
  // The same id from another caller is that caller's conflict, not a replay.
  req.mutable_contract()->set_number("TR-7");
  REQUIRE_GRPC(h.Call(*h.contract_stub, &CS::CreateContract, req, &second,
                      Who{"someone.else@kegoc.kz", "ROLE_OPERATOR", ""}),
               grpc::StatusCode::INVALID_ARGUMENT, "request_id");
  req.set_request_id("");
  REQUIRE_GRPC(h.Call(*h.contract_stub, &CS::CreateContract, req, &second),
               grpc::StatusCode::INVALID_ARGUMENT, "request_id: required");

  v1::TransitionContractRequest tr;
  tr.set_request_id("activate-tr-7");
  tr.set_id(first.contract().id());
  tr.set_target_state(v1::CONTRACT_STATE_ACTIVE);
  v1::TransitionContractResponse a, b;
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::TransitionContract, tr, &a));
  // Replayed, not re-run: a second activation would be an illegal transition.
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::TransitionContract, tr, &b));
  REQUIRE(a.SerializeAsString() == b.SerializeAsString());
  REQUIRE(h.CountRows("contract_history") == 2);

  // A failed call stores nothing: after fixing the state, the same id succeeds.
  tr.set_request_id("suspend-tr-7");
  tr.set_target_state(v1::CONTRACT_STATE_SUSPENDED);
  REQUIRE_GRPC(h.Call(*h.contract_stub, &CS::TransitionContract, tr, &a),
               grpc::StatusCode::INVALID_ARGUMENT, "reason");
  tr.set_reason("Debt");
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::TransitionContract, tr, &a));
  REQUIRE(a.contract().state() == v1::CONTRACT_STATE_SUSPENDED);
  REQUIRE(h.CountRows("contract_history") == 3);
}

TEST_CASE("contract lists page through every contract once") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  v1::Participant q = h.CreateParticipant(2);
  for (int i = 0; i < 11; ++i) h.CreateContract(p.id(), absl::StrFormat("TR-%02d", i));
  for (int i = 0; i < 3; ++i) {
    h.CreateContract(q.id(), absl::StrFormat("DSP-%02d", i),
                     v1::SERVICE_TYPE_TECHNICAL_DISPATCHING);
  }
  v1::ListContractsRequest req;
  req.set_participant_id(p.id());
  req.set_page_size(4);
  std::vector<std::string> numbers;
  std::set<std::string> ids;
  int pages = 0;
  do {
    v1::ListContractsResponse resp;
    REQUIRE_OK(h.Call(*h.contract_stub, &CS::ListContracts, req, &resp));
    REQUIRE(resp.total_size() == 11);
    for (const auto& c : resp.contracts()) {
      numbers.push_back(c.number());
      REQUIRE(ids.insert(c.id()).second);
    }
    req.set_page_token(resp.next_page_token());
    ++pages;
  } while (!req.page_token().empty());
  REQUIRE(pages == 3);
  REQUIRE(numbers.size() == 11);
  REQUIRE(std::is_sorted(numbers.begin(), numbers.end()));

  v1::ListContractsRequest filtered;
  filtered.set_service_type(v1::SERVICE_TYPE_TECHNICAL_DISPATCHING);
  v1::ListContractsResponse resp;
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::ListContracts, filtered, &resp));
  REQUIRE(resp.total_size() == 3);
  filtered.Clear();
  filtered.set_query("tr-1");
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::ListContracts, filtered, &resp));
  REQUIRE(resp.total_size() == 1);
  REQUIRE(resp.contracts(0).number() == "TR-10");
  filtered.Clear();
  filtered.set_state(v1::CONTRACT_STATE_ACTIVE);
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::ListContracts, filtered, &resp));
  REQUIRE(resp.total_size() == 0);
  filtered.Clear();
  *filtered.mutable_valid_on() = D(2025, 12, 31);
  REQUIRE_OK(h.Call(*h.contract_stub, &CS::ListContracts, filtered, &resp));
  REQUIRE(resp.total_size() == 0);
  filtered.set_page_token("garbage!");
  REQUIRE_GRPC(h.Call(*h.contract_stub, &CS::ListContracts, filtered, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "page_token");
}

}  // namespace
}  // namespace gridbill::contracts::testing
