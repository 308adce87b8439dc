// The XLSX export of a report table (libxlsxwriter): one sheet with a bold,
// frozen header of labels, numbers as numbers (grouped digits), periods as
// dates shown YYYY-MM, percentages with two decimals, and a native column
// chart of the report's main figure. Written in libxlsxwriter's
// constant-memory mode (rows go to a temporary file as they are written),
// so memory stays flat with the number of rows. Deterministic: the
// document's creation time is fixed (kXlsxCreated), so the same table gives
// the same bytes.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "reports.h"

namespace gridbill::reporting {

// 2000-01-01T00:00:00Z: the creation time every export carries.
inline constexpr int64_t kXlsxCreated = 946684800;

// At most this many rows are charted (the first ones); the table holds all.
inline constexpr int kXlsxChartRows = 1000;

// Writes the workbook to a temporary file in `tmp_dir` and hands it to
// `sink` in pieces of `chunk_bytes` with the rows written (all of them, once
// the workbook is closed); the file is removed after.
absl::Status WriteXlsx(const ReportDef& report, const RowSource& rows, Language language,
                       const std::string& tmp_dir, size_t chunk_bytes, const Sink& sink);
inline absl::Status WriteXlsx(const Table& table, Language language, const std::string& tmp_dir,
                              size_t chunk_bytes, const Sink& sink) {
  return WriteXlsx(*table.report, RowsOf(table), language, tmp_dir, chunk_bytes, sink);
}

}  // namespace gridbill::reporting
