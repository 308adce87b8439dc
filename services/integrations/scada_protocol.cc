#include "scada_protocol.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "statement.h"

namespace gridbill::integrations {
namespace {

std::vector<absl::string_view> Fields(absl::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return absl::StrSplit(line, ' ', absl::SkipEmpty());
}

}  // namespace

absl::StatusOr<std::string> ParseScadaHello(absl::string_view line, int line_no) {
  std::vector<absl::string_view> f = Fields(line);
  if (f.empty() || f[0] != "HELLO")
    return BadLine(line_no, "the first line must be HELLO <stream>");
  if (f.size() < 2 || f.size() > 3)
    return BadLine(line_no, "HELLO takes a stream name and an optional version");
  if (f.size() == 3 && f[2] != "1") {
    return BadLine(line_no, absl::StrCat("protocol version ", f[2], " is not supported (1 is)"));
  }
  for (char c : f[1]) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return BadLine(line_no, "the stream name takes letters, digits, '-', '_' and '.' only");
    }
  }
  if (f[1].size() > 64) return BadLine(line_no, "the stream name is longer than 64 characters");
  return std::string(f[1]);
}

absl::StatusOr<std::optional<ScadaValue>> ParseScadaLine(absl::string_view line, int line_no) {
  absl::string_view t = absl::StripAsciiWhitespace(line);
  if (t.empty() || t[0] == '#') return std::optional<ScadaValue>();
  std::vector<absl::string_view> f = Fields(t);
  if (f.size() < 5 || f.size() > 7) {
    return BadLine(line_no, absl::StrCat("expected <seq> <point> <channel> <interval start> <Wh> "
                                         "[<quality>] [<status>], got ",
                                         f.size(), " fields"));
  }
  ScadaValue v;
  if (!absl::SimpleAtoi(f[0], &v.seq) || v.seq <= 0) {
    return BadLine(line_no,
                   absl::StrCat("seq \"", f[0].substr(0, 24), "\" is not a positive integer"));
  }
  v.point_code = std::string(f[1]);
  if (v.point_code.size() > 64)
    return BadLine(line_no, "the point code is longer than 64 characters");
  if (!absl::SimpleAtoi(f[2], &v.channel) || v.channel < 1 || v.channel > 4) {
    return BadLine(line_no, absl::StrCat("channel \"", f[2].substr(0, 8), "\" is not 1..4"));
  }
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(f[3]), &v.interval_start, &err) ||
      f[3].find_first_of("Zz+-", 10) == absl::string_view::npos) {
    return BadLine(line_no, absl::StrCat("interval start \"", f[3].substr(0, 40),
                                         "\" is not RFC 3339 with an offset"));
  }
  if (v.interval_start < absl::FromCivil(absl::CivilSecond(2000, 1, 1), absl::UTCTimeZone()) ||
      v.interval_start >= absl::FromCivil(absl::CivilSecond(2100, 1, 1), absl::UTCTimeZone())) {
    return BadLine(
        line_no, absl::StrCat("interval start \"", f[3].substr(0, 40), "\" is outside 2000..2099"));
  }
  if (!absl::SimpleAtoi(f[4], &v.value_wh) || v.value_wh < 0) {
    return BadLine(line_no,
                   absl::StrCat("value \"", f[4].substr(0, 24), "\" is not an integer Wh >= 0"));
  }
  if (f.size() >= 6) {
    if (f[5] == "M")
      v.quality = 1;
    else if (f[5] == "E")
      v.quality = 2;
    else if (f[5] == "S")
      v.quality = 3;
    else if (f[5] == "X")
      v.quality = 4;
    else
      return BadLine(line_no,
                     absl::StrCat("quality \"", f[5].substr(0, 8), "\" is not M, E, S or X"));
  }
  if (f.size() == 7 && !absl::SimpleAtoi(f[6], &v.status)) {
    return BadLine(line_no, absl::StrCat("status \"", f[6].substr(0, 12), "\" is not an integer"));
  }
  return std::optional<ScadaValue>(std::move(v));
}

std::string FormatScadaLine(const ScadaValue& v) {
  static constexpr char kQ[] = "?MESX";
  return absl::StrCat(v.seq, " ", v.point_code, " ", v.channel, " ",
                      absl::FormatTime(absl::RFC3339_full, v.interval_start, absl::UTCTimeZone()),
                      " ", v.value_wh, " ",
                      std::string(1, kQ[v.quality >= 1 && v.quality <= 4 ? v.quality : 1]), " ",
                      v.status, "\n");
}

}  // namespace gridbill::integrations
