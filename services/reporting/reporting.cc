#include "reporting.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::reporting {
namespace {

jobs::RunnerOptions RunnerOptionsOf(const ReportingConfig& c, jobs::RunnerMetrics* metrics) {
  jobs::RunnerOptions o;
  o.metrics = metrics;
  o.worker_id = c.worker_id;
  o.lease = c.lease;
  o.renew_every = std::min(absl::Seconds(10), c.lease / 3);
  o.log_name = "refreshes";
  return o;
}

}  // namespace

Reporting::Reporting(Store& store, jobs::JobStore& jobs, Sources& sources, const Clock& clock,
                     ReportingConfig config, jobs::RunnerMetrics* job_metrics)
    : store_(store),
      sources_(sources),
      clock_(clock),
      config_(std::move(config)),
      runner_(
          jobs, [this] { return clock_.Now(); }, RunnerOptionsOf(config_, job_metrics)) {
  runner_.Register(kRefreshKind, *this);
}

Reporting::~Reporting() { runner_.Stop(); }

void Reporting::StartWorkers() { runner_.Start(config_.workers); }
void Reporting::StopWorkers() { runner_.Stop(); }

absl::StatusOr<jobs::Job> Reporting::Drive(const std::string& id, absl::Duration timeout) {
  return runner_.Drive(id, timeout);
}

absl::StatusOr<Refresh> Reporting::StartRefresh(const Caller& caller, const std::string& id) {
  Refresh r;
  r.id = id;
  r.created_by = caller.Actor();
  std::vector<jobs::PieceSpec> pieces = {
      {kSourceParticipants, 1}, {kSourceDocuments, 1}, {kSourcePayments, 1}};
  for (jobs::PieceSpec& p : ReportPieces()) pieces.push_back(std::move(p));
  RETURN_IF_ERROR(store_.CreateRefresh(r, pieces, clock_.Now()));
  runner_.Wake();
  return store_.GetRefresh(id);
}

absl::StatusOr<Refresh> Reporting::GetRefresh(const std::string& id) {
  if (id.empty()) return InvalidField("refresh_id", "required");
  return store_.GetRefresh(id);
}

absl::StatusOr<bool> Reporting::Plan(const jobs::Job&, const jobs::Claim&) {
  return absl::InternalError("refreshes are split when created");
}

absl::StatusOr<jobs::Completion> Reporting::Work(const jobs::Job& job, const jobs::Claim& claim) {
  const std::string& source = claim.piece.spec;
  if (source == kSourceParticipants) {
    ASSIGN_OR_RETURN(std::vector<ParticipantInfo> rows, sources_.Participants());
    return store_.StoreParticipants(claim, rows, clock_.Now());
  }
  if (source == kSourceDocuments) return RefreshDocuments(claim);
  if (source == kSourcePayments) return RefreshPayments(claim);
  ASSIGN_OR_RETURN(std::optional<jobs::Completion> done, WorkReportSource(claim));
  if (done) return *done;
  return absl::DataLossError(absl::StrCat("unknown source ", QuoteInput(source)));
}

