#include "pg_store.h"

#include <cctype>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "checks.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/errors.h"
#include "queries.h"

namespace gridbill::contracts {
namespace {

namespace q = queries;

template <typename E>
std::string EnumText(E value) {
  return value == E::kUnspecified ? std::string() : std::string(Name(value));
}

template <typename E>
absl::StatusOr<E> ReadEnum(std::string_view text) {
  std::optional<E> v = FromName<E>(text);
  if (!v || *v == E::kUnspecified) {
    return absl::InternalError(
        absl::StrCat("stored enum value \"", std::string(text), "\" is unknown"));
  }
  return *v;
}

// Sort-key columns as PostgreSQL parses them back ($n::date, $n::timestamptz).
std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }
std::string TimeText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone());
}

std::optional<std::string> OptionalText(bool present, std::string value) {
  if (!present) return std::nullopt;
  return value;
}

// Constraint violations that slipped past the domain's checks (concurrent
// writers) get the same field-naming errors the domain gives.
absl::Status MapConstraint(absl::Status st) {
  if (st.ok()) return st;
  const std::string constraint = pg::ConstraintOf(st);
  if (constraint == "participants_bin_key") {
    return AlreadyExistsField("participant.bin", "a participant with this BIN is registered");
  }
  if (constraint == "contracts_number_key") {
    return AlreadyExistsField("contract.number", "a contract with this number exists");
  }
  if (constraint == "tariffs_no_overlap") {
    return FailedPrecondition("tariff.valid_from",
                              "the validity overlaps another tariff of this service");
  }
  if (constraint == "reference_records_code_overlap") {
    return AlreadyExistsField("record.code",
                              "a record of this kind with this code is valid on some of the days");
  }
  return st;
}

absl::Status Conflict(std::string_view what, const std::string& id) {
  return absl::AbortedError(
      absl::StrCat(std::string(what), " ", id, " was changed concurrently; retry"));
}

const pg::Query& InsertHistoryQuery(Resource r) {
  switch (r) {
    case Resource::kReferenceRecord:
      return q::kInsertReferenceHistory;
    case Resource::kParticipant:
      return q::kInsertParticipantHistory;
    case Resource::kContract:
      return q::kInsertContractHistory;
    case Resource::kTariff:
      return q::kInsertTariffHistory;
    case Resource::kApplication:
      break;
  }
  return q::kInsertApplicationHistory;
}

const pg::Query& ListHistoryQuery(Resource r) {
  switch (r) {
    case Resource::kReferenceRecord:
      return q::kListReferenceHistory;
    case Resource::kParticipant:
      return q::kListParticipantHistory;
    case Resource::kContract:
      return q::kListContractHistory;
    case Resource::kTariff:
      return q::kListTariffHistory;
    case Resource::kApplication:
      break;
  }
  return q::kListApplicationHistory;
}

// --- rows -> domain ----------------------------------------------------------

absl::StatusOr<ReferenceRecord> ReadReference(const pg::Row& row) {
  ReferenceRecord r;
  r.id = row.String("id");
  ASSIGN_OR_RETURN(r.kind, ReadEnum<ReferenceKind>(row.Text("kind")));
  r.code = row.String("code");
  r.name = row.String("name");
  r.name_kk = row.String("name_kk");
  r.valid_from = row.Date("valid_from");
  r.valid_to = row.OptionalDate("valid_to");
  switch (r.kind) {
    case ReferenceKind::kRegion:
      r.details = RegionDetails{row.String("kato_code")};
      break;
    case ReferenceKind::kVoltageLevel:
      r.details = VoltageLevelDetails{static_cast<int>(row.Int("nominal_kv"))};
      break;
    case ReferenceKind::kSubstation:
      r.details = SubstationDetails{row.String("region_code"), row.String("voltage_level_code")};
      break;
    case ReferenceKind::kPowerLine:
      r.details =
          PowerLineDetails{row.String("from_substation_code"), row.String("to_substation_code"),
                           row.String("voltage_level_code"), row.Int("length_m")};
      break;
    case ReferenceKind::kBank:
      r.details = BankDetails{row.String("bik"), row.String("bank_bin")};
      break;
    default:
      break;
  }
  r.version = row.Int("version");
  r.create_time = row.Time("create_time");
  r.update_time = row.Time("update_time");
  return r;
}

