// The invoicing service's domain types: periods, documents and their lines,
// invoice runs, payments. Plain values; no gRPC, no SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gridbill/base/paging.h"
#include "gridbill/domain/civil.h"
#include "gridbill/domain/decimal.h"

namespace gridbill::invoicing {

// The regulated services; numbers match gridbill.contracts.v1.ServiceType.
enum class Service { kTransmission = 1, kDispatching = 2, kBalancing = 3, kGridUse = 4 };
// "transmission", "dispatching", "balancing", "grid_use".
const char* ServiceCode(Service s);
// The service's name as printed on documents (Russian, the documents' language).
const char* ServiceTitle(Service s);

enum class PeriodState { kOpen = 1, kClosing = 2, kClosed = 3 };
const char* PeriodStateName(PeriodState s);
std::optional<PeriodState> PeriodStateFromName(std::string_view name);

// Numbers match gridbill.invoicing.v1.DocumentType.
enum class DocType { kInvoice = 1, kAct = 2, kEsf = 3, kCreditNote = 4, kDebitNote = 5 };
// "invoice", "act", "esf", "credit_note", "debit_note" (the DB's spelling).
const char* DocTypeName(DocType t);
std::optional<DocType> DocTypeFromName(std::string_view name);
// The number prefix: INV, ACT, ESF, CRN, DBN.
const char* DocTypePrefix(DocType t);
// True for the documents that carry money owed (invoice, debit and credit notes);
// acts and ESF accompany an invoice and are not receivables themselves.
bool IsReceivable(DocType t);

enum class RunType { kRegular = 1, kCorrection = 2 };
enum class BalanceRunType { kFinal = 1, kCorrection = 2 };

enum class JobState { kPending = 1, kRunning = 2, kSucceeded = 3, kFailed = 4, kCancelled = 5 };
const char* JobStateName(JobState s);
std::optional<JobState> JobStateFromName(std::string_view name);

// The share of a volume resting on estimated or missing data.
struct Completeness {
  Decimal estimated_share;  // [0, 1]
  Decimal missing_share;    // [0, 1]
  Decimal Incomplete() const { return estimated_share + missing_share; }
  friend bool operator==(const Completeness&, const Completeness&) = default;
};

// A dated VAT rate: applies to turnover dates from `valid_from` on.
struct VatRate {
  absl::CivilDay valid_from;
  Decimal rate_percent;
};

// One line of a document.
struct Line {
  int line_no = 0;
  Service service = Service::kTransmission;
  std::string description;
  absl::CivilDay from_date;
  absl::CivilDay to_date;
  int64_t volume_wh = 0;
  Decimal price_per_kwh;
  int64_t amount_tiyn = 0;  // excl. VAT
  Decimal vat_rate_percent;
  int64_t vat_tiyn = 0;
  int64_t total_tiyn = 0;  // amount + VAT
  std::string tariff_id;
  int64_t tariff_version = 0;
  std::string balance_run_id;
  BalanceRunType balance_run_type = BalanceRunType::kFinal;
  Completeness completeness;
};

// The customer as printed on a document (a snapshot at issue).
struct Customer {
  std::string participant_id;
  std::string bin;
  std::string name;
  std::string address;
  std::string iik;
  std::string bik;
  std::string vat_certificate;
};

// A document before or after issue. Issued documents are never changed.
struct Document {
  std::string id;
  DocType type = DocType::kInvoice;
  std::string number;  // "" until issued
  int64_t seq = 0;     // the number's sequence within type and year
  absl::CivilDay issue_date;
  absl::CivilDay turnover_date;
  BillingPeriod period = *BillingPeriod::Make(2026, 1);
  Customer customer;
  std::string contract_id;
  std::string contract_number;
  absl::CivilDay contract_date;
  std::string invoice_run_id;
  // The document this one corrects (notes, additional ESF) or accompanies
  // (act and ESF of an invoice).
  std::string related_id;
  std::string related_number;
  std::optional<absl::CivilDay> related_date;
  // ESF only: the act of services rendered it is based on.
  std::string delivery_doc_number;
  std::optional<absl::CivilDay> delivery_doc_date;
  bool provisional = false;
  std::vector<Line> lines;
  int64_t amount_tiyn = 0;
  int64_t vat_tiyn = 0;
  int64_t total_tiyn = 0;
  absl::CivilDay due_date;
  std::string pdf_sha256;
  int64_t open_tiyn = 0;  // filled by Documents::Get and List for invoices and debit notes
  absl::Time create_time;
};

struct Period {
  BillingPeriod period = *BillingPeriod::Make(2026, 1);
  PeriodState state = PeriodState::kOpen;
  std::optional<absl::Time> open_time;
  std::optional<absl::Time> closing_time;
  std::optional<absl::Time> close_time;
};

// A contract a run issued nothing for, and why (its volume inside its
// validity is zero or negative: a net exporter is never billed a negative
// quantity). Not a failure.
struct NotBilled {
  std::string contract_id;
  std::string contract_number;
  int64_t volume_wh = 0;
  std::string reason;
};

// The kind of an invoice run's job (libs/jobs).
inline constexpr char kRunJobKind[] = "invoicing.run";

struct InvoiceRun {
  std::string id;
  BillingPeriod period = *BillingPeriod::Make(2026, 1);
  RunType type = RunType::kRegular;
  std::string balance_run_id;  // requested ("" = latest)
  // The balance run billed from, chosen when the run was split ("" before).
  std::string billed_balance_run_id;
  BalanceRunType billed_balance_run_type = BalanceRunType::kFinal;
  JobState state = JobState::kPending;
  int64_t done = 0;
  int64_t total = 0;
  int64_t documents_issued = 0;
  int64_t contracts_skipped = 0;
  int64_t contracts_failed = 0;
  int64_t contracts_not_billed = 0;
  std::vector<NotBilled> not_billed;  // read by InvoiceRuns::Get only
  std::string summary;
  std::string error;
  bool cancel_requested = false;  // reads true once cancelled
  absl::Time start_time;
  std::optional<absl::Time> finish_time;
};

struct Allocation {
  std::string document_id;
  std::string document_number;
  int64_t amount_tiyn = 0;
};

struct Payment {
  std::string id;
  std::string reference;
  absl::CivilDay value_date;
  std::string payer_bin;
  std::string contract_id;
  std::string contract_number;
  std::string participant_id;
  int64_t amount_tiyn = 0;
  std::string purpose;
  std::vector<Allocation> allocations;
  int64_t unallocated_tiyn = 0;
};

// Whether two payments with the same reference say the same (date, payer,
// contract, amount, purpose): importing a file again is then harmless.
bool SamePaymentContent(const Payment& a, const Payment& b);

// The seller (the TSO itself) as printed on documents; from config.
struct Seller {
  std::string bin;
  std::string name;
  std::string address;
  std::string iik;
  std::string bik;
  std::string kbe;
  std::string vat_certificate_series;
  std::string vat_certificate_number;
  std::string signatory_position;
  std::string signatory_name;
};

// How invoice runs behave.
struct RunOptions {
  // A document is provisional when more than this share of its volume rests
  // on estimated or missing data (provisional_share, default 0.05).
  Decimal provisional_share = Decimal::FromUnits(50'000);
  // Contracts issued per transaction (issue_batch).
  int batch = 200;
  // Render and store the PDFs of a run's documents when it ends (render_pdf_in_run).
  bool render_pdfs = true;
  // Days a credit or debit note is due after its issue (note_due_days).
  int note_due_days = 10;
  // A piece of a run claimed by a replica that stopped renewing it (it died)
  // is taken over by another replica after this long (run_lease).
  absl::Duration lease = absl::Minutes(1);
  // This replica's name in claims (worker_id); empty: host and process id.
  std::string worker_id;
};

// A fresh random id ("<prefix>-" + 16 hex digits).
std::string NewId(std::string_view prefix);

}  // namespace gridbill::invoicing
