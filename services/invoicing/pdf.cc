#include "pdf.h"

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_fontdef.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "accrual.h"
#include "gridbill/domain/money.h"

namespace gridbill::invoicing {
namespace {

struct HaruError {
  HPDF_STATUS code = 0;
  HPDF_STATUS detail = 0;
};

void OnHaruError(HPDF_STATUS code, HPDF_STATUS detail, void* data) {
  auto* e = static_cast<HaruError*>(data);
  if (e->code == 0) {
    e->code = code;
    e->detail = detail;
  }
}

struct DocDeleter {
  void operator()(HPDF_Doc d) const { HPDF_Free(d); }
};

// The font files' bytes, read once per process and path. libHaru cannot
// share a parsed font between documents (a document owns its font
// definition, which records the glyphs it used for embedding), but it can
// parse one from memory: a rendering then neither opens nor reads the file.
class FontFiles {
 public:
  // UNAVAILABLE when the file cannot be read (not cached: a later call
  // tries again).
  absl::StatusOr<std::shared_ptr<const std::string>> Get(const std::string& path) {
    {
      absl::MutexLock lock(&mu_);
      auto it = files_.find(path);
      if (it != files_.end()) return it->second;
    }
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      return absl::UnavailableError(absl::StrCat("pdf: cannot read font ", path));
    }
    if (bytes.empty()) return absl::UnavailableError(absl::StrCat("pdf: cannot read font ", path));
    auto shared = std::make_shared<const std::string>(std::move(bytes));
    absl::MutexLock lock(&mu_);
    return files_.emplace(path, std::move(shared)).first->second;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<const std::string>> files_ ABSL_GUARDED_BY(mu_);
};

FontFiles& Fonts() {
  static FontFiles files;
  return files;
}

// A read-only libHaru stream over bytes the caller keeps alive.
struct MemoryFont {
  const std::string* bytes = nullptr;
  size_t pos = 0;
};

HPDF_STATUS FontRead(HPDF_Stream stream, HPDF_BYTE* ptr, HPDF_UINT* size) {
  auto* f = static_cast<MemoryFont*>(stream->attr);
  const size_t left = f->pos < f->bytes->size() ? f->bytes->size() - f->pos : 0;
  const size_t n = std::min<size_t>(*size, left);
  std::memcpy(ptr, f->bytes->data() + f->pos, n);
  f->pos += n;
  if (n == *size) return HPDF_OK;
  // As libHaru's file reader: a short read is the end of the stream, not an
  // error, and the rest of the buffer is zero.
  std::memset(ptr + n, 0, *size - n);
  *size = static_cast<HPDF_UINT>(n);
  return HPDF_STREAM_EOF;
}

HPDF_STATUS FontSeek(HPDF_Stream stream, HPDF_INT pos, HPDF_WhenceMode mode) {
  auto* f = static_cast<MemoryFont*>(stream->attr);
  int64_t to = pos;
  if (mode == HPDF_SEEK_CUR) to += static_cast<int64_t>(f->pos);
  if (mode == HPDF_SEEK_END) to += static_cast<int64_t>(f->bytes->size());
  if (to < 0) return HPDF_SetError(stream->error, HPDF_FILE_IO_ERROR, 0);
  f->pos = static_cast<size_t>(to);
  return HPDF_OK;
}

HPDF_INT32 FontTell(HPDF_Stream stream) {
  return static_cast<HPDF_INT32>(static_cast<MemoryFont*>(stream->attr)->pos);
}

HPDF_UINT32 FontSize(HPDF_Stream stream) {
  return static_cast<HPDF_UINT32>(static_cast<MemoryFont*>(stream->attr)->bytes->size());
}

// Embeds the TrueType font in `bytes` as HPDF_LoadTTFontFromFile would (the
// same definition and the same tag, so the same PDF bytes), reading it from
// memory. `font` must outlive the document. Returns the font's name, or
// null on error (recorded in the document's error handler).
const char* LoadFontFromMemory(HPDF_Doc d, MemoryFont& font) {
  HPDF_Stream stream =
      HPDF_CallbackReader_New(d->mmgr, FontRead, FontSeek, FontTell, FontSize, &font);
  if (stream == nullptr) return nullptr;
  HPDF_FontDef def = HPDF_TTFontDef_Load(d->mmgr, stream, HPDF_TRUE);  // owns the stream
  if (def == nullptr) return nullptr;
  if (HPDF_Doc_RegisterFontDef(d, def) != HPDF_OK) return nullptr;  // frees def on error
  // The tag of a document's first embedded font ("HPDFAA+DejaVuSans").
  std::memcpy(d->ttfont_tag, "HPDFAA", 6);
  HPDF_TTFontDef_SetTagName(def, reinterpret_cast<char*>(d->ttfont_tag));
  return def->base_font;
}

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
  auto font_bytes = Fonts().Get(font_path);
  if (!font_bytes.ok()) return font_bytes.status();
  MemoryFont font_stream{font_bytes->get(), 0};
  HaruError err;
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, DocDeleter> pdf(HPDF_New(OnHaruError, &err));
  if (!pdf) return absl::InternalError("pdf: cannot create a document");
  HPDF_Doc d = pdf.get();
  HPDF_SetCompressionMode(d, HPDF_COMP_ALL);
  HPDF_UseUTFEncodings(d);
  HPDF_SetCurrentEncoder(d, "UTF-8");
  const char* regular_name = LoadFontFromMemory(d, font_stream);
  if (regular_name == nullptr || err.code != 0) {
    return absl::InternalError(absl::StrFormat("pdf: cannot embed font %s (libharu 0x%04X)",
                                               font_path, static_cast<unsigned>(err.code)));
  }
  HPDF_Font font = HPDF_GetFont(d, regular_name, "UTF-8");
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
  if (err.code != 0) {
    return absl::InternalError(absl::StrFormat("pdf: libharu error 0x%04X (detail %d)",
                                               static_cast<unsigned>(err.code),
                                               static_cast<int>(err.detail)));
  }
  if (HPDF_SaveToStream(d) != HPDF_OK) return absl::InternalError("pdf: cannot save");
  std::string out;
  out.reserve(HPDF_GetStreamSize(d));
  HPDF_ResetStream(d);
  for (;;) {
    HPDF_BYTE buf[8192];
    HPDF_UINT32 size = sizeof(buf);
    HPDF_STATUS st = HPDF_ReadFromStream(d, buf, &size);
    out.append(reinterpret_cast<const char*>(buf), size);
    if (st == HPDF_STREAM_EOF) break;
    if (st != HPDF_OK) return absl::InternalError("pdf: cannot read the stream");
  }
  return out;
}

}  // namespace gridbill::invoicing
