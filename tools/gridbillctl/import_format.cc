#include "tools/gridbillctl/import_format.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/csv.h"
#include "tools/gridbillctl/enums.h"
#include "tools/gridbillctl/format.h"

namespace gridbill::ctl {
namespace {

namespace mv1 = ::gridbill::metering::v1;

// A data row with its fields addressable by column name.
class RowView {
 public:
  RowView(const CsvRecord& record, const std::vector<std::string>& header,
          const std::map<std::string, int>& index)
      : record_(record), header_(header), index_(index) {}

  int line() const { return record_.line; }
  // The trimmed value of a column; "" when the file has no such column.
  std::string Get(const std::string& name) const {
    auto it = index_.find(name);
    if (it == index_.end()) return "";
    return std::string(absl::StripAsciiWhitespace(record_.fields[it->second]));
  }
  // "line 12, column 3 (kind): <message>"; for a column the file lacks, no number.
  RowError Error(const std::string& name, absl::string_view message) const {
    auto it = index_.find(name);
    std::string where = it == index_.end() ? absl::StrCat("line ", line(), ", column ", name)
                                           : absl::StrCat("line ", line(), ", column ",
                                                          it->second + 1, " (", name, ")");
    return RowError{line(), absl::StrCat(where, ": ", message)};
  }

 private:
  const CsvRecord& record_;
  const std::vector<std::string>& header_;
  const std::map<std::string, int>& index_;
};

absl::StatusOr<common::v1::Date> ParseDateText(std::string_view text) {
  int y = 0, m = 0, d = 0;
  char tail = 0;
  const std::string s(text);
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
      s[4] != '-' || s[7] != '-') {
    return absl::InvalidArgumentError(absl::StrCat("\"", s, "\" is not a date (YYYY-MM-DD)"));
  }
  const absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d || y < 1) {
    return absl::InvalidArgumentError(absl::StrCat("\"", s, "\" is not a calendar date"));
  }
  common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

struct Layout {
  std::vector<std::string> header;
  std::map<std::string, int> index;
};

// Reads the header row against the known columns.
absl::StatusOr<Layout> ReadHeader(const CsvParseResult& csv,
                                  const std::vector<std::string>& columns,
                                  const std::set<std::string>& required) {
  if (csv.records.empty() && csv.errors.empty()) {
    return absl::InvalidArgumentError("the file is empty (a header row is required)");
  }
  if (!csv.errors.empty() && (csv.records.empty() || csv.errors[0].line < csv.records[0].line)) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", csv.errors[0].line, " (header): ", csv.errors[0].message));
  }
  const CsvRecord& first = csv.records[0];
  Layout layout;
  for (size_t i = 0; i < first.fields.size(); ++i) {
    std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(first.fields[i]));
    if (std::find(columns.begin(), columns.end(), name) == columns.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", first.line, ", column ", i + 1, ": unknown column \"", name,
          "\" (a header row is required; columns: ", absl::StrJoin(columns, ","), ")"));
    }
    if (!layout.index.emplace(name, static_cast<int>(i)).second) {
      return absl::InvalidArgumentError(absl::StrCat("line ", first.line, ", column ", i + 1,
                                                     ": duplicate column \"", name, "\""));
    }
    layout.header.push_back(name);
  }
  for (const auto& name : columns) {
    if (required.count(name) && !layout.index.count(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", first.line, ": required column \"", name, "\" is missing"));
    }
  }
  return layout;
}

// Walks data rows and parse errors in line order, calling `convert` on good
// rows: it returns the resource or a RowError.
template <typename T, typename Convert>
absl::StatusOr<ImportFile<T>> ReadFile(std::string_view content,
                                       const std::vector<std::string>& columns,
                                       const std::set<std::string>& required, Convert convert) {
  const CsvParseResult csv = ParseCsv(content);
  absl::StatusOr<Layout> layout = ReadHeader(csv, columns, required);
  if (!layout.ok()) return layout.status();
  const int header_line = csv.records[0].line;
  ImportFile<T> out;
  for (const CsvError& e : csv.errors) {
    if (e.line <= header_line) continue;
    ++out.data_rows;
    std::string where = absl::StrCat("line ", e.line, ", column ", e.column);
    if (e.column - 1 < static_cast<int>(layout->header.size())) {
      absl::StrAppend(&where, " (", layout->header[e.column - 1], ")");
    }
    out.rejected.push_back(RowError{e.line, absl::StrCat(where, ": ", e.message)});
  }
  for (size_t i = 1; i < csv.records.size(); ++i) {
    const CsvRecord& record = csv.records[i];
    ++out.data_rows;
    if (record.fields.size() != layout->header.size()) {
      out.rejected.push_back(RowError{
          record.line, absl::StrCat("line ", record.line, ": expected ", layout->header.size(),
                                    " fields as in the header, found ", record.fields.size())});
      continue;
    }
    RowView row(record, layout->header, layout->index);
    std::optional<RowError> error;
    T value = convert(row, error);
    if (error) {
      out.rejected.push_back(std::move(*error));
    } else {
      out.rows.push_back(ImportRow<T>{record.line, std::move(value)});
    }
  }
  std::sort(out.rejected.begin(), out.rejected.end(),
            [](const RowError& a, const RowError& b) { return a.line < b.line; });
  return out;
}

