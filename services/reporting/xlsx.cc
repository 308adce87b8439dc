#include "xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/zip/zip.h"
#include "xlsxwriter.h"

namespace gridbill::reporting {
namespace {

constexpr std::string_view kSheetPart = "xl/worksheets/sheet1.xml";
// A sheet's rows, the header's included.
constexpr int64_t kMaxSheetRows = 1'048'576;
// Characters a cell holds.
constexpr size_t kMaxCellChars = 32'767;
// Sheet XML is handed to the deflater in pieces of about this size.
constexpr size_t kSheetFlushBytes = 256 * 1024;

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

// Removes the file when it goes out of scope.
struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) unlink(path.c_str());
  }
};

// The style (cellXfs index) of each kind of cell in the skeleton's styles.
struct Styles {
  int integer = 0;
  int decimal = 0;
  int month = 0;
  int day = 0;
};

// The workbook without its data rows, made by libxlsxwriter: every part but
// the sheet is copied from it as is; the sheet's XML is cut around its rows.
struct Skeleton {
  std::string archive;
  std::vector<zip::Entry> entries;
  std::string sheet_head;  // up to the header row's end
  std::string sheet_tail;  // from </sheetData>
  Styles styles;
};

absl::StatusOr<Skeleton> MakeSkeleton(const ReportDef& r, Language language,
                                      const std::string& tmp_dir, int64_t charted_rows) {
  const std::string dir = tmp_dir.empty() ? "/tmp" : tmp_dir;
  std::string pattern = absl::StrCat(dir, "/gridbill-XXXXXX");
  const int fd = mkstemp(pattern.data());
  if (fd < 0) return absl::UnavailableError(absl::StrCat("xlsx: cannot create a file in ", dir));
  close(fd);
  TempFile file{pattern};

  lxw_workbook_options options = {};
  options.constant_memory = LXW_TRUE;
  options.tmpdir = const_cast<char*>(dir.c_str());
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
  // Indexed in this order, so every format is in styles.xml whether a
  // report uses it or not, and the indices are the same every time.
  lxw_format_get_xf_index(header);
  Skeleton out;
  out.styles.integer = lxw_format_get_xf_index(integer);
  out.styles.decimal = lxw_format_get_xf_index(percent);
  out.styles.month = lxw_format_get_xf_index(month);
  out.styles.day = lxw_format_get_xf_index(day);

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
  const int chart_col = ChartColumn(r);
  if (chart_col >= 0 && charted_rows > 0) {
    lxw_chart* chart = workbook_add_chart(wb, LXW_CHART_COLUMN);
    const int64_t last = charted_rows + 1;
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
    return absl::InternalError(absl::StrCat("xlsx: ", lxw_strerror(closed)));
  }

  std::ifstream in(file.path, std::ios::binary);
  if (!in) return absl::InternalError("xlsx: cannot read the workbook back");
  out.archive.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  ASSIGN_OR_RETURN(out.entries, zip::ReadArchive(out.archive));
  const auto sheet = std::find_if(out.entries.begin(), out.entries.end(),
                                  [](const zip::Entry& e) { return e.name == kSheetPart; });
  if (sheet == out.entries.end()) return absl::InternalError("xlsx: the workbook has no sheet");
  ASSIGN_OR_RETURN(std::string xml, zip::Inflate(*sheet));
  const size_t rows_end = xml.find("</sheetData>");
  if (rows_end == std::string::npos) return absl::InternalError("xlsx: the sheet has no rows");
  out.sheet_head = xml.substr(0, rows_end);
  out.sheet_tail = xml.substr(rows_end);
  // The dimension says the header's range; the rows are streamed after it
  // and their count is not known yet. It is optional: left out.
  if (const size_t d = out.sheet_head.find("<dimension "); d != std::string::npos) {
    const size_t e = out.sheet_head.find("/>", d);
    if (e == std::string::npos) return absl::InternalError("xlsx: a broken dimension");
    out.sheet_head.erase(d, e + 2 - d);
  }
  return out;
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "2026-01" / "2026-01-31" (anything after the fields read is ignored, as
// sscanf("%d-%d") did): the Excel serial day, or -1.
int64_t SerialDay(std::string_view cell, bool is_month) {
  int v[3] = {0, 0, 1};
  const char* p = cell.data();
  const char* end = p + cell.size();
  const int want = is_month ? 2 : 3;
  for (int i = 0; i < want; ++i) {
    if (i > 0) {
      if (p == end || *p != '-') return -1;
      ++p;
    }
    const auto [next, ec] = std::from_chars(p, end, v[i]);
    if (ec != std::errc() || next == p) return -1;
    p = next;
  }
  // Excel counts from 1899-12-30 (with its 1900 leap day, so earlier dates
  // than March 1900 would be a day off): those stay text.
  if (v[0] <= 1900 || v[0] > 9999 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31) return -1;
  return DaysFromCivil(v[0], v[1], v[2]) - DaysFromCivil(1899, 12, 30);
}

// The sheet's rows as XML, deflated into the archive as the buffer fills.
class SheetRows {
 public:
  SheetRows(const ReportDef& r, const Styles& styles, zip::Writer& zip) : report_(r), zip_(zip) {
    buf_.reserve(kSheetFlushBytes + 64 * 1024);
    for (size_t c = 0; c < r.columns.size(); ++c) {
      cell_open_.push_back(absl::StrCat("<c r=\"", ColumnName(static_cast<int>(c))));
      const ColumnType t = r.columns[c].type;
      int style = 0;
      switch (t) {
        case ColumnType::kInteger:
        case ColumnType::kEnergyWh:
        case ColumnType::kMoneyTiyn:
          style = styles.integer;
          break;
        case ColumnType::kPercent:
        case ColumnType::kDecimal:
          style = styles.decimal;
          break;
        case ColumnType::kPeriod:
          style = styles.month;
          break;
        case ColumnType::kDate:
          style = styles.day;
          break;
        case ColumnType::kText:
          break;
      }
      number_close_.push_back(absl::StrCat("\" s=\"", style, "\"><v>"));
    }
  }

  // Row `at` (2 is the first under the header).
  absl::Status Add(int64_t at, const std::vector<std::string>& row) {
    const size_t row_start = buf_.size();
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, at);
    const std::string_view row_no(digits, static_cast<size_t>(end - digits));
    Put("<row r=\"");
    Put(row_no);
    Put("\">");
    bool any = false;
    const size_t columns = std::min(row.size(), report_.columns.size());
    for (size_t c = 0; c < columns; ++c) {
      const std::string& cell = row[c];
      if (cell.empty()) continue;
      any = true;
      Put(cell_open_[c]);
      Put(row_no);
      if (!Number(c, cell)) Text(cell);
    }
    if (!any) {
      buf_.resize(row_start);
      return absl::OkStatus();
    }
    Put("</row>");
    if (buf_.size() >= kSheetFlushBytes) return Flush();
    return absl::OkStatus();
  }

  absl::Status Flush() {
    if (buf_.empty()) return absl::OkStatus();
    absl::Status s = zip_.Write(buf_);
    buf_.clear();
    return s;
  }

 private:
  void Put(std::string_view s) { buf_.append(s.data(), s.size()); }

  // Writes the rest of a numeric cell (after its reference) if `cell`
  // reads as its column's type; false if it does not (written as text).
  bool Number(size_t c, const std::string& cell) {
    char out[40];
    char* out_end = nullptr;
    const char* begin = cell.data();
    const char* end = begin + cell.size();
    switch (report_.columns[c].type) {
      case ColumnType::kInteger:
      case ColumnType::kEnergyWh:
      case ColumnType::kMoneyTiyn: {
        int64_t v = 0;
        const auto [p, ec] = std::from_chars(begin, end, v);
        if (ec != std::errc() || p != end) return false;
        out_end = std::to_chars(out, out + sizeof out, v).ptr;
        break;
      }
      case ColumnType::kPercent:
      case ColumnType::kDecimal: {
        double v = 0;
        const auto [p, ec] = std::from_chars(begin, end, v);
        if (ec != std::errc() || p != end || !std::isfinite(v)) return false;
        out_end = std::to_chars(out, out + sizeof out, v).ptr;
        break;
      }
      case ColumnType::kPeriod:
      case ColumnType::kDate: {
        const int64_t serial = SerialDay(cell, report_.columns[c].type == ColumnType::kPeriod);
        if (serial < 0) return false;
        out_end = std::to_chars(out, out + sizeof out, serial).ptr;
        break;
      }
      case ColumnType::kText:
        return false;
    }
    Put(number_close_[c]);
    Put(std::string_view(out, static_cast<size_t>(out_end - out)));
    Put("</v></c>");
    return true;
  }

  // An inline string: &, < and > escaped, control characters as Excel's
  // _xHHHH_, edge whitespace kept, cut to the 32,767 characters a cell
  // holds.
  void Text(std::string_view s) {
    if (s.size() > kMaxCellChars) {
      size_t chars = 0;
      for (size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80 && ++chars > kMaxCellChars) {
          s = s.substr(0, i);
          break;
        }
      }
    }
    const auto edge = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; };
    Put(edge(s.front()) || edge(s.back()) ? "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">"
                                          : "\" t=\"inlineStr\"><is><t>");
    size_t run = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      const unsigned char ch = static_cast<unsigned char>(s[i]);
      if (ch != '&' && ch != '<' && ch != '>' &&
          (ch >= 0x20 || ch == '\t' || ch == '\n' || ch == '\r')) {
        continue;
      }
      Put(s.substr(run, i - run));
      run = i + 1;
      if (ch == '&') {
        Put("&amp;");
      } else if (ch == '<') {
        Put("&lt;");
      } else if (ch == '>') {
        Put("&gt;");
      } else {
        static constexpr char kHex[] = "0123456789ABCDEF";
        const char escaped[] = {'_', 'x', '0', '0', kHex[ch >> 4], kHex[ch & 15], '_'};
        Put(std::string_view(escaped, sizeof escaped));
      }
    }
    Put(s.substr(run));
    Put("</t></is></c>");
  }

  const ReportDef& report_;
  zip::Writer& zip_;
  std::string buf_;
  std::vector<std::string> cell_open_;     // <c r="F
  std::vector<std::string> number_close_;  // " s="3"><v>
};

}  // namespace

