#include "reporting_service.h"

#include <algorithm>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "exports.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/access.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/idempotent_call.h"
#include "gridbill/server/paging.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::reporting {
namespace {

// What one chunk of an export holds at most.
constexpr size_t kChunkBytes = 256 * 1024;

std::string NewId(std::string_view prefix) {
  absl::BitGen gen;
  return absl::StrFormat("%s-%016x", prefix, absl::Uniform<uint64_t>(gen));
}

void JobToProto(const jobs::Job& j, common::v1::Job* out) {
  out->set_id(j.id);
  out->set_kind(j.kind);
  out->set_state(static_cast<common::v1::JobState>(j.state));
  out->set_done(j.done);
  out->set_total(j.total);
  if (j.start_time) *out->mutable_start_time() = ToProtoTime(*j.start_time);
  if (j.finish_time) *out->mutable_finish_time() = ToProtoTime(*j.finish_time);
  out->set_summary(j.summary);
  out->set_error(j.error);
}

void RefreshToProto(const Refresh& r, v1::Refresh* out) {
  out->set_id(r.id);
  JobToProto(r.job, out->mutable_job());
  for (const SourceCount& s : r.sources) {
    v1::SourceCount* o = out->add_sources();
    o->set_source(s.source);
    o->set_fetched(s.fetched);
    o->set_mode(s.mode);
  }
  out->set_created_by(r.created_by);
}

void ReportToProto(const ReportDef& r, v1::ReportDefinition* out) {
  out->set_code(r.code);
  out->set_title_en(r.title_en);
  out->set_title_ru(r.title_ru);
  out->set_description(r.description);
  for (const std::string& p : r.parameters) out->add_parameters(p);
  for (const Column& c : r.columns) {
    v1::ColumnDefinition* o = out->add_columns();
    o->set_name(c.name);
    o->set_label_en(c.label_en);
    o->set_label_ru(c.label_ru);
    o->set_type(static_cast<v1::ColumnType>(c.type));
    o->set_definition(c.definition);
  }
  out->set_participant_may_run(r.participant_may_run);
}

void FreshnessToProto(const Freshness& f, v1::Freshness* out) {
  *out->mutable_as_of() = ToProtoTime(f.as_of);
  out->set_refresh_id(f.refresh_id);
}

absl::StatusOr<std::optional<absl::CivilMonth>> OptionalMonth(const common::v1::BillingPeriod& p,
                                                              std::string_view field) {
  if (p.year() == 0 && p.month() == 0) return std::optional<absl::CivilMonth>();
  ASSIGN_OR_RETURN(BillingPeriod period, FromProtoPeriod(p, field));
  return std::optional<absl::CivilMonth>(period.civil_month());
}

absl::StatusOr<Params> ParamsOf(const v1::ReportParameters& p) {
  Params out;
  ASSIGN_OR_RETURN(out.period_from, OptionalMonth(p.period_from(), "parameters.period_from"));
  ASSIGN_OR_RETURN(out.period_to, OptionalMonth(p.period_to(), "parameters.period_to"));
  out.region_code = p.region_code();
  out.participant_id = p.participant_id();
  out.service_type = static_cast<int>(p.service_type());
  return out;
}

v1::ReportParameters ParamsToProto(const Params& p) {
  v1::ReportParameters out;
  if (p.period_from) {
    out.mutable_period_from()->set_year(static_cast<int32_t>(p.period_from->year()));
    out.mutable_period_from()->set_month(p.period_from->month());
  }
  if (p.period_to) {
    out.mutable_period_to()->set_year(static_cast<int32_t>(p.period_to->year()));
    out.mutable_period_to()->set_month(p.period_to->month());
  }
  out.set_region_code(p.region_code);
  out.set_participant_id(p.participant_id);
  out.set_service_type(static_cast<contracts::v1::ServiceType>(p.service_type));
  return out;
}

void ScheduleToProto(const Schedule& s, v1::Schedule* out) {
  out->set_id(s.id);
  out->set_report(s.report);
  *out->mutable_parameters() = ParamsToProto(s.params);
  out->set_period(static_cast<v1::SchedulePeriod>(s.period));
  out->set_format(static_cast<v1::ExportFormat>(s.format));
  out->set_language(static_cast<v1::Language>(s.language));
  out->set_day_of_month(s.day_of_month);
  out->set_hour(s.hour);
  out->set_minute(s.minute);
  out->set_time_zone(s.time_zone);
  out->set_retention_days(s.retention_days);
  if (s.next_run_time) *out->mutable_next_run_time() = ToProtoTime(*s.next_run_time);
  if (s.last_run_time) *out->mutable_last_run_time() = ToProtoTime(*s.last_run_time);
  out->set_last_error(s.last_error);
  out->set_created_by(s.created_by);
}

void FileToProto(const ReportFile& f, v1::ReportFile* out) {
  out->set_id(f.id);
  out->set_schedule_id(f.schedule_id);
  out->set_report(f.report);
  *out->mutable_parameters() = ParamsToProto(f.params);
  out->set_format(static_cast<v1::ExportFormat>(f.format));
  out->set_language(static_cast<v1::Language>(f.language));
  out->set_file_name(f.file_name);
  out->set_content_type(f.content_type);
  out->set_size_bytes(f.size_bytes);
  out->set_sha256(f.sha256);
  out->set_rows(f.rows);
  *out->mutable_scheduled_time() = ToProtoTime(f.scheduled_time);
  *out->mutable_create_time() = ToProtoTime(f.create_time);
  *out->mutable_freshness()->mutable_as_of() = ToProtoTime(f.freshness.as_of);
  out->mutable_freshness()->set_refresh_id(f.freshness.refresh_id);
  *out->mutable_expire_time() = ToProtoTime(f.expire_time);
}

absl::StatusOr<Language> LanguageOf(v1::Language l) {
  switch (l) {
    case v1::LANGUAGE_UNSPECIFIED:
    case v1::LANGUAGE_EN:
      return Language::kEn;
    case v1::LANGUAGE_RU:
      return Language::kRu;
    default:
      return InvalidField("language", absl::StrCat("unknown language ", static_cast<int>(l)));
  }
}

absl::StatusOr<Schedule> ScheduleOf(const v1::Schedule& p) {
  Schedule s;
  s.report = p.report();
  ASSIGN_OR_RETURN(s.params.period_from,
                   OptionalMonth(p.parameters().period_from(), "schedule.parameters.period_from"));
  ASSIGN_OR_RETURN(s.params.period_to,
                   OptionalMonth(p.parameters().period_to(), "schedule.parameters.period_to"));
  s.params.region_code = p.parameters().region_code();
  s.params.participant_id = p.parameters().participant_id();
  s.params.service_type = static_cast<int>(p.parameters().service_type());
  if (p.period() < v1::SCHEDULE_PERIOD_PREVIOUS_MONTH || p.period() > v1::SCHEDULE_PERIOD_FIXED) {
    return InvalidField("schedule.period", "previous month, year to date or fixed");
  }
  s.period = static_cast<SchedulePeriod>(p.period());
  if (p.format() < v1::EXPORT_FORMAT_CSV || p.format() > v1::EXPORT_FORMAT_PDF) {
    return InvalidField("schedule.format", "csv, xlsx or pdf");
  }
  s.format = static_cast<Format>(p.format());
  if (p.language() < v1::LANGUAGE_UNSPECIFIED || p.language() > v1::LANGUAGE_RU) {
    return InvalidField("schedule.language", "en or ru");
  }
  s.language = p.language() == v1::LANGUAGE_RU ? Language::kRu : Language::kEn;
  s.day_of_month = p.day_of_month();
  s.hour = p.hour();
  s.minute = p.minute();
  s.time_zone = p.time_zone();
  s.retention_days = p.retention_days();
  return s;
}

}  // namespace