v1::ReferenceRecord ConvertReference(const RowView& row, std::optional<RowError>& error) {
  v1::ReferenceRecord r;
  absl::StatusOr<v1::ReferenceKind> kind = ParseEnum<v1::ReferenceKind>(row.Get("kind"));
  if (!kind.ok()) {
    error = row.Error("kind", kind.status().message());
    return r;
  }
  r.set_kind(*kind);
  r.set_code(row.Get("code"));
  r.set_name(row.Get("name"));
  r.set_name_kk(row.Get("name_kk"));
  for (const char* column : {"valid_from", "valid_to"}) {
    const std::string text = row.Get(column);
    if (text.empty()) continue;
    absl::StatusOr<common::v1::Date> d = ParseDateText(text);
    if (!d.ok()) {
      error = row.Error(column, d.status().message());
      return r;
    }
    *(std::string(column) == "valid_from" ? r.mutable_valid_from() : r.mutable_valid_to()) = *d;
  }

  // Which detail columns belong to the kind.
  std::set<std::string> allowed;
  switch (*kind) {
    case v1::REFERENCE_KIND_REGION:
      allowed = {"kato_code"};
      r.mutable_region()->set_kato_code(row.Get("kato_code"));
      break;
    case v1::REFERENCE_KIND_VOLTAGE_LEVEL: {
      allowed = {"nominal_kv"};
      const std::string text = row.Get("nominal_kv");
      int32_t kv = 0;
      if (!text.empty() && !absl::SimpleAtoi(text, &kv)) {
        error = row.Error("nominal_kv", absl::StrCat("\"", text, "\" is not a whole number"));
        return r;
      }
      r.mutable_voltage_level()->set_nominal_kv(kv);
      break;
    }
    case v1::REFERENCE_KIND_SUBSTATION:
      allowed = {"region_code", "voltage_level_code"};
      r.mutable_substation()->set_region_code(row.Get("region_code"));
      r.mutable_substation()->set_voltage_level_code(row.Get("voltage_level_code"));
      break;
    case v1::REFERENCE_KIND_POWER_LINE: {
      allowed = {"from_substation_code", "to_substation_code", "voltage_level_code", "length_m"};
      auto* d = r.mutable_power_line();
      d->set_from_substation_code(row.Get("from_substation_code"));
      d->set_to_substation_code(row.Get("to_substation_code"));
      d->set_voltage_level_code(row.Get("voltage_level_code"));
      const std::string text = row.Get("length_m");
      int64_t length = 0;
      if (!text.empty() && !absl::SimpleAtoi(text, &length)) {
        error = row.Error("length_m", absl::StrCat("\"", text, "\" is not a whole number"));
        return r;
      }
      d->set_length_m(length);
      break;
    }
    case v1::REFERENCE_KIND_BANK:
      allowed = {"bik", "bin"};
      r.mutable_bank()->set_bik(row.Get("bik"));
      r.mutable_bank()->set_bin(row.Get("bin"));
      break;
    default:
      break;
  }
  for (const char* column :
       {"kato_code", "nominal_kv", "region_code", "voltage_level_code", "from_substation_code",
        "to_substation_code", "length_m", "bik", "bin"}) {
    if (!allowed.count(column) && !row.Get(column).empty()) {
      error = row.Error(column,
                        absl::StrCat("not used for kind ", ShortName(*kind), " (leave it empty)"));
      return r;
    }
  }
  return r;
}

