#include "pg_store.h"

#include <algorithm>
#include <functional>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/jobs/pg_jobs.h"
#include "queries.h"

namespace gridbill::reporting {
namespace {

namespace q = queries;

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }
std::string Day(absl::CivilMonth m) { return absl::FormatCivilTime(absl::CivilDay(m)); }

std::optional<absl::CivilDay> DayOf(const std::optional<absl::CivilMonth>& m) {
  if (!m) return std::nullopt;
  return absl::CivilDay(*m);
}

std::optional<absl::CivilMonth> MonthOf(const std::optional<absl::CivilDay>& d) {
  if (!d) return std::nullopt;
  return absl::CivilMonth(*d);
}

Schedule ScheduleOf(const pg::Row& r) {
  Schedule s;
  s.id = r.String("id");
  s.report = r.String("report");
  s.params.period_from = MonthOf(r.OptionalDate("period_from"));
  s.params.period_to = MonthOf(r.OptionalDate("period_to"));
  s.params.region_code = r.String("region_code");
  s.params.participant_id = r.String("participant_id");
  s.params.service_type = static_cast<int>(r.Int("service_type"));
  s.period = static_cast<SchedulePeriod>(r.Int("period_mode"));
  s.format = static_cast<Format>(r.Int("format"));
  s.language = static_cast<Language>(r.Int("language"));
  s.day_of_month = static_cast<int>(r.Int("day_of_month"));
  s.hour = static_cast<int>(r.Int("hour"));
  s.minute = static_cast<int>(r.Int("minute"));
  s.time_zone = r.String("time_zone");
  s.retention_days = static_cast<int>(r.Int("retention_days"));
  s.next_run_time = r.Time("next_run_time");
  s.last_run_time = r.OptionalTime("last_run_time");
  s.last_error = r.String("last_error");
  s.created_by = r.String("created_by");
  return s;
}

ReportFile FileOf(const pg::Row& r) {
  ReportFile f;
  f.id = r.String("id");
  f.schedule_id = r.String("schedule_id");
  f.report = r.String("report");
  f.params.period_from = MonthOf(r.OptionalDate("period_from"));
  f.params.period_to = MonthOf(r.OptionalDate("period_to"));
  f.params.region_code = r.String("region_code");
  f.params.participant_id = r.String("participant_id");
  f.params.service_type = static_cast<int>(r.Int("service_type"));
  f.format = static_cast<Format>(r.Int("format"));
  f.language = static_cast<Language>(r.Int("language"));
  f.file_name = r.String("file_name");
  f.content_type = r.String("content_type");
  f.size_bytes = r.Int("size_bytes");
  f.sha256 = r.String("sha256");
  f.rows = r.Int("rows");
  f.scheduled_time = r.Time("scheduled_time");
  f.create_time = r.Time("create_time");
  f.freshness = Freshness{r.String("refresh_id"), r.Time("as_of")};
  f.expire_time = r.Time("expire_time");
  return f;
}

// One array parameter of the rows of `batch`: `field` is a member pointer
// or a function of a row; strings make a text array, integers and bools an
// integer array.
template <typename Row, typename Field>
void AddColumn(pg::Params& params, absl::Span<const Row> batch, Field field) {
  using T = std::decay_t<std::invoke_result_t<Field, const Row&>>;
  if constexpr (std::is_same_v<T, std::string>) {
    std::vector<std::string> column;
    column.reserve(batch.size());
    for (const Row& row : batch) column.push_back(std::invoke(field, row));
    params.AddTextArray(column);
  } else {
    static_assert(std::is_integral_v<T>, "a column is text or an integer");
    std::vector<int64_t> column;
    column.reserve(batch.size());
    for (const Row& row : batch) column.push_back(static_cast<int64_t>(std::invoke(field, row)));
    params.AddIntArray(column);
  }
}

// An insert's parameters from a batch: one array per field, in order.
template <typename Row, typename... Fields>
pg::Params Columns(absl::Span<const Row> batch, Fields... fields) {
  pg::Params params;
  (AddColumn(params, batch, fields), ...);
  return params;
}

// Inserts `rows` `batch` at a time; `params_of` makes one statement's
// parameters (one array per column) from a batch.
template <typename Row, typename ParamsOf>
absl::Status InsertBatches(pg::Transaction& tx, const pg::Query& insert,
                           const std::vector<Row>& rows, size_t batch, ParamsOf params_of) {
  for (size_t from = 0; from < rows.size(); from += batch) {
    const size_t n = std::min(rows.size() - from, batch);
    RETURN_IF_ERROR(
        tx.Execute(insert, params_of(absl::MakeConstSpan(rows).subspan(from, n))).status());
  }
  return absl::OkStatus();
}

// A piece's body for a table replaced a whole month at a time: deletes the
// months of `runs`, records the billing run each was read from, inserts
// `rows` (R1's node totals, R4's point quality).
template <typename Row, typename ParamsOf>
absl::Status ReplaceMonths(pg::Transaction& tx, const q::MonthsTable& table,
                           const std::vector<BillingRunRef>& runs, const std::vector<Row>& rows,
                           ParamsOf params_of) {
  if (runs.empty()) return absl::OkStatus();
  std::vector<std::string> periods, run_ids;
  for (const BillingRunRef& r : runs) {
    periods.push_back(Day(r.period));
    run_ids.push_back(r.run_id);
  }
  pg::Params del;
  del.AddTextArray(periods);
  RETURN_IF_ERROR(tx.Execute(table.delete_months, del).status());
  pg::Params read;
  read.AddTextArray(periods).AddTextArray(run_ids);
  RETURN_IF_ERROR(tx.Execute(table.upsert_read, read).status());
  return InsertBatches(tx, table.insert, rows, 5000, params_of);
}

// The billing run each month of `table` was read from.
absl::StatusOr<std::map<absl::CivilMonth, std::string>> MonthsRead(pg::Pool& pool,
                                                                   const q::MonthsTable& table) {
  ASSIGN_OR_RETURN(pg::Result rows, pool.Execute(table.select_read));
  std::map<absl::CivilMonth, std::string> out;
  for (const pg::Row& r : rows) {
    out[absl::CivilMonth(r.Date("period"))] = r.String("balance_run_id");
  }
  return out;
}

}  // namespace

