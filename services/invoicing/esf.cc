#include "esf.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "accrual.h"
#include "gridbill/base/errors.h"
#include "gridbill/domain/money.h"

namespace gridbill::invoicing {
namespace {

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

class Xml {
 public:
  void Open(std::string_view name) {
    Indent();
    absl::StrAppend(&out_, "<", ToAbslView(name), ">\n");
    ++depth_;
  }
  void Close(std::string_view name) {
    --depth_;
    Indent();
    absl::StrAppend(&out_, "</", ToAbslView(name), ">\n");
  }
  void Leaf(std::string_view name, std::string_view text) {
    Indent();
    absl::StrAppend(&out_, "<", ToAbslView(name), ">", Escape(text), "</", ToAbslView(name), ">\n");
  }
  void Raw(std::string_view text) { out_.append(text); }
  std::string Take() { return std::move(out_); }

 private:
  static absl::string_view ToAbslView(std::string_view s) { return {s.data(), s.size()}; }
  void Indent() { out_.append(static_cast<size_t>(depth_) * 2, ' '); }
  std::string out_;
  int depth_ = 0;
};

std::string MoneyText(int64_t tiyn) { return Money{tiyn}.ToString(); }

// kWh with three decimals from Wh.
std::string KwhText(int64_t wh) {
  const int64_t a = wh < 0 ? -wh : wh;
  return absl::StrFormat("%s%d.%03d", wh < 0 ? "-" : "", a / 1000, a % 1000);
}

// A whole-number percent ("12") or the exact decimal when fractional.
std::string RateText(Decimal rate) {
  if (rate.units() % Decimal::kOne == 0) return absl::StrCat(rate.units() / Decimal::kOne);
  return rate.ToString();
}

}  // namespace

std::string EsfInvoiceType(const Document& esf) {
  return esf.related_id.empty() ? "ORDINARY_INVOICE" : "ADDITIONAL_INVOICE";
}

std::string EsfNum(const Document& esf) {
  return absl::StrFormat("%04d%07d", esf.issue_date.year(), esf.seq);
}

absl::StatusOr<std::string> RenderEsfXml(const Document& esf, const Seller& seller) {
  if (esf.type != DocType::kEsf) return InvalidField("type", "not an ESF document");
  Xml x;
  x.Raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  x.Raw("<esf:invoiceContainer xmlns:esf=\"esf\" xmlns:v2=\"v2.esf\">\n");
  x.Raw("  <invoiceSet>\n");
  x.Raw("    <v2:invoice>\n");
  // Children are indented by the writer from depth 0; nest them visually.
  Xml body;
  body.Leaf("date", FormatDayRu(esf.issue_date));
  body.Leaf("invoiceType", EsfInvoiceType(esf));
  if (!esf.related_id.empty()) {
    body.Open("relatedInvoice");
    body.Leaf("date", esf.related_date ? FormatDayRu(*esf.related_date) : "");
    body.Leaf("num", esf.related_number);
    body.Close("relatedInvoice");
  }
  body.Leaf("num", EsfNum(esf));
  body.Leaf("operatorFullname", seller.signatory_name);
  body.Leaf("turnoverDate", FormatDayRu(esf.turnover_date));
  body.Open("customers");
  body.Open("customer");
  body.Leaf("tin", esf.customer.bin);
  body.Leaf("name", esf.customer.name);
  body.Leaf("address", esf.customer.address);
  body.Leaf("countryCode", "KZ");
  body.Close("customer");
  body.Close("customers");
  body.Leaf("deliveryDocNum", esf.delivery_doc_number);
  body.Leaf("deliveryDocDate", esf.delivery_doc_date ? FormatDayRu(*esf.delivery_doc_date)
                                                     : FormatDayRu(esf.issue_date));
  body.Open("deliveryTerm");
  body.Leaf("hasContract", "true");
  body.Leaf("contractNum", esf.contract_number);
  body.Leaf("contractDate", FormatDayRu(esf.contract_date));
  body.Close("deliveryTerm");
  body.Open("productSet");
  body.Leaf("currencyCode", "KZT");
  body.Open("products");
  for (const Line& l : esf.lines) {
    body.Open("product");
    body.Leaf("description", l.description);
    body.Leaf("quantity", KwhText(l.volume_wh));
    body.Leaf("unitNomenclature", "кВт·ч");
    body.Leaf("unitPrice", l.price_per_kwh.ToString(2));
    body.Leaf("priceWithoutTax", MoneyText(l.amount_tiyn));
    body.Leaf("turnoverSize", MoneyText(l.amount_tiyn));
    body.Leaf("ndsRate", RateText(l.vat_rate_percent));
    body.Leaf("ndsAmount", MoneyText(l.vat_tiyn));
    body.Leaf("priceWithTax", MoneyText(l.total_tiyn));
    body.Leaf("truOriginCode", "6");
    body.Leaf("catalogTruId", absl::StrCat("TSO-", ServiceCode(l.service)));
    body.Close("product");
  }
  body.Close("products");
  body.Leaf("totalPriceWithoutTax", MoneyText(esf.amount_tiyn));
  body.Leaf("totalNdsAmount", MoneyText(esf.vat_tiyn));
  body.Leaf("totalPriceWithTax", MoneyText(esf.total_tiyn));
  body.Leaf("totalTurnoverSize", MoneyText(esf.amount_tiyn));
  body.Leaf("totalExciseAmount", "0.00");
  body.Close("productSet");
  body.Open("sellers");
  body.Open("seller");
  body.Leaf("tin", seller.bin);
  body.Leaf("name", seller.name);
  body.Leaf("address", seller.address);
  body.Leaf("iik", seller.iik);
  body.Leaf("bik", seller.bik);
  body.Leaf("kbe", seller.kbe);
  body.Leaf("certificateSeries", seller.vat_certificate_series);
  body.Leaf("certificateNum", seller.vat_certificate_number);
  body.Close("seller");
  body.Close("sellers");
  // Indent the body by three levels.
  std::string text = body.Take();
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    x.Raw("      ");
    x.Raw(std::string_view(text).substr(start, end - start + 1));
    start = end + 1;
  }
  x.Raw("    </v2:invoice>\n");
  x.Raw("  </invoiceSet>\n");
  x.Raw("</esf:invoiceContainer>\n");
  return x.Take();
}

}  // namespace gridbill::invoicing