v1::Participant ConvertParticipant(const RowView& row, std::optional<RowError>& error) {
  v1::Participant p;
  p.set_bin(row.Get("bin"));
  p.set_eic(row.Get("eic"));
  p.set_legal_name(row.Get("legal_name"));
  p.set_short_name(row.Get("short_name"));
  p.set_legal_address(row.Get("legal_address"));
  p.set_region_code(row.Get("region_code"));
  for (absl::string_view part : absl::StrSplit(row.Get("roles"), ';', absl::SkipWhitespace())) {
    absl::StatusOr<v1::ParticipantRole> role =
        ParseEnum<v1::ParticipantRole>(std::string_view(part.data(), part.size()));
    if (!role.ok()) {
      error = row.Error("roles", role.status().message());
      return p;
    }
    p.add_roles(*role);
  }
  const std::string status = row.Get("status");
  if (!status.empty()) {
    absl::StatusOr<v1::ParticipantStatus> s = ParseEnum<v1::ParticipantStatus>(status);
    if (!s.ok()) {
      error = row.Error("status", s.status().message());
      return p;
    }
    p.set_status(*s);
  }
  const std::string iik = row.Get("iik"), bik = row.Get("bik"), bank = row.Get("bank_name"),
                    kbe = row.Get("kbe");
  if (!iik.empty() || !bik.empty() || !bank.empty() || !kbe.empty()) {
    auto* a = p.mutable_bank_account();
    a->set_iik(iik);
    a->set_bik(bik);
    a->set_bank_name(bank);
    a->set_kbe(kbe);
  }
  const std::string name = row.Get("contact_name"), phone = row.Get("contact_phone"),
                    email = row.Get("contact_email");
  if (!name.empty() || !phone.empty() || !email.empty()) {
    auto* c = p.add_contacts();
    c->set_name(name);
    c->set_phone(phone);
    c->set_email(email);
  }
  p.set_vat_certificate(row.Get("vat_certificate"));
  return p;
}

}  // namespace

const std::vector<std::string>& ReferenceColumns() {
  static const auto* const k = new std::vector<std::string>{"kind",
                                                            "code",
                                                            "name",
                                                            "name_kk",
                                                            "valid_from",
                                                            "valid_to",
                                                            "kato_code",
                                                            "nominal_kv",
                                                            "region_code",
                                                            "voltage_level_code",
                                                            "from_substation_code",
                                                            "to_substation_code",
                                                            "length_m",
                                                            "bik",
                                                            "bin"};
  return *k;
}

const std::vector<std::string>& ParticipantColumns() {
  static const auto* const k = new std::vector<std::string>{
      "bin",           "eic",           "legal_name",    "short_name",
      "legal_address", "region_code",   "roles",         "status",
      "iik",           "bik",           "bank_name",     "kbe",
      "contact_name",  "contact_phone", "contact_email", "vat_certificate"};
  return *k;
}

const std::vector<std::string>& PointColumns() {
  static const auto* const k = new std::vector<std::string>{
      "code",     "eic",          "name",     "substation_code", "voltage_level_code",
      "channels", "meter_serial", "ct_ratio", "vt_ratio",        "resolution",
      "status",   "valid_from",   "valid_to", "participant_id",  "assigned_from"};
  return *k;
}

