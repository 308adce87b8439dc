#include "convert.h"

#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::invoicing {

void ToProto(const PeriodView& p, v1::Period* out) {
  *out->mutable_period() = ToProtoPeriod(p.period.period);
  out->set_state(static_cast<v1::PeriodState>(p.period.state));
  *out->mutable_turnover_date() = ToProtoDate(p.period.period.last_day());
  out->set_vat_rate_percent(p.vat_rate_percent.ToString());
  if (p.period.open_time) *out->mutable_open_time() = ToProtoTime(*p.period.open_time);
  if (p.period.closing_time) *out->mutable_closing_time() = ToProtoTime(*p.period.closing_time);
  if (p.period.close_time) *out->mutable_close_time() = ToProtoTime(*p.period.close_time);
}

void ToProto(const VatRate& r, v1::VatRate* out) {
  *out->mutable_valid_from() = ToProtoDate(r.valid_from);
  out->set_rate_percent(r.rate_percent.ToString());
}

void ToProto(const Line& l, v1::DocumentLine* out) {
  out->set_line_no(l.line_no);
  out->set_service_type(static_cast<contracts::v1::ServiceType>(l.service));
  out->set_description(l.description);
  *out->mutable_from_date() = ToProtoDate(l.from_date);
  *out->mutable_to_date() = ToProtoDate(l.to_date);
  out->set_volume_wh(l.volume_wh);
  out->set_price_per_kwh(l.price_per_kwh.ToString());
  out->set_amount_tiyn(l.amount_tiyn);
  out->set_vat_rate_percent(l.vat_rate_percent.ToString());
  out->set_vat_tiyn(l.vat_tiyn);
  out->set_total_tiyn(l.total_tiyn);
  out->set_tariff_id(l.tariff_id);
  out->set_tariff_version(l.tariff_version);
  out->set_balance_run_id(l.balance_run_id);
  out->set_balance_run_type(static_cast<v1::BalanceRunType>(l.balance_run_type));
  out->mutable_completeness()->set_estimated_share(l.completeness.estimated_share.ToString());
  out->mutable_completeness()->set_missing_share(l.completeness.missing_share.ToString());
}

void ToProto(const Document& d, v1::Document* out) {
  out->set_id(d.id);
  out->set_type(static_cast<v1::DocumentType>(d.type));
  out->set_number(d.number);
  *out->mutable_issue_date() = ToProtoDate(d.issue_date);
  *out->mutable_turnover_date() = ToProtoDate(d.turnover_date);
  *out->mutable_period() = ToProtoPeriod(d.period);
  out->set_participant_id(d.customer.participant_id);
  out->set_contract_id(d.contract_id);
  out->set_contract_number(d.contract_number);
  out->set_customer_bin(d.customer.bin);
  out->set_customer_name(d.customer.name);
  out->set_customer_address(d.customer.address);
  out->set_invoice_run_id(d.invoice_run_id);
  out->set_related_document_id(d.related_id);
  out->set_related_document_number(d.related_number);
  out->set_provisional(d.provisional);
  for (const Line& l : d.lines) ToProto(l, out->add_lines());
  out->set_amount_tiyn(d.amount_tiyn);
  out->set_vat_tiyn(d.vat_tiyn);
  out->set_total_tiyn(d.total_tiyn);
  *out->mutable_due_date() = ToProtoDate(d.due_date);
  out->set_pdf_sha256(d.pdf_sha256);
  out->set_open_tiyn(d.open_tiyn);
  *out->mutable_create_time() = ToProtoTime(d.create_time);
}

