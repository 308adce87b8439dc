#include "scheduler.h"

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/log.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::reporting {
namespace {

std::string NewFileId() {
  absl::BitGen gen;
  return absl::StrFormat("rfile-%016x", absl::Uniform<uint64_t>(gen));
}

}  // namespace

Scheduler::Scheduler(Store& store, Reporting& reporting, const Clock& clock, std::string tmp_dir,
                     absl::Duration poll)
    : store_(store),
      reporting_(reporting),
      clock_(clock),
      tmp_dir_(std::move(tmp_dir)),
      poll_(poll) {}

Scheduler::~Scheduler() { Stop(); }

absl::StatusOr<Schedule> Scheduler::Create(const Caller& caller, Schedule s) {
  RETURN_IF_ERROR(CheckSchedule(s));
  s.created_by = caller.Actor();
  s.next_run_time = NextRun(s, clock_.Now());
  RETURN_IF_ERROR(store_.CreateSchedule(s, clock_.Now()));
  return store_.GetSchedule(s.id);
}

absl::StatusOr<paging::PageOf<Schedule>> Scheduler::List(const paging::Page& page) {
  return store_.ListSchedules(page);
}

absl::StatusOr<Schedule> Scheduler::Delete(const std::string& id) {
  if (id.empty()) return InvalidField("schedule_id", "required");
  ASSIGN_OR_RETURN(Schedule s, store_.GetSchedule(id));
  RETURN_IF_ERROR(store_.DeleteSchedule(id));
  return s;
}

absl::StatusOr<paging::PageOf<ReportFile>> Scheduler::Files(const std::string& schedule_id,
                                                            const paging::Page& page) {
  return store_.ListFiles(schedule_id, page);
}

absl::StatusOr<std::pair<ReportFile, std::string>> Scheduler::File(const std::string& id) {
  if (id.empty()) return InvalidField("file_id", "required");
  return store_.GetFile(id);
}

absl::Status Scheduler::RunOne(const Schedule& s, absl::Time due) {
  Caller system;
  system.principal = absl::StrCat("schedule:", s.id);
  Params params = ParamsAt(s, due);
  params.language = s.language;
  ASSIGN_OR_RETURN(Pages pages, reporting_.RunPaged(system, s.report, params));
  std::string content;
  Sha256Stream sha256;
  int64_t rows_written = 0;
  absl::Status read_error;
  const RowSource read = RowsOf(pages, &read_error);
  const RowSource rows = [&]() {
    const std::vector<std::string>* row = read();
    if (row != nullptr) ++rows_written;
    return row;
  };
  const absl::Status written = Export(pages.query, rows, s.format, s.language, tmp_dir_, 256 * 1024,
                                      [&](std::string_view chunk, int64_t) {
                                        content.append(chunk);
                                        sha256.Update(chunk);
                                        return absl::OkStatus();
                                      });
  RETURN_IF_ERROR(read_error);
  RETURN_IF_ERROR(written);
  ReportFile f;
  f.id = NewFileId();
  f.schedule_id = s.id;
  f.report = s.report;
  f.params = params;
  f.format = s.format;
  f.language = s.language;
  f.file_name = FileName(pages.query, s.format);
  f.content_type = ContentType(s.format);
  f.size_bytes = static_cast<int64_t>(content.size());
  f.sha256 = sha256.HexDigest();
  f.rows = rows_written;
  f.scheduled_time = due;
  f.create_time = clock_.Now();
  f.freshness = pages.freshness;
  f.expire_time = f.create_time + absl::Hours(24) * s.retention_days;
  return store_.StoreFile(f, content);
}

absl::StatusOr<int> Scheduler::RunDue() {
  const absl::Time now = clock_.Now();
  int made = 0;
  ASSIGN_OR_RETURN(std::vector<Schedule> due, store_.DueSchedules(now));
  for (const Schedule& s : due) {
    const absl::Time at = *s.next_run_time;
    // The next run after now: dates missed while down run once, here.
    ASSIGN_OR_RETURN(bool mine, store_.ClaimSchedule(s.id, at, NextRun(s, now), now));
    if (!mine) continue;
    const absl::Status ran = RunOne(s, at);
    if (ran.ok()) {
      ++made;
    } else {
      LogJson("warn", "scheduled report failed",
              {{"schedule", s.id}, {"report", s.report}, {"error", ran.ToString()}});
      RETURN_IF_ERROR(store_.RecordScheduleError(s.id, std::string(ran.message())));
    }
  }
  RETURN_IF_ERROR(store_.DeleteExpiredFiles(now).status());
  return made;
}

void Scheduler::Start() {
  thread_ = std::thread([this] {
    for (;;) {
      absl::StatusOr<int> made = RunDue();
      if (!made.ok()) {
        LogJson("warn", "scheduled reports", {{"error", made.status().ToString()}});
      }
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), poll_)) return;
    }
  });
}

void Scheduler::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace gridbill::reporting
