#include "import_parse.h"

#include <expat.h>
#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/csv.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::metering {
namespace {

absl::Status ContentError(std::string_view where, std::string_view reason) {
  return InvalidField("content", absl::StrCat(ToAbsl(where), ": ", ToAbsl(reason)));
}

int LineOf(std::string_view text, size_t offset) {
  int line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') ++line;
  }
  return line;
}

// The offset of the first byte that is not valid UTF-8, or npos.
size_t FirstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return i;
    }
    if (i + static_cast<size_t>(n) >= s.size()) return i;  // truncated sequence
    for (int k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += static_cast<size_t>(n) + 1;
  }
  return std::string_view::npos;
}

absl::StatusOr<std::string> FromCp1251(std::string_view bytes) {
  iconv_t cd = iconv_open("UTF-8", "CP1251");
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return absl::InternalError("iconv cannot convert from CP1251 on this system");
  }
  std::string out(bytes.size() * 3 + 16, '\0');
  char* in_ptr = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  const size_t rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  const int err = errno;
  iconv_close(cd);
  if (rc == static_cast<size_t>(-1)) {
    const size_t offset = bytes.size() - in_left;
    return ContentError(
        absl::StrCat("line ", LineOf(bytes, offset)),
        absl::StrCat("byte 0x", absl::Hex(static_cast<unsigned char>(bytes[offset])),
                     " is not a Windows-1251 character (", std::strerror(err), ")"));
  }
  out.resize(out.size() - out_left);
  return out;
}

// --- CSV ----------------------------------------------------------------------

absl::StatusOr<Channel> ParseChannel(std::string_view text) {
  if (text == "01" || text == "1") return Channel::kActiveReceived;
  if (text == "02" || text == "2") return Channel::kActiveDelivered;
  if (text == "03" || text == "3") return Channel::kReactiveReceived;
  if (text == "04" || text == "4") return Channel::kReactiveDelivered;
  return absl::InvalidArgumentError(
      absl::StrCat("channel ", QuoteInput(text), " is not 01, 02, 03 or 04"));
}

absl::StatusOr<absl::Time> ParseInstant(std::string_view text, absl::TimeZone zone) {
  absl::Time t;
  std::string err;
  const absl::string_view in = ToAbsl(text);
  if (absl::ParseTime(absl::RFC3339_full, in, &t, &err)) return t;
  // ISO 8601 without seconds, as gridbillctl prints local times.
  if (absl::ParseTime("%Y-%m-%dT%H:%M%Ez", in, &t, &err)) return t;
  // Local time of the operator's zone (the earlier instant of a repeated hour).
  for (const char* format :
       {"%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"}) {
    if (absl::ParseTime(format, in, zone, &t, &err)) return t;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "interval_start ", QuoteInput(text),
      " is neither RFC 3339 with an offset (2024-01-15T03:00:00+05:00) nor a local time "
      "(2024-01-15 03:00)"));
}

absl::StatusOr<Quality> ParseQuality(std::string_view text) {
  const std::string q = absl::AsciiStrToLower(ToAbsl(text));
  if (q == "measured") return Quality::kMeasured;
  if (q == "estimated") return Quality::kEstimated;
  if (q == "substituted") return Quality::kSubstituted;
  if (q == "missing") return Quality::kMissing;
  return absl::InvalidArgumentError(
      absl::StrCat("quality ", QuoteInput(text),
                   " is not measured, estimated, substituted or missing (or empty)"));
}

absl::StatusOr<Source> ParseSource(std::string_view text) {
  const std::string s = absl::AsciiStrToLower(ToAbsl(text));
  if (s == "scada") return Source::kScada;
  if (s == "cms") return Source::kCms;
  if (s == "participant") return Source::kParticipant;
  if (s == "operator") return Source::kOperator;
  return absl::InvalidArgumentError(
      absl::StrCat("source ", QuoteInput(text), " is not scada, cms, participant or operator"));
}

