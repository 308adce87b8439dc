// The receivables ledger of a contract: allocation of credit notes and
// payments to open documents, balances, reconciliation statements and aging.
// Pure: documents and payments in, numbers out.
//
// Allocation is recomputed from the documents and payments each time (so it
// always agrees with them): a credit note first reduces the document it
// corrects, the rest goes to the oldest open documents; then payments, in
// value-date order, pay the oldest open documents (by issue date, then
// number); what is left of a payment stays as the contract's credit and pays
// documents issued later.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "model.h"

namespace gridbill::invoicing {

struct LedgerResult {
  // Open amount per receivable document id (invoices and debit notes).
  std::map<std::string, int64_t> open;
  // Payments with allocations and unallocated amounts filled in.
  std::vector<Payment> payments;
  int64_t charged = 0;  // invoices + debit notes - credit notes
  int64_t paid = 0;
  int64_t credit = 0;  // unallocated payments and credit notes
};

// `docs` and `payments` of ONE contract. When `as_of` is set, only
// documents issued and payments valued on or before it count.
LedgerResult Allocate(const std::vector<Document>& docs, const std::vector<Payment>& payments,
                      std::optional<absl::CivilDay> as_of = std::nullopt);

struct AgingBuckets {
  int64_t not_due = 0;
  int64_t d0_30 = 0;
  int64_t d31_60 = 0;
  int64_t d61_90 = 0;
  int64_t over_90 = 0;
  int64_t total() const { return not_due + d0_30 + d31_60 + d61_90 + over_90; }
};

// Adds the open amounts of `docs` (per LedgerResult::open) to the buckets by
// days past due on `as_of`: before the due date: not due; 0-30, 31-60,
// 61-90, over 90 days after it.
void AddAging(const std::vector<Document>& docs, const LedgerResult& ledger, absl::CivilDay as_of,
              AgingBuckets& buckets);

struct StatementLine {
  absl::CivilDay date;
  std::string kind;  // "document" or "payment"
  std::string reference;
  std::string contract_number;
  std::string description;
  int64_t charged = 0;
  int64_t paid = 0;
};

struct StatementData {
  int64_t opening = 0;
  int64_t charged = 0;
  int64_t paid = 0;
  int64_t closing = 0;
  std::vector<StatementLine> lines;
};

// A reconciliation statement over [from, to] of receivable documents and payments.
StatementData BuildStatement(const std::vector<Document>& docs,
                             const std::vector<Payment>& payments, absl::CivilDay from,
                             absl::CivilDay to);

}  // namespace gridbill::invoicing
