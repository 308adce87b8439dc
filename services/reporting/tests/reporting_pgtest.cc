// The reporting service on a real PostgreSQL with its gRPC class
// in-process and fake sources: every method x role as its access option
// says; a refresh as a job that reads, after one new invoice run, only that
// run's documents; R2 and R8 from the read model with their "as of"; bad
// parameters refused naming the parameter with nothing produced; the CSV
// export streamed, byte-identical twice, parsing back to the table.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "every_method.h"
#include "gridbill/base/csv.h"
#include "gridbill/base/sha256.h"
#include "gridbill/jobs/pg_jobs.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/testing/fake_clock.h"
#include "gridbill/testing/service_harness.h"
#include "pg_store.h"
#include "reporting.h"
#include "reporting_service.h"
#include "scheduler.h"

namespace gridbill::reporting {
namespace {

using ::gridbill::testing::AddWho;
using ::gridbill::testing::Call;
using ::gridbill::testing::FakeClock;
using ::gridbill::testing::ServiceHarness;
using ::gridbill::testing::Who;

// What contracts and invoicing would answer, with a count of the documents read.
class FakeSources final : public Sources {
 public:
  absl::StatusOr<std::vector<ParticipantInfo>> Participants() override {
    return std::vector<ParticipantInfo>{{"P-1", "100000000001", "First", "KZ-11"},
                                        {"P-2", "100000000002", "Second", "KZ-55"}};
  }
  absl::StatusOr<std::vector<InvoiceRunInfo>> InvoiceRuns() override { return runs; }
  absl::StatusOr<std::vector<DocumentInfo>> DocumentsOfRun(const std::string& run_id) override {
    std::vector<DocumentInfo> out;
    for (const DocumentInfo& d : documents) {
      if (d.invoice_run_id == run_id) out.push_back(d);
    }
    documents_read += static_cast<int64_t>(out.size());
    return out;
  }
  absl::StatusOr<std::vector<PaymentInfo>> Payments() override { return payments; }
  // With `feed`: invoicing's change feed, the cursor an index into `documents`
  // (documents are only appended here, so the order of change is theirs).
  absl::StatusOr<std::optional<Changes<DocumentInfo>>> DocumentChanges(
      const std::string& cursor) override {
    if (!feed) return std::optional<Changes<DocumentInfo>>();
    size_t from = 0;
    if (!cursor.empty() && !absl::SimpleAtoi(cursor, &from)) {
      return absl::InvalidArgumentError("changes_after.cursor: malformed");
    }
    Changes<DocumentInfo> out;
    for (size_t i = from; i < documents.size(); ++i) out.rows.push_back(documents[i]);
    documents_read += static_cast<int64_t>(out.rows.size());
    out.cursor = absl::StrCat(documents.size());
    return std::optional<Changes<DocumentInfo>>(std::move(out));
  }

  // One invoice run of `period` (ended) with an invoice and an act per
  // participant: `wh` and `tiyn` per participant, VAT 16 %.
  void AddRun(const std::string& id, absl::CivilMonth period, int64_t wh, int64_t tiyn) {
    runs.push_back({id, period, 1, "br-" + id, jobs::State::kSucceeded, 4});
    for (const char* p : {"P-1", "P-2"}) {
      for (int type : {1, 2}) {
        DocumentInfo d;
        d.id = absl::StrCat(id, "-", p, "-", type);
        d.type = type;
        d.number = d.id;
        d.period = period;
        d.issue_date = absl::CivilDay(period + 1);
        d.due_date = absl::CivilDay(period + 1) + 20;
        d.participant_id = p;
        d.contract_id = absl::StrCat("C-", p);
        d.invoice_run_id = id;
        d.amount_tiyn = tiyn;
        d.vat_tiyn = tiyn * 16 / 100;
        d.total_tiyn = d.amount_tiyn + d.vat_tiyn;
        d.open_tiyn = type == 1 ? d.total_tiyn : 0;  // nothing paid
        d.lines.push_back({1, 1, wh, d.amount_tiyn, d.vat_tiyn, d.total_tiyn, "br-" + id});
        documents.push_back(std::move(d));
      }
    }
  }

