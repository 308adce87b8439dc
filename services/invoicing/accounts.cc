#include "accounts.h"

#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/csv.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"
#include "gridbill/domain/identifiers.h"
#include "gridbill/domain/money.h"

namespace gridbill::invoicing {
namespace {

std::string Trimmed(const std::string& s) {
  return std::string(absl::StripAsciiWhitespace(ToAbsl(s)));
}

}  // namespace

absl::StatusOr<std::vector<PaymentRow>> ParsePaymentsCsv(std::string_view csv) {
  const CsvParseResult parsed = ParseCsv(csv);
  if (!parsed.errors.empty()) {
    const CsvError& e = parsed.errors.front();
    return InvalidField("csv", absl::StrCat("line ", e.line, ": ", e.message));
  }
  const std::vector<CsvRecord>& rows = parsed.records;
  if (rows.empty()) return InvalidField("csv", "empty file: a header row is required");
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < rows[0].fields.size(); ++i) {
    col[absl::AsciiStrToLower(ToAbsl(Trimmed(rows[0].fields[i])))] = i;
  }
  for (const char* required :
       {"reference", "value_date", "payer_bin", "contract_number", "amount"}) {
    if (col.count(required) == 0) {
      return InvalidField("csv", absl::StrCat("header: missing column ", required));
    }
  }
  std::vector<PaymentRow> out;
  std::map<std::string, int> seen;
  for (size_t r = 1; r < rows.size(); ++r) {
    const int line = rows[r].line;
    const std::vector<std::string>& fields = rows[r].fields;
    auto get = [&](const char* name) -> std::string {
      auto it = col.find(name);
      if (it == col.end() || it->second >= fields.size()) return "";
      return Trimmed(fields[it->second]);
    };
    auto bad = [&](const char* field, std::string_view reason) {
      return InvalidField(absl::StrCat("csv line ", line, " ", field), reason);
    };
    PaymentRow p;
    p.line = line;
    p.reference = get("reference");
    if (p.reference.empty()) return bad("reference", "required");
    if (auto [it, fresh] = seen.emplace(p.reference, line); !fresh) {
      return bad("reference", absl::StrCat("repeats the payment of line ", it->second));
    }
    absl::StatusOr<absl::CivilDay> day = ParseDate(get("value_date"), "value_date");
    if (!day.ok()) return bad("value_date", "expected YYYY-MM-DD");
    p.value_date = *day;
    p.payer_bin = get("payer_bin");
    if (absl::Status st = ValidateBin(p.payer_bin, "payer_bin"); !st.ok()) {
      return bad("payer_bin", ToStd(st.message()));
    }
    p.contract_number = get("contract_number");
    if (p.contract_number.empty()) return bad("contract_number", "required");
    absl::StatusOr<Money> amount = Money::Parse(get("amount"), "amount");
    if (!amount.ok()) return bad("amount", "expected tenge with up to 2 decimals, e.g. 1234.56");
    if (amount->tiyn <= 0) return bad("amount", "must be positive");
    p.amount_tiyn = amount->tiyn;
    p.purpose = get("purpose");
    out.push_back(std::move(p));
  }
  if (out.empty()) return InvalidField("csv", "no payment rows");
  return out;
}

