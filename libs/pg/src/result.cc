#include "gridbill/pg/result.h"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "string_view.h"

namespace gridbill::pg {
namespace {

// Reads 1..18 decimal digits; at most `max_digits` when non-zero.
bool Digits(std::string_view& s, int64_t* out, size_t max_digits = 0) {
  const size_t limit = max_digits != 0 ? max_digits : 19;
  size_t n = 0;
  int64_t v = 0;
  while (n < s.size() && n < limit && absl::ascii_isdigit(static_cast<unsigned char>(s[n]))) {
    v = v * 10 + (s[n] - '0');
    ++n;
  }
  if (n == 0 || n > 18) return false;
  *out = v;
  s.remove_prefix(n);
  return true;
}

bool Char(std::string_view& s, char c) {
  if (s.empty() || s[0] != c) return false;
  s.remove_prefix(1);
  return true;
}

// "YYYY-MM-DD" (4+ digit year); the year is returned as written (BC is a
// suffix, handled by the callers).
bool ParseYmd(std::string_view& s, int64_t* y, int64_t* m, int64_t* d) {
  return Digits(s, y) && Char(s, '-') && Digits(s, m, 2) && Char(s, '-') && Digits(s, d, 2);
}

bool ConsumeBc(std::string_view& s) {
  if (absl::EndsWith(Av(s), " BC")) {
    s.remove_suffix(3);
    return true;
  }
  return false;
}

// PostgreSQL's ISO output, e.g. "2024-02-29 12:34:56.123456+00",
// "2024-03-01 05:00:00+05:30:15", "0044-03-15 00:00:00+00 BC" or, for a
// timestamp without time zone, no offset (read as UTC).
bool ParseTimestamp(std::string_view s, absl::Time* out) {
  if (s == "infinity") {
    *out = absl::InfiniteFuture();
    return true;
  }
  if (s == "-infinity") {
    *out = absl::InfinitePast();
    return true;
  }
  bool bc = ConsumeBc(s);
  int64_t y, mo, d, h, mi, sec;
  if (!ParseYmd(s, &y, &mo, &d)) return false;
  if (!(Char(s, ' ') || Char(s, 'T'))) return false;
  if (!(Digits(s, &h, 2) && Char(s, ':') && Digits(s, &mi, 2) && Char(s, ':') &&
        Digits(s, &sec, 2))) {
    return false;
  }
  int64_t nanos = 0;
  if (Char(s, '.')) {
    int digits = 0;
    while (!s.empty() && absl::ascii_isdigit(static_cast<unsigned char>(s[0]))) {
      if (digits < 9) nanos = nanos * 10 + (s[0] - '0');
      ++digits;
      s.remove_prefix(1);
    }
    if (digits == 0) return false;
    for (int i = digits; i < 9; ++i) nanos *= 10;
  }
  int64_t offset = 0;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    int sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
    int64_t oh = 0, om = 0, os = 0;
    if (!Digits(s, &oh, 2)) return false;
    if (Char(s, ':')) {
      if (!Digits(s, &om, 2)) return false;
      if (Char(s, ':') && !Digits(s, &os, 2)) return false;
    }
    offset = sign * (oh * 3600 + om * 60 + os);
  } else if (Char(s, 'Z')) {
    offset = 0;
  }
  if (!s.empty()) return false;
  if (bc) y = 1 - y;  // 1 BC is year 0
  absl::CivilSecond cs(y, mo, d, h, mi, sec);
  *out =
      absl::FromCivil(cs, absl::UTCTimeZone()) - absl::Seconds(offset) + absl::Nanoseconds(nanos);
  return true;
}

bool ParseDate(std::string_view s, absl::CivilDay* out) {
  if (s == "infinity") {
    *out = absl::CivilDay::max();
    return true;
  }
  if (s == "-infinity") {
    *out = absl::CivilDay::min();
    return true;
  }
  bool bc = ConsumeBc(s);
  int64_t y, m, d;
  if (!ParseYmd(s, &y, &m, &d) || !s.empty()) return false;
  if (bc) y = 1 - y;
  *out = absl::CivilDay(y, m, d);
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Array output: "{a,\"b c\",NULL}", nested braces flattened, an optional
// "[lo:hi]=" dimension prefix skipped.
class ArrayParser {
 public:
  explicit ArrayParser(std::string_view s) : s_(s) {}

  bool Parse(std::vector<std::optional<std::string>>* out) {
    if (!s_.empty() && s_[0] == '[') {
      size_t eq = s_.find('=');
      if (eq == std::string_view::npos) return false;
      s_.remove_prefix(eq + 1);
    }
    SkipSpace();
    if (!ParseArray(out)) return false;
    SkipSpace();
    return s_.empty();
  }

 private:
  void SkipSpace() {
    while (!s_.empty() && absl::ascii_isspace(static_cast<unsigned char>(s_[0]))) {
      s_.remove_prefix(1);
    }
  }

  bool ParseArray(std::vector<std::optional<std::string>>* out) {
    if (!Char(s_, '{')) return false;
    SkipSpace();
    if (Char(s_, '}')) return true;
    while (true) {
      SkipSpace();
      if (s_.empty()) return false;
      if (s_[0] == '{') {
        if (!ParseArray(out)) return false;
      } else if (!ParseElement(out)) {
        return false;
      }
      SkipSpace();
      if (Char(s_, ',')) continue;
      if (Char(s_, '}')) return true;
      return false;
    }
  }

  bool ParseElement(std::vector<std::optional<std::string>>* out) {
    std::string value;
    if (Char(s_, '"')) {
      while (true) {
        if (s_.empty()) return false;
        char c = s_[0];
        s_.remove_prefix(1);
        if (c == '"') break;
        if (c == '\\') {
          if (s_.empty()) return false;
          c = s_[0];
          s_.remove_prefix(1);
        }
        value.push_back(c);
      }
      out->emplace_back(std::move(value));
      return true;
    }
    bool escaped = false;
    size_t trailing_space_from = 0;
    while (!s_.empty() && s_[0] != ',' && s_[0] != '}') {
      char c = s_[0];
      s_.remove_prefix(1);
      if (c == '\\') {
        if (s_.empty()) return false;
        c = s_[0];
        s_.remove_prefix(1);
        escaped = true;
        value.push_back(c);
        trailing_space_from = value.size();
        continue;
      }
      value.push_back(c);
      if (!absl::ascii_isspace(static_cast<unsigned char>(c))) trailing_space_from = value.size();
    }
    value.resize(trailing_space_from);
    if (!escaped && absl::EqualsIgnoreCase(value, "NULL")) {
      out->emplace_back(std::nullopt);
    } else {
      out->emplace_back(std::move(value));
    }
    return true;
  }

  std::string_view s_;
};

}  // namespace

void Result::Deleter::operator()(pg_result* r) const { PQclear(r); }

Result::Result(pg_result* res) : res_(res) {}

int Result::size() const { return res_ ? PQntuples(res_.get()) : 0; }

int64_t Result::affected() const {
  if (!res_) return 0;
  int64_t n = 0;
  return absl::SimpleAtoi(PQcmdTuples(res_.get()), &n) ? n : 0;
}

int Result::Column(std::string_view name) const {
  // Matched exactly, without PQfnumber's case folding, and without its
  // copy of the name: rows are read by name field by field.
  const int n = res_ ? PQnfields(res_.get()) : 0;
  int col = -1;
  for (int i = 0; i < n && col < 0; ++i) {
    if (name == PQfname(res_.get(), i)) col = i;
  }
  if (col < 0) {
    std::fprintf(stderr, "gridbill::pg: the result has no column \"%.*s\"\n",
                 static_cast<int>(name.size()), name.data());
    std::abort();
  }
  return col;
}

int Row::Col(std::string_view name) const { return result_->Column(name); }

bool Row::IsNull(int col) const { return PQgetisnull(result_->raw(), row_, col) != 0; }

std::string_view Row::Text(int col) const {
  pg_result* r = result_->raw();
  return std::string_view(PQgetvalue(r, row_, col), PQgetlength(r, row_, col));
}

std::optional<std::string> Row::OptionalString(int col) const {
  if (IsNull(col)) return std::nullopt;
  return String(col);
}

int64_t Row::Int(int col) const {
  int64_t v = 0;
  return absl::SimpleAtoi(Av(Text(col)), &v) ? v : 0;
}

std::optional<int64_t> Row::OptionalInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

bool Row::Bool(int col) const {
  std::string_view t = Text(col);
  return t == "t" || t == "true";
}

double Row::Double(int col) const {
  double v = 0;
  return absl::SimpleAtod(Av(Text(col)), &v) ? v : 0;
}

absl::Time Row::Time(int col) const {
  absl::Time t;
  return ParseTimestamp(Text(col), &t) ? t : absl::Time();
}

std::optional<absl::Time> Row::OptionalTime(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Time(col);
}

absl::CivilDay Row::Date(int col) const {
  absl::CivilDay d;
  return ParseDate(Text(col), &d) ? d : absl::CivilDay();
}

std::optional<absl::CivilDay> Row::OptionalDate(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Date(col);
}

std::string Row::Bytes(int col) const {
  std::string_view t = Text(col);
  std::string out;
  if (absl::StartsWith(Av(t), "\\x")) {
    t.remove_prefix(2);
    out.reserve(t.size() / 2);
    for (size_t i = 0; i + 1 < t.size(); i += 2) {
      int hi = HexValue(t[i]);
      int lo = HexValue(t[i + 1]);
      if (hi < 0 || lo < 0) return std::string();
      out.push_back(static_cast<char>(hi << 4 | lo));
    }
    return out;
  }
  // The legacy escape format, should a server be configured for it.
  size_t len = 0;
  unsigned char* raw =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(std::string(t).c_str()), &len);
  if (raw == nullptr) return out;
  out.assign(reinterpret_cast<const char*>(raw), len);
  PQfreemem(raw);
  return out;
}

std::vector<std::optional<std::string>> Row::NullableTextArray(int col) const {
  std::vector<std::optional<std::string>> out;
  if (IsNull(col)) return out;
  if (!ArrayParser(Text(col)).Parse(&out)) out.clear();
  return out;
}

std::vector<std::string> Row::TextArray(int col) const {
  std::vector<std::string> out;
  for (auto& v : NullableTextArray(col)) out.push_back(v ? std::move(*v) : std::string());
  return out;
}

}  // namespace gridbill::pg
