// Pure tests of the contracts domain: workflow tables, validation rules,
// tariff slicing and deadlines, with an in-memory store and a fake clock.
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "applications.h"
#include "catch2/catch.hpp"
#include "config.h"
#include "contracts.h"
#include "fakes.h"
#include "gridbill/base/errors.h"
#include "gridbill/domain/identifiers.h"
#include "gridbill/testing/bin.h"
#include "participants.h"
#include "reference_data.h"
#include "tariffs.h"

namespace gridbill::contracts {
namespace {

using testing::FakeClock;
using testing::FakeStore;

absl::TimeZone Almaty() {
  absl::TimeZone zone;
  REQUIRE(absl::LoadTimeZone("Asia/Almaty", &zone));
  return zone;
}

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

using ::gridbill::testing::MakeBin;

Participant ValidParticipant(const std::string& bin, const std::string& name) {
  Participant p;
  p.bin = bin;
  p.legal_name = absl::StrCat("АО «", name, "»");
  p.short_name = name;
  p.roles = {ParticipantRole::kConsumer};
  return p;
}

#define REQUIRE_FIELD_ERROR(expr, expected_code, text)                       \
  do {                                                                       \
    auto st_ = (expr);                                                       \
    INFO(st_.status().ToString());                                           \
    REQUIRE(st_.status().code() == (expected_code));                         \
    REQUIRE(absl::StrContains(std::string(st_.status().message()), (text))); \
  } while (0)

struct World {
  FakeStore store;
  FakeClock clock{absl::FromCivil(absl::CivilSecond(2026, 3, 10, 12, 0, 0), Almaty())};
  ReferenceData reference{store, clock};
  Participants participants{store, clock};
  Contracts contracts{store, clock, Almaty()};
  Tariffs tariffs{store, clock, Almaty()};
  Applications applications{store, clock, Almaty(), ApplicationDeadlines{}};
  Caller operator_{.principal = "operator@kegoc.kz", .request_id = "r"};

