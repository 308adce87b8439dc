// Runs scheduled reports: every `poll`, and once at start (a run missed
// while the service was down), each due schedule is moved to its next run
// by a compare-and-set (one replica wins), its report runs over the read
// model with the run's periods, and the file is kept with its parameters,
// size and SHA-256 until its retention ends. Expired files are deleted on
// the same pass. A run that fails records its error on the schedule; the
// schedule still moves on (the next date runs again).
#pragma once

#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gridbill/base/caller.h"
#include "gridbill/base/clock.h"
#include "reporting.h"
#include "schedules.h"
#include "store.h"

namespace gridbill::reporting {

class Scheduler {
 public:
  Scheduler(Store& store, Reporting& reporting, const Clock& clock, std::string tmp_dir,
            absl::Duration poll = absl::Seconds(30));
  ~Scheduler();

  // --- schedules (the ScheduleService's calls) ---
  absl::StatusOr<Schedule> Create(const Caller& caller, Schedule s);
  absl::StatusOr<paging::PageOf<Schedule>> List(const paging::Page& page);
  absl::StatusOr<Schedule> Delete(const std::string& id);
  absl::StatusOr<paging::PageOf<ReportFile>> Files(const std::string& schedule_id,
                                                   const paging::Page& page);
  absl::StatusOr<std::pair<ReportFile, std::string>> File(const std::string& id);

  // One pass: runs every due schedule, deletes expired files. The files made.
  absl::StatusOr<int> RunDue();

  void Start();
  void Stop();

 private:
  absl::Status RunOne(const Schedule& s, absl::Time due);

  Store& store_;
  Reporting& reporting_;
  const Clock& clock_;
  std::string tmp_dir_;
  absl::Duration poll_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace gridbill::reporting
