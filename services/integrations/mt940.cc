#include "mt940.h"

#include <cctype>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gridbill::integrations {
namespace {

struct Tag {
  std::string name;
  std::string value;
  int line = 0;
};

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

absl::StatusOr<absl::CivilDay> Yymmdd(absl::string_view s, int line, absl::string_view what) {
  int v = 0;
  if (s.size() != 6 || !AllDigits(s) || !absl::SimpleAtoi(s, &v)) {
    return BadLine(line, absl::StrCat(what, " \"", s, "\" is not a date YYMMDD"));
  }
  const int y = 2000 + v / 10000, m = v / 100 % 100, d = v % 100;
  const absl::CivilDay day(y, m, d);
  if (day.month() != m || day.day() != d) {
    return BadLine(line, absl::StrCat(what, " \"", s, "\" is not a date"));
  }
  return day;
}

// "C261001KZT1000,00" -> signed tiyn.
absl::StatusOr<int64_t> Balance(const Tag& t) {
  absl::string_view v = absl::StripAsciiWhitespace(t.value);
  if (v.size() < 11 || (v[0] != 'C' && v[0] != 'D')) {
    return BadLine(
        t.line, absl::StrCat(":", t.name, ": \"", v, "\" is not <C|D><YYMMDD><currency><amount>"));
  }
  absl::StatusOr<absl::CivilDay> day =
      Yymmdd(v.substr(1, 6), t.line, absl::StrCat(":", t.name, ": date"));
  if (!day.ok()) return day.status();
  for (char c : v.substr(7, 3)) {
    if (!std::isupper(static_cast<unsigned char>(c))) {
      return BadLine(
          t.line, absl::StrCat(":", t.name, ": \"", v.substr(7, 3), "\" is not a currency code"));
    }
  }
  absl::StatusOr<int64_t> amount = ParseAmountTiyn(v.substr(10));
  if (!amount.ok())
    return BadLine(t.line, absl::StrCat(":", t.name, ": ", amount.status().message()));
  return v[0] == 'D' ? -*amount : *amount;
}

struct Entry {
  bool credit = false;
  int64_t amount = 0;
  absl::CivilDay value_date;
  std::string customer_ref;
  std::string bank_ref;
};

absl::StatusOr<Entry> ParseEntry(const Tag& t) {
  absl::string_view first = t.value;
  if (size_t nl = first.find('\n'); nl != absl::string_view::npos) first = first.substr(0, nl);
  first = absl::StripAsciiWhitespace(first);
  Entry e;
  if (first.size() < 6) return BadLine(t.line, ":61: is shorter than a value date");
  absl::StatusOr<absl::CivilDay> vd = Yymmdd(first.substr(0, 6), t.line, ":61: value date");
  if (!vd.ok()) return vd.status();
  e.value_date = *vd;
  size_t p = 6;
  if (first.size() >= p + 4 && AllDigits(first.substr(p, 4))) p += 4;  // entry date
  absl::string_view rest = first.substr(p);
  if (rest.substr(0, 2) == "RC") {
    e.credit = false;
    p += 2;
  } else if (rest.substr(0, 2) == "RD") {
    e.credit = true;
    p += 2;
  } else if (!rest.empty() && (rest[0] == 'C' || rest[0] == 'D')) {
    e.credit = rest[0] == 'C';
    p += 1;
  } else {
    return BadLine(t.line,
                   absl::StrCat(":61: \"", rest.substr(0, 8), "\" is not a mark C, D, RC or RD"));
  }
  // An optional funds code (the third letter of the currency), then the amount.
  if (p < first.size() && std::isalpha(static_cast<unsigned char>(first[p]))) ++p;
  size_t a = p;
  while (a < first.size() &&
         (std::isdigit(static_cast<unsigned char>(first[a])) || first[a] == ','))
    ++a;
  absl::StatusOr<int64_t> amount = ParseAmountTiyn(first.substr(p, a - p));
  if (!amount.ok()) return BadLine(t.line, absl::StrCat(":61: ", amount.status().message()));
  if (*amount <= 0) return BadLine(t.line, ":61: the amount must be positive");
  e.amount = *amount;
  absl::string_view type = first.substr(a);
  if (type.size() < 4 || (type[0] != 'N' && type[0] != 'F' && type[0] != 'S')) {
    return BadLine(t.line,
                   absl::StrCat(":61: \"", type.substr(0, 4),
                                "\" is not a transaction type (N, F or S and 3 characters)"));
  }
  absl::string_view refs = type.substr(4);
  if (size_t sl = refs.find("//"); sl != absl::string_view::npos) {
    e.customer_ref = std::string(refs.substr(0, sl));
    e.bank_ref = std::string(absl::StripAsciiWhitespace(refs.substr(sl + 2)));
  } else {
    e.customer_ref = std::string(refs);
  }
  if (e.customer_ref.empty())
    return BadLine(t.line, ":61: no customer reference (NONREF when none)");
  return e;
}

// Value of a "/KEY/value" subfield of :86:, or "".
std::string Subfield(absl::string_view info, absl::string_view key) {
  const std::string mark = absl::StrCat("/", key, "/");
  size_t p = info.find(mark);
  if (p == absl::string_view::npos) return "";
  p += mark.size();
  size_t end = info.find_first_of("/\n ", p);
  return std::string(absl::StripAsciiWhitespace(
      info.substr(p, end == absl::string_view::npos ? absl::string_view::npos : end - p)));
}

class Message {
 public:
  absl::Status Add(Tag t, Statement& st) {
    if (t.name == "20") {
      if (!reference_.empty()) return BadLine(t.line, ":20: given twice in one message");
      reference_ = std::string(absl::StripAsciiWhitespace(t.value));
      if (reference_.empty()) return BadLine(t.line, ":20: is empty");
    } else if (t.name == "25") {
      account_ = std::string(absl::StripAsciiWhitespace(t.value));
      if (account_.empty()) return BadLine(t.line, ":25: is empty");
      if (st.account.empty()) st.account = account_;
    } else if (t.name == "60F" || t.name == "60M") {
      absl::StatusOr<int64_t> b = Balance(t);
      if (!b.ok()) return b.status();
      opening_ = *b;
    } else if (t.name == "61") {
      if (!opening_) return BadLine(t.line, ":61: before the opening balance :60F:");
      absl::StatusOr<Entry> e = ParseEntry(t);
      if (!e.ok()) return e.status();
      moved_ += e->credit ? e->amount : -e->amount;
      ++lines_;
      if (!e->credit) {
        ++st.debit_lines;
        last_ = -1;
        return absl::OkStatus();
      }
      StatementPayment p;
      p.line = t.line;
      p.value_date = e->value_date;
      p.amount_tiyn = e->amount;
      p.reference = e->bank_ref.empty() || e->bank_ref == "NONREF"
                        ? absl::StrCat("MT940/", account_, "/", reference_, "/", lines_)
                        : absl::StrCat("MT940/", account_, "/", e->bank_ref);
      st.payments.push_back(std::move(p));
      last_ = static_cast<int>(st.payments.size()) - 1;
    } else if (t.name == "86") {
      if (last_ >= 0) {
        StatementPayment& p = st.payments[static_cast<size_t>(last_)];
        std::string info = t.value;
        for (char& c : info) {
          if (c == '\n') c = ' ';
        }
        p.payer_bin = Subfield(t.value, "BIN");
        if (p.payer_bin.empty()) p.payer_bin = BinIn(info);
        if (!p.payer_bin.empty() && (p.payer_bin.size() != 12 || !AllDigits(p.payer_bin))) {
          return BadLine(t.line,
                         absl::StrCat(":86: /BIN/ \"", p.payer_bin, "\" is not a 12-digit BIN"));
        }
        p.contract_number = Subfield(t.value, "CNTR");
        if (p.contract_number.empty()) p.contract_number = ContractNumberIn(info);
        p.purpose = std::string(absl::StripAsciiWhitespace(info));
        last_ = -1;
      }
    } else if (t.name == "62F" || t.name == "62M") {
      absl::StatusOr<int64_t> b = Balance(t);
      if (!b.ok()) return b.status();
      if (!opening_) return BadLine(t.line, ":62F: without an opening balance :60F:");
      if (*opening_ + moved_ != *b) {
        return BadLine(t.line,
                       absl::StrCat(":62F: closing balance is not the opening balance plus the ",
                                    lines_, " entries"));
      }
      closed_ = true;
    }
    // Other tags (:28C:, :64:, :65:, :21:, :13D:, :34F:) carry nothing imported.
    return absl::OkStatus();
  }

