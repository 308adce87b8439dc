// COPY ... FROM STDIN in PostgreSQL's text format, encoded once for every
// store: fields separated by tabs, rows ended by "\n", NULL as \N, and in a
// text field backslash, tab, newline and carriage return escaped (a field
// holding any of them would otherwise shift the columns or split the row).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gridbill/pg/pool.h"

namespace gridbill::pg {

// Appends `s` escaped as one text field (no separator).
void AppendCopyText(std::string& out, std::string_view s);

// One row appended to `out`, field by field; the row ends ("\n") when the
// CopyRow goes, so a row is one expression:
//   CopyRow(data).Int(run_id).Text(participant).Time(hour).Bool(declared);
class CopyRow {
 public:
  explicit CopyRow(std::string& out) : out_(out) {}
  ~CopyRow() { out_.push_back('\n'); }
  CopyRow(const CopyRow&) = delete;
  CopyRow& operator=(const CopyRow&) = delete;

  CopyRow& Text(std::string_view s);
  CopyRow& Null();
  CopyRow& Int(int64_t v);
  CopyRow& Bool(bool b) { return Raw(b ? "t" : "f"); }
  // date, as YYYY-MM-DD.
  CopyRow& Day(absl::CivilDay d);
  // timestamptz, in UTC with microseconds (what PostgreSQL keeps).
  CopyRow& Time(absl::Time t);
  CopyRow& OptDay(const std::optional<absl::CivilDay>& d) { return d ? Day(*d) : Null(); }
  // An empty string as NULL.
  CopyRow& OptText(std::string_view s) { return s.empty() ? Null() : Text(s); }
  // A field already in COPY's text form (e.g. an array literal); not escaped.
  CopyRow& Raw(std::string_view encoded);

 private:
  void Separate();
  std::string& out_;
  bool first_ = true;
};

// Runs `copy_sql` with `data` in `tx` and checks that it stored `rows` rows
// (INTERNAL otherwise); does nothing for zero rows.
absl::Status CopyRows(Transaction& tx, std::string_view copy_sql, std::string_view data,
                      int64_t rows);

}  // namespace gridbill::pg
