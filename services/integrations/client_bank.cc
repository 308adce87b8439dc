#include "client_bank.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "encoding.h"

namespace gridbill::integrations {
namespace {

struct Field {
  std::string value;
  int line = 0;
};
using Fields = std::map<std::string, Field, std::less<>>;

// dd.mm.yyyy
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text, int line, absl::string_view key) {
  int d = 0, m = 0, y = 0;
  std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  if (parts.size() != 3 || parts[0].size() != 2 || parts[1].size() != 2 || parts[2].size() != 4 ||
      !absl::SimpleAtoi(parts[0], &d) || !absl::SimpleAtoi(parts[1], &m) ||
      !absl::SimpleAtoi(parts[2], &y)) {
    return BadLine(line, absl::StrCat(key, " \"", text, "\" is not a date dd.mm.yyyy"));
  }
  const absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d || y < 1990 || y > 2200) {
    return BadLine(line, absl::StrCat(key, " \"", text, "\" is not a date"));
  }
  return day;
}

absl::string_view Get(const Fields& f, absl::string_view key) {
  auto it = f.find(key);
  return it == f.end() ? absl::string_view() : absl::string_view(it->second.value);
}
int LineOf(const Fields& f, absl::string_view key, int fallback) {
  auto it = f.find(key);
  return it == f.end() ? fallback : it->second.line;
}

absl::StatusOr<int64_t> Amount(const Fields& f, absl::string_view key, int fallback_line) {
  absl::StatusOr<int64_t> v = ParseAmountTiyn(Get(f, key));
  if (!v.ok()) {
    return BadLine(LineOf(f, key, fallback_line), absl::StrCat(key, ": ", v.status().message()));
  }
  return *v;
}

// Opening + credits - debits = closing, when the bank gave all four.
absl::Status CheckAccountSection(const Fields& f, int end_line) {
  for (absl::string_view k :
       {"НачальныйОстаток", "ВсегоПоступило", "ВсегоСписано", "КонечныйОстаток"}) {
    if (Get(f, k).empty()) return absl::OkStatus();
  }
  // Balances may be negative (an overdraft): strip one leading '-'.
  auto signed_amount = [&](absl::string_view key) -> absl::StatusOr<int64_t> {
    absl::string_view v = absl::StripAsciiWhitespace(Get(f, key));
    const bool negative = !v.empty() && v[0] == '-';
    if (negative) v.remove_prefix(1);
    absl::StatusOr<int64_t> a = ParseAmountTiyn(v);
    if (!a.ok()) {
      return BadLine(LineOf(f, key, end_line), absl::StrCat(key, ": ", a.status().message()));
    }
    return negative ? -*a : *a;
  };
  absl::StatusOr<int64_t> open = signed_amount("НачальныйОстаток");
  if (!open.ok()) return open.status();
  absl::StatusOr<int64_t> in = signed_amount("ВсегоПоступило");
  if (!in.ok()) return in.status();
  absl::StatusOr<int64_t> out = signed_amount("ВсегоСписано");
  if (!out.ok()) return out.status();
  absl::StatusOr<int64_t> close = signed_amount("КонечныйОстаток");
  if (!close.ok()) return close.status();
  if (*open + *in - *out != *close) {
    return BadLine(LineOf(f, "КонечныйОстаток", end_line),
                   absl::StrCat("КонечныйОстаток ", Get(f, "КонечныйОстаток"),
                                " is not НачальныйОстаток + ВсегоПоступило - ВсегоСписано"));
  }
  return absl::OkStatus();
}