absl::StatusOr<Participant> ReadParticipant(const pg::Row& row) {
  Participant p;
  p.id = row.String("id");
  p.bin = row.String("bin");
  p.eic = row.String("eic");
  p.legal_name = row.String("legal_name");
  p.short_name = row.String("short_name");
  p.legal_address = row.String("legal_address");
  p.postal_address = row.String("postal_address");
  p.region_code = row.String("region_code");
  if (!row.IsNull("bank_iik")) {
    p.bank_account = BankAccount{row.String("bank_iik"), row.String("bank_bik"),
                                 row.String("bank_name"), row.String("bank_kbe")};
  }
  for (const std::string& role : row.TextArray("roles")) {
    ASSIGN_OR_RETURN(ParticipantRole r, ReadEnum<ParticipantRole>(role));
    p.roles.push_back(r);
  }
  ASSIGN_OR_RETURN(p.status, ReadEnum<ParticipantStatus>(row.Text("status")));
  p.vat_certificate = row.String("vat_certificate");
  p.version = row.Int("version");
  p.create_time = row.Time("create_time");
  p.update_time = row.Time("update_time");
  std::vector<std::string> names = row.TextArray("contact_names");
  std::vector<std::string> positions = row.TextArray("contact_positions");
  std::vector<std::string> phones = row.TextArray("contact_phones");
  std::vector<std::string> emails = row.TextArray("contact_emails");
  for (size_t i = 0; i < names.size(); ++i) {
    p.contacts.push_back(Contact{names[i], i < positions.size() ? positions[i] : "",
                                 i < phones.size() ? phones[i] : "",
                                 i < emails.size() ? emails[i] : ""});
  }
  return p;
}

absl::StatusOr<Contract> ReadContract(const pg::Row& row) {
  Contract c;
  c.id = row.String("id");
  c.number = row.String("number");
  c.participant_id = row.String("participant_id");
  ASSIGN_OR_RETURN(c.service_type, ReadEnum<ServiceType>(row.Text("service_type")));
  c.signed_on = row.OptionalDate("signed_on");
  c.valid_from = row.Date("valid_from");
  c.valid_to = row.OptionalDate("valid_to");
  ASSIGN_OR_RETURN(c.state, ReadEnum<ContractState>(row.Text("state")));
  c.payment_terms.due_day = static_cast<int>(row.Int("due_day"));
  ASSIGN_OR_RETURN(c.payment_terms.prepayment_share, Decimal::Parse(row.Text("prepayment_share")));
  c.metering_point_codes = row.TextArray("metering_point_codes");
  c.accounting_scheme_id = row.String("accounting_scheme_id");
  c.amendment_count = static_cast<int>(row.Int("amendment_count"));
  c.version = row.Int("version");
  c.create_time = row.Time("create_time");
  c.update_time = row.Time("update_time");
  return c;
}

absl::StatusOr<Tariff> ReadTariff(const pg::Row& row) {
  Tariff t;
  t.id = row.String("id");
  ASSIGN_OR_RETURN(t.service_type, ReadEnum<ServiceType>(row.Text("service_type")));
  ASSIGN_OR_RETURN(t.price_per_kwh, Decimal::Parse(row.Text("price_per_kwh")));
  t.valid_from = row.Date("valid_from");
  t.valid_to = row.OptionalDate("valid_to");
  t.order_reference = row.String("order_reference");
  t.note = row.String("note");
  t.version = row.Int("version");
  t.create_time = row.Time("create_time");
  t.update_time = row.Time("update_time");
  return t;
}

std::optional<absl::Time> OptionalTime(const pg::Row& row, std::string_view col) {
  if (row.IsNull(col)) return std::nullopt;
  return row.Time(col);
}

absl::StatusOr<Application> ReadApplication(const pg::Row& row) {
  Application a;
  a.id = row.String("id");
  a.number = row.String("number");
  a.participant_id = row.String("participant_id");
  ASSIGN_OR_RETURN(a.type, ReadEnum<ApplicationType>(row.Text("type")));
  ASSIGN_OR_RETURN(a.state, ReadEnum<ApplicationState>(row.Text("state")));
  if (std::optional<absl::CivilDay> period = row.OptionalDate("period")) {
    a.period = BillingPeriod::Of(*period);
  }
  a.contract_id = row.String("contract_id");
  a.subject = row.String("subject");
  a.body = row.String("body");
  a.submit_time = OptionalTime(row, "submit_time");
  a.due_time = OptionalTime(row, "due_time");
  a.resolution = row.String("resolution");
  a.decide_time = OptionalTime(row, "decide_time");
  a.close_time = OptionalTime(row, "close_time");
  a.version = row.Int("version");
  a.create_time = row.Time("create_time");
  a.update_time = row.Time("update_time");
  std::vector<std::string> services = row.TextArray("declared_services");
  std::vector<std::string> volumes = row.TextArray("declared_volumes_wh");
  for (size_t i = 0; i < services.size() && i < volumes.size(); ++i) {
    DeclaredVolume v;
    ASSIGN_OR_RETURN(v.service_type, ReadEnum<ServiceType>(services[i]));
    if (!absl::SimpleAtoi(volumes[i], &v.volume_wh)) {
      return absl::InternalError("stored volume_wh is not a number");
    }
    a.declared_volumes.push_back(v);
  }
  return a;
}