absl::StatusOr<ParsedFile> ParseReadingsCsv(std::string_view text, const FileOptions& o) {
  ParsedFile out;
  enum Col { kPoint, kChannel, kStart, kValue, kQuality, kSource, kCols };
  const std::vector<std::string> names = {"point_code", "channel", "interval_start",
                                          "value",      "quality", "source"};
  std::vector<int> column(kCols, -1);
  int ncols = 0;
  bool header_seen = false;
  const CsvParseResult csv = gridbill::ParseCsv(text);
  // The whole file or nothing: the first unreadable record rejects it.
  if (!csv.errors.empty()) {
    const CsvError& e = csv.errors.front();
    return ContentError(absl::StrCat("line ", e.line, " field ", e.column), e.message);
  }
  for (const CsvRecord& record : csv.records) {
    std::vector<std::string> cells;
    cells.reserve(record.fields.size());
    bool blank = true;
    for (const std::string& field : record.fields) {
      cells.emplace_back(absl::StripAsciiWhitespace(ToAbsl(field)));
      blank = blank && cells.back().empty();
    }
    if (blank) continue;  // a line of spaces
    const std::string where = absl::StrCat("line ", record.line);
    if (!header_seen) {
      header_seen = true;
      ncols = static_cast<int>(cells.size());
      for (int i = 0; i < ncols; ++i) {
        const std::string name = absl::AsciiStrToLower(cells[static_cast<size_t>(i)]);
        auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end()) {
          return ContentError(
              where, absl::StrCat("unknown column ", QuoteInput(name), " in the header (expected ",
                                  absl::StrJoin(names, ","), ")"));
        }
        const auto c = static_cast<size_t>(it - names.begin());
        if (column[c] >= 0) {
          return ContentError(where, absl::StrCat("column ", name, " appears twice"));
        }
        column[c] = i;
      }
      for (int c : {kPoint, kChannel, kStart, kValue}) {
        if (column[static_cast<size_t>(c)] < 0) {
          return ContentError(
              where, absl::StrCat("the header has no column ", names[static_cast<size_t>(c)],
                                  " (a header row is required)"));
        }
      }
      continue;
    }
    if (static_cast<int>(cells.size()) != ncols) {
      return ContentError(where,
                          absl::StrCat("has ", cells.size(), " fields; the header has ", ncols));
    }
    auto cell = [&](int c) -> const std::string& {
      static const std::string kEmpty;
      const int i = column[static_cast<size_t>(c)];
      return i < 0 ? kEmpty : cells[static_cast<size_t>(i)];
    };
    auto fail = [&](const absl::Status& st) { return ContentError(where, ToStd(st.message())); };
    FileReading fr;
    fr.where = where;
    Reading& r = fr.reading;
    r.point_code = cell(kPoint);
    if (r.point_code.empty()) return ContentError(where, "point_code is empty");
    absl::StatusOr<Channel> ch = ParseChannel(cell(kChannel));
    if (!ch.ok()) return fail(ch.status());
    r.channel = *ch;
    absl::StatusOr<absl::Time> start = ParseInstant(cell(kStart), o.zone);
    if (!start.ok()) return fail(start.status());
    r.interval_start = *start;
    r.quality = Quality::kMeasured;
    if (!cell(kQuality).empty()) {
      absl::StatusOr<Quality> q = ParseQuality(cell(kQuality));
      if (!q.ok()) return fail(q.status());
      r.quality = *q;
    }
    r.source = o.source;
    if (!cell(kSource).empty()) {
      absl::StatusOr<Source> s = ParseSource(cell(kSource));
      if (!s.ok()) return fail(s.status());
      r.source = *s;
    }
    if (cell(kValue).empty()) {
      if (!cell(kQuality).empty() && r.quality != Quality::kMissing) {
        return ContentError(where, "value is empty (missing) but quality says otherwise");
      }
      r.quality = Quality::kMissing;
    } else {
      if (r.quality == Quality::kMissing) {
        return ContentError(where, "quality is missing but the line has a value");
      }
      absl::StatusOr<int64_t> wh = ToWh(cell(kValue), o.unit);
      if (!wh.ok()) return fail(wh.status());
      r.value_wh = *wh;
    }
    out.readings.push_back(std::move(fr));
  }
  if (!header_seen) return ContentError("line 1", "the file is empty (a header row is required)");
  return out;
}

// --- XML 80020 -------------------------------------------------------------------

class Parser80020 {
 public:
  Parser80020(const FileOptions& o) : o_(o) {}