absl::Status AddDocument(const Fields& f, int start_line, int end_line, Statement& st) {
  for (absl::string_view k : {"Номер", "Дата", "Сумма"}) {
    if (Get(f, k).empty()) {
      return BadLine(start_line, absl::StrCat("the document has no ", k));
    }
  }
  absl::StatusOr<absl::CivilDay> date =
      ParseDate(Get(f, "Дата"), LineOf(f, "Дата", start_line), "Дата");
  if (!date.ok()) return date.status();
  absl::StatusOr<int64_t> amount = Amount(f, "Сумма", start_line);
  if (!amount.ok()) return amount.status();
  if (*amount <= 0) return BadLine(LineOf(f, "Сумма", start_line), "Сумма must be positive");

  bool credit = false;
  if (!Get(f, "ДатаПоступило").empty()) {
    credit = true;
  } else if (!Get(f, "ДатаСписано").empty()) {
    credit = false;
  } else if (!st.account.empty() && Get(f, "ПолучательСчет") == st.account) {
    credit = true;
  } else if (!st.account.empty() && Get(f, "ПлательщикСчет") == st.account) {
    credit = false;
  } else {
    return BadLine(start_line,
                   "the document has neither ДатаПоступило nor ДатаСписано, and names no "
                   "account of the statement");
  }
  if (!credit) {
    ++st.debit_lines;
    return absl::OkStatus();
  }
  StatementPayment p;
  p.line = start_line;
  p.value_date = *date;
  if (!Get(f, "ДатаПоступило").empty()) {
    absl::StatusOr<absl::CivilDay> in =
        ParseDate(Get(f, "ДатаПоступило"), LineOf(f, "ДатаПоступило", start_line), "ДатаПоступило");
    if (!in.ok()) return in.status();
    p.value_date = *in;
  }
  for (absl::string_view k : {"ПлательщикБИН", "ПлательщикИИНБИН", "ПлательщикИНН"}) {
    absl::string_view v = absl::StripAsciiWhitespace(Get(f, k));
    if (v.empty()) continue;
    if (v.size() != 12 ||
        !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return BadLine(LineOf(f, k, start_line),
                     absl::StrCat(k, " \"", v, "\" is not a 12-digit BIN"));
    }
    p.payer_bin = std::string(v);
    break;
  }
  p.amount_tiyn = *amount;
  p.purpose = std::string(Get(f, "НазначениеПлатежа"));
  p.contract_number = ContractNumberIn(p.purpose);
  p.reference = absl::StrCat("1C/", Get(f, "ПлательщикСчет"), "/", Get(f, "Номер"), "/",
                             absl::FormatCivilTime(*date));
  (void)end_line;
  st.payments.push_back(std::move(p));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Statement> ParseClientBank(absl::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  std::string text;
  if (IsUtf8(bytes)) {
    text = std::string(bytes);
  } else {
    absl::StatusOr<std::string> utf8 = ToUtf8(bytes, "CP1251");
    if (!utf8.ok()) return utf8.status();
    text = *std::move(utf8);
    if (bytes.find("=DOS\r") != absl::string_view::npos ||
        bytes.find("=DOS\n") != absl::string_view::npos) {
      utf8 = ToUtf8(bytes, "CP866");
      if (!utf8.ok()) return utf8.status();
      text = *std::move(utf8);
    }
  }
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  Statement st;
  st.format = "1c";
  enum class In { kHeader, kAccount, kDocument, kEnd } in = In::kHeader;
  Fields fields;
  int section_line = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    absl::string_view line = lines[i];
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (i == 0) {
      if (absl::StripAsciiWhitespace(line) != "1CClientBankExchange") {
        return BadLine(1, "the file does not start with 1CClientBankExchange");
      }
      continue;
    }
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    if (in == In::kEnd) return BadLine(n, "text after КонецФайла");
    const size_t eq = line.find('=');
    const absl::string_view key = absl::StripAsciiWhitespace(line.substr(0, eq));
    const absl::string_view value =
        eq == absl::string_view::npos ? absl::string_view() : line.substr(eq + 1);
    if (key == "КонецФайла") {
      if (in != In::kHeader) return BadLine(n, "КонецФайла inside a section");
      in = In::kEnd;
      continue;
    }
    if (key == "СекцияРасчСчет" || key == "СекцияДокумент") {
      if (in != In::kHeader) {
        return BadLine(n, absl::StrCat(key, " inside a section opened on line ", section_line));
      }
      in = key == "СекцияРасчСчет" ? In::kAccount : In::kDocument;
      fields.clear();
      section_line = n;
      continue;
    }
    if (key == "КонецРасчСчет") {
      if (in != In::kAccount) return BadLine(n, "КонецРасчСчет without СекцияРасчСчет");
      if (absl::Status s = CheckAccountSection(fields, n); !s.ok()) return s;
      if (st.account.empty()) st.account = std::string(Get(fields, "РасчСчет"));
      in = In::kHeader;
      continue;
    }
    if (key == "КонецДокумента") {
      if (in != In::kDocument) return BadLine(n, "КонецДокумента without СекцияДокумент");
      if (absl::Status s = AddDocument(fields, section_line, n, st); !s.ok()) return s;
      in = In::kHeader;
      continue;
    }
    if (eq == absl::string_view::npos) {
      return BadLine(n, absl::StrCat("\"", line.substr(0, 40), "\" is not key=value"));
    }
    if (key.empty()) return BadLine(n, "a value without a key");
    if (in == In::kHeader) {
      if (key == "РасчСчет" && st.account.empty()) st.account = std::string(value);
      continue;
    }
    if (fields.count(key) > 0 && key != "НазначениеПлатежа") {
      return BadLine(
          n, absl::StrCat(key, " given twice in the section opened on line ", section_line));
    }
    fields[std::string(key)] = Field{std::string(value), n};
  }
  if (lines.empty()) return BadLine(1, "the file is empty");
  if (in == In::kAccount || in == In::kDocument) {
    return BadLine(section_line, "the section is not closed before the end of the file");
  }
  if (in != In::kEnd) {
    return BadLine(static_cast<int>(lines.size()), "the file ends without КонецФайла");
  }
  return st;
}

}  // namespace gridbill::integrations
