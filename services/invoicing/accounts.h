// Payments and the accounts they settle: CSV import (idempotent by payment
// reference, all or nothing), allocation (ledger.h), balances per
// participant and contract, reconciliation statements and aging.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gridbill/base/clock.h"
#include "ledger.h"
#include "model.h"
#include "sources.h"
#include "store.h"

namespace gridbill::invoicing {

struct ContractBalance {
  std::string participant_id;
  std::string contract_id;
  int64_t charged = 0;
  int64_t paid = 0;
  int64_t balance = 0;  // charged - paid
  int64_t credit = 0;
};

struct ImportOutcome {
  PaymentImport counts;
  std::vector<Payment> payments;  // with allocations
};

// The CSV columns: reference, value_date, payer_bin, contract_number, amount
// (tenge, up to 2 decimals) and optionally purpose. Errors name the line
// and column: INVALID_ARGUMENT "csv line 3 amount: ...".
struct PaymentRow {
  int line = 0;
  std::string reference;
  absl::CivilDay value_date;
  std::string payer_bin;
  std::string contract_number;
  int64_t amount_tiyn = 0;
  std::string purpose;
};
absl::StatusOr<std::vector<PaymentRow>> ParsePaymentsCsv(std::string_view csv);

class Accounts {
 public:
  Accounts(Store& store, ContractDirectory& directory, const Clock& clock)
      : store_(store), directory_(directory), clock_(clock) {}

  absl::StatusOr<ImportOutcome> ImportPayments(std::string_view csv);
  // A page of payments by value date and reference, each with its
  // allocation to the contract's documents.
  absl::StatusOr<paging::PageOf<Payment>> ListPayments(const std::string& participant_id,
                                                       const std::string& contract_id,
                                                       const std::string& scope,
                                                       const paging::Page& page);
  // The change feed of payments (page.after: a change position): payments
  // as they are imported, each with its allocation as of the read.
  absl::StatusOr<paging::PageOf<Payment>> PaymentChanges(const std::string& participant_id,
                                                         const std::string& contract_id,
                                                         const std::string& scope,
                                                         const paging::Page& page);
  // The participant's total (contract_id empty) followed by one per contract.
  absl::StatusOr<std::vector<ContractBalance>> Balances(const std::string& participant_id,
                                                        const std::string& scope);
  absl::StatusOr<StatementData> Statement(const std::string& participant_id,
                                          const std::string& contract_id, absl::CivilDay from,
                                          absl::CivilDay to, const std::string& scope);
  absl::StatusOr<AgingBuckets> Aging(const std::string& participant_id, absl::CivilDay as_of,
                                     const std::string& scope);

 private:
  absl::StatusOr<std::string> Scoped(const std::string& participant_id, const std::string& scope);
  // Replaces each of `payments` by itself allocated in its contract's ledger.
  absl::Status Allocated(const std::string& participant, std::vector<Payment>& payments);
  Store& store_;
  ContractDirectory& directory_;
  const Clock& clock_;
};

}  // namespace gridbill::invoicing
