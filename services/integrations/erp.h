// ERP outbound beyond the documents: the accounting entries of each invoice
// run (invoicing's ErpExportService accruals) delivered as a file with a
// manifest through the outbox, and the reconciliation per run of what
// invoicing reports against what ERP received. Pure: files, the Suite
// interface and the outbox store; no gRPC, no SQL.
//
// The fact: an invoice run that finished (invoicing's ListInvoiceRuns change
// feed, a run succeeded, or failed or cancelled after issuing documents, as
// those stay issued). It is read with the run's documents' figures (what
// invoicing reports) and stored for the erp adapter with idempotency key
// `invoice_run.finished/<run id>/1` and group = the run id; every document
// fact carries its run as its group too, so a run's deliveries are read
// together.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gridbill/base/paging.h"
#include "outbox.h"
#include "suite.h"

namespace gridbill::integrations {

inline constexpr char kInvoiceRunsFeed[] = "invoicing.runs";
inline constexpr char kInvoiceRunFinished[] = "invoice_run.finished";

// Counts and sums of documents or entries. Sums are over the receivable
// documents (invoices, credit and debit notes: acts and ESF restate an
// invoice); rows are their accrual lines.
struct ErpFigures {
  int64_t documents = 0;
  int64_t rows = 0;
  int64_t amount_tiyn = 0;
  int64_t vat_tiyn = 0;
  int64_t total_tiyn = 0;

  bool operator==(const ErpFigures&) const = default;
  // Adds one document (its lines and sums when it is receivable).
  void Add(const DocumentFact& d);
};

// The payload of a finished run's fact: the run and what invoicing reports of it.
struct RunFinishedFact {
  std::string run_id;
  std::string period;  // YYYY-MM
  std::string run_type;
  int state = 0;  // common JobState
  ErpFigures invoicing;

  std::string Encode() const;
  static absl::StatusOr<RunFinishedFact> Decode(absl::string_view payload);
};

// Reads invoicing's invoice run feed from the stored cursor to its end; each
// finished run (above) becomes one erp fact with its documents' figures,
// written with the page's cursor. A run still pending or running is passed
// over: its finish changes it, so the feed shows it again. Returns the facts
// stored new.
absl::StatusOr<int> PumpInvoiceRuns(OutboxStore& store, Suite& suite, absl::Time now,
                                    int page_size = 100);

// Delivers a finished run's entries to the ERP outbox folder `dir`:
// invoicing's accruals export of the run's period (ExportPeriod, CSV),
// checked against invoicing's SHA-256, keeping the rows of the run's
// documents, as `<dir>/<period>/entries-<run id>.csv` and, last,
// `entries-<run id>.manifest` (idempotency key, kind, period, run, rows,
// amount, vat, total in tenge, sha256 of the CSV, the export's name and
// SHA-256), each written as .tmp and renamed. The receipt is
// `<csv> rows=N amount_tiyn=A vat_tiyn=V total_tiyn=T`. A manifest that
// holds this key already is delivered again as a no-op.
SendResult SendRunEntries(const std::string& dir, Suite& suite, const Delivery& delivery);

enum class ReconcileState { kMatch = 1, kPending = 2, kMismatch = 3 };

struct RunReconciliation {
  std::string run_id;
  std::string period;
  std::string run_type;
  ReconcileState state = ReconcileState::kPending;
  ErpFigures invoicing;  // what invoicing reported when the run finished
  ErpFigures documents;  // the run's document files delivered
  ErpFigures entries;    // the run's entries file delivered (its receipt)
  int64_t documents_pending = 0;
  int64_t documents_undelivered = 0;  // dead or skipped
  Delivery entries_delivery;
  std::vector<std::string> gaps;
};

// The reconciliation of one page of the finished runs of the erp adapter
// (only `period` YYYY-MM, only `run_id`, when given), newest first. Match:
// no gap. Pending: a gap while a delivery of the run is pending or some of
// its documents are not in the outbox yet, and nothing is dead. Mismatch:
// any other gap.
absl::StatusOr<paging::PageOf<RunReconciliation>> ReconcileRuns(OutboxStore& store,
                                                                const std::string& period,
                                                                const std::string& run_id,
                                                                const paging::Page& page);

}  // namespace gridbill::integrations