absl::Status WriteXlsx(const ReportDef& r, const RowSource& rows, Language language,
                       const std::string& tmp_dir, size_t chunk_bytes, const Sink& sink) {
  // The chart's range is the first kXlsxChartRows rows, or fewer if there
  // are fewer: they are read ahead (a bounded number) before the skeleton.
  std::vector<std::vector<std::string>> ahead;
  bool more = true;
  while (static_cast<int64_t>(ahead.size()) < kXlsxChartRows) {
    const std::vector<std::string>* next = rows();
    if (next == nullptr) {
      more = false;
      break;
    }
    ahead.push_back(*next);
  }
  ASSIGN_OR_RETURN(Skeleton skeleton,
                   MakeSkeleton(r, language, tmp_dir, static_cast<int64_t>(ahead.size())));

  int64_t row_no = 0;
  zip::Writer zip([&](std::string_view chunk) { return sink(chunk, row_no); }, chunk_bytes, 1);
  bool sheet_seen = false;
  for (const zip::Entry& e : skeleton.entries) {
    if (e.name != kSheetPart) {
      RETURN_IF_ERROR(zip.AddCopy(e));
      continue;
    }
    sheet_seen = true;
    RETURN_IF_ERROR(zip.Begin(e.name));
    RETURN_IF_ERROR(zip.Write(skeleton.sheet_head));
    SheetRows sheet(r, skeleton.styles, zip);
    for (const std::vector<std::string>& row : ahead) RETURN_IF_ERROR(sheet.Add(++row_no + 1, row));
    ahead.clear();
    while (more) {
      const std::vector<std::string>* next = rows();
      if (next == nullptr) break;
      if (row_no + 1 >= kMaxSheetRows) {
        return absl::OutOfRangeError(absl::StrCat("xlsx: a sheet holds at most ", kMaxSheetRows - 1,
                                                  " rows; export as CSV"));
      }
      RETURN_IF_ERROR(sheet.Add(++row_no + 1, *next));
    }
    RETURN_IF_ERROR(sheet.Flush());
    RETURN_IF_ERROR(zip.Write(skeleton.sheet_tail));
    RETURN_IF_ERROR(zip.End());
  }
  if (!sheet_seen) return absl::InternalError("xlsx: the workbook has no sheet");
  return zip.Finish();
}

}  // namespace gridbill::reporting
