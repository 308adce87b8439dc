// The XLSX export of a report table: one sheet with a bold, frozen header
// of labels, numbers as numbers (grouped digits), periods as dates shown
// YYYY-MM, percentages with two decimals, and a native column chart of the
// report's main figure.
//
// libxlsxwriter makes every part but the sheet's rows (workbook, styles,
// theme, chart, drawing, the sheet's header and frozen pane) as a small
// workbook; those parts are copied as they are, and the rows are written
// here straight into the sheet's zip entry, deflated at level 1 while they
// stream (libs/zip). Memory stays flat with the number of rows: the sheet
// is never held, and the archive leaves in chunks as it is made.
// Deterministic: the document's creation time is fixed (kXlsxCreated) and
// every zip entry carries the same time, so the same table gives the same
// bytes.
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

// Hands the workbook to `sink` in pieces of `chunk_bytes` with the rows
// written so far. The small workbook is made in `tmp_dir` and removed.
// More rows than a sheet holds (1,048,575 under the header) is OUT_OF_RANGE.
absl::Status WriteXlsx(const ReportDef& report, const RowSource& rows, Language language,
                       const std::string& tmp_dir, size_t chunk_bytes, const Sink& sink);
inline absl::Status WriteXlsx(const Table& table, Language language, const std::string& tmp_dir,
                              size_t chunk_bytes, const Sink& sink) {
  return WriteXlsx(*table.report, RowsOf(table), language, tmp_dir, chunk_bytes, sink);
}

}  // namespace gridbill::reporting
