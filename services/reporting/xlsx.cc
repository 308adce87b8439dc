#include "xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gridbill/base/status_macros.h"
#include "xlsxwriter.h"

namespace gridbill::reporting {
namespace {

// The column charted: the report's main figure.
int ChartColumn(const ReportDef& r) {
  for (size_t i = 0; i < r.columns.size(); ++i) {
    if (r.columns[i].name == "revenue_net_tiyn" || r.columns[i].name == "amount_net_tiyn" ||
        r.columns[i].name == "losses_wh" || r.columns[i].name == "received") {
      return static_cast<int>(i);
    }
  }
  for (size_t i = 0; i < r.columns.size(); ++i) {
    const ColumnType t = r.columns[i].type;
    if (t == ColumnType::kMoneyTiyn || t == ColumnType::kEnergyWh) return static_cast<int>(i);
  }
  return -1;
}

// "A", "B", ... "AA": a column's letters.
std::string ColumnName(int col) {
  std::string out;
  for (int c = col + 1; c > 0; c = (c - 1) / 26) out.insert(out.begin(), 'A' + (c - 1) % 26);
  return out;
}

std::string XlsxError(lxw_error e) { return lxw_strerror(e); }

// Removes the file when it goes out of scope.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) unlink(path.c_str());
  }
};

}  // namespace

absl::Status WriteXlsx(const ReportDef& r, const RowSource& rows, Language language,
                       const std::string& tmp_dir, size_t chunk_bytes, const Sink& sink) {
  std::string pattern = absl::StrCat(tmp_dir.empty() ? "/tmp" : tmp_dir, "/gridbill-XXXXXX");
  const int fd = mkstemp(pattern.data());
  if (fd < 0)
    return absl::UnavailableError(absl::StrCat("xlsx: cannot create a file in ", tmp_dir));
  close(fd);
  TempFile file{pattern};

  lxw_workbook_options options = {};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = const_cast<char*>(tmp_dir.empty() ? "/tmp" : tmp_dir.c_str());
  lxw_workbook* wb = workbook_new_opt(file.path.c_str(), &options);
  if (wb == nullptr) return absl::InternalError("xlsx: cannot start a workbook");

  const std::string title = Title(r, language);
  lxw_doc_properties props = {};
  props.title = const_cast<char*>(title.c_str());
  props.author = const_cast<char*>("Gridbill reporting");
  props.created = static_cast<time_t>(kXlsxCreated);
  workbook_set_properties(wb, &props);

  lxw_worksheet* ws = workbook_add_worksheet(wb, r.code.c_str());
  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_text_wrap(header);
  lxw_format* integer = workbook_add_format(wb);
  format_set_num_format(integer, "#,##0");
  lxw_format* percent = workbook_add_format(wb);
  format_set_num_format(percent, "0.00");
  lxw_format* month = workbook_add_format(wb);
  format_set_num_format(month, "yyyy-mm");
  lxw_format* day = workbook_add_format(wb);
  format_set_num_format(day, "yyyy-mm-dd");

  const int columns = static_cast<int>(r.columns.size());
  for (int c = 0; c < columns; ++c) {
    const ColumnType t = r.columns[c].type;
    const double width = t == ColumnType::kText ? 24 : t == ColumnType::kPeriod ? 10 : 16;
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width, nullptr);
  }
  worksheet_freeze_panes(ws, 1, 0);
  for (int c = 0; c < columns; ++c) {
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), Label(r.columns[c], language).c_str(),
                           header);
  }
  int64_t row_no = 0;
  while (const std::vector<std::string>* next = rows()) {
    const std::vector<std::string>& row = *next;
    const lxw_row_t at = static_cast<lxw_row_t>(++row_no);
    for (int c = 0; c < columns && c < static_cast<int>(row.size()); ++c) {
      const std::string& cell = row[c];
      if (cell.empty()) continue;
      const lxw_col_t col = static_cast<lxw_col_t>(c);
      switch (r.columns[c].type) {
        case ColumnType::kInteger:
        case ColumnType::kEnergyWh:
        case ColumnType::kMoneyTiyn: {
          int64_t v = 0;
          if (absl::SimpleAtoi(cell, &v)) {
            worksheet_write_number(ws, at, col, static_cast<double>(v), integer);
            continue;
          }
          break;
        }
        case ColumnType::kPercent:
        case ColumnType::kDecimal: {
          double v = 0;
          if (absl::SimpleAtod(cell, &v)) {
            worksheet_write_number(ws, at, col, v, percent);
            continue;
          }
          break;
        }
        case ColumnType::kPeriod:
        case ColumnType::kDate: {
          int y = 0, m = 0, d = 1;
          const bool is_month = r.columns[c].type == ColumnType::kPeriod;
          if ((is_month ? sscanf(cell.c_str(), "%d-%d", &y, &m) == 2
                        : sscanf(cell.c_str(), "%d-%d-%d", &y, &m, &d) == 3)) {
            lxw_datetime dt = {y, m, d, 0, 0, 0};
            worksheet_write_datetime(ws, at, col, &dt, is_month ? month : day);
            continue;
          }
          break;
        }
        case ColumnType::kText:
          break;
      }
      worksheet_write_string(ws, at, col, cell.c_str(), nullptr);
    }
  }

  const int chart_col = ChartColumn(r);
  if (chart_col >= 0 && row_no > 0) {
    lxw_chart* chart = workbook_add_chart(wb, LXW_CHART_COLUMN);
    const int64_t last = std::min<int64_t>(row_no, kXlsxChartRows) + 1;
    const std::string sheet = absl::StrCat("'", r.code, "'!");
    const std::string categories = absl::StrCat(sheet, "$A$2:$A$", last);
    const std::string values =
        absl::StrCat(sheet, "$", ColumnName(chart_col), "$2:$", ColumnName(chart_col), "$", last);
    lxw_chart_series* series = chart_add_series(chart, categories.c_str(), values.c_str());
    const std::string& label = Label(r.columns[chart_col], language);
    chart_series_set_name(series, label.c_str());
    chart_title_set_name(chart, title.c_str());
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    worksheet_insert_chart(ws, 1, static_cast<lxw_col_t>(columns + 1), chart);
  }
  const lxw_error closed = workbook_close(wb);
  if (closed != LXW_NO_ERROR) {
    return absl::InternalError(absl::StrCat("xlsx: ", XlsxError(closed)));
  }

  std::ifstream in(file.path, std::ios::binary);
  if (!in) return absl::InternalError("xlsx: cannot read the workbook back");
  std::string buffer(chunk_bytes, '\0');
  bool any = false;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize n = in.gcount();
    if (n <= 0) break;
    any = true;
    RETURN_IF_ERROR(sink(std::string_view(buffer.data(), static_cast<size_t>(n)), row_no));
  }
  if (!any) return absl::InternalError("xlsx: the workbook is empty");
  return absl::OkStatus();
}

}  // namespace gridbill::reporting
