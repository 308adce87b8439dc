#include "documents.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "accrual.h"
#include "esf.h"
#include "gridbill/base/csv.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/json.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/money.h"
#include "ledger.h"
#include "pdf.h"

namespace gridbill::invoicing {

namespace {

// Invoices and debit notes are what payments pay: the documents with an open amount.
bool IsOpenable(const Document& d) {
  return d.type == DocType::kInvoice || d.type == DocType::kDebitNote;
}

}  // namespace

absl::StatusOr<PeriodView> Documents::View(Period p) {
  ASSIGN_OR_RETURN(std::vector<VatRate> rates, store_.VatRates());
  ASSIGN_OR_RETURN(VatTable table, VatTable::Make(rates));
  PeriodView v;
  ASSIGN_OR_RETURN(v.vat_rate_percent, table.RateOn(p.period.last_day()));
  v.period = std::move(p);
  return v;
}

absl::StatusOr<PeriodView> Documents::GetPeriod(const BillingPeriod& period) {
  ASSIGN_OR_RETURN(Period p, store_.GetPeriod(period));
  return View(std::move(p));
}

absl::StatusOr<paging::PageOf<PeriodView>> Documents::ListPeriods(const paging::Page& page) {
  ASSIGN_OR_RETURN(paging::PageOf<Period> periods, store_.ListPeriods(page));
  paging::PageOf<PeriodView> out;
  out.next = std::move(periods.next);
  for (Period& p : periods.items) {
    ASSIGN_OR_RETURN(PeriodView v, View(std::move(p)));
    out.items.push_back(std::move(v));
  }
  return out;
}

absl::StatusOr<PeriodView> Documents::TransitionPeriod(const BillingPeriod& period,
                                                       PeriodState target) {
  if (target == PeriodState::kOpen) {
    return FailedPrecondition("target_state", "a period never reopens: issue corrections instead");
  }
  ASSIGN_OR_RETURN(Period p, store_.TransitionPeriod(period, target, clock_.Now()));
  return View(std::move(p));
}

absl::StatusOr<std::vector<VatRate>> Documents::VatRates() { return store_.VatRates(); }

absl::StatusOr<paging::PageOf<VatRate>> Documents::ListVatRates(const paging::Page& page) {
  return store_.ListVatRates(page);
}

absl::Status Documents::FillOpen(std::vector<Document>& docs) {
  std::vector<std::string> contracts;
  for (const Document& d : docs) {
    if (IsOpenable(d)) contracts.push_back(d.contract_id);
  }
  if (contracts.empty()) return absl::OkStatus();
  std::sort(contracts.begin(), contracts.end());
  contracts.erase(std::unique(contracts.begin(), contracts.end()), contracts.end());
  ASSIGN_OR_RETURN(LedgerInputs in, store_.LedgerInputsOf(contracts));
  // The allocation is per contract (ledger.h): split the inputs by contract.
  absl::flat_hash_map<std::string, LedgerInputs> by_contract;
  for (Document& d : in.documents) by_contract[d.contract_id].documents.push_back(std::move(d));
  for (Payment& p : in.payments) by_contract[p.contract_id].payments.push_back(std::move(p));
  absl::flat_hash_map<std::string, LedgerResult> ledgers;
  for (const auto& [contract, inputs] : by_contract) {
    ledgers[contract] = Allocate(inputs.documents, inputs.payments);
  }
  for (Document& d : docs) {
    if (!IsOpenable(d)) continue;
    auto ledger = ledgers.find(d.contract_id);
    if (ledger == ledgers.end()) continue;
    auto open = ledger->second.open.find(d.id);
    if (open != ledger->second.open.end()) d.open_tiyn = open->second;
  }
  return absl::OkStatus();
}

absl::StatusOr<Document> Documents::Get(const std::string& id, const std::string& scope) {
  if (id.empty()) return InvalidField("id", "required");
  ASSIGN_OR_RETURN(Document d, store_.GetDocument(id));
  if (!scope.empty() && d.customer.participant_id != scope) return NotFound("document", id);
  std::vector<Document> one{std::move(d)};
  RETURN_IF_ERROR(FillOpen(one));
  return std::move(one[0]);
}

absl::StatusOr<DocumentFilter> Documents::Scoped(DocumentFilter filter, const std::string& scope) {
  if (!scope.empty()) {
    if (!filter.participant_id.empty() && filter.participant_id != scope) {
      return absl::PermissionDeniedError("participant_id: another participant's documents");
    }
    filter.participant_id = scope;
  }
  return filter;
}

absl::StatusOr<paging::PageOf<Document>> Documents::List(DocumentFilter filter,
                                                         const paging::Page& page,
                                                         const std::string& scope) {
  ASSIGN_OR_RETURN(filter, Scoped(std::move(filter), scope));
  ASSIGN_OR_RETURN(paging::PageOf<Document> out, store_.ListDocuments(filter, page));
  RETURN_IF_ERROR(FillOpen(out.items));
  return out;
}

absl::StatusOr<paging::PageOf<Document>> Documents::Changes(DocumentFilter filter,
                                                            const paging::Page& page,
                                                            const std::string& scope) {
  ASSIGN_OR_RETURN(filter, Scoped(std::move(filter), scope));
  ASSIGN_OR_RETURN(paging::PageOf<Document> out, store_.DocumentChanges(filter, page));
  RETURN_IF_ERROR(FillOpen(out.items));
  return out;
}

absl::StatusOr<StoredPdf> Documents::Pdf(const std::string& id, const std::string& scope) {
  ASSIGN_OR_RETURN(Document d, Get(id, scope));
  if (d.type == DocType::kEsf) {
    return FailedPrecondition("id", "an ESF is exchanged as XML: use GetDocumentXml");
  }
  ASSIGN_OR_RETURN(std::optional<StoredPdf> stored, store_.GetPdf(id));
  if (stored) return *stored;
  ASSIGN_OR_RETURN(std::string pdf, RenderPdf(d, seller_, font_path_));
  return store_.PutPdf(id, StoredPdf{pdf, Sha256Hex(pdf)});
}

absl::StatusOr<std::string> Documents::Xml(const std::string& id, const std::string& scope) {
  ASSIGN_OR_RETURN(Document d, Get(id, scope));
  if (d.type != DocType::kEsf) {
    return FailedPrecondition("id", absl::StrCat(d.number, " is not an ESF document"));
  }
  return RenderEsfXml(d, seller_);
}

namespace {

// RFC 4180 to the letter (CRLF line ends), as ERP importers expect.
void CsvRow(std::string& out, const std::vector<std::string>& fields) {
  out += CsvLine(fields, "\r\n");
}

}  // namespace

absl::StatusOr<ExportFile> Documents::Export(const BillingPeriod& period, ExportFormat format,
                                             ExportContent content) {
  std::vector<Document> docs;
  paging::Page page;
  page.size = 1000;
  DocumentFilter filter;
  filter.period = period;
  do {
    ASSIGN_OR_RETURN(paging::PageOf<Document> chunk, store_.ListDocuments(filter, page));
    for (Document& d : chunk.items) docs.push_back(std::move(d));
    page.after = std::move(chunk.next);
  } while (!page.first());
  ExportFile f;
  const bool csv = format == ExportFormat::kCsv;
  const bool accruals = content == ExportContent::kAccruals;
  f.file_name = absl::StrCat("invoicing-", period.ToString(), "-",
                             accruals ? "accruals" : "documents", csv ? ".csv" : ".jsonl");
  if (csv) {
    if (accruals) {
      CsvRow(f.content,
             {"document_number", "document_type", "line_no", "contract_number", "customer_bin",
              "service", "from_date", "to_date", "volume_wh", "price_per_kwh", "amount_tiyn",
              "vat_rate_percent", "vat_tiyn", "total_tiyn", "tariff_id", "tariff_version",
              "balance_run_id", "estimated_share", "missing_share"});
    } else {
      CsvRow(f.content,
             {"number", "type", "issue_date", "turnover_date", "period", "participant_id",
              "customer_bin", "customer_name", "contract_number", "related_number", "provisional",
              "amount_tiyn", "vat_tiyn", "total_tiyn", "due_date"});
    }
  }
  for (const Document& d : docs) {
    if (accruals) {
      // Accruals are what was charged: invoices and notes (acts and ESF repeat them).
      if (!IsReceivable(d.type)) continue;
      for (const Line& l : d.lines) {
        ++f.records;
        if (csv) {
          CsvRow(
              f.content,
              {d.number, DocTypeName(d.type), absl::StrCat(l.line_no), d.contract_number,
               d.customer.bin, ServiceCode(l.service), FormatDate(l.from_date),
               FormatDate(l.to_date), absl::StrCat(l.volume_wh), l.price_per_kwh.ToString(),
               absl::StrCat(l.amount_tiyn), l.vat_rate_percent.ToString(), absl::StrCat(l.vat_tiyn),
               absl::StrCat(l.total_tiyn), l.tariff_id, absl::StrCat(l.tariff_version),
               l.balance_run_id, l.completeness.estimated_share.ToString(),
               l.completeness.missing_share.ToString()});
        } else {
          f.content += json::ObjectWriter()
                           .Add("document_number", d.number)
                           .Add("document_type", DocTypeName(d.type))
                           .Add("line_no", l.line_no)
                           .Add("contract_number", d.contract_number)
                           .Add("customer_bin", d.customer.bin)
                           .Add("service", ServiceCode(l.service))
                           .Add("from_date", FormatDate(l.from_date))
                           .Add("to_date", FormatDate(l.to_date))
                           .Add("volume_wh", l.volume_wh)
                           .Add("price_per_kwh", l.price_per_kwh.ToString())
                           .Add("amount_tiyn", l.amount_tiyn)
                           .Add("vat_rate_percent", l.vat_rate_percent.ToString())
                           .Add("vat_tiyn", l.vat_tiyn)
                           .Add("total_tiyn", l.total_tiyn)
                           .Add("tariff_id", l.tariff_id)
                           .Add("tariff_version", l.tariff_version)
                           .Add("balance_run_id", l.balance_run_id)
                           .Add("estimated_share", l.completeness.estimated_share.ToString())
                           .Add("missing_share", l.completeness.missing_share.ToString())
                           .Finish();
          f.content += "\n";
        }
      }
      continue;
    }
    ++f.records;
    if (csv) {
      CsvRow(f.content,
             {d.number, DocTypeName(d.type), FormatDate(d.issue_date), FormatDate(d.turnover_date),
              d.period.ToString(), d.customer.participant_id, d.customer.bin, d.customer.name,
              d.contract_number, d.related_number, d.provisional ? "true" : "false",
              absl::StrCat(d.amount_tiyn), absl::StrCat(d.vat_tiyn), absl::StrCat(d.total_tiyn),
              FormatDate(d.due_date)});
    } else {
      f.content += json::ObjectWriter()
                       .Add("number", d.number)
                       .Add("type", DocTypeName(d.type))
                       .Add("issue_date", FormatDate(d.issue_date))
                       .Add("turnover_date", FormatDate(d.turnover_date))
                       .Add("period", d.period.ToString())
                       .Add("participant_id", d.customer.participant_id)
                       .Add("customer_bin", d.customer.bin)
                       .Add("customer_name", d.customer.name)
                       .Add("contract_number", d.contract_number)
                       .Add("related_number", d.related_number)
                       .Add("provisional", d.provisional)
                       .Add("amount_tiyn", d.amount_tiyn)
                       .Add("vat_tiyn", d.vat_tiyn)
                       .Add("total_tiyn", d.total_tiyn)
                       .Add("due_date", FormatDate(d.due_date))
                       .Finish();
      f.content += "\n";
    }
  }
  f.sha256 = Sha256Hex(f.content);
  return f;
}

}  // namespace gridbill::invoicing