  absl::Status Finish(int line) const {
    if (reference_.empty()) return BadLine(line, "the message has no :20:");
    if (account_.empty()) return BadLine(line, "the message has no :25:");
    if (!closed_) return BadLine(line, "the message has no closing balance :62F:");
    return absl::OkStatus();
  }
  bool started() const { return !reference_.empty() || opening_.has_value(); }

 private:
  std::string reference_;
  std::string account_;
  std::optional<int64_t> opening_;
  int64_t moved_ = 0;
  int lines_ = 0;
  int last_ = -1;
  bool closed_ = false;
};

}  // namespace

absl::StatusOr<Statement> ParseMt940(absl::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  Statement st;
  st.format = "mt940";
  std::optional<Message> msg;
  std::optional<Tag> tag;
  int messages = 0;
  auto flush_tag = [&]() -> absl::Status {
    if (!tag) return absl::OkStatus();
    if (!msg) msg.emplace();
    absl::Status s = msg->Add(*std::move(tag), st);
    tag.reset();
    return s;
  };
  auto end_message = [&](int line) -> absl::Status {
    if (absl::Status s = flush_tag(); !s.ok()) return s;
    if (!msg) return absl::OkStatus();
    if (absl::Status s = msg->Finish(line); !s.ok()) return s;
    msg.reset();
    ++messages;
    return absl::OkStatus();
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    absl::string_view line = lines[i];
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    for (char c : line) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x20 && c != '\t') return BadLine(n, "a control character");
    }
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty()) continue;
    if (trimmed[0] == '{') {
      // SWIFT header blocks; the text block {4: opens a message.
      size_t b4 = trimmed.find("{4:");
      if (b4 == absl::string_view::npos) continue;
      if (absl::Status s = end_message(n); !s.ok()) return s;
      trimmed = trimmed.substr(b4 + 3);
      if (trimmed.empty()) continue;
      line = trimmed;
    }
    if (trimmed == "-}" || trimmed == "-") {
      if (absl::Status s = end_message(n); !s.ok()) return s;
      continue;
    }
    if (line[0] == ':') {
      size_t close = line.find(':', 1);
      if (close == absl::string_view::npos || close < 3 || close > 5) {
        return BadLine(n, absl::StrCat("\"", line.substr(0, 8), "\" is not a tag :NN:"));
      }
      absl::string_view name = line.substr(1, close - 1);
      if (!std::isdigit(static_cast<unsigned char>(name[0])) ||
          !std::isdigit(static_cast<unsigned char>(name[1]))) {
        return BadLine(n, absl::StrCat("\"", name, "\" is not a tag name"));
      }
      if (absl::Status s = flush_tag(); !s.ok()) return s;
      if (name == "20" && msg && msg->started()) {
        if (absl::Status s = end_message(n); !s.ok()) return s;
      }
      tag = Tag{std::string(name), std::string(line.substr(close + 1)), n};
      continue;
    }
    if (!tag) return BadLine(n, "text outside a tag");
    absl::StrAppend(&tag->value, "\n", line);
  }
  if (absl::Status s = end_message(static_cast<int>(lines.size())); !s.ok()) return s;
  if (messages == 0) return BadLine(1, "no MT940 message (:20: ... :62F:) in the file");
  return st;
}

}  // namespace gridbill::integrations