template <typename T, typename Reader>
absl::StatusOr<std::vector<T>> ReadAll(const pg::Result& res, Reader reader) {
  std::vector<T> out;
  out.reserve(res.size());
  for (pg::Row row : res) {
    ASSIGN_OR_RETURN(T item, reader(row));
    out.push_back(std::move(item));
  }
  return out;
}

// --- domain -> params --------------------------------------------------------

void AddReferenceDetails(pg::Params& p, const ReferenceRecord& r) {
  const auto* region = std::get_if<RegionDetails>(&r.details);
  const auto* level = std::get_if<VoltageLevelDetails>(&r.details);
  const auto* sub = std::get_if<SubstationDetails>(&r.details);
  const auto* line = std::get_if<PowerLineDetails>(&r.details);
  const auto* bank = std::get_if<BankDetails>(&r.details);
  p.Add(OptionalText(region, region ? region->kato_code : ""));
  p.Add(level ? std::optional<int64_t>(level->nominal_kv) : std::nullopt);
  p.Add(OptionalText(sub, sub ? sub->region_code : ""));
  p.Add(OptionalText(sub || line,
                     sub ? sub->voltage_level_code : (line ? line->voltage_level_code : "")));
  p.Add(OptionalText(line, line ? line->from_substation_code : ""));
  p.Add(OptionalText(line, line ? line->to_substation_code : ""));
  p.Add(line ? std::optional<int64_t>(line->length_m) : std::nullopt);
  p.Add(OptionalText(bank, bank ? bank->bik : ""));
  p.Add(OptionalText(bank, bank ? bank->bin : ""));
}

std::vector<std::string> RoleNames(const std::vector<ParticipantRole>& roles) {
  std::vector<std::string> out;
  for (auto r : roles) out.emplace_back(Name(r));
  return out;
}

void AddBankAccount(pg::Params& p, const std::optional<BankAccount>& b) {
  p.Add(OptionalText(b.has_value(), b ? b->iik : ""));
  p.Add(OptionalText(b.has_value(), b ? b->bik : ""));
  p.Add(OptionalText(b.has_value(), b ? b->bank_name : ""));
  p.Add(OptionalText(b.has_value(), b ? b->kbe : ""));
}

absl::Status WriteContacts(pg::Transaction& tx, const std::string& id,
                           const std::vector<Contact>& contacts) {
  RETURN_IF_ERROR(tx.Exec(q::kDeleteParticipantContacts, id).status());
  if (contacts.empty()) return absl::OkStatus();
  std::vector<std::string> names, positions, phones, emails;
  for (const auto& c : contacts) {
    names.push_back(c.name);
    positions.push_back(c.position);
    phones.push_back(c.phone);
    emails.push_back(c.email);
  }
  pg::Params p(id);
  p.AddTextArray(names).AddTextArray(positions).AddTextArray(phones).AddTextArray(emails);
  return tx.Execute(q::kInsertParticipantContacts, p).status();
}

absl::Status WriteVolumes(pg::Transaction& tx, const std::string& id,
                          const std::vector<DeclaredVolume>& volumes) {
  RETURN_IF_ERROR(tx.Exec(q::kDeleteDeclaredVolumes, id).status());
  if (volumes.empty()) return absl::OkStatus();
  std::vector<std::string> services, values;
  for (const auto& v : volumes) {
    services.emplace_back(Name(v.service_type));
    values.push_back(absl::StrCat(v.volume_wh));
  }
  pg::Params p(id);
  p.AddTextArray(services).AddTextArray(values);
  return tx.Execute(q::kInsertDeclaredVolumes, p).status();
}

