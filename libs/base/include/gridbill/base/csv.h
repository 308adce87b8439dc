// RFC 4180 CSV, the one reader and writer of the suite (imports, exports,
// gridbillctl, the demo files): a parser that reports errors by line and
// column instead of giving up on the file, and a writer that quotes only
// where needed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gridbill {

// One record of a CSV file.
struct CsvRecord {
  int line = 0;  // the physical line the record starts on, 1-based
  std::vector<std::string> fields;
};

// A record that could not be read; the parser skips to the next line.
struct CsvError {
  int line = 0;    // the physical line the record starts on
  int column = 0;  // the 1-based field number the error is in
  std::string message;
};

struct CsvParseResult {
  std::vector<CsvRecord> records;  // in file order
  std::vector<CsvError> errors;    // in file order
};

// Parses RFC 4180 text: fields separated by commas, records by CRLF or LF;
// a field in double quotes may hold commas, line breaks and doubled quotes.
// A UTF-8 byte order mark at the start and empty lines are skipped. A quote
// inside an unquoted field, text after a closing quote and a quoted field
// left open at the end of the file are errors of their record.
CsvParseResult ParseCsv(std::string_view text);

// `field` quoted when it holds a comma, a quote, a line break or leading or
// trailing spaces; otherwise unchanged.
std::string CsvField(std::string_view field);
// The fields as one CSV record ending in `eol` ("\r\n" where the reader
// expects RFC 4180's line end to the letter).
std::string CsvLine(const std::vector<std::string>& fields, std::string_view eol = "\n");

}  // namespace gridbill