void ToProto(const InvoiceRun& r, v1::InvoiceRun* out) {
  common::v1::Job* job = out->mutable_job();
  job->set_id(r.id);
  job->set_kind(r.type == RunType::kCorrection ? "invoicing.correction_run"
                                               : "invoicing.invoice_run");
  job->set_state(static_cast<common::v1::JobState>(r.state));
  job->set_done(r.done);
  job->set_total(r.total);
  *job->mutable_start_time() = ToProtoTime(r.start_time);
  if (r.finish_time) *job->mutable_finish_time() = ToProtoTime(*r.finish_time);
  job->set_summary(r.summary);
  job->set_error(r.error);
  *out->mutable_period() = ToProtoPeriod(r.period);
  out->set_run_type(static_cast<v1::RunType>(r.type));
  out->set_balance_run_id(r.balance_run_id);
  out->set_documents_issued(r.documents_issued);
  out->set_contracts_skipped(r.contracts_skipped);
  out->set_contracts_failed(r.contracts_failed);
  out->set_contracts_not_billed(r.contracts_not_billed);
  for (const NotBilled& n : r.not_billed) {
    v1::NotBilledContract* c = out->add_not_billed();
    c->set_contract_id(n.contract_id);
    c->set_contract_number(n.contract_number);
    c->set_volume_wh(n.volume_wh);
    c->set_reason(n.reason);
  }
}

void ToProto(const Payment& p, v1::Payment* out) {
  out->set_id(p.id);
  out->set_reference(p.reference);
  *out->mutable_value_date() = ToProtoDate(p.value_date);
  out->set_payer_bin(p.payer_bin);
  out->set_contract_id(p.contract_id);
  out->set_contract_number(p.contract_number);
  out->set_participant_id(p.participant_id);
  out->set_amount_tiyn(p.amount_tiyn);
  out->set_purpose(p.purpose);
  for (const Allocation& a : p.allocations) {
    v1::Allocation* o = out->add_allocations();
    o->set_document_id(a.document_id);
    o->set_document_number(a.document_number);
    o->set_amount_tiyn(a.amount_tiyn);
  }
  out->set_unallocated_tiyn(p.unallocated_tiyn);
}

void ToProto(const ContractBalance& b, v1::AccountBalance* out) {
  out->set_participant_id(b.participant_id);
  out->set_contract_id(b.contract_id);
  out->set_charged_tiyn(b.charged);
  out->set_paid_tiyn(b.paid);
  out->set_balance_tiyn(b.balance);
  out->set_credit_tiyn(b.credit);
}

absl::StatusOr<PeriodState> FromProto(v1::PeriodState s, const std::string& field) {
  switch (s) {
    case v1::PERIOD_STATE_OPEN:
      return PeriodState::kOpen;
    case v1::PERIOD_STATE_CLOSING:
      return PeriodState::kClosing;
    case v1::PERIOD_STATE_CLOSED:
      return PeriodState::kClosed;
    default:
      return InvalidField(field, "required: open, closing or closed");
  }
}

absl::StatusOr<RunType> FromProto(v1::RunType t, const std::string& field) {
  switch (t) {
    case v1::RUN_TYPE_REGULAR:
      return RunType::kRegular;
    case v1::RUN_TYPE_CORRECTION:
      return RunType::kCorrection;
    default:
      return InvalidField(field, "required: regular or correction");
  }
}

absl::StatusOr<DocumentOrder> FromProto(v1::DocumentOrder o, const std::string& field) {
  switch (o) {
    case v1::DOCUMENT_ORDER_UNSPECIFIED:
      return DocumentOrder::kTypeNumber;
    case v1::DOCUMENT_ORDER_NEWEST_FIRST:
      return DocumentOrder::kNewestFirst;
    default:
      return InvalidField(field, "unknown document order");
  }
}

absl::StatusOr<std::optional<DocType>> FromProto(v1::DocumentType t, const std::string& field) {
  if (t == v1::DOCUMENT_TYPE_UNSPECIFIED) return std::optional<DocType>();
  if (t < v1::DOCUMENT_TYPE_INVOICE || t > v1::DOCUMENT_TYPE_DEBIT_NOTE) {
    return InvalidField(field, "unknown document type");
  }
  return std::optional<DocType>(static_cast<DocType>(t));
}

}  // namespace gridbill::invoicing