std::optional<absl::CivilDay> PeriodDay(const std::optional<BillingPeriod>& period) {
  if (!period) return std::nullopt;
  return period->first_day();
}

}  // namespace

bool IsUuid(const std::string& id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (id[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(id[i]))) {
      return false;
    }
  }
  return true;
}

absl::Status PgStore::Atomically(absl::FunctionRef<absl::Status()> fn) {
  return pool_.Transact([&](pg::Transaction&) { return fn(); });
}

// --- history -------------------------------------------------------------------

absl::Status PgStore::AppendHistory(Resource resource, const std::string& id,
                                    const ChangeEntry& e) {
  std::vector<std::string> fields, olds, news;
  for (const auto& c : e.changes) {
    fields.push_back(c.field);
    olds.push_back(c.old_value);
    news.push_back(c.new_value);
  }
  pg::Params p(id, e.version, e.actor, e.change_time, e.action, e.reason, e.request_id);
  p.AddTextArray(fields).AddTextArray(olds).AddTextArray(news);
  return pool_.Transact(
      [&](pg::Transaction& tx) { return tx.Execute(InsertHistoryQuery(resource), p).status(); });
}

absl::StatusOr<paging::PageOf<ChangeEntry>> PgStore::ListHistory(Resource resource,
                                                                 const std::string& id,
                                                                 const paging::Page& page) {
  if (!IsUuid(id)) return paging::PageOf<ChangeEntry>{};
  return pool_.TransactValue<paging::PageOf<ChangeEntry>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<paging::PageOf<ChangeEntry>> {
        ASSIGN_OR_RETURN(pg::Result res,
                         tx.Exec(ListHistoryQuery(resource), id, page.After(0), page.size + 1));
        std::vector<ChangeEntry> out;
        for (pg::Row row : res) {
          ChangeEntry e;
          e.version = row.Int("version");
          e.actor = row.String("actor");
          e.change_time = row.Time("change_time");
          e.action = row.String("action");
          e.reason = row.String("reason");
          e.request_id = row.String("request_id");
          std::vector<std::string> fields = row.TextArray("fields");
          std::vector<std::string> olds = row.TextArray("old_values");
          std::vector<std::string> news = row.TextArray("new_values");
          for (size_t i = 0; i < fields.size(); ++i) {
            e.changes.push_back(FieldChange{fields[i], i < olds.size() ? olds[i] : "",
                                            i < news.size() ? news[i] : ""});
          }
          out.push_back(std::move(e));
        }
        return paging::CutPage(std::move(out), page, [](const ChangeEntry& e) {
          return paging::PageKey{absl::StrCat(e.version)};
        });
      });
}

// --- reference data --------------------------------------------------------------

absl::StatusOr<ReferenceRecord> PgStore::GetReferenceRecord(const std::string& id) {
  if (!IsUuid(id)) return NotFound("reference record", id);
  // One statement: autocommit (no BEGIN/COMMIT round trips); inside a
  // caller's transaction it joins that one.
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kGetReferenceRecord, id));
  if (res.empty()) return NotFound("reference record", id);
  return ReadReference(res[0]);
}

absl::StatusOr<std::vector<ReferenceRecord>> PgStore::FindReferenceRecords(
    ReferenceKind kind, const std::string& code) {
  return pool_.TransactValue<std::vector<ReferenceRecord>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<std::vector<ReferenceRecord>> {
        ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kFindReferenceRecords, EnumText(kind), code));
        return ReadAll<ReferenceRecord>(res, ReadReference);
      });
}

absl::StatusOr<ListPage<ReferenceRecord>> PgStore::ListReferenceRecords(const ReferenceFilter& f,
                                                                        const PageRequest& page) {
  pg::Params filter(EnumText(f.kind), f.valid_on, f.query, f.code);
  pg::Params paged = filter;
  paged.Add(page.size + 1);
  for (size_t i = 0; i < 4; ++i) paged.Add(page.After(i));
  return pool_.TransactValue<ListPage<ReferenceRecord>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<ListPage<ReferenceRecord>> {
        ListPage<ReferenceRecord> out;
        ASSIGN_OR_RETURN(pg::Result count, tx.Execute(q::kCountReferenceRecords, filter));
        out.total_size = count[0].Int("count");
        ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kListReferenceRecords, paged));
        ASSIGN_OR_RETURN(std::vector<ReferenceRecord> rows,
                         ReadAll<ReferenceRecord>(res, ReadReference));
        const int64_t total = out.total_size;
        out = paging::CutPage(std::move(rows), page, [](const ReferenceRecord& r) {
          return paging::PageKey{EnumText(r.kind), r.code, DayText(r.valid_from), r.id};
        });
        out.total_size = total;
        return out;
      },
      pg::Isolation::kRepeatableRead);
}

