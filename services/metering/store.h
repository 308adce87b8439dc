// What the metering domain needs from storage, nothing more. PgStore is the
// PostgreSQL implementation; pure tests use an in-memory fake.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "model.h"

namespace gridbill::metering {

class Store {
 public:
  virtual ~Store() = default;

  // Runs `fn` so that every store call it makes commits or rolls back
  // together; retried as a whole when it returns ABORTED (a concurrent
  // writer took the same revision number).
  virtual absl::Status Atomically(absl::FunctionRef<absl::Status()> fn) = 0;

  // Metering points. Unknown codes are NOT_FOUND.
  virtual absl::StatusOr<MeteringPoint> InsertPoint(const MeteringPoint& point) = 0;
  // Writes when the stored version is still `prev_version` (ABORTED otherwise).
  virtual absl::Status UpdatePoint(const MeteringPoint& point, int64_t prev_version) = 0;
  virtual absl::StatusOr<MeteringPoint> GetPoint(const std::string& code) = 0;
  // The points with these codes that exist (any order).
  virtual absl::StatusOr<std::vector<MeteringPoint>> FindPoints(
      absl::Span<const std::string> codes) = 0;
  // By code, a page at a time (keyset on the code).
  virtual absl::StatusOr<ListPage<MeteringPoint>> ListPoints(const PointFilter& filter,
                                                             const paging::Page& page) = 0;

  // The latest stored revision of each key that has one.
  virtual absl::StatusOr<std::vector<DayRow>> LatestDays(absl::Span<const DayKey> keys) = 0;
  // Appends new revisions (never updates). A revision taken meanwhile is ABORTED.
  virtual absl::Status WriteDays(absl::Span<const DayRow> rows) = 0;
  // The revision `range.as_of` selects of every stored day in the range,
  // ordered by point, channel, day.
  virtual absl::StatusOr<std::vector<DayRow>> ReadDays(const DayRange& range) = 0;

  // Import jobs. InsertImportJob: ALREADY_EXISTS when the request_id is taken.
  virtual absl::Status InsertImportJob(const ImportJob& job) = 0;
  virtual absl::StatusOr<ImportJob> GetImportJob(const std::string& id) = 0;
  // NOT_FOUND when no job has this request_id.
  virtual absl::StatusOr<ImportJob> FindImportJob(const std::string& request_id) = 0;
  // Writes state, progress, summary, error and times while the stored state
  // is not terminal; false when it already was (e.g. cancelled meanwhile).
  virtual absl::StatusOr<bool> UpdateImportJob(const ImportJob& job) = 0;
  // Fails every pending or running job with `error`; returns how many.
  virtual absl::StatusOr<int64_t> FailOpenImportJobs(const std::string& error, absl::Time now) = 0;
};

}  // namespace gridbill::metering