absl::StatusOr<ImportOutcome> Accounts::ImportPayments(std::string_view csv) {
  ASSIGN_OR_RETURN(std::vector<PaymentRow> rows, ParsePaymentsCsv(csv));
  absl::flat_hash_map<std::string, ContractInfo> contracts;
  std::vector<Payment> payments;
  std::vector<std::string> refs;
  for (const PaymentRow& r : rows) {
    auto it = contracts.find(r.contract_number);
    if (it == contracts.end()) {
      absl::StatusOr<ContractInfo> c = directory_.ContractByNumber(r.contract_number);
      if (c.status().code() == absl::StatusCode::kNotFound) {
        return InvalidField(absl::StrCat("csv line ", r.line, " contract_number"),
                            absl::StrCat("no contract ", QuoteInput(r.contract_number)));
      }
      if (!c.ok()) return c.status();
      it = contracts.emplace(r.contract_number, *c).first;
    }
    Payment p;
    p.id = NewId("pay");
    p.reference = r.reference;
    p.value_date = r.value_date;
    p.payer_bin = r.payer_bin;
    p.contract_id = it->second.id;
    p.contract_number = r.contract_number;
    p.participant_id = it->second.participant_id;
    p.amount_tiyn = r.amount_tiyn;
    p.purpose = r.purpose;
    refs.push_back(p.reference);
    payments.push_back(std::move(p));
  }
  // A reference imported before with other content is refused naming the
  // file's line (the store refuses it again, naming the reference, should
  // another import store it meanwhile).
  ASSIGN_OR_RETURN(std::vector<Payment> before, store_.PaymentsByReference(refs));
  for (const Payment& e : before) {
    for (size_t i = 0; i < payments.size(); ++i) {
      if (payments[i].reference != e.reference || SamePaymentContent(e, payments[i])) continue;
      return InvalidField(
          absl::StrCat("csv line ", rows[i].line, " reference"),
          absl::StrCat("payment ", QuoteInput(e.reference), " was imported before with other ",
                       "content (value date ", FormatDate(e.value_date), ", contract ",
                       e.contract_number, ", amount ", Money{e.amount_tiyn}.ToString(), ")"));
    }
  }
  ImportOutcome out;
  ASSIGN_OR_RETURN(out.counts, store_.InsertPayments(payments, clock_.Now()));
  // The file's payments as stored, each with its allocation in its contract.
  ASSIGN_OR_RETURN(std::vector<Payment> stored, store_.PaymentsByReference(refs));
  std::map<std::string, LedgerResult> ledgers;
  for (const Payment& p : stored) {
    if (ledgers.count(p.contract_id) > 0) continue;
    ASSIGN_OR_RETURN(std::vector<Document> docs, store_.ReceivableDocuments("", p.contract_id));
    ASSIGN_OR_RETURN(std::vector<Payment> all, store_.ListPayments("", p.contract_id));
    ledgers[p.contract_id] = Allocate(docs, all);
  }
  for (const Payment& p : stored) {
    for (const Payment& a : ledgers[p.contract_id].payments) {
      if (a.reference == p.reference) out.payments.push_back(a);
    }
  }
  return out;
}

absl::StatusOr<std::string> Accounts::Scoped(const std::string& participant_id,
                                             const std::string& scope) {
  if (scope.empty()) return participant_id;
  if (!participant_id.empty() && participant_id != scope) {
    return absl::PermissionDeniedError("participant_id: another participant's account");
  }
  return scope;
}

absl::StatusOr<paging::PageOf<Payment>> Accounts::ListPayments(const std::string& participant_id,
                                                               const std::string& contract_id,
                                                               const std::string& scope,
                                                               const paging::Page& page) {
  ASSIGN_OR_RETURN(std::string participant, Scoped(participant_id, scope));
  ASSIGN_OR_RETURN(paging::PageOf<Payment> out,
                   store_.ListPaymentsPage(participant, contract_id, page));
  RETURN_IF_ERROR(Allocated(participant, out.items));
  return out;
}

absl::StatusOr<paging::PageOf<Payment>> Accounts::PaymentChanges(const std::string& participant_id,
                                                                 const std::string& contract_id,
                                                                 const std::string& scope,
                                                                 const paging::Page& page) {
  ASSIGN_OR_RETURN(std::string participant, Scoped(participant_id, scope));
  ASSIGN_OR_RETURN(paging::PageOf<Payment> out,
                   store_.PaymentChanges(participant, contract_id, page));
  RETURN_IF_ERROR(Allocated(participant, out.items));
  return out;
}