absl::StatusOr<ReferenceRecord> PgStore::InsertReferenceRecord(const ReferenceRecord& r) {
  pg::Params p(EnumText(r.kind), r.code, r.name, r.name_kk, r.valid_from, r.valid_to);
  AddReferenceDetails(p, r);
  p.Add(r.version).Add(r.create_time).Add(r.update_time);
  ReferenceRecord out = r;
  RETURN_IF_ERROR(MapConstraint(pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kInsertReferenceRecord, p));
    out.id = res[0].String("id");
    return absl::OkStatus();
  })));
  return out;
}

absl::Status PgStore::UpdateReferenceRecord(const ReferenceRecord& r, int64_t prev_version) {
  pg::Params p(r.id, prev_version, r.name, r.name_kk, r.valid_from, r.valid_to);
  AddReferenceDetails(p, r);
  p.Add(r.version).Add(r.update_time);
  return MapConstraint(pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kUpdateReferenceRecord, p));
    if (res.affected() != 1) return Conflict("reference record", r.id);
    return absl::OkStatus();
  }));
}

// --- participants -----------------------------------------------------------------

absl::StatusOr<Participant> PgStore::GetParticipant(const std::string& id) {
  if (!IsUuid(id)) return NotFound("participant", id);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kGetParticipant, id));
  if (res.empty()) return NotFound("participant", id);
  return ReadParticipant(res[0]);
}

absl::StatusOr<std::optional<Participant>> PgStore::FindParticipantByBin(const std::string& bin) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kFindParticipantByBin, bin));
  if (res.empty()) return std::optional<Participant>();
  ASSIGN_OR_RETURN(Participant p, ReadParticipant(res[0]));
  return std::optional<Participant>(std::move(p));
}

absl::StatusOr<ListPage<Participant>> PgStore::ListParticipants(const ParticipantFilter& f,
                                                                const PageRequest& page) {
  if (!f.id.empty() && !IsUuid(f.id)) return ListPage<Participant>{};
  pg::Params filter(EnumText(f.status), EnumText(f.role), f.region_code, f.query, f.bin, f.id);
  pg::Params paged = filter;
  paged.Add(page.size + 1).Add(page.After(0)).Add(page.After(1));
  return pool_.TransactValue<ListPage<Participant>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<ListPage<Participant>> {
        ListPage<Participant> out;
        ASSIGN_OR_RETURN(pg::Result count, tx.Execute(q::kCountParticipants, filter));
        out.total_size = count[0].Int("count");
        ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kListParticipants, paged));
        ASSIGN_OR_RETURN(std::vector<Participant> rows, ReadAll<Participant>(res, ReadParticipant));
        const int64_t total = out.total_size;
        out = paging::CutPage(std::move(rows), page, [](const Participant& p) {
          return paging::PageKey{p.short_name, p.id};
        });
        out.total_size = total;
        return out;
      },
      pg::Isolation::kRepeatableRead);
}

absl::StatusOr<Participant> PgStore::InsertParticipant(const Participant& in) {
  pg::Params p(in.bin, in.eic, in.legal_name, in.short_name, in.legal_address, in.postal_address,
               in.region_code);
  AddBankAccount(p, in.bank_account);
  p.AddTextArray(RoleNames(in.roles));
  p.Add(EnumText(in.status)).Add(in.vat_certificate).Add(in.version).Add(in.create_time);
  p.Add(in.update_time);
  Participant out = in;
  RETURN_IF_ERROR(MapConstraint(pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kInsertParticipant, p));
    out.id = res[0].String("id");
    return WriteContacts(tx, out.id, in.contacts);
  })));
  return out;
}

absl::Status PgStore::UpdateParticipant(const Participant& in, int64_t prev_version) {
  pg::Params p(in.id, prev_version, in.eic, in.legal_name, in.short_name, in.legal_address,
               in.postal_address, in.region_code);
  AddBankAccount(p, in.bank_account);
  p.AddTextArray(RoleNames(in.roles));
  p.Add(EnumText(in.status)).Add(in.vat_certificate).Add(in.version).Add(in.update_time);
  return MapConstraint(pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kUpdateParticipant, p));
    if (res.affected() != 1) return Conflict("participant", in.id);
    return WriteContacts(tx, in.id, in.contacts);
  }));
}

