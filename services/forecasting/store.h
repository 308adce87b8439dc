// What the forecasting domain needs from storage (pg_store.h implements it).
// The job bookkeeping of libs/jobs commits in the same transactions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/base/paging.h"
#include "gridbill/jobs/job.h"
#include "model.h"

namespace gridbill::forecasting {

class Store {
 public:
  virtual ~Store() = default;

  // --- legacy history ---
  // The import and its job, split at once into `pieces` (row ranges of `content`).
  virtual absl::Status CreateImport(const HistoryImport& import, const std::string& content,
                                    const std::vector<jobs::PieceSpec>& pieces, absl::Time now) = 0;
  virtual absl::StatusOr<HistoryImport> GetImport(const std::string& id) = 0;
  virtual absl::StatusOr<std::string> ImportContent(const std::string& id) = 0;
  // Under the piece's claim: upserts the rows, counts them, completes the
  // piece; the last piece also finishes the job with `summary_if_last`.
  virtual absl::StatusOr<jobs::Completion> StoreImportPiece(const jobs::Claim& claim,
                                                            const std::vector<MonthVolume>& rows,
                                                            absl::Time now) = 0;
  // Every imported month, and the ids of the imports they came from.
  virtual absl::StatusOr<std::vector<MonthVolume>> ImportedHistory(
      std::vector<std::string>* import_ids) = 0;

  // --- forecast runs ---
  // The run (its version assigned here) and its pending job.
  virtual absl::StatusOr<ForecastRun> CreateRun(const ForecastRun& run, absl::Time now) = 0;
  virtual absl::StatusOr<ForecastRun> GetRun(const std::string& id) = 0;
  virtual absl::StatusOr<std::optional<ForecastRun>> LatestSucceededRun() = 0;
  // Newest first (by version).
  virtual absl::StatusOr<paging::PageOf<ForecastRun>> ListRuns(const paging::Page& page) = 0;
  // Under the job's claim: the inputs, the series with their history and the pieces.
  virtual absl::StatusOr<bool> StorePlan(const jobs::Claim& claim, const RunInputs& inputs,
                                         const std::vector<RunSeries>& series,
                                         const std::vector<jobs::PieceSpec>& pieces,
                                         absl::Time now) = 0;
  // Series no. [from, to) with their history (no forecasts).
  virtual absl::StatusOr<std::vector<RunSeries>> SeriesRange(const std::string& run_id, int from,
                                                             int to) = 0;
  // Under the piece's claim: the series' models, points and accuracy.
  virtual absl::StatusOr<jobs::Completion> StoreForecasts(const jobs::Claim& claim,
                                                          const std::vector<RunSeries>& series,
                                                          absl::Time now) = 0;
  // The series of a run with their forecasts and accuracy; filters empty/0: all.
  virtual absl::StatusOr<std::vector<RunSeries>> Forecasts(const std::string& run_id,
                                                           const std::string& participant_id,
                                                           const std::string& region_code,
                                                           int service_type) = 0;
  virtual absl::Status StoreRunAccuracy(const std::string& run_id, const RunAccuracy& accuracy) = 0;
  // A cancelled run keeps no forecasts.
  virtual absl::Status DeleteForecasts(const std::string& run_id) = 0;
};

}  // namespace gridbill::forecasting
