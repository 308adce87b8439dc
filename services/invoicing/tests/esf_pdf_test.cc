// The ESF XML checked against the InvoiceV2 structure of DOMAIN.md (parsed
// with expat: element order, required elements, 2-decimal money), and the
// PDF renderings checked for the embedded font and their text (pdftotext).
#include <expat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "accrual.h"
#include "catch2/catch.hpp"
#include "esf.h"
#include "gridbill/base/sha256.h"
#include "gridbill/domain/money.h"
#include "pdf.h"

namespace gridbill::invoicing {
namespace {

Decimal Dec(const char* s) { return *Decimal::Parse(s); }

// A parsed XML element.
struct Node {
  std::string name;
  std::string text;
  std::vector<std::unique_ptr<Node>> children;
  const Node* Child(std::string_view n) const {
    for (const auto& c : children) {
      if (c->name == n) return c.get();
    }
    return nullptr;
  }
};

struct ParseState {
  std::unique_ptr<Node> root;
  std::vector<Node*> stack;
};

std::unique_ptr<Node> ParseXml(const std::string& xml) {
  ParseState st;
  XML_Parser p = XML_ParserCreate("UTF-8");
  XML_SetUserData(p, &st);
  XML_SetElementHandler(
      p,
      [](void* ud, const XML_Char* name, const XML_Char**) {
        auto* s = static_cast<ParseState*>(ud);
        auto n = std::make_unique<Node>();
        n->name = name;
        Node* raw = n.get();
        if (s->stack.empty()) {
          s->root = std::move(n);
        } else {
          s->stack.back()->children.push_back(std::move(n));
        }
        s->stack.push_back(raw);
      },
      [](void* ud, const XML_Char*) { static_cast<ParseState*>(ud)->stack.pop_back(); });
  XML_SetCharacterDataHandler(p, [](void* ud, const XML_Char* s, int len) {
    auto* st = static_cast<ParseState*>(ud);
    if (!st->stack.empty()) st->stack.back()->text.append(s, static_cast<size_t>(len));
  });
  const bool ok = XML_Parse(p, xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_OK;
  XML_ParserFree(p);
  REQUIRE(ok);
  return std::move(st.root);
}

std::string Trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \n");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \n") - a + 1);
}

Seller TestSeller() {
  Seller s;
  s.bin = "960440000151";
  s.name = "АО «KEGOC»";
  s.address = "г. Астана, пр. Тәуелсіздік, 59";
  s.iik = "KZ906017111000000001";
  s.bik = "HSBKKZKX";
  s.kbe = "16";
  s.vat_certificate_series = "62001";
  s.vat_certificate_number = "0012345";
  s.signatory_position = "Главный бухгалтер";
  s.signatory_name = "Әлия Қасымова";
  return s;
}

Document Sample(DocType type) {
  Document d;
  d.type = type;
  d.seq = 42;
  d.number = absl::StrCat(DocTypePrefix(type), "-2026-000042");
  d.issue_date = absl::CivilDay(2026, 4, 2);
  d.turnover_date = absl::CivilDay(2026, 3, 31);
  d.period = *BillingPeriod::Make(2026, 3);
  d.customer = {
      "p-1", "990740000683", "ТОО «Ақтөбе Энергия» (әғқңөұүһі)", "Ақтөбе қ., Абай к-сі, 1", "", "",
      ""};
  d.contract_id = "c-1";
  d.contract_number = "TR-0001";
  d.contract_date = absl::CivilDay(2025, 12, 1);
  d.delivery_doc_number = "ACT-2026-000042";
  d.delivery_doc_date = d.issue_date;
  d.due_date = absl::CivilDay(2026, 4, 25);
  const TariffPart parts[] = {
      {"t-old", 3, Dec("3.004"), absl::CivilDay(2026, 3, 1), absl::CivilDay(2026, 3, 15), 360},
      {"t-new", 1, Dec("3.134"), absl::CivilDay(2026, 3, 16), absl::CivilDay(2026, 3, 31), 384}};
  VolumeInput v;
  v.total_wh = 1'000'000'000;
  v.balance_run_id = "run-1";
  d.lines = *AccrualLines(Service::kTransmission, d.period, parts, v, Dec("16"));
  SumLines(d);
  return d;
}

