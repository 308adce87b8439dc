// What the invoicing domain needs from storage, nothing more.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gridbill/jobs/job.h"
#include "model.h"
#include "sources.h"

namespace gridbill::invoicing {

// The documents of one contract and period issued together under one
// billing basis. Ids are set by the caller; numbers by the store.
struct IssueGroup {
  std::string contract_id;
  // "regular" for a regular run; a correction's basis otherwise. A
  // (contract, period, basis) is billed once: a group whose claim exists is skipped.
  std::string basis;
  std::vector<Document> documents;
  // Per document: the index in `documents` of the document it accompanies
  // (-1: none, or related_id already set); its number and date are copied.
  std::vector<int> related_index;
  // Per document (ESF): the index of the act it is based on, or -1.
  std::vector<int> delivery_index;
};

struct IssueResult {
  int64_t groups_issued = 0;
  int64_t groups_skipped = 0;  // already billed on that basis
  int64_t documents_issued = 0;
};

// A contract an invoice run bills, as recorded when the run was split: the
// days it is billed for (its validity cut to the month), or why the run
// refuses it.
struct PlannedContract {
  int piece_no = 0;
  ContractInfo contract;
  absl::CivilDay bill_from;
  absl::CivilDay bill_to;
  bool whole_period = true;
  std::string refusal;  // non-empty: not billed, a failure
};

// How a run splits: the balance run it bills from and its contracts in pieces.
struct RunPlan {
  BalanceRunInfo balance;
  std::vector<PlannedContract> contracts;
  std::vector<jobs::PieceSpec> pieces;
};

// What one piece of a run issues and records.
struct PieceOutcome {
  std::vector<IssueGroup> groups;
  std::vector<NotBilled> not_billed;
  int64_t contracts_failed = 0;
  int64_t contracts_unchanged = 0;  // a correction found no difference
  std::string result;               // stored with the piece, read by the summary
  IssueResult issued;               // set by IssuePiece
};

// The order of a documents list: a register's (type, year, number) or the
// newest issued first (issue date, time of issue, newest first; documents
// issued together: invoices and notes before acts and ESF, by number
// descending). Both are total orders, so offset pages neither skip nor repeat.
enum class DocumentOrder { kTypeNumber, kNewestFirst };

struct DocumentFilter {
  std::string participant_id;
  std::string contract_id;
  std::optional<BillingPeriod> period;
  std::optional<DocType> type;
  std::string invoice_run_id;
  DocumentOrder order = DocumentOrder::kTypeNumber;  // of ListDocuments only
};

// A document together with its stored PDF.
struct StoredPdf {
  std::string pdf;
  std::string sha256;
};

// What the ledgers of some contracts are computed from (ledger.h): their
// receivable documents (without lines) and their payments.
struct LedgerInputs {
  std::vector<Document> documents;
  std::vector<Payment> payments;
};

struct PaymentImport {
  int64_t created = 0;
  int64_t already_present = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual absl::StatusOr<std::vector<VatRate>> VatRates() = 0;
  // The same, a page at a time (keyset on valid_from).
  virtual absl::StatusOr<paging::PageOf<VatRate>> ListVatRates(const paging::Page& page) = 0;

  // An unknown period reads as open (never stored).
  virtual absl::StatusOr<Period> GetPeriod(const BillingPeriod& period) = 0;
  // Periods newest first, runs latest started first: by keyset.
  virtual absl::StatusOr<paging::PageOf<Period>> ListPeriods(const paging::Page& page) = 0;
  // Moves the period one step forward (open -> closing -> closed) under a
  // row lock; FAILED_PRECONDITION "target_state" for any other move.
  virtual absl::StatusOr<Period> TransitionPeriod(const BillingPeriod& period, PeriodState target,
                                                  absl::Time now) = 0;

