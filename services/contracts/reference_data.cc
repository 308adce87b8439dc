#include "reference_data.h"

#include <cctype>
#include <variant>

#include "absl/strings/str_cat.h"
#include "checks.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/identifiers.h"

namespace gridbill::contracts {
namespace {

constexpr int kMaxCodeChars = 64;
constexpr int kMaxNameChars = 500;

bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!std::isdigit(c)) return false;
  }
  return true;
}

// The proto oneof member that carries `details`, "" for none.
std::string DetailsField(const ReferenceDetails& details) {
  switch (details.index()) {
    case 1:
      return "region";
    case 2:
      return "voltage_level";
    case 3:
      return "substation";
    case 4:
      return "power_line";
    case 5:
      return "bank";
  }
  return "";
}

// The details member a kind requires, "" when the kind has none.
std::string RequiredDetails(ReferenceKind kind) {
  switch (kind) {
    case ReferenceKind::kRegion:
      return "region";
    case ReferenceKind::kVoltageLevel:
      return "voltage_level";
    case ReferenceKind::kSubstation:
      return "substation";
    case ReferenceKind::kPowerLine:
      return "power_line";
    case ReferenceKind::kBank:
      return "bank";
    default:
      return "";
  }
}

}  // namespace

FieldTexts FieldsOf(const ReferenceRecord& r) {
  FieldTexts f = {
      {"kind", std::string(Name(r.kind))},
      {"code", r.code},
      {"name", r.name},
      {"name_kk", r.name_kk},
      {"valid_from", DateText(r.valid_from)},
      {"valid_to", DateText(r.valid_to)},
  };
  if (const auto* d = std::get_if<RegionDetails>(&r.details)) {
    f.emplace_back("region.kato_code", d->kato_code);
  } else if (const auto* d = std::get_if<VoltageLevelDetails>(&r.details)) {
    f.emplace_back("voltage_level.nominal_kv", absl::StrCat(d->nominal_kv));
  } else if (const auto* d = std::get_if<SubstationDetails>(&r.details)) {
    f.emplace_back("substation.region_code", d->region_code);
    f.emplace_back("substation.voltage_level_code", d->voltage_level_code);
  } else if (const auto* d = std::get_if<PowerLineDetails>(&r.details)) {
    f.emplace_back("power_line.from_substation_code", d->from_substation_code);
    f.emplace_back("power_line.to_substation_code", d->to_substation_code);
    f.emplace_back("power_line.voltage_level_code", d->voltage_level_code);
    f.emplace_back("power_line.length_m", absl::StrCat(d->length_m));
  } else if (const auto* d = std::get_if<BankDetails>(&r.details)) {
    f.emplace_back("bank.bik", d->bik);
    f.emplace_back("bank.bin", d->bin);
  }
  return f;
}

absl::Status ReferenceData::CheckExists(ReferenceKind kind, const std::string& code,
                                        absl::CivilDay day, const std::string& field) {
  if (Blank(code)) return InvalidField(field, "required");
  ASSIGN_OR_RETURN(std::vector<ReferenceRecord> found, store_.FindReferenceRecords(kind, code));
  if (found.empty()) {
    return InvalidField(field, absl::StrCat("no ", Name(kind), " with code \"", code, "\""));
  }
  for (const auto& r : found) {
    if (Covers(r.valid_from, r.valid_to, day)) return absl::OkStatus();
  }
  return InvalidField(
      field, absl::StrCat(Name(kind), " \"", code, "\" is not valid on ", FormatDate(day)));
}