TEST_CASE("ESF XML follows the InvoiceV2 structure: order, required elements, 2-decimal money") {
  const Document esf = Sample(DocType::kEsf);
  auto xml = RenderEsfXml(esf, TestSeller());
  REQUIRE(xml.ok());
  auto root = ParseXml(*xml);
  REQUIRE(root->name == "esf:invoiceContainer");
  const Node* set = root->Child("invoiceSet");
  REQUIRE(set != nullptr);
  const Node* inv = set->Child("v2:invoice");
  REQUIRE(inv != nullptr);
  // Children appear in schema order (each at most once; relatedInvoice only for corrections).
  std::vector<std::string> order(std::begin(kEsfInvoiceOrder), std::end(kEsfInvoiceOrder));
  size_t pos = 0;
  for (const auto& c : inv->children) {
    while (pos < order.size() && order[pos] != c->name) ++pos;
    INFO("element " << c->name);
    REQUIRE(pos < order.size());
    ++pos;
  }
  for (const char* required :
       {"date", "invoiceType", "num", "operatorFullname", "turnoverDate", "customers",
        "deliveryDocNum", "deliveryDocDate", "deliveryTerm", "productSet", "sellers"}) {
    INFO(required);
    REQUIRE(inv->Child(required) != nullptr);
  }
  CHECK(inv->Child("relatedInvoice") == nullptr);
  CHECK(Trim(inv->Child("invoiceType")->text) == "ORDINARY_INVOICE");
  CHECK(Trim(inv->Child("date")->text) == "02.04.2026");
  CHECK(Trim(inv->Child("turnoverDate")->text) == "31.03.2026");
  CHECK(Trim(inv->Child("num")->text) == "20260000042");
  CHECK(std::regex_match(Trim(inv->Child("num")->text), std::regex("[0-9]{1,30}")));
  CHECK(Trim(inv->Child("deliveryDocNum")->text) == "ACT-2026-000042");
  const Node* customer = inv->Child("customers")->Child("customer");
  REQUIRE(customer != nullptr);
  CHECK(Trim(customer->Child("tin")->text) == "990740000683");
  CHECK(Trim(customer->Child("countryCode")->text) == "KZ");
  CHECK(absl::StrContains(customer->Child("name")->text, "әғқңөұүһі"));
  const Node* term = inv->Child("deliveryTerm");
  CHECK(Trim(term->Child("hasContract")->text) == "true");
  CHECK(Trim(term->Child("contractNum")->text) == "TR-0001");
  CHECK(Trim(term->Child("contractDate")->text) == "01.12.2025");

  const std::regex money("-?[0-9]+\\.[0-9]{2}");
  const Node* ps = inv->Child("productSet");
  CHECK(Trim(ps->Child("currencyCode")->text) == "KZT");
  const std::vector<std::string> product_order = {
      "description",     "quantity",      "unitNomenclature", "unitPrice",
      "priceWithoutTax", "turnoverSize",  "ndsRate",          "ndsAmount",
      "priceWithTax",    "truOriginCode", "catalogTruId"};
  const Node* products = ps->Child("products");
  REQUIRE(products->children.size() == 2);
  int64_t sum_with_tax = 0;
  for (const auto& p : products->children) {
    REQUIRE(p->name == "product");
    REQUIRE(p->children.size() == product_order.size());
    for (size_t i = 0; i < product_order.size(); ++i) {
      REQUIRE(p->children[i]->name == product_order[i]);
    }
    for (const char* m : {"priceWithoutTax", "turnoverSize", "ndsAmount", "priceWithTax"}) {
      INFO(m << " = " << p->Child(m)->text);
      REQUIRE(std::regex_match(p->Child(m)->text, money));
    }
    CHECK(p->Child("ndsRate")->text == "16");
    CHECK(p->Child("truOriginCode")->text == "6");
    sum_with_tax += Money::Parse(p->Child("priceWithTax")->text)->tiyn;
  }
  CHECK(products->children[0]->Child("quantity")->text == "483870.968");
  CHECK(products->children[0]->Child("priceWithoutTax")->text == "1453548.39");
  const std::vector<std::string> total_order = {"totalPriceWithoutTax", "totalNdsAmount",
                                                "totalPriceWithTax", "totalTurnoverSize",
                                                "totalExciseAmount"};
  for (size_t i = 0; i < total_order.size(); ++i) {
    REQUIRE(ps->children[2 + i]->name == total_order[i]);
    REQUIRE(std::regex_match(ps->children[2 + i]->text, money));
  }
  CHECK(ps->Child("totalPriceWithTax")->text == "3562472.26");
  CHECK(Money::Parse(ps->Child("totalPriceWithTax")->text)->tiyn == sum_with_tax);
  const Node* seller = inv->Child("sellers")->Child("seller");
  for (const char* f :
       {"tin", "name", "address", "iik", "bik", "kbe", "certificateSeries", "certificateNum"}) {
    INFO(f);
    REQUIRE(seller->Child(f) != nullptr);
  }
  CHECK(seller->Child("tin")->text == "960440000151");
}

