#include "invoicing_service.h"

#include "absl/strings/str_cat.h"
#include "convert.h"
#include "gridbill/base/errors.h"
#include "gridbill/server/access.h"
#include "gridbill/server/changes.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/idempotent_call.h"
#include "gridbill/server/paging.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::invoicing {
namespace {

absl::StatusOr<BillingPeriod> PeriodField(const common::v1::BillingPeriod& p,
                                          const std::string& field) {
  if (p.year() == 0 && p.month() == 0) return InvalidField(field, "required");
  return FromProtoPeriod(p, field);
}

}  // namespace

// --- BillingPeriodService ---------------------------------------------------

grpc::Status BillingPeriodServiceImpl::GetPeriod(grpc::ServerContext* ctx,
                                                 const v1::GetPeriodRequest* req,
                                                 v1::GetPeriodResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(BillingPeriod period, PeriodField(req->period(), "period"));
  ASSIGN_OR_RETURN_GRPC(PeriodView v, documents_.GetPeriod(period));
  ToProto(v, resp->mutable_period());
  return grpc::Status::OK;
}

grpc::Status BillingPeriodServiceImpl::ListPeriods(grpc::ServerContext* ctx,
                                                   const v1::ListPeriodsRequest* req,
                                                   v1::ListPeriodsResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<PeriodView> periods, documents_.ListPeriods(page));
  for (const PeriodView& p : periods.items) ToProto(p, resp->add_periods());
  resp->set_next_page_token(paging::NextToken(*req, periods.next));
  return grpc::Status::OK;
}

grpc::Status BillingPeriodServiceImpl::TransitionPeriod(grpc::ServerContext* ctx,
                                                        const v1::TransitionPeriodRequest* req,
                                                        v1::TransitionPeriodResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller&, v1::TransitionPeriodResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(BillingPeriod period, PeriodField(req->period(), "period"));
                  ASSIGN_OR_RETURN(PeriodState target,
                                   FromProto(req->target_state(), "target_state"));
                  ASSIGN_OR_RETURN(PeriodView v, documents_.TransitionPeriod(period, target));
                  ToProto(v, out.mutable_period());
                  return absl::OkStatus();
                });
}

grpc::Status BillingPeriodServiceImpl::ListVatRates(grpc::ServerContext* ctx,
                                                    const v1::ListVatRatesRequest* req,
                                                    v1::ListVatRatesResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<VatRate> rates, documents_.ListVatRates(page));
  for (const VatRate& r : rates.items) ToProto(r, resp->add_rates());
  resp->set_next_page_token(paging::NextToken(*req, rates.next));
  return grpc::Status::OK;
}

// --- InvoiceRunService ------------------------------------------------------

grpc::Status InvoiceRunServiceImpl::StartInvoiceRun(grpc::ServerContext* ctx,
                                                    const v1::StartInvoiceRunRequest* req,
                                                    v1::StartInvoiceRunResponse* resp) {
  grpc::Status st = Mutate(
      idempotency_, *ctx, *req, resp,
      [&](const Caller&, v1::StartInvoiceRunResponse& out) -> absl::Status {
        ASSIGN_OR_RETURN(BillingPeriod period, PeriodField(req->period(), "period"));
        ASSIGN_OR_RETURN(RunType type, FromProto(req->run_type(), "run_type"));
        ASSIGN_OR_RETURN(InvoiceRun run, runs_.Start(period, type, req->balance_run_id(), ""));
        ToProto(run, out.mutable_run());
        return absl::OkStatus();
      });
  // Queued once committed; a replay of a run still pending queues it again
  // (harmless: a run is worked on once per process and resumes idempotently).
  if (st.ok() && (resp->run().job().state() == common::v1::JOB_STATE_PENDING)) {
    runs_.Enqueue(resp->run().job().id());
  }
  return st;
}

grpc::Status InvoiceRunServiceImpl::GetInvoiceRun(grpc::ServerContext* ctx,
                                                  const v1::GetInvoiceRunRequest* req,
                                                  v1::GetInvoiceRunResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  if (req->id().empty()) return ToGrpc(InvalidField("id", "required"));
  ASSIGN_OR_RETURN_GRPC(InvoiceRun run, runs_.Get(req->id()));
  ToProto(run, resp->mutable_run());
  return grpc::Status::OK;
}

grpc::Status InvoiceRunServiceImpl::ListInvoiceRuns(grpc::ServerContext* ctx,
                                                    const v1::ListInvoiceRunsRequest* req,
                                                    v1::ListInvoiceRunsResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  std::optional<BillingPeriod> period;
  if (req->period().year() != 0 || req->period().month() != 0) {
    ASSIGN_OR_RETURN_GRPC(period, FromProtoPeriod(req->period(), "period"));
  }
  if (paging::WantsChanges(*req)) {
    ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::ChangesFromRequest(*req));
    ASSIGN_OR_RETURN_GRPC(paging::PageOf<InvoiceRun> runs, runs_.Changes(period, page));
    for (const InvoiceRun& r : runs.items) ToProto(r, resp->add_runs());
    resp->set_change_cursor(paging::ChangeCursor(*req, runs.next));
    return grpc::Status::OK;
  }
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<InvoiceRun> runs, runs_.List(period, page));
  for (const InvoiceRun& r : runs.items) ToProto(r, resp->add_runs());
  resp->set_next_page_token(paging::NextToken(*req, runs.next));
  return grpc::Status::OK;
}

