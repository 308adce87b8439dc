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
#include "gridbill/jobs/job.h"
#include "import_parse.h"
#include "model.h"

namespace gridbill::metering {

// The kind of the jobs (libs/jobs) that import files.
inline constexpr char kImportJobKind[] = "metering.import";

// An import's file as it was sent, and how to read it.
struct ImportFile {
  std::string content;
  ImportFormat format = ImportFormat::kUnspecified;
  TextEncoding encoding = TextEncoding::kAuto;
  EnergyUnit unit = EnergyUnit::kUnspecified;
  Source source = Source::kUnspecified;
};

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
  // Expected and present intervals of the active points over local days
  // [from, to], in one aggregate (expected counts 24-hour days).
  virtual absl::StatusOr<IntervalTotals> CountIntervals(absl::CivilDay from, absl::CivilDay to) = 0;

  // Import jobs are jobs of libs/jobs (kind kImportJobKind), in these tables.
  virtual jobs::JobStore& Jobs() = 0;  // handed to the runner
  // The import, its file and its pending job, in one transaction;
  // ALREADY_EXISTS when the request_id is taken.
  virtual absl::Status InsertImportJob(const ImportJob& job, const ImportFile& file) = 0;
  virtual absl::StatusOr<ImportJob> GetImportJob(const std::string& id) = 0;
  // Imports newest first, a page at a time (keyset).
  virtual absl::StatusOr<ListPage<ImportJob>> ListImports(const paging::Page& page) = 0;
  // The change feed of imports (page.after: the position {xid, seq} to read
  // after); `next` is the position of the last import returned.
  virtual absl::StatusOr<ListPage<ImportJob>> ImportChanges(const paging::Page& page) = 0;
  // NOT_FOUND when no job has this request_id.
  virtual absl::StatusOr<ImportJob> FindImportJob(const std::string& request_id) = 0;
  virtual absl::StatusOr<ImportFile> GetImportFile(const std::string& id) = 0;
  // Deletes the stored files of imports that ended (succeeded, failed or
  // were cancelled) at or before `ended_before`; how many.
  virtual absl::StatusOr<int64_t> DeleteEndedImportFiles(absl::Time ended_before) = 0;
  // One piece of an import under its claim, in one transaction: `ingest`
  // (whose store calls join it), the counts it returns added to the
  // import's, and the piece done with `result`. Nothing is stored
  // (kDiscarded) when the claim is no longer current or the job ended.
  virtual absl::StatusOr<jobs::Completion> StoreImportPiece(
      const jobs::Claim& claim, absl::FunctionRef<absl::StatusOr<IngestSummary>()> ingest,
      const std::string& result, absl::Time now) = 0;
  // Records who cancelled an import (shown as its error).
  virtual absl::Status SetImportError(const std::string& id, const std::string& error) = 0;
};

}  // namespace gridbill::metering
