#include "pdf.h"

#include <hpdf.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "accrual.h"
#include "gridbill/domain/money.h"
#include "gridbill/pdf/haru.h"

namespace gridbill::invoicing {
namespace {

constexpr float kPageW = 595.0f;  // A4 in points
constexpr float kPageH = 842.0f;
constexpr float kMargin = 40.0f;

// Digit groups in every number printed: thousands separated by U+00A0
// NO-BREAK SPACE (UTF-8 C2 A0), which never breaks a figure across lines and
// which text extraction keeps apart from the spaces between columns.
constexpr char kGroup[] = "\u202F";

// "27 286 084" for the digits of an integer part.
std::string GroupDigits(std::string_view digits) {
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += kGroup;
    out += digits[i];
  }
  return out;
}

// Wh as kWh with three decimals, grouped: "27 286 084.708".
std::string Kwh(int64_t wh) {
  const uint64_t a = wh < 0 ? 0 - static_cast<uint64_t>(wh) : static_cast<uint64_t>(wh);
  return absl::StrFormat("%s%s.%03d", wh < 0 ? "-" : "", GroupDigits(absl::StrCat(a / 1000)),
                         a % 1000);
}

std::string Tenge(int64_t tiyn) { return Money{tiyn}.ToGroupedString(kGroup); }

// A price with its own decimals (at least two), the integer part grouped.
std::string Price(Decimal price) {
  const std::string text = price.ToString(2);
  const size_t sign = text[0] == '-' ? 1 : 0;
  const size_t dot = text.find('.');
  return absl::StrCat(text.substr(0, sign), GroupDigits(text.substr(sign, dot - sign)),
                      text.substr(dot));
}

std::string RateText(Decimal rate) {
  if (rate.units() % Decimal::kOne == 0) return absl::StrCat(rate.units() / Decimal::kOne, "%");
  return absl::StrCat(rate.ToString(), "%");
}

// Writes text on pages, moving down and starting new pages as needed.
class Writer {
 public:
  Writer(HPDF_Doc doc, HPDF_Font font, HPDF_Font bold) : doc_(doc), font_(font), bold_(bold) {
    NewPage();
  }

