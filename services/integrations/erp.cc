#include "erp.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "documents.h"
#include "gridbill/base/csv.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::integrations {
namespace {

// invoicing's DocumentType: 1 invoice, 4 credit note, 5 debit note are what
// is charged; 2 act and 3 ESF restate an invoice.
bool Receivable(int type) { return type == 1 || type == 4 || type == 5; }

// common JobState: 3 succeeded, 4 failed, 5 cancelled.
constexpr int kSucceeded = 3, kFailed = 4, kCancelled = 5;

// "rows=12 amount_tiyn=..." of a receipt, as figures.
ErpFigures FiguresOfReceipt(absl::string_view receipt) {
  ErpFigures f;
  for (absl::string_view word : absl::StrSplit(receipt, ' ')) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(word, '=');
    int64_t v = 0;
    if (!absl::SimpleAtoi(kv.second, &v)) continue;
    if (kv.first == "rows") f.rows = v;
    if (kv.first == "amount_tiyn") f.amount_tiyn = v;
    if (kv.first == "vat_tiyn") f.vat_tiyn = v;
    if (kv.first == "total_tiyn") f.total_tiyn = v;
  }
  return f;
}

std::string Receipt(const std::string& csv_path, const ErpFigures& f) {
  return absl::StrCat(csv_path, " rows=", f.rows, " amount_tiyn=", f.amount_tiyn,
                      " vat_tiyn=", f.vat_tiyn, " total_tiyn=", f.total_tiyn);
}

// "-12.34" as tiyn; false when it is not tenge with two decimals.
bool TiynOf(absl::string_view s, int64_t* out) {
  const bool neg = absl::ConsumePrefix(&s, "-");
  const size_t dot = s.find('.');
  int64_t whole = 0, cents = 0;
  if (dot == absl::string_view::npos || s.size() - dot != 3 || dot == 0 ||
      !absl::SimpleAtoi(s.substr(0, dot), &whole) || !absl::SimpleAtoi(s.substr(dot + 1), &cents)) {
    return false;
  }
  *out = (neg ? -1 : 1) * (whole * 100 + cents);
  return true;
}

}  // namespace

void ErpFigures::Add(const DocumentFact& d) {
  ++documents;
  if (!Receivable(d.type)) return;
  rows += d.lines;
  amount_tiyn += d.amount_tiyn;
  vat_tiyn += d.vat_tiyn;
  total_tiyn += d.total_tiyn;
}

std::string RunFinishedFact::Encode() const {
  return absl::StrJoin(
      {run_id, period, run_type, absl::StrCat(state), absl::StrCat(invoicing.documents),
       absl::StrCat(invoicing.rows), absl::StrCat(invoicing.amount_tiyn),
       absl::StrCat(invoicing.vat_tiyn), absl::StrCat(invoicing.total_tiyn)},
      "\t");
}

absl::StatusOr<RunFinishedFact> RunFinishedFact::Decode(absl::string_view payload) {
  std::vector<std::string> f = absl::StrSplit(payload, '\t');
  if (f.size() != 9) {
    return absl::InvalidArgumentError(
        absl::StrCat("a finished run's payload has ", f.size(), " fields, not 9"));
  }
  RunFinishedFact r;
  r.run_id = f[0];
  r.period = f[1];
  r.run_type = f[2];
  if (!absl::SimpleAtoi(f[3], &r.state) || !absl::SimpleAtoi(f[4], &r.invoicing.documents) ||
      !absl::SimpleAtoi(f[5], &r.invoicing.rows) ||
      !absl::SimpleAtoi(f[6], &r.invoicing.amount_tiyn) ||
      !absl::SimpleAtoi(f[7], &r.invoicing.vat_tiyn) ||
      !absl::SimpleAtoi(f[8], &r.invoicing.total_tiyn)) {
    return absl::InvalidArgumentError("a finished run's payload has a malformed number");
  }
  return r;
}

