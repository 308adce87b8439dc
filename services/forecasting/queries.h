// Every SQL statement of the forecasting store, named once (the name is the
// prepared statement's name).
#pragma once

#include "gridbill/pg/query.h"

namespace gridbill::forecasting::queries {

inline constexpr pg::Query kInsertImport{
    "insert_import",
    "INSERT INTO history_imports (id, file_name, sha256, content, rows, created_by, create_time) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)"};

inline constexpr pg::Query kSelectImport{
    "select_import",
    "SELECT id, file_name, sha256, rows, changed, unchanged, created_by FROM history_imports "
    "WHERE id = $1"};

inline constexpr pg::Query kSelectImportContent{
    "select_import_content", "SELECT content FROM history_imports WHERE id = $1"};

// Rows whose value is new or different come back (the changed ones).
inline constexpr pg::Query kUpsertHistory{
    "upsert_history",
    "INSERT INTO history_months AS h (participant_id, service_type, period, volume_wh, import_id) "
    "SELECT p, s, d, v, $5 FROM unnest($1::text[], $2::smallint[], $3::date[], $4::bigint[]) "
    "AS u(p, s, d, v) "
    "ON CONFLICT (participant_id, service_type, period) DO UPDATE "
    "SET volume_wh = EXCLUDED.volume_wh, import_id = EXCLUDED.import_id "
    "WHERE h.volume_wh <> EXCLUDED.volume_wh RETURNING 1"};

inline constexpr pg::Query kAddImportCounts{
    "add_import_counts",
    "UPDATE history_imports SET changed = changed + $2, unchanged = unchanged + $3 "
    "WHERE id = $1 RETURNING rows, changed, unchanged"};

inline constexpr pg::Query kSelectHistory{
    "select_history",
    "SELECT participant_id, service_type, period, volume_wh FROM history_months "
    "ORDER BY participant_id, service_type, period"};

inline constexpr pg::Query kSelectHistoryImportIds{
    "select_history_import_ids", "SELECT DISTINCT import_id FROM history_months ORDER BY 1"};

// Versions are assigned one at a time.
inline constexpr pg::Query kLockRuns{"lock_runs",
                                     "LOCK TABLE forecast_runs IN SHARE ROW EXCLUSIVE MODE"};

inline constexpr pg::Query kNextRunVersion{
    "next_run_version", "SELECT coalesce(max(version), 0) + 1 AS version FROM forecast_runs"};

inline constexpr pg::Query kInsertRun{
    "insert_run",
    "INSERT INTO forecast_runs (id, version, horizon_months, backtest_origins, "
    "requested_history_to, created_by) VALUES ($1, $2, $3, $4, $5, $6)"};

#define GRIDBILL_FORECASTING_RUN_COLUMNS                                              \
  "id, version, horizon_months, backtest_origins, requested_history_to, created_by, " \
  "billing_run_ids, history_import_ids, "                                             \
  "history_from, history_to, series, gap_months, gap_rule, median_mase_chosen, "      \
  "median_mase_seasonal_naive, coverage_80, coverage_95, chosen_models"

inline constexpr pg::Query kSelectRun{
    "select_run", "SELECT " GRIDBILL_FORECASTING_RUN_COLUMNS " FROM forecast_runs WHERE id = $1"};

inline constexpr pg::Query kListRuns{
    "list_runs", "SELECT " GRIDBILL_FORECASTING_RUN_COLUMNS
                 " FROM forecast_runs WHERE ($1::bigint IS NULL OR version < $1) "
                 "ORDER BY version DESC LIMIT $2"};

inline constexpr pg::Query kLatestSucceededRun{
    "latest_succeeded_run",
    "SELECT r.id FROM forecast_runs r JOIN jobs j ON j.id = r.id WHERE j.state = 3 "
    "ORDER BY r.version DESC LIMIT 1"};

#undef GRIDBILL_FORECASTING_RUN_COLUMNS

inline constexpr pg::Query kUpdateRunInputs{
    "update_run_inputs",
    "UPDATE forecast_runs SET billing_run_ids = $2::text[], history_import_ids = $3::text[], "
    "history_from = $4, history_to = $5, series = $6, gap_months = $7, gap_rule = $8 "
    "WHERE id = $1"};

inline constexpr pg::Query kInsertSeries{
    "insert_series",
    "INSERT INTO forecast_series (run_id, series_no, participant_id, region_code, service_type, "
    "history_start, history_wh) VALUES ($1, $2, $3, $4, $5, $6, $7::bigint[])"};

inline constexpr pg::Query kSelectSeriesRange{
    "select_series_range",
    "SELECT series_no, participant_id, region_code, service_type, history_start, "
    "history_wh::text AS history_wh, model, model_spec, fallback FROM forecast_series "
    "WHERE run_id = $1 AND series_no >= $2 AND series_no < $3 ORDER BY series_no"};

inline constexpr pg::Query kSelectSeriesFiltered{
    "select_series_filtered",
    "SELECT series_no, participant_id, region_code, service_type, history_start, "
    "history_wh::text AS history_wh, model, model_spec, fallback, "
    "COALESCE(backtest_origin, '{}')::text AS backtest_origin, "
    "COALESCE(backtest_horizon, '{}')::text AS backtest_horizon, "
    "COALESCE(backtest_forecast_wh, '{}')::text AS backtest_forecast_wh FROM forecast_series "
    "WHERE run_id = $1 AND ($2 = '' OR participant_id = $2) AND ($3 = '' OR region_code = $3) "
    "AND ($4 = 0 OR service_type = $4) ORDER BY series_no"};

inline constexpr pg::Query kUpdateSeriesModel{
    "update_series_model",
    "UPDATE forecast_series SET model = $3, model_spec = $4, fallback = $5, "
    "backtest_origin = $6::bigint[], backtest_horizon = $7::bigint[], "
    "backtest_forecast_wh = $8::bigint[] "
    "WHERE run_id = $1 AND series_no = $2"};

inline constexpr pg::Query kInsertPoints{
    "insert_points",
    "INSERT INTO forecast_points (run_id, series_no, period, volume_wh, lower_80_wh, "
    "upper_80_wh, lower_95_wh, upper_95_wh) "
    "SELECT $1, $2, d, v, l8, u8, l9, u9 FROM unnest($3::date[], $4::bigint[], $5::bigint[], "
    "$6::bigint[], $7::bigint[], $8::bigint[]) AS u(d, v, l8, u8, l9, u9)"};

inline constexpr pg::Query kInsertAccuracy{
    "insert_accuracy",
    "INSERT INTO forecast_accuracy (run_id, series_no, model, model_spec, chosen, origins, "
    "errors, mae_wh, smape, mase, mape, undefined_reason, coverage_80, coverage_95) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"};

inline constexpr pg::Query kSelectPoints{
    "select_points",
    "SELECT series_no, period, volume_wh, lower_80_wh, upper_80_wh, lower_95_wh, upper_95_wh "
    "FROM forecast_points WHERE run_id = $1 AND series_no = ANY($2::bigint[]) "
    "ORDER BY series_no, period"};

inline constexpr pg::Query kSelectAccuracy{
    "select_accuracy",
    "SELECT series_no, model, model_spec, chosen, origins, errors, mae_wh, smape, mase, mape, "
    "undefined_reason, coverage_80, coverage_95 FROM forecast_accuracy "
    "WHERE run_id = $1 AND series_no = ANY($2::bigint[]) ORDER BY series_no, model"};

inline constexpr pg::Query kUpdateRunAccuracy{
    "update_run_accuracy",
    "UPDATE forecast_runs SET median_mase_chosen = $2, median_mase_seasonal_naive = $3, "
    "coverage_80 = $4, coverage_95 = $5, chosen_models = $6 WHERE id = $1"};

inline constexpr pg::Query kDeleteSeries{"delete_series",
                                         "DELETE FROM forecast_series WHERE run_id = $1"};

}  // namespace gridbill::forecasting::queries