absl::Status PgStore::CreateRefresh(const Refresh& refresh,
                                    const std::vector<jobs::PieceSpec>& pieces, absl::Time now) {
  return pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.Exec(q::kInsertRefresh, refresh.id, refresh.created_by, now).status());
    return jobs::PgJobs::InsertSplit(tx, refresh.id, kRefreshKind, pieces, now);
  });
}

absl::StatusOr<Refresh> PgStore::GetRefresh(const std::string& id) {
  return pool_.TransactValue<Refresh>([&](pg::Transaction& tx) -> absl::StatusOr<Refresh> {
    ASSIGN_OR_RETURN(pg::Result rows, tx.Exec(q::kSelectRefresh, id));
    if (rows.empty()) return NotFound("refresh", id);
    Refresh r;
    r.id = rows[0].String("id");
    r.created_by = rows[0].String("created_by");
    ASSIGN_OR_RETURN(pg::Result sources, tx.Exec(q::kSelectRefreshSources, id));
    for (const pg::Row& s : sources) {
      r.sources.push_back({s.String("source"), s.Int("fetched"), s.String("mode")});
    }
    ASSIGN_OR_RETURN(r.job, jobs::PgJobs::Get(tx, id));
    return r;
  });
}

absl::StatusOr<std::optional<Freshness>> PgStore::LatestFreshness() {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Execute(q::kLatestFreshness));
  if (rows.empty()) return std::optional<Freshness>();
  return std::optional<Freshness>(Freshness{rows[0].String("id"), rows[0].Time("finish_time")});
}

absl::StatusOr<std::string> PgStore::Cursor(const std::string& source) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kSelectCursor, source));
  if (rows.empty()) return std::string();
  return rows[0].String("cursor");
}

absl::StatusOr<std::set<std::string>> PgStore::RunsRead() {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Execute(q::kSelectRunsRead));
  std::set<std::string> out;
  for (const pg::Row& r : rows) out.insert(r.String("id"));
  return out;
}

