// Results of a statement, read in text format by column name (what the
// SELECT calls the column, so that adding a column to a statement cannot
// shift what a store reads) or by index.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

struct pg_result;

namespace gridbill::pg {

class Result;

// One row of a Result. Accessors follow PostgreSQL's text output; a NULL
// reads as empty / 0 / false (check IsNull first where it matters).
class Row {
 public:
  bool IsNull(int col) const;
  std::string_view Text(int col) const;
  std::string String(int col) const { return std::string(Text(col)); }
  std::optional<std::string> OptionalString(int col) const;
  int64_t Int(int col) const;
  std::optional<int64_t> OptionalInt(int col) const;
  bool Bool(int col) const;
  double Double(int col) const;
  // timestamptz (the pool sets TimeZone=UTC on every connection).
  absl::Time Time(int col) const;
  std::optional<absl::Time> OptionalTime(int col) const;
  // date.
  absl::CivilDay Date(int col) const;
  std::optional<absl::CivilDay> OptionalDate(int col) const;
  // bytea in hex output format, decoded.
  std::string Bytes(int col) const;
  // A one-dimensional text[] (or any array type) decoded to elements.
  // NULL elements read as "".
  std::vector<std::string> TextArray(int col) const;
  // The same, keeping NULL elements as std::nullopt.
  std::vector<std::optional<std::string>> NullableTextArray(int col) const;

  // The same by column name. A name the result lacks is a defect of the
  // statement or of the mapping, found by the first test that reads it:
  // the process aborts, naming the column.
  bool IsNull(std::string_view name) const { return IsNull(Col(name)); }
  std::string_view Text(std::string_view name) const { return Text(Col(name)); }
  std::string String(std::string_view name) const { return String(Col(name)); }
  std::optional<std::string> OptionalString(std::string_view name) const {
    return OptionalString(Col(name));
  }
  int64_t Int(std::string_view name) const { return Int(Col(name)); }
  std::optional<int64_t> OptionalInt(std::string_view name) const { return OptionalInt(Col(name)); }
  bool Bool(std::string_view name) const { return Bool(Col(name)); }
  double Double(std::string_view name) const { return Double(Col(name)); }
  absl::Time Time(std::string_view name) const { return Time(Col(name)); }
  std::optional<absl::Time> OptionalTime(std::string_view name) const {
    return OptionalTime(Col(name));
  }
  absl::CivilDay Date(std::string_view name) const { return Date(Col(name)); }
  std::optional<absl::CivilDay> OptionalDate(std::string_view name) const {
    return OptionalDate(Col(name));
  }
  std::string Bytes(std::string_view name) const { return Bytes(Col(name)); }
  std::vector<std::string> TextArray(std::string_view name) const { return TextArray(Col(name)); }
  std::vector<std::optional<std::string>> NullableTextArray(std::string_view name) const {
    return NullableTextArray(Col(name));
  }

 private:
  friend class Result;
  Row(const Result* result, int row) : result_(result), row_(row) {}
  int Col(std::string_view name) const;
  const Result* result_;
  int row_;
};

// The rows of one statement. Movable, owns the libpq result.
class Result {
 public:
  Result() = default;
  explicit Result(pg_result* res);
  int size() const;
  bool empty() const { return size() == 0; }
  Row operator[](int row) const { return Row(this, row); }
  // Rows affected by INSERT/UPDATE/DELETE.
  int64_t affected() const;
  // The index of column `name` (aborts, naming it, when there is none).
  int Column(std::string_view name) const;
  pg_result* raw() const { return res_.get(); }

  class Iterator {
   public:
    Iterator(const Result* r, int i) : r_(r), i_(i) {}
    Row operator*() const { return (*r_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return i_ != o.i_; }

   private:
    const Result* r_;
    int i_;
  };
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, size()); }

 private:
  struct Deleter {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Deleter> res_;
};

}  // namespace gridbill::pg
