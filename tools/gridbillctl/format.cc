#include "tools/gridbillctl/format.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gridbill::ctl {

size_t DisplayWidth(std::string_view utf8) {
  size_t n = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string Truncate(std::string_view utf8, size_t width) {
  if (DisplayWidth(utf8) <= width) return std::string(utf8);
  if (width == 0) return "";
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if ((c & 0xC0) != 0x80) {
      if (chars == width - 1) break;
      ++chars;
    }
    out.push_back(static_cast<char>(c));
  }
  return out + "…";
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  for (auto& cell : cells) {
    // One line per row: line breaks in values become spaces.
    std::replace(cell.begin(), cell.end(), '\n', ' ');
    std::replace(cell.begin(), cell.end(), '\r', ' ');
  }
  rows_.push_back(std::move(cells));
}

std::string Table::Render() const {
  std::vector<size_t> widths(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    widths[c] = DisplayWidth(columns_[c].header);
    for (const auto& row : rows_) {
      widths[c] = std::max(widths[c], std::min<size_t>(DisplayWidth(row[c]),
                                                       static_cast<size_t>(columns_[c].max_width)));
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t c = 0; c < columns_.size(); ++c) {
      std::string cell = Truncate(cells[c], static_cast<size_t>(columns_[c].max_width));
      const std::string pad(widths[c] - DisplayWidth(cell), ' ');
      if (c > 0) text += "  ";
      text += columns_[c].align == Align::kRight ? pad + cell : cell + pad;
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  std::vector<std::string> headers;
  for (const auto& col : columns_) headers.push_back(col.header);
  line(headers);
  for (const auto& row : rows_) line(row);
  return out;
}

std::string RenderFields(const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t width = 0;
  for (const auto& [label, value] : fields) width = std::max(width, DisplayWidth(label));
  std::string out;
  for (const auto& [label, value] : fields) {
    const std::string pad(width - DisplayWidth(label) + 2, ' ');
    // Continuation lines of a multi-line value line up with the first.
    std::string shown = value.empty() ? "-" : value;
    std::string indented;
    for (char c : shown) {
      indented.push_back(c);
      if (c == '\n') indented += std::string(width + 2, ' ');
    }
    out += label + pad + indented + "\n";
  }
  return out;
}

std::string GroupDigits(int64_t value) {
  const bool negative = value < 0;
  // Work in unsigned to keep INT64_MIN representable.
  uint64_t v = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::string digits = absl::StrCat(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(' ');
    out.push_back(digits[i]);
  }
  return negative ? "-" + out : out;
}

namespace {

// value / divisor with three decimals, rounded half up, grouped.
std::string Scaled(int64_t value, int64_t divisor) {
  const bool negative = value < 0;
  const __int128 v = negative ? -static_cast<__int128>(value) : static_cast<__int128>(value);
  // Thousandths of the unit, rounded half up.
  const __int128 milli = (v * 1000 + divisor / 2) / divisor;
  const int64_t whole = static_cast<int64_t>(milli / 1000);
  const int frac = static_cast<int>(milli % 1000);
  return absl::StrFormat("%s%s.%03d", negative ? "-" : "", GroupDigits(whole), frac);
}

}  // namespace

std::string FormatEnergy(int64_t wh) {
  const uint64_t a = wh < 0 ? 0 - static_cast<uint64_t>(wh) : static_cast<uint64_t>(wh);
  if (a >= 1'000'000'000) return Scaled(wh, 1'000'000'000) + " GWh";
  if (a >= 1'000'000) return Scaled(wh, 1'000'000) + " MWh";
  if (a >= 1'000) return Scaled(wh, 1'000) + " kWh";
  return absl::StrCat(wh, " Wh");
}

absl::StatusOr<int64_t> ParseEnergy(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c != ' ' && c != '_') s.push_back(c);
  }
  size_t unit_at = 0;
  while (unit_at < s.size() &&
         (std::isdigit(static_cast<unsigned char>(s[unit_at])) || s[unit_at] == '.')) {
    ++unit_at;
  }
  const std::string number = s.substr(0, unit_at);
  std::string unit = s.substr(unit_at);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  int64_t scale = 0;  // Wh per unit
  if (unit.empty() || unit == "kwh") {
    scale = 1'000;
  } else if (unit == "wh") {
    scale = 1;
  } else if (unit == "mwh") {
    scale = 1'000'000;
  } else if (unit == "gwh") {
    scale = 1'000'000'000;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", std::string(text), "\": unknown unit (Wh, kWh, MWh or GWh)"));
  }
  const size_t dot = number.find('.');
  const std::string whole = number.substr(0, dot);
  const std::string frac = dot == std::string::npos ? "" : number.substr(dot + 1);
  if (number.empty() || whole.empty() || frac.find('.') != std::string::npos ||
      (dot != std::string::npos && frac.empty()) || whole.size() > 15 || frac.size() > 9) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", std::string(text), "\" is not an amount of energy like 12.5GWh"));
  }
  __int128 value = 0;
  for (char c : whole) value = value * 10 + (c - '0');
  __int128 denominator = 1;
  for (char c : frac) {
    value = value * 10 + (c - '0');
    denominator *= 10;
  }
  const __int128 wh = value * scale;
  if (wh % denominator != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", std::string(text), "\" is not a whole number of Wh"));
  }
  if (wh / denominator > INT64_MAX) {
    return absl::InvalidArgumentError(absl::StrCat("\"", std::string(text), "\" is too large"));
  }
  return static_cast<int64_t>(wh / denominator);
}

std::string FormatTiyn(int64_t tiyn) {
  const bool negative = tiyn < 0;
  const uint64_t v = negative ? 0 - static_cast<uint64_t>(tiyn) : static_cast<uint64_t>(tiyn);
  return absl::StrFormat("%s%s.%02d ₸", negative ? "-" : "",
                         GroupDigits(static_cast<int64_t>(v / 100)), static_cast<int>(v % 100));
}

std::string FormatPrice(std::string_view price_per_kwh) {
  if (price_per_kwh.empty()) return "";
  return absl::StrCat(std::string(price_per_kwh), " ₸/kWh");
}

std::string FormatDate(const common::v1::Date& d) {
  if (d.year() == 0 && d.month() == 0 && d.day() == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

std::string FormatPeriod(const common::v1::BillingPeriod& p) {
  if (p.year() == 0 && p.month() == 0) return "";
  return absl::StrFormat("%04d-%02d", p.year(), p.month());
}

std::string FormatTime(const google::protobuf::Timestamp& t, absl::TimeZone zone) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  const absl::Time time = absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M%Ez", time, zone);
}

absl::TimeZone DisplayZone() {
  static const absl::TimeZone zone = [] {
    absl::TimeZone z;
    const char* env = std::getenv("GRIDBILL_TIME_ZONE");
    if (env != nullptr && *env != '\0' && absl::LoadTimeZone(env, &z)) return z;
    if (absl::LoadTimeZone("Asia/Almaty", &z)) return z;
    return absl::UTCTimeZone();
  }();
  return zone;
}

}  // namespace gridbill::ctl
