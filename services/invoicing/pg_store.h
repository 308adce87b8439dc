// The PostgreSQL implementation of Store: the only file with SQL calls (the
// statements themselves are in queries.h). Every method runs in a pool
// transaction, joining the caller's when one is open on this thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gridbill/jobs/pg_jobs.h"
#include "gridbill/pg/pool.h"
#include "store.h"

namespace gridbill::invoicing {

class PgStore final : public Store {
 public:
  explicit PgStore(pg::Pool& pool) : pool_(pool), jobs_(pool) {}

  absl::StatusOr<std::vector<VatRate>> VatRates() override;
  absl::StatusOr<paging::PageOf<VatRate>> ListVatRates(const paging::Page& page) override;
  absl::StatusOr<Period> GetPeriod(const BillingPeriod& period) override;
  absl::StatusOr<paging::PageOf<Period>> ListPeriods(const paging::Page& page) override;
  absl::StatusOr<Period> TransitionPeriod(const BillingPeriod& period, PeriodState target,
                                          absl::Time now) override;
  absl::Status CreateRun(const InvoiceRun& run) override;
  absl::StatusOr<InvoiceRun> GetRun(const std::string& id) override;
  absl::StatusOr<paging::PageOf<InvoiceRun>> ListRuns(const std::optional<BillingPeriod>& period,
                                                      const paging::Page& page) override;
  absl::StatusOr<paging::PageOf<InvoiceRun>> RunChanges(const std::optional<BillingPeriod>& period,
                                                        const paging::Page& page) override;
  jobs::JobStore& Jobs() override { return jobs_; }
  absl::StatusOr<bool> PlanRun(const jobs::Claim& claim, const RunPlan& plan,
                               absl::Time now) override;
  absl::StatusOr<std::vector<PlannedContract>> PieceContracts(const jobs::Claim& claim) override;
  absl::StatusOr<jobs::Completion> IssuePiece(const jobs::Claim& claim, const BillingPeriod& period,
                                              bool correction, PieceOutcome& outcome,
                                              absl::Time now) override;
  absl::StatusOr<std::vector<NotBilled>> ListNotBilled(const std::string& run_id) override;
  absl::StatusOr<IssueResult> Issue(const BillingPeriod& period, bool correction,
                                    std::vector<IssueGroup>& groups) override;
  absl::StatusOr<Document> GetDocument(const std::string& id) override;
  absl::StatusOr<paging::PageOf<Document>> ListDocuments(const DocumentFilter& filter,
                                                         const paging::Page& page) override;
  absl::StatusOr<paging::PageOf<Document>> DocumentChanges(const DocumentFilter& filter,
                                                           const paging::Page& page) override;
  absl::StatusOr<std::map<DocType, int64_t>> CountDocumentsByType(
      const BillingPeriod& period) override;
  absl::StatusOr<std::vector<Document>> ChargedDocuments(const std::string& contract_id,
                                                         const BillingPeriod& period) override;
  absl::StatusOr<std::optional<Document>> EsfOf(const Document& document) override;
  absl::StatusOr<std::optional<StoredPdf>> GetPdf(const std::string& document_id) override;
  absl::StatusOr<StoredPdf> PutPdf(const std::string& document_id, const StoredPdf& pdf) override;
  absl::StatusOr<PaymentImport> InsertPayments(const std::vector<Payment>& payments,
                                               absl::Time now) override;
  absl::StatusOr<std::vector<Payment>> ListPayments(const std::string& participant_id,
                                                    const std::string& contract_id) override;
  absl::StatusOr<paging::PageOf<Payment>> ListPaymentsPage(const std::string& participant_id,
                                                           const std::string& contract_id,
                                                           const paging::Page& page) override;
  absl::StatusOr<paging::PageOf<Payment>> PaymentChanges(const std::string& participant_id,
                                                         const std::string& contract_id,
                                                         const paging::Page& page) override;
  absl::StatusOr<std::vector<Payment>> PaymentsByReference(
      const std::vector<std::string>& references) override;
  absl::StatusOr<LedgerInputs> LedgerInputsOf(
      const std::vector<std::string>& contract_ids) override;
  absl::StatusOr<std::vector<Document>> ReceivableDocuments(
      const std::string& participant_id, const std::string& contract_id) override;

 private:
  pg::Pool& pool_;
  jobs::PgJobs jobs_;
};

}  // namespace gridbill::invoicing