absl::StatusOr<jobs::Completion> PgStore::StorePiece(
    const jobs::Claim& claim, const SourceCount& count, const std::string& cursor, absl::Time now,
    absl::FunctionRef<absl::Status(pg::Transaction&)> write) {
  absl::StatusOr<jobs::Completion> stored = pool_.TransactValue<jobs::Completion>(
      [&](pg::Transaction& tx) -> absl::StatusOr<jobs::Completion> {
        ASSIGN_OR_RETURN(bool held, jobs::PgJobs::FencePiece(tx, claim));
        if (!held) return jobs::Completion::kDiscarded;
        RETURN_IF_ERROR(write(tx));
        RETURN_IF_ERROR(
            tx.Exec(q::kInsertRefreshSource, claim.job_id, count.source, count.fetched, count.mode)
                .status());
        RETURN_IF_ERROR(
            tx.Exec(q::kUpsertCursor, count.source, cursor, claim.job_id, now).status());
        return jobs::PgJobs::CompletePiece(
            tx, claim, absl::StrCat(count.source, ": ", count.fetched, " (", count.mode, ")"), now);
      });
  // Taken over after the fence: rolled back, the new holder stores the piece.
  if (!stored.ok() && jobs::PgJobs::IsClaimLost(stored.status())) {
    return jobs::Completion::kDiscarded;
  }
  return stored;
}

absl::StatusOr<jobs::Completion> PgStore::StoreParticipants(
    const jobs::Claim& claim, const std::vector<ParticipantInfo>& rows, absl::Time now) {
  const SourceCount count{kSourceParticipants, static_cast<int64_t>(rows.size()), "full"};
  return StorePiece(claim, count, "full", now, [&](pg::Transaction& tx) -> absl::Status {
    if (rows.empty()) return absl::OkStatus();
    std::vector<std::string> ids, bins, names, regions;
    for (const ParticipantInfo& p : rows) {
      ids.push_back(p.id);
      bins.push_back(p.bin);
      names.push_back(p.name);
      regions.push_back(p.region_code);
    }
    pg::Params params;
    params.AddTextArray(ids).AddTextArray(bins).AddTextArray(names).AddTextArray(regions);
    return tx.Execute(q::kUpsertParticipants, params).status();
  });
}

