// Reference data and participants against real PostgreSQL through the gRPC edge.
#include <set>

#include "harness.h"

namespace gridbill::contracts::testing {
namespace {

using RS = v1::ReferenceDataService::Stub;
using PS = v1::ParticipantService::Stub;

grpc::Status CreateRecord(Harness& h, const v1::ReferenceRecord& record, v1::ReferenceRecord* out,
                          const Who& who = Who()) {
  v1::CreateReferenceRecordRequest req;
  req.set_request_id(NewRequestId());
  *req.mutable_record() = record;
  v1::CreateReferenceRecordResponse resp;
  grpc::Status st = h.Call(*h.reference_stub, &RS::CreateReferenceRecord, req, &resp, who);
  if (out) *out = resp.record();
  return st;
}

v1::ReferenceRecord Region(const std::string& code, const std::string& kato) {
  v1::ReferenceRecord r;
  r.set_kind(v1::REFERENCE_KIND_REGION);
  r.set_code(code);
  r.set_name("Алматинская область");
  r.set_name_kk("Алматы облысы");
  *r.mutable_valid_from() = D(2000, 1, 1);
  r.mutable_region()->set_kato_code(kato);
  return r;
}

v1::ReferenceRecord Substation(const std::string& code, const std::string& region,
                               const std::string& level) {
  v1::ReferenceRecord r;
  r.set_kind(v1::REFERENCE_KIND_SUBSTATION);
  r.set_code(code);
  r.set_name("ПС " + code);
  *r.mutable_valid_from() = D(2010, 1, 1);
  r.mutable_substation()->set_region_code(region);
  r.mutable_substation()->set_voltage_level_code(level);
  return r;
}

TEST_CASE("the fixed dictionaries are seeded") {
  Harness h;
  v1::ListReferenceRecordsRequest req;
  req.set_kind(v1::REFERENCE_KIND_VOLTAGE_LEVEL);
  v1::ListReferenceRecordsResponse resp;
  REQUIRE_OK(h.Call(*h.reference_stub, &RS::ListReferenceRecords, req, &resp));
  REQUIRE(resp.total_size() == 6);
  std::set<int> kv;
  for (const auto& r : resp.records()) kv.insert(r.voltage_level().nominal_kv());
  REQUIRE(kv == std::set<int>{1150, 500, 220, 110, 35, 10});

  req.set_kind(v1::REFERENCE_KIND_SERVICE_TYPE);
  REQUIRE_OK(h.Call(*h.reference_stub, &RS::ListReferenceRecords, req, &resp));
  REQUIRE(resp.total_size() == 4);
  *req.mutable_valid_on() = D(2023, 6, 30);
  REQUIRE_OK(h.Call(*h.reference_stub, &RS::ListReferenceRecords, req, &resp));
  REQUIRE(resp.total_size() == 3);  // use of the grid only from 2023-07-01

  req.Clear();
  req.set_kind(v1::REFERENCE_KIND_PARTICIPANT_ROLE);
  REQUIRE_OK(h.Call(*h.reference_stub, &RS::ListReferenceRecords, req, &resp));
  REQUIRE(resp.total_size() == 8);
  req.set_kind(v1::REFERENCE_KIND_UNIT);
  REQUIRE_OK(h.Call(*h.reference_stub, &RS::ListReferenceRecords, req, &resp));
  REQUIRE(resp.total_size() == 2);
  req.set_kind(v1::REFERENCE_KIND_DOCUMENT_TYPE);
  REQUIRE_OK(h.Call(*h.reference_stub, &RS::ListReferenceRecords, req, &resp));
  REQUIRE(resp.total_size() >= 3);
  req.Clear();
  req.set_query("счет-фактура");
  REQUIRE_OK(h.Call(*h.reference_stub, &RS::ListReferenceRecords, req, &resp));
  REQUIRE(resp.total_size() == 1);
  REQUIRE(resp.records(0).code() == "EVAT_INVOICE");
  req.Clear();
  req.set_kind(v1::REFERENCE_KIND_REGION);
  REQUIRE_OK(h.Call(*h.reference_stub, &RS::ListReferenceRecords, req, &resp));
  REQUIRE(resp.total_size() == 0);  // demo data, not seeded
}

TEST_CASE("reference records: typed details, references, history") {
  Harness h;
  v1::ReferenceRecord region, sub, line;
  v1::ReferenceRecord bad = Region("ALM", "");
  bad.clear_region();
  REQUIRE_GRPC(CreateRecord(h, bad, nullptr), grpc::StatusCode::INVALID_ARGUMENT,
               "record.region: required");
  bad = Region("ALM", "19A");
  REQUIRE_GRPC(CreateRecord(h, bad, nullptr), grpc::StatusCode::INVALID_ARGUMENT,
               "record.region.kato_code");
  bad = Region("ALM", "190000000");
  bad.mutable_bank()->set_bik("HSBKKZKX");
  REQUIRE_GRPC(CreateRecord(h, bad, nullptr), grpc::StatusCode::INVALID_ARGUMENT,
               "record.bank: does not match kind REGION");
  bad = Region("ALM", "190000000");
  bad.set_kind(v1::REFERENCE_KIND_UNSPECIFIED);
  REQUIRE_GRPC(CreateRecord(h, bad, nullptr), grpc::StatusCode::INVALID_ARGUMENT,
               "record.kind: required");
  bad = Region("ALM", "190000000");
  *bad.mutable_valid_to() = D(1999, 12, 31);
  REQUIRE_GRPC(CreateRecord(h, bad, nullptr), grpc::StatusCode::INVALID_ARGUMENT,
               "record.valid_to: before valid_from");
  REQUIRE_GRPC(CreateRecord(h, Region("ALM", "190000000"), nullptr,
                            ParticipantUser("00000000-0000-0000-0000-000000000001")),
               grpc::StatusCode::PERMISSION_DENIED, "");
  REQUIRE_OK(CreateRecord(h, Region("ALM", "190000000"), &region,
                          Who{"ref.editor@kegoc.kz", "ROLE_OPERATOR", ""}));
  REQUIRE(region.version() == 1);
  REQUIRE_GRPC(CreateRecord(h, Region("ALM", "190000000"), nullptr),
               grpc::StatusCode::ALREADY_EXISTS, "record.code");

  REQUIRE_GRPC(CreateRecord(h, Substation("ALMA", "NOPE", "500"), nullptr),
               grpc::StatusCode::INVALID_ARGUMENT, "record.substation.region_code");
  REQUIRE_GRPC(CreateRecord(h, Substation("ALMA", "ALM", "750"), nullptr),
               grpc::StatusCode::INVALID_ARGUMENT, "record.substation.voltage_level_code");
  REQUIRE_OK(CreateRecord(h, Substation("ALMA", "ALM", "500"), &sub));
  REQUIRE_OK(CreateRecord(h, Substation("ZAP", "ALM", "500"), nullptr));

  v1::ReferenceRecord pl;
  pl.set_kind(v1::REFERENCE_KIND_POWER_LINE);
  pl.set_code("L-5001");
  pl.set_name("ВЛ 500 кВ Алма — ЗападнаяЛ");
  *pl.mutable_valid_from() = D(2015, 1, 1);
  pl.mutable_power_line()->set_from_substation_code("ALMA");
  pl.mutable_power_line()->set_to_substation_code("NOPE");
  pl.mutable_power_line()->set_voltage_level_code("500");
  pl.mutable_power_line()->set_length_m(120'000);
  REQUIRE_GRPC(CreateRecord(h, pl, nullptr), grpc::StatusCode::INVALID_ARGUMENT,
               "record.power_line.to_substation_code");
  pl.mutable_power_line()->set_to_substation_code("ZAP");
  REQUIRE_OK(CreateRecord(h, pl, &line));
  REQUIRE(line.power_line().length_m() == 120'000);

  v1::ReferenceRecord bank;
  bank.set_kind(v1::REFERENCE_KIND_BANK);
  bank.set_code("HSBK");
  bank.set_name("АО «Народный Банк Казахстана»");
  *bank.mutable_valid_from() = D(2000, 1, 1);
  bank.mutable_bank()->set_bik("hsbkkzkx");
  REQUIRE_GRPC(CreateRecord(h, bank, nullptr), grpc::StatusCode::INVALID_ARGUMENT,
               "record.bank.bik");
  bank.mutable_bank()->set_bik("HSBKKZKX");
  bank.mutable_bank()->set_bin("990740000684");
  REQUIRE_GRPC(CreateRecord(h, bank, nullptr), grpc::StatusCode::INVALID_ARGUMENT,
               "record.bank.bin");
  bank.mutable_bank()->set_bin("990740000683");
  REQUIRE_OK(CreateRecord(h, bank, nullptr));

  // Update by mask, with optimistic locking and a history entry.
  v1::UpdateReferenceRecordRequest up;
  up.set_request_id(NewRequestId());
  up.mutable_record()->set_id(sub.id());
  up.mutable_record()->set_name("ПС 500 кВ Алма");
  *up.mutable_record()->mutable_valid_to() = D(2030, 12, 31);
  up.mutable_update_mask()->add_paths("name");
  up.mutable_update_mask()->add_paths("valid_to");
  up.set_expected_version(2);
  up.set_reason("Renamed by order 12");
  v1::UpdateReferenceRecordResponse updated;
  const Who editor{"ref.editor@kegoc.kz", "ROLE_OPERATOR", ""};
  REQUIRE_GRPC(h.Call(*h.reference_stub, &RS::UpdateReferenceRecord, up, &updated, editor),
               grpc::StatusCode::FAILED_PRECONDITION, "expected_version");
  up.set_expected_version(1);
  up.mutable_update_mask()->add_paths("code");
  REQUIRE_GRPC(h.Call(*h.reference_stub, &RS::UpdateReferenceRecord, up, &updated, editor),
               grpc::StatusCode::INVALID_ARGUMENT,
               "update_mask: unknown or immutable field 'code'");
  up.mutable_update_mask()->clear_paths();
  up.mutable_update_mask()->add_paths("name");
  up.mutable_update_mask()->add_paths("valid_to");
  REQUIRE_OK(h.Call(*h.reference_stub, &RS::UpdateReferenceRecord, up, &updated, editor));
  REQUIRE(updated.record().name() == "ПС 500 кВ Алма");
  REQUIRE(updated.record().version() == 2);
  REQUIRE(updated.record().valid_to().year() == 2030);
  REQUIRE(updated.record().substation().region_code() == "ALM");

  v1::ListReferenceRecordHistoryRequest hist;
  hist.set_id(sub.id());
  v1::ListReferenceRecordHistoryResponse entries;
  REQUIRE_OK(h.Call(*h.reference_stub, &RS::ListReferenceRecordHistory, hist, &entries));
  REQUIRE(entries.entries_size() == 2);
  REQUIRE(entries.entries(0).action() == "create");
  REQUIRE(entries.entries(0).actor() == "operator@kegoc.kz");
  const auto& e = entries.entries(1);
  REQUIRE(e.action() == "update");
  REQUIRE(e.actor() == "ref.editor@kegoc.kz");
  REQUIRE(e.reason() == "Renamed by order 12");
  REQUIRE(e.request_id() == up.request_id());
  REQUIRE(e.changes_size() == 2);
  REQUIRE(e.changes(0).field() == "name");
  REQUIRE(e.changes(0).old_value() == "ПС ALMA");
  REQUIRE(e.changes(1).field() == "valid_to");
  REQUIRE(e.changes(1).old_value() == "");
  REQUIRE(e.changes(1).new_value() == "2030-12-31");

  // A second record with the code is fine once the first has ended.
  v1::ReferenceRecord successor = Substation("ALMA", "ALM", "500");
  *successor.mutable_valid_from() = D(2031, 1, 1);
  REQUIRE_OK(CreateRecord(h, successor, nullptr));
  v1::ListReferenceRecordsRequest by_code;
  by_code.set_code("ALMA");
  v1::ListReferenceRecordsResponse found;
  REQUIRE_OK(h.Call(*h.reference_stub, &RS::ListReferenceRecords, by_code, &found));
  REQUIRE(found.total_size() == 2);
  *by_code.mutable_valid_on() = D(2031, 6, 1);
  REQUIRE_OK(h.Call(*h.reference_stub, &RS::ListReferenceRecords, by_code, &found));
  REQUIRE(found.total_size() == 1);
  REQUIRE(found.records(0).valid_from().year() == 2031);
}

v1::CreateParticipantRequest NewParticipant(int n) {
  v1::CreateParticipantRequest req;
  req.set_request_id(NewRequestId());
  auto* p = req.mutable_participant();
  p->set_bin(MakeBin(n));
  p->set_short_name(absl::StrCat("ТОО Энерго-", n));
  p->set_legal_name(absl::StrCat("Товарищество с ограниченной ответственностью «Энерго-", n, "»"));
  p->set_legal_address("г. Астана, пр. Тәуелсіздік, 59");
  p->add_roles(v1::PARTICIPANT_ROLE_DISTRIBUTION_COMPANY);
  p->add_roles(v1::PARTICIPANT_ROLE_CONSUMER);
  p->mutable_bank_account()->set_iik("KZ86125KZT5004100100");
  p->mutable_bank_account()->set_bik("HSBKKZKX");
  p->mutable_bank_account()->set_bank_name("Halyk Bank");
  p->mutable_bank_account()->set_kbe("17");
  auto* c = p->add_contacts();
  c->set_name("Иванов Иван");
  c->set_email("ivanov@energo.kz");
  return req;
}

TEST_CASE("participant registration validates every field it names") {
  Harness h;
  v1::CreateParticipantResponse resp;
  auto check = [&](const v1::CreateParticipantRequest& req, grpc::StatusCode code,
                   const std::string& text) {
    REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::CreateParticipant, req, &resp), code, text);
  };
  auto req = NewParticipant(1);
  std::string bin = req.participant().bin();
  bin.back() = bin.back() == '9' ? '0' : bin.back() + 1;
  req.mutable_participant()->set_bin(bin);
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.bin: check digit");
  req = NewParticipant(1);
  req.mutable_participant()->set_bin("12345");
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.bin");
  req = NewParticipant(1);
  req.mutable_participant()->set_eic("10YPL-AREA-----T");
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.eic");
  req = NewParticipant(1);
  req.mutable_participant()->clear_legal_name();
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.legal_name: required");
  req = NewParticipant(1);
  req.mutable_participant()->set_short_name(" ");
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.short_name: required");
  req = NewParticipant(1);
  req.mutable_participant()->clear_roles();
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.roles: at least one role");
  req = NewParticipant(1);
  req.mutable_participant()->add_roles(v1::PARTICIPANT_ROLE_UNSPECIFIED);
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.roles[2]");
  req = NewParticipant(1);
  req.mutable_participant()->add_roles(v1::PARTICIPANT_ROLE_CONSUMER);
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.roles[2]: duplicate role");
  req = NewParticipant(1);
  req.mutable_participant()->set_region_code("NOWHERE");
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.region_code");
  req = NewParticipant(1);
  req.mutable_participant()->mutable_bank_account()->set_iik("US86125KZT5004100100");
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.bank_account.iik");
  req = NewParticipant(1);
  req.mutable_participant()->mutable_bank_account()->set_bik("HSBK");
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.bank_account.bik");
  req = NewParticipant(1);
  req.mutable_participant()->mutable_bank_account()->set_kbe("170");
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.bank_account.kbe");
  req = NewParticipant(1);
  req.mutable_participant()->mutable_contacts(0)->set_email("ivanov.energo.kz");
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.contacts[0].email");
  req = NewParticipant(1);
  req.mutable_participant()->set_status(v1::PARTICIPANT_STATUS_TERMINATED);
  check(req, grpc::StatusCode::INVALID_ARGUMENT, "participant.status");
  REQUIRE(h.CountRows("participants") == 0);
  REQUIRE(h.CountRows("participant_history") == 0);

  v1::ReferenceRecord region;
  REQUIRE_OK(CreateRecord(h, Region("AST", "710000000"), &region));
  req = NewParticipant(1);
  req.mutable_participant()->set_region_code("AST");
  req.mutable_participant()->set_eic("10YPL-AREA-----S");
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::CreateParticipant, req, &resp));
  const auto& p = resp.participant();
  REQUIRE(p.status() == v1::PARTICIPANT_STATUS_ACTIVE);
  REQUIRE(p.roles_size() == 2);
  REQUIRE(p.roles(0) == v1::PARTICIPANT_ROLE_DISTRIBUTION_COMPANY);
  REQUIRE(p.contacts(0).email() == "ivanov@energo.kz");
  REQUIRE(p.bank_account().kbe() == "17");
  REQUIRE(h.CountRows("participant_contacts") == 1);

