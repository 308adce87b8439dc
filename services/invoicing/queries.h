// Every SQL statement of the invoicing service, named once; the name is the
// prepared statement's name and the metric label.
#pragma once

#include "gridbill/pg/query.h"

namespace gridbill::invoicing::queries {

using pg::Query;

inline constexpr Query kSelectVatRates{
    "select_vat_rates", "SELECT valid_from, rate_percent::text FROM vat_rates ORDER BY valid_from"};
// A page: $1 the valid_from of the last rate already returned (NULL for the
// first page), $2 the page size + 1.
inline constexpr Query kListVatRates{
    "list_vat_rates",
    "SELECT valid_from, rate_percent::text, valid_from::text AS valid_from_key FROM vat_rates "
    "WHERE ($1::date IS NULL OR valid_from > $1::date) ORDER BY valid_from LIMIT $2"};

#define GRIDBILL_PERIOD_COLS "period, state, open_time, closing_time, close_time"

inline constexpr Query kSelectPeriod{
    "select_period", "SELECT " GRIDBILL_PERIOD_COLS " FROM periods WHERE period = $1"};
inline constexpr Query kSelectPeriodForUpdate{"select_period_for_update",
                                              "SELECT " GRIDBILL_PERIOD_COLS
                                              " FROM periods WHERE period = $1 FOR UPDATE"};
inline constexpr Query kSelectPeriodForShare{
    "select_period_for_share", "SELECT state FROM periods WHERE period = $1 FOR SHARE"};
inline constexpr Query kEnsurePeriod{
    "ensure_period",
    "INSERT INTO periods (period, state, open_time) VALUES ($1, 'open', $2) "
    "ON CONFLICT (period) DO NOTHING"};
inline constexpr Query kUpdatePeriodState{
    "update_period_state",
    "UPDATE periods SET state = $2, closing_time = COALESCE($3, closing_time), "
    "close_time = COALESCE($4, close_time) WHERE period = $1 RETURNING " GRIDBILL_PERIOD_COLS};
inline constexpr Query kListPeriods{"list_periods",
                                    "SELECT " GRIDBILL_PERIOD_COLS
                                    " FROM periods WHERE ($1::text IS NULL OR period < $1) "
                                    "ORDER BY period DESC LIMIT $2"};

// A run with its job's state and progress (jobs.state: 1 pending ... 5 cancelled).
#define GRIDBILL_RUN_COLS                                                             \
  "r.id, r.period, r.run_type, r.balance_run_id, j.state, j.done, j.total, "          \
  "r.documents_issued, r.contracts_skipped, r.contracts_failed, j.summary, j.error, " \
  "r.start_time, j.finish_time, r.contracts_not_billed, r.billed_balance_run_id, "    \
  "r.billed_balance_run_type"

inline constexpr Query kInsertRun{
    "insert_run",
    "INSERT INTO invoice_runs (id, period, run_type, balance_run_id, start_time) "
    "VALUES ($1, $2, $3, $4, $5)"};
inline constexpr Query kSelectRun{"select_run", "SELECT " GRIDBILL_RUN_COLS
                                                " FROM invoice_runs r JOIN jobs j ON j.id = r.id "
                                                "WHERE r.id = $1"};
inline constexpr Query kListRuns{"list_runs",
                                 "SELECT " GRIDBILL_RUN_COLS
                                 " FROM invoice_runs r JOIN jobs j ON j.id = r.id "
                                 "WHERE ($1 = '' OR r.period = $1) AND ($2::timestamptz IS NULL "
                                 "OR r.start_time < $2::timestamptz OR (r.start_time = "
                                 "$2::timestamptz AND r.id > $3)) "
                                 "ORDER BY r.start_time DESC, r.id LIMIT $4"};
// The change feed of runs: a run's position is the later of its row's and
// its job's; only runs written by transactions older than every one still
// open, after the position ($2 xid, $3 seq; NULL from the first change).
inline constexpr Query kRunChanges{
    "run_changes",
    "SELECT c.*, c.cx::text AS change_xid, c.cs AS change_seq FROM (SELECT " GRIDBILL_RUN_COLS
    ", CASE WHEN (r.change_xid, r.change_seq) > (j.change_xid, j.change_seq) "
    "THEN r.change_xid ELSE j.change_xid END AS cx, "
    "CASE WHEN (r.change_xid, r.change_seq) > (j.change_xid, j.change_seq) "
    "THEN r.change_seq ELSE j.change_seq END AS cs "
    "FROM invoice_runs r JOIN jobs j ON j.id = r.id WHERE ($1 = '' OR r.period = $1)) c "
    "WHERE c.cx < pg_snapshot_xmin(pg_current_snapshot()) "
    "AND ($2::xid8 IS NULL OR (c.cx, c.cs) > ($2::xid8, $3::bigint)) "
    "ORDER BY c.cx, c.cs LIMIT $4"};
// Every UPDATE of invoice_runs stamps the run's change-feed position
// (change_xid, change_seq: V007, V008) in the statement itself.
#define GRIDBILL_RUN_CHANGE_STAMP \
  "change_xid = pg_current_xact_id(), change_seq = nextval('change_feed_seq')"

inline constexpr Query kSetBilledRun{"set_billed_run",
                                     "UPDATE invoice_runs SET billed_balance_run_id = $2, "
                                     "billed_balance_run_type = $3, " GRIDBILL_RUN_CHANGE_STAMP
                                     " WHERE id = $1"};
// The plan of a run split before its pieces carried their contracts.
inline constexpr Query kPieceContracts{
    "piece_contracts",
    "SELECT contract_id, contract_number, participant_id, service, signed_on, valid_from, "
    "valid_to, due_day, bill_from, bill_to, whole_period, refusal FROM invoice_run_contracts "
    "WHERE run_id = $1 AND piece_no = $2 ORDER BY position"};
// A piece that issued nothing adds to the run's counters (kClaimBillingsCounted
// does it for the others), in its own transaction.
inline constexpr Query kAddRunCounts{
    "add_run_counts",
    "UPDATE invoice_runs SET documents_issued = documents_issued + $2, "
    "contracts_skipped = contracts_skipped + $3, contracts_failed = contracts_failed + $4, "
    "contracts_not_billed = contracts_not_billed + $5, " GRIDBILL_RUN_CHANGE_STAMP
    " WHERE id = $1"};
// A contract is recorded once per run (a piece is stored once).
inline constexpr Query kUpsertNotBilled{
    "upsert_not_billed",
    "INSERT INTO invoice_run_not_billed (run_id, contract_id, contract_number, volume_wh, reason) "
    "SELECT $1, c, n, v, r FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[]) "
    "AS t(c, n, v, r) ON CONFLICT (run_id, contract_id) DO UPDATE SET "
    "contract_number = EXCLUDED.contract_number, volume_wh = EXCLUDED.volume_wh, "
    "reason = EXCLUDED.reason"};
inline constexpr Query kSelectNotBilled{
    "select_not_billed",
    "SELECT contract_id, contract_number, volume_wh, reason FROM invoice_run_not_billed "
    "WHERE run_id = $1 ORDER BY contract_number, contract_id"};

// Claims (contract, period, basis) pairs; returns the ones claimed now.
inline constexpr Query kClaimBillings{
    "claim_billings",
    "INSERT INTO billings (contract_id, period, basis, invoice_run_id) "
    "SELECT c, $2, b, $4 FROM unnest($1::text[], $3::text[]) AS t(c, b) "
    "ON CONFLICT DO NOTHING RETURNING contract_id, basis"};
// The same for a piece of run $9, which adds to the run's counters in the
// same statement: the documents of the groups claimed now ($5: each
// group's count), the groups already claimed and the contracts a
// correction left unchanged ($6) as skipped, failed ($7), not billed ($8).
inline constexpr Query kClaimBillingsCounted{
    "claim_billings_counted",
    "WITH claimed AS (INSERT INTO billings (contract_id, period, basis, invoice_run_id) "
    "SELECT c, $2, b, $4 FROM unnest($1::text[], $3::text[]) AS t(c, b) "
    "ON CONFLICT DO NOTHING RETURNING contract_id, basis), "
    "counted AS (UPDATE invoice_runs SET documents_issued = documents_issued + "
    "(SELECT COALESCE(sum(g.d), 0) FROM unnest($1::text[], $3::text[], $5::bigint[]) "
    "AS g(c, b, d) JOIN claimed ON claimed.contract_id = g.c AND claimed.basis = g.b), "
    "contracts_skipped = contracts_skipped + $6 + cardinality($1::text[]) - "
    "(SELECT count(*) FROM claimed), "
    "contracts_failed = contracts_failed + $7, contracts_not_billed = contracts_not_billed + "
    "$8, " GRIDBILL_RUN_CHANGE_STAMP
    " WHERE id = $9 RETURNING 1) "
    "SELECT contract_id, basis FROM claimed"};
// Takes $3[i] numbers of type $1[i] and year $2[i], in the arrays' order
// (callers give a fixed one, so that two issuers lock the counters alike);
// returns the last one taken of each. The rows stay locked until the
// issuing transaction ends.
inline constexpr Query kTakeNumbers{
    "take_numbers",
    "INSERT INTO doc_counters (doc_type, year, last_seq) "
    "SELECT t, y, n FROM unnest($1::text[], $2::bigint[], $3::bigint[]) WITH ORDINALITY "
    "AS u(t, y, n, o) ORDER BY o "
    "ON CONFLICT (doc_type, year) DO UPDATE SET last_seq = doc_counters.last_seq + "
    "EXCLUDED.last_seq "
    "RETURNING doc_type, year, last_seq"};

inline constexpr const char* kCopyDocuments =
    "COPY documents (id, doc_type, number, year, seq, issue_date, turnover_date, period, "
    "participant_id, customer_bin, customer_name, customer_address, contract_id, contract_number, "
    "contract_date, invoice_run_id, related_id, related_number, related_date, delivery_doc_number, "
    "delivery_doc_date, provisional, amount_tiyn, vat_tiyn, total_tiyn, due_date, created_at) "
    "FROM STDIN";
inline constexpr const char* kCopyLines =
    "COPY document_lines (document_id, line_no, service_type, description, from_date, to_date, "
    "volume_wh, price_per_kwh, amount_tiyn, vat_rate_percent, vat_tiyn, total_tiyn, tariff_id, "
    "tariff_version, balance_run_id, balance_run_type, estimated_share, missing_share) FROM STDIN";

#define GRIDBILL_DOC_COLS                                                                        \
  "id, doc_type, number, year, seq, issue_date, turnover_date, period, participant_id, "         \
  "customer_bin, customer_name, customer_address, contract_id, contract_number, contract_date, " \
  "invoice_run_id, related_id, related_number, related_date, delivery_doc_number, "              \
  "delivery_doc_date, provisional, amount_tiyn, vat_tiyn, total_tiyn, due_date, pdf_sha256, "    \
  "created_at"

inline constexpr Query kSelectDocument{"select_document",
                                       "SELECT " GRIDBILL_DOC_COLS " FROM documents WHERE id = $1"};
inline constexpr Query kSelectLines{
    "select_lines",
    "SELECT document_id, line_no, service_type, description, from_date, to_date, volume_wh, "
    "price_per_kwh::text, amount_tiyn, vat_rate_percent::text, vat_tiyn, total_tiyn, tariff_id, "
    "tariff_version, balance_run_id, balance_run_type, estimated_share::text, "
    "missing_share::text FROM document_lines WHERE document_id = ANY($1::text[]) "
    "ORDER BY document_id, line_no"};

#define GRIDBILL_DOC_FILTER                                                       \
  "WHERE ($1 = '' OR participant_id = $1) AND ($2 = '' OR contract_id = $2) AND " \
  "($3 = '' OR period = $3) AND ($4 = '' OR doc_type = $4) AND "                  \
  "($5 = '' OR invoice_run_id = $5)"

// Keyset pages ($6 rows, size + 1; $7.. the last row's key, NULL on the
// first page), so a page costs the same however far the list goes.
inline constexpr Query kListDocuments{
    "list_documents",
    "SELECT " GRIDBILL_DOC_COLS " FROM documents " GRIDBILL_DOC_FILTER
    " AND ($7::text IS NULL OR (doc_type, year, seq) > ($7::text, $8::integer, $9::bigint)) "
    "ORDER BY doc_type, year, seq LIMIT $6"};
// Where a type stands among documents issued together, newest-first order.
#define GRIDBILL_DOC_RANK(x)                                                              \
  "CASE " x                                                                               \
  " WHEN 'invoice' THEN 0 WHEN 'debit_note' THEN 1 WHEN 'credit_note' THEN 2 WHEN 'act' " \
  "THEN 3 ELSE 4 END"
// The same, newest issued first (DocumentOrder::kNewestFirst): documents of
// one issue (same date and created_at) with the receivables first, then the
// acts and ESF; (doc_type, year, seq) is unique, so the order is total. The
// key is (issue_date, created_at, doc_type, year, seq); the rank is negated
// so that one row comparison follows the mixed directions.
inline constexpr Query kListDocumentsNewest{
    "list_documents_newest",
    "SELECT " GRIDBILL_DOC_COLS " FROM documents " GRIDBILL_DOC_FILTER
    " AND ($7::date IS NULL OR (issue_date, created_at, -(" GRIDBILL_DOC_RANK(
        "doc_type") "), year, seq) < ($7::date, $8::timestamptz, -(" GRIDBILL_DOC_RANK("$9::text") "), "
    "$10::integer, $11::bigint)) "
    "ORDER BY issue_date DESC, created_at DESC, " GRIDBILL_DOC_RANK(
        "doc_type") ", year DESC, seq DESC LIMIT $6"};
// The change feed: documents written by transactions older than every one
// still open, after the position ($7 xid, $8 seq; NULL from the first), $6 rows.
inline constexpr Query kDocumentChanges{
    "document_changes",
    "SELECT " GRIDBILL_DOC_COLS
    ", change_xid::text AS change_xid, change_seq FROM documents " GRIDBILL_DOC_FILTER
    " AND change_xid < pg_snapshot_xmin(pg_current_snapshot()) "
    "AND ($7::xid8 IS NULL OR (change_xid, change_seq) > ($7::xid8, $8::bigint)) "
    "ORDER BY change_xid, change_seq LIMIT $6"};
// The total of a list's first page.
inline constexpr Query kCountDocuments{"count_documents",
                                       "SELECT count(*) FROM documents " GRIDBILL_DOC_FILTER};
// Documents of a period by type (the month-close gauge; documents_period).
inline constexpr Query kCountDocumentsByType{
    "count_documents_by_type",
    "SELECT doc_type, count(*) FROM documents WHERE period = $1 GROUP BY doc_type"};
inline constexpr Query kChargedDocuments{
    "charged_documents",
    "SELECT " GRIDBILL_DOC_COLS
    " FROM documents WHERE contract_id = $1 AND period = $2 "
    "AND doc_type IN ('invoice', 'credit_note', 'debit_note') ORDER BY created_at, doc_type, seq"};
inline constexpr Query kEsfOf{
    "esf_of", "SELECT " GRIDBILL_DOC_COLS
              " FROM documents WHERE contract_id = $1 "
              "AND invoice_run_id = $2 AND period = $3 AND doc_type = 'esf' ORDER BY seq LIMIT 1"};
inline constexpr Query kReceivableDocuments{
    "receivable_documents",
    "SELECT " GRIDBILL_DOC_COLS
    " FROM documents "
    "WHERE doc_type IN ('invoice', 'credit_note', 'debit_note') "
    "AND ($1 = '' OR participant_id = $1) AND ($2 = '' OR contract_id = $2) "
    "ORDER BY contract_id, issue_date, created_at, doc_type, seq"};
// The same for a set of contracts ($1: their ids).
inline constexpr Query kReceivableDocumentsOf{
    "receivable_documents_of",
    "SELECT " GRIDBILL_DOC_COLS
    " FROM documents "
    "WHERE doc_type IN ('invoice', 'credit_note', 'debit_note') AND contract_id = ANY($1::text[]) "
    "ORDER BY contract_id, issue_date, created_at, doc_type, seq"};

inline constexpr Query kSelectPdf{"select_pdf",
                                  "SELECT pdf, sha256 FROM document_pdfs WHERE document_id = $1"};
inline constexpr Query kInsertPdf{
    "insert_pdf",
    "INSERT INTO document_pdfs (document_id, pdf, sha256) VALUES ($1, $2, $3) "
    "ON CONFLICT (document_id) DO NOTHING"};
inline constexpr Query kSetPdfSha{
    "set_pdf_sha", "UPDATE documents SET pdf_sha256 = $2 WHERE id = $1 AND pdf_sha256 IS NULL"};

#define GRIDBILL_PAYMENT_COLS                                                            \
  "id, reference, value_date, payer_bin, contract_id, contract_number, participant_id, " \
  "amount_tiyn, purpose"

inline constexpr Query kPaymentsByReference{"payments_by_reference",
                                            "SELECT " GRIDBILL_PAYMENT_COLS
                                            " FROM payments WHERE reference = ANY($1::text[]) "
                                            "ORDER BY value_date, reference"};
inline constexpr Query kInsertPayment{
    "insert_payment", "INSERT INTO payments (" GRIDBILL_PAYMENT_COLS
                      ", created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"};
inline constexpr Query kListPayments{
    "list_payments", "SELECT " GRIDBILL_PAYMENT_COLS
                     " FROM payments WHERE ($1 = '' OR participant_id = $1) "
                     "AND ($2 = '' OR contract_id = $2) ORDER BY value_date, reference"};
inline constexpr Query kPaymentsOfContracts{"payments_of_contracts",
                                            "SELECT " GRIDBILL_PAYMENT_COLS
                                            " FROM payments WHERE contract_id = ANY($1::text[]) "
                                            "ORDER BY value_date, reference"};
// A page of the same: $3, $4 the key (value date, reference) of the last
// payment already returned (NULL for the first page), $5 the page size + 1.
inline constexpr Query kListPaymentsPage{
    "list_payments_page",
    "SELECT " GRIDBILL_PAYMENT_COLS
    ", value_date::text AS value_date_key FROM payments "
    "WHERE ($1 = '' OR participant_id = $1) AND ($2 = '' OR contract_id = $2) "
    "AND ($3::date IS NULL OR (value_date, reference) > ($3::date, $4::text)) "
    "ORDER BY value_date, reference LIMIT $5"};

// The change feed of payments, as kDocumentChanges ($3 xid, $4 seq, $5 rows).
inline constexpr Query kPaymentChanges{
    "payment_changes",
    "SELECT " GRIDBILL_PAYMENT_COLS
    ", change_xid::text AS change_xid, change_seq FROM payments "
    "WHERE ($1 = '' OR participant_id = $1) AND ($2 = '' OR contract_id = $2) "
    "AND change_xid < pg_snapshot_xmin(pg_current_snapshot()) "
    "AND ($3::xid8 IS NULL OR (change_xid, change_seq) > ($3::xid8, $4::bigint)) "
    "ORDER BY change_xid, change_seq LIMIT $5"};

}  // namespace gridbill::invoicing::queries