absl::StatusOr<jobs::Completion> PgStore::StoreDocuments(
    const jobs::Claim& claim, const std::vector<InvoiceRunInfo>& runs,
    const std::vector<std::string>& runs_read, const std::vector<DocumentInfo>& documents,
    const SourceCount& count, const std::string& cursor, absl::Time now) {
  return StorePiece(claim, count, cursor, now, [&](pg::Transaction& tx) -> absl::Status {
    if (!runs.empty()) {
      std::vector<std::string> ids, periods, balance_runs;
      std::vector<int64_t> types, states, issued;
      for (const InvoiceRunInfo& r : runs) {
        ids.push_back(r.id);
        periods.push_back(Day(r.period));
        types.push_back(r.run_type);
        balance_runs.push_back(r.balance_run_id);
        states.push_back(static_cast<int64_t>(r.state));
        issued.push_back(r.documents_issued);
      }
      pg::Params params;
      params.AddTextArray(ids).AddTextArray(periods).AddIntArray(types);
      params.AddTextArray(balance_runs).AddIntArray(states).AddIntArray(issued);
      RETURN_IF_ERROR(tx.Execute(q::kUpsertRuns, params).status());
    }
    // In batches, so that one statement's arrays stay small.
    constexpr size_t kBatch = 2000;
    for (size_t from = 0; from < documents.size(); from += kBatch) {
      const size_t to = std::min(documents.size(), from + kBatch);
      std::vector<std::string> ids, numbers, periods, issue, due, participants, contracts, runs_of,
          related;
      std::vector<int64_t> types, amounts, vats, totals, opens;
      std::vector<std::string> l_doc, l_run;
      std::vector<int64_t> l_no, l_service, l_volume, l_amount, l_vat, l_total;
      for (size_t i = from; i < to; ++i) {
        const DocumentInfo& d = documents[i];
        ids.push_back(d.id);
        types.push_back(d.type);
        numbers.push_back(d.number);
        periods.push_back(Day(d.period));
        issue.push_back(Day(d.issue_date));
        due.push_back(d.due_date ? Day(*d.due_date) : "");
        participants.push_back(d.participant_id);
        contracts.push_back(d.contract_id);
        runs_of.push_back(d.invoice_run_id);
        related.push_back(d.related_document_id);
        amounts.push_back(d.amount_tiyn);
        vats.push_back(d.vat_tiyn);
        totals.push_back(d.total_tiyn);
        opens.push_back(d.open_tiyn);
        for (const DocumentLineInfo& l : d.lines) {
          l_doc.push_back(d.id);
          l_no.push_back(l.line_no);
          l_service.push_back(l.service_type);
          l_volume.push_back(l.volume_wh);
          l_amount.push_back(l.amount_tiyn);
          l_vat.push_back(l.vat_tiyn);
          l_total.push_back(l.total_tiyn);
          l_run.push_back(l.balance_run_id);
        }
      }
      pg::Params docs;
      docs.AddTextArray(ids).AddIntArray(types).AddTextArray(numbers).AddTextArray(periods);
      docs.AddTextArray(issue).AddTextArray(due).AddTextArray(participants);
      docs.AddTextArray(contracts).AddTextArray(runs_of).AddTextArray(related);
      docs.AddIntArray(amounts).AddIntArray(vats).AddIntArray(totals).AddIntArray(opens);
      RETURN_IF_ERROR(tx.Execute(q::kUpsertDocuments, docs).status());
      pg::Params del;
      del.AddTextArray(ids);
      RETURN_IF_ERROR(tx.Execute(q::kDeleteLines, del).status());
      if (!l_doc.empty()) {
        pg::Params lines;
        lines.AddTextArray(l_doc).AddIntArray(l_no).AddIntArray(l_service).AddIntArray(l_volume);
        lines.AddIntArray(l_amount).AddIntArray(l_vat).AddIntArray(l_total).AddTextArray(l_run);
        RETURN_IF_ERROR(tx.Execute(q::kInsertLines, lines).status());
      }
    }
    if (!runs_read.empty()) {
      pg::Params read;
      read.AddTextArray(runs_read);
      RETURN_IF_ERROR(tx.Execute(q::kMarkRunsRead, read).status());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<jobs::Completion> PgStore::StorePayments(const jobs::Claim& claim,
                                                        const std::vector<PaymentInfo>& rows,
                                                        const SourceCount& count,
                                                        const std::string& cursor, absl::Time now) {
  return StorePiece(claim, count, cursor, now, [&](pg::Transaction& tx) -> absl::Status {
    if (rows.empty()) return absl::OkStatus();
    std::vector<std::string> ids, refs, dates, participants, contracts;
    std::vector<int64_t> amounts, unallocated;
    for (const PaymentInfo& p : rows) {
      ids.push_back(p.id);
      refs.push_back(p.reference);
      dates.push_back(Day(p.value_date));
      participants.push_back(p.participant_id);
      contracts.push_back(p.contract_id);
      amounts.push_back(p.amount_tiyn);
      unallocated.push_back(p.unallocated_tiyn);
    }
    pg::Params params;
    params.AddTextArray(ids).AddTextArray(refs).AddTextArray(dates).AddTextArray(participants);
    params.AddTextArray(contracts).AddIntArray(amounts).AddIntArray(unallocated);
    return tx.Execute(q::kUpsertPayments, params).status();
  });
}

absl::StatusOr<std::vector<ServiceMonth>> PgStore::ServiceMonths(absl::CivilMonth from,
                                                                 absl::CivilMonth to,
                                                                 const std::string& region_code,
                                                                 const std::string& participant_id,
                                                                 int service_type) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kServiceMonths, Day(from), Day(to), region_code,
                                               participant_id, service_type));
  std::vector<ServiceMonth> out;
  out.reserve(rows.size());
  for (const pg::Row& r : rows) {
    ServiceMonth m;
    m.period = absl::CivilMonth(r.Date("period"));
    m.participant_id = r.String("participant_id");
    m.participant_name = r.String("participant_name");
    m.region_code = r.String("region_code");
    m.service_type = static_cast<int>(r.Int("service_type"));
    m.volume_wh = r.Int("volume_wh");
    m.amount_tiyn = r.Int("amount_tiyn");
    m.vat_tiyn = r.Int("vat_tiyn");
    m.total_tiyn = r.Int("total_tiyn");
    out.push_back(std::move(m));
  }
  return out;
}

absl::StatusOr<std::vector<PeriodDocuments>> PgStore::DocumentsByPeriod(
    absl::CivilMonth from, absl::CivilMonth to, const std::string& region_code) {
  ASSIGN_OR_RETURN(pg::Result rows,
                   pool_.Exec(q::kDocumentsByPeriod, Day(from), Day(to), region_code));
  std::vector<PeriodDocuments> out;
  for (const pg::Row& r : rows) {
    PeriodDocuments d;
    d.period = absl::CivilMonth(r.Date("period"));
    d.participants = r.Int("participants");
    d.contracts = r.Int("contracts");
    for (int t = 1; t <= 5; ++t) d.by_type[t] = r.Int(absl::StrCat("t", t));
    d.amount_tiyn = r.Int("amount_tiyn");
    d.vat_tiyn = r.Int("vat_tiyn");
    d.total_tiyn = r.Int("total_tiyn");
    d.invoice_runs = r.String("invoice_runs");
    d.balance_runs = r.String("balance_runs");
    out.push_back(std::move(d));
  }
  return out;
}

absl::StatusOr<std::vector<PeriodPayments>> PgStore::PaymentsByPeriod(
    absl::CivilMonth from, absl::CivilMonth to, const std::string& region_code) {
  ASSIGN_OR_RETURN(pg::Result rows,
                   pool_.Exec(q::kPaymentsByPeriod, Day(from), Day(to + 1), region_code));
  std::vector<PeriodPayments> out;
  for (const pg::Row& r : rows) {
    out.push_back({absl::CivilMonth(r.Date("period")), r.Int("payments"), r.Int("amount_tiyn")});
  }
  return out;
}

absl::StatusOr<std::vector<Receivables>> PgStore::ReceivablesOf(absl::CivilMonth from,
                                                                absl::CivilMonth to,
                                                                absl::CivilDay aging_date,
                                                                const std::string& region_code,
                                                                const std::string& participant_id) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kReceivables, Day(from), Day(to), Day(to + 1),
                                               Day(aging_date), region_code, participant_id));
  std::vector<Receivables> out;
  for (const pg::Row& r : rows) {
    Receivables x;
    x.participant_id = r.String("participant_id");
    x.participant_name = r.String("participant_name");
    x.region_code = r.String("region_code");
    x.accrued_tiyn = r.Int("accrued");
    x.paid_tiyn = r.Int("paid");
    x.open_tiyn = r.Int("open");
    x.not_due_tiyn = r.Int("not_due");
    x.d0_30_tiyn = r.Int("d0_30");
    x.d31_60_tiyn = r.Int("d31_60");
    x.d61_90_tiyn = r.Int("d61_90");
    x.over_90_tiyn = r.Int("over_90");
    out.push_back(std::move(x));
  }
  return out;
}