  v1::GetParticipantRequest get;
  get.set_id(p.id());
  v1::GetParticipantResponse got;
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::GetParticipant, get, &got));
  REQUIRE(got.participant().SerializeAsString() == p.SerializeAsString());

  auto dup = NewParticipant(1);
  REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::CreateParticipant, dup, &resp),
               grpc::StatusCode::ALREADY_EXISTS, "participant.bin");
}

TEST_CASE("participant status changes need a reason and end at TERMINATED") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  auto change = [&](v1::ParticipantStatus status, const std::string& reason,
                    v1::UpdateParticipantResponse* resp, const Who& who = Who()) {
    v1::UpdateParticipantRequest req;
    req.set_request_id(NewRequestId());
    req.mutable_participant()->set_id(p.id());
    req.mutable_participant()->set_status(status);
    req.mutable_update_mask()->add_paths("status");
    req.set_reason(reason);
    return h.Call(*h.participant_stub, &PS::UpdateParticipant, req, resp, who);
  };
  v1::UpdateParticipantResponse resp;
  REQUIRE_GRPC(change(v1::PARTICIPANT_STATUS_SUSPENDED, "", &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "reason: required");
  REQUIRE_GRPC(change(v1::PARTICIPANT_STATUS_UNSPECIFIED, "x", &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "participant.status");
  const Who admin{"admin@kegoc.kz", "ROLE_ADMIN", ""};
  REQUIRE_OK(change(v1::PARTICIPANT_STATUS_SUSPENDED, "Licence suspended", &resp, admin));
  REQUIRE(resp.participant().status() == v1::PARTICIPANT_STATUS_SUSPENDED);
  REQUIRE(resp.participant().version() == 2);
  REQUIRE_OK(change(v1::PARTICIPANT_STATUS_ACTIVE, "Licence restored", &resp));
  REQUIRE_OK(change(v1::PARTICIPANT_STATUS_TERMINATED, "Left the market", &resp));
  REQUIRE_GRPC(change(v1::PARTICIPANT_STATUS_ACTIVE, "Back", &resp),
               grpc::StatusCode::FAILED_PRECONDITION, "participant.status");

  v1::ListParticipantHistoryRequest hist;
  hist.set_id(p.id());
  v1::ListParticipantHistoryResponse entries;
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::ListParticipantHistory, hist, &entries));
  REQUIRE(entries.entries_size() == 4);
  REQUIRE(entries.entries(1).actor() == "admin@kegoc.kz");
  REQUIRE(entries.entries(1).reason() == "Licence suspended");
  REQUIRE(entries.entries(1).action() == "status");
  REQUIRE(entries.entries(1).changes(0).field() == "status");
  REQUIRE(entries.entries(1).changes(0).old_value() == "ACTIVE");
  REQUIRE(entries.entries(1).changes(0).new_value() == "SUSPENDED");
  REQUIRE(entries.entries(3).changes(0).new_value() == "TERMINATED");
}