// --- contracts ------------------------------------------------------------------------

absl::StatusOr<Contract> PgStore::GetContract(const std::string& id) {
  if (!IsUuid(id)) return NotFound("contract", id);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kGetContract, id));
  if (res.empty()) return NotFound("contract", id);
  return ReadContract(res[0]);
}

absl::StatusOr<std::optional<Contract>> PgStore::FindContractByNumber(const std::string& number) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kFindContractByNumber, number));
  if (res.empty()) return std::optional<Contract>();
  ASSIGN_OR_RETURN(Contract c, ReadContract(res[0]));
  return std::optional<Contract>(std::move(c));
}

absl::StatusOr<std::vector<Contract>> PgStore::ContractsInState(const std::string& participant_id,
                                                                ContractState state, int limit) {
  if (!IsUuid(participant_id)) return std::vector<Contract>{};
  ContractFilter f;
  f.participant_id = participant_id;
  f.state = state;
  pg::Params p(f.participant_id, EnumText(f.service_type), EnumText(f.state), f.valid_on, f.query);
  p.Add(static_cast<int64_t>(limit)).Add(std::nullopt).Add(std::nullopt);  // the first page
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kListContracts, p));
  return ReadAll<Contract>(res, ReadContract);
}

absl::StatusOr<ListPage<Contract>> PgStore::ListContracts(const ContractFilter& f,
                                                          const PageRequest& page) {
  if (!f.participant_id.empty() && !IsUuid(f.participant_id)) return ListPage<Contract>{};
  pg::Params filter(f.participant_id, EnumText(f.service_type), EnumText(f.state), f.valid_on,
                    f.query);
  pg::Params paged = filter;
  paged.Add(page.size + 1).Add(page.After(0)).Add(page.After(1));
  return pool_.TransactValue<ListPage<Contract>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<ListPage<Contract>> {
        ListPage<Contract> out;
        ASSIGN_OR_RETURN(pg::Result count, tx.Execute(q::kCountContracts, filter));
        out.total_size = count[0].Int("count");
        ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kListContracts, paged));
        ASSIGN_OR_RETURN(std::vector<Contract> rows, ReadAll<Contract>(res, ReadContract));
        const int64_t total = out.total_size;
        out = paging::CutPage(std::move(rows), page, [](const Contract& c) {
          return paging::PageKey{c.number, c.id};
        });
        out.total_size = total;
        return out;
      },
      pg::Isolation::kRepeatableRead);
}

absl::StatusOr<Contract> PgStore::InsertContract(const Contract& c) {
  pg::Params p(c.number, c.participant_id, EnumText(c.service_type), c.signed_on, c.valid_from,
               c.valid_to, EnumText(c.state), c.payment_terms.due_day,
               c.payment_terms.prepayment_share.ToString());
  p.AddTextArray(c.metering_point_codes);
  p.Add(c.accounting_scheme_id).Add(c.amendment_count).Add(c.version).Add(c.create_time);
  p.Add(c.update_time);
  Contract out = c;
  RETURN_IF_ERROR(MapConstraint(pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kInsertContract, p));
    out.id = res[0].String("id");
    return absl::OkStatus();
  })));
  return out;
}

absl::Status PgStore::UpdateContract(const Contract& c, int64_t prev_version) {
  pg::Params p(c.id, prev_version, c.number, c.participant_id, EnumText(c.service_type),
               c.signed_on, c.valid_from, c.valid_to, EnumText(c.state), c.payment_terms.due_day,
               c.payment_terms.prepayment_share.ToString());
  p.AddTextArray(c.metering_point_codes);
  p.Add(c.accounting_scheme_id).Add(c.amendment_count).Add(c.version).Add(c.update_time);
  return MapConstraint(pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kUpdateContract, p));
    if (res.affected() != 1) return Conflict("contract", c.id);
    return absl::OkStatus();
  }));
}

// --- tariffs -------------------------------------------------------------------------

absl::StatusOr<Tariff> PgStore::GetTariff(const std::string& id) {
  if (!IsUuid(id)) return NotFound("tariff", id);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kGetTariff, id));
  if (res.empty()) return NotFound("tariff", id);
  return ReadTariff(res[0]);
}

