// The forecasting store on PostgreSQL: the only file with SQL calls.
#pragma once

#include "gridbill/pg/pool.h"
#include "store.h"

namespace gridbill::forecasting {

class PgStore final : public Store {
 public:
  explicit PgStore(pg::Pool& pool) : pool_(pool) {}

  absl::Status CreateImport(const HistoryImport& import, const std::string& content,
                            const std::vector<jobs::PieceSpec>& pieces, absl::Time now) override;
  absl::StatusOr<HistoryImport> GetImport(const std::string& id) override;
  absl::StatusOr<std::string> ImportContent(const std::string& id) override;
  absl::StatusOr<jobs::Completion> StoreImportPiece(const jobs::Claim& claim,
                                                    const std::vector<MonthVolume>& rows,
                                                    absl::Time now) override;
  absl::StatusOr<std::vector<MonthVolume>> ImportedHistory(
      std::vector<std::string>* import_ids) override;

  absl::StatusOr<ForecastRun> CreateRun(const ForecastRun& run, absl::Time now) override;
  absl::StatusOr<ForecastRun> GetRun(const std::string& id) override;
  absl::StatusOr<std::optional<ForecastRun>> LatestSucceededRun() override;
  absl::StatusOr<paging::PageOf<ForecastRun>> ListRuns(const paging::Page& page) override;
  absl::StatusOr<bool> StorePlan(const jobs::Claim& claim, const RunInputs& inputs,
                                 const std::vector<RunSeries>& series,
                                 const std::vector<jobs::PieceSpec>& pieces,
                                 absl::Time now) override;
  absl::StatusOr<std::vector<RunSeries>> SeriesRange(const std::string& run_id, int from,
                                                     int to) override;
  absl::StatusOr<jobs::Completion> StoreForecasts(const jobs::Claim& claim,
                                                  const std::vector<RunSeries>& series,
                                                  absl::Time now) override;
  absl::StatusOr<std::vector<RunSeries>> Forecasts(const std::string& run_id,
                                                   const std::string& participant_id,
                                                   const std::string& region_code,
                                                   int service_type) override;
  absl::Status StoreRunAccuracy(const std::string& run_id, const RunAccuracy& accuracy) override;
  absl::Status DeleteForecasts(const std::string& run_id) override;

 private:
  pg::Pool& pool_;
};

}  // namespace gridbill::forecasting
