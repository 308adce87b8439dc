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
                                    " FROM periods ORDER BY period DESC LIMIT $1 OFFSET $2"};

#define GRIDBILL_RUN_COLS                                                               \
  "id, period, run_type, balance_run_id, state, done, total, documents_issued, "        \
  "contracts_skipped, contracts_failed, summary, error, cancel_requested, start_time, " \
  "finish_time, contracts_not_billed"

inline constexpr Query kInsertRun{
    "insert_run",
    "INSERT INTO invoice_runs (" GRIDBILL_RUN_COLS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"};
inline constexpr Query kSelectRun{"select_run",
                                  "SELECT " GRIDBILL_RUN_COLS " FROM invoice_runs WHERE id = $1"};
inline constexpr Query kListRuns{"list_runs", "SELECT " GRIDBILL_RUN_COLS
                                              " FROM invoice_runs WHERE ($1 = '' OR period = $1) "
                                              "ORDER BY start_time DESC, id LIMIT $2 OFFSET $3"};
inline constexpr Query kUpdateRun{
    "update_run",
    "UPDATE invoice_runs SET state = $2, done = $3, total = $4, documents_issued = $5, "
    "contracts_skipped = $6, contracts_failed = $7, summary = $8, error = $9, finish_time = $10, "
    "contracts_not_billed = $11 WHERE id = $1"};
// A resumed run records its contracts again: the reason of the last pass wins.
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
inline constexpr Query kCancelRun{"cancel_run",
                                  "UPDATE invoice_runs SET cancel_requested = true "
                                  "WHERE id = $1 AND state IN ('pending', 'running')"};
inline constexpr Query kUnfinishedRuns{
    "unfinished_runs",
    "SELECT id FROM invoice_runs WHERE state IN ('pending', 'running') ORDER BY start_time, id"};

// Claims (contract, period, basis) pairs; returns the ones claimed now.
inline constexpr Query kClaimBillings{
    "claim_billings",
    "INSERT INTO billings (contract_id, period, basis, invoice_run_id) "
    "SELECT c, $2, b, $4 FROM unnest($1::text[], $3::text[]) AS t(c, b) "
    "ON CONFLICT DO NOTHING RETURNING contract_id, basis"};
// Takes `$3` numbers of a type and year; returns the last one. The row stays
// locked until the issuing transaction ends.
inline constexpr Query kTakeNumbers{
    "take_numbers",
    "INSERT INTO doc_counters (doc_type, year, last_seq) VALUES ($1, $2, $3) "
    "ON CONFLICT (doc_type, year) DO UPDATE SET last_seq = doc_counters.last_seq + "
    "EXCLUDED.last_seq "
    "RETURNING last_seq"};

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

inline constexpr Query kListDocuments{
    "list_documents", "SELECT " GRIDBILL_DOC_COLS " FROM documents " GRIDBILL_DOC_FILTER
                      " ORDER BY doc_type, year, seq LIMIT $6 OFFSET $7"};
inline constexpr Query kCountDocuments{"count_documents",
                                       "SELECT count(*) FROM documents " GRIDBILL_DOC_FILTER};
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
// A page of the same: $3, $4 the key (value date, reference) of the last
// payment already returned (NULL for the first page), $5 the page size + 1.
inline constexpr Query kListPaymentsPage{
    "list_payments_page",
    "SELECT " GRIDBILL_PAYMENT_COLS
    ", value_date::text AS value_date_key FROM payments "
    "WHERE ($1 = '' OR participant_id = $1) AND ($2 = '' OR contract_id = $2) "
    "AND ($3::date IS NULL OR (value_date, reference) > ($3::date, $4::text)) "
    "ORDER BY value_date, reference LIMIT $5"};

}  // namespace gridbill::invoicing::queries
