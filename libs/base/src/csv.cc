#include "gridbill/base/csv.h"

#include "absl/strings/str_cat.h"

namespace gridbill {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  CsvParseResult Run() {
    while (pos_ < text_.size()) {
      if (AtLineEnd()) {  // an empty line
        ConsumeLineEnd();
        continue;
      }
      ParseRecord();
    }
    return std::move(result_);
  }

 private:
  bool AtLineEnd() const { return text_[pos_] == '\n' || text_[pos_] == '\r'; }

  void ConsumeLineEnd() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  // Skips the rest of the physical line after an error.
  void SkipLine() {
    while (pos_ < text_.size() && !AtLineEnd()) ++pos_;
    if (pos_ < text_.size()) ConsumeLineEnd();
  }

  void Fail(int start_line, int column, std::string message) {
    result_.errors.push_back(CsvError{start_line, column, std::move(message)});
  }

  void ParseRecord() {
    const int start_line = line_;
    CsvRecord record;
    record.line = start_line;
    while (true) {
      const int column = static_cast<int>(record.fields.size()) + 1;
      std::string field;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        const int quote_line = line_;
        ++pos_;
        bool closed = false;
        while (pos_ < text_.size()) {
          const char c = text_[pos_];
          if (c == '"') {
            if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
              field.push_back('"');
              pos_ += 2;
              continue;
            }
            ++pos_;
            closed = true;
            break;
          }
          if (c == '\n') ++line_;
          field.push_back(c);
          ++pos_;
        }
        if (!closed) {
          Fail(start_line, column,
               absl::StrCat("quoted field opened on line ", quote_line, " is never closed"));
          return;
        }
        if (pos_ < text_.size() && text_[pos_] != ',' && !AtLineEnd()) {
          Fail(start_line, column,
               absl::StrCat("unexpected character '", std::string(1, text_[pos_]),
                            "' after the closing quote (a quote inside a quoted field is "
                            "written as \"\")"));
          SkipLine();
          return;
        }
      } else {
        while (pos_ < text_.size() && text_[pos_] != ',' && !AtLineEnd()) {
          if (text_[pos_] == '"') {
            Fail(start_line, column,
                 "quote inside an unquoted field (quote the whole field and double the quote)");
            SkipLine();
            return;
          }
          field.push_back(text_[pos_]);
          ++pos_;
        }
      }
      record.fields.push_back(std::move(field));
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size()) ConsumeLineEnd();
      break;
    }
    result_.records.push_back(std::move(record));
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  CsvParseResult result_;
};

}  // namespace

CsvParseResult ParseCsv(std::string_view text) { return Parser(text).Run(); }

std::string CsvField(std::string_view field) {
  const bool quote = field.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!quote) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string CsvLine(const std::vector<std::string>& fields, std::string_view eol) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += CsvField(fields[i]);
  }
  out.append(eol);
  return out;
}

}  // namespace gridbill