grpc::Status ReportServiceImpl::ListReports(grpc::ServerContext* ctx,
                                            const v1::ListReportsRequest* req,
                                            v1::ListReportsResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<ReportDef> reports, paging::SlicePage(Catalog(), page));
  for (const ReportDef& r : reports.items) ReportToProto(r, resp->add_reports());
  resp->set_next_page_token(paging::NextToken(*req, reports.next));
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::RunReport(grpc::ServerContext* ctx, const v1::RunReportRequest* req,
                                          v1::RunReportResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(Params params, ParamsOf(req->parameters()));
  ASSIGN_OR_RETURN_GRPC(params.language, LanguageOf(req->language()));
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(Answer answer, reporting_.Run(caller, req->report(), params));
  ReportToProto(*answer.query.report, resp->mutable_report());
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<std::vector<std::string>> rows,
                        paging::SlicePage(std::move(answer.table.rows), page));
  for (const std::vector<std::string>& row : rows.items) {
    v1::ReportRow* out = resp->add_rows();
    for (const std::string& cell : row) out->add_cells(cell);
  }
  resp->set_next_page_token(paging::NextToken(*req, rows.next));
  resp->set_total_size(rows.total_size);
  FreshnessToProto(answer.freshness, resp->mutable_freshness());
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::ExportReport(grpc::ServerContext* ctx,
                                             const v1::ExportReportRequest* req,
                                             grpc::ServerWriter<v1::ExportReportResponse>* writer) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(Params params, ParamsOf(req->parameters()));
  ASSIGN_OR_RETURN_GRPC(Language language, LanguageOf(req->language()));
  params.language = language;
  if (req->format() == v1::EXPORT_FORMAT_UNSPECIFIED) {
    return ToGrpc(InvalidField("format", "required: csv, xlsx or pdf"));
  }
  if (req->format() < v1::EXPORT_FORMAT_CSV || req->format() > v1::EXPORT_FORMAT_PDF) {
    return ToGrpc(InvalidField("format", absl::StrCat("unknown format ", req->format())));
  }
  const Format format = static_cast<Format>(req->format());
  // Everything is checked before the first byte: a bad parameter produces nothing.
  ASSIGN_OR_RETURN_GRPC(Pages pages, reporting_.RunPaged(caller, req->report(), params));
  // A paged report's total is known at the end (rows_total 0 until then).
  const int64_t total = std::max<int64_t>(pages.rows_total, 0);
  Sha256Stream sha256;
  int64_t size = 0;
  int64_t done_rows = 0;
  bool first = true;
  auto sink = [&](std::string_view chunk, int64_t done) -> absl::Status {
    v1::ExportReportResponse out;
    out.set_chunk(std::string(chunk));
    out.set_rows_done(done);
    out.set_rows_total(total);
    if (first) {
      out.set_file_name(FileName(pages.query, format));
      out.set_content_type(ContentType(format));
      FreshnessToProto(pages.freshness, out.mutable_freshness());
      first = false;
    }
    sha256.Update(chunk);
    size += static_cast<int64_t>(chunk.size());
    if (!writer->Write(out)) return absl::CancelledError("the client went away");
    return absl::OkStatus();
  };
  absl::Status read_error;
  const RowSource read = RowsOf(pages, &read_error);
  const RowSource rows = [&]() {
    const std::vector<std::string>* row = read();
    if (row != nullptr) ++done_rows;
    return row;
  };
  const absl::Status written =
      Export(pages.query, rows, format, language, tmp_dir_, kChunkBytes, sink);
  // A page that failed to read ends the rows early: the file is incomplete.
  RETURN_IF_ERROR_GRPC(read_error);
  RETURN_IF_ERROR_GRPC(written);
  v1::ExportReportResponse last;
  last.set_rows_done(done_rows);
  last.set_rows_total(done_rows);
  last.set_size_bytes(size);
  last.set_sha256(sha256.HexDigest());
  writer->Write(last);
  return grpc::Status::OK;
}