absl::StatusOr<int64_t> PgStore::ActOpening(const std::string& participant_id,
                                            absl::CivilDay from) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kActOpening, participant_id, from));
  return rows[0].Int("opening");
}

absl::StatusOr<std::vector<ActLine>> PgStore::ActLines(const std::string& participant_id,
                                                       absl::CivilDay from, absl::CivilDay until) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kActLines, participant_id, from, until));
  std::vector<ActLine> out;
  for (const pg::Row& r : rows) {
    out.push_back({r.Date("day"), r.Bool("payment"), static_cast<int>(r.Int("type")),
                   r.String("reference"), r.Int("amount")});
  }
  return out;
}

// --- R1 and R5 ---

absl::StatusOr<std::map<absl::CivilMonth, std::string>> PgStore::BillingRunsRead() {
  return MonthsRead(pool_, q::kNodeMonthsTable);
}

absl::StatusOr<jobs::Completion> PgStore::StoreNodeMonths(const jobs::Claim& claim,
                                                          const std::vector<BillingRunRef>& runs,
                                                          const std::vector<NodeMonth>& rows,
                                                          const SourceCount& count,
                                                          const std::string& cursor,
                                                          absl::Time now) {
  return StorePiece(claim, count, cursor, now, [&](pg::Transaction& tx) -> absl::Status {
    return ReplaceMonths(tx, q::kNodeMonthsTable, runs, rows, [](absl::Span<const NodeMonth> b) {
      return Columns(
          b, [](const NodeMonth& m) { return Day(m.period); }, &NodeMonth::node_code,
          &NodeMonth::kind, &NodeMonth::inflow_wh, &NodeMonth::outflow_wh, &NodeMonth::losses_wh,
          &NodeMonth::losses_percent, &NodeMonth::normative_loss_percent,
          &NodeMonth::above_normative, &NodeMonth::balance_run_id, &NodeMonth::consumption_wh,
          &NodeMonth::generation_wh);
    });
  });
}

