// Every SQL statement of the contracts service, named once: the name is the
// prepared statement's name and the metric label.
#pragma once

#include "gridbill/pg/query.h"

namespace gridbill::contracts::queries {

using pg::Query;

// ---------------------------------------------------------------------------
// Reference data. Columns of kReferenceColumns, in this order.
#define GRIDBILL_REFERENCE_COLUMNS                                                        \
  "id, kind, code, name, name_kk, valid_from, valid_to, kato_code, nominal_kv, "          \
  "region_code, voltage_level_code, from_substation_code, to_substation_code, length_m, " \
  "bik, bank_bin, version, create_time, update_time "

#define GRIDBILL_REFERENCE_FILTER                                                          \
  "WHERE ($1 = '' OR kind = $1) "                                                          \
  "AND ($2::date IS NULL OR (valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= " \
  "$2::date))) "                                                                           \
  "AND ($3 = '' OR strpos(lower(code || ' ' || name || ' ' || name_kk), lower($3)) > 0) "  \
  "AND ($4 = '' OR code = $4) "

inline constexpr Query kGetReferenceRecord{"get_reference_record",
                                           "SELECT " GRIDBILL_REFERENCE_COLUMNS
                                           "FROM reference_records WHERE id = $1::uuid"};

inline constexpr Query kFindReferenceRecords{"find_reference_records",
                                             "SELECT " GRIDBILL_REFERENCE_COLUMNS
                                             "FROM reference_records WHERE kind = $1 AND code = $2 "
                                             "ORDER BY valid_from"};

inline constexpr Query kListReferenceRecords{
    "list_reference_records",
    "SELECT " GRIDBILL_REFERENCE_COLUMNS "FROM reference_records " GRIDBILL_REFERENCE_FILTER
    "AND ($6::text IS NULL OR (kind, code, valid_from, id) > ($6::text, $7::text, $8::date, "
    "$9::uuid)) ORDER BY kind, code, valid_from, id LIMIT $5"};

inline constexpr Query kCountReferenceRecords{
    "count_reference_records", "SELECT count(*) FROM reference_records " GRIDBILL_REFERENCE_FILTER};

inline constexpr Query kInsertReferenceRecord{
    "insert_reference_record",
    "INSERT INTO reference_records (kind, code, name, name_kk, valid_from, valid_to, kato_code, "
    "nominal_kv, region_code, voltage_level_code, from_substation_code, to_substation_code, "
    "length_m, bik, bank_bin, version, create_time, update_time) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) "
    "RETURNING id"};

inline constexpr Query kUpdateReferenceRecord{
    "update_reference_record",
    "UPDATE reference_records SET name = $3, name_kk = $4, valid_from = $5, valid_to = $6, "
    "kato_code = $7, nominal_kv = $8, region_code = $9, voltage_level_code = $10, "
    "from_substation_code = $11, to_substation_code = $12, length_m = $13, bik = $14, "
    "bank_bin = $15, version = $16, update_time = $17 "
    "WHERE id = $1::uuid AND version = $2"};

// The lists read keyset (gridbill/base/paging.h): after the filter's
// parameters come the LIMIT (page size + 1) and the ORDER BY columns of the
// last row already returned, NULL for the first page.

// ---------------------------------------------------------------------------
// Histories: the same shape for every resource. Listed a page at a time:
// $2 the last version already returned (NULL for the first page), $3 the page
// size + 1.
#define GRIDBILL_HISTORY_INSERT(table, key)                                         \
  "INSERT INTO " table " (" key                                                     \
  ", version, actor, change_time, action, reason, request_id, fields, old_values, " \
  "new_values) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8::text[], $9::text[], $10::text[])"
#define GRIDBILL_HISTORY_SELECT(table, key)                                              \
  "SELECT version, actor, change_time, action, reason, request_id, fields, old_values, " \
  "new_values FROM " table " WHERE " key                                                 \
  " = $1::uuid "                                                                         \
  "AND ($2::bigint IS NULL OR version > $2::bigint) ORDER BY version LIMIT $3"

inline constexpr Query kInsertReferenceHistory{
    "insert_reference_history", GRIDBILL_HISTORY_INSERT("reference_record_history", "record_id")};
inline constexpr Query kListReferenceHistory{
    "list_reference_history", GRIDBILL_HISTORY_SELECT("reference_record_history", "record_id")};
inline constexpr Query kInsertParticipantHistory{
    "insert_participant_history", GRIDBILL_HISTORY_INSERT("participant_history", "participant_id")};
inline constexpr Query kListParticipantHistory{
    "list_participant_history", GRIDBILL_HISTORY_SELECT("participant_history", "participant_id")};
inline constexpr Query kInsertContractHistory{
    "insert_contract_history", GRIDBILL_HISTORY_INSERT("contract_history", "contract_id")};
inline constexpr Query kListContractHistory{
    "list_contract_history", GRIDBILL_HISTORY_SELECT("contract_history", "contract_id")};
inline constexpr Query kInsertTariffHistory{"insert_tariff_history",
                                            GRIDBILL_HISTORY_INSERT("tariff_history", "tariff_id")};
inline constexpr Query kListTariffHistory{"list_tariff_history",
                                          GRIDBILL_HISTORY_SELECT("tariff_history", "tariff_id")};
inline constexpr Query kInsertApplicationHistory{
    "insert_application_history", GRIDBILL_HISTORY_INSERT("application_history", "application_id")};
inline constexpr Query kListApplicationHistory{
    "list_application_history", GRIDBILL_HISTORY_SELECT("application_history", "application_id")};

// ---------------------------------------------------------------------------
// Participants.
#define GRIDBILL_PARTICIPANT_COLUMNS                                                    \
  "p.id, p.bin, p.eic, p.legal_name, p.short_name, p.legal_address, p.postal_address, " \
  "p.region_code, p.bank_iik, p.bank_bik, p.bank_name, p.bank_kbe, p.roles, p.status, " \
  "p.vat_certificate, p.version, p.create_time, p.update_time, "                        \
  "ARRAY(SELECT c.name FROM participant_contacts c WHERE c.participant_id = p.id "      \
  "ORDER BY c.ordinal) AS contact_names, "                                              \
  "ARRAY(SELECT c.position FROM participant_contacts c WHERE c.participant_id = p.id "  \
  "ORDER BY c.ordinal) AS contact_positions, "                                          \
  "ARRAY(SELECT c.phone FROM participant_contacts c WHERE c.participant_id = p.id "     \
  "ORDER BY c.ordinal) AS contact_phones, "                                             \
  "ARRAY(SELECT c.email FROM participant_contacts c WHERE c.participant_id = p.id "     \
  "ORDER BY c.ordinal) AS contact_emails "

#define GRIDBILL_PARTICIPANT_FILTER                                                     \
  "WHERE ($1 = '' OR p.status = $1) AND ($2 = '' OR $2 = ANY (p.roles)) "               \
  "AND ($3 = '' OR p.region_code = $3) "                                                \
  "AND ($4 = '' OR strpos(lower(p.bin || ' ' || p.short_name || ' ' || p.legal_name), " \
  "lower($4)) > 0) "                                                                    \
  "AND ($5 = '' OR p.bin = $5) AND (NULLIF($6, '') IS NULL OR p.id = NULLIF($6, '')::uuid) "

inline constexpr Query kGetParticipant{"get_participant",
                                       "SELECT " GRIDBILL_PARTICIPANT_COLUMNS
                                       "FROM participants p WHERE p.id = $1::uuid"};

inline constexpr Query kFindParticipantByBin{"find_participant_by_bin",
                                             "SELECT " GRIDBILL_PARTICIPANT_COLUMNS
                                             "FROM participants p WHERE p.bin = $1"};

inline constexpr Query kListParticipants{"list_participants",
                                         "SELECT " GRIDBILL_PARTICIPANT_COLUMNS
                                         "FROM participants p " GRIDBILL_PARTICIPANT_FILTER
                                         "AND ($8::text IS NULL OR (p.short_name, p.id) > "
                                         "($8::text, $9::uuid)) "
                                         "ORDER BY p.short_name, p.id LIMIT $7"};

inline constexpr Query kCountParticipants{
    "count_participants", "SELECT count(*) FROM participants p " GRIDBILL_PARTICIPANT_FILTER};

inline constexpr Query kInsertParticipant{
    "insert_participant",
    "INSERT INTO participants (bin, eic, legal_name, short_name, legal_address, postal_address, "
    "region_code, bank_iik, bank_bik, bank_name, bank_kbe, roles, status, vat_certificate, "
    "version, create_time, update_time) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text[], $13, $14, $15, $16, $17) "
    "RETURNING id"};

inline constexpr Query kUpdateParticipant{
    "update_participant",
    "UPDATE participants SET eic = $3, legal_name = $4, short_name = $5, legal_address = $6, "
    "postal_address = $7, region_code = $8, bank_iik = $9, bank_bik = $10, bank_name = $11, "
    "bank_kbe = $12, roles = $13::text[], status = $14, vat_certificate = $15, version = $16, "
    "update_time = $17 WHERE id = $1::uuid AND version = $2"};

inline constexpr Query kDeleteParticipantContacts{
    "delete_participant_contacts",
    "DELETE FROM participant_contacts WHERE participant_id = $1::uuid"};

inline constexpr Query kInsertParticipantContacts{
    "insert_participant_contacts",
    "INSERT INTO participant_contacts (participant_id, ordinal, name, position, phone, email) "
    "SELECT $1::uuid, t.ord, t.name, t.position, t.phone, t.email "
    "FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY "
    "AS t(name, position, phone, email, ord)"};

// ---------------------------------------------------------------------------
// Contracts.
#define GRIDBILL_CONTRACT_COLUMNS                                                            \
  "id, number, participant_id, service_type, signed_on, valid_from, valid_to, state, "       \
  "due_day, prepayment_share, metering_point_codes, accounting_scheme_id, amendment_count, " \
  "version, create_time, update_time "

#define GRIDBILL_CONTRACT_FILTER                                                           \
  "WHERE (NULLIF($1, '') IS NULL OR participant_id = NULLIF($1, '')::uuid) "               \
  "AND ($2 = '' OR service_type = $2) AND ($3 = '' OR state = $3) "                        \
  "AND ($4::date IS NULL OR (valid_from <= $4::date AND (valid_to IS NULL OR valid_to >= " \
  "$4::date))) "                                                                           \
  "AND ($5 = '' OR strpos(lower(number), lower($5)) > 0) "

inline constexpr Query kGetContract{
    "get_contract", "SELECT " GRIDBILL_CONTRACT_COLUMNS "FROM contracts WHERE id = $1::uuid"};

inline constexpr Query kFindContractByNumber{"find_contract_by_number",
                                             "SELECT " GRIDBILL_CONTRACT_COLUMNS
                                             "FROM contracts WHERE number = $1"};

inline constexpr Query kListContracts{"list_contracts", "SELECT " GRIDBILL_CONTRACT_COLUMNS
                                                        "FROM contracts " GRIDBILL_CONTRACT_FILTER
                                                        "AND ($7::text IS NULL OR (number, id) > "
                                                        "($7::text, $8::uuid)) "
                                                        "ORDER BY number, id LIMIT $6"};

inline constexpr Query kCountContracts{"count_contracts",
                                       "SELECT count(*) FROM contracts " GRIDBILL_CONTRACT_FILTER};

inline constexpr Query kInsertContract{
    "insert_contract",
    "INSERT INTO contracts (number, participant_id, service_type, signed_on, valid_from, "
    "valid_to, state, due_day, prepayment_share, metering_point_codes, accounting_scheme_id, "
    "amendment_count, version, create_time, update_time) "
    "VALUES ($1, $2::uuid, $3, $4, $5, $6, $7, $8, $9::numeric, $10::text[], $11, $12, $13, $14, "
    "$15) RETURNING id"};

inline constexpr Query kUpdateContract{
    "update_contract",
    "UPDATE contracts SET number = $3, participant_id = $4::uuid, service_type = $5, "
    "signed_on = $6, valid_from = $7, valid_to = $8, state = $9, due_day = $10, "
    "prepayment_share = $11::numeric, metering_point_codes = $12::text[], "
    "accounting_scheme_id = $13, amendment_count = $14, version = $15, update_time = $16 "
    "WHERE id = $1::uuid AND version = $2"};

// ---------------------------------------------------------------------------
// Tariffs.
#define GRIDBILL_TARIFF_COLUMNS                                                    \
  "id, service_type, price_per_kwh::text AS price_per_kwh, valid_from, valid_to, " \
  "order_reference, note, "                                                        \
  "version, create_time, update_time "

inline constexpr Query kGetTariff{
    "get_tariff", "SELECT " GRIDBILL_TARIFF_COLUMNS "FROM tariffs WHERE id = $1::uuid"};

inline constexpr Query kListTariffs{"list_tariffs",
                                    "SELECT " GRIDBILL_TARIFF_COLUMNS
                                    "FROM tariffs WHERE ($1 = '' OR service_type = $1) "
                                    "AND ($3::text IS NULL OR (service_type, valid_from, id) > "
                                    "($3::text, $4::date, $5::uuid)) "
                                    "ORDER BY service_type, valid_from, id LIMIT $2"};

inline constexpr Query kCountTariffs{
    "count_tariffs", "SELECT count(*) FROM tariffs WHERE ($1 = '' OR service_type = $1)"};

// Uses the exclusion constraint's GiST index.
inline constexpr Query kTariffsOverlapping{
    "tariffs_overlapping",
    "SELECT " GRIDBILL_TARIFF_COLUMNS
    "FROM tariffs WHERE service_type = $1 "
    "AND daterange(valid_from, coalesce(valid_to, 'infinity'::date), '[]') && "
    "daterange($2::date, coalesce($3::date, 'infinity'::date), '[]') ORDER BY valid_from"};

inline constexpr Query kInsertTariff{
    "insert_tariff",
    "INSERT INTO tariffs (service_type, price_per_kwh, valid_from, valid_to, order_reference, "
    "note, version, create_time, update_time) "
    "VALUES ($1, $2::numeric, $3, $4, $5, $6, $7, $8, $9) RETURNING id"};

inline constexpr Query kUpdateTariff{
    "update_tariff",
    "UPDATE tariffs SET price_per_kwh = $3::numeric, valid_from = $4, valid_to = $5, "
    "order_reference = $6, note = $7, version = $8, update_time = $9 "
    "WHERE id = $1::uuid AND version = $2"};

// ---------------------------------------------------------------------------
// Applications.
#define GRIDBILL_APPLICATION_COLUMNS                                                     \
  "a.id, a.number, a.participant_id, a.type, a.state, a.period, "                        \
  "coalesce(a.contract_id::text, '') AS contract_id, a.subject, a.body, a.submit_time, " \
  "a.due_time, "                                                                         \
  "a.resolution, a.decide_time, a.close_time, a.version, a.create_time, a.update_time, " \
  "ARRAY(SELECT v.service_type FROM application_declared_volumes v "                     \
  "WHERE v.application_id = a.id ORDER BY v.ordinal) AS declared_services, "             \
  "ARRAY(SELECT v.volume_wh::text FROM application_declared_volumes v "                  \
  "WHERE v.application_id = a.id ORDER BY v.ordinal) AS declared_volumes_wh "

#define GRIDBILL_APPLICATION_FILTER                                            \
  "WHERE (NULLIF($1, '') IS NULL OR a.participant_id = NULLIF($1, '')::uuid) " \
  "AND ($2 = '' OR a.type = $2) AND ($3 = '' OR a.state = $3) "                \
  "AND ($4::date IS NULL OR a.period = $4::date) "                             \
  "AND (NOT $5::boolean OR (a.state IN ('SUBMITTED', 'IN_REVIEW') AND a.due_time < $6)) "

inline constexpr Query kNextApplicationNumber{
    "next_application_number",
    "INSERT INTO application_number_counters (year, last_number) VALUES ($1, 1) "
    "ON CONFLICT (year) DO UPDATE SET last_number = application_number_counters.last_number + 1 "
    "RETURNING last_number"};

inline constexpr Query kGetApplication{"get_application",
                                       "SELECT " GRIDBILL_APPLICATION_COLUMNS
                                       "FROM applications a WHERE a.id = $1::uuid"};

inline constexpr Query kListApplications{
    "list_applications",
    "SELECT " GRIDBILL_APPLICATION_COLUMNS "FROM applications a " GRIDBILL_APPLICATION_FILTER
    "AND ($8::timestamptz IS NULL OR (a.create_time, a.id) < ($8::timestamptz, $9::uuid)) "
    "ORDER BY a.create_time DESC, a.id DESC LIMIT $7"};

// The change feed: applications written by transactions older than every
// one still open, after the position ($8 xid, $9 seq; NULL from the first
// change), oldest change first.
inline constexpr Query kApplicationChanges{
    "application_changes",
    "SELECT " GRIDBILL_APPLICATION_COLUMNS
    ", a.change_xid::text AS change_xid, a.change_seq FROM applications "
    "a " GRIDBILL_APPLICATION_FILTER
    "AND a.change_xid < pg_snapshot_xmin(pg_current_snapshot()) "
    "AND ($8::xid8 IS NULL OR (a.change_xid, a.change_seq) > ($8::xid8, $9::bigint)) "
    "ORDER BY a.change_xid, a.change_seq LIMIT $7"};

inline constexpr Query kCountListApplications{
    "count_list_applications", "SELECT count(*) FROM applications a " GRIDBILL_APPLICATION_FILTER};

// Per current state: applications submitted in [$1, $2), of them decided, of
// them overdue at $5.
inline constexpr Query kCountApplications{
    "count_applications",
    "SELECT a.state, count(*) AS received, "
    "count(*) FILTER (WHERE a.state IN ('APPROVED', 'REJECTED') "
    "OR (a.state = 'CLOSED' AND a.decide_time IS NOT NULL)) AS processed, "
    "count(*) FILTER (WHERE a.state IN ('SUBMITTED', 'IN_REVIEW') AND a.due_time < $5) AS overdue "
    "FROM applications a WHERE a.submit_time >= $1 AND a.submit_time < $2 "
    "AND (NULLIF($3, '') IS NULL OR a.participant_id = NULLIF($3, '')::uuid) "
    "AND ($4 = '' OR a.type = $4) GROUP BY a.state"};

inline constexpr Query kInsertApplication{
    "insert_application",
    "INSERT INTO applications (number, participant_id, type, state, period, contract_id, subject, "
    "body, submit_time, due_time, resolution, decide_time, close_time, version, create_time, "
    "update_time) VALUES ($1, $2::uuid, $3, $4, $5, NULLIF($6, '')::uuid, $7, $8, $9, $10, $11, "
    "$12, $13, $14, $15, $16) RETURNING id"};

inline constexpr Query kUpdateApplication{
    "update_application",
    "UPDATE applications SET state = $3, period = $4, contract_id = NULLIF($5, '')::uuid, "
    "subject = $6, body = $7, submit_time = $8, due_time = $9, resolution = $10, "
    "decide_time = $11, close_time = $12, version = $13, update_time = $14 "
    "WHERE id = $1::uuid AND version = $2"};

inline constexpr Query kDeleteDeclaredVolumes{
    "delete_declared_volumes",
    "DELETE FROM application_declared_volumes WHERE application_id = $1::uuid"};

inline constexpr Query kInsertDeclaredVolumes{
    "insert_declared_volumes",
    "INSERT INTO application_declared_volumes (application_id, ordinal, service_type, volume_wh) "
    "SELECT $1::uuid, t.ord, t.service_type, t.volume_wh::bigint "
    "FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(service_type, volume_wh, ord)"};

inline constexpr Query kInsertComment{
    "insert_application_comment",
    "INSERT INTO application_comments (application_id, author, text, create_time) "
    "VALUES ($1::uuid, $2, $3, $4) RETURNING id"};

// A page of comments: $2, $3 the key of the last one already returned (NULL
// for the first page), $4 the page size + 1.
inline constexpr Query kListComments{
    "list_application_comments",
    "SELECT id, application_id, author, text, create_time, create_time::text AS create_time_key, "
    "seq "
    "FROM application_comments WHERE application_id = $1::uuid "
    "AND ($2::text IS NULL OR (create_time, seq) > ($2::timestamptz, $3::bigint)) "
    "ORDER BY create_time, seq LIMIT $4"};

#undef GRIDBILL_REFERENCE_COLUMNS
#undef GRIDBILL_REFERENCE_FILTER
#undef GRIDBILL_HISTORY_INSERT
#undef GRIDBILL_HISTORY_SELECT
#undef GRIDBILL_PARTICIPANT_COLUMNS
#undef GRIDBILL_PARTICIPANT_FILTER
#undef GRIDBILL_CONTRACT_COLUMNS
#undef GRIDBILL_CONTRACT_FILTER
#undef GRIDBILL_TARIFF_COLUMNS
#undef GRIDBILL_APPLICATION_COLUMNS
#undef GRIDBILL_APPLICATION_FILTER

}  // namespace gridbill::contracts::queries