// By the change feed when invoicing has one; else the documents of the
// runs ended since the last refresh.
absl::StatusOr<jobs::Completion> Reporting::RefreshDocuments(const jobs::Claim& claim) {
  ASSIGN_OR_RETURN(std::vector<InvoiceRunInfo> runs, sources_.InvoiceRuns());
  ASSIGN_OR_RETURN(std::string cursor, store_.Cursor(kSourceDocuments));
  // A cursor of the runs mode is no change cursor: the first feed read starts
  // from the first change (documents already held are written again, unchanged).
  if (absl::StartsWith(cursor, "runs:")) cursor.clear();
  ASSIGN_OR_RETURN(std::optional<Changes<DocumentInfo>> changes, sources_.DocumentChanges(cursor));
  if (changes) {
    const SourceCount count{kSourceDocuments, static_cast<int64_t>(changes->rows.size()),
                            "changes"};
    return store_.StoreDocuments(claim, runs, {}, changes->rows, count, changes->cursor,
                                 clock_.Now());
  }
  ASSIGN_OR_RETURN(std::set<std::string> read, store_.RunsRead());
  std::vector<std::string> newly_read;
  std::vector<DocumentInfo> documents;
  for (const InvoiceRunInfo& run : runs) {
    if (!jobs::Ended(run.state) || read.contains(run.id)) continue;
    if (runner_.Lost(claim)) return absl::CancelledError("the claim was lost");
    ASSIGN_OR_RETURN(std::vector<DocumentInfo> issued, sources_.DocumentsOfRun(run.id));
    for (DocumentInfo& d : issued) documents.push_back(std::move(d));
    newly_read.push_back(run.id);
  }
  const SourceCount count{kSourceDocuments, static_cast<int64_t>(documents.size()), "runs"};
  return store_.StoreDocuments(claim, runs, newly_read, documents, count,
                               absl::StrCat("runs:", read.size() + newly_read.size()),
                               clock_.Now());
}

// By the change feed when invoicing has one; else the whole list.
absl::StatusOr<jobs::Completion> Reporting::RefreshPayments(const jobs::Claim& claim) {
  ASSIGN_OR_RETURN(std::string cursor, store_.Cursor(kSourcePayments));
  if (cursor == "full") cursor.clear();
  ASSIGN_OR_RETURN(std::optional<Changes<PaymentInfo>> changes, sources_.PaymentChanges(cursor));
  if (changes) {
    const SourceCount count{kSourcePayments, static_cast<int64_t>(changes->rows.size()), "changes"};
    return store_.StorePayments(claim, changes->rows, count, changes->cursor, clock_.Now());
  }
  ASSIGN_OR_RETURN(std::vector<PaymentInfo> rows, sources_.Payments());
  const SourceCount count{kSourcePayments, static_cast<int64_t>(rows.size()), "full"};
  return store_.StorePayments(claim, rows, count, "full", clock_.Now());
}

absl::StatusOr<std::string> Reporting::Summarize(const jobs::Job& job,
                                                 const std::vector<std::string>& results) {
  if (job.state == jobs::State::kCancelled) {
    return absl::StrCat("cancelled after ", results.size(), " of ", job.pieces_total, " sources");
  }
  return absl::StrJoin(results, "; ");
}

absl::StatusOr<Answer> Reporting::Prepare(const Caller& caller, const std::string& code,
                                          const Params& params) {
  Answer a;
  ASSIGN_OR_RETURN(a.query, CheckQuery(code, params, caller));
  ASSIGN_OR_RETURN(std::optional<Freshness> fresh, store_.LatestFreshness());
  if (!fresh) {
    return FailedPrecondition("report",
                              "the read model has not been refreshed yet (RefreshReadModel)");
  }
  a.freshness = *fresh;
  return a;
}

absl::StatusOr<Answer> Reporting::Run(const Caller& caller, const std::string& code,
                                      const Params& params) {
  ASSIGN_OR_RETURN(Answer a, Prepare(caller, code, params));
  ASSIGN_OR_RETURN(a.table, TableOf(a.query, a.freshness));
  return a;
}

absl::StatusOr<Pages> Reporting::RunPaged(const Caller& caller, const std::string& code,
                                          const Params& params) {
  ASSIGN_OR_RETURN(Answer a, Prepare(caller, code, params));
  Pages pages;
  pages.query = a.query;
  pages.freshness = a.freshness;
  const std::string& report = a.query.report->code;
  if (report != "R1" && report != "R2" && report != "R4") {
    ASSIGN_OR_RETURN(Table whole, TableOf(a.query, a.freshness));
    pages.rows_total = static_cast<int64_t>(whole.rows.size());
    auto table = std::make_shared<std::optional<Table>>(std::move(whole));
    pages.next = [table]() -> absl::StatusOr<std::optional<Table>> {
      std::optional<Table> out = std::move(*table);
      table->reset();
      return out;
    };
    return pages;
  }
  // One month a page; the first is read now, so that a failing store
  // fails the call before anything is written.
  Query month = a.query;
  month.to = month.from;
  ASSIGN_OR_RETURN(Table first, TableOf(month, a.freshness));
  auto state = std::make_shared<std::pair<Query, std::optional<Table>>>(month, std::move(first));
  const absl::CivilMonth last = a.query.to;
  const Freshness fresh = a.freshness;
  pages.next = [this, state, last, fresh]() -> absl::StatusOr<std::optional<Table>> {
    auto& [q, ready] = *state;
    if (ready) {
      std::optional<Table> out = std::move(ready);
      ready.reset();
      return out;
    }
    if (q.from >= last) return std::optional<Table>();
    q.from = q.to = q.from + 1;
    ASSIGN_OR_RETURN(Table page, TableOf(q, fresh));
    return std::optional<Table>(std::move(page));
  };
  return pages;
}