absl::Status Accounts::Allocated(const std::string& participant, std::vector<Payment>& payments) {
  // A payment's allocation depends on the contract's documents and earlier
  // payments: replay the ledger of each contract among them.
  std::map<std::string, Payment*> on_page;
  std::set<std::string> contracts;
  for (Payment& p : payments) {
    on_page[p.reference] = &p;
    contracts.insert(p.contract_id);
  }
  for (const std::string& contract : contracts) {
    ASSIGN_OR_RETURN(std::vector<Document> docs, store_.ReceivableDocuments(participant, contract));
    ASSIGN_OR_RETURN(std::vector<Payment> pays, store_.ListPayments(participant, contract));
    LedgerResult l = Allocate(docs, pays);
    for (Payment& p : l.payments) {
      auto it = on_page.find(p.reference);
      if (it != on_page.end()) *it->second = std::move(p);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ContractBalance>> Accounts::Balances(const std::string& participant_id,
                                                                const std::string& scope) {
  ASSIGN_OR_RETURN(std::string participant, Scoped(participant_id, scope));
  if (participant.empty()) return InvalidField("participant_id", "required");
  ASSIGN_OR_RETURN(std::vector<Document> docs, store_.ReceivableDocuments(participant, ""));
  ASSIGN_OR_RETURN(std::vector<Payment> payments, store_.ListPayments(participant, ""));
  std::map<std::string, std::vector<Document>> docs_by;
  std::map<std::string, std::vector<Payment>> pays_by;
  for (Document& d : docs) docs_by[d.contract_id].push_back(std::move(d));
  for (Payment& p : payments) pays_by[p.contract_id].push_back(std::move(p));
  std::vector<ContractBalance> out(1);
  out[0].participant_id = participant;
  std::map<std::string, bool> contracts;
  for (const auto& [c, _] : docs_by) contracts[c] = true;
  for (const auto& [c, _] : pays_by) contracts[c] = true;
  for (const auto& [contract, _] : contracts) {
    LedgerResult l = Allocate(docs_by[contract], pays_by[contract]);
    ContractBalance b{participant, contract, l.charged, l.paid, l.charged - l.paid, l.credit};
    out[0].charged += b.charged;
    out[0].paid += b.paid;
    out[0].balance += b.balance;
    out[0].credit += b.credit;
    out.push_back(b);
  }
  return out;
}

absl::StatusOr<StatementData> Accounts::Statement(const std::string& participant_id,
                                                  const std::string& contract_id,
                                                  absl::CivilDay from, absl::CivilDay to,
                                                  const std::string& scope) {
  ASSIGN_OR_RETURN(std::string participant, Scoped(participant_id, scope));
  if (participant.empty()) return InvalidField("participant_id", "required");
  if (to < from) return InvalidField("to_date", "before from_date");
  ASSIGN_OR_RETURN(std::vector<Document> docs,
                   store_.ReceivableDocuments(participant, contract_id));
  ASSIGN_OR_RETURN(std::vector<Payment> payments, store_.ListPayments(participant, contract_id));
  return BuildStatement(docs, payments, from, to);
}

absl::StatusOr<AgingBuckets> Accounts::Aging(const std::string& participant_id,
                                             absl::CivilDay as_of, const std::string& scope) {
  ASSIGN_OR_RETURN(std::string participant, Scoped(participant_id, scope));
  ASSIGN_OR_RETURN(std::vector<Document> docs, store_.ReceivableDocuments(participant, ""));
  ASSIGN_OR_RETURN(std::vector<Payment> payments, store_.ListPayments(participant, ""));
  std::map<std::string, std::vector<Document>> docs_by;
  std::map<std::string, std::vector<Payment>> pays_by;
  for (Document& d : docs) docs_by[d.contract_id].push_back(std::move(d));
  for (Payment& p : payments) pays_by[p.contract_id].push_back(std::move(p));
  AgingBuckets buckets;
  for (const auto& [contract, cdocs] : docs_by) {
    LedgerResult l = Allocate(cdocs, pays_by[contract], as_of);
    AddAging(cdocs, l, as_of, buckets);
  }
  return buckets;
}

}  // namespace gridbill::invoicing