absl::StatusOr<jobs::Completion> PgStore::StoreApplications(
    const jobs::Claim& claim, const std::vector<ApplicationInfo>& rows, const SourceCount& count,
    const std::string& cursor, absl::Time now) {
  auto text = [](const std::optional<absl::Time>& t) {
    return t ? absl::FormatTime(absl::RFC3339_full, *t, absl::UTCTimeZone()) : std::string();
  };
  return StorePiece(claim, count, cursor, now, [&](pg::Transaction& tx) -> absl::Status {
    constexpr size_t kBatch = 5000;
    for (size_t from = 0; from < rows.size(); from += kBatch) {
      const size_t to = std::min(rows.size(), from + kBatch);
      std::vector<std::string> ids, numbers, participants, submit, due, decide, close;
      std::vector<int64_t> types, states;
      for (size_t i = from; i < to; ++i) {
        const ApplicationInfo& a = rows[i];
        ids.push_back(a.id);
        numbers.push_back(a.number);
        participants.push_back(a.participant_id);
        types.push_back(a.type);
        states.push_back(a.state);
        submit.push_back(text(a.submit_time));
        due.push_back(text(a.due_time));
        decide.push_back(text(a.decide_time));
        close.push_back(text(a.close_time));
      }
      pg::Params params;
      params.AddTextArray(ids).AddTextArray(numbers).AddTextArray(participants);
      params.AddIntArray(types).AddIntArray(states).AddTextArray(submit).AddTextArray(due);
      params.AddTextArray(decide).AddTextArray(close);
      RETURN_IF_ERROR(tx.Execute(q::kUpsertApplications, params).status());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<NodeMonth>> PgStore::NodeMonths(absl::CivilMonth from,
                                                           absl::CivilMonth to,
                                                           const std::string& node_code) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kNodeMonths, Day(from), Day(to), node_code));
  std::vector<NodeMonth> out;
  out.reserve(rows.size());
  for (const pg::Row& r : rows) {
    NodeMonth m;
    m.period = absl::CivilMonth(r.Date("period"));
    m.node_code = r.String("node_code");
    m.kind = static_cast<int>(r.Int("kind"));
    m.inflow_wh = r.Int("inflow_wh");
    m.outflow_wh = r.Int("outflow_wh");
    m.consumption_wh = r.Int("consumption_wh");
    m.generation_wh = r.Int("generation_wh");
    m.losses_wh = r.Int("losses_wh");
    m.losses_percent = r.String("losses_percent");
    m.normative_loss_percent = r.String("normative_loss_percent");
    m.above_normative = r.Bool("above_normative");
    m.balance_run_id = r.String("balance_run_id");
    out.push_back(std::move(m));
  }
  return out;
}

absl::StatusOr<std::vector<ApplicationMonth>> PgStore::ApplicationMonths(
    absl::Time start, absl::Time end, const std::string& time_zone,
    const std::string& participant_id, absl::Time as_of) {
  ASSIGN_OR_RETURN(pg::Result rows,
                   pool_.Exec(q::kApplicationMonths, start, end, time_zone, participant_id, as_of));
  std::vector<ApplicationMonth> out;
  for (const pg::Row& r : rows) {
    ApplicationMonth m;
    m.period = absl::CivilMonth(r.Date("period"));
    m.type = static_cast<int>(r.Int("type"));
    m.received = r.Int("received");
    m.processed = r.Int("processed");
    m.closed = r.Int("closed");
    m.overdue = r.Int("overdue");
    m.median_seconds = r.OptionalInt("median_seconds");
    m.p90_seconds = r.OptionalInt("p90_seconds");
    out.push_back(m);
  }
  return out;
}

// --- R4 ---

absl::StatusOr<std::map<absl::CivilMonth, std::string>> PgStore::QualityPeriodsRead() {
  return MonthsRead(pool_, q::kPointQualityTable);
}

absl::StatusOr<jobs::Completion> PgStore::StorePointQuality(const jobs::Claim& claim,
                                                            const std::vector<BillingRunRef>& runs,
                                                            const std::vector<PointQuality>& rows,
                                                            const SourceCount& count,
                                                            const std::string& cursor,
                                                            absl::Time now) {
  return StorePiece(claim, count, cursor, now, [&](pg::Transaction& tx) -> absl::Status {
    return ReplaceMonths(
        tx, q::kPointQualityTable, runs, rows, [](absl::Span<const PointQuality> b) {
          return Columns(
              b, [](const PointQuality& x) { return Day(x.period); }, &PointQuality::participant_id,
              &PointQuality::point_code, &PointQuality::channel, &PointQuality::expected,
              &PointQuality::measured, &PointQuality::estimated, &PointQuality::edited,
              &PointQuality::missing, &PointQuality::negative, &PointQuality::spike,
              &PointQuality::flat_line, &PointQuality::gap, &PointQuality::source_mismatch);
        });
  });
}

absl::StatusOr<std::vector<PointQuality>> PgStore::PointQualityOf(
    absl::CivilMonth from, absl::CivilMonth to, const std::string& region_code,
    const std::string& participant_id) {
  ASSIGN_OR_RETURN(pg::Result rows,
                   pool_.Exec(q::kPointQuality, Day(from), Day(to), region_code, participant_id));
  std::vector<PointQuality> out;
  out.reserve(rows.size());
  for (const pg::Row& r : rows) {
    PointQuality x;
    x.period = absl::CivilMonth(r.Date("period"));
    x.participant_id = r.String("participant_id");
    x.participant_name = r.String("participant_name");
    x.point_code = r.String("point_code");
    x.channel = static_cast<int>(r.Int("channel"));
    x.expected = r.Int("expected");
    x.measured = r.Int("measured");
    x.estimated = r.Int("estimated");
    x.edited = r.Int("edited");
    x.missing = r.Int("missing");
    x.negative = r.Int("findings_negative");
    x.spike = r.Int("findings_spike");
    x.flat_line = r.Int("findings_flat_line");
    x.gap = r.Int("findings_gap");
    x.source_mismatch = r.Int("findings_source_mismatch");
    out.push_back(std::move(x));
  }
  return out;
}

absl::StatusOr<std::set<std::string>> PgStore::ForecastRunsRead() {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Execute(q::kSelectForecastRunsRead));
  std::set<std::string> out;
  for (const pg::Row& r : rows) out.insert(r.String("run_id"));
  return out;
}