grpc::Status ReportServiceImpl::RefreshReadModel(grpc::ServerContext* ctx,
                                                 const v1::RefreshReadModelRequest* req,
                                                 v1::RefreshReadModelResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  return IdempotentCall(idempotency_, caller, *req, resp,
                        [&](v1::RefreshReadModelResponse& out) -> absl::Status {
                          ASSIGN_OR_RETURN(Refresh r, reporting_.StartRefresh(caller, NewId("rf")));
                          RefreshToProto(r, out.mutable_refresh());
                          return absl::OkStatus();
                        });
}

grpc::Status ReportServiceImpl::GetRefresh(grpc::ServerContext* ctx,
                                           const v1::GetRefreshRequest* req,
                                           v1::GetRefreshResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(Refresh r, reporting_.GetRefresh(req->refresh_id()));
  RefreshToProto(r, resp->mutable_refresh());
  return grpc::Status::OK;
}

// --- ScheduleService ---------------------------------------------------------

grpc::Status ScheduleServiceImpl::CreateSchedule(grpc::ServerContext* ctx,
                                                 const v1::CreateScheduleRequest* req,
                                                 v1::CreateScheduleResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  return IdempotentCall(idempotency_, caller, *req, resp,
                        [&](v1::CreateScheduleResponse& out) -> absl::Status {
                          ASSIGN_OR_RETURN(Schedule s, ScheduleOf(req->schedule()));
                          s.id = NewId("sch");
                          ASSIGN_OR_RETURN(Schedule created, scheduler_.Create(caller, s));
                          ScheduleToProto(created, out.mutable_schedule());
                          return absl::OkStatus();
                        });
}