absl::StatusOr<int> PumpInvoiceRuns(OutboxStore& store, Suite& suite, absl::Time now,
                                    int page_size) {
  ASSIGN_OR_RETURN(std::string cursor, store.Cursor(kInvoiceRunsFeed));
  int added = 0;
  for (;;) {
    ASSIGN_OR_RETURN(RunChanges page, suite.InvoiceRunsChangedAfter(cursor, page_size));
    if (page.runs.empty()) return added;
    std::vector<Fact> facts;
    for (const RunFact& run : page.runs) {
      // A failed or cancelled run's documents stay issued: their entries go too.
      const bool finished =
          run.state == kSucceeded ||
          ((run.state == kFailed || run.state == kCancelled) && run.documents > 0);
      if (!finished) continue;
      RunFinishedFact fact{run.id, run.period, run.type, run.state, {}};
      ASSIGN_OR_RETURN(std::vector<DocumentFact> docs, suite.RunDocuments(run.id));
      for (const DocumentFact& d : docs) fact.invoicing.Add(d);
      // What the run reports it issued (its listing is the same when all is well).
      fact.invoicing.documents = run.documents;
      facts.push_back(Fact{"erp", kInvoiceRunFinished, run.id, "1", fact.Encode(), run.id});
    }
    ASSIGN_OR_RETURN(int n, store.AppendFacts(kInvoiceRunsFeed, page.cursor, facts, now));
    added += n;
    if (page.cursor == cursor) return added;
    cursor = page.cursor;
  }
}