absl::StatusOr<ListPage<Tariff>> PgStore::ListTariffs(ServiceType service,
                                                      const PageRequest& page) {
  return pool_.TransactValue<ListPage<Tariff>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<ListPage<Tariff>> {
        ListPage<Tariff> out;
        ASSIGN_OR_RETURN(pg::Result count, tx.Exec(q::kCountTariffs, EnumText(service)));
        out.total_size = count[0].Int("count");
        ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kListTariffs, EnumText(service), page.size + 1,
                                                 page.After(0), page.After(1), page.After(2)));
        ASSIGN_OR_RETURN(std::vector<Tariff> rows, ReadAll<Tariff>(res, ReadTariff));
        const int64_t total = out.total_size;
        out = paging::CutPage(std::move(rows), page, [](const Tariff& t) {
          return paging::PageKey{EnumText(t.service_type), DayText(t.valid_from), t.id};
        });
        out.total_size = total;
        return out;
      },
      pg::Isolation::kRepeatableRead);
}

absl::StatusOr<std::vector<Tariff>> PgStore::TariffsOverlapping(ServiceType service,
                                                                absl::CivilDay from,
                                                                std::optional<absl::CivilDay> to) {
  return pool_.TransactValue<std::vector<Tariff>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<std::vector<Tariff>> {
        ASSIGN_OR_RETURN(pg::Result res,
                         tx.Exec(q::kTariffsOverlapping, EnumText(service), from, to));
        return ReadAll<Tariff>(res, ReadTariff);
      });
}

absl::StatusOr<Tariff> PgStore::InsertTariff(const Tariff& t) {
  pg::Params p(EnumText(t.service_type), t.price_per_kwh.ToString(), t.valid_from, t.valid_to,
               t.order_reference, t.note, t.version, t.create_time, t.update_time);
  Tariff out = t;
  RETURN_IF_ERROR(MapConstraint(pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kInsertTariff, p));
    out.id = res[0].String("id");
    return absl::OkStatus();
  })));
  return out;
}

absl::Status PgStore::UpdateTariff(const Tariff& t, int64_t prev_version) {
  pg::Params p(t.id, prev_version, t.price_per_kwh.ToString(), t.valid_from, t.valid_to,
               t.order_reference, t.note, t.version, t.update_time);
  return MapConstraint(pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kUpdateTariff, p));
    if (res.affected() != 1) return Conflict("tariff", t.id);
    return absl::OkStatus();
  }));
}

// --- applications ----------------------------------------------------------------------

absl::StatusOr<int64_t> PgStore::NextApplicationNumber(int64_t year) {
  return pool_.TransactValue<int64_t>([&](pg::Transaction& tx) -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kNextApplicationNumber, year));
    return res[0].Int("last_number");
  });
}

absl::StatusOr<Application> PgStore::GetApplication(const std::string& id) {
  if (!IsUuid(id)) return NotFound("application", id);
  return pool_.TransactValue<Application>([&](pg::Transaction& tx) -> absl::StatusOr<Application> {
    ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kGetApplication, id));
    if (res.empty()) return NotFound("application", id);
    return ReadApplication(res[0]);
  });
}

absl::StatusOr<ListPage<Application>> PgStore::ListApplications(const ApplicationFilter& f,
                                                                const PageRequest& page) {
  if (!f.participant_id.empty() && !IsUuid(f.participant_id)) return ListPage<Application>{};
  pg::Params filter(f.participant_id, EnumText(f.type), EnumText(f.state), PeriodDay(f.period),
                    f.overdue_only, f.now);
  pg::Params paged = filter;
  paged.Add(page.size + 1).Add(page.After(0)).Add(page.After(1));
  return pool_.TransactValue<ListPage<Application>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<ListPage<Application>> {
        ListPage<Application> out;
        ASSIGN_OR_RETURN(pg::Result count, tx.Execute(q::kCountListApplications, filter));
        out.total_size = count[0].Int("count");
        ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kListApplications, paged));
        ASSIGN_OR_RETURN(std::vector<Application> rows, ReadAll<Application>(res, ReadApplication));
        const int64_t total = out.total_size;
        out = paging::CutPage(std::move(rows), page, [](const Application& a) {
          return paging::PageKey{TimeText(a.create_time), a.id};
        });
        out.total_size = total;
        return out;
      },
      pg::Isolation::kRepeatableRead);
}