grpc::Status ScheduleServiceImpl::ListSchedules(grpc::ServerContext* ctx,
                                                const v1::ListSchedulesRequest* req,
                                                v1::ListSchedulesResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<Schedule> list, scheduler_.List(page));
  for (const Schedule& s : list.items) ScheduleToProto(s, resp->add_schedules());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  return grpc::Status::OK;
}

grpc::Status ScheduleServiceImpl::DeleteSchedule(grpc::ServerContext* ctx,
                                                 const v1::DeleteScheduleRequest* req,
                                                 v1::DeleteScheduleResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  return IdempotentCall(idempotency_, caller, *req, resp,
                        [&](v1::DeleteScheduleResponse& out) -> absl::Status {
                          ASSIGN_OR_RETURN(Schedule s, scheduler_.Delete(req->schedule_id()));
                          ScheduleToProto(s, out.mutable_schedule());
                          return absl::OkStatus();
                        });
}

grpc::Status ScheduleServiceImpl::ListReportFiles(grpc::ServerContext* ctx,
                                                  const v1::ListReportFilesRequest* req,
                                                  v1::ListReportFilesResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<ReportFile> list,
                        scheduler_.Files(req->schedule_id(), page));
  for (const ReportFile& f : list.items) FileToProto(f, resp->add_files());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  return grpc::Status::OK;
}

grpc::Status ScheduleServiceImpl::DownloadReportFile(
    grpc::ServerContext* ctx, const v1::DownloadReportFileRequest* req,
    grpc::ServerWriter<v1::DownloadReportFileResponse>* writer) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(auto file, scheduler_.File(req->file_id()));
  v1::DownloadReportFileResponse first;
  FileToProto(file.first, first.mutable_file());
  if (!writer->Write(first)) return grpc::Status::OK;
  const std::string& bytes = file.second;
  for (size_t from = 0; from < bytes.size(); from += kChunkBytes) {
    v1::DownloadReportFileResponse out;
    out.set_chunk(bytes.substr(from, kChunkBytes));
    if (!writer->Write(out)) return grpc::Status::OK;
  }
  return grpc::Status::OK;
}

}  // namespace gridbill::reporting
