// Every SQL statement of the metering service, named once: the name is the
// prepared statement's name and the metric label.
#pragma once

#include "gridbill/pg/query.h"

namespace gridbill::metering::queries {

#define GRIDBILL_METERING_POINT_COLUMNS                                                          \
  "id, code, eic, name, substation_code, voltage_level_code, channels, channel_serials, "        \
  "assign_participants, assign_from, assign_to, meter_serial, ct_ratio::text AS ct_ratio, "      \
  "vt_ratio::text AS vt_ratio, resolution, status, valid_from, valid_to, version, create_time, " \
  "update_time"

inline constexpr pg::Query kInsertPoint{
    "insert_point",
    "INSERT INTO metering_points (code, eic, name, substation_code, voltage_level_code, "
    "channels, channel_serials, assign_participants, assign_from, assign_to, meter_serial, "
    "ct_ratio, vt_ratio, resolution, status, valid_from, valid_to, version, create_time, "
    "update_time) VALUES ($1, $2, $3, $4, $5, $6::smallint[], $7::text[], $8::text[], "
    "$9::date[], $10::date[], $11, $12::numeric, $13::numeric, $14, $15, $16, $17, $18, $19, "
    "$20) RETURNING " GRIDBILL_METERING_POINT_COLUMNS};

inline constexpr pg::Query kUpdatePoint{
    "update_point",
    "UPDATE metering_points SET eic = $2, name = $3, substation_code = $4, "
    "voltage_level_code = $5, channels = $6::smallint[], channel_serials = $7::text[], "
    "assign_participants = $8::text[], assign_from = $9::date[], assign_to = $10::date[], "
    "meter_serial = $11, ct_ratio = $12::numeric, vt_ratio = $13::numeric, resolution = $14, "
    "status = $15, valid_from = $16, valid_to = $17, version = $18, update_time = $19 "
    "WHERE code = $1 AND version = $20"};

inline constexpr pg::Query kGetPoint{
    "get_point", "SELECT " GRIDBILL_METERING_POINT_COLUMNS " FROM metering_points WHERE code = $1"};

inline constexpr pg::Query kFindPoints{"find_points",
                                       "SELECT " GRIDBILL_METERING_POINT_COLUMNS
                                       " FROM metering_points WHERE code = ANY($1::text[])"};

inline constexpr pg::Query kListPoints{
    "list_points", "SELECT " GRIDBILL_METERING_POINT_COLUMNS
                   " FROM metering_points WHERE ($1 = '' OR $1 = ANY(assign_participants)) "
                   "AND ($2 = '' OR substation_code = $2) "
                   "AND ($3::text IS NULL OR code > $3::text) ORDER BY code LIMIT $4"};

#undef GRIDBILL_METERING_POINT_COLUMNS

// The latest revision of each (point, channel, day) key; the day bounds let
// the planner prune partitions.
inline constexpr pg::Query kLatestDays{
    "latest_days",
    "SELECT DISTINCT ON (d.point_id, d.channel, d.day) d.point_id, d.channel, d.day, "
    "d.revision, d.vals, d.quality, d.findings, d.source, d.actor, d.request_id, d.reason, "
    "d.created_at, d.sources, d.scada_vals, d.status_codes "
    "FROM unnest($1::bigint[], $2::smallint[], $3::date[]) AS k(point_id, channel, day) "
    "JOIN reading_days d ON d.point_id = k.point_id AND d.channel = k.channel "
    "AND d.day = k.day "
    "WHERE d.day BETWEEN $4::date AND $5::date "
    "ORDER BY d.point_id, d.channel, d.day, d.revision DESC"};

// As of a revision number and a time ('infinity' and 2^31-1 for latest).
// Completeness of every active point over local days [$1, $2] (the
// month-close gauge): expected intervals are the days each point and
// channel is valid times 96/48/24 by resolution (whole 24-hour days: exact
// where the zone has no clock change); present intervals are those of the
// latest revision of each stored day that are not MISSING (a NULL quality
// array is all MEASURED).
inline constexpr pg::Query kCountIntervals{
    "count_intervals",
    "WITH p AS (SELECT id, ch, greatest(valid_from, $1::date) AS f, "
    "least(coalesce(valid_to, $2::date), $2::date) AS t, "
    "CASE resolution WHEN 1 THEN 96 WHEN 2 THEN 48 ELSE 24 END AS per_day "
    "FROM metering_points, unnest(channels) AS ch WHERE status = 1 "
    "AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= $1::date)), "
    "d AS (SELECT DISTINCT ON (r.point_id, r.channel, r.day) r.vals, r.quality "
    "FROM reading_days r JOIN p ON r.point_id = p.id AND r.channel = p.ch "
    "AND r.day BETWEEN p.f AND p.t WHERE r.day BETWEEN $1::date AND $2::date "
    "ORDER BY r.point_id, r.channel, r.day, r.revision DESC) "
    "SELECT (SELECT coalesce(sum((t - f + 1) * per_day), 0) FROM p)::bigint, "
    "(SELECT coalesce(sum(CASE WHEN quality IS NULL THEN cardinality(vals) ELSE "
    "(SELECT count(*) FROM unnest(quality) AS q WHERE q IN (1, 2, 3, 5)) END), 0) "
    "FROM d)::bigint"};
inline constexpr pg::Query kReadDays{
    "read_days",
    "SELECT DISTINCT ON (point_id, channel, day) point_id, channel, day, revision, vals, "
    "quality, findings, source, actor, request_id, reason, created_at, sources, scada_vals, "
    "status_codes FROM reading_days WHERE point_id = ANY($1::bigint[]) "
    "AND ($2::smallint[] = '{}' OR channel = ANY($2::smallint[])) "
    "AND day BETWEEN $3::date AND $4::date AND revision <= $5 AND created_at <= $6::timestamptz "
    "ORDER BY point_id, channel, day, revision DESC"};

inline constexpr const char* kCopyDays =
    "COPY reading_days (point_id, channel, day, revision, vals, quality, findings, source, "
    "actor, request_id, reason, created_at, sources, scada_vals, status_codes) FROM STDIN";

inline constexpr const char* kCopyDaysBinary =
    "COPY reading_days (point_id, channel, day, revision, vals, quality, findings, source, "
    "actor, request_id, reason, created_at, sources, scada_vals, status_codes) FROM STDIN "
    "(FORMAT binary)";

inline constexpr pg::Query kPartitionExists{"partition_exists",
                                            "SELECT to_regclass($1) IS NOT NULL AS present"};
// Makes the month's partition of reading_days (a function of the schema's
// owner, V008: the runtime role may not make tables).
inline constexpr pg::Query kEnsurePartition{"ensure_partition",
                                            "SELECT ensure_reading_days_partition($1::date)"};

// An import's state, points done, error and times are its job's (libs/jobs);
// "cancelled by" names who cancelled it.
#define GRIDBILL_METERING_JOB_FIELDS                                                              \
  "i.id, i.request_id, i.fingerprint, i.actor, i.file_name, j.state, j.done, i.total, "           \
  "i.readings, i.accepted, i.unchanged, i.revised, i.rejected, i.revisions_written, "             \
  "i.flagged, i.rejection_keys, i.rejection_reasons, "                                            \
  "CASE WHEN i.error <> '' THEN i.error ELSE j.error END AS error, j.create_time, j.start_time, " \
  "j.finish_time, i.missing, i.status_flagged "
#define GRIDBILL_METERING_JOB_COLUMNS \
  GRIDBILL_METERING_JOB_FIELDS "FROM import_jobs i JOIN jobs j ON j.id = i.id"

inline constexpr pg::Query kInsertImportJob{
    "insert_import_job",
    "INSERT INTO import_jobs (id, request_id, fingerprint, actor, file_name, total, readings) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)"};

inline constexpr pg::Query kInsertImportFile{
    "insert_import_file",
    "INSERT INTO import_files (job_id, content, format, encoding, unit, source) "
    "VALUES ($1, $2, $3, $4, $5, $6)"};

// The files of imports that ended (jobs state 3 succeeded, 4 failed,
// 5 cancelled) at or before $1: nothing reads them again.
inline constexpr pg::Query kDeleteEndedImportFiles{
    "delete_ended_import_files",
    "DELETE FROM import_files f USING jobs j WHERE j.id = f.job_id AND j.state IN (3, 4, 5) "
    "AND j.finish_time <= $1"};

inline constexpr pg::Query kGetImportFile{
    "get_import_file",
    "SELECT content, format, encoding, unit, source FROM import_files WHERE job_id = $1"};

inline constexpr pg::Query kGetImportJob{
    "get_import_job", "SELECT " GRIDBILL_METERING_JOB_COLUMNS " WHERE i.id = $1"};

inline constexpr pg::Query kFindImportJob{
    "find_import_job", "SELECT " GRIDBILL_METERING_JOB_COLUMNS " WHERE i.request_id = $1"};

// What one point of an import adds, in the transaction that stores its
// readings; the first 1000 rejections are kept.
inline constexpr pg::Query kAddImportCounts{
    "add_import_counts",
    "UPDATE import_jobs SET accepted = accepted + $2, unchanged = unchanged + $3, "
    "revised = revised + $4, rejected = rejected + $5, "
    "revisions_written = revisions_written + $6, flagged = flagged + $7, "
    "missing = missing + $10, status_flagged = status_flagged + $11, "
    "rejection_keys = (rejection_keys || $8::text[])[1:1000], "
    "rejection_reasons = (rejection_reasons || $9::text[])[1:1000] WHERE id = $1"};

inline constexpr pg::Query kSetImportError{"set_import_error",
                                           "UPDATE import_jobs SET error = $2 WHERE id = $1"};

// Imports newest first, keyset on (create time, id): $1, $2 the key of the
// last import already returned (NULL on the first page), $3 the page size + 1.
inline constexpr pg::Query kListImports{
    "list_imports",
    "SELECT " GRIDBILL_METERING_JOB_FIELDS
    ", j.create_time::text AS create_key FROM import_jobs i JOIN jobs j ON j.id = i.id "
    "WHERE ($1::timestamptz IS NULL OR (j.create_time, i.id) < ($1::timestamptz, $2)) "
    "ORDER BY j.create_time DESC, i.id DESC LIMIT $3"};

// The change feed of imports: an import's position is the later of its
// row's and its job's; only imports written by transactions older than every
// one still open, after the position ($1 xid, $2 seq; NULL from the first
// change), oldest change first, $3 rows.
inline constexpr pg::Query kImportChanges{
    "import_changes",
    "SELECT c.*, c.cx::text AS change_xid, c.cs AS change_seq FROM "
    "(SELECT " GRIDBILL_METERING_JOB_FIELDS
    ", CASE WHEN (i.change_xid, i.change_seq) > (j.change_xid, j.change_seq) "
    "THEN i.change_xid ELSE j.change_xid END AS cx, "
    "CASE WHEN (i.change_xid, i.change_seq) > (j.change_xid, j.change_seq) "
    "THEN i.change_seq ELSE j.change_seq END AS cs "
    "FROM import_jobs i JOIN jobs j ON j.id = i.id) c "
    "WHERE c.cx < pg_snapshot_xmin(pg_current_snapshot()) "
    "AND ($1::xid8 IS NULL OR (c.cx, c.cs) > ($1::xid8, $2::bigint)) "
    "ORDER BY c.cx, c.cs LIMIT $3"};

#undef GRIDBILL_METERING_JOB_COLUMNS
#undef GRIDBILL_METERING_JOB_FIELDS

}  // namespace gridbill::metering::queries
