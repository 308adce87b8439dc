#include "grpc_suite.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::integrations {
namespace {

// The suite's error as ours: its own code for what the adapter can act on
// (the content refused), UNAVAILABLE (retry later) for everything else.
absl::Status FromRemote(const char* what, const grpc::Status& st) {
  const absl::Status s = FromGrpc(st);
  if (absl::IsNotFound(s) || absl::IsInvalidArgument(s) || absl::IsFailedPrecondition(s) ||
      absl::IsPermissionDenied(s) || absl::IsUnauthenticated(s) || absl::IsAlreadyExists(s)) {
    return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
  }
  return absl::UnavailableError(absl::StrCat(what, " unavailable: ", s.message()));
}

std::string DateText(const common::v1::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

}  // namespace

GrpcSuite::GrpcSuite(std::shared_ptr<grpc::Channel> gateway, std::string api_key,
                     absl::Duration timeout)
    : documents_(invoicing::v1::DocumentService::NewStub(gateway)),
      payments_(invoicing::v1::PaymentService::NewStub(gateway)),
      imports_(metering::v1::ImportService::NewStub(gateway)),
      readings_(metering::v1::ReadingService::NewStub(gateway)),
      api_key_(std::move(api_key)),
      timeout_(timeout) {}

void GrpcSuite::Prepare(grpc::ClientContext& ctx) const {
  ctx.AddMetadata("x-api-key", api_key_);
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout_)));
}

absl::StatusOr<DocumentChanges> GrpcSuite::DocumentsChangedAfter(const std::string& cursor,
                                                                 int limit) {
  invoicing::v1::ListDocumentsRequest req;
  req.set_page_size(limit);
  req.mutable_changes_after()->set_cursor(cursor);
  invoicing::v1::ListDocumentsResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx);
  const grpc::Status st = documents_->ListDocuments(&ctx, req, &resp);
  if (!st.ok()) return FromRemote("invoicing ListDocuments", st);
  DocumentChanges out;
  out.cursor = resp.change_cursor();
  for (const invoicing::v1::Document& d : resp.documents()) {
    DocumentFact f;
    f.id = d.id();
    f.type = static_cast<int>(d.type());
    f.number = d.number();
    f.issue_date = DateText(d.issue_date());
    f.period = absl::StrFormat("%04d-%02d", d.period().year(), d.period().month());
    f.participant_id = d.participant_id();
    f.contract_number = d.contract_number();
    f.customer_bin = d.customer_bin();
    f.customer_name = d.customer_name();
    f.related_document_id = d.related_document_id();
    f.related_document_number = d.related_document_number();
    f.lines = d.lines_size();
    f.amount_tiyn = d.amount_tiyn();
    f.vat_tiyn = d.vat_tiyn();
    f.total_tiyn = d.total_tiyn();
    f.pdf_sha256 = d.pdf_sha256();
    out.documents.push_back(std::move(f));
  }
  return out;
}

absl::StatusOr<std::string> GrpcSuite::DocumentPdf(const std::string& id, std::string* sha256) {
  invoicing::v1::GetDocumentPdfRequest req;
  req.set_id(id);
  invoicing::v1::GetDocumentPdfResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx);
  const grpc::Status st = documents_->GetDocumentPdf(&ctx, req, &resp);
  if (!st.ok()) return FromRemote("invoicing GetDocumentPdf", st);
  *sha256 = resp.sha256();
  return resp.pdf();
}

absl::StatusOr<std::string> GrpcSuite::DocumentXml(const std::string& id) {
  invoicing::v1::GetDocumentXmlRequest req;
  req.set_id(id);
  invoicing::v1::GetDocumentXmlResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx);
  const grpc::Status st = documents_->GetDocumentXml(&ctx, req, &resp);
  if (!st.ok()) return FromRemote("invoicing GetDocumentXml", st);
  return resp.xml();
}

absl::StatusOr<PaymentsOutcome> GrpcSuite::ImportPayments(const std::string& request_id,
                                                          const std::string& csv) {
  invoicing::v1::ImportPaymentsRequest req;
  req.set_request_id(request_id);
  req.set_csv(csv);
  invoicing::v1::ImportPaymentsResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx);
  const grpc::Status st = payments_->ImportPayments(&ctx, req, &resp);
  if (!st.ok()) return FromRemote("invoicing ImportPayments", st);
  return PaymentsOutcome{resp.created(), resp.already_present()};
}

absl::StatusOr<std::string> GrpcSuite::StartMeteringImport(const std::string& request_id,
                                                           const std::string& file_name,
                                                           const std::string& content, bool xml) {
  metering::v1::StartImportRequest req;
  req.set_request_id(request_id);
  req.set_file_name(file_name);
  req.set_content(content);
  req.set_format(xml ? metering::v1::IMPORT_FORMAT_XML_80020 : metering::v1::IMPORT_FORMAT_CSV);
  req.set_source(metering::v1::SOURCE_CMS);
  metering::v1::StartImportResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx);
  const grpc::Status st = imports_->StartImport(&ctx, req, &resp);
  if (!st.ok()) return FromRemote("metering StartImport", st);
  return resp.job().id();
}

absl::StatusOr<ImportOutcome> GrpcSuite::MeteringImport(const std::string& job_id) {
  metering::v1::GetImportJobRequest req;
  req.set_job_id(job_id);
  metering::v1::GetImportJobResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx);
  const grpc::Status st = imports_->GetImportJob(&ctx, req, &resp);
  if (!st.ok()) return FromRemote("metering GetImportJob", st);
  ImportOutcome out;
  const common::v1::JobState s = resp.job().state();
  out.done = s == common::v1::JOB_STATE_SUCCEEDED || s == common::v1::JOB_STATE_FAILED ||
             s == common::v1::JOB_STATE_CANCELLED;
  out.succeeded = s == common::v1::JOB_STATE_SUCCEEDED;
  out.summary = out.succeeded
                    ? resp.job().summary()
                    : (resp.job().error().empty() ? resp.job().summary() : resp.job().error());
  return out;
}

absl::Status GrpcSuite::IngestScada(const std::string& request_id,
                                    const std::vector<ScadaValue>& values) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  metering::v1::IngestReadingsResponse resp;
  std::unique_ptr<grpc::ClientWriter<metering::v1::IngestReadingsRequest>> writer(
      readings_->IngestReadings(&ctx, &resp));
  metering::v1::IngestReadingsRequest req;
  req.set_request_id(request_id);
  req.set_source(metering::v1::SOURCE_SCADA);
  for (const ScadaValue& v : values) {
    metering::v1::Reading* r = req.add_readings();
    r->set_point_code(v.point_code);
    r->set_channel(static_cast<metering::v1::Channel>(v.channel));
    *r->mutable_interval_start() = ToProtoTime(v.interval_start);
    r->set_value_wh(v.value_wh);
    r->set_quality(static_cast<metering::v1::Quality>(v.quality));
    r->set_source_status_code(v.status);
  }
  writer->Write(req);
  writer->WritesDone();
  const grpc::Status st = writer->Finish();
  if (!st.ok()) return FromRemote("metering IngestReadings", st);
  // A refused batch is stored whole or not at all: its first reason speaks for it.
  if (resp.summary().rejected() > 0 && resp.summary().rejections_size() > 0) {
    const metering::v1::Rejection& r = resp.summary().rejections(0);
    return absl::InvalidArgumentError(absl::StrCat("metering refused ", resp.summary().rejected(),
                                                   " values, first ", r.key(), ": ", r.reason()));
  }
  return absl::OkStatus();
}

}  // namespace gridbill::integrations
