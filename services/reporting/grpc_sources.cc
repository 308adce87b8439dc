#include "grpc_sources.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::reporting {
namespace {

void Prepare(grpc::ClientContext& ctx, absl::Duration timeout) {
  ctx.AddMetadata(kPrincipalHeader, "service:reporting");
  ctx.AddMetadata(kRolesHeader, "ROLE_AUDITOR");
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
}

// Another service's error as ours: UNAVAILABLE (retry later) unless it is
// one the caller can act on.
absl::Status FromRemote(const char* service, const grpc::Status& st) {
  const absl::Status s = FromGrpc(st);
  if (absl::IsNotFound(s) || absl::IsInvalidArgument(s) || absl::IsFailedPrecondition(s) ||
      absl::IsPermissionDenied(s)) {
    return absl::Status(s.code(), absl::StrCat(service, ": ", s.message()));
  }
  return absl::UnavailableError(absl::StrCat(service, " unavailable: ", s.message()));
}

// Every page of a List call: `call` fills a response from a request.
template <typename Req, typename Resp, typename Call, typename Each>
absl::Status EveryPage(const char* service, Req req, absl::Duration timeout, Call call, Each each) {
  req.set_page_size(1000);
  for (;;) {
    grpc::ClientContext ctx;
    Prepare(ctx, timeout);
    Resp resp;
    const grpc::Status st = call(&ctx, req, &resp);
    if (!st.ok()) return FromRemote(service, st);
    RETURN_IF_ERROR(each(resp));
    if (resp.next_page_token().empty()) return absl::OkStatus();
    req.set_page_token(resp.next_page_token());
  }
}

absl::CivilMonth MonthOf(const common::v1::BillingPeriod& p) {
  return absl::CivilMonth(p.year(), p.month());
}

// A change feed read to its end: batches after `cursor` until one comes back
// empty. nullopt when the service answered a page instead (no change_cursor:
// a version without the feed). `each` takes a batch's rows.
template <typename Req, typename Resp, typename Call, typename Each>
absl::StatusOr<std::optional<std::string>> ReadFeed(const char* service, Req req,
                                                    std::string cursor, absl::Duration timeout,
                                                    Call call, Each each) {
  req.set_page_size(1000);
  for (;;) {
    req.mutable_changes_after()->set_cursor(cursor);
    grpc::ClientContext ctx;
    Prepare(ctx, timeout);
    Resp resp;
    const grpc::Status st = call(&ctx, req, &resp);
    if (!st.ok()) return FromRemote(service, st);
    if (resp.change_cursor().empty()) return std::optional<std::string>();
    ASSIGN_OR_RETURN(const int rows, each(resp));
    cursor = resp.change_cursor();
    if (rows == 0) return std::optional<std::string>(cursor);
  }
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
      timeout_(timeout) {}

absl::StatusOr<std::vector<ParticipantInfo>> GrpcSources::Participants() {
  std::vector<ParticipantInfo> out;
  RETURN_IF_ERROR(
      (EveryPage<contracts::v1::ListParticipantsRequest, contracts::v1::ListParticipantsResponse>(
          "contracts", {}, timeout_,
          [&](auto* ctx, const auto& req, auto* resp) {
            return participants_->ListParticipants(ctx, req, resp);
          },
          [&](const contracts::v1::ListParticipantsResponse& resp) {
            for (const contracts::v1::Participant& p : resp.participants()) {
              out.push_back({p.id(), p.bin(),
                             p.short_name().empty() ? p.legal_name() : p.short_name(),
                             p.region_code()});
            }
            return absl::OkStatus();
          })));
  return out;
}

absl::StatusOr<std::vector<InvoiceRunInfo>> GrpcSources::InvoiceRuns() {
  std::vector<InvoiceRunInfo> out;
  RETURN_IF_ERROR(
      (EveryPage<invoicing::v1::ListInvoiceRunsRequest, invoicing::v1::ListInvoiceRunsResponse>(
          "invoicing", {}, timeout_,
          [&](auto* ctx, const auto& req, auto* resp) {
            return runs_->ListInvoiceRuns(ctx, req, resp);
          },
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
          })));
  return out;
}

absl::StatusOr<std::vector<DocumentInfo>> GrpcSources::DocumentsOfRun(const std::string& run_id) {
  std::vector<DocumentInfo> out;
  invoicing::v1::ListDocumentsRequest first;
  first.set_invoice_run_id(run_id);
  RETURN_IF_ERROR(
      (EveryPage<invoicing::v1::ListDocumentsRequest, invoicing::v1::ListDocumentsResponse>(
          "invoicing", first, timeout_,
          [&](auto* ctx, const auto& req, auto* resp) {
            return documents_->ListDocuments(ctx, req, resp);
          },
          [&](const invoicing::v1::ListDocumentsResponse& resp) -> absl::Status {
            for (const invoicing::v1::Document& d : resp.documents()) {
              ASSIGN_OR_RETURN(DocumentInfo info, DocumentOf(d));
              out.push_back(std::move(info));
            }
            return absl::OkStatus();
          })));
  return out;
}

absl::StatusOr<std::vector<PaymentInfo>> GrpcSources::Payments() {
  std::vector<PaymentInfo> out;
  RETURN_IF_ERROR(
      (EveryPage<invoicing::v1::ListPaymentsRequest, invoicing::v1::ListPaymentsResponse>(
          "invoicing", {}, timeout_,
          [&](auto* ctx, const auto& req, auto* resp) {
            return payments_->ListPayments(ctx, req, resp);
          },
          [&](const invoicing::v1::ListPaymentsResponse& resp) -> absl::Status {
            for (const invoicing::v1::Payment& p : resp.payments()) {
              ASSIGN_OR_RETURN(PaymentInfo info, PaymentOf(p));
              out.push_back(std::move(info));
            }
            return absl::OkStatus();
          })));
  return out;
}

absl::StatusOr<std::optional<Changes<DocumentInfo>>> GrpcSources::DocumentChanges(
    const std::string& cursor) {
  Changes<DocumentInfo> out;
  ASSIGN_OR_RETURN(
      std::optional<std::string> next,
      (ReadFeed<invoicing::v1::ListDocumentsRequest, invoicing::v1::ListDocumentsResponse>(
          "invoicing", {}, cursor, timeout_,
          [&](auto* ctx, const auto& req, auto* resp) {
            return documents_->ListDocuments(ctx, req, resp);
          },
          [&](const invoicing::v1::ListDocumentsResponse& resp) -> absl::StatusOr<int> {
            for (const invoicing::v1::Document& d : resp.documents()) {
              ASSIGN_OR_RETURN(DocumentInfo info, DocumentOf(d));
              out.rows.push_back(std::move(info));
            }
            return resp.documents_size();
          })));
  if (!next) return std::optional<Changes<DocumentInfo>>();
  out.cursor = *next;
  return std::optional<Changes<DocumentInfo>>(std::move(out));
}

absl::StatusOr<std::optional<Changes<PaymentInfo>>> GrpcSources::PaymentChanges(
    const std::string& cursor) {
  Changes<PaymentInfo> out;
  ASSIGN_OR_RETURN(
      std::optional<std::string> next,
      (ReadFeed<invoicing::v1::ListPaymentsRequest, invoicing::v1::ListPaymentsResponse>(
          "invoicing", {}, cursor, timeout_,
          [&](auto* ctx, const auto& req, auto* resp) {
            return payments_->ListPayments(ctx, req, resp);
          },
          [&](const invoicing::v1::ListPaymentsResponse& resp) -> absl::StatusOr<int> {
            for (const invoicing::v1::Payment& p : resp.payments()) {
              ASSIGN_OR_RETURN(PaymentInfo info, PaymentOf(p));
              out.rows.push_back(std::move(info));
            }
            return resp.payments_size();
          })));
  if (!next) return std::optional<Changes<PaymentInfo>>();
  out.cursor = *next;
  return std::optional<Changes<PaymentInfo>>(std::move(out));
}

}  // namespace gridbill::reporting