TEST_CASE("participant updates by mask; the BIN is not updatable") {
  Harness h;
  v1::Participant p = h.CreateParticipant(1);
  v1::UpdateParticipantRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_participant()->set_id(p.id());
  req.mutable_participant()->set_short_name("Renamed");
  req.mutable_participant()->set_bin(MakeBin(5));
  req.mutable_update_mask()->add_paths("bin");
  v1::UpdateParticipantResponse resp;
  REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::UpdateParticipant, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "update_mask");
  req.mutable_update_mask()->clear_paths();
  req.mutable_update_mask()->add_paths("short_name");
  req.mutable_update_mask()->add_paths("contacts");
  auto* c = req.mutable_participant()->add_contacts();
  c->set_name("Petrova A.");
  c->set_email("petrova@example.kz");
  req.set_expected_version(1);
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::UpdateParticipant, req, &resp));
  REQUIRE(resp.participant().short_name() == "Renamed");
  REQUIRE(resp.participant().bin() == p.bin());
  REQUIRE(resp.participant().contacts_size() == 1);
  // Same request id, same content: replayed, even though version 1 is now stale.
  v1::UpdateParticipantResponse replay;
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::UpdateParticipant, req, &replay));
  REQUIRE(replay.SerializeAsString() == resp.SerializeAsString());
  REQUIRE(h.CountRows("participant_history") == 2);
  req.set_request_id(NewRequestId());
  REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::UpdateParticipant, req, &resp),
               grpc::StatusCode::FAILED_PRECONDITION, "expected_version");
}