absl::StatusOr<jobs::Completion> PgStore::StoreForecasts(const jobs::Claim& claim,
                                                         const std::vector<ForecastRunRef>& runs,
                                                         const std::vector<ForecastMonth>& rows,
                                                         const SourceCount& count,
                                                         const std::string& cursor,
                                                         absl::Time now) {
  return StorePiece(claim, count, cursor, now, [&](pg::Transaction& tx) -> absl::Status {
    if (runs.empty()) return absl::OkStatus();
    std::vector<std::string> ids, history;
    std::vector<int64_t> versions;
    for (const ForecastRunRef& r : runs) {
      ids.push_back(r.run_id);
      versions.push_back(r.version);
      history.push_back(Day(r.history_to));
    }
    pg::Params read;
    read.AddTextArray(ids).AddIntArray(versions).AddTextArray(history);
    RETURN_IF_ERROR(tx.Execute(q::kInsertForecastRunsRead, read).status());
    return InsertBatches(tx, q::kInsertForecasts, rows, 5000,
                         [](absl::Span<const ForecastMonth> batch) {
                           std::vector<std::string> run_ids, participants, periods, mase;
                           std::vector<int64_t> services, horizons, volumes;
                           for (const ForecastMonth& x : batch) {
                             run_ids.push_back(x.run_id);
                             participants.push_back(x.participant_id);
                             services.push_back(x.service_type);
                             periods.push_back(Day(x.period));
                             horizons.push_back(x.horizon);
                             volumes.push_back(x.volume_wh);
                             mase.push_back(x.backtest_mase);
                           }
                           pg::Params params;
                           params.AddTextArray(run_ids).AddTextArray(participants);
                           params.AddIntArray(services).AddTextArray(periods);
                           params.AddIntArray(horizons).AddIntArray(volumes).AddTextArray(mase);
                           return params;
                         });
  });
}

absl::StatusOr<std::vector<ForecastMonth>> PgStore::ForecastsOf(absl::CivilMonth from,
                                                                absl::CivilMonth to,
                                                                const std::string& region_code,
                                                                const std::string& participant_id,
                                                                int service_type) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kForecasts, Day(from), Day(to), region_code,
                                               participant_id, service_type));
  std::vector<ForecastMonth> out;
  out.reserve(rows.size());
  for (const pg::Row& r : rows) {
    ForecastMonth x;
    x.run_id = r.String("run_id");
    x.run_version = r.Int("version");
    x.participant_id = r.String("participant_id");
    x.service_type = static_cast<int>(r.Int("service_type"));
    x.period = absl::CivilMonth(r.Date("period"));
    x.horizon = static_cast<int>(r.Int("horizon"));
    x.volume_wh = r.Int("volume_wh");
    x.backtest_mase = r.String("backtest_mase");
    out.push_back(std::move(x));
  }
  return out;
}

