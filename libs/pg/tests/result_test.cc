// Row accessors over hand-built results, in PostgreSQL's text output.
#include <libpq-fe.h>

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "gridbill/pg/result.h"

namespace gridbill::pg {
namespace {

// A one-row result with the given text values (nullptr = NULL).
Result OneRow(const std::vector<const char*>& values) {
  PGresult* res = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
  std::vector<PGresAttDesc> attrs(values.size());
  std::vector<std::string> names;
  for (size_t i = 0; i < values.size(); ++i) names.push_back("c" + std::to_string(i));
  for (size_t i = 0; i < values.size(); ++i) {
    attrs[i] = PGresAttDesc{const_cast<char*>(names[i].c_str()), 0, 0, 0, 25, -1, -1};
  }
  REQUIRE(PQsetResultAttrs(res, static_cast<int>(attrs.size()), attrs.data()) == 1);
  for (size_t i = 0; i < values.size(); ++i) {
    int len = values[i] == nullptr ? -1 : static_cast<int>(std::strlen(values[i]));
    REQUIRE(PQsetvalue(res, 0, static_cast<int>(i), const_cast<char*>(values[i]), len) == 1);
  }
  return Result(res);
}

absl::Time Utc(int y, int m, int d, int hh, int mm, int ss) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), absl::UTCTimeZone());
}

TEST_CASE("Row reads scalars, NULL as empty / 0 / false") {
  Result r = OneRow({"42", "-9223372036854775808", "t", "f", "1.5", "NaN", nullptr, "text"});
  REQUIRE(r.size() == 1);
  Row row = r[0];
  CHECK(row.Int(0) == 42);
  CHECK(row.Int(1) == std::numeric_limits<int64_t>::min());
  CHECK(row.Bool(2));
  CHECK_FALSE(row.Bool(3));
  CHECK(row.Double(4) == 1.5);
  CHECK(std::isnan(row.Double(5)));
  CHECK(row.IsNull(6));
  CHECK(row.Int(6) == 0);
  CHECK_FALSE(row.Bool(6));
  CHECK(row.Text(6).empty());
  CHECK_FALSE(row.OptionalInt(6).has_value());
  CHECK(row.OptionalString(7) == "text");
}

TEST_CASE("Row reads a column by the name the statement gives it, wherever it stands") {
  // OneRow names its columns c0, c1, ...
  Result r = OneRow({"7", "2024-02-29", nullptr, "t"});
  Row row = r[0];
  CHECK(r.Column("c3") == 3);
  CHECK(row.Int("c0") == 7);
  CHECK(row.Date("c1") == absl::CivilDay(2024, 2, 29));
  CHECK(row.IsNull("c2"));
  CHECK_FALSE(row.OptionalString("c2").has_value());
  CHECK(row.Bool("c3"));
}

TEST_CASE("Row::Time parses timestamptz output in any offset, with fractions") {
  Result r =
      OneRow({"2024-02-29 23:59:59+00", "2024-02-29 23:59:59.5+00", "2024-02-29 23:59:59.123456+00",
              "2024-03-01 05:00:00+05", "2024-03-01 05:30:00+05:30", "1900-01-01 00:00:00+01:02:03",
              "2024-02-29 12:00:00-03", "infinity", "-infinity", "0001-01-01 00:00:00+00 BC",
              "2024-02-29 12:00:00", "garbage", "12345-01-01 00:00:00+00"});
  Row row = r[0];
  CHECK(row.Time(0) == Utc(2024, 2, 29, 23, 59, 59));
  CHECK(row.Time(1) == Utc(2024, 2, 29, 23, 59, 59) + absl::Milliseconds(500));
  CHECK(row.Time(2) == Utc(2024, 2, 29, 23, 59, 59) + absl::Microseconds(123456));
  CHECK(row.Time(3) == Utc(2024, 3, 1, 0, 0, 0));
  CHECK(row.Time(4) == Utc(2024, 3, 1, 0, 0, 0));
  CHECK(row.Time(5) == Utc(1899, 12, 31, 22, 57, 57));
  CHECK(row.Time(6) == Utc(2024, 2, 29, 15, 0, 0));
  CHECK(row.Time(7) == absl::InfiniteFuture());
  CHECK(row.Time(8) == absl::InfinitePast());
  CHECK(row.Time(9) == Utc(0, 1, 1, 0, 0, 0));
  CHECK(row.Time(10) == Utc(2024, 2, 29, 12, 0, 0));
  CHECK(row.Time(11) == absl::Time());
  CHECK(row.Time(12) == Utc(12345, 1, 1, 0, 0, 0));
}

TEST_CASE("Row::Date parses dates, BC and infinity") {
  Result r = OneRow({"2024-02-29", "0044-03-15 BC", "infinity", "-infinity", nullptr});
  Row row = r[0];
  CHECK(row.Date(0) == absl::CivilDay(2024, 2, 29));
  CHECK(row.Date(1) == absl::CivilDay(-43, 3, 15));
  CHECK(row.Date(2) == absl::CivilDay::max());
  CHECK(row.Date(3) == absl::CivilDay::min());
  CHECK_FALSE(row.OptionalDate(4).has_value());
  CHECK(row.OptionalDate(0) == absl::CivilDay(2024, 2, 29));
}

TEST_CASE("Row::Bytes decodes hex (and legacy escape) bytea output") {
  Result r = OneRow({"\\x00ff41", "\\x", "a\\000b"});
  Row row = r[0];
  CHECK(row.Bytes(0) == std::string("\x00\xff"
                                    "A",
                                    3));
  CHECK(row.Bytes(1).empty());
  CHECK(row.Bytes(2) == std::string("a\0b", 3));
}

TEST_CASE("Row::TextArray decodes quoted elements, escapes and NULL") {
  Result r = OneRow({R"({a,"b c","q\"u","b\\s",NULL,"NULL",""})", "{}", "{{1,2},{3,4}}",
                     "[0:1]={x,y}", R"({  spaced  , "x,y" })", "{unterminated"});
  Row row = r[0];
  CHECK(row.TextArray(0) == std::vector<std::string>{"a", "b c", "q\"u", "b\\s", "", "NULL", ""});
  std::vector<std::optional<std::string>> nullable = row.NullableTextArray(0);
  REQUIRE(nullable.size() == 7);
  CHECK_FALSE(nullable[4].has_value());
  CHECK(nullable[5] == "NULL");
  CHECK(row.TextArray(1).empty());
  CHECK(row.TextArray(2) == std::vector<std::string>{"1", "2", "3", "4"});
  CHECK(row.TextArray(3) == std::vector<std::string>{"x", "y"});
  CHECK(row.TextArray(4) == std::vector<std::string>{"spaced", "x,y"});
  CHECK(row.TextArray(5).empty());
}

TEST_CASE("Result is empty by default and iterates its rows") {
  Result empty;
  CHECK(empty.empty());
  CHECK(empty.affected() == 0);
  Result one = OneRow({"1"});
  int n = 0;
  for (Row row : one) n += static_cast<int>(row.Int(0));
  CHECK(n == 1);
}

}  // namespace
}  // namespace gridbill::pg
