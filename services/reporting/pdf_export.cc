#include "pdf_export.h"

#include <hpdf.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/pdf/haru.h"

namespace gridbill::reporting {
namespace {

constexpr float kPageW = 842.0f;  // A4 landscape, points
constexpr float kPageH = 595.0f;
constexpr float kMargin = 36.0f;
constexpr float kRow = 9.0f;
constexpr float kFont = 6.0f;
constexpr int kMaxBars = 36;

// Digit groups separated by U+202F NARROW NO-BREAK SPACE.
std::string Grouped(const std::string& cell) {
  size_t digits_from = cell.starts_with('-') ? 1 : 0;
  size_t digits_to = cell.find('.');
  if (digits_to == std::string::npos) digits_to = cell.size();
  std::string out = cell.substr(0, digits_from);
  for (size_t i = digits_from; i < digits_to; ++i) {
    if (i > digits_from && (digits_to - i) % 3 == 0) out += "\u202F";
    out += cell[i];
  }
  return out + cell.substr(digits_to);
}

bool Numeric(ColumnType t) {
  return t == ColumnType::kInteger || t == ColumnType::kEnergyWh || t == ColumnType::kMoneyTiyn ||
         t == ColumnType::kPercent || t == ColumnType::kDecimal;
}

int ChartColumn(const ReportDef& r) {
  for (size_t i = 0; i < r.columns.size(); ++i) {
    if (r.columns[i].name == "revenue_net_tiyn" || r.columns[i].name == "amount_net_tiyn" ||
        r.columns[i].name == "losses_wh" || r.columns[i].name == "received") {
      return static_cast<int>(i);
    }
  }
  return -1;
}

class Pages {
 public:
  Pages(HPDF_Doc doc, HPDF_Font font) : doc_(doc), font_(font) {}

  void NewPage() {
    page_ = HPDF_AddPage(doc_);
    HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
    y_ = kPageH - kMargin;
  }
  float y() const { return y_; }
  void Down(float dy) { y_ -= dy; }

  float Width(const std::string& s, float size) {
    HPDF_Page_SetFontAndSize(page_, font_, size);
    return HPDF_Page_TextWidth(page_, s.c_str());
  }
  // `s` cut with "…" to fit `width`.
  std::string Fit(const std::string& s, float width, float size) {
    if (Width(s, size) <= width) return s;
    std::string cut = s;
    while (!cut.empty()) {
      // Drops the last UTF-8 character: its continuation bytes, then its lead byte.
      while (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80) {
        cut.pop_back();
      }
      if (!cut.empty()) cut.pop_back();
      if (Width(cut + "…", size) <= width) return cut + "…";
    }
    return "…";
  }
  // `s` in lines of `width` broken at spaces, at most `max_lines`, the last
  // one cut with "…" if it still does not fit (a word wider than `width` too).
  std::vector<std::string> Wrap(const std::string& s, float width, float size, int max_lines) {
    std::vector<std::string> lines;
    std::string rest = s;
    while (static_cast<int>(lines.size()) + 1 < max_lines && Width(rest, size) > width) {
      size_t cut = std::string::npos;
      for (size_t sp = rest.find(' '); sp != std::string::npos; sp = rest.find(' ', sp + 1)) {
        if (Width(rest.substr(0, sp), size) > width) break;
        cut = sp;
      }
      if (cut == std::string::npos) break;
      lines.push_back(rest.substr(0, cut));
      rest = rest.substr(cut + 1);
    }
    lines.push_back(Fit(rest, width, size));
    return lines;
  }
  void Text(float x, float y, const std::string& s, float size) {
    HPDF_Page_BeginText(page_);
    HPDF_Page_SetFontAndSize(page_, font_, size);
    HPDF_Page_TextOut(page_, x, y, s.c_str());
    HPDF_Page_EndText(page_);
  }
  void Rect(float x, float y, float w, float h, float gray) {
    HPDF_Page_SetGrayFill(page_, gray);
    HPDF_Page_Rectangle(page_, x, y, w, h);
    HPDF_Page_Fill(page_);
    HPDF_Page_SetGrayFill(page_, 0);
  }
  void Line(float x1, float y1, float x2, float y2) {
    HPDF_Page_SetLineWidth(page_, 0.4f);
    HPDF_Page_MoveTo(page_, x1, y1);
    HPDF_Page_LineTo(page_, x2, y2);
    HPDF_Page_Stroke(page_);
  }