SendResult SendRunEntries(const std::string& dir, Suite& suite, const Delivery& delivery) {
  absl::StatusOr<RunFinishedFact> run = RunFinishedFact::Decode(delivery.payload);
  if (!run.ok()) return SendResult::Permanent(std::string(run.status().message()));
  const std::string name = absl::StrCat("entries-", SafeName(run->run_id));
  const std::string base = absl::StrCat(dir, "/", SafeName(run->period), "/", name);
  const std::string manifest_path = base + ".manifest";
  if (absl::StatusOr<std::string> old = ReadFile(manifest_path); old.ok()) {
    if (ValueOf(*old, "idempotency_key") != delivery.idempotency_key) {
      return SendResult::Permanent(absl::StrCat(manifest_path, " holds another file"));
    }
    ErpFigures f;
    if (!absl::SimpleAtoi(ValueOf(*old, "rows"), &f.rows) ||
        !TiynOf(ValueOf(*old, "amount"), &f.amount_tiyn) ||
        !TiynOf(ValueOf(*old, "vat"), &f.vat_tiyn) ||
        !TiynOf(ValueOf(*old, "total"), &f.total_tiyn)) {
      return SendResult::Permanent(absl::StrCat(manifest_path, " holds malformed figures"));
    }
    return SendResult::Delivered(Receipt(base + ".csv", f) + " (already present)");
  }

  // The run's receivable documents, by number: the rows of the period's
  // export that are this run's.
  absl::StatusOr<std::vector<DocumentFact>> docs = suite.RunDocuments(run->run_id);
  if (!docs.ok()) return SendResult::Retry(absl::StrCat("documents: ", docs.status().message()));
  std::set<std::string> numbers;
  for (const DocumentFact& d : *docs) {
    if (Receivable(d.type)) numbers.insert(d.number);
  }
  absl::StatusOr<ExportedFile> export_file = suite.ExportAccruals(run->period);
  if (!export_file.ok()) {
    return SendResult::Retry(absl::StrCat("ErpExportService: ", export_file.status().message()));
  }
  if (Sha256Hex(export_file->content) != export_file->sha256) {
    return SendResult::Retry(absl::StrCat(export_file->file_name, " does not hash to ",
                                          export_file->sha256, " as invoicing says"));
  }
  const CsvParseResult parsed = ParseCsv(export_file->content);
  if (!parsed.errors.empty() || parsed.records.empty()) {
    return SendResult::Permanent(absl::StrCat(export_file->file_name, " cannot be read: line ",
                                              parsed.errors.empty() ? 0 : parsed.errors[0].line));
  }
  const std::vector<std::string>& header = parsed.records[0].fields;
  auto column = [&](absl::string_view want) -> int {
    auto it = std::find(header.begin(), header.end(), want);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  };
  const int number_col = column("document_number"), amount_col = column("amount_tiyn"),
            vat_col = column("vat_tiyn"), total_col = column("total_tiyn");
  if (number_col < 0 || amount_col < 0 || vat_col < 0 || total_col < 0) {
    return SendResult::Permanent(absl::StrCat(
        export_file->file_name, " lacks document_number, amount_tiyn, vat_tiyn or total_tiyn"));
  }
  // The export's own line ending (RFC 4180's CRLF): one run in a period is
  // the export byte for byte.
  const std::string eol = absl::StrContains(export_file->content, "\r\n") ? "\r\n" : "\n";
  std::string csv = CsvLine(header, eol);
  ErpFigures f;
  for (size_t i = 1; i < parsed.records.size(); ++i) {
    const std::vector<std::string>& row = parsed.records[i].fields;
    if (row.size() != header.size()) {
      return SendResult::Permanent(absl::StrCat(export_file->file_name, " line ",
                                                parsed.records[i].line, ": ", row.size(),
                                                " fields, the header ", header.size()));
    }
    if (numbers.count(row[number_col]) == 0) continue;
    int64_t amount = 0, vat = 0, total = 0;
    if (!absl::SimpleAtoi(row[amount_col], &amount) || !absl::SimpleAtoi(row[vat_col], &vat) ||
        !absl::SimpleAtoi(row[total_col], &total)) {
      return SendResult::Permanent(
          absl::StrCat(export_file->file_name, " line ", parsed.records[i].line, ": not tiyn"));
    }
    ++f.rows;
    f.amount_tiyn += amount;
    f.vat_tiyn += vat;
    f.total_tiyn += total;
    csv += CsvLine(row, eol);
  }
  if (absl::Status s = WriteFileAtomically(base + ".csv", csv); !s.ok()) {
    return SendResult::Retry(std::string(s.message()));
  }
  const std::string manifest = absl::StrCat(
      "idempotency_key=", delivery.idempotency_key, "\nkind=entries\nfile=", name,
      ".csv\nperiod=", run->period, "\ninvoice_run_id=", run->run_id, "\nrows=", f.rows,
      "\namount=", Tenge(f.amount_tiyn), "\nvat=", Tenge(f.vat_tiyn),
      "\ntotal=", Tenge(f.total_tiyn), "\nsha256=", Sha256Hex(csv),
      "\nsource=", export_file->file_name, "\nsource_sha256=", export_file->sha256, "\n");
  if (absl::Status s = WriteFileAtomically(manifest_path, manifest); !s.ok()) {
    return SendResult::Retry(std::string(s.message()));
  }
  if (absl::Status s = AppendLog(dir + "/received.log", delivery.idempotency_key); !s.ok()) {
    return SendResult::Retry(std::string(s.message()));
  }
  return SendResult::Delivered(Receipt(base + ".csv", f));
}

