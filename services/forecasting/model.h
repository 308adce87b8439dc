// The forecasting service's domain types: plain C++, no gRPC, no SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gridbill/domain/civil.h"
#include "gridbill/jobs/job.h"
#include "models.h"

namespace gridbill::forecasting {

// The services of gridbill.contracts.v1.ServiceType, same numbers.
inline constexpr int kServiceTypes = 4;
// "transmission", "dispatching", "balancing", "grid-use" (the CSV names); "" when not 1..4.
const char* ServiceName(int service_type);
// 1..4 for a CSV name; 0 when unknown.
int ServiceFromName(std::string_view name);

inline constexpr char kRunKind[] = "forecasting.run";
inline constexpr char kImportKind[] = "forecasting.import";

// One month's volume of a participant's service.
struct MonthVolume {
  std::string participant_id;
  int service_type = 0;
  absl::CivilMonth period;
  int64_t volume_wh = 0;
};

struct HistoryImport {
  std::string id;
  jobs::Job job;
  std::string file_name;
  std::string sha256;
  int64_t rows = 0;
  int64_t changed = 0;
  int64_t unchanged = 0;
  std::string created_by;
};

struct RunInputs {
  std::vector<std::string> billing_run_ids;
  std::vector<std::string> history_import_ids;
  std::optional<absl::CivilMonth> history_from;
  std::optional<absl::CivilMonth> history_to;
  int series = 0;
  int gap_months = 0;
  std::string gap_rule;
};

struct RunAccuracy {
  std::optional<double> median_mase_chosen;
  std::optional<double> median_mase_seasonal_naive;
  double coverage80 = 0;
  double coverage95 = 0;
  std::string chosen_models;
};

struct ForecastRun {
  std::string id;
  int64_t version = 0;
  jobs::Job job;
  int horizon_months = 24;
  int backtest_origins = 24;
  // What the caller asked for (empty: the last month with history).
  std::optional<absl::CivilMonth> requested_history_to;
  RunInputs inputs;
  std::string reconciliation = "bottom-up";
  std::optional<RunAccuracy> accuracy;
  std::string created_by;
};

// One forecast month with its intervals, Wh.
struct Point {
  absl::CivilMonth period;
  int64_t volume_wh = 0;
  int64_t lower80_wh = 0, upper80_wh = 0, lower95_wh = 0, upper95_wh = 0;
};

struct StoredAccuracy {
  ModelKind kind = ModelKind::kSeasonalNaive;
  std::string spec;
  bool chosen = false;
  int origins = 0;
  int errors = 0;
  int64_t mae_wh = 0;
  double smape = 0;
  std::optional<double> mase;
  std::optional<double> mape;
  std::string undefined_reason;
  double coverage80 = 0;
  double coverage95 = 0;
};

// One backtest forecast of a series' chosen model.
struct BacktestForecast {
  int origin = 0;   // index of the first forecast month in the history
  int horizon = 1;  // 1-based
  int64_t forecast_wh = 0;
};

// A participant x service series of a run: its recorded history and, once
// its piece is done, its forecast.
struct RunSeries {
  int index = 0;  // 0-based, in (participant, service) order
  std::string participant_id;
  std::string region_code;
  int service_type = 0;
  absl::CivilMonth history_start;
  std::vector<int64_t> history_wh;
  ModelKind model = ModelKind::kSeasonalNaive;
  std::string model_spec;
  std::string fallback;
  std::vector<Point> points;
  std::vector<StoredAccuracy> candidates;  // the chosen one marked
  std::vector<BacktestForecast> backtest;  // the chosen model's
};

enum class Level { kContract = 1, kParticipant = 2, kRegion = 3, kNation = 4 };

struct ForecastQuery {
  std::string run_id;
  Level level = Level::kParticipant;
  std::string participant_id;
  std::string contract_id;
  std::string region_code;
  int service_type = 0;  // 0: every service
};

// What GetForecast answers per service.
struct SeriesAnswer {
  Level level = Level::kParticipant;
  std::string participant_id;
  std::string contract_id;
  std::string region_code;
  int service_type = 0;
  ModelKind model = ModelKind::kSeasonalNaive;
  std::string model_spec;
  std::string fallback;
  int history_months = 0;
  std::vector<Point> points;
  std::optional<StoredAccuracy> accuracy;
  std::vector<StoredAccuracy> candidates;
};

struct ForecastAnswer {
  ForecastRun run;
  std::vector<SeriesAnswer> series;
};

}  // namespace gridbill::forecasting