grpc::Status InvoiceRunServiceImpl::CancelInvoiceRun(grpc::ServerContext* ctx,
                                                     const v1::CancelInvoiceRunRequest* req,
                                                     v1::CancelInvoiceRunResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller&, v1::CancelInvoiceRunResponse& out) -> absl::Status {
                  if (req->id().empty()) return InvalidField("id", "required");
                  ASSIGN_OR_RETURN(InvoiceRun run, runs_.Cancel(req->id()));
                  ToProto(run, out.mutable_run());
                  return absl::OkStatus();
                });
}

// --- DocumentService ------------------------------------------------------------

grpc::Status DocumentServiceImpl::GetDocument(grpc::ServerContext* ctx,
                                              const v1::GetDocumentRequest* req,
                                              v1::GetDocumentResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(Document d, documents_.Get(req->id(), caller.participant_id));
  ToProto(d, resp->mutable_document());
  return grpc::Status::OK;
}

grpc::Status DocumentServiceImpl::ListDocuments(grpc::ServerContext* ctx,
                                                const v1::ListDocumentsRequest* req,
                                                v1::ListDocumentsResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  DocumentFilter filter;
  filter.participant_id = req->participant_id();
  filter.contract_id = req->contract_id();
  filter.invoice_run_id = req->invoice_run_id();
  if (req->period().year() != 0 || req->period().month() != 0) {
    ASSIGN_OR_RETURN_GRPC(filter.period, FromProtoPeriod(req->period(), "period"));
  }
  ASSIGN_OR_RETURN_GRPC(filter.type, FromProto(req->type(), "type"));
  ASSIGN_OR_RETURN_GRPC(filter.order, FromProto(req->order(), "order"));
  if (paging::WantsChanges(*req)) {
    ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::ChangesFromRequest(*req));
    ASSIGN_OR_RETURN_GRPC(paging::PageOf<Document> docs,
                          documents_.Changes(filter, page, caller.participant_id));
    for (const Document& d : docs.items) ToProto(d, resp->add_documents());
    resp->set_change_cursor(paging::ChangeCursor(*req, docs.next));
    return grpc::Status::OK;
  }
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<Document> docs,
                        documents_.List(filter, page, caller.participant_id));
  for (const Document& d : docs.items) ToProto(d, resp->add_documents());
  resp->set_total_size(docs.total_size);
  resp->set_next_page_token(paging::NextToken(*req, docs.next));
  return grpc::Status::OK;
}

grpc::Status DocumentServiceImpl::GetDocumentPdf(grpc::ServerContext* ctx,
                                                 const v1::GetDocumentPdfRequest* req,
                                                 v1::GetDocumentPdfResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  const std::string& scope = caller.participant_id;
  ASSIGN_OR_RETURN_GRPC(StoredPdf pdf, documents_.Pdf(req->id(), scope));
  ASSIGN_OR_RETURN_GRPC(Document d, documents_.Get(req->id(), scope));
  resp->set_pdf(pdf.pdf);
  resp->set_sha256(pdf.sha256);
  resp->set_file_name(absl::StrCat(d.number, ".pdf"));
  return grpc::Status::OK;
}

grpc::Status DocumentServiceImpl::GetDocumentXml(grpc::ServerContext* ctx,
                                                 const v1::GetDocumentXmlRequest* req,
                                                 v1::GetDocumentXmlResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  const std::string& scope = caller.participant_id;
  ASSIGN_OR_RETURN_GRPC(std::string xml, documents_.Xml(req->id(), scope));
  ASSIGN_OR_RETURN_GRPC(Document d, documents_.Get(req->id(), scope));
  resp->set_xml(xml);
  resp->set_file_name(absl::StrCat(d.number, ".xml"));
  return grpc::Status::OK;
}

// --- PaymentService -------------------------------------------------------------

grpc::Status PaymentServiceImpl::ImportPayments(grpc::ServerContext* ctx,
                                                const v1::ImportPaymentsRequest* req,
                                                v1::ImportPaymentsResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller&, v1::ImportPaymentsResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(ImportOutcome o, accounts_.ImportPayments(req->csv()));
                  out.set_created(o.counts.created);
                  out.set_already_present(o.counts.already_present);
                  for (const Payment& p : o.payments) ToProto(p, out.add_payments());
                  return absl::OkStatus();
                });
}

