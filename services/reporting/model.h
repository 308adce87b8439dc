// The reporting service's domain types: plain C++, no gRPC, no SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gridbill/jobs/job.h"

namespace gridbill::reporting {

inline constexpr char kRefreshKind[] = "reporting.refresh";

// The services of gridbill.contracts.v1.ServiceType, same numbers.
inline constexpr int kServiceTypes = 4;
// "transmission", "dispatching", "balancing", "grid-use"; "" when not 1..4.
const char* ServiceName(int service_type);

// The values of gridbill.invoicing.v1.DocumentType.
enum class DocumentType { kInvoice = 1, kAct = 2, kEsf = 3, kCreditNote = 4, kDebitNote = 5 };

// --- what the read model holds (copies of the owning services' answers) ---

struct ParticipantInfo {
  std::string id;
  std::string bin;
  std::string name;
  std::string region_code;
};

struct InvoiceRunInfo {
  std::string id;
  absl::CivilMonth period;
  int run_type = 0;
  std::string balance_run_id;
  jobs::State state = jobs::State::kPending;
  int64_t documents_issued = 0;
};

struct DocumentLineInfo {
  int line_no = 0;
  int service_type = 0;
  int64_t volume_wh = 0;
  int64_t amount_tiyn = 0;
  int64_t vat_tiyn = 0;
  int64_t total_tiyn = 0;
  std::string balance_run_id;
};

struct DocumentInfo {
  std::string id;
  int type = 0;
  std::string number;
  absl::CivilMonth period;
  absl::CivilDay issue_date;
  std::optional<absl::CivilDay> due_date;
  std::string participant_id;
  std::string contract_id;
  std::string invoice_run_id;
  std::string related_document_id;
  int64_t amount_tiyn = 0;
  int64_t vat_tiyn = 0;
  int64_t total_tiyn = 0;
  // Still open (invoices and debit notes), as invoicing reported it.
  int64_t open_tiyn = 0;
  std::vector<DocumentLineInfo> lines;
};

struct PaymentInfo {
  std::string id;
  std::string reference;
  absl::CivilDay value_date;
  std::string participant_id;
  std::string contract_id;
  int64_t amount_tiyn = 0;
  int64_t unallocated_tiyn = 0;
};

// --- refreshes ---

// The sources of the read model, one piece of a refresh each.
inline constexpr char kSourceParticipants[] = "contracts.participants";
inline constexpr char kSourceDocuments[] = "invoicing.documents";
inline constexpr char kSourcePayments[] = "invoicing.payments";

struct SourceCount {
  std::string source;
  int64_t fetched = 0;
  // "changes", "runs" or "full" (see reporting.proto SourceCount.mode).
  std::string mode;
};

struct Refresh {
  std::string id;
  jobs::Job job;
  std::vector<SourceCount> sources;
  std::string created_by;
};

// How fresh the read model is: the last refresh that succeeded.
struct Freshness {
  std::string refresh_id;
  absl::Time as_of;
};

// --- the read model's aggregates, as the store computes them ---

// Service volumes and revenue of one participant x service x month
// (invoices, credit and debit notes; acts and ESFs repeat the invoice).
struct ServiceMonth {
  absl::CivilMonth period;
  std::string participant_id;
  std::string participant_name;
  std::string region_code;
  int service_type = 0;
  int64_t volume_wh = 0;
  int64_t amount_tiyn = 0;
  int64_t vat_tiyn = 0;
  int64_t total_tiyn = 0;
};

// The documents of one month (R8).
struct PeriodDocuments {
  absl::CivilMonth period;
  int64_t participants = 0;
  int64_t contracts = 0;
  int64_t by_type[6] = {0, 0, 0, 0, 0, 0};  // index: DocumentType
  int64_t amount_tiyn = 0;
  int64_t vat_tiyn = 0;
  int64_t total_tiyn = 0;
  std::string invoice_runs;  // space-separated, sorted
  std::string balance_runs;  // space-separated, sorted
};

// One participant's accruals, payments and open receivables by days past due (R3).
struct Receivables {
  std::string participant_id;
  std::string participant_name;
  std::string region_code;
  int64_t accrued_tiyn = 0;
  int64_t paid_tiyn = 0;
  int64_t open_tiyn = 0;
  int64_t not_due_tiyn = 0;
  int64_t d0_30_tiyn = 0;
  int64_t d31_60_tiyn = 0;
  int64_t d61_90_tiyn = 0;
  int64_t over_90_tiyn = 0;
};

// One line of a participant's reconciliation act (R7): a document (charged)
// or a payment (paid).
struct ActLine {
  absl::CivilDay day;
  bool payment = false;
  int document_type = 0;  // DocumentType for a document
  std::string reference;  // document number or payment reference
  int64_t amount_tiyn = 0;
};

// The payments with a value date in one month (R8).
struct PeriodPayments {
  absl::CivilMonth period;
  int64_t count = 0;
  int64_t amount_tiyn = 0;
};

}  // namespace gridbill::reporting
