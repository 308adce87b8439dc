#include "gridbill/pg/copy.h"

#include "absl/strings/str_cat.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pg/connection.h"

namespace gridbill::pg {

void AppendCopyText(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out.push_back(c);
    }
  }
}

void CopyRow::Separate() {
  if (!first_) out_.push_back('\t');
  first_ = false;
}

CopyRow& CopyRow::Text(std::string_view s) {
  Separate();
  AppendCopyText(out_, s);
  return *this;
}

CopyRow& CopyRow::Null() { return Raw("\\N"); }

CopyRow& CopyRow::Int(int64_t v) {
  Separate();
  absl::StrAppend(&out_, v);
  return *this;
}

CopyRow& CopyRow::Day(absl::CivilDay d) {
  Separate();
  absl::StrAppend(&out_, absl::FormatCivilTime(d));
  return *this;
}

CopyRow& CopyRow::Time(absl::Time t) {
  Separate();
  absl::StrAppend(&out_, absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone()));
  return *this;
}

CopyRow& CopyRow::Raw(std::string_view encoded) {
  Separate();
  out_.append(encoded);
  return *this;
}

absl::Status CopyRows(Transaction& tx, std::string_view copy_sql, std::string_view data,
                      int64_t rows) {
  if (rows == 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(int64_t copied, tx.connection().CopyIn(copy_sql, data));
  if (copied != rows) {
    return absl::InternalError(absl::StrCat("copy stored ", copied, " of ", rows, " rows"));
  }
  return absl::OkStatus();
}

}  // namespace gridbill::pg