  absl::StatusOr<ParsedFile> Parse(std::string_view utf8) {
    // "UTF-8" overrides the document's own declaration: the bytes were decoded already.
    std::unique_ptr<XML_ParserStruct, void (*)(XML_Parser)> parser(XML_ParserCreate("UTF-8"),
                                                                   XML_ParserFree);
    if (!parser) return absl::ResourceExhaustedError("cannot create an XML parser");
    p_ = parser.get();
    XML_SetUserData(p_, this);
    XML_SetElementHandler(
        p_,
        [](void* self, const XML_Char* name, const XML_Char** attrs) {
          static_cast<Parser80020*>(self)->Start(name, attrs);
        },
        [](void* self, const XML_Char* name) { static_cast<Parser80020*>(self)->End(name); });
    XML_SetCharacterDataHandler(p_, [](void* self, const XML_Char* s, int len) {
      static_cast<Parser80020*>(self)->Text(std::string_view(s, static_cast<size_t>(len)));
    });
    const XML_Status st = XML_Parse(p_, utf8.data(), static_cast<int>(utf8.size()), XML_TRUE);
    if (!error_.ok()) return error_;
    if (st != XML_STATUS_OK) {
      return ContentError(
          absl::StrCat("line ", XML_GetCurrentLineNumber(p_)),
          absl::StrCat("not well-formed XML: ", XML_ErrorString(XML_GetErrorCode(p_))));
    }
    if (!root_seen_) return ContentError("line 1", "no <message> element");
    return std::move(out_);
  }

 private:
  struct Frame {
    std::string name;
    std::string label;  // name[attr=value] for the path
  };