TEST_CASE("a participant's user reads only its own participant") {
  Harness h;
  v1::Participant mine = h.CreateParticipant(1);
  v1::Participant theirs = h.CreateParticipant(2);
  const Who me = ParticipantUser(mine.id());
  v1::GetParticipantRequest get;
  v1::GetParticipantResponse got;
  get.set_id(mine.id());
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::GetParticipant, get, &got, me));
  get.set_id(theirs.id());
  REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::GetParticipant, get, &got, me),
               grpc::StatusCode::PERMISSION_DENIED, "id");
  v1::ListParticipantHistoryRequest hist;
  v1::ListParticipantHistoryResponse entries;
  hist.set_id(theirs.id());
  REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::ListParticipantHistory, hist, &entries, me),
               grpc::StatusCode::PERMISSION_DENIED, "id");
  v1::ListParticipantsRequest list;
  v1::ListParticipantsResponse listed;
  // Listing participants is the TSO's (ListParticipants declares no participant role).
  REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::ListParticipants, list, &listed, me),
               grpc::StatusCode::PERMISSION_DENIED,
               "(roles ROLE_PARTICIPANT_USER) may not call "
               "/gridbill.contracts.v1.ParticipantService/ListParticipants");
  get.set_id("11111111-2222-4333-8444-555555555555");
  REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::GetParticipant, get, &got),
               grpc::StatusCode::NOT_FOUND, "participant");
}