absl::Status ReferenceData::Validate(const ReferenceRecord& r, const std::string& self_id) {
  if (r.kind == ReferenceKind::kUnspecified) return InvalidField("record.kind", "required");
  RETURN_IF_ERROR(CheckText("record.code", r.code, true, kMaxCodeChars));
  if (r.code.front() == ' ' || r.code.back() == ' ') {
    return InvalidField("record.code", "leading or trailing spaces");
  }
  RETURN_IF_ERROR(CheckText("record.name", r.name, true, kMaxNameChars));
  RETURN_IF_ERROR(CheckText("record.name_kk", r.name_kk, false, kMaxNameChars));
  RETURN_IF_ERROR(CheckValidity("record", r.valid_from, r.valid_to));

  const std::string required = RequiredDetails(r.kind);
  const std::string given = DetailsField(r.details);
  if (required.empty() && !given.empty()) {
    return InvalidField(absl::StrCat("record.", given),
                        absl::StrCat("a ", Name(r.kind), " record has no details"));
  }
  if (!required.empty() && given != required) {
    if (given.empty()) {
      return InvalidField(absl::StrCat("record.", required),
                          absl::StrCat("required for a ", Name(r.kind), " record"));
    }
    return InvalidField(
        absl::StrCat("record.", given),
        absl::StrCat("does not match kind ", Name(r.kind), " (expected ", required, ")"));
  }

  if (const auto* d = std::get_if<RegionDetails>(&r.details)) {
    if (!AllDigits(d->kato_code) || d->kato_code.size() > 9) {
      return InvalidField("record.region.kato_code", "must be 1 to 9 digits (a KATO code)");
    }
  } else if (const auto* d = std::get_if<VoltageLevelDetails>(&r.details)) {
    if (d->nominal_kv <= 0) {
      return InvalidField("record.voltage_level.nominal_kv", "must be greater than 0");
    }
  } else if (const auto* d = std::get_if<SubstationDetails>(&r.details)) {
    RETURN_IF_ERROR(CheckExists(ReferenceKind::kRegion, d->region_code, r.valid_from,
                                "record.substation.region_code"));
    RETURN_IF_ERROR(CheckExists(ReferenceKind::kVoltageLevel, d->voltage_level_code, r.valid_from,
                                "record.substation.voltage_level_code"));
  } else if (const auto* d = std::get_if<PowerLineDetails>(&r.details)) {
    RETURN_IF_ERROR(CheckExists(ReferenceKind::kSubstation, d->from_substation_code, r.valid_from,
                                "record.power_line.from_substation_code"));
    RETURN_IF_ERROR(CheckExists(ReferenceKind::kSubstation, d->to_substation_code, r.valid_from,
                                "record.power_line.to_substation_code"));
    if (d->from_substation_code == d->to_substation_code) {
      return InvalidField("record.power_line.to_substation_code",
                          "the same substation as from_substation_code");
    }
    if (!d->voltage_level_code.empty()) {
      RETURN_IF_ERROR(CheckExists(ReferenceKind::kVoltageLevel, d->voltage_level_code, r.valid_from,
                                  "record.power_line.voltage_level_code"));
    }
    if (d->length_m < 0) return InvalidField("record.power_line.length_m", "negative");
  } else if (const auto* d = std::get_if<BankDetails>(&r.details)) {
    bool bik_ok = d->bik.size() == 8;
    for (unsigned char c : d->bik) {
      bik_ok = bik_ok && (std::isdigit(c) || (c >= 'A' && c <= 'Z'));
    }
    if (!bik_ok) {
      return InvalidField("record.bank.bik", "must be 8 characters A-Z or 0-9");
    }
    if (!d->bin.empty()) RETURN_IF_ERROR(ValidateBin(d->bin, "record.bank.bin"));
  }

  ASSIGN_OR_RETURN(std::vector<ReferenceRecord> same_code,
                   store_.FindReferenceRecords(r.kind, r.code));
  for (const auto& other : same_code) {
    if (other.id == self_id) continue;
    if (Overlaps(r.valid_from, r.valid_to, other.valid_from, other.valid_to)) {
      std::string msg = absl::StrCat(Name(r.kind), " \"", r.code, "\" already exists valid ",
                                     ValidityText(other.valid_from, other.valid_to));
      if (self_id.empty()) return AlreadyExistsField("record.code", msg);
      return FailedPrecondition("record.valid_from", msg);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ReferenceRecord> ReferenceData::Create(const ReferenceRecord& input,
                                                      const Caller& who) {
  RETURN_IF_ERROR(DenyScoped(who, "change reference data"));
  ReferenceRecord out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    ReferenceRecord r = input;
    r.id.clear();
    RETURN_IF_ERROR(Validate(r, ""));
    r.version = 1;
    r.create_time = r.update_time = clock_.Now();
    ASSIGN_OR_RETURN(out, store_.InsertReferenceRecord(r));
    return store_.AppendHistory(
        Resource::kReferenceRecord, out.id,
        HistoryEntry(who, 1, r.create_time, "create", "", Diff({}, FieldsOf(out))));
  }));
  return out;
}

absl::StatusOr<ReferenceRecord> ReferenceData::Get(const std::string& id) {
  return store_.GetReferenceRecord(id);
}

absl::StatusOr<ListPage<ReferenceRecord>> ReferenceData::List(const ReferenceFilter& filter,
                                                              const PageRequest& page) {
  return store_.ListReferenceRecords(filter, page);
}

absl::StatusOr<ReferenceRecord> ReferenceData::Update(const ReferenceRecord& input,
                                                      const Mask& mask, int64_t expected_version,
                                                      const std::string& reason,
                                                      const Caller& who) {
  RETURN_IF_ERROR(DenyScoped(who, "change reference data"));
  if (input.id.empty()) return InvalidField("record.id", "required");
  RETURN_IF_ERROR(CheckText("reason", reason, false, 2000));
  ReferenceRecord out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    ASSIGN_OR_RETURN(ReferenceRecord current, store_.GetReferenceRecord(input.id));
    RETURN_IF_ERROR(CheckExpectedVersion(expected_version, current.version));
    ReferenceRecord next = current;
    if (Has(mask, "name")) next.name = input.name;
    if (Has(mask, "name_kk")) next.name_kk = input.name_kk;
    if (Has(mask, "valid_from")) next.valid_from = input.valid_from;
    if (Has(mask, "valid_to")) next.valid_to = input.valid_to;
    if (Has(mask, "details")) next.details = input.details;
    RETURN_IF_ERROR(Validate(next, current.id));
    std::vector<FieldChange> changes = Diff(FieldsOf(current), FieldsOf(next));
    if (changes.empty()) {
      out = current;
      return absl::OkStatus();
    }
    next.version = current.version + 1;
    next.update_time = clock_.Now();
    RETURN_IF_ERROR(store_.UpdateReferenceRecord(next, current.version));
    out = next;
    return store_.AppendHistory(
        Resource::kReferenceRecord, next.id,
        HistoryEntry(who, next.version, next.update_time, "update", reason, std::move(changes)));
  }));
  return out;
}

absl::StatusOr<paging::PageOf<ChangeEntry>> ReferenceData::History(const std::string& id,
                                                                   const paging::Page& page,
                                                                   const Caller& who) {
  RETURN_IF_ERROR(DenyScoped(who, "read the history of reference data"));
  RETURN_IF_ERROR(store_.GetReferenceRecord(id).status());
  return store_.ListHistory(Resource::kReferenceRecord, id, page);
}

}  // namespace gridbill::contracts
