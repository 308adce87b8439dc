// File imports as jobs of libs/jobs (kind kImportJobKind). StartImport
// parses and checks the WHOLE file first (encoding, structure, units, known
// points and channels, intervals aligned to each point's resolution, 80020
// periods as long as the resolution, one value per key): a file that fails
// any check is refused with INVALID_ARGUMENT naming the line or element, and
// nothing is written, not even a job. A file that passes is stored with a
// PENDING job. The job is split into one piece per metering point of the
// file, in file order; a worker of any replica ingests a piece through
// Ingestion (the path IngestReadings takes) in one transaction with the
// piece's counts and its completion, under the piece's claim epoch: a
// replica killed halfway leaves whole points or nothing, another replica (or
// the same one restarted) re-reads the stored file and resumes the points not
// stored after the lease, and the counts are those of the readings stored
// once. Cancel stops the job between points (what is stored stays).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gridbill/base/clock.h"
#include "gridbill/jobs/runner.h"
#include "import_parse.h"
#include "ingestion.h"
#include "model.h"
#include "store.h"

namespace gridbill::metering {

struct ImportRequest {
  std::string request_id;
  std::string file_name;
  std::string content;
  ImportFormat format = ImportFormat::kUnspecified;
  TextEncoding encoding = TextEncoding::kAuto;
  EnergyUnit unit = EnergyUnit::kUnspecified;
  // SOURCE_CMS when unspecified.
  Source source = Source::kUnspecified;
};

struct ImportOptions {
  // This replica's name in job claims; empty: "<host>:<pid>".
  std::string worker_id;
  // A point's claim not renewed within this time is taken over by another worker.
  absl::Duration lease = absl::Minutes(1);
  // Where the runner counts jobs (gridbill_jobs_*); null: nowhere.
  jobs::RunnerMetrics* metrics = nullptr;
  // How long an ended import's stored file is kept (0: deleted when it ends).
  absl::Duration file_retention = absl::ZeroDuration();
};

class ImportJobs final : public jobs::Handler {
 public:
  ImportJobs(Store& store, Ingestion& ingestion, const Clock& clock, absl::TimeZone zone,
             ImportOptions options = {});
  // Stops the workers (after the point each is on).
  ~ImportJobs() override;
  ImportJobs(const ImportJobs&) = delete;
  ImportJobs& operator=(const ImportJobs&) = delete;

  // Imports not ended, which the workers of this or any replica resume.
  absl::StatusOr<int64_t> ResumeUnfinished();
  // Starts the worker threads; jobs started before wait for them.
  void StartWorker(int workers = 1);
  void StopWorker();
  // Works on one import to its end in the calling thread, beside any other
  // worker of any replica (tests).
  absl::StatusOr<ImportJob> Execute(const std::string& id, absl::Duration timeout);
  // One step of work on an import (split, one point, or finish); false when
  // there was nothing to claim (tests).
  absl::StatusOr<bool> WorkOnce(const std::string& id);

  // Idempotent by request_id: the same request returns the same job; the
  // same id with another file or options is INVALID_ARGUMENT. A
  // participant's caller imports only readings of points assigned to its
  // participant on the reading's day (else INVALID_ARGUMENT naming the line).
  absl::StatusOr<ImportJob> Start(const ImportRequest& request, const Caller& who);
  // A participant's caller gets only the imports it started (NOT_FOUND otherwise).
  absl::StatusOr<ImportJob> Get(const std::string& id, const Caller& who);
  // Imports newest first, or (Changes) the change feed of imports; nothing
  // for a participant's caller.
  absl::StatusOr<ListPage<ImportJob>> List(const paging::Page& page, const Caller& who);
  absl::StatusOr<ListPage<ImportJob>> Changes(const paging::Page& page, const Caller& who);
  // A job that already ended is returned as it is.
  absl::StatusOr<ImportJob> Cancel(const std::string& id, const Caller& who);
  // Calls `sink` with the job now and after each change until it ends; stops
  // early when `sink` returns false.
  absl::Status Watch(const std::string& id, const Caller& who,
                     const std::function<bool(const ImportJob&)>& sink);

  // jobs::Handler.
  absl::StatusOr<bool> Plan(const jobs::Job& job, const jobs::Claim& claim) override;
  absl::StatusOr<jobs::Completion> Work(const jobs::Job& job, const jobs::Claim& claim) override;
  absl::StatusOr<std::string> Summarize(const jobs::Job& job,
                                        const std::vector<std::string>& results) override;
  // An import ended here: its stored file goes (unless kept for
  // file_retention; the runner's heartbeat deletes those later, and the
  // files of imports another replica ended).
  void Ended(const jobs::Job& job) override;

  // Deletes the stored files of imports that ended more than file_retention
  // ago; how many.
  absl::StatusOr<int64_t> DeleteEndedFiles();

 private:
  // A stored file parsed again: its readings by point, in file order.
  struct Points {
    std::vector<std::string> codes;
    absl::flat_hash_map<std::string, size_t> index;
    // Per point: its readings and, per reading, where the file has it.
    std::vector<std::vector<Reading>> batches;
    std::vector<std::vector<std::string>> where;
  };
  static std::shared_ptr<const Points> Split(ParsedFile file);
  // The job's points, parsed once per replica from the stored file.
  absl::StatusOr<std::shared_ptr<const Points>> PointsOf(const std::string& id);
  void Notify();

  Store& store_;
  Ingestion& ingestion_;
  const Clock& clock_;
  absl::TimeZone zone_;
  absl::Duration file_retention_;
  jobs::Runner runner_;

  absl::Mutex mu_;
  absl::CondVar changed_cv_;
  int64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, std::shared_ptr<const Points>> points_ ABSL_GUARDED_BY(mu_);
};

// "accepted 24, unchanged 0, revised 0, rejected 0, flagged 0 (24 readings of 1 point)".
std::string SummaryText(const ImportJob& job);

}  // namespace gridbill::metering
