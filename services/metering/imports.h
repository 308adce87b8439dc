// File imports as jobs. StartImport parses and checks the WHOLE file first
// (encoding, structure, units, known points and channels, intervals aligned
// to each point's resolution, 80020 periods as long as the resolution, one
// value per key): a file that fails any check is refused with
// INVALID_ARGUMENT naming the line or element, and nothing is written, not
// even a job. A file that passes becomes a PENDING job; one worker thread
// ingests it point by point through Ingestion (the path IngestReadings
// takes), persisting progress (points done of total) and the summary after
// each point. Cancel stops the job between points (what is stored stays). A
// job left PENDING or RUNNING by a previous process is failed on start
// ("interrupted by restart"): the file is not kept, and re-sending it is safe
// since identical readings change nothing.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "gridbill/base/clock.h"
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

inline constexpr char kInterruptedByRestart[] = "interrupted by restart; import the file again";

class ImportJobs {
 public:
  ImportJobs(Store& store, Ingestion& ingestion, const Clock& clock, absl::TimeZone zone)
      : store_(store), ingestion_(ingestion), clock_(clock), zone_(zone) {}
  // Stops the worker (after the point it is on).
  ~ImportJobs();
  ImportJobs(const ImportJobs&) = delete;
  ImportJobs& operator=(const ImportJobs&) = delete;

  // Fails the jobs a previous process left open; call once before serving.
  absl::StatusOr<int64_t> FailInterrupted();
  // Starts the worker thread; jobs started before wait for it.
  void StartWorker();
  void StopWorker();

  // Idempotent by request_id: the same request returns the same job; the
  // same id with another file or options is INVALID_ARGUMENT.
  absl::StatusOr<ImportJob> Start(const ImportRequest& request, const Requester& who);
  absl::StatusOr<ImportJob> Get(const std::string& id, const Requester& who);
  // A job that already ended is returned as it is.
  absl::StatusOr<ImportJob> Cancel(const std::string& id, const Requester& who);
  // Calls `sink` with the job now and after each change until it ends; stops
  // early when `sink` returns false.
  absl::Status Watch(const std::string& id, const Requester& who,
                     const std::function<bool(const ImportJob&)>& sink);

 private:
  struct Work {
    ImportJob job;
    Requester who;
    // One batch per point, in file order; `where` per reading.
    std::vector<std::vector<Reading>> batches;
    std::vector<std::vector<std::string>> where;
  };

  void Loop();
  void Run(Work& work);
  // Persists the job; false when it was ended meanwhile (cancelled).
  bool Save(const ImportJob& job);
  void Notify();

  Store& store_;
  Ingestion& ingestion_;
  const Clock& clock_;
  absl::TimeZone zone_;

  absl::Mutex mu_;
  absl::CondVar work_cv_;
  absl::CondVar changed_cv_;
  std::deque<Work> queue_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> cancelled_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread worker_;
};

// "accepted 24, unchanged 0, revised 0, rejected 0, flagged 0 (24 readings of 1 point)".
std::string SummaryText(const ImportJob& job);

}  // namespace gridbill::metering