 private:
  HPDF_Doc doc_;
  HPDF_Font font_;
  HPDF_Page page_ = nullptr;
  float y_ = 0;
};

std::string Parameters(const Query& q, Language language) {
  const bool ru = language == Language::kRu;
  std::string out = absl::StrCat(ru ? "Период: " : "Period: ", absl::FormatCivilTime(q.from),
                                 " .. ", absl::FormatCivilTime(q.to));
  if (!q.region_code.empty()) absl::StrAppend(&out, ru ? "; регион " : "; region ", q.region_code);
  if (!q.participant_id.empty()) {
    absl::StrAppend(&out, ru ? "; участник " : "; participant ", q.participant_id);
  }
  if (q.service_type != 0) {
    absl::StrAppend(&out, ru ? "; услуга " : "; service ", ServiceName(q.service_type));
  }
  return out;
}

// The chart: one bar per distinct value of the first column (a period), the
// chart column summed.
void Chart(Pages& p, const Table& t, Language language, int col) {
  std::map<std::string, double> sums;
  for (const std::vector<std::string>& row : t.rows) {
    double v = 0;
    if (col < static_cast<int>(row.size()) && absl::SimpleAtod(row[col], &v)) sums[row[0]] += v;
  }
  if (sums.empty()) return;
  std::vector<std::pair<std::string, double>> bars(sums.begin(), sums.end());
  if (bars.size() > kMaxBars) bars.erase(bars.begin(), bars.end() - kMaxBars);
  double max = 0;
  for (const auto& b : bars) max = std::max(max, std::abs(b.second));
  if (max <= 0) max = 1;
  const float height = 130;
  const float width = kPageW - 2 * kMargin;
  p.Text(kMargin, p.y(), Label(t.report->columns[col], language), 8);
  p.Down(8);
  const float base = p.y() - height;
  p.Line(kMargin, base, kMargin + width, base);
  const float slot = width / static_cast<float>(bars.size());
  for (size_t i = 0; i < bars.size(); ++i) {
    const float h = static_cast<float>(std::abs(bars[i].second) / max) * (height - 14);
    const float x = kMargin + slot * static_cast<float>(i);
    p.Rect(x + slot * 0.15f, base, slot * 0.7f, h, bars[i].second < 0 ? 0.75f : 0.45f);
    p.Text(x + slot * 0.15f, base - 7, p.Fit(bars[i].first, slot, 5), 5);
  }
  p.Text(kMargin, base + height - 6, Grouped(absl::StrFormat("%.0f", max)), 5);
  p.Down(height + 16);
}

}  // namespace

absl::Status WritePdf(const Table& t, const Query& q, Language language, size_t chunk_bytes,
                      const std::function<absl::Status(std::string_view, int64_t)>& sink) {
  ASSIGN_OR_RETURN(std::unique_ptr<pdf::Document> doc, pdf::Document::Create());
  const ReportDef& r = *t.report;
  const std::string title = absl::StrCat(r.code, " ", Title(r, language));
  HPDF_SetInfoAttr(doc->doc(), HPDF_INFO_TITLE, title.c_str());
  HPDF_SetInfoAttr(doc->doc(), HPDF_INFO_CREATOR, "Gridbill reporting");
  Pages p(doc->doc(), doc->font());
  p.NewPage();
  p.Text(kMargin, p.y(), title, 13);
  p.Down(14);
  p.Text(kMargin, p.y(), Parameters(q, language), 8);
  p.Down(16);
  if (const int col = ChartColumn(r); col >= 0) Chart(p, t, language, col);

  const int columns = static_cast<int>(r.columns.size());
  std::vector<float> weight(columns);
  float total = 0;
  for (int c = 0; c < columns; ++c) {
    weight[c] = r.columns[c].type == ColumnType::kText ? 1.6f : 1.0f;
    total += weight[c];
  }
  const float width = kPageW - 2 * kMargin;
  std::vector<float> x(columns + 1, kMargin);
  for (int c = 0; c < columns; ++c) x[c + 1] = x[c] + width * weight[c] / total;
  // Labels wider than their column take up to three lines (e.g. "Потребление, Вт·ч").
  auto header = [&] {
    size_t lines = 1;
    for (int c = 0; c < columns; ++c) {
      const std::vector<std::string> label =
          p.Wrap(Label(r.columns[c], language), x[c + 1] - x[c] - 2, kFont, 3);
      for (size_t i = 0; i < label.size(); ++i) {
        p.Text(x[c] + 1, p.y() - kRow * static_cast<float>(i), label[i], kFont);
      }
      lines = std::max(lines, label.size());
    }
    p.Down(kRow * static_cast<float>(lines - 1));
    p.Line(kMargin, p.y() - 2.5f, kMargin + width, p.y() - 2.5f);
    p.Down(kRow + 1);
  };
  header();
  for (const std::vector<std::string>& row : t.rows) {
    if (p.y() < kMargin) {
      p.NewPage();
      header();
    }
    for (int c = 0; c < columns && c < static_cast<int>(row.size()); ++c) {
      const float cell_w = x[c + 1] - x[c] - 2;
      if (Numeric(r.columns[c].type)) {
        const std::string s = p.Fit(Grouped(row[c]), cell_w, kFont);
        p.Text(x[c + 1] - 1 - p.Width(s, kFont), p.y(), s, kFont);
      } else {
        p.Text(x[c] + 1, p.y(), p.Fit(row[c], cell_w, kFont), kFont);
      }
    }
    p.Down(kRow);
  }
  if (r.code == "R7") {
    // The act is signed by both sides.
    const bool ru = language == Language::kRu;
    if (p.y() < kMargin + 60) p.NewPage();
    p.Down(24);
    p.Text(kMargin, p.y(), ru ? "От оператора (АО «KEGOC»)" : "For the operator (KEGOC JSC)", 8);
    p.Text(kMargin + width / 2, p.y(),
           absl::StrCat(ru ? "От участника " : "For the participant ", q.participant_id), 8);
    p.Down(24);
    p.Text(kMargin, p.y(), ru ? "подпись ______________   М.П." : "signature ______________", 8);
    p.Text(kMargin + width / 2, p.y(),
           ru ? "подпись ______________   М.П." : "signature ______________", 8);
  }
  ASSIGN_OR_RETURN(std::string bytes, doc->Save());
  const int64_t rows = static_cast<int64_t>(t.rows.size());
  for (size_t from = 0; from < bytes.size(); from += chunk_bytes) {
    RETURN_IF_ERROR(sink(std::string_view(bytes).substr(from, chunk_bytes), rows));
  }
  return absl::OkStatus();
}

}  // namespace gridbill::reporting