namespace {

std::string Compare(absl::string_view what, const ErpFigures& got, const ErpFigures& want) {
  std::vector<std::string> diffs;
  auto diff = [&](absl::string_view name, int64_t g, int64_t w, bool money) {
    if (g == w) return;
    diffs.push_back(absl::StrCat(name, " ", money ? Tenge(g) : absl::StrCat(g), " vs ",
                                 money ? Tenge(w) : absl::StrCat(w)));
  };
  diff("rows", got.rows, want.rows, false);
  diff("net", got.amount_tiyn, want.amount_tiyn, true);
  diff("VAT", got.vat_tiyn, want.vat_tiyn, true);
  diff("gross", got.total_tiyn, want.total_tiyn, true);
  if (diffs.empty()) return "";
  return absl::StrCat(what, " (ERP vs invoicing): ", absl::StrJoin(diffs, ", "));
}

absl::StatusOr<RunReconciliation> ReconcileRun(OutboxStore& store, const Delivery& run_delivery) {
  ASSIGN_OR_RETURN(RunFinishedFact run, RunFinishedFact::Decode(run_delivery.payload));
  RunReconciliation r;
  r.run_id = run.run_id;
  r.period = run.period;
  r.run_type = run.run_type;
  r.invoicing = run.invoicing;
  r.entries_delivery = run_delivery;
  r.entries_delivery.payload.clear();
  ASSIGN_OR_RETURN(std::vector<Delivery> group, store.ListGroup("erp", run.run_id));
  for (const Delivery& d : group) {
    if (d.fact_kind != kDocumentIssued) continue;
    ASSIGN_OR_RETURN(DocumentFact doc, DocumentFact::Decode(d.payload));
    switch (d.state) {
      case DeliveryState::kDelivered:
        r.documents.Add(doc);
        break;
      case DeliveryState::kPending:
        ++r.documents_pending;
        break;
      case DeliveryState::kDead:
      case DeliveryState::kSkipped:
        ++r.documents_undelivered;
        break;
    }
  }
  const int64_t missing = std::max<int64_t>(0, r.invoicing.documents - r.documents.documents -
                                                   r.documents_pending - r.documents_undelivered);
  if (r.documents.documents != r.invoicing.documents) {
    r.gaps.push_back(absl::StrCat("documents: invoicing issued ", r.invoicing.documents,
                                  ", ERP received ", r.documents.documents, " (",
                                  r.documents_pending, " pending, ", r.documents_undelivered,
                                  " dead or skipped, ", missing, " not read yet)"));
  }
  if (std::string gap = Compare("documents' totals", r.documents, r.invoicing); !gap.empty()) {
    r.gaps.push_back(std::move(gap));
  }
  const DeliveryState entries_state = run_delivery.state;
  if (entries_state == DeliveryState::kDelivered) {
    r.entries = FiguresOfReceipt(run_delivery.receipt);
    if (std::string gap = Compare("entries", r.entries, r.invoicing); !gap.empty()) {
      r.gaps.push_back(std::move(gap));
    }
  } else {
    r.gaps.push_back(absl::StrCat(
        "entries file: ", DeliveryStateName(entries_state),
        run_delivery.last_error.empty() ? "" : absl::StrCat(" (", run_delivery.last_error, ")")));
  }
  const bool dead = r.documents_undelivered > 0 || entries_state == DeliveryState::kDead ||
                    entries_state == DeliveryState::kSkipped;
  const bool waiting =
      r.documents_pending > 0 || missing > 0 || entries_state == DeliveryState::kPending;
  if (r.gaps.empty()) {
    r.state = ReconcileState::kMatch;
  } else if (waiting && !dead) {
    r.state = ReconcileState::kPending;
  } else {
    r.state = ReconcileState::kMismatch;
  }
  return r;
}

}  // namespace

absl::StatusOr<paging::PageOf<RunReconciliation>> ReconcileRuns(OutboxStore& store,
                                                                const std::string& period,
                                                                const std::string& run_id,
                                                                const paging::Page& page) {
  // Runs are few (a handful a month): the run deliveries that match are read
  // (the newest 1,000 at most), the page is cut from them, and only the
  // page's runs are reconciled.
  std::vector<Delivery> runs;
  if (!run_id.empty()) {
    ASSIGN_OR_RETURN(runs, store.ListGroup("erp", run_id));
  } else {
    ASSIGN_OR_RETURN(runs, store.ListKind("erp", kInvoiceRunFinished, 1000));
  }
  std::vector<Delivery> matching;
  for (Delivery& d : runs) {
    if (d.fact_kind != kInvoiceRunFinished) continue;
    if (!period.empty()) {
      ASSIGN_OR_RETURN(RunFinishedFact fact, RunFinishedFact::Decode(d.payload));
      if (fact.period != period) continue;
    }
    matching.push_back(std::move(d));
  }
  ASSIGN_OR_RETURN(paging::PageOf<Delivery> slice, paging::SlicePage(std::move(matching), page));
  paging::PageOf<RunReconciliation> out;
  out.next = std::move(slice.next);
  out.total_size = slice.total_size;
  for (const Delivery& d : slice.items) {
    ASSIGN_OR_RETURN(RunReconciliation r, ReconcileRun(store, d));
    out.items.push_back(std::move(r));
  }
  return out;
}

}  // namespace gridbill::integrations
