// Every SQL statement of the reporting store, named once (the name is the
// prepared statement's name).
#pragma once

#include "gridbill/pg/query.h"

namespace gridbill::reporting::queries {

inline constexpr pg::Query kInsertRefresh{
    "insert_refresh", "INSERT INTO refreshes (id, created_by, create_time) VALUES ($1, $2, $3)"};

inline constexpr pg::Query kSelectRefresh{"select_refresh",
                                          "SELECT id, created_by FROM refreshes WHERE id = $1"};

inline constexpr pg::Query kSelectRefreshSources{
    "select_refresh_sources",
    "SELECT source, fetched, mode FROM refresh_sources WHERE refresh_id = $1 ORDER BY source"};

inline constexpr pg::Query kLatestFreshness{
    "latest_freshness",
    "SELECT r.id, j.finish_time FROM refreshes r JOIN jobs j ON j.id = r.id "
    "WHERE j.state = 3 AND j.finish_time IS NOT NULL ORDER BY j.finish_time DESC, r.id DESC "
    "LIMIT 1"};

inline constexpr pg::Query kInsertRefreshSource{
    "insert_refresh_source",
    "INSERT INTO refresh_sources (refresh_id, source, fetched, mode) VALUES ($1, $2, $3, $4)"};

inline constexpr pg::Query kSelectCursor{"select_cursor",
                                         "SELECT cursor FROM source_cursors WHERE source = $1"};

inline constexpr pg::Query kUpsertCursor{
    "upsert_cursor",
    "INSERT INTO source_cursors (source, cursor, refresh_id, update_time) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (source) DO UPDATE SET cursor = EXCLUDED.cursor, "
    "refresh_id = EXCLUDED.refresh_id, update_time = EXCLUDED.update_time"};

inline constexpr pg::Query kUpsertParticipants{
    "upsert_participants",
    "INSERT INTO participants (id, bin, name, region_code) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) "
    "ON CONFLICT (id) DO UPDATE SET bin = EXCLUDED.bin, name = EXCLUDED.name, "
    "region_code = EXCLUDED.region_code"};

inline constexpr pg::Query kUpsertRuns{
    "upsert_runs",
    "INSERT INTO invoice_runs (id, period, run_type, balance_run_id, state, documents_issued) "
    "SELECT * FROM unnest($1::text[], $2::date[], $3::smallint[], $4::text[], $5::smallint[], "
    "$6::bigint[]) ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, "
    "documents_issued = EXCLUDED.documents_issued, balance_run_id = EXCLUDED.balance_run_id"};

inline constexpr pg::Query kMarkRunsRead{
    "mark_runs_read", "UPDATE invoice_runs SET documents_read = true WHERE id = ANY($1::text[])"};

inline constexpr pg::Query kSelectRunsRead{
    "select_runs_read", "SELECT id FROM invoice_runs WHERE documents_read ORDER BY id"};

inline constexpr pg::Query kUpsertDocuments{
    "upsert_documents",
    "INSERT INTO documents (id, type, number, period, issue_date, due_date, participant_id, "
    "contract_id, invoice_run_id, related_document_id, amount_tiyn, vat_tiyn, total_tiyn, "
    "open_tiyn) "
    "SELECT i, t, n, p, s, NULLIF(d, '')::date, pa, c, r, rel, a, v, tot, o "
    "FROM unnest($1::text[], $2::smallint[], $3::text[], $4::date[], $5::date[], $6::text[], "
    "$7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[], "
    "$13::bigint[], $14::bigint[]) AS u(i, t, n, p, s, d, pa, c, r, rel, a, v, tot, o) "
    "ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, number = EXCLUDED.number, "
    "period = EXCLUDED.period, issue_date = EXCLUDED.issue_date, due_date = EXCLUDED.due_date, "
    "participant_id = EXCLUDED.participant_id, contract_id = EXCLUDED.contract_id, "
    "invoice_run_id = EXCLUDED.invoice_run_id, "
    "related_document_id = EXCLUDED.related_document_id, amount_tiyn = EXCLUDED.amount_tiyn, "
    "vat_tiyn = EXCLUDED.vat_tiyn, total_tiyn = EXCLUDED.total_tiyn, "
    "open_tiyn = EXCLUDED.open_tiyn"};

inline constexpr pg::Query kDeleteLines{
    "delete_lines", "DELETE FROM document_lines WHERE document_id = ANY($1::text[])"};

inline constexpr pg::Query kInsertLines{
    "insert_lines",
    "INSERT INTO document_lines (document_id, line_no, service_type, volume_wh, amount_tiyn, "
    "vat_tiyn, total_tiyn, balance_run_id) "
    "SELECT * FROM unnest($1::text[], $2::integer[], $3::smallint[], $4::bigint[], $5::bigint[], "
    "$6::bigint[], $7::bigint[], $8::text[])"};

inline constexpr pg::Query kUpsertPayments{
    "upsert_payments",
    "INSERT INTO payments (id, reference, value_date, participant_id, contract_id, amount_tiyn, "
    "unallocated_tiyn) SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::text[], "
    "$5::text[], $6::bigint[], $7::bigint[]) ON CONFLICT (id) DO UPDATE SET "
    "reference = EXCLUDED.reference, value_date = EXCLUDED.value_date, "
    "participant_id = EXCLUDED.participant_id, contract_id = EXCLUDED.contract_id, "
    "amount_tiyn = EXCLUDED.amount_tiyn, unallocated_tiyn = EXCLUDED.unallocated_tiyn"};

// R2: invoices (1), credit notes (4) and debit notes (5); acts and ESFs repeat the invoice.
inline constexpr pg::Query kServiceMonths{
    "service_months",
    "SELECT d.period, d.participant_id, coalesce(p.name, '') AS participant_name, "
    "coalesce(p.region_code, '') AS region_code, l.service_type, "
    "sum(l.volume_wh)::bigint AS volume_wh, sum(l.amount_tiyn)::bigint AS amount_tiyn, "
    "sum(l.vat_tiyn)::bigint AS vat_tiyn, sum(l.total_tiyn)::bigint AS total_tiyn "
    "FROM documents d JOIN document_lines l ON l.document_id = d.id "
    "LEFT JOIN participants p ON p.id = d.participant_id "
    "WHERE d.type IN (1, 4, 5) AND d.period >= $1 AND d.period <= $2 "
    "AND ($3 = '' OR p.region_code = $3) AND ($4 = '' OR d.participant_id = $4) "
    "AND ($5 = 0 OR l.service_type = $5) "
    "GROUP BY d.period, d.participant_id, p.name, p.region_code, l.service_type "
    "ORDER BY d.period, d.participant_id, l.service_type"};

// R8: one row per month.
inline constexpr pg::Query kDocumentsByPeriod{
    "documents_by_period",
    "SELECT d.period, "
    "count(DISTINCT d.participant_id) FILTER (WHERE d.type IN (1, 4, 5)) AS participants, "
    "count(DISTINCT d.contract_id) FILTER (WHERE d.type IN (1, 4, 5)) AS contracts, "
    "count(*) FILTER (WHERE d.type = 1) AS t1, count(*) FILTER (WHERE d.type = 2) AS t2, "
    "count(*) FILTER (WHERE d.type = 3) AS t3, count(*) FILTER (WHERE d.type = 4) AS t4, "
    "count(*) FILTER (WHERE d.type = 5) AS t5, "
    "coalesce(sum(d.amount_tiyn) FILTER (WHERE d.type IN (1, 4, 5)), 0)::bigint AS amount_tiyn, "
    "coalesce(sum(d.vat_tiyn) FILTER (WHERE d.type IN (1, 4, 5)), 0)::bigint AS vat_tiyn, "
    "coalesce(sum(d.total_tiyn) FILTER (WHERE d.type IN (1, 4, 5)), 0)::bigint AS total_tiyn, "
    "string_agg(DISTINCT d.invoice_run_id, ' ' ORDER BY d.invoice_run_id) AS invoice_runs, "
    "(SELECT coalesce(string_agg(DISTINCT l.balance_run_id, ' ' ORDER BY l.balance_run_id), '') "
    " FROM document_lines l JOIN documents d2 ON d2.id = l.document_id "
    " LEFT JOIN participants p2 ON p2.id = d2.participant_id "
    " WHERE d2.period = d.period AND l.balance_run_id <> '' "
    " AND ($3 = '' OR p2.region_code = $3)) AS balance_runs "
    "FROM documents d LEFT JOIN participants p ON p.id = d.participant_id "
    "WHERE d.period >= $1 AND d.period <= $2 AND ($3 = '' OR p.region_code = $3) "
    "GROUP BY d.period ORDER BY d.period"};

// R3: $1 first day, $2 first day of the last month, $3 the day after the
// range, $4 the aging date, $5 region, $6 participant.
inline constexpr pg::Query kReceivables{
    "receivables",
    "WITH acc AS (SELECT participant_id, sum(total_tiyn) AS accrued FROM documents "
    "  WHERE type IN (1, 4, 5) AND period >= $1 AND period <= $2 GROUP BY participant_id), "
    "paid AS (SELECT participant_id, sum(amount_tiyn) AS paid FROM payments "
    "  WHERE value_date >= $1 AND value_date < $3 GROUP BY participant_id), "
    "open AS (SELECT participant_id, sum(open_tiyn) AS open, "
    "  sum(open_tiyn) FILTER (WHERE due_date IS NULL OR $4::date < due_date) AS not_due, "
    "  sum(open_tiyn) FILTER (WHERE $4::date - due_date BETWEEN 0 AND 30) AS d0_30, "
    "  sum(open_tiyn) FILTER (WHERE $4::date - due_date BETWEEN 31 AND 60) AS d31_60, "
    "  sum(open_tiyn) FILTER (WHERE $4::date - due_date BETWEEN 61 AND 90) AS d61_90, "
    "  sum(open_tiyn) FILTER (WHERE $4::date - due_date > 90) AS over_90 "
    "  FROM documents WHERE type IN (1, 5) AND open_tiyn > 0 AND issue_date <= $4::date "
    "  GROUP BY participant_id), "
    "ids AS (SELECT participant_id FROM acc UNION SELECT participant_id FROM paid "
    "  UNION SELECT participant_id FROM open) "
    "SELECT ids.participant_id, coalesce(p.name, '') AS participant_name, "
    "coalesce(p.region_code, '') AS region_code, coalesce(acc.accrued, 0)::bigint AS accrued, "
    "coalesce(paid.paid, 0)::bigint AS paid, coalesce(open.open, 0)::bigint AS open, "
    "coalesce(open.not_due, 0)::bigint AS not_due, coalesce(open.d0_30, 0)::bigint AS d0_30, "
    "coalesce(open.d31_60, 0)::bigint AS d31_60, coalesce(open.d61_90, 0)::bigint AS d61_90, "
    "coalesce(open.over_90, 0)::bigint AS over_90 "
    "FROM ids LEFT JOIN participants p ON p.id = ids.participant_id "
    "LEFT JOIN acc ON acc.participant_id = ids.participant_id "
    "LEFT JOIN paid ON paid.participant_id = ids.participant_id "
    "LEFT JOIN open ON open.participant_id = ids.participant_id "
    "WHERE ($5 = '' OR p.region_code = $5) AND ($6 = '' OR ids.participant_id = $6) "
    "ORDER BY ids.participant_id"};

// R7: $1 participant, $2 first day, $3 the day after the range.
inline constexpr pg::Query kActOpening{
    "act_opening",
    "SELECT ((SELECT coalesce(sum(total_tiyn), 0) FROM documents WHERE participant_id = $1 "
    "AND type IN (1, 4, 5) AND issue_date < $2) - (SELECT coalesce(sum(amount_tiyn), 0) "
    "FROM payments WHERE participant_id = $1 AND value_date < $2))::bigint AS opening"};

inline constexpr pg::Query kActLines{
    "act_lines",
    "SELECT issue_date AS day, false AS payment, type, number AS reference, total_tiyn AS amount "
    "FROM documents WHERE participant_id = $1 AND type IN (1, 4, 5) AND issue_date >= $2 "
    "AND issue_date < $3 "
    "UNION ALL SELECT value_date, true, 0, reference, amount_tiyn FROM payments "
    "WHERE participant_id = $1 AND value_date >= $2 AND value_date < $3 "
    "ORDER BY day, payment, reference"};

inline constexpr pg::Query kPaymentsByPeriod{
    "payments_by_period",
    "SELECT date_trunc('month', y.value_date)::date AS period, count(*) AS payments, "
    "sum(y.amount_tiyn)::bigint AS amount_tiyn FROM payments y "
    "LEFT JOIN participants p ON p.id = y.participant_id "
    "WHERE y.value_date >= $1 AND y.value_date < $2 AND ($3 = '' OR p.region_code = $3) "
    "GROUP BY 1 ORDER BY 1"};

// --- tables replaced a whole month at a time (R1's node totals, R4's point quality) ---

// The statements of a read-model table whose months are replaced whole by
// a refresh, with the billing run each month was read from kept in a
// table of its own (period, balance_run_id).
struct MonthsTable {
  pg::Query select_read;    // every month read: period, balance_run_id
  pg::Query upsert_read;    // $1 months, $2 their billing runs
  pg::Query delete_months;  // $1 months
  pg::Query insert;         // the rows, one array per column
};

#define GRIDBILL_SELECT_MONTHS_READ(read_table) \
  "SELECT period, balance_run_id FROM " read_table " ORDER BY period"
#define GRIDBILL_UPSERT_MONTHS_READ(read_table)   \
  "INSERT INTO " read_table                       \
  " (period, balance_run_id) "                    \
  "SELECT * FROM unnest($1::date[], $2::text[]) " \
  "ON CONFLICT (period) DO UPDATE SET balance_run_id = EXCLUDED.balance_run_id"
#define GRIDBILL_DELETE_MONTHS(table) "DELETE FROM " table " WHERE period = ANY($1::date[])"

// --- R1 and R5 ---

inline constexpr MonthsTable kNodeMonthsTable{
    {"select_billing_runs_read", GRIDBILL_SELECT_MONTHS_READ("billing_runs_read")},
    {"upsert_billing_runs_read", GRIDBILL_UPSERT_MONTHS_READ("billing_runs_read")},
    {"delete_node_months", GRIDBILL_DELETE_MONTHS("node_months")},
    {"insert_node_months",
     "INSERT INTO node_months (period, node_code, kind, inflow_wh, outflow_wh, losses_wh, "
     "losses_percent, normative_loss_percent, above_normative, balance_run_id, consumption_wh, "
     "generation_wh) "
     "SELECT p, c, k, i, o, l, lp, np, a <> 0, r, cw, gw FROM unnest($1::date[], $2::text[], "
     "$3::smallint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], "
     "$9::smallint[], $10::text[], $11::bigint[], $12::bigint[]) "
     "AS u(p, c, k, i, o, l, lp, np, a, r, cw, gw)"}};

// R1: $1 first month, $2 last month, $3 the node or region code ('' = all).
inline constexpr pg::Query kNodeMonths{
    "node_months",
    "SELECT period, node_code, kind, inflow_wh, outflow_wh, consumption_wh, generation_wh, "
    "losses_wh, losses_percent, normative_loss_percent, above_normative, balance_run_id "
    "FROM node_months "
    "WHERE period >= $1 AND period <= $2 AND ($3 = '' OR node_code = $3) "
    "ORDER BY period, node_code"};

inline constexpr pg::Query kUpsertApplications{
    "upsert_applications",
    "INSERT INTO applications (id, number, participant_id, type, state, submit_time, due_time, "
    "decide_time, close_time) "
    "SELECT i, n, p, t, s, NULLIF(st, '')::timestamptz, NULLIF(du, '')::timestamptz, "
    "NULLIF(de, '')::timestamptz, NULLIF(cl, '')::timestamptz FROM unnest($1::text[], "
    "$2::text[], $3::text[], $4::smallint[], $5::smallint[], $6::text[], $7::text[], $8::text[], "
    "$9::text[]) AS u(i, n, p, t, s, st, du, de, cl) "
    "ON CONFLICT (id) DO UPDATE SET number = EXCLUDED.number, "
    "participant_id = EXCLUDED.participant_id, type = EXCLUDED.type, state = EXCLUDED.state, "
    "submit_time = EXCLUDED.submit_time, due_time = EXCLUDED.due_time, "
    "decide_time = EXCLUDED.decide_time, close_time = EXCLUDED.close_time"};

// R5, as contracts' CountApplications counts: $1 the first instant, $2 the
// instant after the last month, $3 the operator's time zone, $4 participant
// ('' = all), $5 the instant overdue is judged at. States: 2 submitted,
// 3 in review, 4 approved, 5 rejected, 6 closed.
inline constexpr pg::Query kApplicationMonths{
    "application_months",
    "SELECT date_trunc('month', submit_time AT TIME ZONE $3)::date AS period, type, "
    "count(*) AS received, "
    "count(*) FILTER (WHERE state IN (4, 5) OR (state = 6 AND decide_time IS NOT NULL)) "
    "AS processed, count(*) FILTER (WHERE state = 6) AS closed, "
    "count(*) FILTER (WHERE state IN (2, 3) AND due_time < $5) AS overdue, "
    "round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM decide_time - "
    "submit_time)) FILTER (WHERE decide_time IS NOT NULL))::bigint AS median_seconds, "
    "round(percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM decide_time - "
    "submit_time)) FILTER (WHERE decide_time IS NOT NULL))::bigint AS p90_seconds "
    "FROM applications WHERE submit_time >= $1 AND submit_time < $2 "
    "AND ($4 = '' OR participant_id = $4) GROUP BY 1, 2 ORDER BY 1, 2"};

// --- R4 ---

inline constexpr MonthsTable kPointQualityTable{
    {"select_quality_periods_read", GRIDBILL_SELECT_MONTHS_READ("quality_periods_read")},
    {"upsert_quality_periods_read", GRIDBILL_UPSERT_MONTHS_READ("quality_periods_read")},
    {"delete_point_quality", GRIDBILL_DELETE_MONTHS("point_quality")},
    {"insert_point_quality",
     "INSERT INTO point_quality (period, participant_id, point_code, channel, expected, measured, "
     "estimated, edited, missing, findings_negative, findings_spike, findings_flat_line, "
     "findings_gap, findings_source_mismatch) SELECT * FROM unnest($1::date[], $2::text[], "
     "$3::text[], $4::smallint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], "
     "$9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[]) "
     "ON CONFLICT DO NOTHING"}};

// R4: $1 first month, $2 last month, $3 region, $4 participant.
inline constexpr pg::Query kPointQuality{
    "point_quality",
    "SELECT q.period, q.participant_id, coalesce(p.name, '') AS participant_name, q.point_code, "
    "q.channel, q.expected, q.measured, q.estimated, q.edited, q.missing, q.findings_negative, "
    "q.findings_spike, q.findings_flat_line, q.findings_gap, q.findings_source_mismatch "
    "FROM point_quality q "
    "LEFT JOIN participants p ON p.id = q.participant_id "
    "WHERE q.period >= $1 AND q.period <= $2 AND ($3 = '' OR p.region_code = $3) "
    "AND ($4 = '' OR q.participant_id = $4) "
    "ORDER BY q.period, q.participant_id, q.point_code, q.channel"};

// --- R6 ---

inline constexpr pg::Query kSelectForecastRunsRead{
    "select_forecast_runs_read", "SELECT run_id FROM forecast_runs_read ORDER BY run_id"};

inline constexpr pg::Query kInsertForecastRunsRead{
    "insert_forecast_runs_read",
    "INSERT INTO forecast_runs_read (run_id, version, history_to) "
    "SELECT * FROM unnest($1::text[], $2::bigint[], $3::date[]) ON CONFLICT DO NOTHING"};

inline constexpr pg::Query kInsertForecasts{
    "insert_forecasts",
    "INSERT INTO forecasts (run_id, participant_id, service_type, period, horizon, volume_wh, "
    "backtest_mase) SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::date[], "
    "$5::integer[], $6::bigint[], $7::text[]) ON CONFLICT DO NOTHING"};

// R6: $1 first month, $2 last month, $3 region, $4 participant, $5 service
// (0: all); only the latest run of each last month of history.
inline constexpr pg::Query kForecasts{
    "forecasts",
    "WITH latest AS (SELECT DISTINCT ON (history_to) run_id, version FROM forecast_runs_read "
    "ORDER BY history_to, version DESC) "
    "SELECT f.run_id, l.version, f.participant_id, f.service_type, f.period, f.horizon, "
    "f.volume_wh, f.backtest_mase FROM forecasts f JOIN latest l ON l.run_id = f.run_id "
    "LEFT JOIN participants p ON p.id = f.participant_id "
    "WHERE f.period >= $1 AND f.period <= $2 AND ($3 = '' OR p.region_code = $3) "
    "AND ($4 = '' OR f.participant_id = $4) AND ($5 = 0 OR f.service_type = $5) "
    "ORDER BY f.period, f.service_type, f.horizon, f.participant_id"};

// --- schedules and their files ---

#define GRIDBILL_REPORTING_SCHEDULE_COLUMNS                                                \
  "id, report, period_from, period_to, region_code, participant_id, service_type, "        \
  "period_mode, format, language, day_of_month, hour, minute, time_zone, retention_days, " \
  "next_run_time, last_run_time, last_error, created_by"

inline constexpr pg::Query kInsertSchedule{
    "insert_schedule",
    "INSERT INTO schedules (" GRIDBILL_REPORTING_SCHEDULE_COLUMNS
    ", create_time) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
    "$16, NULL, '', $17, $18)"};

inline constexpr pg::Query kSelectSchedule{"select_schedule",
                                           "SELECT " GRIDBILL_REPORTING_SCHEDULE_COLUMNS
                                           " FROM schedules WHERE id = $1 AND NOT deleted"};

inline constexpr pg::Query kListSchedules{
    "list_schedules", "SELECT " GRIDBILL_REPORTING_SCHEDULE_COLUMNS
                      " FROM schedules WHERE NOT deleted AND ($1::text IS NULL OR id > $1) "
                      "ORDER BY id LIMIT $2"};

inline constexpr pg::Query kDeleteSchedule{
    "delete_schedule", "UPDATE schedules SET deleted = true WHERE id = $1 AND NOT deleted"};

inline constexpr pg::Query kDueSchedules{
    "due_schedules", "SELECT " GRIDBILL_REPORTING_SCHEDULE_COLUMNS
                     " FROM schedules WHERE NOT deleted AND next_run_time <= $1 "
                     "ORDER BY next_run_time, id"};

#undef GRIDBILL_REPORTING_SCHEDULE_COLUMNS

// Moves a due schedule on, only when no other replica has (its next_run_time unchanged).
inline constexpr pg::Query kClaimSchedule{
    "claim_schedule",
    "UPDATE schedules SET next_run_time = $3, last_run_time = $4 "
    "WHERE id = $1 AND next_run_time = $2 AND NOT deleted RETURNING id"};

inline constexpr pg::Query kScheduleError{"schedule_error",
                                          "UPDATE schedules SET last_error = $2 WHERE id = $1"};

inline constexpr pg::Query kInsertFile{
    "insert_file",
    "INSERT INTO report_files (id, schedule_id, report, period_from, period_to, region_code, "
    "participant_id, service_type, format, language, file_name, content_type, size_bytes, "
    "sha256, rows, content, scheduled_time, create_time, as_of, refresh_id, expire_time) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
    "$19, $20, $21) ON CONFLICT (schedule_id, scheduled_time) DO NOTHING"};

#define GRIDBILL_REPORTING_FILE_COLUMNS                                                 \
  "id, schedule_id, report, period_from, period_to, region_code, participant_id, "      \
  "service_type, format, language, file_name, content_type, size_bytes, sha256, rows, " \
  "scheduled_time, create_time, as_of, refresh_id, expire_time"

inline constexpr pg::Query kListFiles{"list_files",
                                      "SELECT " GRIDBILL_REPORTING_FILE_COLUMNS
                                      " FROM report_files WHERE ($1 = '' OR schedule_id = $1) "
                                      "ORDER BY create_time DESC, id DESC OFFSET $2 LIMIT $3"};

inline constexpr pg::Query kSelectFile{"select_file", "SELECT " GRIDBILL_REPORTING_FILE_COLUMNS
                                                      ", content FROM report_files WHERE id = $1"};

#undef GRIDBILL_REPORTING_FILE_COLUMNS

inline constexpr pg::Query kDeleteExpiredFiles{"delete_expired_files",
                                               "DELETE FROM report_files WHERE expire_time <= $1"};

}  // namespace gridbill::reporting::queries