TEST_CASE("participant lists page by short name without duplicates") {
  Harness h;
  const std::vector<std::string> names = {"Юг",    "Alpha", "Бета",   "Gamma",
                                          "Delta", "Alpha", "Epsilon"};
  for (size_t i = 0; i < names.size(); ++i) h.CreateParticipant(static_cast<int>(i), names[i]);
  v1::ListParticipantsRequest req;
  req.set_page_size(3);
  std::vector<std::string> seen_names;
  std::set<std::string> ids;
  do {
    v1::ListParticipantsResponse resp;
    REQUIRE_OK(h.Call(*h.participant_stub, &PS::ListParticipants, req, &resp));
    REQUIRE(resp.total_size() == 7);
    REQUIRE(resp.participants_size() <= 3);
    for (const auto& p : resp.participants()) {
      REQUIRE(ids.insert(p.id()).second);
      seen_names.push_back(p.short_name());
    }
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  REQUIRE(ids.size() == 7);
  REQUIRE(seen_names.front() == "Alpha");
  REQUIRE(seen_names[1] == "Alpha");

  v1::ListParticipantsRequest filter;
  filter.set_query("gam");
  v1::ListParticipantsResponse resp;
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::ListParticipants, filter, &resp));
  REQUIRE(resp.total_size() == 1);
  filter.Clear();
  filter.set_role(v1::PARTICIPANT_ROLE_GENERATOR);
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::ListParticipants, filter, &resp));
  REQUIRE(resp.total_size() == 0);
  filter.set_role(v1::PARTICIPANT_ROLE_CONSUMER);
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::ListParticipants, filter, &resp));
  REQUIRE(resp.total_size() == 7);
  filter.Clear();
  filter.set_bin(MakeBin(3));
  REQUIRE_OK(h.Call(*h.participant_stub, &PS::ListParticipants, filter, &resp));
  REQUIRE(resp.total_size() == 1);
  REQUIRE(resp.participants(0).short_name() == "Gamma");
  filter.Clear();
  filter.set_page_size(-1);
  REQUIRE_GRPC(h.Call(*h.participant_stub, &PS::ListParticipants, filter, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "page_size");
}

}  // namespace
}  // namespace gridbill::contracts::testing
