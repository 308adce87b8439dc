#include "convert.h"

#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/paging.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::contracts {
namespace {

template <typename E>
absl::StatusOr<E> Enum(int number, const std::string& field) {
  std::optional<E> v = FromNumber<E>(number);
  if (!v) return InvalidField(field, absl::StrCat("unknown value ", number));
  return *v;
}

// Reads fields named by the mask, or all without one.
struct Want {
  const Mask* mask;
  bool operator()(std::string_view path) const { return !mask || Has(*mask, path); }
};

absl::StatusOr<absl::CivilDay> RequiredDate(const common::v1::Date& d, const std::string& field) {
  if (!IsSet(d)) return InvalidField(field, "required");
  return FromProtoDate(d, field);
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDate(const common::v1::Date& d,
                                                           const std::string& field) {
  return FromOptionalProtoDate(d, field);
}

void SetDate(const std::optional<absl::CivilDay>& d, v1::ReferenceRecord* out) {
  if (d) *out->mutable_valid_to() = ToProtoDate(*d);
}

bool IsSetPeriod(const common::v1::BillingPeriod& p) { return p.year() != 0 || p.month() != 0; }

}  // namespace

absl::StatusOr<Mask> MaskFrom(const google::protobuf::FieldMask& mask,
                              std::span<const std::string_view> allowed) {
  if (mask.paths_size() == 0) return InvalidField("update_mask", "empty");
  Mask out;
  for (const std::string& path : mask.paths()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == path;
    if (!known) {
      return InvalidField("update_mask", absl::StrCat("unknown or immutable field '", path, "'"));
    }
    out.push_back(path);
  }
  return out;
}

absl::StatusOr<ServiceType> FromProto(v1::ServiceType v, const std::string& field) {
  return Enum<ServiceType>(v, field);
}
absl::StatusOr<ReferenceKind> FromProto(v1::ReferenceKind v, const std::string& field) {
  return Enum<ReferenceKind>(v, field);
}
absl::StatusOr<ParticipantRole> FromProto(v1::ParticipantRole v, const std::string& field) {
  return Enum<ParticipantRole>(v, field);
}
absl::StatusOr<ParticipantStatus> FromProto(v1::ParticipantStatus v, const std::string& field) {
  return Enum<ParticipantStatus>(v, field);
}
absl::StatusOr<ContractState> FromProto(v1::ContractState v, const std::string& field) {
  return Enum<ContractState>(v, field);
}
absl::StatusOr<ApplicationType> FromProto(v1::ApplicationType v, const std::string& field) {
  return Enum<ApplicationType>(v, field);
}
absl::StatusOr<ApplicationState> FromProto(v1::ApplicationState v, const std::string& field) {
  return Enum<ApplicationState>(v, field);
}

// --- reference records ---------------------------------------------------------

absl::StatusOr<ReferenceRecord> FromProto(const v1::ReferenceRecord& p, const Mask* mask) {
  Want want{mask};
  ReferenceRecord r;
  r.id = p.id();
  ASSIGN_OR_RETURN(r.kind, FromProto(p.kind(), "record.kind"));
  r.code = p.code();
  r.name = p.name();
  r.name_kk = p.name_kk();
  if (want("valid_from")) {
    ASSIGN_OR_RETURN(r.valid_from, RequiredDate(p.valid_from(), "record.valid_from"));
  }
  if (want("valid_to")) {
    ASSIGN_OR_RETURN(r.valid_to, OptionalDate(p.valid_to(), "record.valid_to"));
  }
  switch (p.details_case()) {
    case v1::ReferenceRecord::kRegion:
      r.details = RegionDetails{p.region().kato_code()};
      break;
    case v1::ReferenceRecord::kVoltageLevel:
      r.details = VoltageLevelDetails{p.voltage_level().nominal_kv()};
      break;
    case v1::ReferenceRecord::kSubstation:
      r.details =
          SubstationDetails{p.substation().region_code(), p.substation().voltage_level_code()};
      break;
    case v1::ReferenceRecord::kPowerLine:
      r.details = PowerLineDetails{p.power_line().from_substation_code(),
                                   p.power_line().to_substation_code(),
                                   p.power_line().voltage_level_code(), p.power_line().length_m()};
      break;
    case v1::ReferenceRecord::kBank:
      r.details = BankDetails{p.bank().bik(), p.bank().bin()};
      break;
    case v1::ReferenceRecord::DETAILS_NOT_SET:
      break;
  }
  return r;
}

void ToProto(const ReferenceRecord& r, v1::ReferenceRecord* out) {
  out->set_id(r.id);
  out->set_kind(static_cast<v1::ReferenceKind>(r.kind));
  out->set_code(r.code);
  out->set_name(r.name);
  out->set_name_kk(r.name_kk);
  *out->mutable_valid_from() = ToProtoDate(r.valid_from);
  SetDate(r.valid_to, out);
  if (const auto* d = std::get_if<RegionDetails>(&r.details)) {
    out->mutable_region()->set_kato_code(d->kato_code);
  } else if (const auto* d = std::get_if<VoltageLevelDetails>(&r.details)) {
    out->mutable_voltage_level()->set_nominal_kv(d->nominal_kv);
  } else if (const auto* d = std::get_if<SubstationDetails>(&r.details)) {
    out->mutable_substation()->set_region_code(d->region_code);
    out->mutable_substation()->set_voltage_level_code(d->voltage_level_code);
  } else if (const auto* d = std::get_if<PowerLineDetails>(&r.details)) {
    auto* l = out->mutable_power_line();
    l->set_from_substation_code(d->from_substation_code);
    l->set_to_substation_code(d->to_substation_code);
    l->set_voltage_level_code(d->voltage_level_code);
    l->set_length_m(d->length_m);
  } else if (const auto* d = std::get_if<BankDetails>(&r.details)) {
    out->mutable_bank()->set_bik(d->bik);
    out->mutable_bank()->set_bin(d->bin);
  }
  out->set_version(r.version);
  *out->mutable_create_time() = ToProtoTime(r.create_time);
  *out->mutable_update_time() = ToProtoTime(r.update_time);
}

// --- participants ----------------------------------------------------------------

absl::StatusOr<Participant> FromProto(const v1::Participant& p, const Mask* mask) {
  Participant out;
  out.id = p.id();
  out.bin = p.bin();
  out.eic = p.eic();
  out.legal_name = p.legal_name();
  out.short_name = p.short_name();
  out.legal_address = p.legal_address();
  out.postal_address = p.postal_address();
  out.region_code = p.region_code();
  if (p.has_bank_account()) {
    const auto& b = p.bank_account();
    out.bank_account = BankAccount{b.iik(), b.bik(), b.bank_name(), b.kbe()};
  }
  for (const auto& c : p.contacts()) {
    out.contacts.push_back(Contact{c.name(), c.position(), c.phone(), c.email()});
  }
  for (int i = 0; i < p.roles_size(); ++i) {
    ASSIGN_OR_RETURN(ParticipantRole role,
                     FromProto(p.roles(i), absl::StrCat("participant.roles[", i, "]")));
    out.roles.push_back(role);
  }
  ASSIGN_OR_RETURN(out.status, FromProto(p.status(), "participant.status"));
  out.vat_certificate = p.vat_certificate();
  return out;
}

void ToProto(const Participant& p, v1::Participant* out) {
  out->set_id(p.id);
  out->set_bin(p.bin);
  out->set_eic(p.eic);
  out->set_legal_name(p.legal_name);
  out->set_short_name(p.short_name);
  out->set_legal_address(p.legal_address);
  out->set_postal_address(p.postal_address);
  out->set_region_code(p.region_code);
  if (p.bank_account) {
    auto* b = out->mutable_bank_account();
    b->set_iik(p.bank_account->iik);
    b->set_bik(p.bank_account->bik);
    b->set_bank_name(p.bank_account->bank_name);
    b->set_kbe(p.bank_account->kbe);
  }
  for (const auto& c : p.contacts) {
    auto* pc = out->add_contacts();
    pc->set_name(c.name);
    pc->set_position(c.position);
    pc->set_phone(c.phone);
    pc->set_email(c.email);
  }
  for (auto r : p.roles) out->add_roles(static_cast<v1::ParticipantRole>(r));
  out->set_status(static_cast<v1::ParticipantStatus>(p.status));
  out->set_vat_certificate(p.vat_certificate);
  out->set_version(p.version);
  *out->mutable_create_time() = ToProtoTime(p.create_time);
  *out->mutable_update_time() = ToProtoTime(p.update_time);
}

// --- contracts -------------------------------------------------------------------

absl::StatusOr<Contract> FromProto(const v1::Contract& p, const Mask* mask) {
  Want want{mask};
  Contract c;
  c.id = p.id();
  c.number = p.number();
  c.participant_id = p.participant_id();
  ASSIGN_OR_RETURN(c.service_type, FromProto(p.service_type(), "contract.service_type"));
  if (want("signed_on")) {
    ASSIGN_OR_RETURN(c.signed_on, OptionalDate(p.signed_on(), "contract.signed_on"));
  }
  if (want("valid_from")) {
    ASSIGN_OR_RETURN(c.valid_from, RequiredDate(p.valid_from(), "contract.valid_from"));
  }
  if (want("valid_to")) {
    ASSIGN_OR_RETURN(c.valid_to, OptionalDate(p.valid_to(), "contract.valid_to"));
  }
  c.payment_terms.due_day = p.payment_terms().due_day();
  if (want("payment_terms") || want("payment_terms.prepayment_share")) {
    const std::string& share = p.payment_terms().prepayment_share();
    ASSIGN_OR_RETURN(
        c.payment_terms.prepayment_share,
        Decimal::Parse(share.empty() ? "0" : share, "contract.payment_terms.prepayment_share"));
  }
  c.metering_point_codes.assign(p.metering_point_codes().begin(), p.metering_point_codes().end());
  c.accounting_scheme_id = p.accounting_scheme_id();
  return c;
}

void ToProto(const Contract& c, v1::Contract* out) {
  out->set_id(c.id);
  out->set_number(c.number);
  out->set_participant_id(c.participant_id);
  out->set_service_type(static_cast<v1::ServiceType>(c.service_type));
  if (c.signed_on) *out->mutable_signed_on() = ToProtoDate(*c.signed_on);
  *out->mutable_valid_from() = ToProtoDate(c.valid_from);
  if (c.valid_to) *out->mutable_valid_to() = ToProtoDate(*c.valid_to);
  out->set_state(static_cast<v1::ContractState>(c.state));
  out->mutable_payment_terms()->set_due_day(c.payment_terms.due_day);
  out->mutable_payment_terms()->set_prepayment_share(c.payment_terms.prepayment_share.ToString());
  for (const auto& code : c.metering_point_codes) out->add_metering_point_codes(code);
  out->set_accounting_scheme_id(c.accounting_scheme_id);
  out->set_amendment_count(c.amendment_count);
  out->set_version(c.version);
  *out->mutable_create_time() = ToProtoTime(c.create_time);
  *out->mutable_update_time() = ToProtoTime(c.update_time);
}

// --- tariffs ----------------------------------------------------------------------

absl::StatusOr<Tariff> FromProto(const v1::Tariff& p, const Mask* mask) {
  Want want{mask};
  Tariff t;
  t.id = p.id();
  ASSIGN_OR_RETURN(t.service_type, FromProto(p.service_type(), "tariff.service_type"));
  if (want("price_per_kwh")) {
    if (p.price_per_kwh().empty()) return InvalidField("tariff.price_per_kwh", "required");
    ASSIGN_OR_RETURN(t.price_per_kwh, Decimal::Parse(p.price_per_kwh(), "tariff.price_per_kwh"));
  }
  if (want("valid_from")) {
    ASSIGN_OR_RETURN(t.valid_from, RequiredDate(p.valid_from(), "tariff.valid_from"));
  }
  if (want("valid_to")) {
    ASSIGN_OR_RETURN(t.valid_to, OptionalDate(p.valid_to(), "tariff.valid_to"));
  }
  t.order_reference = p.order_reference();
  t.note = p.note();
  return t;
}

void ToProto(const Tariff& t, v1::Tariff* out) {
  out->set_id(t.id);
  out->set_service_type(static_cast<v1::ServiceType>(t.service_type));
  out->set_price_per_kwh(t.price_per_kwh.ToString());
  *out->mutable_valid_from() = ToProtoDate(t.valid_from);
  if (t.valid_to) *out->mutable_valid_to() = ToProtoDate(*t.valid_to);
  out->set_order_reference(t.order_reference);
  out->set_note(t.note);
  out->set_version(t.version);
  *out->mutable_create_time() = ToProtoTime(t.create_time);
  *out->mutable_update_time() = ToProtoTime(t.update_time);
}

void ToProto(const TariffSlice& s, v1::TariffSlice* out) {
  ToProto(s.tariff, out->mutable_tariff());
  *out->mutable_from_date() = ToProtoDate(s.from_date);
  *out->mutable_to_date() = ToProtoDate(s.to_date);
  *out->mutable_start_time() = ToProtoTime(s.start_time);
  *out->mutable_end_time() = ToProtoTime(s.end_time);
  out->set_hours(s.hours);
}

// --- applications ---------------------------------------------------------------------

absl::StatusOr<Application> FromProto(const v1::Application& p, const Mask* mask) {
  Want want{mask};
  Application a;
  a.id = p.id();
  a.participant_id = p.participant_id();
  ASSIGN_OR_RETURN(a.type, FromProto(p.type(), "application.type"));
  if (want("period") && IsSetPeriod(p.period())) {
    ASSIGN_OR_RETURN(BillingPeriod period, FromProtoPeriod(p.period(), "application.period"));
    a.period = period;
  }
  a.contract_id = p.contract_id();
  for (int i = 0; i < p.declared_volumes_size(); ++i) {
    const auto& v = p.declared_volumes(i);
    DeclaredVolume d;
    ASSIGN_OR_RETURN(d.service_type,
                     FromProto(v.service_type(),
                               absl::StrCat("application.declared_volumes[", i, "].service_type")));
    d.volume_wh = v.volume_wh();
    a.declared_volumes.push_back(d);
  }
  a.subject = p.subject();
  a.body = p.body();
  return a;
}

void ToProto(const Application& a, v1::Application* out) {
  out->set_id(a.id);
  out->set_number(a.number);
  out->set_participant_id(a.participant_id);
  out->set_type(static_cast<v1::ApplicationType>(a.type));
  out->set_state(static_cast<v1::ApplicationState>(a.state));
  if (a.period) *out->mutable_period() = ToProtoPeriod(*a.period);
  out->set_contract_id(a.contract_id);
  for (const auto& v : a.declared_volumes) {
    auto* pv = out->add_declared_volumes();
    pv->set_service_type(static_cast<v1::ServiceType>(v.service_type));
    pv->set_volume_wh(v.volume_wh);
  }
  out->set_subject(a.subject);
  out->set_body(a.body);
  if (a.submit_time) *out->mutable_submit_time() = ToProtoTime(*a.submit_time);
  if (a.due_time) *out->mutable_due_time() = ToProtoTime(*a.due_time);
  out->set_overdue(a.overdue);
  out->set_resolution(a.resolution);
  if (a.decide_time) *out->mutable_decide_time() = ToProtoTime(*a.decide_time);
  if (a.close_time) *out->mutable_close_time() = ToProtoTime(*a.close_time);
  out->set_version(a.version);
  *out->mutable_create_time() = ToProtoTime(a.create_time);
  *out->mutable_update_time() = ToProtoTime(a.update_time);
}

void ToProto(const ApplicationComment& c, v1::ApplicationComment* out) {
  out->set_id(c.id);
  out->set_application_id(c.application_id);
  out->set_author(c.author);
  out->set_text(c.text);
  *out->mutable_create_time() = ToProtoTime(c.create_time);
}

void ToProto(const ChangeEntry& e, common::v1::ChangeEntry* out) {
  out->set_version(e.version);
  out->set_actor(e.actor);
  *out->mutable_change_time() = ToProtoTime(e.change_time);
  out->set_action(e.action);
  out->set_reason(e.reason);
  for (const auto& c : e.changes) {
    auto* fc = out->add_changes();
    fc->set_field(c.field);
    fc->set_old_value(c.old_value);
    fc->set_new_value(c.new_value);
  }
  out->set_request_id(e.request_id);
}

}  // namespace gridbill::contracts
