// Results of a statement, read by column index in text format.
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

 private:
  friend class Result;
  Row(const Result* result, int row) : result_(result), row_(row) {}
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