TEST_CASE("the ESF of a credit note is an ADDITIONAL_INVOICE naming the related ESF") {
  Document esf = Sample(DocType::kEsf);
  esf.related_id = "orig";
  esf.related_number = "20260000007";
  esf.related_date = absl::CivilDay(2026, 1, 5);
  auto root = ParseXml(*RenderEsfXml(esf, TestSeller()));
  const Node* inv = root->Child("invoiceSet")->Child("v2:invoice");
  CHECK(Trim(inv->Child("invoiceType")->text) == "ADDITIONAL_INVOICE");
  const Node* rel = inv->Child("relatedInvoice");
  REQUIRE(rel != nullptr);
  CHECK(rel->Child("num")->text == "20260000007");
  CHECK(rel->Child("date")->text == "05.01.2026");
  CHECK(inv->children[2]->name == "relatedInvoice");
  CHECK(RenderEsfXml(Sample(DocType::kInvoice), TestSeller()).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

std::string PdfText(const std::string& pdf) {
  char dir[] = "/tmp/gridbill-pdf-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string in = absl::StrCat(dir, "/doc.pdf");
  const std::string out = absl::StrCat(dir, "/doc.txt");
  {
    std::ofstream f(in, std::ios::binary);
    f << pdf;
  }
  const std::string cmd = absl::StrCat("pdftotext -enc UTF-8 ", in, " ", out);
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  std::remove(in.c_str());
  std::remove(out.c_str());
  rmdir(dir);
  return ss.str();
}

TEST_CASE("an invoice PDF embeds the TrueType font and carries Cyrillic and Kazakh text") {
  const Document doc = Sample(DocType::kInvoice);
  auto pdf = RenderPdf(doc, TestSeller());
  REQUIRE(pdf.ok());
  REQUIRE(absl::StartsWith(*pdf, "%PDF-"));
  CHECK(absl::StrContains(*pdf, "/FontFile2"));  // an embedded TrueType program
  CHECK(absl::StrContains(*pdf, "DejaVuSans"));
  const std::string text = PdfText(*pdf);
  INFO(text);
  CHECK(absl::StrContains(text, "Счёт на оплату № INV-2026-000042 от 02.04.2026"));
  CHECK(absl::StrContains(text, "әғқңөұүһі"));
  CHECK(absl::StrContains(text, "Төлем шоты"));
  CHECK(absl::StrContains(text, "TR-0001"));
  CHECK(absl::StrContains(text, "3 562 472.26"));
  // Deterministic: the same document renders to the same bytes and hash.
  auto again = RenderPdf(doc, TestSeller());
  REQUIRE(again.ok());
  CHECK(Sha256Hex(*again) == Sha256Hex(*pdf));
}

TEST_CASE("an act PDF has the handed-over and accepted signature blocks") {
  auto pdf = RenderPdf(Sample(DocType::kAct), TestSeller());
  REQUIRE(pdf.ok());
  const std::string text = PdfText(*pdf);
  INFO(text);
  CHECK(absl::StrContains(text, "Акт оказанных услуг № ACT-2026-000042"));
  CHECK(absl::StrContains(text, "Көрсетілген қызметтер актісі"));
  CHECK(absl::StrContains(text, "Сдал (Исполнитель)"));
  CHECK(absl::StrContains(text, "Принял (Заказчик)"));
  CHECK(absl::StrContains(text, "Әлия Қасымова"));
}

// The text of a PDF laid out as on the page (pdftotext -layout).
std::string PdfLayoutText(const std::string& pdf) {
  char dir[] = "/tmp/gridbill-pdf-XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string in = absl::StrCat(dir, "/doc.pdf");
  const std::string out = absl::StrCat(dir, "/doc.txt");
  {
    std::ofstream f(in, std::ios::binary);
    f << pdf;
  }
  const std::string cmd = absl::StrCat("pdftotext -layout -enc UTF-8 ", in, " ", out);
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream f(out);
  std::stringstream ss;
  ss << f.rdbuf();
  std::remove(in.c_str());
  std::remove(out.c_str());
  rmdir(dir);
  return ss.str();
}

// `figure` (digit groups joined by spaces: text extraction gives the PDF's
// no-break group separators back as spaces) printed whole and apart from
// its neighbours: at a line start or after a space that does not follow a
// digit (so not the tail of a longer number, nor glued to the column before),
// and at a line end or before a space not followed by a digit (so not
// glued to the column after). Overprinted columns fail both.
bool AppearsWhole(const std::string& text, const std::string& figure) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (size_t at = text.find(figure); at != std::string::npos; at = text.find(figure, at + 1)) {
    const bool start_ok = at == 0 || text[at - 1] == '\n' ||
                          (text[at - 1] == ' ' && (at < 2 || !digit(text[at - 2])));
    const size_t end = at + figure.size();
    const bool end_ok = end == text.size() || text[end] == '\n' ||
                        (text[end] == ' ' && (end + 1 >= text.size() || !digit(text[end + 1])));
    if (start_ok && end_ok) return true;
  }
  return false;
}

// Digits grouped by threes with spaces, as extracted from the PDF.
std::string Grouped(const std::string& plain) {
  const size_t sign = plain[0] == '-' ? 1 : 0;
  size_t dot = plain.find('.');
  if (dot == std::string::npos) dot = plain.size();
  std::string out = plain.substr(0, sign);
  for (size_t i = sign; i < dot; ++i) {
    if (i > sign && (dot - i) % 3 == 0) out += " ";
    out += plain[i];
  }
  return out + plain.substr(dot);
}

std::string PlainKwh(int64_t wh) {
  const int64_t a = wh < 0 ? -wh : wh;
  return absl::StrFormat("%s%d.%03d", wh < 0 ? "-" : "", a / 1000, a % 1000);
}

Document WithVolume(DocType type, int64_t wh, const char* price_a, const char* price_b) {
  Document d = Sample(type);
  const TariffPart parts[] = {
      {"t-old", 3, Dec(price_a), absl::CivilDay(2026, 3, 1), absl::CivilDay(2026, 3, 15), 360},
      {"t-new", 1, Dec(price_b), absl::CivilDay(2026, 3, 16), absl::CivilDay(2026, 3, 31), 384}};
  VolumeInput v;
  v.total_wh = wh;
  v.balance_run_id = "bal-2026-03-final";
  d.lines = *AccrualLines(Service::kTransmission, d.period, parts, v, Dec("16"));
  if (type == DocType::kCreditNote) {
    for (Line& l : d.lines) {
      l.volume_wh = -l.volume_wh;
      l.amount_tiyn = -l.amount_tiyn;
      l.vat_tiyn = -l.vat_tiyn;
      l.total_tiyn = -l.total_tiyn;
    }
  }
  SumLines(d);
  return d;
}

TEST_CASE("PDF tables fit the largest and smallest figures: every number whole and apart") {
  struct Case {
    const char* name;
    Document doc;
  };
  // 3 billion kWh at 3.004 / 3.134 tg: about 920 billion tiyn before VAT,
  // over a trillion with it; a 6-decimal price; one watt-hour; a credit note
  // of the largest amounts.
  const Case cases[] = {
      {"largest invoice", WithVolume(DocType::kInvoice, 3'000'000'000'000, "3.004", "3.134")},
      {"largest act", WithVolume(DocType::kAct, 3'000'000'000'000, "3.004", "3.134")},
      {"largest credit note",
       WithVolume(DocType::kCreditNote, 3'000'000'000'000, "3.004", "3.134")},
      {"six-decimal prices", WithVolume(DocType::kInvoice, 27'286'084'708, "0.123456", "2.5")},
      {"smallest invoice", WithVolume(DocType::kInvoice, 1, "0.000001", "0.1")},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const Document& d = c.doc;
    auto pdf = RenderPdf(d, TestSeller());
    REQUIRE(pdf.ok());
    if (const char* keep = std::getenv("GRIDBILL_KEEP_PDF_DIR"); keep != nullptr) {
      std::ofstream(absl::StrCat(keep, "/", d.number, ".pdf"), std::ios::binary) << *pdf;
    }
    const std::string text = PdfLayoutText(*pdf);
    INFO(text);
    std::vector<std::string> figures;
    for (const Line& l : d.lines) {
      figures.push_back(Grouped(PlainKwh(l.volume_wh)));
      figures.push_back(Grouped(l.price_per_kwh.ToString(2)));
      figures.push_back(Grouped(Money{l.amount_tiyn}.ToString()));
      figures.push_back(Grouped(Money{l.vat_tiyn}.ToString()));
      figures.push_back(Grouped(Money{l.total_tiyn}.ToString()));
      figures.push_back("16%");
    }
    figures.push_back(Grouped(Money{d.amount_tiyn}.ToString()));
    figures.push_back(Grouped(Money{d.vat_tiyn}.ToString()));
    figures.push_back(Grouped(Money{d.total_tiyn}.ToString()));
    for (const std::string& f : figures) {
      INFO("figure " << f);
      CHECK(AppearsWhole(text, f));
    }
    // Quantities are grouped like amounts; the act's appendix heading is gone.
    CHECK_FALSE(absl::StrContains(text, "сведения о балансе"));
  }
  // What the largest case prints, spelled out.
  const Document& big = cases[0].doc;
  CHECK(big.total_tiyn > 1'000'000'000'000);
}

TEST_CASE("a missing font is reported, not rendered with a fallback") {
  auto pdf = RenderPdf(Sample(DocType::kInvoice), TestSeller(), "/nonexistent/font.ttf");
  REQUIRE(pdf.status().code() == absl::StatusCode::kUnavailable);
  CHECK(absl::StrContains(pdf.status().message(), "font"));
}

}  // namespace
}  // namespace gridbill::invoicing
