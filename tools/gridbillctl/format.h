// Human-readable output: aligned tables, energy, prices, dates and times.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "gridbill/common/v1/common.pb.h"

namespace gridbill::ctl {

// Columns padded to the widest cell (counting UTF-8 characters, not bytes);
// cells wider than the limit are cut with "…".
class Table {
 public:
  enum class Align { kLeft, kRight };
  struct Column {
    std::string header;
    Align align = Align::kLeft;
    int max_width = 48;
  };

  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }
  // Header, rows, two spaces between columns, no trailing spaces.
  std::string Render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// "Label  value" lines with the labels aligned; an empty value prints "-".
std::string RenderFields(const std::vector<std::pair<std::string, std::string>>& fields);

// The number of characters (code points) in UTF-8 text.
size_t DisplayWidth(std::string_view utf8);
// At most `width` characters of `utf8`, the last replaced by "…" when cut.
std::string Truncate(std::string_view utf8, size_t width);

// "1 234 567" (groups of three separated by spaces).
std::string GroupDigits(int64_t value);
// Energy from Wh in the largest unit that keeps it >= 1, three decimals:
// "12.346 GWh", "950.000 kWh", "12 Wh".
std::string FormatEnergy(int64_t wh);
// Energy text back to Wh: a decimal with an optional unit Wh, kWh (the
// default), MWh or GWh, e.g. "12.5GWh", "1 200 kWh"; it must come to whole Wh.
absl::StatusOr<int64_t> ParseEnergy(std::string_view text);
// Money from tiyn: "1 234 567.89 ₸".
std::string FormatTiyn(int64_t tiyn);
// A price per kWh: "3.134 ₸/kWh".
std::string FormatPrice(std::string_view price_per_kwh);

// "2026-11-28"; "" when unset (all zero).
std::string FormatDate(const common::v1::Date& d);
// "2026-11"; "" when unset.
std::string FormatPeriod(const common::v1::BillingPeriod& p);
// ISO 8601 in `zone` with the offset in force, "2024-02-29T23:00+06:00";
// "" when unset. Every instant the CLI prints goes through it: a local time
// without its offset is ambiguous where the clock was turned back (the two
// 23:00 of 2024-02-29 in Asia/Almaty print as 23:00+06:00 and 23:00+05:00).
std::string FormatTime(const google::protobuf::Timestamp& t, absl::TimeZone zone);

// The zone times are shown in: $GRIDBILL_TIME_ZONE, else Asia/Almaty, else UTC.
absl::TimeZone DisplayZone();

}  // namespace gridbill::ctl