  Participant AddParticipant(int n = 1) {
    auto p = participants.Create(ValidParticipant(MakeBin(n), absl::StrCat("P", n)), operator_);
    REQUIRE(p.ok());
    return *p;
  }
};

TEST_CASE("MakeBin yields valid BINs", "[helpers]") {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    REQUIRE(ValidateBin(MakeBin(i)).ok());
    seen.insert(MakeBin(i));
  }
  REQUIRE(seen.size() == 20);
}

TEST_CASE("contract lifecycle: every pair of states", "[contracts]") {
  using S = ContractState;
  const std::set<std::pair<S, S>> legal = {
      {S::kDraft, S::kActive},      {S::kDraft, S::kTerminated}, {S::kActive, S::kSuspended},
      {S::kActive, S::kTerminated}, {S::kSuspended, S::kActive}, {S::kSuspended, S::kTerminated}};
  for (S from : AllValues<S>()) {
    for (S to : AllValues<S>()) {
      absl::Status st = CheckContractTransition(from, to);
      INFO(Name(from) << " -> " << Name(to) << ": " << st.ToString());
      if (legal.count({from, to})) {
        REQUIRE(st.ok());
      } else {
        REQUIRE(st.code() == absl::StatusCode::kFailedPrecondition);
        REQUIRE(std::string(st.message()) ==
                absl::StrCat("target_state: cannot move from ", Name(from), " to ", Name(to)));
        REQUIRE(FieldOf(st) == "target_state");
      }
    }
  }
}

TEST_CASE("application workflow: every pair of states", "[applications]") {
  using S = ApplicationState;
  const std::set<std::pair<S, S>> legal = {
      {S::kDraft, S::kSubmitted},   {S::kDraft, S::kClosed},      {S::kSubmitted, S::kInReview},
      {S::kInReview, S::kApproved}, {S::kInReview, S::kRejected}, {S::kApproved, S::kClosed},
      {S::kRejected, S::kClosed}};
  for (S from : AllValues<S>()) {
    for (S to : AllValues<S>()) {
      absl::Status st = CheckApplicationTransition(from, to);
      INFO(Name(from) << " -> " << Name(to));
      if (legal.count({from, to})) {
        REQUIRE(st.ok());
      } else {
        REQUIRE(st.code() == absl::StatusCode::kFailedPrecondition);
        REQUIRE(std::string(st.message()) ==
                absl::StrCat("target_state: cannot move from ", Name(from), " to ", Name(to)));
      }
    }
  }
}

TEST_CASE("participant status: every pair", "[participants]") {
  using S = ParticipantStatus;
  const std::set<std::pair<S, S>> legal = {{S::kActive, S::kSuspended},
                                           {S::kSuspended, S::kActive},
                                           {S::kActive, S::kTerminated},
                                           {S::kSuspended, S::kTerminated}};
  for (S from : AllValues<S>()) {
    for (S to : AllValues<S>()) {
      INFO(Name(from) << " -> " << Name(to));
      REQUIRE(CheckStatusChange(from, to).ok() == (legal.count({from, to}) > 0));
    }
  }
}

Tariff MakeTariff(const char* price, absl::CivilDay from, std::optional<absl::CivilDay> to) {
  Tariff t;
  t.service_type = ServiceType::kTransmission;
  t.price_per_kwh = *Decimal::Parse(price);
  t.valid_from = from;
  t.valid_to = to;
  t.order_reference = "test order";
  return t;
}

TEST_CASE("a tariff change inside February 2024 splits its 697 hours", "[tariffs]") {
  const BillingPeriod feb = *BillingPeriod::Make(2024, 2);
  PeriodTariffs r = SliceTariffs({MakeTariff("3.004", Day(2023, 10, 1), Day(2024, 2, 14)),
                                  MakeTariff("3.106", Day(2024, 2, 15), std::nullopt)},
                                 feb, Almaty());
  REQUIRE(r.period_hours == 697);
  REQUIRE(r.fully_covered);
  REQUIRE(r.slices.size() == 2);
  REQUIRE(r.slices[0].from_date == Day(2024, 2, 1));
  REQUIRE(r.slices[0].to_date == Day(2024, 2, 14));
  REQUIRE(r.slices[0].hours == 14 * 24);
  REQUIRE(r.slices[1].from_date == Day(2024, 2, 15));
  REQUIRE(r.slices[1].to_date == Day(2024, 2, 29));
  // The last day has 25 hours: clocks went back at midnight into 2024-03-01.
  REQUIRE(r.slices[1].hours == 15 * 24 + 1);
  REQUIRE(r.slices[0].hours + r.slices[1].hours == r.period_hours);
  REQUIRE(r.slices[0].end_time == r.slices[1].start_time);
  REQUIRE(r.slices[0].start_time ==
          absl::FromCivil(absl::CivilSecond(2024, 1, 31, 18, 0, 0), absl::UTCTimeZone()));
  REQUIRE(r.slices[1].tariff.price_per_kwh.ToString() == "3.106");
}

TEST_CASE("a period with a gap in tariffs is not fully covered", "[tariffs]") {
  const BillingPeriod p = *BillingPeriod::Make(2025, 1);
  PeriodTariffs r =
      SliceTariffs({MakeTariff("1", Day(2025, 1, 10), Day(2025, 1, 20))}, p, Almaty());
  REQUIRE_FALSE(r.fully_covered);
  REQUIRE(r.slices.size() == 1);
  REQUIRE(r.slices[0].hours == 11 * 24);
  REQUIRE(r.period_hours == 31 * 24);
  REQUIRE(SliceTariffs({}, p, Almaty()).slices.empty());
}

TEST_CASE("deadlines are counted in calendar days of the operator's zone", "[applications]") {
  // 2024-02-28 12:00 local (UTC+6) plus 5 days is 2024-03-04 12:00 local,
  // now UTC+5: 121 hours, not 120.
  absl::Time submit = absl::FromCivil(absl::CivilSecond(2024, 2, 28, 12, 0, 0), Almaty());
  absl::Time due = AddDays(submit, 5, Almaty());
  REQUIRE(absl::ToCivilSecond(due, Almaty()) == absl::CivilSecond(2024, 3, 4, 12, 0, 0));
  REQUIRE(due - submit == absl::Hours(121));
}

TEST_CASE("overdue follows the injected clock", "[applications]") {
  World w;
  Participant p = w.AddParticipant();
  Application in;
  in.participant_id = p.id;
  in.type = ApplicationType::kMeteringCorrection;
  in.subject = "Correct March readings";
  auto a = w.applications.Create(in, w.operator_);
  REQUIRE(a.ok());
  REQUIRE(a->number == "APP-2026-000001");
  auto submitted =
      w.applications.Transition(a->id, ApplicationState::kSubmitted, "", 0, w.operator_);
  REQUIRE(submitted.ok());
  REQUIRE(*submitted->due_time == *submitted->submit_time + absl::Hours(24 * 10));
  REQUIRE_FALSE(submitted->overdue);

  w.clock.Set(*submitted->due_time);
  REQUIRE_FALSE(w.applications.Get(a->id, w.operator_)->overdue);
  w.clock.Advance(absl::Seconds(1));
  REQUIRE(w.applications.Get(a->id, w.operator_)->overdue);
  ApplicationFilter only_overdue{.overdue_only = true};
  REQUIRE(w.applications.List(only_overdue, PageRequest{}, w.operator_)->items.size() == 1);

  REQUIRE(
      w.applications.Transition(a->id, ApplicationState::kInReview, "", 0, w.operator_)->overdue);
  auto approved =
      w.applications.Transition(a->id, ApplicationState::kApproved, "Corrected", 0, w.operator_);
  REQUIRE(approved.ok());
  REQUIRE_FALSE(approved->overdue);
  REQUIRE(w.applications.List(only_overdue, PageRequest{}, w.operator_)->items.empty());
}

TEST_CASE("contract validation names the field and writes nothing", "[contracts]") {
  World w;
  Participant p = w.AddParticipant();
  Contract c;
  c.number = "TR-2026-001";
  c.participant_id = p.id;
  c.service_type = ServiceType::kTransmission;
  c.valid_from = Day(2026, 1, 1);

  Contract bad = c;
  bad.valid_to = Day(2025, 12, 31);
  REQUIRE_FIELD_ERROR(w.contracts.Create(bad, w.operator_), absl::StatusCode::kInvalidArgument,
                      "contract.valid_to: before valid_from");
  bad = c;
  bad.payment_terms.due_day = 32;
  REQUIRE_FIELD_ERROR(w.contracts.Create(bad, w.operator_), absl::StatusCode::kInvalidArgument,
                      "contract.payment_terms.due_day");
  bad = c;
  bad.payment_terms.prepayment_share = *Decimal::Parse("1.5");
  REQUIRE_FIELD_ERROR(w.contracts.Create(bad, w.operator_), absl::StatusCode::kInvalidArgument,
                      "contract.payment_terms.prepayment_share");
  bad = c;
  bad.service_type = ServiceType::kUnspecified;
  REQUIRE_FIELD_ERROR(w.contracts.Create(bad, w.operator_), absl::StatusCode::kInvalidArgument,
                      "contract.service_type: required");
  bad = c;
  bad.signed_on = Day(2027, 1, 1);
  bad.valid_to = Day(2026, 12, 31);
  REQUIRE_FIELD_ERROR(w.contracts.Create(bad, w.operator_), absl::StatusCode::kInvalidArgument,
                      "contract.signed_on: after valid_to");
  REQUIRE(w.contracts.List({}, PageRequest{}, w.operator_)->total_size == 0);

  auto created = w.contracts.Create(c, w.operator_);
  REQUIRE(created.ok());
  REQUIRE(created->state == ContractState::kDraft);
  REQUIRE(created->payment_terms.due_day == kDefaultDueDay);
  REQUIRE_FIELD_ERROR(w.contracts.Create(c, w.operator_), absl::StatusCode::kAlreadyExists,
                      "contract.number");
}

TEST_CASE("a terminated participant gets no new contract and cannot change", "[participants]") {
  World w;
  Participant p = w.AddParticipant();
  Participant change = p;
  change.status = ParticipantStatus::kTerminated;
  REQUIRE_FIELD_ERROR(w.participants.Update(change, {"status"}, 0, "", w.operator_),
                      absl::StatusCode::kInvalidArgument, "reason: required");
  REQUIRE(w.participants.Update(change, {"status"}, 0, "Left the market", w.operator_).ok());
  Contract c;
  c.number = "N1";
  c.participant_id = p.id;
  c.service_type = ServiceType::kBalancing;
  c.valid_from = Day(2026, 1, 1);
  REQUIRE_FIELD_ERROR(w.contracts.Create(c, w.operator_), absl::StatusCode::kFailedPrecondition,
                      "contract.participant_id");
  change.status = ParticipantStatus::kActive;
  REQUIRE_FIELD_ERROR(w.participants.Update(change, {"status"}, 0, "Back", w.operator_),
                      absl::StatusCode::kFailedPrecondition, "participant.status");
}

TEST_CASE("participant rules name their field", "[participants]") {
  World w;
  Participant p = ValidParticipant("990740000684", "X");
  REQUIRE_FIELD_ERROR(w.participants.Create(p, w.operator_), absl::StatusCode::kInvalidArgument,
                      "participant.bin");
  p = ValidParticipant(MakeBin(1), "X");
  p.roles = {};
  REQUIRE_FIELD_ERROR(w.participants.Create(p, w.operator_), absl::StatusCode::kInvalidArgument,
                      "participant.roles: at least one role");
  p.roles = {ParticipantRole::kConsumer, ParticipantRole::kConsumer};
  REQUIRE_FIELD_ERROR(w.participants.Create(p, w.operator_), absl::StatusCode::kInvalidArgument,
                      "participant.roles[1]: duplicate role CONSUMER");
  p.roles = {ParticipantRole::kUnspecified};
  REQUIRE_FIELD_ERROR(w.participants.Create(p, w.operator_), absl::StatusCode::kInvalidArgument,
                      "participant.roles[0]");
  p.roles = {ParticipantRole::kGenerator};
  p.bank_account = BankAccount{"KZ12345", "HSBKKZKX", "Halyk", "17"};
  REQUIRE_FIELD_ERROR(w.participants.Create(p, w.operator_), absl::StatusCode::kInvalidArgument,
                      "participant.bank_account.iik");
  p.bank_account = BankAccount{"KZ86125KZT5004100100", "HSBKKZ", "Halyk", "17"};
  REQUIRE_FIELD_ERROR(w.participants.Create(p, w.operator_), absl::StatusCode::kInvalidArgument,
                      "participant.bank_account.bik");
  p.bank_account = BankAccount{"KZ86125KZT5004100100", "HSBKKZKX", "Halyk", "1A"};
  REQUIRE_FIELD_ERROR(w.participants.Create(p, w.operator_), absl::StatusCode::kInvalidArgument,
                      "participant.bank_account.kbe");
  p.bank_account = BankAccount{"KZ86125KZT5004100100", "HSBKKZKX", "Halyk", "17"};
  p.contacts = {Contact{"Иванов И.И.", "Главный энергетик", "+7 727 000 00 00", "ivanov"}};
  REQUIRE_FIELD_ERROR(w.participants.Create(p, w.operator_), absl::StatusCode::kInvalidArgument,
                      "participant.contacts[0].email");
  p.contacts[0].email = "ivanov@example.kz";
  p.eic = "10YPL-AREA-----X";
  REQUIRE_FIELD_ERROR(w.participants.Create(p, w.operator_), absl::StatusCode::kInvalidArgument,
                      "participant.eic");
  p.eic = "10YPL-AREA-----S";
  p.region_code = "ALMATY";
  REQUIRE_FIELD_ERROR(w.participants.Create(p, w.operator_), absl::StatusCode::kInvalidArgument,
                      "participant.region_code");
  p.region_code = "";
  auto ok = w.participants.Create(p, w.operator_);
  REQUIRE(ok.ok());
  REQUIRE(ok->status == ParticipantStatus::kActive);
}

TEST_CASE("reference records are typed by kind", "[reference]") {
  World w;
  ReferenceRecord region;
  region.kind = ReferenceKind::kRegion;
  region.code = "ALA";
  region.name = "г. Алматы";
  region.valid_from = Day(2020, 1, 1);
  REQUIRE_FIELD_ERROR(w.reference.Create(region, w.operator_), absl::StatusCode::kInvalidArgument,
                      "record.region: required");
  region.details = VoltageLevelDetails{500};
  REQUIRE_FIELD_ERROR(w.reference.Create(region, w.operator_), absl::StatusCode::kInvalidArgument,
                      "record.voltage_level: does not match");
  region.details = RegionDetails{"75A"};
  REQUIRE_FIELD_ERROR(w.reference.Create(region, w.operator_), absl::StatusCode::kInvalidArgument,
                      "record.region.kato_code");
  region.details = RegionDetails{"750000000"};
  REQUIRE(w.reference.Create(region, w.operator_).ok());

  ReferenceRecord level{.kind = ReferenceKind::kVoltageLevel,
                        .code = "220",
                        .name = "220 кВ",
                        .valid_from = Day(2000, 1, 1),
                        .details = VoltageLevelDetails{0}};
  REQUIRE_FIELD_ERROR(w.reference.Create(level, w.operator_), absl::StatusCode::kInvalidArgument,
                      "record.voltage_level.nominal_kv");
  level.details = VoltageLevelDetails{220};
  REQUIRE(w.reference.Create(level, w.operator_).ok());

  ReferenceRecord sub{.kind = ReferenceKind::kSubstation,
                      .code = "PS-ALMA",
                      .name = "ПС 500 кВ Алма",
                      .valid_from = Day(2019, 6, 1),
                      .details = SubstationDetails{"ALA", "220"}};
  // The region is valid only from 2020-01-01.
  REQUIRE_FIELD_ERROR(w.reference.Create(sub, w.operator_), absl::StatusCode::kInvalidArgument,
                      "record.substation.region_code: REGION \"ALA\" is not valid on 2019-06-01");
  sub.valid_from = Day(2020, 6, 1);
  sub.details = SubstationDetails{"ALA", "1150"};
  REQUIRE_FIELD_ERROR(w.reference.Create(sub, w.operator_), absl::StatusCode::kInvalidArgument,
                      "record.substation.voltage_level_code");
  sub.details = SubstationDetails{"ALA", "220"};
  auto created = w.reference.Create(sub, w.operator_);
  REQUIRE(created.ok());

  ReferenceRecord twin = sub;
  twin.valid_from = Day(2024, 1, 1);
  REQUIRE_FIELD_ERROR(w.reference.Create(twin, w.operator_), absl::StatusCode::kAlreadyExists,
                      "record.code");
  ReferenceRecord unit{.kind = ReferenceKind::kUnit,
                       .code = "GWH",
                       .name = "ГВт·ч",
                       .valid_from = Day(2000, 1, 1),
                       .details = BankDetails{"HSBKKZKX", ""}};
  REQUIRE_FIELD_ERROR(w.reference.Create(unit, w.operator_), absl::StatusCode::kInvalidArgument,
                      "record.bank: a UNIT record has no details");

  // An update that changes nothing writes no history and keeps the version.
  auto same = w.reference.Update(*created, {"name"}, 0, "", w.operator_);
  REQUIRE(same.ok());
  REQUIRE(same->version == 1);
  REQUIRE(w.store.HistorySize(Resource::kReferenceRecord, created->id) == 1);
}

TEST_CASE("config defaults, overrides and unknown keys", "[config]") {
  auto src = ConfigSource::FromText("database_url = postgresql:///contracts\n");
  REQUIRE(src.ok());
  auto config = Config::Load(*src);
  REQUIRE(config.ok());
  REQUIRE(config->time_zone == "Asia/Almaty");
  REQUIRE(absl::EndsWith(config->server.grpc_address, ":7101"));
  REQUIRE(config->deadlines.declared_volumes == 5);
  REQUIRE(config->deadlines.contract_conclusion == 30);
  REQUIRE(config->deadlines.contract_amendment == 15);
  REQUIRE(config->deadlines.metering_correction == 10);
  REQUIRE(config->deadlines.metering_point_connection == 30);

  src = ConfigSource::FromText(
      "database_url = x\napplication_deadline_days_declared_volumes = 7\ntime_zone = "
      "Europe/Berlin\n");
  config = Config::Load(*src);
  REQUIRE(config.ok());
  REQUIRE(config->deadlines.declared_volumes == 7);
  REQUIRE(config->zone.name() == "Europe/Berlin");

  src = ConfigSource::FromText("database_url = x\ntime_zone = Mars/Olympus\n");
  REQUIRE(absl::StrContains(std::string(Config::Load(*src).status().message()), "time_zone"));
  src = ConfigSource::FromText("database_url = x\napplication_deadline_day_declared_volumes = 7\n");
  REQUIRE(absl::StrContains(std::string(Config::Load(*src).status().message()),
                            "application_deadline_day_declared_volumes"));
  src = ConfigSource::FromText(
      "database_url = x\napplication_deadline_days_contract_amendment = 0\n");
  REQUIRE_FALSE(Config::Load(*src).ok());
}

}  // namespace
}  // namespace gridbill::contracts
