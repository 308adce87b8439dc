// A bank statement's incoming payments, whatever format the bank sent
// (1C Client-Bank exchange: client_bank.h; SWIFT MT940: mt940.h), and their
// CSV for invoicing's ImportPayments. Pure: no gRPC, no SQL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace gridbill::integrations {

// One credit line of a statement: a payment received.
struct StatementPayment {
  int line = 0;           // the line of the file the payment starts on (1-based)
  std::string reference;  // unique per bank and statement line; the payment's reference
  absl::CivilDay value_date;
  std::string payer_bin;        // 12 digits, or "" when the statement has none
  std::string contract_number;  // from the purpose (see ContractNumberIn), or ""
  int64_t amount_tiyn = 0;
  std::string purpose;
};

struct Statement {
  std::string format;   // "1c" or "mt940"
  std::string account;  // the account the statement is of
  std::vector<StatementPayment> payments;
  int debit_lines = 0;  // outgoing payments, not imported
};

// "line N: reason" as INVALID_ARGUMENT: what every parser returns for a bad line.
absl::Status BadLine(int line, absl::string_view reason);

// An amount "1234.56" or "1234,56" (up to 2 decimals, no sign) in tiyn.
absl::StatusOr<int64_t> ParseAmountTiyn(absl::string_view text);

// The contract number named in a payment's purpose: the word after "№",
// "No.", "No", "N" or "/CNTR/" (e.g. "оплата по договору № TR-0042 за
// октябрь" -> "TR-0042"), trailing punctuation dropped; "" when none.
std::string ContractNumberIn(absl::string_view purpose);

// The first run of exactly 12 digits in `text` (a BIN), or "".
std::string BinIn(absl::string_view text);

// ImportPayments' CSV: header reference,value_date,payer_bin,contract_number,amount,purpose.
std::string PaymentsCsv(const Statement& statement);

}  // namespace gridbill::integrations
