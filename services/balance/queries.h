// Every SQL statement of the balance service, named once: the name is the
// prepared statement's name and the metric label.
#pragma once

#include "gridbill/pg/query.h"

namespace gridbill::balance::queries {

using pg::Query;

// --- schemes ---------------------------------------------------------------

#define GRIDBILL_SCHEME_COLUMNS                                                           \
  "id, kind, participant_id, service_type, node_code, name, term_points, term_channels, " \
  "term_roles, valid_from, valid_to, normative_loss_percent, version, created_by, "       \
  "create_time, reason "

inline constexpr Query kLockSubject{"lock_subject", "SELECT pg_advisory_xact_lock(hashtext($1))"};

inline constexpr Query kFindOverlap{
    "find_overlap",
    "SELECT id, version, valid_from, valid_to FROM schemes WHERE subject = $1 "
    "AND valid_from <= COALESCE($3::date, 'infinity'::date) "
    "AND COALESCE(valid_to, 'infinity'::date) >= $2::date AND id <> $4 "
    "ORDER BY valid_from LIMIT 1"};

inline constexpr Query kNextVersion{
    "next_version",
    "SELECT COALESCE(max(version), 0) + 1 AS version FROM schemes WHERE subject = $1"};

inline constexpr Query kInsertScheme{
    "insert_scheme",
    "INSERT INTO schemes (subject, kind, participant_id, service_type, node_code, name, "
    "term_points, term_channels, term_roles, valid_from, valid_to, normative_loss_percent, "
    "version, created_by, create_time, reason) VALUES ($1, $2, $3, $4, $5, $6, $7::text[], "
    "$8::smallint[], $9::smallint[], $10, $11, $12, $13, $14, $15, $16) RETURNING id"};

inline constexpr Query kGetScheme{"get_scheme",
                                  "SELECT " GRIDBILL_SCHEME_COLUMNS "FROM schemes WHERE id = $1"};

inline constexpr Query kGetSchemeForUpdate{"get_scheme_for_update",
                                           "SELECT " GRIDBILL_SCHEME_COLUMNS
                                           ", subject FROM schemes WHERE id = $1 FOR UPDATE"};

inline constexpr Query kGetSchemes{"get_schemes",
                                   "SELECT " GRIDBILL_SCHEME_COLUMNS
                                   "FROM schemes WHERE id = ANY($1::bigint[]) ORDER BY id"};

inline constexpr Query kCloseScheme{"close_scheme",
                                    "UPDATE schemes SET valid_to = $2, reason = $3 WHERE id = $1"};

inline constexpr Query kListSchemes{
    "list_schemes",
    "SELECT " GRIDBILL_SCHEME_COLUMNS
    ", subject FROM schemes WHERE ($1 = 0 OR kind = $1) AND ($2 = '' OR participant_id = $2) "
    "AND ($3 = 0 OR service_type = $3) AND ($4 = '' OR node_code = $4) "
    "AND ($5::date IS NULL OR (valid_from <= $6::date "
    "AND COALESCE(valid_to, 'infinity'::date) >= $5::date)) "
    "AND ($7::text IS NULL OR (subject, valid_from, id) > ($7, $8::date, $9::bigint)) "
    "ORDER BY subject, valid_from, id LIMIT $10"};

inline constexpr Query kSchemesValidIn{
    "schemes_valid_in",
    "SELECT " GRIDBILL_SCHEME_COLUMNS
    "FROM schemes WHERE valid_from <= $2::date AND COALESCE(valid_to, 'infinity'::date) >= "
    "$1::date ORDER BY subject, valid_from"};

#undef GRIDBILL_SCHEME_COLUMNS

// --- runs ------------------------------------------------------------------

#define GRIDBILL_RUN_COLUMNS                                                                  \
  "id, period, type, correction_number, state, done, total, create_time, start_time, "        \
  "finish_time, summary_text, error, COALESCE(base_run_id, 0) AS base_run_id, created_by, "   \
  "request_id, "                                                                              \
  "readings_as_of, computed_until, time_zone, closure_tolerance_percent, service_hours, "     \
  "node_hours, hours, point_days, intervals, estimated, missing, supply_wh, consumption_wh, " \
  "node_losses_wh, closed, "                                                                  \
  "EXISTS (SELECT 1 FROM node_hours nh WHERE nh.run_id = runs.id AND nh.kind = 2) "           \
  "AS closure_checked "

inline constexpr Query kInsertRun{
    "insert_run",
    "INSERT INTO runs (period, type, correction_number, state, total, create_time, "
    "base_run_id, created_by, request_id, readings_as_of, computed_until, time_zone, "
    "closure_tolerance_percent, hours) VALUES ($1, $2, $3, 1, $4, $5, NULLIF($6, 0), $7, $8, "
    "$9, $10, $11, $12, $13) RETURNING id"};

inline constexpr Query kInsertRunSchemes{
    "insert_run_schemes",
    "INSERT INTO run_schemes (run_id, scheme_id, version, valid_to) SELECT $1, "
    "unnest($2::bigint[]), unnest($3::bigint[]), unnest($4::date[])"};

inline constexpr Query kInsertRunDeclared{
    "insert_run_declared",
    "INSERT INTO run_declared (run_id, participant_id, service_type, volume_wh, "
    "application_id) SELECT $1, unnest($2::text[]), unnest($3::smallint[]), "
    "unnest($4::bigint[]), unnest($5::text[])"};

inline constexpr Query kInsertShard{
    "insert_shard",
    "INSERT INTO run_shards (run_id, shard_no, scheme_ids, closure_terms) "
    "VALUES ($1, $2, $3::bigint[], $4::text[])"};

inline constexpr Query kGetRun{"get_run", "SELECT " GRIDBILL_RUN_COLUMNS "FROM runs WHERE id = $1"};

inline constexpr Query kRunSchemes{
    "run_schemes",
    "SELECT scheme_id, version, valid_to FROM run_schemes WHERE run_id = $1 ORDER BY scheme_id"};

inline constexpr Query kRunDeclared{
    "run_declared",
    "SELECT participant_id, service_type, volume_wh, application_id FROM run_declared "
    "WHERE run_id = $1 ORDER BY participant_id, service_type, application_id"};

inline constexpr Query kListRuns{
    "list_runs",
    "SELECT " GRIDBILL_RUN_COLUMNS
    "FROM runs WHERE ($1::date IS NULL OR period = $1::date) AND ($2 = 0 OR type = $2) "
    "AND ($3::bigint IS NULL OR id < $3::bigint) ORDER BY id DESC LIMIT $4"};

// The change feed: runs written by transactions older than every one still
// open, after the position ($3 xid, $4 seq; NULL from the first change),
// oldest change first, $5 rows.
inline constexpr Query kRunChanges{
    "run_changes",
    "SELECT " GRIDBILL_RUN_COLUMNS
    ", change_xid::text AS change_xid, change_seq "
    "FROM runs WHERE ($1::date IS NULL OR period = $1::date) AND ($2 = 0 OR type = $2) "
    "AND change_xid < pg_snapshot_xmin(pg_current_snapshot()) "
    "AND ($3::xid8 IS NULL OR (change_xid, change_seq) > ($3::xid8, $4::bigint)) "
    "ORDER BY change_xid, change_seq LIMIT $5"};

inline constexpr Query kBillingRun{"billing_run",
                                   "SELECT " GRIDBILL_RUN_COLUMNS
                                   "FROM runs WHERE period = $1 AND type IN (2, 3) AND state = 3 "
                                   "ORDER BY correction_number DESC, id DESC LIMIT 1"};

inline constexpr Query kLastCorrection{"last_correction",
                                       "SELECT COALESCE(max(correction_number), 0) AS "
                                       "correction_number FROM runs WHERE period = $1 AND type = 3 "
                                       "AND state IN (1, 2, 3)"};

inline constexpr Query kLockRun{"lock_run", "SELECT state FROM runs WHERE id = $1 FOR UPDATE"};

inline constexpr Query kRunState{"run_state", "SELECT state FROM runs WHERE id = $1"};

inline constexpr Query kCancelRun{
    "cancel_run",
    "UPDATE runs SET state = 5, finish_time = $2, error = 'cancelled on request' "
    "WHERE id = $1 AND state IN (1, 2)"};

inline constexpr Query kFailRun{
    "fail_run",
    "UPDATE runs SET state = 4, finish_time = $3, error = $2 WHERE id = $1 AND state IN (1, 2)"};

inline constexpr Query kDeleteServiceHours{"delete_service_hours",
                                           "DELETE FROM service_hours WHERE run_id = $1"};
inline constexpr Query kDeleteNodeHours{"delete_node_hours",
                                        "DELETE FROM node_hours WHERE run_id = $1"};
inline constexpr Query kDeletePointDays{"delete_point_days",
                                        "DELETE FROM run_point_days WHERE run_id = $1"};

// --- work (claims, leases and epochs are libs/jobs' job_pieces) ----------------

// The shard a claimed piece of a run's job stands for (piece_no = shard_no).
inline constexpr Query kGetShard{
    "get_shard",
    "SELECT scheme_ids, closure_terms FROM run_shards WHERE run_id = $1 AND shard_no = $2"};

inline constexpr Query kMarkRunning{
    "mark_running",
    "UPDATE runs SET state = 2, start_time = COALESCE(start_time, $2) WHERE id = $1 AND state = 1"};

inline constexpr Query kFinishShard{
    "finish_shard",
    "UPDATE run_shards SET supply_wh = $3, consumption_wh = $4, point_days = $5, "
    "intervals = $6, estimated = $7, missing = $8 WHERE run_id = $1 AND shard_no = $2"};

inline constexpr Query kAddProgress{
    "add_progress",
    "UPDATE runs SET done = done + 1, service_hours = service_hours + $2, "
    "node_hours = node_hours + $3, point_days = point_days + $4, intervals = intervals + $5, "
    "estimated = estimated + $6, missing = missing + $7, supply_wh = supply_wh + $8, "
    "consumption_wh = consumption_wh + $9, node_losses_wh = node_losses_wh + $10 "
    "WHERE id = $1 RETURNING done, total, supply_wh, consumption_wh, node_losses_wh, "
    "closure_tolerance_percent"};

// Whether a run has node results (kind 2): without them closure is not checked.
inline constexpr Query kRunHasNodes{
    "run_has_nodes",
    "SELECT EXISTS (SELECT 1 FROM node_hours WHERE run_id = $1 AND kind = 2) AS has_nodes"};

inline constexpr Query kFinishRun{
    "finish_run",
    "UPDATE runs SET state = 3, finish_time = $2, closed = $3, summary_text = $4 WHERE id = $1"};

inline constexpr char kCopyServiceHours[] =
    "COPY service_hours (run_id, participant_id, service_type, hour_start, actual_wh, "
    "declared_wh, has_declaration, intervals, estimated, missing) FROM STDIN";
inline constexpr char kCopyNodeHours[] =
    "COPY node_hours (run_id, node_code, kind, hour_start, inflow_wh, outflow_wh, "
    "normative_loss_percent, intervals, estimated, missing, generation_wh, consumption_wh) "
    "FROM STDIN";
inline constexpr char kCopyPointDays[] =
    "COPY run_point_days (run_id, point_code, channel, day, revision) FROM STDIN";

// --- results ---------------------------------------------------------------

inline constexpr Query kListServiceHours{
    "list_service_hours",
    "SELECT participant_id, service_type, hour_start, actual_wh, declared_wh, has_declaration, "
    "intervals, estimated, missing FROM service_hours WHERE run_id = $1 "
    "AND ($2 = '' OR participant_id = $2) AND ($3 = 0 OR service_type = $3) "
    "AND ($4::text IS NULL OR (participant_id, service_type, hour_start) > "
    "($4, $5::int, $6::timestamptz)) "
    "ORDER BY participant_id, service_type, hour_start LIMIT $7"};

inline constexpr Query kListNodeHours{
    "list_node_hours",
    "SELECT node_code, kind, hour_start, inflow_wh, outflow_wh, generation_wh, consumption_wh, "
    "normative_loss_percent, intervals, estimated, missing FROM node_hours WHERE run_id = $1 "
    "AND ($2 = '' OR node_code = $2) AND ($3::text IS NULL OR (node_code, hour_start) > "
    "($3, $4::timestamptz)) ORDER BY node_code, hour_start LIMIT $5"};

inline constexpr Query kServiceTotals{
    "service_totals",
    "SELECT participant_id, service_type, sum(actual_wh) AS actual_wh, "
    "sum(declared_wh) AS declared_wh, bool_or(has_declaration) AS has_declaration, "
    "count(*) AS hours, sum(intervals) AS intervals, sum(estimated) AS estimated, "
    "sum(missing) AS missing "
    "FROM service_hours WHERE run_id = $1 AND ($2 = '' OR participant_id = $2) "
    "AND ($3::text IS NULL OR (participant_id, service_type) > ($3, $4::int)) "
    "GROUP BY participant_id, service_type ORDER BY participant_id, service_type LIMIT $5"};

inline constexpr Query kNodeTotals{
    "node_totals",
    "SELECT node_code, min(kind) AS kind, sum(inflow_wh) AS inflow_wh, "
    "sum(outflow_wh) AS outflow_wh, sum(generation_wh) AS generation_wh, "
    "sum(consumption_wh) AS consumption_wh, min(normative_loss_percent) AS normative_loss_percent, "
    "sum(intervals) AS intervals, sum(estimated) AS estimated, sum(missing) AS missing "
    "FROM node_hours WHERE run_id = $1 AND ($2::text IS NULL OR node_code > $2) "
    "GROUP BY node_code ORDER BY node_code LIMIT $3"};

inline constexpr Query kCompareTotals{
    "compare_totals",
    "SELECT participant_id, service_type, COALESCE(sum(a.actual_wh), 0) AS base_wh, "
    "COALESCE(sum(b.actual_wh), 0) AS other_wh, count(*) FILTER (WHERE a.actual_wh IS "
    "DISTINCT FROM b.actual_wh) AS changed_hours FROM (SELECT participant_id, service_type, "
    "hour_start, actual_wh "
    "FROM service_hours WHERE run_id = $1) a FULL JOIN (SELECT participant_id, service_type, "
    "hour_start, actual_wh FROM service_hours WHERE run_id = $2) b "
    "USING (participant_id, service_type, hour_start) "
    "GROUP BY participant_id, service_type ORDER BY participant_id, service_type"};

inline constexpr Query kCompareRevisions{
    "compare_revisions",
    "SELECT point_code, channel, day, COALESCE(a.revision, 0) AS base_revision, "
    "COALESCE(b.revision, 0) AS other_revision "
    "FROM (SELECT DISTINCT point_code, channel, day, revision FROM run_point_days "
    "WHERE run_id = $1) a FULL JOIN (SELECT DISTINCT point_code, channel, day, revision "
    "FROM run_point_days WHERE run_id = $2) b USING (point_code, channel, day) "
    "WHERE a.revision IS DISTINCT FROM b.revision ORDER BY point_code, channel, day"};

}  // namespace gridbill::balance::queries