absl::Status SetPointColumn(mv1::MeteringPoint& p, std::string_view column,
                            std::string_view value) {
  const std::string v(absl::StripAsciiWhitespace(ToAbsl(value)));
  if (column == "code") {
    p.set_code(v);
  } else if (column == "eic") {
    p.set_eic(v);
  } else if (column == "name") {
    p.set_name(v);
  } else if (column == "substation_code") {
    p.set_substation_code(v);
  } else if (column == "voltage_level_code") {
    p.set_voltage_level_code(v);
  } else if (column == "meter_serial") {
    p.set_meter_serial(v);
  } else if (column == "ct_ratio") {
    p.set_ct_ratio(v);
  } else if (column == "vt_ratio") {
    p.set_vt_ratio(v);
  } else if (column == "channels") {
    p.clear_channels();
    for (absl::string_view part : absl::StrSplit(v, absl::ByAnyChar(";,"), absl::SkipEmpty())) {
      const std::string c(absl::StripAsciiWhitespace(part));
      int n = 0;
      if (!absl::SimpleAtoi(c, &n) || n < 1 || n > 4) {
        return absl::InvalidArgumentError(
            absl::StrCat("\"", c, "\" is not a channel (01, 02, 03 or 04)"));
      }
      mv1::ChannelConfig* ch = p.add_channels();
      ch->set_channel(static_cast<mv1::Channel>(n));
      ch->set_meter_serial(p.meter_serial());
    }
    if (p.channels_size() == 0) {
      return absl::InvalidArgumentError("at least one channel (01..04) is required");
    }
  } else if (column == "resolution") {
    absl::StatusOr<mv1::Resolution> r = ParseEnum<mv1::Resolution>(v);
    if (!r.ok()) return r.status();
    p.set_resolution(*r);
  } else if (column == "status") {
    if (v.empty()) {
      p.set_status(mv1::METERING_POINT_STATUS_ACTIVE);
    } else {
      absl::StatusOr<mv1::MeteringPointStatus> st = ParseEnum<mv1::MeteringPointStatus>(v);
      if (!st.ok()) return st.status();
      p.set_status(*st);
    }
  } else if (column == "valid_from" || column == "valid_to") {
    common::v1::Date* out = column == "valid_from" ? p.mutable_valid_from() : p.mutable_valid_to();
    if (v.empty()) {
      if (column == "valid_from") return absl::InvalidArgumentError("required");
      p.clear_valid_to();
    } else {
      absl::StatusOr<common::v1::Date> d = ParseDateText(v);
      if (!d.ok()) return d.status();
      *out = *d;
    }
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown column \"", ToAbsl(column), "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<ImportFile<v1::ReferenceRecord>> ParseReferenceCsv(std::string_view content) {
  return ReadFile<v1::ReferenceRecord>(content, ReferenceColumns(),
                                       {"kind", "code", "name", "valid_from"}, ConvertReference);
}

absl::StatusOr<ImportFile<v1::Participant>> ParseParticipantsCsv(std::string_view content) {
  return ReadFile<v1::Participant>(content, ParticipantColumns(),
                                   {"bin", "legal_name", "short_name", "roles"},
                                   ConvertParticipant);
}

absl::StatusOr<ImportFile<mv1::MeteringPoint>> ParsePointsCsv(std::string_view content) {
  return ReadFile<mv1::MeteringPoint>(
      content, PointColumns(), {"code", "name", "channels", "resolution", "valid_from"},
      [](const RowView& row, std::optional<RowError>& error) {
        mv1::MeteringPoint p;
        p.set_status(mv1::METERING_POINT_STATUS_ACTIVE);
        // meter_serial before channels: each channel carries the point's serial.
        for (const char* column : {"code", "eic", "name", "substation_code", "voltage_level_code",
                                   "meter_serial", "channels", "ct_ratio", "vt_ratio", "resolution",
                                   "status", "valid_from", "valid_to"}) {
          absl::Status st = SetPointColumn(p, column, row.Get(column));
          if (!st.ok()) {
            error = row.Error(column, st.message());
            return p;
          }
        }
        const std::string participant = row.Get("participant_id");
        const std::string from = row.Get("assigned_from");
        if (participant.empty() && !from.empty()) {
          error = row.Error("assigned_from", "given without participant_id");
          return p;
        }
        if (!participant.empty()) {
          mv1::Assignment* a = p.add_assignments();
          a->set_participant_id(participant);
          if (from.empty()) {
            *a->mutable_valid_from() = p.valid_from();
          } else {
            absl::StatusOr<common::v1::Date> d = ParseDateText(from);
            if (!d.ok()) {
              error = row.Error("assigned_from", d.status().message());
              return p;
            }
            *a->mutable_valid_from() = *d;
          }
        }
        return p;
      });
}

std::vector<std::string> ReferenceCsvFields(const v1::ReferenceRecord& r) {
  std::vector<std::string> f(ReferenceColumns().size());
  f[0] = ShortName(r.kind());
  f[1] = r.code();
  f[2] = r.name();
  f[3] = r.name_kk();
  f[4] = FormatDate(r.valid_from());
  f[5] = FormatDate(r.valid_to());
  switch (r.details_case()) {
    case v1::ReferenceRecord::kRegion:
      f[6] = r.region().kato_code();
      break;
    case v1::ReferenceRecord::kVoltageLevel:
      f[7] = absl::StrCat(r.voltage_level().nominal_kv());
      break;
    case v1::ReferenceRecord::kSubstation:
      f[8] = r.substation().region_code();
      f[9] = r.substation().voltage_level_code();
      break;
    case v1::ReferenceRecord::kPowerLine:
      f[10] = r.power_line().from_substation_code();
      f[11] = r.power_line().to_substation_code();
      f[9] = r.power_line().voltage_level_code();
      f[12] = absl::StrCat(r.power_line().length_m());
      break;
    case v1::ReferenceRecord::kBank:
      f[13] = r.bank().bik();
      f[14] = r.bank().bin();
      break;
    default:
      break;
  }
  return f;
}

std::vector<std::string> ParticipantCsvFields(const v1::Participant& p) {
  std::vector<std::string> roles;
  for (int r : p.roles()) roles.push_back(ShortName(static_cast<v1::ParticipantRole>(r)));
  const v1::Contact contact = p.contacts_size() > 0 ? p.contacts(0) : v1::Contact();
  return {p.bin(),
          p.eic(),
          p.legal_name(),
          p.short_name(),
          p.legal_address(),
          p.region_code(),
          absl::StrJoin(roles, ";"),
          p.status() == v1::PARTICIPANT_STATUS_UNSPECIFIED ? "" : ShortName(p.status()),
          p.bank_account().iik(),
          p.bank_account().bik(),
          p.bank_account().bank_name(),
          p.bank_account().kbe(),
          contact.name(),
          contact.phone(),
          contact.email(),
          p.vat_certificate()};
}

}  // namespace gridbill::ctl
