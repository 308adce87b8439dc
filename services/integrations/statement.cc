#include "statement.h"

#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/base/csv.h"

namespace gridbill::integrations {

absl::Status BadLine(int line, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", reason));
}

absl::StatusOr<int64_t> ParseAmountTiyn(absl::string_view text) {
  absl::string_view t = absl::StripAsciiWhitespace(text);
  if (t.empty()) return absl::InvalidArgumentError("empty amount");
  int64_t whole = 0;
  int64_t cents = 0;
  int decimals = -1;
  int digits = 0;
  for (char c : t) {
    if (c == '.' || c == ',') {
      if (decimals >= 0) return absl::InvalidArgumentError(absl::StrCat("bad amount \"", t, "\""));
      decimals = 0;
      continue;
    }
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError(absl::StrCat("bad amount \"", t, "\""));
    }
    if (decimals >= 0) {
      if (++decimals > 2) {
        return absl::InvalidArgumentError(
            absl::StrCat("amount \"", t, "\" has more than 2 decimals"));
      }
      cents = cents * 10 + (c - '0');
    } else {
      if (++digits > 15)
        return absl::InvalidArgumentError(absl::StrCat("amount \"", t, "\" too large"));
      whole = whole * 10 + (c - '0');
    }
  }
  if (digits == 0) return absl::InvalidArgumentError(absl::StrCat("bad amount \"", t, "\""));
  if (decimals == 1) cents *= 10;
  return whole * 100 + cents;
}

namespace {

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '/' || c == '_' ||
         (static_cast<unsigned char>(c) >= 0x80);
}

std::string WordAt(absl::string_view text, size_t pos) {
  while (pos < text.size() && (text[pos] == ' ' || text[pos] == '.' || text[pos] == ':')) ++pos;
  size_t end = pos;
  while (end < text.size() && IsWordChar(text[end])) ++end;
  std::string w(text.substr(pos, end - pos));
  while (!w.empty() && (w.back() == '/' || w.back() == '-')) w.pop_back();
  return w;
}

}  // namespace

std::string ContractNumberIn(absl::string_view purpose) {
  // "№" is E2 84 96 in UTF-8.
  for (absl::string_view mark : {absl::string_view("\xE2\x84\x96"), absl::string_view("/CNTR/")}) {
    size_t p = purpose.find(mark);
    if (p != absl::string_view::npos) {
      std::string w = WordAt(purpose, p + mark.size());
      if (!w.empty()) return w;
    }
  }
  // "No", "No." or "N" as a word of its own, followed by a word with a digit.
  for (size_t p = 0; p < purpose.size(); ++p) {
    if (p > 0 && IsWordChar(purpose[p - 1])) continue;
    size_t len = 0;
    if (purpose.substr(p, 2) == "No")
      len = 2;
    else if (purpose[p] == 'N')
      len = 1;
    if (len == 0) continue;
    size_t after = p + len;
    if (after < purpose.size() && IsWordChar(purpose[after])) continue;
    std::string w = WordAt(purpose, after);
    bool digit = false;
    for (char c : w) digit = digit || std::isdigit(static_cast<unsigned char>(c));
    if (digit) return w;
  }
  return "";
}

std::string BinIn(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    if (j - i == 12) return std::string(text.substr(i, 12));
    i = j;
  }
  return "";
}

std::string PaymentsCsv(const Statement& statement) {
  std::string out = "reference,value_date,payer_bin,contract_number,amount,purpose\n";
  for (const StatementPayment& p : statement.payments) {
    std::vector<std::string> row = {
        p.reference,
        absl::FormatCivilTime(p.value_date),
        p.payer_bin,
        p.contract_number,
        absl::StrFormat("%d.%02d", p.amount_tiyn / 100, p.amount_tiyn % 100),
        p.purpose};
    out += CsvLine(row);
  }
  return out;
}

}  // namespace gridbill::integrations