  // Invoice runs are jobs (libs/jobs, kind kRunJobKind): state, progress,
  // summary and error are the job's. CreateRun stores the run and its
  // pending job together.
  virtual absl::Status CreateRun(const InvoiceRun& run) = 0;
  virtual absl::StatusOr<InvoiceRun> GetRun(const std::string& id) = 0;
  virtual absl::StatusOr<paging::PageOf<InvoiceRun>> ListRuns(
      const std::optional<BillingPeriod>& period, const paging::Page& page) = 0;
  // The change feed of runs (page.after: the position {xid, seq} to read
  // after); `next` is the position of the last run returned.
  virtual absl::StatusOr<paging::PageOf<InvoiceRun>> RunChanges(
      const std::optional<BillingPeriod>& period, const paging::Page& page) = 0;
  // The jobs of this database.
  virtual jobs::JobStore& Jobs() = 0;
  // Stores the plan of a pending run under the job claim; false (nothing
  // stored) when the claim was lost.
  virtual absl::StatusOr<bool> PlanRun(const jobs::Claim& claim, const RunPlan& plan,
                                       absl::Time now) = 0;
  // The contracts of a claimed piece of a run, in billing order: carried
  // by the claim (the plan stores them with the piece), read only for a run
  // split before they were.
  virtual absl::StatusOr<std::vector<PlannedContract>> PieceContracts(const jobs::Claim& claim) = 0;
  // Issues a piece in one transaction, committed only while `claim` is the
  // piece's current claim and the run is running: its groups (as Issue),
  // its contracts not billed, the run's counters, and the piece's result.
  // kDiscarded (nothing written) otherwise.
  virtual absl::StatusOr<jobs::Completion> IssuePiece(const jobs::Claim& claim,
                                                      const BillingPeriod& period, bool correction,
                                                      PieceOutcome& outcome, absl::Time now) = 0;
  // The contracts a run did not bill, by contract number.
  virtual absl::StatusOr<std::vector<NotBilled>> ListNotBilled(const std::string& run_id) = 0;

  // Issues the groups in one transaction: claims each (contract, period,
  // basis) (skipping the ones claimed before, waiting for a concurrent
  // claimer to finish), numbers the documents from the per-type-and-year
  // counters, and writes documents and lines. FAILED_PRECONDITION "period"
  // when the period is closed and `correction` is false.
  virtual absl::StatusOr<IssueResult> Issue(const BillingPeriod& period, bool correction,
                                            std::vector<IssueGroup>& groups) = 0;

  virtual absl::StatusOr<Document> GetDocument(const std::string& id) = 0;
  // A page of documents with their lines, in filter.order, by keyset; the
  // first page (page.first()) also counts the whole filter (total_size).
  virtual absl::StatusOr<paging::PageOf<Document>> ListDocuments(const DocumentFilter& filter,
                                                                 const paging::Page& page) = 0;
  // The change feed of documents (with lines), as RunChanges.
  virtual absl::StatusOr<paging::PageOf<Document>> DocumentChanges(const DocumentFilter& filter,
                                                                   const paging::Page& page) = 0;
  // How many documents of each type the period has (a type without any is
  // absent).
  virtual absl::StatusOr<std::map<DocType, int64_t>> CountDocumentsByType(
      const BillingPeriod& period) = 0;
  // Receivable documents (invoice, credit and debit notes) of a contract
  // and period, with lines, in issue order.
  virtual absl::StatusOr<std::vector<Document>> ChargedDocuments(const std::string& contract_id,
                                                                 const BillingPeriod& period) = 0;
  // The ESF issued together with a receivable document, if any.
  virtual absl::StatusOr<std::optional<Document>> EsfOf(const Document& document) = 0;

  virtual absl::StatusOr<std::optional<StoredPdf>> GetPdf(const std::string& document_id) = 0;
  // Stores the rendering once; a second call keeps the first (and returns it).
  virtual absl::StatusOr<StoredPdf> PutPdf(const std::string& document_id,
                                           const StoredPdf& pdf) = 0;

  // Inserts the payments; one whose reference exists with the same content
  // counts as already present, with other content INVALID_ARGUMENT naming
  // the reference. All or nothing.
  virtual absl::StatusOr<PaymentImport> InsertPayments(const std::vector<Payment>& payments,
                                                       absl::Time now) = 0;
  virtual absl::StatusOr<std::vector<Payment>> ListPayments(const std::string& participant_id,
                                                            const std::string& contract_id) = 0;
  // The same (without allocations), a page at a time: by value date and
  // reference, keyset.
  virtual absl::StatusOr<paging::PageOf<Payment>> ListPaymentsPage(
      const std::string& participant_id, const std::string& contract_id,
      const paging::Page& page) = 0;
  // The change feed of payments (without allocations), as RunChanges.
  virtual absl::StatusOr<paging::PageOf<Payment>> PaymentChanges(const std::string& participant_id,
                                                                 const std::string& contract_id,
                                                                 const paging::Page& page) = 0;
  virtual absl::StatusOr<std::vector<Payment>> PaymentsByReference(
      const std::vector<std::string>& references) = 0;
  // Receivable documents (without lines) of a participant, or of one
  // contract, or of everyone when both are empty.
  virtual absl::StatusOr<std::vector<Document>> ReceivableDocuments(
      const std::string& participant_id, const std::string& contract_id) = 0;
  // The receivable documents and payments of every contract in
  // `contract_ids`, in two statements (a page of documents needs the ledgers
  // of its contracts at once).
  virtual absl::StatusOr<LedgerInputs> LedgerInputsOf(
      const std::vector<std::string>& contract_ids) = 0;
};

}  // namespace gridbill::invoicing
