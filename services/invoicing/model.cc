#include "model.h"

#include <random>

#include "absl/strings/str_format.h"

namespace gridbill::invoicing {

const char* ServiceCode(Service s) {
  switch (s) {
    case Service::kTransmission:
      return "transmission";
    case Service::kDispatching:
      return "dispatching";
    case Service::kBalancing:
      return "balancing";
    case Service::kGridUse:
      return "grid_use";
  }
  return "unknown";
}

const char* ServiceTitle(Service s) {
  switch (s) {
    case Service::kTransmission:
      return "Услуги по передаче электрической энергии по национальной электрической сети";
    case Service::kDispatching:
      return "Услуги по технической диспетчеризации отпуска в сеть и потребления электрической "
             "энергии";
    case Service::kBalancing:
      return "Услуги по организации балансирования производства-потребления электрической энергии";
    case Service::kGridUse:
      return "Услуги по пользованию национальной электрической сетью";
  }
  return "";
}

const char* PeriodStateName(PeriodState s) {
  switch (s) {
    case PeriodState::kOpen:
      return "open";
    case PeriodState::kClosing:
      return "closing";
    case PeriodState::kClosed:
      return "closed";
  }
  return "open";
}

std::optional<PeriodState> PeriodStateFromName(std::string_view name) {
  for (PeriodState s : {PeriodState::kOpen, PeriodState::kClosing, PeriodState::kClosed}) {
    if (PeriodStateName(s) == name) return s;
  }
  return std::nullopt;
}

const char* DocTypeName(DocType t) {
  switch (t) {
    case DocType::kInvoice:
      return "invoice";
    case DocType::kAct:
      return "act";
    case DocType::kEsf:
      return "esf";
    case DocType::kCreditNote:
      return "credit_note";
    case DocType::kDebitNote:
      return "debit_note";
  }
  return "invoice";
}

std::optional<DocType> DocTypeFromName(std::string_view name) {
  for (DocType t : {DocType::kInvoice, DocType::kAct, DocType::kEsf, DocType::kCreditNote,
                    DocType::kDebitNote}) {
    if (DocTypeName(t) == name) return t;
  }
  return std::nullopt;
}

const char* DocTypePrefix(DocType t) {
  switch (t) {
    case DocType::kInvoice:
      return "INV";
    case DocType::kAct:
      return "ACT";
    case DocType::kEsf:
      return "ESF";
    case DocType::kCreditNote:
      return "CRN";
    case DocType::kDebitNote:
      return "DBN";
  }
  return "DOC";
}

bool IsReceivable(DocType t) {
  return t == DocType::kInvoice || t == DocType::kCreditNote || t == DocType::kDebitNote;
}

const char* JobStateName(JobState s) {
  switch (s) {
    case JobState::kPending:
      return "pending";
    case JobState::kRunning:
      return "running";
    case JobState::kSucceeded:
      return "succeeded";
    case JobState::kFailed:
      return "failed";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "pending";
}

std::optional<JobState> JobStateFromName(std::string_view name) {
  for (JobState s : {JobState::kPending, JobState::kRunning, JobState::kSucceeded,
                     JobState::kFailed, JobState::kCancelled}) {
    if (JobStateName(s) == name) return s;
  }
  return std::nullopt;
}

bool SamePaymentContent(const Payment& a, const Payment& b) {
  return a.value_date == b.value_date && a.payer_bin == b.payer_bin &&
         a.contract_id == b.contract_id && a.amount_tiyn == b.amount_tiyn && a.purpose == b.purpose;
}

std::string NewId(std::string_view prefix) {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())));
  return absl::StrFormat("%s-%016x", prefix, rng());
}

}  // namespace gridbill::invoicing