  std::vector<InvoiceRunInfo> runs;
  std::vector<DocumentInfo> documents;
  std::vector<PaymentInfo> payments;
  int64_t documents_read = 0;
  bool feed = false;
};

struct Fixture {
  ServiceHarness base{GRIDBILL_REPORTING_MIGRATIONS_DIR};
  FakeClock clock{absl::FromCivil(absl::CivilSecond(2026, 11, 5, 6, 0, 0), absl::UTCTimeZone())};
  PgStore store{base.pool()};
  jobs::PgJobs jobs{base.pool()};
  pg::PgIdempotency idempotency{base.pool()};
  FakeSources sources;
  std::unique_ptr<Reporting> reporting;
  std::unique_ptr<ReportServiceImpl> service;
  std::unique_ptr<Scheduler> scheduler;
  std::unique_ptr<ScheduleServiceImpl> schedule_service;
  std::unique_ptr<v1::ReportService::Stub> stub;
  std::unique_ptr<v1::ScheduleService::Stub> schedules;
  int next_request = 0;

  Fixture() {
    ReportingConfig config;
    config.workers = 0;
    config.worker_id = "test";
    reporting = std::make_unique<Reporting>(store, jobs, sources, clock, config);
    service = std::make_unique<ReportServiceImpl>(*reporting, idempotency);
    scheduler = std::make_unique<Scheduler>(store, *reporting, clock, "/tmp");
    schedule_service = std::make_unique<ScheduleServiceImpl>(*scheduler, idempotency);
    base.Start({service.get(), schedule_service.get()});
    stub = v1::ReportService::NewStub(base.channel());
    schedules = v1::ScheduleService::NewStub(base.channel());
  }
  ~Fixture() { base.Stop(); }

  v1::Refresh Refresh() {
    v1::RefreshReadModelRequest req;
    req.set_request_id(absl::StrCat("req-", ++next_request));
    v1::RefreshReadModelResponse resp;
    REQUIRE_OK(Call(*stub, &v1::ReportService::Stub::RefreshReadModel, req, &resp));
    REQUIRE(reporting->Drive(resp.refresh().id(), absl::Seconds(60)).ok());
    v1::GetRefreshRequest get;
    get.set_refresh_id(resp.refresh().id());
    v1::GetRefreshResponse got;
    REQUIRE_OK(Call(*stub, &v1::ReportService::Stub::GetRefresh, get, &got));
    return got.refresh();
  }

  grpc::Status Run(const v1::RunReportRequest& req, v1::RunReportResponse* resp,
                   const Who& who = Who()) {
    return Call(*stub, &v1::ReportService::Stub::RunReport, req, resp, who);
  }