  void NewPage() {
    page_ = HPDF_AddPage(doc_);
    HPDF_Page_SetSize(page_, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    y_ = kPageH - kMargin;
  }
  void Need(float h) {
    if (y_ - h < kMargin) NewPage();
  }
  float Width(std::string_view text, float size, bool bold = false) {
    HPDF_Page_SetFontAndSize(page_, bold ? bold_ : font_, size);
    const std::string s(text);
    return HPDF_Page_TextWidth(page_, s.c_str());
  }
  void Text(float x, float y, std::string_view text, float size, bool bold = false) {
    const std::string s(text);
    HPDF_Page_BeginText(page_);
    HPDF_Page_SetFontAndSize(page_, bold ? bold_ : font_, size);
    HPDF_Page_TextOut(page_, x, y, s.c_str());
    HPDF_Page_EndText(page_);
  }
  void TextRight(float right, float y, std::string_view text, float size, bool bold = false) {
    Text(right - Width(text, size, bold), y, text, size, bold);
  }
  // Splits `text` at spaces into lines no wider than `width`.
  std::vector<std::string> Wrap(std::string_view text, float width, float size, bool bold = false) {
    std::vector<std::string> lines;
    std::string cur;
    size_t i = 0;
    while (i < text.size()) {
      size_t j = text.find(' ', i);
      if (j == std::string_view::npos) j = text.size();
      const std::string word(text.substr(i, j - i));
      const std::string cand = cur.empty() ? word : absl::StrCat(cur, " ", word);
      if (!cur.empty() && Width(cand, size, bold) > width) {
        lines.push_back(cur);
        cur = word;
      } else {
        cur = cand;
      }
      i = j + 1;
    }
    if (!cur.empty()) lines.push_back(cur);
    if (lines.empty()) lines.push_back("");
    return lines;
  }
  // A paragraph at x, wrapped to `width`.
  void Para(float x, float width, std::string_view text, float size, bool bold = false) {
    for (const std::string& l : Wrap(text, width, size, bold)) {
      Need(size * 1.35f);
      y_ -= size * 1.35f;
      Text(x, y_, l, size, bold);
    }
  }
  void Gap(float h) { y_ -= h; }
  void Rule(float x1, float x2) {
    HPDF_Page_SetLineWidth(page_, 0.5f);
    HPDF_Page_MoveTo(page_, x1, y_);
    HPDF_Page_LineTo(page_, x2, y_);
    HPDF_Page_Stroke(page_);
  }
  float y() const { return y_; }
  void set_y(float y) { y_ = y; }

 private:
  HPDF_Doc doc_;
  HPDF_Font font_;
  HPDF_Font bold_;
  HPDF_Page page_ = nullptr;
  float y_ = 0;
};

std::string Subtitle(DocType t) {
  switch (t) {
    case DocType::kInvoice:
      return "Төлем шоты / Invoice for payment";
    case DocType::kAct:
      return "Көрсетілген қызметтер актісі (Р-1 нысаны) / Act of services rendered";
    case DocType::kCreditNote:
      return "Кредиттік нота (түзету) / Credit note";
    case DocType::kDebitNote:
      return "Дебеттік нота (түзету) / Debit note";
    case DocType::kEsf:
      return "Электрондық шот-фактура / Electronic VAT invoice";
  }
  return "";
}

}  // namespace

std::string DocumentTitle(const Document& doc) {
  std::string what;
  switch (doc.type) {
    case DocType::kInvoice:
      what = "Счёт на оплату";
      break;
    case DocType::kAct:
      what = "Акт оказанных услуг";
      break;
    case DocType::kEsf:
      what = "Электронный счёт-фактура";
      break;
    case DocType::kCreditNote:
      what = "Кредит-нота";
      break;
    case DocType::kDebitNote:
      what = "Дебет-нота";
      break;
  }
  return absl::StrCat(what, " № ", doc.number, " от ", FormatDayRu(doc.issue_date));
}

absl::StatusOr<std::string> RenderPdf(const Document& doc, const Seller& seller,
                                      const std::string& font_path) {
  absl::StatusOr<std::unique_ptr<pdf::Document>> rendered = pdf::Document::Create(font_path);
  if (!rendered.ok()) return rendered.status();
  HPDF_Doc d = (*rendered)->doc();
  HPDF_Font font = (*rendered)->font();
  HPDF_SetInfoAttr(d, HPDF_INFO_TITLE, DocumentTitle(doc).c_str());
  HPDF_SetInfoAttr(d, HPDF_INFO_CREATOR, "Gridbill invoicing");

  Writer w(d, font, font);
  const float right = kPageW - kMargin;
  const float width = right - kMargin;

  w.Para(kMargin, width, DocumentTitle(doc), 14, true);
  w.Para(kMargin, width, Subtitle(doc.type), 9);
  if (!doc.related_number.empty()) {
    w.Para(kMargin, width,
           absl::StrCat("К документу № ", doc.related_number,
                        doc.related_date ? absl::StrCat(" от ", FormatDayRu(*doc.related_date))
                                         : std::string()),
           9);
  }
  if (doc.provisional) {
    w.Para(kMargin, width,
           "ПРЕДВАРИТЕЛЬНЫЙ: объём основан на оценочных данных коммерческого учёта сверх "
           "допустимой доли",
           9, true);
  }
  w.Gap(6);
  w.Para(kMargin, width,
         absl::StrCat("Исполнитель: ", seller.name, ", БИН ", seller.bin, ", ", seller.address), 9);
  w.Para(kMargin, width,
         absl::StrCat("ИИК ", seller.iik, ", БИК ", seller.bik, ", Кбе ", seller.kbe,
                      ", свидетельство по НДС серия ", seller.vat_certificate_series, " № ",
                      seller.vat_certificate_number),
         9);
  w.Para(kMargin, width,
         absl::StrCat("Заказчик: ", doc.customer.name, ", БИН ", doc.customer.bin, ", ",
                      doc.customer.address),
         9);
  w.Para(kMargin, width,
         absl::StrCat("Договор № ", doc.contract_number, " от ", FormatDayRu(doc.contract_date),
                      "; расчётный период ", doc.period.ToString(), "; дата оборота ",
                      FormatDayRu(doc.turnover_date)),
         9);
  if (doc.type == DocType::kInvoice || doc.type == DocType::kDebitNote) {
    w.Para(kMargin, width, absl::StrCat("Срок оплаты: ", FormatDayRu(doc.due_date)), 9);
  }
  w.Gap(8);

  // The table: №, service, kWh, price, amount, VAT %, VAT, total. Every
  // column but the service's is as wide as its widest figure or heading
  // line; the service takes the rest. When the figures leave the service
  // less than kMinService, the table's type gets smaller.
  struct Column {
    std::vector<std::string> head;  // heading lines
    std::vector<std::string> cells;
    float width = 0;
  };
  std::vector<Column> columns = {
      {{"№"}, {}},
      {{"Наименование услуги"}, {}},
      {{"Кол-во,", "кВт·ч"}, {}},
      {{"Цена,", "тг/кВт·ч"}, {}},
      {{"Сумма", "без НДС, тг"}, {}},
      {{"НДС,", "%"}, {}},
      {{"Сумма", "НДС, тг"}, {}},
      {{"Всего", "с НДС, тг"}, {}},
  };
  for (const Line& l : doc.lines) {
    const std::string cells[] = {absl::StrCat(l.line_no), "",
                                 Kwh(l.volume_wh),        Price(l.price_per_kwh),
                                 Tenge(l.amount_tiyn),    RateText(l.vat_rate_percent),
                                 Tenge(l.vat_tiyn),       Tenge(l.total_tiyn)};
    for (size_t i = 0; i < columns.size(); ++i) columns[i].cells.push_back(cells[i]);
  }
  constexpr float kPad = 4;          // each side of a cell
  constexpr float kMinService = 90;  // the service column at least
  float size = 7;
  float service = 0;
  for (; size > 4.5f; size -= 0.5f) {
    float fixed = 0;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i == 1) continue;
      float wmax = 0;
      for (const std::string& h : columns[i].head) wmax = std::max(wmax, w.Width(h, size, true));
      for (const std::string& c : columns[i].cells) wmax = std::max(wmax, w.Width(c, size));
      columns[i].width = wmax + 2 * kPad;
      fixed += columns[i].width;
    }
    service = width - fixed;
    if (service >= kMinService) break;
  }
  columns[1].width = std::max(service, kMinService);
  std::vector<float> left;  // of each column
  float x = kMargin;
  for (const Column& c : columns) {
    left.push_back(x);
    x += c.width;
  }
  const float line_h = size * 1.3f;
  w.Need(line_h * 2 + 12);
  w.Rule(kMargin, right);
  for (size_t row = 0; row < 2; ++row) {
    w.Gap(line_h);
    for (size_t i = 0; i < columns.size(); ++i) {
      if (row >= columns[i].head.size()) continue;
      const std::string& h = columns[i].head[row];
      if (i <= 1) {
        w.Text(left[i] + kPad, w.y(), h, size, true);
      } else {
        w.TextRight(left[i] + columns[i].width - kPad, w.y(), h, size, true);
      }
    }
  }
  w.Gap(line_h * 0.5f);
  w.Rule(kMargin, right);
  for (size_t n = 0; n < doc.lines.size(); ++n) {
    const Line& l = doc.lines[n];
    std::vector<std::string> desc = w.Wrap(l.description, columns[1].width - 2 * kPad, size);
    for (const std::string& part :
         w.Wrap(absl::StrCat("тариф ", l.tariff_id, " v", l.tariff_version, "; баланс ",
                             l.balance_run_id),
                columns[1].width - 2 * kPad, size)) {
      desc.push_back(part);
    }
    const float h = line_h * static_cast<float>(desc.size()) + 4;
    w.Need(h);
    w.Gap(line_h);
    const float top = w.y();
    w.Text(left[0] + kPad, top, columns[0].cells[n], size);
    for (size_t i = 2; i < columns.size(); ++i) {
      w.TextRight(left[i] + columns[i].width - kPad, top, columns[i].cells[n], size);
    }
    for (size_t i = 0; i < desc.size(); ++i) {
      w.Text(left[1] + kPad, top - line_h * static_cast<float>(i), desc[i], size);
    }
    w.set_y(top - line_h * static_cast<float>(desc.size() - 1) - 4);
    w.Rule(kMargin, right);
  }
  w.Gap(14);
  w.Need(50);
  w.TextRight(right, w.y(), absl::StrCat("Итого без НДС: ", Tenge(doc.amount_tiyn), " тг"), 9);
  w.Gap(13);
  w.TextRight(right, w.y(), absl::StrCat("НДС: ", Tenge(doc.vat_tiyn), " тг"), 9);
  w.Gap(13);
  w.TextRight(right, w.y(), absl::StrCat("Всего с НДС: ", Tenge(doc.total_tiyn), " тг"), 10, true);
  w.Gap(24);
  if (doc.type == DocType::kAct) {
    w.Need(60);
    w.Text(kMargin, w.y(), "Сдал (Исполнитель) / Тапсырды", 9, true);
    w.Text(kMargin + width / 2, w.y(), "Принял (Заказчик) / Қабылдады", 9, true);
    w.Gap(14);
    w.Text(kMargin, w.y(), absl::StrCat(seller.signatory_position, " ", seller.signatory_name), 8);
    w.Text(kMargin + width / 2, w.y(), "должность, Ф.И.О.: ______________________", 8);
    w.Gap(18);
    w.Text(kMargin, w.y(), "подпись ______________   М.П.", 8);
    w.Text(kMargin + width / 2, w.y(), "подпись ______________   М.П.", 8);
  } else {
    w.Para(kMargin, width,
           absl::StrCat(seller.signatory_position, " ", seller.signatory_name, " ______________"),
           8);
  }
  return (*rendered)->Save();
}

}  // namespace gridbill::invoicing
