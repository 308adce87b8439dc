#include "ledger.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "accrual.h"

namespace gridbill::invoicing {

LedgerResult Allocate(const std::vector<Document>& docs, const std::vector<Payment>& payments,
                      std::optional<absl::CivilDay> as_of) {
  LedgerResult out;
  std::vector<const Document*> receivables;  // invoices and debit notes, oldest first
  std::vector<const Document*> credits;
  for (const Document& d : docs) {
    if (as_of && d.issue_date > *as_of) continue;
    if (d.type == DocType::kInvoice || d.type == DocType::kDebitNote) {
      receivables.push_back(&d);
      out.open[d.id] = d.total_tiyn;
      out.charged += d.total_tiyn;
    } else if (d.type == DocType::kCreditNote) {
      credits.push_back(&d);
      out.charged += d.total_tiyn;  // negative
    }
  }
  auto older = [](const Document* a, const Document* b) {
    return std::tie(a->issue_date, a->create_time, a->number) <
           std::tie(b->issue_date, b->create_time, b->number);
  };
  std::stable_sort(receivables.begin(), receivables.end(), older);
  std::stable_sort(credits.begin(), credits.end(), older);
  // Pays `amount` into open documents oldest first; returns what is left.
  auto pay_oldest = [&](int64_t amount, std::vector<Allocation>* allocations) {
    for (const Document* d : receivables) {
      if (amount <= 0) break;
      int64_t& open = out.open[d->id];
      if (open <= 0) continue;
      const int64_t take = std::min(open, amount);
      open -= take;
      amount -= take;
      if (allocations != nullptr) allocations->push_back(Allocation{d->id, d->number, take});
    }
    return amount;
  };
  for (const Document* c : credits) {
    int64_t amount = -c->total_tiyn;
    auto rel = out.open.find(c->related_id);
    if (rel != out.open.end() && rel->second > 0) {
      const int64_t take = std::min(rel->second, amount);
      rel->second -= take;
      amount -= take;
    }
    out.credit += pay_oldest(amount, nullptr);
  }
  std::vector<Payment> sorted;
  for (const Payment& p : payments) {
    if (as_of && p.value_date > *as_of) continue;
    sorted.push_back(p);
  }
  std::stable_sort(sorted.begin(), sorted.end(), [](const Payment& a, const Payment& b) {
    return std::tie(a.value_date, a.reference) < std::tie(b.value_date, b.reference);
  });
  for (Payment& p : sorted) {
    p.allocations.clear();
    p.unallocated_tiyn = pay_oldest(p.amount_tiyn, &p.allocations);
    out.credit += p.unallocated_tiyn;
    out.paid += p.amount_tiyn;
  }
  out.payments = std::move(sorted);
  return out;
}

void AddAging(const std::vector<Document>& docs, const LedgerResult& ledger, absl::CivilDay as_of,
              AgingBuckets& buckets) {
  for (const Document& d : docs) {
    auto it = ledger.open.find(d.id);
    if (it == ledger.open.end() || it->second <= 0) continue;
    const int64_t days = as_of - d.due_date;
    if (days < 0) {
      buckets.not_due += it->second;
    } else if (days <= 30) {
      buckets.d0_30 += it->second;
    } else if (days <= 60) {
      buckets.d31_60 += it->second;
    } else if (days <= 90) {
      buckets.d61_90 += it->second;
    } else {
      buckets.over_90 += it->second;
    }
  }
}

StatementData BuildStatement(const std::vector<Document>& docs,
                             const std::vector<Payment>& payments, absl::CivilDay from,
                             absl::CivilDay to) {
  StatementData s;
  for (const Document& d : docs) {
    if (!IsReceivable(d.type)) continue;
    if (d.issue_date < from) {
      s.opening += d.total_tiyn;
    } else if (d.issue_date <= to) {
      s.charged += d.total_tiyn;
      StatementLine l;
      l.date = d.issue_date;
      l.kind = "document";
      l.reference = d.number;
      l.contract_number = d.contract_number;
      l.description = absl::StrCat(d.type == DocType::kInvoice      ? "Счёт на оплату"
                                   : d.type == DocType::kCreditNote ? "Кредит-нота"
                                                                    : "Дебет-нота",
                                   " за ", d.period.ToString());
      l.charged = d.total_tiyn;
      s.lines.push_back(std::move(l));
    }
  }
  for (const Payment& p : payments) {
    if (p.value_date < from) {
      s.opening -= p.amount_tiyn;
    } else if (p.value_date <= to) {
      s.paid += p.amount_tiyn;
      StatementLine l;
      l.date = p.value_date;
      l.kind = "payment";
      l.reference = p.reference;
      l.contract_number = p.contract_number;
      l.description = p.purpose.empty() ? "Оплата" : p.purpose;
      l.paid = p.amount_tiyn;
      s.lines.push_back(std::move(l));
    }
  }
  std::stable_sort(
      s.lines.begin(), s.lines.end(), [](const StatementLine& a, const StatementLine& b) {
        return std::tie(a.date, a.kind, a.reference) < std::tie(b.date, b.kind, b.reference);
      });
  s.closing = s.opening + s.charged - s.paid;
  return s;
}

}  // namespace gridbill::invoicing