  // The whole export: the file, and the messages' count; the status.
  grpc::Status Export(const v1::ExportReportRequest& req, std::string* file,
                      std::vector<v1::ExportReportResponse>* messages, const Who& who = Who()) {
    grpc::ClientContext ctx;
    AddWho(ctx, who);
    auto reader = stub->ExportReport(&ctx, req);
    v1::ExportReportResponse msg;
    while (reader->Read(&msg)) {
      file->append(msg.chunk());
      messages->push_back(msg);
    }
    return reader->Finish();
  }
};

int64_t Fetched(const v1::Refresh& r, const std::string& source) {
  for (const v1::SourceCount& s : r.sources()) {
    if (s.source() == source) return s.fetched();
  }
  return -1;
}

v1::RunReportRequest Report(const std::string& code, int y1, int m1, int y2, int m2) {
  v1::RunReportRequest req;
  req.set_report(code);
  req.mutable_parameters()->mutable_period_from()->set_year(y1);
  req.mutable_parameters()->mutable_period_from()->set_month(m1);
  req.mutable_parameters()->mutable_period_to()->set_year(y2);
  req.mutable_parameters()->mutable_period_to()->set_month(m2);
  return req;
}

TEST_CASE("every reporting RPC admits exactly the roles its access option declares") {
  Fixture f;
  const auto services = access_testing::ServicesOf(*v1::Refresh::descriptor());
  REQUIRE(services.size() == 2);
  CHECK(access_testing::CheckEveryMethodAndRole(f.base.channel(), services) == 10 * 8);
  CHECK(f.base.CountRows("refreshes") == 0);
}

TEST_CASE("a refresh after one new invoice run fetches only that run's documents") {
  Fixture f;
  f.sources.AddRun("ir-1", absl::CivilMonth(2025, 9), 1'000'000, 200'000);
  f.sources.AddRun("ir-2", absl::CivilMonth(2026, 9), 1'200'000, 250'000);
  f.sources.payments.push_back(
      {"pay-1", "REF-1", absl::CivilDay(2026, 10, 12), "P-1", "C-P-1", 290'000, 0});

  // Before any refresh a report says so.
  v1::RunReportResponse resp;
  REQUIRE_GRPC(f.Run(Report("R2", 2026, 9, 2026, 9), &resp), grpc::StatusCode::FAILED_PRECONDITION,
               "not been refreshed");

  const v1::Refresh first = f.Refresh();
  CHECK(first.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(Fetched(first, kSourceDocuments) == 8);
  CHECK(Fetched(first, kSourceParticipants) == 2);
  CHECK(Fetched(first, kSourcePayments) == 1);
  CHECK(f.sources.documents_read == 8);
  CHECK(f.base.CountRows("documents") == 8);

  // Nothing new: nothing read.
  f.clock.Advance(absl::Minutes(1));
  const v1::Refresh idle = f.Refresh();
  CHECK(Fetched(idle, kSourceDocuments) == 0);
  CHECK(f.sources.documents_read == 8);

  // One new run of 4 documents: those 4 only, with the cursor stored.
  f.sources.AddRun("ir-3", absl::CivilMonth(2026, 10), 1'300'000, 260'000);
  f.clock.Advance(absl::Minutes(1));
  const v1::Refresh third = f.Refresh();
  CHECK(Fetched(third, kSourceDocuments) == 4);
  CHECK(f.sources.documents_read == 12);
  CHECK(f.base.CountRows("documents") == 12);
  CHECK(f.base.QueryInt("SELECT count(*) FROM source_cursors WHERE refresh_id = '" + third.id() +
                        "' AND cursor = 'runs:3'") == 1);

  // R2 of 2026-09: each participant's invoice (acts not counted) against 2025-09.
  REQUIRE_OK(f.Run(Report("R2", 2026, 9, 2026, 10), &resp));
  CHECK(resp.total_size() == 4);
  CHECK(resp.freshness().refresh_id() == third.id());
  CHECK(resp.freshness().as_of().seconds() > 0);
  REQUIRE(resp.rows_size() == 4);
  const auto& row = resp.rows(0).cells();
  CHECK(row[0] == "2026-09");
  CHECK(row[1] == "P-1");
  CHECK(row[2] == "First");
  CHECK(row[5] == "1200000");
  CHECK(row[6] == "250000");
  CHECK(row[10] == "200000");
  CHECK(row[11] == "25.00");

  // R8 of 2026-10: 2 invoices, 2 acts, the payment, the runs.
  REQUIRE_OK(f.Run(Report("R8", 2026, 10, 2026, 10), &resp));
  REQUIRE(resp.rows_size() == 1);
  const auto& r8 = resp.rows(0).cells();
  CHECK(r8[0] == "2026-10");
  CHECK(r8[1] == "2");
  CHECK(r8[3] == "2");
  CHECK(r8[4] == "2");
  CHECK(r8[8] == "520000");
  CHECK(r8[11] == "1");
  CHECK(r8[12] == "290000");
  CHECK(r8[13] == "ir-3");
  CHECK(r8[14] == "br-ir-3");

  // R3 of 2026-09..10, aged on the "as of" day 2026-11-05: P-1's invoice of
  // 2025-09 (due 2025-10-21) over 90 days, of 2026-09 (due 2026-10-21) 15
  // days overdue, of 2026-10 (due 2026-11-21) not due.
  REQUIRE_OK(f.Run(Report("R3", 2026, 9, 2026, 10), &resp));
  REQUIRE(resp.rows_size() == 2);
  CHECK(std::vector<std::string>(resp.rows(0).cells().begin(), resp.rows(0).cells().end()) ==
        std::vector<std::string>{"P-1", "First", "KZ-11", "591600", "290000", "823600", "301600",
                                 "290000", "0", "0", "232000", "522000"});
  CHECK(resp.rows(1).cells(0) == "P-2");
  CHECK(resp.rows(1).cells(4) == "0");

  // R7 of P-1 for 2026-10: opening = the invoices issued before 2026-10-01
  // (2025-09's 232000 on 2025-10-01, 2026-09's 290000 on 2026-10-01 is in
  // the period) less nothing paid; then the invoice, the payment, closing.
  v1::RunReportRequest act = Report("R7", 2026, 10, 2026, 10);
  act.mutable_parameters()->set_participant_id("P-1");
  REQUIRE_OK(f.Run(act, &resp));
  REQUIRE(resp.rows_size() == 4);
  CHECK(resp.rows(0).cells(5) == "232000");
  CHECK(resp.rows(1).cells(0) == "2026-10-01");
  CHECK(resp.rows(1).cells(3) == "290000");
  CHECK(resp.rows(1).cells(5) == "522000");
  CHECK(resp.rows(2).cells(1) == "Payment");
  CHECK(resp.rows(2).cells(4) == "290000");
  CHECK(resp.rows(3).cells(5) == "232000");
  act.mutable_parameters()->clear_participant_id();
  REQUIRE_GRPC(f.Run(act, &resp), grpc::StatusCode::INVALID_ARGUMENT, "parameters.participant_id");

  // A participant's user: its own rows only, whether it names itself or not.
  Who p1{"user@p1", "ROLE_PARTICIPANT_USER", "P-1"};
  REQUIRE_OK(f.Run(Report("R2", 2026, 9, 2026, 10), &resp, p1));
  CHECK(resp.total_size() == 2);
  for (const v1::ReportRow& r : resp.rows()) CHECK(r.cells(1) == "P-1");

  // Paged.
  v1::RunReportRequest paged = Report("R2", 2026, 9, 2026, 10);
  paged.set_page_size(3);
  REQUIRE_OK(f.Run(paged, &resp));
  CHECK(resp.rows_size() == 3);
  REQUIRE(!resp.next_page_token().empty());
  paged.set_page_token(resp.next_page_token());
  REQUIRE_OK(f.Run(paged, &resp));
  CHECK(resp.rows_size() == 1);
  CHECK(resp.next_page_token().empty());
}

std::string Mode(const v1::Refresh& r, const std::string& source) {
  for (const v1::SourceCount& s : r.sources()) {
    if (s.source() == source) return s.mode();
  }
  return "";
}

TEST_CASE("with invoicing's change feed a refresh reads only the documents after its cursor") {
  Fixture f;
  // First by runs (an invoicing without the feed), then the feed appears.
  f.sources.AddRun("ir-1", absl::CivilMonth(2026, 9), 1'000'000, 200'000);
  const v1::Refresh by_runs = f.Refresh();
  CHECK(Mode(by_runs, kSourceDocuments) == "runs");
  CHECK(Fetched(by_runs, kSourceDocuments) == 4);

  f.sources.feed = true;
  f.sources.AddRun("ir-2", absl::CivilMonth(2026, 10), 1'100'000, 210'000);
  f.clock.Advance(absl::Minutes(1));
  // The switch reads the feed from its start once (documents held are written again).
  const v1::Refresh switched = f.Refresh();
  CHECK(Mode(switched, kSourceDocuments) == "changes");
  CHECK(Fetched(switched, kSourceDocuments) == 8);
  CHECK(f.base.CountRows("documents") == 8);

  f.sources.AddRun("ir-3", absl::CivilMonth(2026, 11), 1'200'000, 220'000);
  f.clock.Advance(absl::Minutes(1));
  const int64_t before = f.sources.documents_read;
  const v1::Refresh next = f.Refresh();
  CHECK(Fetched(next, kSourceDocuments) == 4);
  CHECK(f.sources.documents_read - before == 4);
  CHECK(f.base.CountRows("documents") == 12);
  CHECK(f.base.QueryInt("SELECT count(*) FROM source_cursors WHERE source = 'invoicing.documents' "
                        "AND cursor = '12' AND refresh_id = '" +
                        next.id() + "'") == 1);
  f.clock.Advance(absl::Minutes(1));
  CHECK(Fetched(f.Refresh(), kSourceDocuments) == 0);
}

TEST_CASE("a later payment re-lists the invoice it pays and R3's open amount and aging follow") {
  Fixture f;
  f.sources.feed = true;
  f.sources.AddRun("ir-1", absl::CivilMonth(2026, 9), 1'000'000, 200'000);
  f.Refresh();
  v1::RunReportResponse resp;
  // Aged on 2026-11-05: P-1's invoice of 2026-09 (due 2026-10-21) is 15 days overdue.
  REQUIRE_OK(f.Run(Report("R3", 2026, 9, 2026, 9), &resp));
  REQUIRE(resp.rows_size() == 2);
  CHECK(resp.rows(0).cells(5) == "232000");   // open
  CHECK(resp.rows(0).cells(7) == "232000");   // 0-30 days
  CHECK(resp.rows(0).cells(11) == "232000");  // overdue

  // P-1 pays 100000 on 2026-09-25: invoicing's feed lists the invoice
  // again with its new open amount (its change is the payment).
  f.sources.payments.push_back(
      {"pay-1", "PAY-1", absl::CivilDay(2026, 9, 25), "P-1", "C-P-1", 100'000, 0});
  DocumentInfo paid = f.sources.documents[0];
  REQUIRE(paid.id == "ir-1-P-1-1");
  paid.open_tiyn = 132'000;
  f.sources.documents.push_back(paid);
  f.clock.Advance(absl::Minutes(1));
  const v1::Refresh after = f.Refresh();
  CHECK(Fetched(after, kSourceDocuments) == 1);
  REQUIRE_OK(f.Run(Report("R3", 2026, 9, 2026, 9), &resp));
  REQUIRE(resp.rows_size() == 2);
  CHECK(std::vector<std::string>(resp.rows(0).cells().begin(), resp.rows(0).cells().end()) ==
        std::vector<std::string>{"P-1", "First", "KZ-11", "232000", "100000", "132000", "0",
                                 "132000", "0", "0", "0", "132000"});
  CHECK(resp.rows(1).cells(5) == "232000");  // P-2 paid nothing
  CHECK(f.base.CountRows("documents") == 4);
}

TEST_CASE("R3 ages on the operator's day: invoices issued after midnight in Almaty count") {
  Fixture f;
  // 2026-09-30 19:30 UTC is 2026-10-01 00:30 in Almaty: the invoices of
  // 2026-09 issued on 2026-10-01 are open and not yet due (due 2026-10-21).
  f.clock.Set(absl::FromCivil(absl::CivilSecond(2026, 9, 30, 19, 30, 0), absl::UTCTimeZone()));
  f.sources.AddRun("ir-1", absl::CivilMonth(2026, 9), 1'000'000, 200'000);
  f.Refresh();
  v1::RunReportResponse resp;
  REQUIRE_OK(f.Run(Report("R3", 2026, 9, 2026, 9), &resp));
  REQUIRE(resp.rows_size() == 2);
  for (const auto& row : resp.rows()) {
    CHECK(row.cells(5) == "232000");  // open
    CHECK(row.cells(6) == "232000");  // not due
    CHECK(row.cells(11) == "0");      // overdue
  }
}

TEST_CASE("a scheduled report: files kept with their SHA-256, a missed run once, retention") {
  Fixture f;
  f.sources.AddRun("ir-1", absl::CivilMonth(2026, 9), 1'000'000, 200'000);
  f.Refresh();

  v1::CreateScheduleRequest req;
  req.set_request_id("sch-1");
  v1::Schedule* s = req.mutable_schedule();
  s->set_report("R8");
  s->set_period(v1::SCHEDULE_PERIOD_YEAR_TO_DATE);
  s->set_format(v1::EXPORT_FORMAT_CSV);
  s->set_day_of_month(31);
  s->set_hour(6);
  s->set_retention_days(30);
  v1::CreateScheduleResponse resp;
  REQUIRE_GRPC(Call(*f.schedules, &v1::ScheduleService::Stub::CreateSchedule, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "schedule.day_of_month");
  s->set_day_of_month(5);
  s->set_report("R99");
  REQUIRE_GRPC(Call(*f.schedules, &v1::ScheduleService::Stub::CreateSchedule, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "schedule.report");
  CHECK(f.base.CountRows("schedules") == 0);
  s->set_report("R8");
  REQUIRE_OK(Call(*f.schedules, &v1::ScheduleService::Stub::CreateSchedule, req, &resp));
  // Now 2026-11-05 06:00 UTC = 11:00 in Almaty: the next 5th at 06:00 there
  // is 2026-12-05 01:00 UTC.
  CHECK(resp.schedule().next_run_time().seconds() ==
        absl::ToUnixSeconds(
            absl::FromCivil(absl::CivilSecond(2026, 12, 5, 1, 0, 0), absl::UTCTimeZone())));
  CHECK(resp.schedule().time_zone() == "Asia/Almaty");
  const std::string id = resp.schedule().id();

  // Nothing due yet.
  REQUIRE(f.scheduler->RunDue().ok());
  CHECK(f.base.CountRows("report_files") == 0);

  // Down over two due dates (12-05 and 01-05): one run when back.
  f.clock.Set(absl::FromCivil(absl::CivilSecond(2027, 1, 10, 0, 0, 0), absl::UTCTimeZone()));
  absl::StatusOr<int> made = f.scheduler->RunDue();
  REQUIRE(made.ok());
  CHECK(*made == 1);
  made = f.scheduler->RunDue();
  REQUIRE(made.ok());
  CHECK(*made == 0);

  v1::ListReportFilesRequest list;
  list.set_schedule_id(id);
  v1::ListReportFilesResponse files;
  REQUIRE_OK(Call(*f.schedules, &v1::ScheduleService::Stub::ListReportFiles, list, &files));
  REQUIRE(files.files_size() == 1);
  const v1::ReportFile& file = files.files(0);
  // Due 2026-12-05: January .. November 2026.
  CHECK(file.parameters().period_from().month() == 1);
  CHECK(file.parameters().period_to().month() == 11);
  CHECK(file.file_name() == "R8-2026-01-2026-11.csv");
  CHECK(file.rows() == 1);

  v1::DownloadReportFileRequest get;
  get.set_file_id(file.id());
  grpc::ClientContext ctx;
  AddWho(ctx, Who());
  auto reader = f.schedules->DownloadReportFile(&ctx, get);
  v1::DownloadReportFileResponse msg;
  std::string bytes;
  while (reader->Read(&msg)) bytes += msg.chunk();
  REQUIRE_OK(reader->Finish());
  CHECK(static_cast<int64_t>(bytes.size()) == file.size_bytes());
  CHECK(Sha256Hex(bytes) == file.sha256());
  CHECK(ParseCsv(bytes).records.size() == 2);

  v1::ListSchedulesRequest all;
  v1::ListSchedulesResponse listed;
  REQUIRE_OK(Call(*f.schedules, &v1::ScheduleService::Stub::ListSchedules, all, &listed));
  REQUIRE(listed.schedules_size() == 1);
  CHECK(listed.schedules(0).next_run_time().seconds() ==
        absl::ToUnixSeconds(
            absl::FromCivil(absl::CivilSecond(2027, 2, 5, 1, 0, 0), absl::UTCTimeZone())));

  // After 30 days the file is gone.
  f.clock.Advance(absl::Hours(24 * 31));
  REQUIRE(f.scheduler->RunDue().ok());
  CHECK(f.base.QueryInt("SELECT count(*) FROM report_files WHERE id = '" + file.id() + "'") == 0);
}

TEST_CASE("bad parameters are refused naming the parameter, and nothing is produced") {
  Fixture f;
  f.sources.AddRun("ir-1", absl::CivilMonth(2026, 9), 1'000'000, 200'000);
  f.Refresh();
  v1::RunReportResponse resp;
  REQUIRE_GRPC(f.Run(Report("R42", 2026, 9, 2026, 9), &resp), grpc::StatusCode::INVALID_ARGUMENT,
               "report: unknown report \"R42\"");
  REQUIRE_GRPC(f.Run(Report("R2", 2026, 9, 2026, 8), &resp), grpc::StatusCode::INVALID_ARGUMENT,
               "parameters.period_to: 2026-08 is before period_from 2026-09");
  v1::RunReportRequest month13 = Report("R2", 2026, 13, 2026, 9);
  REQUIRE_GRPC(f.Run(month13, &resp), grpc::StatusCode::INVALID_ARGUMENT, "parameters.period_from");
  Who p1{"user@p1", "ROLE_PARTICIPANT_USER", "P-1"};
  v1::RunReportRequest other = Report("R2", 2026, 9, 2026, 9);
  other.mutable_parameters()->set_participant_id("P-2");
  REQUIRE_GRPC(f.Run(other, &resp, p1), grpc::StatusCode::PERMISSION_DENIED,
               "parameters.participant_id");
  REQUIRE_GRPC(f.Run(Report("R8", 2026, 9, 2026, 9), &resp, p1),
               grpc::StatusCode::PERMISSION_DENIED, "report");

  v1::ExportReportRequest bad;
  bad.set_report("R2");
  *bad.mutable_parameters() = Report("R2", 2026, 9, 2026, 8).parameters();
  bad.set_format(v1::EXPORT_FORMAT_CSV);
  std::string file;
  std::vector<v1::ExportReportResponse> messages;
  REQUIRE_GRPC(f.Export(bad, &file, &messages), grpc::StatusCode::INVALID_ARGUMENT,
               "parameters.period_to");
  CHECK(messages.empty());
  CHECK(file.empty());
}

TEST_CASE("the CSV export streams with progress, is byte-identical twice and parses back") {
  Fixture f;
  f.sources.AddRun("ir-1", absl::CivilMonth(2025, 9), 1'000'000, 200'000);
  f.sources.AddRun("ir-2", absl::CivilMonth(2026, 9), 1'200'000, 250'000);
  f.Refresh();
  v1::ExportReportRequest req;
  req.set_report("R2");
  *req.mutable_parameters() = Report("R2", 2025, 9, 2026, 9).parameters();
  req.set_format(v1::EXPORT_FORMAT_CSV);
  req.set_language(v1::LANGUAGE_RU);
  std::string file1, file2;
  std::vector<v1::ExportReportResponse> m1, m2;
  REQUIRE_OK(f.Export(req, &file1, &m1));
  f.clock.Advance(absl::Hours(1));
  f.Refresh();  // the same data, a later "as of"
  REQUIRE_OK(f.Export(req, &file2, &m2));
  REQUIRE(m1.size() >= 2);
  CHECK(m1.front().file_name() == "R2-2025-09-2026-09.csv");
  CHECK(m1.front().freshness().as_of().seconds() > 0);
  CHECK(m1.back().rows_done() == 4);
  CHECK(m1.back().rows_total() == 4);
  CHECK(m1.back().sha256() == Sha256Hex(file1));
  CHECK(m1.back().size_bytes() == static_cast<int64_t>(file1.size()));
  CHECK(file1 == file2);
  CHECK(m2.back().sha256() == m1.back().sha256());

  const CsvParseResult csv = ParseCsv(file1);
  REQUIRE(csv.errors.empty());
  REQUIRE(csv.records.size() == 5);
  CHECK(csv.records[0].fields[0] == "Период");
  v1::RunReportResponse table;
  REQUIRE_OK(f.Run(Report("R2", 2025, 9, 2026, 9), &table));
  REQUIRE(table.rows_size() == 4);
  for (int i = 0; i < 4; ++i) {
    const std::vector<std::string> cells(table.rows(i).cells().begin(),
                                         table.rows(i).cells().end());
    CHECK(csv.records[i + 1].fields == cells);
  }

  // XLSX and PDF through the same stream: named, hashed, the same twice.
  for (const auto format : {v1::EXPORT_FORMAT_XLSX, v1::EXPORT_FORMAT_PDF}) {
    req.set_format(format);
    std::string a, b;
    std::vector<v1::ExportReportResponse> ma, mb;
    REQUIRE_OK(f.Export(req, &a, &ma));
    REQUIRE_OK(f.Export(req, &b, &mb));
    CHECK(ma.front().file_name() == (format == v1::EXPORT_FORMAT_XLSX ? "R2-2025-09-2026-09.xlsx"
                                                                      : "R2-2025-09-2026-09.pdf"));
    CHECK(ma.back().sha256() == Sha256Hex(a));
    CHECK(a == b);
    CHECK(a.substr(0, 2) == (format == v1::EXPORT_FORMAT_XLSX ? "PK" : "%P"));
  }

  req.set_format(v1::EXPORT_FORMAT_UNSPECIFIED);
  std::string none;
  std::vector<v1::ExportReportResponse> nothing;
  REQUIRE_GRPC(f.Export(req, &none, &nothing), grpc::StatusCode::INVALID_ARGUMENT, "format");
  CHECK(nothing.empty());
}

}  // namespace
}  // namespace gridbill::reporting
