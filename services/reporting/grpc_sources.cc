#include "grpc_sources.h"

#include "gridbill/base/status_macros.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::reporting {
namespace {

absl::CivilMonth MonthOf(const common::v1::BillingPeriod& p) {
  return absl::CivilMonth(p.year(), p.month());
}

absl::StatusOr<DocumentInfo> DocumentOf(const invoicing::v1::Document& d) {
  DocumentInfo info;
  info.id = d.id();
  info.type = static_cast<int>(d.type());
  info.number = d.number();
  info.period = MonthOf(d.period());
  ASSIGN_OR_RETURN(info.issue_date, FromProtoDate(d.issue_date(), "issue_date"));
  ASSIGN_OR_RETURN(info.due_date, FromOptionalProtoDate(d.due_date(), "due_date"));
  info.participant_id = d.participant_id();
  info.contract_id = d.contract_id();
  info.invoice_run_id = d.invoice_run_id();
  info.related_document_id = d.related_document_id();
  info.amount_tiyn = d.amount_tiyn();
  info.vat_tiyn = d.vat_tiyn();
  info.total_tiyn = d.total_tiyn();
  info.open_tiyn = d.open_tiyn();
  for (const invoicing::v1::DocumentLine& l : d.lines()) {
    info.lines.push_back({l.line_no(), static_cast<int>(l.service_type()), l.volume_wh(),
                          l.amount_tiyn(), l.vat_tiyn(), l.total_tiyn(), l.balance_run_id()});
  }
  return info;
}

absl::StatusOr<PaymentInfo> PaymentOf(const invoicing::v1::Payment& p) {
  PaymentInfo info;
  info.id = p.id();
  info.reference = p.reference();
  ASSIGN_OR_RETURN(info.value_date, FromProtoDate(p.value_date(), "value_date"));
  info.participant_id = p.participant_id();
  info.contract_id = p.contract_id();
  info.amount_tiyn = p.amount_tiyn();
  info.unallocated_tiyn = p.unallocated_tiyn();
  return info;
}

}  // namespace

GrpcSources::GrpcSources(std::shared_ptr<grpc::Channel> contracts,
                         std::shared_ptr<grpc::Channel> invoicing, absl::Duration timeout)
    : participants_(contracts::v1::ParticipantService::NewStub(contracts)),
      runs_(invoicing::v1::InvoiceRunService::NewStub(invoicing)),
      documents_(invoicing::v1::DocumentService::NewStub(invoicing)),
      payments_(invoicing::v1::PaymentService::NewStub(invoicing)),
      peer_(CallIdentity::Service("reporting", Role::kAuditor), timeout) {}

absl::StatusOr<std::vector<ParticipantInfo>> GrpcSources::Participants() {
  std::vector<ParticipantInfo> out;
  RETURN_IF_ERROR(peer_.EveryPage(
      *participants_, &contracts::v1::ParticipantService::Stub::ListParticipants,
      contracts::v1::ListParticipantsRequest(),
      [&](const contracts::v1::ListParticipantsResponse& resp) {
        for (const contracts::v1::Participant& p : resp.participants()) {
          out.push_back({p.id(), p.bin(), p.short_name().empty() ? p.legal_name() : p.short_name(),
                         p.region_code()});
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<InvoiceRunInfo>> GrpcSources::InvoiceRuns() {
  std::vector<InvoiceRunInfo> out;
  RETURN_IF_ERROR(peer_.EveryPage(*runs_, &invoicing::v1::InvoiceRunService::Stub::ListInvoiceRuns,
                                  invoicing::v1::ListInvoiceRunsRequest(),
                                  [&](const invoicing::v1::ListInvoiceRunsResponse& resp) {
                                    for (const invoicing::v1::InvoiceRun& r : resp.runs()) {
                                      InvoiceRunInfo info;
                                      info.id = r.job().id();
                                      info.period = MonthOf(r.period());
                                      info.run_type = static_cast<int>(r.run_type());
                                      info.balance_run_id = r.balance_run_id();
                                      info.state = static_cast<jobs::State>(r.job().state());
                                      info.documents_issued = r.documents_issued();
                                      out.push_back(std::move(info));
                                    }
                                    return absl::OkStatus();
                                  }));
  return out;
}

absl::StatusOr<std::vector<DocumentInfo>> GrpcSources::DocumentsOfRun(const std::string& run_id) {
  std::vector<DocumentInfo> out;
  invoicing::v1::ListDocumentsRequest first;
  first.set_invoice_run_id(run_id);
  RETURN_IF_ERROR(
      peer_.EveryPage(*documents_, &invoicing::v1::DocumentService::Stub::ListDocuments, first,
                      [&](const invoicing::v1::ListDocumentsResponse& resp) -> absl::Status {
                        for (const invoicing::v1::Document& d : resp.documents()) {
                          ASSIGN_OR_RETURN(DocumentInfo info, DocumentOf(d));
                          out.push_back(std::move(info));
                        }
                        return absl::OkStatus();
                      }));
  return out;
}

absl::StatusOr<std::vector<PaymentInfo>> GrpcSources::Payments() {
  std::vector<PaymentInfo> out;
  RETURN_IF_ERROR(
      peer_.EveryPage(*payments_, &invoicing::v1::PaymentService::Stub::ListPayments,
                      invoicing::v1::ListPaymentsRequest(),
                      [&](const invoicing::v1::ListPaymentsResponse& resp) -> absl::Status {
                        for (const invoicing::v1::Payment& p : resp.payments()) {
                          ASSIGN_OR_RETURN(PaymentInfo info, PaymentOf(p));
                          out.push_back(std::move(info));
                        }
                        return absl::OkStatus();
                      }));
  return out;
}

absl::StatusOr<std::optional<Changes<DocumentInfo>>> GrpcSources::DocumentChanges(
    const std::string& cursor) {
  Changes<DocumentInfo> out;
  ASSIGN_OR_RETURN(
      std::optional<std::string> next,
      peer_.ReadFeed(*documents_, &invoicing::v1::DocumentService::Stub::ListDocuments,
                     invoicing::v1::ListDocumentsRequest(), cursor,
                     [&](const invoicing::v1::ListDocumentsResponse& resp) -> absl::StatusOr<int> {
                       for (const invoicing::v1::Document& d : resp.documents()) {
                         ASSIGN_OR_RETURN(DocumentInfo info, DocumentOf(d));
                         out.rows.push_back(std::move(info));
                       }
                       return resp.documents_size();
                     }));
  if (!next) return std::optional<Changes<DocumentInfo>>();
  out.cursor = *next;
  return std::optional<Changes<DocumentInfo>>(std::move(out));
}

absl::StatusOr<std::optional<Changes<PaymentInfo>>> GrpcSources::PaymentChanges(
    const std::string& cursor) {
  Changes<PaymentInfo> out;
  ASSIGN_OR_RETURN(
      std::optional<std::string> next,
      peer_.ReadFeed(*payments_, &invoicing::v1::PaymentService::Stub::ListPayments,
                     invoicing::v1::ListPaymentsRequest(), cursor,
                     [&](const invoicing::v1::ListPaymentsResponse& resp) -> absl::StatusOr<int> {
                       for (const invoicing::v1::Payment& p : resp.payments()) {
                         ASSIGN_OR_RETURN(PaymentInfo info, PaymentOf(p));
                         out.rows.push_back(std::move(info));
                       }
                       return resp.payments_size();
                     }));
  if (!next) return std::optional<Changes<PaymentInfo>>();
  out.cursor = *next;
  return std::optional<Changes<PaymentInfo>>(std::move(out));
}

}  // namespace gridbill::reporting