  std::string Path() const {
    std::vector<std::string> parts;
    for (const Frame& f : stack_) parts.push_back(f.label);
    return absl::StrJoin(parts, "/");
  }
  std::string Where() const {
    return absl::StrCat("line ", XML_GetCurrentLineNumber(p_), " (", Path(), ")");
  }
  void Fail(std::string_view reason) {
    if (!error_.ok()) return;
    error_ = ContentError(Where(), reason);
    XML_StopParser(p_, XML_FALSE);
  }
  static const char* Attr(const XML_Char** attrs, std::string_view name) {
    for (int i = 0; attrs[i] != nullptr; i += 2) {
      if (name == attrs[i]) return attrs[i + 1];
    }
    return nullptr;
  }
  // "hhmm" as minutes after midnight; "0000" as an end is 1440.
  static int Minutes(const char* text, bool end) {
    if (text == nullptr || std::strlen(text) != 4) return -1;
    for (int i = 0; i < 4; ++i) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return -1;
    }
    const int hh = (text[0] - '0') * 10 + (text[1] - '0');
    const int mm = (text[2] - '0') * 10 + (text[3] - '0');
    if (mm >= 60 || hh > 24 || (hh == 24 && mm != 0)) return -1;
    const int m = hh * 60 + mm;
    if (end && m == 0) return 1440;
    if (!end && m == 1440) return -1;
    return m;
  }

  void Start(const XML_Char* name_c, const XML_Char** attrs) {
    if (!error_.ok()) return;
    const std::string name = name_c;
    const std::string parent = stack_.empty() ? "" : stack_.back().name;
    Frame f{name, name};
    if (skip_depth_ > 0) {
      ++skip_depth_;
      stack_.push_back(f);
      return;
    }
    stack_.push_back(f);
    auto unexpected = [&] {
      Fail(absl::StrCat("unexpected element <", name, "> inside <", parent, ">"));
    };
    if (parent.empty()) {
      const char* cls = Attr(attrs, "class");
      if (name != "message" || cls == nullptr || std::string_view(cls) != "80020") {
        Fail("the root element must be <message class=\"80020\">");
        return;
      }
      root_seen_ = true;
    } else if (parent == "message") {
      if (name == "sender") {
        skip_depth_ = 1;
      } else if (name != "datetime" && name != "area") {
        unexpected();
      }
    } else if (parent == "datetime") {
      if (name != "timestamp" && name != "daylightsavingtime" && name != "day") unexpected();
      text_.clear();
    } else if (parent == "area") {
      if (name == "inn" || name == "name") {
        skip_depth_ = 1;
      } else if (name == "deliverygroup") {
        Fail(
            "<deliverygroup> (hourly sums of a group of points) is not supported: send the "
            "points' data as <measuringpoint> elements");
      } else if (name == "measuringpoint") {
        const char* code = Attr(attrs, "code");
        if (code == nullptr || *code == '\0') {
          Fail("<measuringpoint> needs a code attribute");
          return;
        }
        point_ = code;
        stack_.back().label = absl::StrCat(name, "[code=", point_, "]");
      } else {
        unexpected();
      }
    } else if (parent == "measuringpoint") {
      if (name != "measuringchannel") {
        unexpected();
        return;
      }
      const char* code = Attr(attrs, "code");
      stack_.back().label = absl::StrCat(name, "[code=", code == nullptr ? "" : code, "]");
      absl::StatusOr<Channel> ch = ParseChannel(code == nullptr ? "" : code);
      if (!ch.ok()) {
        Fail(absl::StrCat("<measuringchannel> code: ", ch.status().message()));
        return;
      }
      channel_ = *ch;
    } else if (parent == "measuringchannel") {
      if (name != "period") {
        unexpected();
        return;
      }
      const char* start = Attr(attrs, "start");
      const char* end = Attr(attrs, "end");
      stack_.back().label = absl::StrCat(name, "[start=", start == nullptr ? "" : start, "]");
      if (!day_) {
        Fail("<period> before the file's <datetime><day>");
        return;
      }
      start_min_ = Minutes(start, false);
      end_min_ = Minutes(end, true);
      if (start_min_ < 0) {
        Fail(absl::StrCat("start ", QuoteInput(start == nullptr ? "" : start),
                          " is not a time hhmm"));
        return;
      }
      if (end_min_ < 0) {
        Fail(absl::StrCat("end ", QuoteInput(end == nullptr ? "" : end),
                          " is not a time hhmm (0000 = midnight at the end of the day)"));
        return;
      }
      if (end_min_ <= start_min_) {
        Fail(absl::StrCat("the period ", start, "-", end, " does not end after it starts"));
        return;
      }
      values_in_period_ = 0;
    } else if (parent == "period") {
      if (name != "value") {
        unexpected();
        return;
      }
      if (++values_in_period_ > 1) {
        Fail("a <period> has more than one <value>");
        return;
      }
      const char* status = Attr(attrs, "status");
      status_ = status == nullptr ? "0" : status;
      text_.clear();
    } else {
      unexpected();
    }
  }

  void Text(std::string_view s) {
    if (error_.ok() && skip_depth_ == 0) text_.append(s);
  }

  void End(const XML_Char* name_c) {
    if (!error_.ok()) return;
    const std::string name = name_c;
    if (skip_depth_ > 0) {
      --skip_depth_;
      stack_.pop_back();
      return;
    }
    if (name == "day" && stack_.size() >= 2 && stack_[stack_.size() - 2].name == "datetime") {
      const std::string d(absl::StripAsciiWhitespace(text_));
      int y = 0, m = 0, dd = 0;
      bool ok = d.size() == 8;
      for (char c : d) ok = ok && absl::ascii_isdigit(static_cast<unsigned char>(c));
      if (ok) {
        y = std::stoi(d.substr(0, 4));
        m = std::stoi(d.substr(4, 2));
        dd = std::stoi(d.substr(6, 2));
        const absl::CivilDay cd(y, m, dd);
        ok = cd.year() == y && cd.month() == m && cd.day() == dd;
        if (ok) day_ = cd;
      }
      if (!ok) {
        Fail(absl::StrCat("day ", QuoteInput(d), " is not a date YYYYMMDD"));
        return;
      }
    } else if (name == "value") {
      Value();
      if (!error_.ok()) return;
    } else if (name == "period" && values_in_period_ == 0) {
      Fail("a <period> has no <value>");
      return;
    }
    stack_.pop_back();
  }

  void Value() {
    FileReading fr;
    fr.where = Where();
    fr.period_minutes = end_min_ - start_min_;
    Reading& r = fr.reading;
    r.point_code = point_;
    r.channel = channel_;
    r.source = o_.source;
    r.interval_start = absl::FromCivil(
        absl::CivilMinute(day_->year(), day_->month(), day_->day(), 0, start_min_), o_.zone);
    int64_t status = 0;
    bool numeric = !status_.empty();
    for (char c : status_) numeric = numeric && absl::ascii_isdigit(static_cast<unsigned char>(c));
    if (!numeric || status_.size() > 6) {
      Fail(absl::StrCat("status ", QuoteInput(status_), " is not a number"));
      return;
    }
    status = std::stoll(status_);
    // 0 = normal (measured); 1 = estimated by the sender; 2 = substituted
    // (e.g. from a check meter); any other code = estimated or faulty, kept
    // as estimated so that it never counts as measured. The code itself is
    // kept with the value, so that readers tell one estimate from another.
    r.status_code = static_cast<int32_t>(status);
    r.quality = status == 0   ? Quality::kMeasured
                : status == 2 ? Quality::kSubstituted
                              : Quality::kEstimated;
    const std::string text(absl::StripAsciiWhitespace(text_));
    if (text.empty()) {
      r.quality = Quality::kMissing;
    } else {
      absl::StatusOr<int64_t> wh = ToWh(text, o_.unit, /*comma_decimal=*/true);
      if (!wh.ok()) {
        Fail(ToStd(wh.status().message()));
        return;
      }
      r.value_wh = *wh;
    }
    out_.readings.push_back(std::move(fr));
  }

  const FileOptions& o_;
  XML_Parser p_ = nullptr;
  absl::Status error_;
  ParsedFile out_;
  std::vector<Frame> stack_;
  int skip_depth_ = 0;
  bool root_seen_ = false;
  std::string text_;
  std::optional<absl::CivilDay> day_;
  std::string point_;
  Channel channel_ = Channel::kUnspecified;
  int start_min_ = 0;
  int end_min_ = 0;
  int values_in_period_ = 0;
  std::string status_;
};

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  return FirstInvalidUtf8(bytes) == std::string_view::npos;
}

