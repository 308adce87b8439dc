#include "grpc_suite.h"

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::integrations {
namespace {

std::string DateText(const common::v1::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

DocumentFact DocumentFactOf(const invoicing::v1::Document& d) {
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
  f.invoice_run_id = d.invoice_run_id();
  return f;
}

}  // namespace

GrpcSuite::GrpcSuite(std::shared_ptr<grpc::Channel> gateway, std::string api_key,
                     absl::Duration timeout)
    : documents_(invoicing::v1::DocumentService::NewStub(gateway)),
      payments_(invoicing::v1::PaymentService::NewStub(gateway)),
      imports_(metering::v1::ImportService::NewStub(gateway)),
      readings_(metering::v1::ReadingService::NewStub(gateway)),
      balance_(balance::v1::BalanceService::NewStub(gateway)),
      invoice_runs_(invoicing::v1::InvoiceRunService::NewStub(gateway)),
      applications_(contracts::v1::ApplicationService::NewStub(gateway)),
      points_(metering::v1::MeteringPointService::NewStub(gateway)),
      erp_exports_(invoicing::v1::ErpExportService::NewStub(gateway)),
      peer_(CallIdentity::ApiKey(std::move(api_key)), timeout) {}

absl::StatusOr<DocumentChanges> GrpcSuite::DocumentsChangedAfter(const std::string& cursor,
                                                                 int limit) {
  invoicing::v1::ListDocumentsRequest req;
  req.set_page_size(limit);
  req.mutable_changes_after()->set_cursor(cursor);
  ASSIGN_OR_RETURN(
      invoicing::v1::ListDocumentsResponse resp,
      peer_.Call(*documents_, &invoicing::v1::DocumentService::Stub::ListDocuments, req));
  DocumentChanges out;
  out.cursor = resp.change_cursor();
  for (const invoicing::v1::Document& d : resp.documents()) {
    out.documents.push_back(DocumentFactOf(d));
  }
  return out;
}

absl::StatusOr<std::string> GrpcSuite::DocumentPdf(const std::string& id, std::string* sha256) {
  invoicing::v1::GetDocumentPdfRequest req;
  req.set_id(id);
  ASSIGN_OR_RETURN(
      invoicing::v1::GetDocumentPdfResponse resp,
      peer_.Call(*documents_, &invoicing::v1::DocumentService::Stub::GetDocumentPdf, req));
  *sha256 = resp.sha256();
  return resp.pdf();
}

absl::StatusOr<std::string> GrpcSuite::DocumentXml(const std::string& id) {
  invoicing::v1::GetDocumentXmlRequest req;
  req.set_id(id);
  ASSIGN_OR_RETURN(
      invoicing::v1::GetDocumentXmlResponse resp,
      peer_.Call(*documents_, &invoicing::v1::DocumentService::Stub::GetDocumentXml, req));
  return resp.xml();
}

absl::StatusOr<PaymentsOutcome> GrpcSuite::ImportPayments(const std::string& request_id,
                                                          const std::string& csv) {
  invoicing::v1::ImportPaymentsRequest req;
  req.set_request_id(request_id);
  req.set_csv(csv);
  ASSIGN_OR_RETURN(
      invoicing::v1::ImportPaymentsResponse resp,
      peer_.Call(*payments_, &invoicing::v1::PaymentService::Stub::ImportPayments, req));
  return PaymentsOutcome{resp.created(), resp.already_present()};
}

absl::StatusOr<std::string> GrpcSuite::StartMeteringImport(const std::string& request_id,
                                                           const std::string& file_name,
                                                           const std::string& content, bool xml,
                                                           int unit) {
  metering::v1::StartImportRequest req;
  req.set_request_id(request_id);
  req.set_file_name(file_name);
  req.set_content(content);
  req.set_format(xml ? metering::v1::IMPORT_FORMAT_XML_80020 : metering::v1::IMPORT_FORMAT_CSV);
  req.set_source(metering::v1::SOURCE_CMS);
  req.set_unit(static_cast<metering::v1::EnergyUnit>(unit));
  ASSIGN_OR_RETURN(metering::v1::StartImportResponse resp,
                   peer_.Call(*imports_, &metering::v1::ImportService::Stub::StartImport, req));
  return resp.job().id();
}

absl::StatusOr<ImportOutcome> GrpcSuite::MeteringImport(const std::string& job_id) {
  metering::v1::GetImportJobRequest req;
  req.set_job_id(job_id);
  ASSIGN_OR_RETURN(metering::v1::GetImportJobResponse resp,
                   peer_.Call(*imports_, &metering::v1::ImportService::Stub::GetImportJob, req));
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
  peer_.Prepare(ctx);
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
  if (!st.ok()) return PeerError(*metering::v1::IngestReadingsRequest::descriptor(), st);
  // A refused batch is stored whole or not at all: its first reason speaks for it.
  if (resp.summary().rejected() > 0 && resp.summary().rejections_size() > 0) {
    const metering::v1::Rejection& r = resp.summary().rejections(0);
    return absl::InvalidArgumentError(absl::StrCat("metering refused ", resp.summary().rejected(),
                                                   " values, first ", r.key(), ": ", r.reason()));
  }
  return absl::OkStatus();
}

namespace {

std::string PeriodText(const common::v1::BillingPeriod& p) {
  return absl::StrFormat("%04d-%02d", p.year(), p.month());
}

// A run type's enum name without its prefix, lower case ("final").
template <typename Enum>
std::string TypeText(Enum type, const google::protobuf::EnumDescriptor* d) {
  const google::protobuf::EnumValueDescriptor* v = d->FindValueByNumber(static_cast<int>(type));
  std::string name = v == nullptr ? absl::StrCat(static_cast<int>(type)) : v->name();
  if (absl::StartsWith(name, "RUN_TYPE_")) name = name.substr(9);
  return absl::AsciiStrToLower(name);
}

RunFact RunOf(const common::v1::Job& job, std::string service, std::string id,
              const common::v1::BillingPeriod& period, std::string type) {
  RunFact f;
  f.id = std::move(id);
  f.service = std::move(service);
  f.period = PeriodText(period);
  f.type = std::move(type);
  f.state = static_cast<int>(job.state());
  f.done = job.done();
  f.total = job.total();
  f.error = job.error();
  return f;
}

}  // namespace

absl::StatusOr<std::vector<RunFact>> GrpcSuite::RecentRuns(const std::string& service, int limit) {
  std::vector<RunFact> out;
  if (service == "balance") {
    balance::v1::ListRunsRequest req;
    req.set_page_size(limit);
    ASSIGN_OR_RETURN(balance::v1::ListRunsResponse resp,
                     peer_.Call(*balance_, &balance::v1::BalanceService::Stub::ListRuns, req));
    for (const balance::v1::BalanceRun& r : resp.runs()) {
      out.push_back(RunOf(r.job(), "balance", r.id(), r.period(),
                          TypeText(r.type(), balance::v1::RunType_descriptor())));
    }
    return out;
  }
  if (service == "invoicing") {
    invoicing::v1::ListInvoiceRunsRequest req;
    req.set_page_size(limit);
    absl::StatusOr<invoicing::v1::ListInvoiceRunsResponse> resp =
        peer_.Call(*invoice_runs_, &invoicing::v1::InvoiceRunService::Stub::ListInvoiceRuns, req);
    // Invoice runs are not yet readable with the integration client's role:
    // not an outage, a source not watched.
    if (absl::IsPermissionDenied(resp.status())) {
      return absl::UnimplementedError(resp.status().message());
    }
    if (!resp.ok()) return resp.status();
    for (const invoicing::v1::InvoiceRun& r : resp->runs()) {
      out.push_back(RunOf(r.job(), "invoicing", r.job().id(), r.period(),
                          TypeText(r.run_type(), invoicing::v1::RunType_descriptor())));
    }
    return out;
  }
  return absl::UnimplementedError(absl::StrCat(service, " runs are not read"));
}

absl::StatusOr<RunChanges> GrpcSuite::InvoiceRunsChangedAfter(const std::string& cursor,
                                                              int limit) {
  invoicing::v1::ListInvoiceRunsRequest req;
  req.set_page_size(limit);
  req.mutable_changes_after()->set_cursor(cursor);
  ASSIGN_OR_RETURN(
      invoicing::v1::ListInvoiceRunsResponse resp,
      peer_.Call(*invoice_runs_, &invoicing::v1::InvoiceRunService::Stub::ListInvoiceRuns, req));
  RunChanges out;
  out.cursor = resp.change_cursor();
  for (const invoicing::v1::InvoiceRun& r : resp.runs()) {
    RunFact f = RunOf(r.job(), "invoicing", r.job().id(), r.period(),
                      TypeText(r.run_type(), invoicing::v1::RunType_descriptor()));
    f.documents = r.documents_issued();
    out.runs.push_back(std::move(f));
  }
  return out;
}

absl::StatusOr<std::vector<DocumentFact>> GrpcSuite::RunDocuments(const std::string& run_id) {
  std::vector<DocumentFact> out;
  invoicing::v1::ListDocumentsRequest req;
  req.set_invoice_run_id(run_id);
  req.set_page_size(1000);
  for (;;) {
    ASSIGN_OR_RETURN(
        invoicing::v1::ListDocumentsResponse resp,
        peer_.Call(*documents_, &invoicing::v1::DocumentService::Stub::ListDocuments, req));
    for (const invoicing::v1::Document& d : resp.documents()) out.push_back(DocumentFactOf(d));
    if (resp.next_page_token().empty()) return out;
    req.set_page_token(resp.next_page_token());
  }
}

absl::StatusOr<ExportedFile> GrpcSuite::ExportAccruals(const std::string& period) {
  invoicing::v1::ExportPeriodRequest req;
  int year = 0, month = 0;
  if (std::sscanf(period.c_str(), "%d-%d", &year, &month) != 2) {
    return absl::InvalidArgumentError(absl::StrCat("period ", period, " is not YYYY-MM"));
  }
  req.mutable_period()->set_year(year);
  req.mutable_period()->set_month(month);
  req.set_format(invoicing::v1::EXPORT_FORMAT_CSV);
  req.set_content(invoicing::v1::EXPORT_CONTENT_ACCRUALS);
  ASSIGN_OR_RETURN(
      invoicing::v1::ExportPeriodResponse resp,
      peer_.Call(*erp_exports_, &invoicing::v1::ErpExportService::Stub::ExportPeriod, req));
  ExportedFile f;
  f.content = resp.content();
  f.sha256 = resp.sha256();
  f.records = resp.records();
  f.file_name = resp.file_name();
  return f;
}

absl::StatusOr<std::vector<ApplicationFact>> GrpcSuite::OverdueApplications(int limit) {
  contracts::v1::ListApplicationsRequest req;
  req.set_overdue_only(true);
  req.set_page_size(limit);
  ASSIGN_OR_RETURN(
      contracts::v1::ListApplicationsResponse resp,
      peer_.Call(*applications_, &contracts::v1::ApplicationService::Stub::ListApplications, req));
  std::vector<ApplicationFact> out;
  for (const contracts::v1::Application& a : resp.applications()) {
    ApplicationFact f;
    f.id = a.id();
    f.number = a.number();
    f.participant_id = a.participant_id();
    const absl::Time due = absl::FromUnixSeconds(a.due_time().seconds());
    f.due = absl::FormatTime("%Y-%m-%d", due, absl::UTCTimeZone());
    out.push_back(std::move(f));
  }
  return out;
}

namespace {

// An enum value's proto name without `prefix`, lower case ("transmission").
template <typename Enum>
std::string EnumText(Enum value, const google::protobuf::EnumDescriptor* d,
                     absl::string_view prefix) {
  const google::protobuf::EnumValueDescriptor* v = d->FindValueByNumber(static_cast<int>(value));
  if (v == nullptr) return absl::StrCat(static_cast<int>(value));
  absl::string_view name = v->name();
  absl::ConsumePrefix(&name, prefix);
  return absl::AsciiStrToLower(name);
}

}  // namespace

absl::StatusOr<RunChanges> GrpcSuite::BalanceRunsChangedAfter(const std::string& cursor,
                                                              int limit) {
  balance::v1::ListRunsRequest req;
  req.set_page_size(limit);
  req.mutable_changes_after()->set_cursor(cursor);
  balance::v1::ListRunsResponse resp;
  grpc::ClientContext ctx;
  peer_.Prepare(ctx);
  const grpc::Status st = balance_->ListRuns(&ctx, req, &resp);
  if (!st.ok()) return PeerError(*req.GetDescriptor(), st);
  RunChanges out;
  out.cursor = resp.change_cursor();
  for (const balance::v1::BalanceRun& r : resp.runs()) {
    RunFact f = RunOf(r.job(), "balance", r.id(), r.period(),
                      TypeText(r.type(), balance::v1::RunType_descriptor()));
    if (r.inputs().has_readings_as_of()) {
      f.readings_as_of = FromProtoTime(r.inputs().readings_as_of());
    }
    f.time_zone = r.inputs().time_zone();
    out.runs.push_back(std::move(f));
  }
  return out;
}

absl::StatusOr<std::vector<ServiceHourFact>> GrpcSuite::ServiceHours(const std::string& run_id) {
  balance::v1::StreamServiceHoursRequest req;
  req.set_run_id(run_id);
  grpc::ClientContext ctx;
  peer_.Prepare(ctx);
  std::unique_ptr<grpc::ClientReader<balance::v1::StreamServiceHoursResponse>> reader(
      balance_->StreamServiceHours(&ctx, req));
  std::vector<ServiceHourFact> out;
  balance::v1::StreamServiceHoursResponse chunk;
  while (reader->Read(&chunk)) {
    for (const balance::v1::ServiceHour& h : chunk.hours()) {
      ServiceHourFact f;
      f.participant_id = h.participant_id();
      f.service =
          EnumText(h.service_type(), contracts::v1::ServiceType_descriptor(), "SERVICE_TYPE_");
      f.hour_start = FromProtoTime(h.hour_start());
      f.actual_wh = h.actual_wh();
      f.declared_wh = h.declared_wh();
      f.imbalance_wh = h.imbalance_wh();
      f.has_declaration = h.has_declaration();
      f.intervals = h.quality().intervals();
      f.estimated = h.quality().estimated();
      f.missing = h.quality().missing();
      out.push_back(std::move(f));
    }
  }
  const grpc::Status st = reader->Finish();
  if (!st.ok()) return PeerError(*req.GetDescriptor(), st);
  return out;
}

absl::StatusOr<std::vector<NodeTotalFact>> GrpcSuite::NodeTotals(const std::string& run_id) {
  std::vector<NodeTotalFact> out;
  std::string token;
  do {
    balance::v1::ListRunTotalsRequest req;
    req.set_run_id(run_id);
    req.set_page_size(1000);
    req.set_page_token(token);
    balance::v1::ListRunTotalsResponse resp;
    grpc::ClientContext ctx;
    peer_.Prepare(ctx);
    const grpc::Status st = balance_->ListRunTotals(&ctx, req, &resp);
    if (!st.ok()) return PeerError(*req.GetDescriptor(), st);
    for (const balance::v1::NodeTotal& n : resp.nodes()) {
      NodeTotalFact f;
      f.node_code = n.node_code();
      f.kind = EnumText(n.kind(), balance::v1::SchemeKind_descriptor(), "SCHEME_KIND_");
      f.inflow_wh = n.inflow_wh();
      f.outflow_wh = n.outflow_wh();
      f.losses_wh = n.losses_wh();
      f.losses_percent = n.losses_percent().value();
      f.normative_loss_percent = n.normative_loss_percent().value();
      f.above_normative = n.above_normative();
      f.intervals = n.quality().intervals();
      f.estimated = n.quality().estimated();
      f.missing = n.quality().missing();
      out.push_back(std::move(f));
    }
    token = resp.next_page_token();
  } while (!token.empty());
  return out;
}

absl::StatusOr<PaymentChanges> GrpcSuite::PaymentsChangedAfter(const std::string& cursor,
                                                               int limit) {
  invoicing::v1::ListPaymentsRequest req;
  req.set_page_size(limit);
  req.mutable_changes_after()->set_cursor(cursor);
  invoicing::v1::ListPaymentsResponse resp;
  grpc::ClientContext ctx;
  peer_.Prepare(ctx);
  const grpc::Status st = payments_->ListPayments(&ctx, req, &resp);
  if (!st.ok()) return PeerError(*req.GetDescriptor(), st);
  PaymentChanges out;
  out.cursor = resp.change_cursor();
  for (const invoicing::v1::Payment& p : resp.payments()) {
    PaymentFact f;
    f.id = p.id();
    f.reference = p.reference();
    f.value_date = DateText(p.value_date());
    f.payer_bin = p.payer_bin();
    f.participant_id = p.participant_id();
    f.contract_number = p.contract_number();
    f.amount_tiyn = p.amount_tiyn();
    f.unallocated_tiyn = p.unallocated_tiyn();
    out.payments.push_back(std::move(f));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> GrpcSuite::MeteringPointCodes() {
  std::vector<std::string> out;
  std::string token;
  do {
    metering::v1::ListMeteringPointsRequest req;
    req.set_page_size(1000);
    req.set_page_token(token);
    metering::v1::ListMeteringPointsResponse resp;
    grpc::ClientContext ctx;
    peer_.Prepare(ctx);
    const grpc::Status st = points_->ListMeteringPoints(&ctx, req, &resp);
    if (!st.ok()) return PeerError(*req.GetDescriptor(), st);
    for (const metering::v1::MeteringPoint& p : resp.points()) out.push_back(p.code());
    token = resp.next_page_token();
  } while (!token.empty());
  return out;
}

absl::StatusOr<std::vector<PointDayQuality>> GrpcSuite::PointDays(
    const std::vector<std::string>& points, absl::CivilDay from, absl::CivilDay to,
    absl::Time as_of) {
  metering::v1::StreamPointDaysRequest req;
  for (const std::string& p : points) req.add_point_codes(p);
  *req.mutable_from_day() = ToProtoDate(from);
  *req.mutable_to_day() = ToProtoDate(to);
  if (as_of == absl::InfinitePast()) {
    req.mutable_as_of()->set_latest(true);
  } else {
    *req.mutable_as_of()->mutable_time() = ToProtoTime(as_of);
  }
  grpc::ClientContext ctx;
  peer_.Prepare(ctx);
  std::unique_ptr<grpc::ClientReader<metering::v1::StreamPointDaysResponse>> reader(
      readings_->StreamPointDays(&ctx, req));
  std::vector<PointDayQuality> out;
  metering::v1::StreamPointDaysResponse chunk;
  while (reader->Read(&chunk)) {
    for (const metering::v1::PointDay& d : chunk.days()) {
      PointDayQuality q;
      q.point_code = d.point_code();
      q.channel = EnumText(d.channel(), metering::v1::Channel_descriptor(), "CHANNEL_");
      q.day = DateText(d.day());
      q.revision = d.revision();
      q.intervals = d.qualities_size();
      for (int v : d.qualities()) {
        switch (v) {
          case metering::v1::QUALITY_MEASURED:
            ++q.measured;
            break;
          case metering::v1::QUALITY_ESTIMATED:
            ++q.estimated;
            break;
          case metering::v1::QUALITY_SUBSTITUTED:
            ++q.substituted;
            break;
          case metering::v1::QUALITY_MANUALLY_EDITED:
            ++q.edited;
            break;
          default:
            ++q.missing;
            break;
        }
      }
      out.push_back(std::move(q));
    }
  }
  const grpc::Status st = reader->Finish();
  if (!st.ok()) return PeerError(*req.GetDescriptor(), st);
  return out;
}

}  // namespace gridbill::integrations