absl::StatusOr<ListPage<Application>> PgStore::ApplicationChanges(const ApplicationFilter& f,
                                                                  const PageRequest& page) {
  if (!f.participant_id.empty() && !IsUuid(f.participant_id)) return ListPage<Application>{};
  pg::Params params(f.participant_id, EnumText(f.type), EnumText(f.state), PeriodDay(f.period),
                    f.overdue_only, f.now);
  params.Add(page.size).Add(page.After(0)).Add(page.After(1));
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kApplicationChanges, params));
  ListPage<Application> out;
  ASSIGN_OR_RETURN(out.items, ReadAll<Application>(res, ReadApplication));
  if (!res.empty()) {
    const pg::Row last = res[res.size() - 1];
    out.next = {last.String("change_xid"), std::to_string(last.Int("change_seq"))};
  }
  return out;
}

absl::StatusOr<ApplicationCounts> PgStore::CountApplications(const ApplicationCountFilter& f) {
  if (!f.participant_id.empty() && !IsUuid(f.participant_id)) return ApplicationCounts{};
  return pool_.TransactValue<ApplicationCounts>(
      [&](pg::Transaction& tx) -> absl::StatusOr<ApplicationCounts> {
        ASSIGN_OR_RETURN(pg::Result res,
                         tx.Exec(q::kCountApplications, f.submitted.start, f.submitted.end,
                                 f.participant_id, EnumText(f.type), f.now));
        ApplicationCounts out;
        for (pg::Row row : res) {
          ASSIGN_OR_RETURN(ApplicationState state, ReadEnum<ApplicationState>(row.Text("state")));
          out.by_state[state] = row.Int("received");
          out.received += row.Int("received");
          out.processed += row.Int("processed");
          out.overdue += row.Int("overdue");
          if (state == ApplicationState::kClosed) out.closed += row.Int("received");
        }
        return out;
      });
}

absl::StatusOr<Application> PgStore::InsertApplication(const Application& a) {
  pg::Params p(a.number, a.participant_id, EnumText(a.type), EnumText(a.state), PeriodDay(a.period),
               a.contract_id, a.subject, a.body, a.submit_time, a.due_time, a.resolution,
               a.decide_time, a.close_time, a.version, a.create_time, a.update_time);
  Application out = a;
  RETURN_IF_ERROR(MapConstraint(pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kInsertApplication, p));
    out.id = res[0].String("id");
    return WriteVolumes(tx, out.id, a.declared_volumes);
  })));
  return out;
}

absl::Status PgStore::UpdateApplication(const Application& a, int64_t prev_version) {
  pg::Params p(a.id, prev_version, EnumText(a.state), PeriodDay(a.period), a.contract_id, a.subject,
               a.body, a.submit_time, a.due_time, a.resolution, a.decide_time, a.close_time,
               a.version, a.update_time);
  return MapConstraint(pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kUpdateApplication, p));
    if (res.affected() != 1) return Conflict("application", a.id);
    return WriteVolumes(tx, a.id, a.declared_volumes);
  }));
}

absl::StatusOr<ApplicationComment> PgStore::InsertComment(const ApplicationComment& c) {
  ApplicationComment out = c;
  RETURN_IF_ERROR(pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result res,
                     tx.Exec(q::kInsertComment, c.application_id, c.author, c.text, c.create_time));
    out.id = res[0].String("id");
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<paging::PageOf<ApplicationComment>> PgStore::ListComments(
    const std::string& application_id, const paging::Page& page) {
  if (!IsUuid(application_id)) return paging::PageOf<ApplicationComment>{};
  return pool_.TransactValue<paging::PageOf<ApplicationComment>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<paging::PageOf<ApplicationComment>> {
        ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kListComments, application_id, page.After(0),
                                                 page.After(1), page.size + 1));
        // The key (creation time as PostgreSQL prints it, sequence) rides
        // along with each comment until the page is cut.
        std::vector<std::pair<ApplicationComment, paging::PageKey>> rows;
        for (pg::Row row : res) {
          rows.emplace_back(
              ApplicationComment{row.String("id"), row.String("application_id"),
                                 row.String("author"), row.String("text"), row.Time("create_time")},
              paging::PageKey{row.String("create_time_key"), row.String("seq")});
        }
        auto cut = paging::CutPage(std::move(rows), page, [](const auto& r) { return r.second; });
        paging::PageOf<ApplicationComment> out;
        out.next = std::move(cut.next);
        for (auto& [comment, key] : cut.items) out.items.push_back(std::move(comment));
        return out;
      });
}

}  // namespace gridbill::contracts
