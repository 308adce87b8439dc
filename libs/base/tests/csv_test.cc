#include "gridbill/base/csv.h"

#include <catch2/catch.hpp>

namespace gridbill {
namespace {

using Fields = std::vector<std::string>;

TEST_CASE("plain records split on commas and line ends", "[csv]") {
  CsvParseResult r = ParseCsv("a,b,c\r\n1,2,3\n4,,6");
  REQUIRE(r.errors.empty());
  REQUIRE(r.records.size() == 3);
  CHECK(r.records[0].fields == Fields{"a", "b", "c"});
  CHECK(r.records[1].fields == Fields{"1", "2", "3"});
  CHECK(r.records[2].fields == Fields{"4", "", "6"});
  CHECK(r.records[2].line == 3);
}

TEST_CASE("quoted fields hold commas, doubled quotes and line breaks", "[csv]") {
  CsvParseResult r = ParseCsv(
      "name,note\n"
      "\"ТОО «Казцинк», Усть-Каменогорск\",\"said \"\"yes\"\"\"\n"
      "\"two\nlines\",x\n"
      "last,\"\"\n");
  REQUIRE(r.errors.empty());
  REQUIRE(r.records.size() == 4);
  CHECK(r.records[1].fields == Fields{"ТОО «Казцинк», Усть-Каменогорск", "said \"yes\""});
  CHECK(r.records[2].fields == Fields{"two\nlines", "x"});
  CHECK(r.records[2].line == 3);
  // The record after a multi-line one starts on the right physical line.
  CHECK(r.records[3].line == 5);
  CHECK(r.records[3].fields == Fields{"last", ""});
}

TEST_CASE("a byte order mark, empty lines and a trailing comma", "[csv]") {
  CsvParseResult r = ParseCsv(
      "\xEF\xBB\xBF"
      "a,b\n\n1,\n");
  REQUIRE(r.errors.empty());
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[0].fields == Fields{"a", "b"});
  CHECK(r.records[1].fields == Fields{"1", ""});
  CHECK(r.records[1].line == 3);
}

TEST_CASE("a quote inside an unquoted field is an error of that line only", "[csv]") {
  CsvParseResult r = ParseCsv("a,b\nx,ab\"c\ny,z\n");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 2);
  CHECK(r.errors[0].column == 2);
  CHECK_THAT(r.errors[0].message, Catch::Contains("quote inside an unquoted field"));
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[1].fields == Fields{"y", "z"});
  CHECK(r.records[1].line == 3);
}

TEST_CASE("text after a closing quote is an error naming line and column", "[csv]") {
  CsvParseResult r = ParseCsv("a,b,c\n1,\"ok\"x,3\n4,5,6\n");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 2);
  CHECK(r.errors[0].column == 2);
  CHECK_THAT(r.errors[0].message, Catch::Contains("after the closing quote"));
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[1].fields == Fields{"4", "5", "6"});
}

TEST_CASE("an unterminated quote reports the line it was opened on", "[csv]") {
  CsvParseResult r = ParseCsv("a,b\n1,2\n3,\"never closed\n4,5\n");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 3);
  CHECK(r.errors[0].column == 2);
  CHECK_THAT(r.errors[0].message, Catch::Contains("never closed"));
  CHECK(r.records.size() == 2);
}

TEST_CASE("the writer quotes only what needs it and round-trips", "[csv]") {
  CHECK(CsvField("plain") == "plain");
  CHECK(CsvField("a,b") == "\"a,b\"");
  CHECK(CsvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(CsvField("two\nlines") == "\"two\nlines\"");
  CHECK(CsvField(" padded") == "\" padded\"");
  const Fields fields = {"ТОО «А, Б»", "x\"y", "", "multi\r\nline", "end"};
  CsvParseResult r = ParseCsv(CsvLine(fields) + CsvLine({"1", "2", "3", "4", "5"}));
  REQUIRE(r.errors.empty());
  REQUIRE(r.records.size() == 2);
  CHECK(r.records[0].fields == fields);
  CHECK(r.records[1].line == 3);
}

TEST_CASE("records written with CRLF line ends read back with their line numbers", "[csv]") {
  const std::string text = CsvLine({"reference", "purpose"}, "\r\n") +
                           CsvLine({"P-1", "two\nlines"}, "\r\n") +
                           CsvLine({"P-2", "one line"}, "\r\n");
  CHECK(text.substr(0, 19) == "reference,purpose\r\n");
  CsvParseResult r = ParseCsv(text);
  REQUIRE(r.errors.empty());
  REQUIRE(r.records.size() == 3);
  CHECK(r.records[1].fields == Fields{"P-1", "two\nlines"});
  CHECK(r.records[2].line == 4);
}

}  // namespace
}  // namespace gridbill