absl::StatusOr<std::string> DecodeText(std::string_view bytes, TextEncoding encoding,
                                       std::string* used) {
  const size_t bad = FirstInvalidUtf8(bytes);
  const bool utf8 =
      encoding == TextEncoding::kUtf8 || (encoding == TextEncoding::kAuto && bad == bytes.npos);
  if (utf8) {
    if (bad != bytes.npos) {
      return ContentError(
          absl::StrCat("line ", LineOf(bytes, bad)),
          absl::StrCat("invalid UTF-8 (byte 0x", absl::Hex(static_cast<unsigned char>(bytes[bad])),
                       "); is the file Windows-1251?"));
    }
    if (used != nullptr) *used = "UTF-8";
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    return std::string(bytes);
  }
  if (used != nullptr) *used = "Windows-1251";
  return FromCp1251(bytes);
}

absl::StatusOr<int64_t> ToWh(std::string_view text, EnergyUnit unit, bool comma_decimal) {
  int scale_digits = 0;
  switch (unit) {
    case EnergyUnit::kWh:
      scale_digits = 0;
      break;
    case EnergyUnit::kKwh:
      scale_digits = 3;
      break;
    case EnergyUnit::kMwh:
      scale_digits = 6;
      break;
    case EnergyUnit::kUnspecified:
      return absl::InvalidArgumentError("unit: required (wh, kwh or mwh)");
  }
  const char* unit_name = unit == EnergyUnit::kWh ? "Wh" : unit == EnergyUnit::kKwh ? "kWh" : "MWh";
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat("value ", QuoteInput(text), " is not a number"));
  };
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  auto too_large = [&] {
    return absl::InvalidArgumentError(absl::StrCat("value ", QuoteInput(text), " is too large"));
  };
  // units * 10 + digit within int64 (15 digits of MWh are 10^21 Wh: more
  // than int64 holds).
  auto times_ten_plus = [&](int64_t& v, int digit) {
    if (v > (std::numeric_limits<int64_t>::max() - digit) / 10) return false;
    v = v * 10 + digit;
    return true;
  };
  int64_t units = 0;
  int int_digits = 0;
  while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
    if (++int_digits > 15) return too_large();
    units = units * 10 + (text[i++] - '0');
  }
  int frac_digits = 0;
  if (i < text.size() && (text[i] == '.' || (comma_decimal && text[i] == ','))) {
    ++i;
    while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
      const int digit = text[i++] - '0';
      if (frac_digits < scale_digits) {
        if (!times_ten_plus(units, digit)) return too_large();
        ++frac_digits;
      } else if (digit != 0) {
        return absl::InvalidArgumentError(absl::StrCat("value ", QuoteInput(text), " ", unit_name,
                                                       " is not a whole number of Wh"));
      }
    }
  }
  if (i != text.size() || int_digits == 0) return bad();
  for (; frac_digits < scale_digits; ++frac_digits) {
    if (!times_ten_plus(units, 0)) return too_large();
  }
  return negative ? -units : units;
}

absl::StatusOr<ParsedFile> ParseImportFile(std::string_view bytes, const FileOptions& options) {
  if (options.unit == EnergyUnit::kUnspecified) {
    return InvalidField("unit", "required (wh, kwh or mwh)");
  }
  if (bytes.empty()) return InvalidField("content", "the file is empty");
  std::string used;
  ASSIGN_OR_RETURN(std::string text, DecodeText(bytes, options.encoding, &used));
  absl::StatusOr<ParsedFile> out;
  switch (options.format) {
    case ImportFormat::kCsv:
      out = ParseReadingsCsv(text, options);
      break;
    case ImportFormat::kXml80020:
      out = Parser80020(options).Parse(text);
      break;
    case ImportFormat::kUnspecified:
      return InvalidField("format", "required (CSV or XML_80020)");
  }
  if (out.ok()) out->encoding = used;
  return out;
}

}  // namespace gridbill::metering
