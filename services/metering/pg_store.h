// The PostgreSQL implementation of Store: the only file with SQL calls (the
// statements themselves are in queries.h). Every method runs in a pool
// transaction, joining the caller's when one is open on this thread.
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "gridbill/jobs/pg_jobs.h"
#include "gridbill/pg/pool.h"
#include "store.h"

namespace gridbill::metering {

// How WriteDays sends rows: COPY ... FROM STDIN in the binary format (the
// default, faster: see the bench) or in the text format.
enum class WriteMethod { kCopyBinary, kCopyText };

class PgStore final : public Store {
 public:
  explicit PgStore(pg::Pool& pool, WriteMethod method = WriteMethod::kCopyBinary)
      : pool_(pool), method_(method), jobs_(pool) {}

  absl::Status Atomically(absl::FunctionRef<absl::Status()> fn) override;

  absl::StatusOr<MeteringPoint> InsertPoint(const MeteringPoint& point) override;
  absl::Status UpdatePoint(const MeteringPoint& point, int64_t prev_version) override;
  absl::StatusOr<MeteringPoint> GetPoint(const std::string& code) override;
  absl::StatusOr<std::vector<MeteringPoint>> FindPoints(
      absl::Span<const std::string> codes) override;
  absl::StatusOr<ListPage<MeteringPoint>> ListPoints(const PointFilter& filter,
                                                     const paging::Page& page) override;

  absl::StatusOr<std::vector<DayRow>> LatestDays(absl::Span<const DayKey> keys) override;
  absl::Status WriteDays(absl::Span<const DayRow> rows) override;
  absl::StatusOr<std::vector<DayRow>> ReadDays(const DayRange& range) override;
  absl::StatusOr<IntervalTotals> CountIntervals(absl::CivilDay from, absl::CivilDay to) override;

  jobs::JobStore& Jobs() override { return jobs_; }
  absl::Status InsertImportJob(const ImportJob& job, const ImportFile& file) override;
  absl::StatusOr<ImportJob> GetImportJob(const std::string& id) override;
  absl::StatusOr<ImportJob> FindImportJob(const std::string& request_id) override;
  absl::StatusOr<ListPage<ImportJob>> ListImports(const paging::Page& page) override;
  absl::StatusOr<ListPage<ImportJob>> ImportChanges(const paging::Page& page) override;
  absl::StatusOr<ImportFile> GetImportFile(const std::string& id) override;
  absl::StatusOr<int64_t> DeleteEndedImportFiles(absl::Time ended_before) override;
  absl::StatusOr<jobs::Completion> StoreImportPiece(
      const jobs::Claim& claim, absl::FunctionRef<absl::StatusOr<IngestSummary>()> ingest,
      const std::string& result, absl::Time now) override;
  absl::Status SetImportError(const std::string& id, const std::string& error) override;

 private:
  // Creates the monthly partitions of reading_days the rows need.
  absl::Status EnsurePartitions(pg::Transaction& tx, absl::Span<const DayRow> rows);

  pg::Pool& pool_;
  WriteMethod method_;
  jobs::PgJobs jobs_;
  absl::Mutex mu_;
  // Months whose partition is known to exist (a hint: a failed write drops it).
  absl::flat_hash_set<int64_t> partitions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridbill::metering
