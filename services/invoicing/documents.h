// Billing periods, issued documents and their renderings (PDF, ESF XML),
// and the ERP export of a period. A caller scoped to a participant sees only
// that participant's documents (others read as not found).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gridbill/base/clock.h"
#include "model.h"
#include "store.h"

namespace gridbill::invoicing {

struct PeriodView {
  Period period;
  Decimal vat_rate_percent;
};

struct ExportFile {
  std::string content;
  std::string sha256;
  int64_t records = 0;
  std::string file_name;
};

enum class ExportFormat { kCsv, kJsonl };
enum class ExportContent { kDocuments, kAccruals };

class Documents {
 public:
  Documents(Store& store, const Clock& clock, Seller seller, std::string font_path)
      : store_(store),
        clock_(clock),
        seller_(std::move(seller)),
        font_path_(std::move(font_path)) {}

  absl::StatusOr<PeriodView> GetPeriod(const BillingPeriod& period);
  absl::StatusOr<paging::PageOf<PeriodView>> ListPeriods(const paging::Page& page);
  absl::StatusOr<PeriodView> TransitionPeriod(const BillingPeriod& period, PeriodState target);
  absl::StatusOr<std::vector<VatRate>> VatRates();
  absl::StatusOr<paging::PageOf<VatRate>> ListVatRates(const paging::Page& page);

  // `scope`: the caller's participant id, "" for TSO staff. Invoices and
  // debit notes carry their open amount, in Get and List alike.
  absl::StatusOr<Document> Get(const std::string& id, const std::string& scope);
  // A page in filter.order; total_size on the first page only.
  absl::StatusOr<paging::PageOf<Document>> List(DocumentFilter filter, const paging::Page& page,
                                                const std::string& scope);
  // The change feed (page.after: a change position), with open amounts.
  absl::StatusOr<paging::PageOf<Document>> Changes(DocumentFilter filter, const paging::Page& page,
                                                   const std::string& scope);
  // The stored PDF, rendered and stored at the first request. ESF documents
  // have XML instead (FAILED_PRECONDITION "id").
  absl::StatusOr<StoredPdf> Pdf(const std::string& id, const std::string& scope);
  absl::StatusOr<std::string> Xml(const std::string& id, const std::string& scope);

  // Every document (or line) of the period, ordered by type and number:
  // the same period gives the same bytes until a new document is issued.
  absl::StatusOr<ExportFile> Export(const BillingPeriod& period, ExportFormat format,
                                    ExportContent content);

 private:
  absl::StatusOr<PeriodView> View(Period p);
  // The filter of a list for `scope`: a participant sees only its own.
  static absl::StatusOr<DocumentFilter> Scoped(DocumentFilter filter, const std::string& scope);
  // Sets open_tiyn of the invoices and debit notes among `docs` from the
  // ledgers of their contracts, read at once for all of them.
  absl::Status FillOpen(std::vector<Document>& docs);
  Store& store_;
  const Clock& clock_;
  Seller seller_;
  std::string font_path_;
};

}  // namespace gridbill::invoicing
