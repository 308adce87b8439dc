#include "harness.h"

#include "absl/strings/str_cat.h"

namespace gridbill::contracts::testing {

Who ParticipantUser(const std::string& participant_id, const std::string& principal) {
  return Who{principal, "ROLE_PARTICIPANT_USER", participant_id};
}

absl::Time StartTime() {
  return absl::FromCivil(absl::CivilSecond(2026, 3, 10, 12, 0, 0), Almaty());
}

Harness::Harness()
    : base(GRIDBILL_CONTRACTS_MIGRATIONS_DIR, {.service_name = "contracts"}),
      clock(StartTime()),
      store(db.pool()),
      idempotency(db.pool()),
      reference(store, clock),
      participants(store, clock),
      contracts(store, clock, Almaty()),
      tariffs(store, clock, Almaty()),
      applications(store, clock, Almaty(), ApplicationDeadlines{}),
      reference_service(reference, idempotency),
      participant_service(participants, idempotency),
      contract_service(contracts, idempotency),
      tariff_service(tariffs, idempotency),
      application_service(applications, idempotency) {
  base.Start({&reference_service, &participant_service, &contract_service, &tariff_service,
              &application_service});
  server = &base.server();
  std::shared_ptr<grpc::Channel> channel = base.channel();
  reference_stub = v1::ReferenceDataService::NewStub(channel);
  participant_stub = v1::ParticipantService::NewStub(channel);
  contract_stub = v1::ContractService::NewStub(channel);
  tariff_stub = v1::TariffService::NewStub(channel);
  application_stub = v1::ApplicationService::NewStub(channel);
}

// The server stops (base) before the services it calls go.
Harness::~Harness() { base.Stop(); }

int64_t Harness::CountRows(const std::string& table) { return base.CountRows(table); }

v1::Participant Harness::CreateParticipant(int n, const std::string& short_name) {
  v1::CreateParticipantRequest req;
  req.set_request_id(NewRequestId());
  auto* p = req.mutable_participant();
  p->set_bin(MakeBin(n));
  p->set_short_name(short_name.empty() ? absl::StrCat("Participant ", n) : short_name);
  p->set_legal_name(absl::StrCat("АО «", p->short_name(), "»"));
  p->add_roles(v1::PARTICIPANT_ROLE_CONSUMER);
  v1::CreateParticipantResponse resp;
  REQUIRE_OK(Call(*participant_stub, &v1::ParticipantService::Stub::CreateParticipant, req, &resp));
  return resp.participant();
}

v1::Contract Harness::CreateContract(const std::string& participant_id, const std::string& number,
                                     v1::ServiceType service) {
  v1::CreateContractRequest req;
  req.set_request_id(NewRequestId());
  auto* c = req.mutable_contract();
  c->set_number(number);
  c->set_participant_id(participant_id);
  c->set_service_type(service);
  *c->mutable_valid_from() = D(2026, 1, 1);
  v1::CreateContractResponse resp;
  REQUIRE_OK(Call(*contract_stub, &v1::ContractService::Stub::CreateContract, req, &resp));
  return resp.contract();
}

v1::Contract Harness::MoveContract(const std::string& id, v1::ContractState state) {
  auto step = [&](v1::ContractState target) {
    v1::TransitionContractRequest req;
    req.set_request_id(NewRequestId());
    req.set_id(id);
    req.set_target_state(target);
    req.set_reason("test setup");
    v1::TransitionContractResponse resp;
    REQUIRE_OK(Call(*contract_stub, &v1::ContractService::Stub::TransitionContract, req, &resp));
    return resp.contract();
  };
  v1::GetContractRequest get;
  get.set_id(id);
  v1::GetContractResponse current;
  REQUIRE_OK(Call(*contract_stub, &v1::ContractService::Stub::GetContract, get, &current));
  v1::Contract c = current.contract();
  switch (state) {
    case v1::CONTRACT_STATE_DRAFT:
      return c;
    case v1::CONTRACT_STATE_ACTIVE:
      return step(v1::CONTRACT_STATE_ACTIVE);
    case v1::CONTRACT_STATE_SUSPENDED:
      step(v1::CONTRACT_STATE_ACTIVE);
      return step(v1::CONTRACT_STATE_SUSPENDED);
    case v1::CONTRACT_STATE_TERMINATED:
      return step(v1::CONTRACT_STATE_TERMINATED);
    default:
      FAIL("no such state");
  }
  return c;
}

v1::Application Harness::CreateApplication(const std::string& participant_id,
                                           v1::ApplicationType type, const Who& who) {
  v1::CreateApplicationRequest req;
  req.set_request_id(NewRequestId());
  auto* a = req.mutable_application();
  a->set_participant_id(participant_id);
  a->set_type(type);
  a->set_subject("Test application");
  if (type == v1::APPLICATION_TYPE_DECLARED_VOLUMES) {
    a->mutable_period()->set_year(2026);
    a->mutable_period()->set_month(4);
    auto* v = a->add_declared_volumes();
    v->set_service_type(v1::SERVICE_TYPE_TRANSMISSION);
    v->set_volume_wh(1'250'000'000);
  }
  v1::CreateApplicationResponse resp;
  REQUIRE_OK(
      Call(*application_stub, &v1::ApplicationService::Stub::CreateApplication, req, &resp, who));
  return resp.application();
}

grpc::Status Harness::TransitionApplication(const std::string& id, v1::ApplicationState target,
                                            v1::Application* out, const Who& who,
                                            const std::string& resolution) {
  v1::TransitionApplicationRequest req;
  req.set_request_id(NewRequestId());
  req.set_id(id);
  req.set_target_state(target);
  req.set_resolution(resolution);
  v1::TransitionApplicationResponse resp;
  grpc::Status st = Call(*application_stub, &v1::ApplicationService::Stub::TransitionApplication,
                         req, &resp, who);
  if (out) *out = resp.application();
  return st;
}

v1::Application Harness::MoveApplication(const std::string& id, v1::ApplicationState state) {
  using S = v1::ApplicationState;
  std::vector<S> path;
  switch (state) {
    case v1::APPLICATION_STATE_DRAFT:
      break;
    case v1::APPLICATION_STATE_SUBMITTED:
      path = {v1::APPLICATION_STATE_SUBMITTED};
      break;
    case v1::APPLICATION_STATE_IN_REVIEW:
      path = {v1::APPLICATION_STATE_SUBMITTED, v1::APPLICATION_STATE_IN_REVIEW};
      break;
    case v1::APPLICATION_STATE_APPROVED:
    case v1::APPLICATION_STATE_REJECTED:
      path = {v1::APPLICATION_STATE_SUBMITTED, v1::APPLICATION_STATE_IN_REVIEW, state};
      break;
    case v1::APPLICATION_STATE_CLOSED:
      path = {v1::APPLICATION_STATE_CLOSED};
      break;
    default:
      FAIL("no such state");
  }
  v1::Application out;
  for (S s : path) REQUIRE_OK(TransitionApplication(id, s, &out, Who(), "decided in setup"));
  if (path.empty()) {
    v1::GetApplicationRequest get;
    get.set_id(id);
    v1::GetApplicationResponse resp;
    REQUIRE_OK(Call(*application_stub, &v1::ApplicationService::Stub::GetApplication, get, &resp));
    out = resp.application();
  }
  return out;
}

v1::Participant Harness::SetParticipantStatus(const std::string& id, v1::ParticipantStatus status) {
  v1::UpdateParticipantRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_participant()->set_id(id);
  req.mutable_participant()->set_status(status);
  req.mutable_update_mask()->add_paths("status");
  req.set_reason("status change in test setup");
  v1::UpdateParticipantResponse resp;
  REQUIRE_OK(Call(*participant_stub, &v1::ParticipantService::Stub::UpdateParticipant, req, &resp));
  return resp.participant();
}

}  // namespace gridbill::contracts::testing
