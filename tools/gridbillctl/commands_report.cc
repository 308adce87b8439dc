// gridbillctl report ...: the reporting service: the reports and their
// columns, a report as a table or a file (CSV; XLSX and PDF where the
// service offers them), refreshes of its read model.
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/reporting/v1/reporting.grpc.pb.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"
#include "tools/gridbillctl/progress.h"

namespace gridbill::ctl {
namespace {

namespace rv1 = ::gridbill::reporting::v1;

std::shared_ptr<grpc::Channel> Channel(const Args& args) {
  const std::string addr =
      args.Get("reporting-addr", ServiceAddress("GRIDBILL_REPORTING_ADDR", "127.0.0.1:7106"));
  grpc::ChannelArguments ch;
  ch.SetMaxReceiveMessageSize(64 << 20);
  return SignedChannel(addr, ch);
}

std::unique_ptr<rv1::ReportService::Stub> Connect(const Args& args) {
  return rv1::ReportService::NewStub(Channel(args));
}

FlagSpec AddrFlag() {
  return {"reporting-addr", "HOST:PORT",
          "the reporting service (default $GRIDBILL_REPORTING_ADDR, the gateway, or "
          "127.0.0.1:7106)"};
}

bool Ended(common::v1::JobState s) {
  return s != common::v1::JOB_STATE_PENDING && s != common::v1::JOB_STATE_RUNNING;
}

void PrintRefresh(Context& ctx, const rv1::Refresh& r) {
  const absl::TimeZone zone = DisplayZone();
  std::vector<std::pair<std::string, std::string>> fields = {
      {"Refresh", r.id()},
      {"State", ShortName(r.job().state())},
      {"Started", FormatTime(r.job().start_time(), zone)},
      {"Finished", FormatTime(r.job().finish_time(), zone)},
  };
  for (const rv1::SourceCount& s : r.sources()) {
    fields.push_back(
        {s.source(), absl::StrCat(GroupDigits(s.fetched()), " fetched (", s.mode(), ")")});
  }
  fields.push_back({"Error", r.job().error()});
  ctx.out() << RenderFields(fields);
}

int RefreshCmd(Context& ctx, const Args& args) {
  auto stub = Connect(args);
  rv1::RefreshReadModelRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  rv1::RefreshReadModelResponse resp;
  grpc::Status st =
      ctx.client().Call(*stub, &rv1::ReportService::Stub::RefreshReadModel, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  rv1::Refresh last = resp.refresh();
  while (!args.Has("no-wait") && !Ended(last.job().state())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    rv1::GetRefreshRequest g;
    g.set_refresh_id(last.id());
    rv1::GetRefreshResponse gr;
    st = ctx.client().Call(*stub, &rv1::ReportService::Stub::GetRefresh, g, &gr, nullptr, 3);
    if (!st.ok()) return ctx.Fail(st);
    last = gr.refresh();
  }
  if (ctx.json()) {
    ctx.PrintJson(last);
  } else {
    PrintRefresh(ctx, last);
  }
  if (args.Has("no-wait")) return kExitOk;
  return last.job().state() == common::v1::JOB_STATE_SUCCEEDED ? kExitOk : kExitFailed;
}

int ListCmd(Context& ctx, const Args& args) {
  auto stub = Connect(args);
  rv1::ListReportsRequest req;
  rv1::ListReportsResponse resp;
  grpc::Status st =
      FetchList(ctx.client(), *stub, &rv1::ReportService::Stub::ListReports, req, true, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  for (const rv1::ReportDefinition& r : resp.reports()) {
    ctx.out() << r.code() << "  " << r.title_en() << " / " << r.title_ru() << "\n  "
              << r.description() << "\n  parameters: ";
    for (int i = 0; i < r.parameters_size(); ++i) ctx.out() << (i ? ", " : "") << r.parameters(i);
    ctx.out() << (r.participant_may_run() ? " (participants: about themselves)" : "") << "\n";
    Table t({{"COLUMN"}, {"DEFINITION"}});
    for (const rv1::ColumnDefinition& c : r.columns()) t.AddRow({c.name(), c.definition()});
    ctx.out() << t.Render() << "\n";
  }
  return kExitOk;
}

absl::StatusOr<rv1::ReportParameters> ParamsOf(const Args& args) {
  rv1::ReportParameters p;
  ASSIGN_OR_RETURN(*p.mutable_period_from(), PeriodFlag(args, "from"));
  if (args.Has("to")) {
    ASSIGN_OR_RETURN(*p.mutable_period_to(), PeriodFlag(args, "to"));
  }
  p.set_region_code(args.Get("region"));
  p.set_participant_id(args.Get("participant"));
  ASSIGN_OR_RETURN(const contracts::v1::ServiceType service,
                   EnumFlag<contracts::v1::ServiceType>(args, "service"));
  p.set_service_type(service);
  return p;
}

absl::StatusOr<rv1::Language> LanguageOf(const Args& args) {
  const std::string l = absl::AsciiStrToLower(args.Get("language", "en"));
  if (l == "en") return rv1::LANGUAGE_EN;
  if (l == "ru") return rv1::LANGUAGE_RU;
  return absl::InvalidArgumentError("--language: en or ru");
}

std::string Freshness(const rv1::Freshness& f) {
  return absl::StrCat("as of ", FormatTime(f.as_of(), DisplayZone()), " (refresh ", f.refresh_id(),
                      ")");
}

int ExportTo(Context& ctx, rv1::ReportService::Stub& stub, rv1::ExportReportRequest req,
             const std::string& out_path) {
  std::unique_ptr<grpc::ClientContext> ectx = ctx.client().NewContext();
  ectx->set_deadline(std::chrono::system_clock::now() + std::chrono::hours(1));
  auto reader = stub.ExportReport(ectx.get(), req);
  rv1::ExportReportResponse msg;
  std::string path = out_path;
  std::ofstream file;
  std::string sha256, freshness;
  int64_t rows = 0, size = 0;
  while (reader->Read(&msg)) {
    if (!msg.file_name().empty() && !file.is_open()) {
      if (path.empty()) path = msg.file_name();
      file.open(path, std::ios::binary | std::ios::trunc);
      if (!file) return ctx.Fail(absl::StrCat("cannot write ", path));
      freshness = Freshness(msg.freshness());
    }
    if (file.is_open())
      file.write(msg.chunk().data(), static_cast<std::streamsize>(msg.chunk().size()));
    rows = msg.rows_total();
    if (!msg.sha256().empty()) sha256 = msg.sha256(), size = msg.size_bytes();
  }
  grpc::Status st = reader->Finish();
  if (!st.ok()) return ctx.Fail(st);
  file.close();
  if (!file) return ctx.Fail(absl::StrCat("cannot write ", path));
  ctx.out() << "wrote " << path << ": " << GroupDigits(rows) << " rows, " << GroupDigits(size)
            << " bytes, sha256 " << sha256 << ", " << freshness << "\n";
  return kExitOk;
}

int RunCmd(Context& ctx, const Args& args) {
  auto stub = Connect(args);
  CTL_ASSIGN_OR_USAGE(rv1::ReportParameters params, ParamsOf(args));
  CTL_ASSIGN_OR_USAGE(rv1::Language language, LanguageOf(args));
  const std::string format = absl::AsciiStrToLower(args.Get("format", "table"));
  if (format != "table") {
    rv1::ExportReportRequest req;
    req.set_report(absl::AsciiStrToUpper(args.positional()[0]));
    *req.mutable_parameters() = params;
    req.set_language(language);
    if (format == "csv") {
      req.set_format(rv1::EXPORT_FORMAT_CSV);
    } else if (format == "xlsx") {
      req.set_format(rv1::EXPORT_FORMAT_XLSX);
    } else if (format == "pdf") {
      req.set_format(rv1::EXPORT_FORMAT_PDF);
    } else {
      return ctx.Usage("--format: table, csv, xlsx or pdf");
    }
    return ExportTo(ctx, *stub, req, args.Get("out"));
  }
  rv1::RunReportRequest req;
  req.set_report(absl::AsciiStrToUpper(args.positional()[0]));
  *req.mutable_parameters() = params;
  req.set_language(language);
  req.set_page_size(1000);
  rv1::RunReportResponse resp;
  for (;;) {
    rv1::RunReportResponse page;
    grpc::Status st =
        ctx.client().Call(*stub, &rv1::ReportService::Stub::RunReport, req, &page, nullptr, 3);
    if (!st.ok()) return ctx.Fail(st);
    if (!resp.has_report()) {
      *resp.mutable_report() = page.report();
      *resp.mutable_freshness() = page.freshness();
      resp.set_total_size(page.total_size());
    }
    for (rv1::ReportRow& r : *page.mutable_rows()) *resp.add_rows() = std::move(r);
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << resp.report().code() << " "
            << (language == rv1::LANGUAGE_RU ? resp.report().title_ru() : resp.report().title_en())
            << ", " << Freshness(resp.freshness()) << "\n";
  std::vector<Table::Column> columns;
  for (const rv1::ColumnDefinition& c : resp.report().columns()) {
    const bool number = c.type() != rv1::COLUMN_TYPE_TEXT && c.type() != rv1::COLUMN_TYPE_PERIOD &&
                        c.type() != rv1::COLUMN_TYPE_DATE;
    columns.push_back({c.name(), number ? Table::Align::kRight : Table::Align::kLeft});
  }
  Table t(columns);
  for (const rv1::ReportRow& r : resp.rows()) {
    t.AddRow(std::vector<std::string>(r.cells().begin(), r.cells().end()));
  }
  ctx.out() << t.Render();
  return kExitOk;
}

absl::StatusOr<rv1::ExportFormat> FormatOf(const std::string& format) {
  if (format == "csv") return rv1::EXPORT_FORMAT_CSV;
  if (format == "xlsx") return rv1::EXPORT_FORMAT_XLSX;
  if (format == "pdf") return rv1::EXPORT_FORMAT_PDF;
  return absl::InvalidArgumentError("--format: csv, xlsx or pdf");
}

std::string Time(const google::protobuf::Timestamp& t) { return FormatTime(t, DisplayZone()); }

void PrintSchedules(Context& ctx, const rv1::ListSchedulesResponse& resp) {
  Table t(
      {{"SCHEDULE"}, {"REPORT"}, {"PERIOD"}, {"FORMAT"}, {"WHEN"}, {"NEXT RUN"}, {"LAST ERROR"}});
  for (const rv1::Schedule& s : resp.schedules()) {
    t.AddRow({s.id(), s.report(), ShortName(s.period()), ShortName(s.format()),
              absl::StrFormat("day %d %02d:%02d %s", s.day_of_month(), s.hour(), s.minute(),
                              s.time_zone()),
              Time(s.next_run_time()), s.last_error()});
  }
  ctx.out() << t.Render();
}

int ScheduleCmd(Context& ctx, const Args& args) {
  auto stub = rv1::ScheduleService::NewStub(Channel(args));
  rv1::CreateScheduleRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  rv1::Schedule* s = req.mutable_schedule();
  s->set_report(absl::AsciiStrToUpper(args.positional()[0]));
  const std::string period = absl::AsciiStrToLower(args.Get("period", "previous-month"));
  if (period == "previous-month") {
    s->set_period(rv1::SCHEDULE_PERIOD_PREVIOUS_MONTH);
  } else if (period == "year-to-date") {
    s->set_period(rv1::SCHEDULE_PERIOD_YEAR_TO_DATE);
  } else if (period == "fixed") {
    s->set_period(rv1::SCHEDULE_PERIOD_FIXED);
    CTL_ASSIGN_OR_USAGE(*s->mutable_parameters(), ParamsOf(args));
  } else {
    return ctx.Usage("--period: previous-month, year-to-date or fixed");
  }
  s->mutable_parameters()->set_region_code(args.Get("region"));
  s->mutable_parameters()->set_participant_id(args.Get("participant"));
  CTL_ASSIGN_OR_USAGE(const contracts::v1::ServiceType service,
                      EnumFlag<contracts::v1::ServiceType>(args, "service"));
  s->mutable_parameters()->set_service_type(service);
  CTL_ASSIGN_OR_USAGE(rv1::ExportFormat format,
                      FormatOf(absl::AsciiStrToLower(args.Get("format", "xlsx"))));
  s->set_format(format);
  CTL_ASSIGN_OR_USAGE(rv1::Language language, LanguageOf(args));
  s->set_language(language);
  CTL_ASSIGN_OR_USAGE(const int64_t day, IntFlag(args, "day", 5));
  CTL_ASSIGN_OR_USAGE(const int64_t hour, IntFlag(args, "hour", 6));
  CTL_ASSIGN_OR_USAGE(const int64_t minute, IntFlag(args, "minute", 0));
  CTL_ASSIGN_OR_USAGE(const int64_t retention, IntFlag(args, "retention-days", 0));
  s->set_day_of_month(static_cast<int32_t>(day));
  s->set_hour(static_cast<int32_t>(hour));
  s->set_minute(static_cast<int32_t>(minute));
  s->set_time_zone(args.Get("time-zone"));
  s->set_retention_days(static_cast<int32_t>(retention));
  rv1::CreateScheduleResponse resp;
  grpc::Status st =
      ctx.client().Call(*stub, &rv1::ScheduleService::Stub::CreateSchedule, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  rv1::ListSchedulesResponse one;
  *one.add_schedules() = resp.schedule();
  PrintSchedules(ctx, one);
  return kExitOk;
}

int SchedulesCmd(Context& ctx, const Args& args) {
  auto stub = rv1::ScheduleService::NewStub(Channel(args));
  rv1::ListSchedulesRequest req;
  rv1::ListSchedulesResponse resp;
  grpc::Status st =
      FetchList(ctx.client(), *stub, &rv1::ScheduleService::Stub::ListSchedules, req, true, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
  } else {
    PrintSchedules(ctx, resp);
  }
  return kExitOk;
}

int FilesCmd(Context& ctx, const Args& args) {
  auto stub = rv1::ScheduleService::NewStub(Channel(args));
  rv1::ListReportFilesRequest req;
  req.set_schedule_id(args.Get("schedule"));
  rv1::ListReportFilesResponse resp;
  grpc::Status st = FetchList(ctx.client(), *stub, &rv1::ScheduleService::Stub::ListReportFiles,
                              req, true, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"FILE"},
           {"SCHEDULE"},
           {"NAME"},
           {"SIZE", Table::Align::kRight},
           {"ROWS", Table::Align::kRight},
           {"MADE"},
           {"EXPIRES"},
           {"SHA-256", Table::Align::kLeft, 64}});
  for (const rv1::ReportFile& f : resp.files()) {
    t.AddRow({f.id(), f.schedule_id(), f.file_name(), GroupDigits(f.size_bytes()),
              GroupDigits(f.rows()), Time(f.create_time()), Time(f.expire_time()), f.sha256()});
  }
  ctx.out() << t.Render();
  return kExitOk;
}

int DownloadCmd(Context& ctx, const Args& args) {
  auto stub = rv1::ScheduleService::NewStub(Channel(args));
  rv1::DownloadReportFileRequest req;
  req.set_file_id(args.positional()[0]);
  std::unique_ptr<grpc::ClientContext> dctx = ctx.client().NewContext();
  dctx->set_deadline(std::chrono::system_clock::now() + std::chrono::hours(1));
  auto reader = stub->DownloadReportFile(dctx.get(), req);
  rv1::DownloadReportFileResponse msg;
  rv1::ReportFile file;
  std::string bytes;
  while (reader->Read(&msg)) {
    if (msg.has_file()) file = msg.file();
    bytes += msg.chunk();
  }
  grpc::Status st = reader->Finish();
  if (!st.ok()) return ctx.Fail(st);
  const std::string path = args.Get("out", file.file_name());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (!out) return ctx.Fail(absl::StrCat("cannot write ", path));
  ctx.out() << "wrote " << path << ": " << GroupDigits(static_cast<int64_t>(bytes.size()))
            << " bytes, sha256 " << file.sha256() << "\n";
  return kExitOk;
}

std::vector<FlagSpec> ParamFlags() {
  return {{"from", "YYYY-MM", "the first billing period (required)"},
          {"to", "YYYY-MM", "the last billing period (default: --from)"},
          {"region", "CODE", "only this region"},
          {"participant", "ID", "only this participant"},
          {"service", "SERVICE", "only this service"},
          {"language", "en|ru", "labels in English (default) or Russian"},
          {"format", "table|csv|xlsx|pdf", "a table on the terminal (default) or a file"},
          {"out", "FILE", "where to write the file (default: the name the service gives)"},
          AddrFlag()};
}

}  // namespace

void AddReportCommands(std::vector<Command>& out) {
  out.push_back({"report",
                 "list",
                 "",
                 0,
                 0,
                 "the reports, their parameters and columns",
                 {AddrFlag()},
                 "",
                 ListCmd});
  out.push_back({"report", "run", "REPORT", 1, 1, "run a report (R2, R8, ...) as a table or a file",
                 ParamFlags(),
                 "Bad parameters are refused naming the parameter, and nothing is written. "
                 "Every answer says how fresh its data is (the last refresh of the read model).",
                 RunCmd});
  out.push_back({"report",
                 "refresh",
                 "",
                 0,
                 0,
                 "refresh the read model from contracts and invoicing and wait for it",
                 {AddrFlag(),
                  {"request-id", "ID", "idempotency key (default: a fresh one)"},
                  {"no-wait", "", "return once the refresh is accepted"}},
                 "Reads only what changed since the last refresh (invoicing's change feed, or the "
                 "documents of invoice runs not read before).",
                 RefreshCmd});
  out.push_back({"report",
                 "schedule",
                 "REPORT",
                 1,
                 1,
                 "produce a report as a file on a schedule (e.g. monthly on the 5th at 06:00)",
                 {{"period", "previous-month|year-to-date|fixed",
                   "the months each run covers (default previous-month)"},
                  {"from", "YYYY-MM", "with --period fixed: the first month"},
                  {"to", "YYYY-MM", "with --period fixed: the last month"},
                  {"region", "CODE", "only this region"},
                  {"participant", "ID", "only this participant"},
                  {"service", "SERVICE", "only this service"},
                  {"format", "csv|xlsx|pdf", "the file format (default xlsx)"},
                  {"language", "en|ru", "labels in English (default) or Russian"},
                  {"day", "1..28", "the day of the month (default 5)"},
                  {"hour", "0..23", "the hour (default 6)"},
                  {"minute", "0..59", "the minute (default 0)"},
                  {"time-zone", "ZONE", "the IANA zone of day and hour (default Asia/Almaty)"},
                  {"retention-days", "N", "how long files are kept (default 365)"},
                  {"request-id", "ID", "idempotency key (default: a fresh one)"},
                  AddrFlag()},
                 "A run missed while the service was down runs once when it starts again.",
                 ScheduleCmd});
  out.push_back({"report",
                 "schedules",
                 "",
                 0,
                 0,
                 "the schedules and their next runs",
                 {AddrFlag()},
                 "",
                 SchedulesCmd});
  out.push_back({"report",
                 "files",
                 "",
                 0,
                 0,
                 "the files the schedules produced, newest first",
                 {{"schedule", "ID", "only this schedule's"}, AddrFlag()},
                 "",
                 FilesCmd});
  out.push_back({"report",
                 "download",
                 "FILE-ID",
                 1,
                 1,
                 "save a produced file",
                 {{"out", "FILE", "where to write it (default: its name)"}, AddrFlag()},
                 "",
                 DownloadCmd});
}

}  // namespace gridbill::ctl