grpc::Status PaymentServiceImpl::ListPayments(grpc::ServerContext* ctx,
                                              const v1::ListPaymentsRequest* req,
                                              v1::ListPaymentsResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  if (paging::WantsChanges(*req)) {
    ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::ChangesFromRequest(*req));
    ASSIGN_OR_RETURN_GRPC(paging::PageOf<Payment> payments,
                          accounts_.PaymentChanges(req->participant_id(), req->contract_id(),
                                                   caller.participant_id, page));
    for (const Payment& p : payments.items) ToProto(p, resp->add_payments());
    resp->set_change_cursor(paging::ChangeCursor(*req, payments.next));
    return grpc::Status::OK;
  }
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<Payment> payments,
                        accounts_.ListPayments(req->participant_id(), req->contract_id(),
                                               caller.participant_id, page));
  for (const Payment& p : payments.items) ToProto(p, resp->add_payments());
  resp->set_next_page_token(paging::NextToken(*req, payments.next));
  return grpc::Status::OK;
}

grpc::Status PaymentServiceImpl::GetAccountBalance(grpc::ServerContext* ctx,
                                                   const v1::GetAccountBalanceRequest* req,
                                                   v1::GetAccountBalanceResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(std::vector<ContractBalance> b,
                        accounts_.Balances(req->participant_id(), caller.participant_id));
  ToProto(b[0], resp->mutable_total());
  for (size_t i = 1; i < b.size(); ++i) ToProto(b[i], resp->add_contracts());
  return grpc::Status::OK;
}

grpc::Status PaymentServiceImpl::GetStatement(grpc::ServerContext* ctx,
                                              const v1::GetStatementRequest* req,
                                              v1::GetStatementResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(absl::CivilDay from, FromProtoDate(req->from_date(), "from_date"));
  ASSIGN_OR_RETURN_GRPC(absl::CivilDay to, FromProtoDate(req->to_date(), "to_date"));
  ASSIGN_OR_RETURN_GRPC(StatementData s,
                        accounts_.Statement(req->participant_id(), req->contract_id(), from, to,
                                            caller.participant_id));
  v1::Statement* out = resp->mutable_statement();
  out->set_participant_id(req->participant_id().empty() ? caller.participant_id
                                                        : req->participant_id());
  out->set_contract_id(req->contract_id());
  *out->mutable_from_date() = ToProtoDate(from);
  *out->mutable_to_date() = ToProtoDate(to);
  out->set_opening_tiyn(s.opening);
  out->set_charged_tiyn(s.charged);
  out->set_paid_tiyn(s.paid);
  out->set_closing_tiyn(s.closing);
  for (const StatementLine& l : s.lines) {
    v1::StatementEntry* e = out->add_entries();
    *e->mutable_date() = ToProtoDate(l.date);
    e->set_kind(l.kind);
    e->set_reference(l.reference);
    e->set_contract_number(l.contract_number);
    e->set_description(l.description);
    e->set_charged_tiyn(l.charged);
    e->set_paid_tiyn(l.paid);
  }
  return grpc::Status::OK;
}

grpc::Status PaymentServiceImpl::GetAging(grpc::ServerContext* ctx, const v1::GetAgingRequest* req,
                                          v1::GetAgingResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(absl::CivilDay as_of, FromProtoDate(req->as_of(), "as_of"));
  ASSIGN_OR_RETURN_GRPC(AgingBuckets b,
                        accounts_.Aging(req->participant_id(), as_of, caller.participant_id));
  v1::Aging* out = resp->mutable_aging();
  *out->mutable_as_of() = ToProtoDate(as_of);
  out->set_not_due_tiyn(b.not_due);
  out->set_days_0_30_tiyn(b.d0_30);
  out->set_days_31_60_tiyn(b.d31_60);
  out->set_days_61_90_tiyn(b.d61_90);
  out->set_days_over_90_tiyn(b.over_90);
  out->set_total_tiyn(b.total());
  return grpc::Status::OK;
}

// --- ErpExportService -----------------------------------------------------------

grpc::Status ErpExportServiceImpl::ExportPeriod(grpc::ServerContext* ctx,
                                                const v1::ExportPeriodRequest* req,
                                                v1::ExportPeriodResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(BillingPeriod period, PeriodField(req->period(), "period"));
  ExportFormat format;
  switch (req->format()) {
    case v1::EXPORT_FORMAT_CSV:
      format = ExportFormat::kCsv;
      break;
    case v1::EXPORT_FORMAT_JSONL:
      format = ExportFormat::kJsonl;
      break;
    default:
      return ToGrpc(InvalidField("format", "required: csv or jsonl"));
  }
  ExportContent content;
  switch (req->content()) {
    case v1::EXPORT_CONTENT_DOCUMENTS:
      content = ExportContent::kDocuments;
      break;
    case v1::EXPORT_CONTENT_ACCRUALS:
      content = ExportContent::kAccruals;
      break;
    default:
      return ToGrpc(InvalidField("content", "required: documents or accruals"));
  }
  ASSIGN_OR_RETURN_GRPC(ExportFile f, documents_.Export(period, format, content));
  resp->set_content(f.content);
  resp->set_sha256(f.sha256);
  resp->set_records(f.records);
  resp->set_file_name(f.file_name);
  return grpc::Status::OK;
}

}  // namespace gridbill::invoicing