absl::Status PgStore::CreateSchedule(const Schedule& s, absl::Time now) {
  pg::Params params;
  params.Add(s.id).Add(s.report).Add(DayOf(s.params.period_from)).Add(DayOf(s.params.period_to));
  params.Add(s.params.region_code).Add(s.params.participant_id).Add(s.params.service_type);
  params.Add(static_cast<int>(s.period)).Add(static_cast<int>(s.format));
  params.Add(static_cast<int>(s.language)).Add(s.day_of_month).Add(s.hour).Add(s.minute);
  params.Add(s.time_zone).Add(s.retention_days).Add(s.next_run_time.value_or(now));
  params.Add(s.created_by).Add(now);
  return pool_.Execute(q::kInsertSchedule, params).status();
}

absl::StatusOr<Schedule> PgStore::GetSchedule(const std::string& id) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kSelectSchedule, id));
  if (rows.empty()) return NotFound("schedule", id);
  return ScheduleOf(rows[0]);
}

absl::StatusOr<paging::PageOf<Schedule>> PgStore::ListSchedules(const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kListSchedules, page.After(0), page.size + 1));
  std::vector<Schedule> out;
  for (const pg::Row& r : rows) out.push_back(ScheduleOf(r));
  return paging::CutPage(std::move(out), page,
                         [](const Schedule& s) { return paging::PageKey{s.id}; });
}

absl::Status PgStore::DeleteSchedule(const std::string& id) {
  ASSIGN_OR_RETURN(pg::Result done, pool_.Exec(q::kDeleteSchedule, id));
  if (done.affected() == 0) return NotFound("schedule", id);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Schedule>> PgStore::DueSchedules(absl::Time now) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kDueSchedules, now));
  std::vector<Schedule> out;
  for (const pg::Row& r : rows) out.push_back(ScheduleOf(r));
  return out;
}

absl::StatusOr<bool> PgStore::ClaimSchedule(const std::string& id, absl::Time due, absl::Time next,
                                            absl::Time now) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kClaimSchedule, id, due, next, now));
  return !rows.empty();
}

absl::Status PgStore::RecordScheduleError(const std::string& id, const std::string& error) {
  return pool_.Exec(q::kScheduleError, id, error).status();
}

absl::Status PgStore::StoreFile(const ReportFile& f, const std::string& content) {
  return pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    pg::Params params;
    params.Add(f.id).Add(f.schedule_id).Add(f.report).Add(DayOf(f.params.period_from));
    params.Add(DayOf(f.params.period_to)).Add(f.params.region_code).Add(f.params.participant_id);
    params.Add(f.params.service_type).Add(static_cast<int>(f.format));
    params.Add(static_cast<int>(f.language)).Add(f.file_name).Add(f.content_type);
    params.Add(f.size_bytes).Add(f.sha256).Add(f.rows).AddBytes(content).Add(f.scheduled_time);
    params.Add(f.create_time).Add(f.freshness.as_of).Add(f.freshness.refresh_id);
    params.Add(f.expire_time);
    RETURN_IF_ERROR(tx.Execute(q::kInsertFile, params).status());
    return tx.Exec(q::kScheduleError, f.schedule_id, "").status();
  });
}

absl::StatusOr<paging::PageOf<ReportFile>> PgStore::ListFiles(const std::string& schedule_id,
                                                              const paging::Page& page) {
  ASSIGN_OR_RETURN(const int64_t offset, page.Offset());
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kListFiles, schedule_id, offset, page.size + 1));
  std::vector<ReportFile> out;
  for (const pg::Row& r : rows) out.push_back(FileOf(r));
  return paging::CutOffsetPage(std::move(out), page, offset);
}

absl::StatusOr<std::pair<ReportFile, std::string>> PgStore::GetFile(const std::string& id) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kSelectFile, id));
  if (rows.empty()) return NotFound("report file", id);
  return std::make_pair(FileOf(rows[0]), rows[0].Bytes("content"));
}

absl::StatusOr<int64_t> PgStore::DeleteExpiredFiles(absl::Time now) {
  ASSIGN_OR_RETURN(pg::Result done, pool_.Exec(q::kDeleteExpiredFiles, now));
  return done.affected();
}

}  // namespace gridbill::reporting