RowSource RowsOf(Pages& pages, absl::Status* error) {
  auto page = std::make_shared<Table>();
  auto at = std::make_shared<size_t>(0);
  return [&pages, error, page, at]() -> const std::vector<std::string>* {
    while (*at >= page->rows.size()) {
      absl::StatusOr<std::optional<Table>> next = pages.next();
      if (!next.ok()) {
        *error = next.status();
        return nullptr;
      }
      if (!next->has_value()) return nullptr;
      *page = std::move(**next);
      *at = 0;
    }
    return &page->rows[(*at)++];
  };
}

absl::StatusOr<Table> Reporting::TableOf(const Query& q, const Freshness& fresh) {
  ASSIGN_OR_RETURN(std::optional<Table> analytics, RunAnalytics(q, fresh));
  if (analytics) return std::move(*analytics);
  if (q.report->code == "R2") {
    // The months and the same months a year before (the change): one read
    // when the range is a year or longer, else two, so that a page of one
    // month reads two months and not thirteen.
    ASSIGN_OR_RETURN(std::vector<ServiceMonth> months,
                     store_.ServiceMonths(q.to - q.from >= 12 ? q.from - 12 : q.from, q.to,
                                          q.region_code, q.participant_id, q.service_type));
    if (q.to - q.from < 12) {
      ASSIGN_OR_RETURN(std::vector<ServiceMonth> before,
                       store_.ServiceMonths(q.from - 12, q.to - 12, q.region_code, q.participant_id,
                                            q.service_type));
      months.insert(months.end(), std::make_move_iterator(before.begin()),
                    std::make_move_iterator(before.end()));
    }
    return BuildR2(q, months);
  }
  if (q.report->code == "R3") {
    // Issue and due dates are the operator's days: so is the aging date (a UTC day would,
    // after midnight in Almaty, leave out the invoices issued that day).
    ASSIGN_OR_RETURN(const absl::TimeZone zone, Zone());
    const absl::CivilDay aging_date = absl::ToCivilDay(fresh.as_of, zone);
    ASSIGN_OR_RETURN(
        std::vector<Receivables> rows,
        store_.ReceivablesOf(q.from, q.to, aging_date, q.region_code, q.participant_id));
    return BuildR3(q, rows);
  }
  if (q.report->code == "R7") {
    const absl::CivilDay from(q.from);
    const absl::CivilDay until(q.to + 1);
    ASSIGN_OR_RETURN(int64_t opening, store_.ActOpening(q.participant_id, from));
    ASSIGN_OR_RETURN(std::vector<ActLine> lines, store_.ActLines(q.participant_id, from, until));
    return BuildR7(q, opening, lines);
  }
  if (q.report->code == "R8") {
    ASSIGN_OR_RETURN(std::vector<PeriodDocuments> docs,
                     store_.DocumentsByPeriod(q.from, q.to, q.region_code));
    ASSIGN_OR_RETURN(std::vector<PeriodPayments> paid,
                     store_.PaymentsByPeriod(q.from, q.to, q.region_code));
    return BuildR8(q, docs, paid);
  }
  return absl::InternalError(absl::StrCat("no builder for ", q.report->code));
}

}  // namespace gridbill::reporting
