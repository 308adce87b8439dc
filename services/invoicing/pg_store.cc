#include "pg_store.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/csv.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"
#include "gridbill/pg/connection.h"
#include "gridbill/pg/copy.h"
#include "queries.h"

namespace gridbill::invoicing {
namespace {

namespace q = queries;

absl::StatusOr<Decimal> DecimalOf(std::string_view text) {
  absl::StatusOr<Decimal> d = Decimal::Parse(text, "stored decimal");
  if (!d.ok()) return absl::InternalError(d.status().message());
  return d;
}

absl::StatusOr<BillingPeriod> PeriodOf(std::string_view text) {
  absl::StatusOr<BillingPeriod> p = BillingPeriod::Parse(text, "stored period");
  if (!p.ok()) return absl::InternalError(p.status().message());
  return p;
}

absl::StatusOr<Period> ReadPeriod(const pg::Row& r) {
  Period p;
  ASSIGN_OR_RETURN(p.period, PeriodOf(r.Text("period")));
  p.state = PeriodStateFromName(r.Text("state")).value_or(PeriodState::kOpen);
  p.open_time = r.OptionalTime("open_time");
  p.closing_time = r.OptionalTime("closing_time");
  p.close_time = r.OptionalTime("close_time");
  return p;
}

absl::StatusOr<InvoiceRun> ReadRun(const pg::Row& r) {
  InvoiceRun run;
  run.id = r.String("id");
  ASSIGN_OR_RETURN(run.period, PeriodOf(r.Text("period")));
  run.type = r.Text("run_type") == "correction" ? RunType::kCorrection : RunType::kRegular;
  run.balance_run_id = r.String("balance_run_id");
  run.state = static_cast<JobState>(r.Int("state"));
  run.done = r.Int("done");
  run.total = r.Int("total");
  run.documents_issued = r.Int("documents_issued");
  run.contracts_skipped = r.Int("contracts_skipped");
  run.contracts_failed = r.Int("contracts_failed");
  run.summary = r.String("summary");
  run.error = r.String("error");
  run.cancel_requested = run.state == JobState::kCancelled;
  run.start_time = r.Time("start_time");
  run.finish_time = r.OptionalTime("finish_time");
  run.contracts_not_billed = r.Int("contracts_not_billed");
  run.billed_balance_run_id = r.String("billed_balance_run_id");
  run.billed_balance_run_type =
      r.Int("billed_balance_run_type") == 2 ? BalanceRunType::kCorrection : BalanceRunType::kFinal;
  return run;
}

// What a piece of a run adds to the run's counters besides what it issues.
struct RunCounts {
  std::string run_id;
  int64_t unchanged = 0;
  int64_t failed = 0;
  int64_t not_billed = 0;
};

// `counts` (a piece of a run): the run's counters are added to in the
// statement that claims the groups.
absl::StatusOr<IssueResult> IssueIn(pg::Transaction& tx, const BillingPeriod& period,
                                    bool correction, std::vector<IssueGroup>& groups,
                                    const RunCounts* counts);

absl::Status PutNotBilledIn(pg::Transaction& tx, const std::string& run_id,
                            const std::vector<NotBilled>& contracts) {
  if (contracts.empty()) return absl::OkStatus();
  std::vector<std::string> ids, numbers, reasons;
  std::vector<int64_t> volumes;
  for (const NotBilled& c : contracts) {
    ids.push_back(c.contract_id);
    numbers.push_back(c.contract_number);
    volumes.push_back(c.volume_wh);
    reasons.push_back(c.reason);
  }
  pg::Params params;
  params.Add(run_id).AddTextArray(ids).AddTextArray(numbers).AddIntArray(volumes).AddTextArray(
      reasons);
  return tx.Execute(q::kUpsertNotBilled, params).status();
}

absl::StatusOr<Document> ReadDocument(const pg::Row& r) {
  Document d;
  d.id = r.String("id");
  d.type = DocTypeFromName(r.Text("doc_type")).value_or(DocType::kInvoice);
  d.number = r.String("number");
  d.seq = r.Int("seq");
  d.issue_date = r.Date("issue_date");
  d.turnover_date = r.Date("turnover_date");
  ASSIGN_OR_RETURN(d.period, PeriodOf(r.Text("period")));
  d.customer.participant_id = r.String("participant_id");
  d.customer.bin = r.String("customer_bin");
  d.customer.name = r.String("customer_name");
  d.customer.address = r.String("customer_address");
  d.contract_id = r.String("contract_id");
  d.contract_number = r.String("contract_number");
  d.contract_date = r.Date("contract_date");
  d.invoice_run_id = r.String("invoice_run_id");
  d.related_id = r.String("related_id");
  d.related_number = r.String("related_number");
  d.related_date = r.OptionalDate("related_date");
  d.delivery_doc_number = r.String("delivery_doc_number");
  d.delivery_doc_date = r.OptionalDate("delivery_doc_date");
  d.provisional = r.Bool("provisional");
  d.amount_tiyn = r.Int("amount_tiyn");
  d.vat_tiyn = r.Int("vat_tiyn");
  d.total_tiyn = r.Int("total_tiyn");
  d.due_date = r.Date("due_date");
  d.pdf_sha256 = r.String("pdf_sha256");
  d.create_time = r.Time("created_at");
  return d;
}

absl::StatusOr<Line> ReadLine(const pg::Row& r) {
  Line l;
  l.line_no = static_cast<int>(r.Int("line_no"));
  l.service = static_cast<Service>(r.Int("service_type"));
  l.description = r.String("description");
  l.from_date = r.Date("from_date");
  l.to_date = r.Date("to_date");
  l.volume_wh = r.Int("volume_wh");
  ASSIGN_OR_RETURN(l.price_per_kwh, DecimalOf(r.Text("price_per_kwh")));
  l.amount_tiyn = r.Int("amount_tiyn");
  ASSIGN_OR_RETURN(l.vat_rate_percent, DecimalOf(r.Text("vat_rate_percent")));
  l.vat_tiyn = r.Int("vat_tiyn");
  l.total_tiyn = r.Int("total_tiyn");
  l.tariff_id = r.String("tariff_id");
  l.tariff_version = r.Int("tariff_version");
  l.balance_run_id = r.String("balance_run_id");
  l.balance_run_type = static_cast<BalanceRunType>(r.Int("balance_run_type"));
  ASSIGN_OR_RETURN(l.completeness.estimated_share, DecimalOf(r.Text("estimated_share")));
  ASSIGN_OR_RETURN(l.completeness.missing_share, DecimalOf(r.Text("missing_share")));
  return l;
}

absl::StatusOr<std::vector<Document>> ReadDocuments(const pg::Result& res) {
  std::vector<Document> out;
  out.reserve(static_cast<size_t>(res.size()));
  for (const pg::Row& r : res) {
    ASSIGN_OR_RETURN(Document d, ReadDocument(r));
    out.push_back(std::move(d));
  }
  return out;
}

absl::Status AttachLines(pg::Transaction& tx, std::vector<Document>& docs) {
  if (docs.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  absl::flat_hash_map<std::string, Document*> by_id;
  for (Document& d : docs) {
    ids.push_back(d.id);
    by_id[d.id] = &d;
  }
  pg::Params p;
  p.AddTextArray(ids);
  ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kSelectLines, p));
  for (const pg::Row& r : res) {
    ASSIGN_OR_RETURN(Line l, ReadLine(r));
    auto it = by_id.find(r.String("document_id"));
    if (it != by_id.end()) it->second->lines.push_back(std::move(l));
  }
  return absl::OkStatus();
}

// The change position of the last row a feed read returned (empty: none).
paging::PageKey LastChange(const pg::Result& res) {
  if (res.empty()) return {};
  const pg::Row last = res[res.size() - 1];
  return {last.String("change_xid"), std::to_string(last.Int("change_seq"))};
}

absl::StatusOr<Payment> ReadPayment(const pg::Row& r) {
  Payment p;
  p.id = r.String("id");
  p.reference = r.String("reference");
  p.value_date = r.Date("value_date");
  p.payer_bin = r.String("payer_bin");
  p.contract_id = r.String("contract_id");
  p.contract_number = r.String("contract_number");
  p.participant_id = r.String("participant_id");
  p.amount_tiyn = r.Int("amount_tiyn");
  p.purpose = r.String("purpose");
  return p;
}

using pg::CopyRow;

std::string NumberOf(DocType type, int64_t year, int64_t seq) {
  return absl::StrFormat("%s-%04d-%06d", DocTypePrefix(type), year, seq);
}

}  // namespace

absl::StatusOr<std::vector<VatRate>> PgStore::VatRates() {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kSelectVatRates));
  std::vector<VatRate> out;
  for (const pg::Row& r : res) {
    ASSIGN_OR_RETURN(Decimal rate, DecimalOf(r.Text(1)));
    out.push_back(VatRate{r.Date(0), rate});
  }
  return out;
}

absl::StatusOr<paging::PageOf<VatRate>> PgStore::ListVatRates(const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kListVatRates, page.After(0), page.size + 1));
  std::vector<std::pair<VatRate, paging::PageKey>> rows;
  for (const pg::Row& r : res) {
    ASSIGN_OR_RETURN(Decimal rate, DecimalOf(r.Text(1)));
    rows.emplace_back(VatRate{r.Date(0), rate}, paging::PageKey{r.String(2)});
  }
  auto cut = paging::CutPage(std::move(rows), page, [](const auto& r) { return r.second; });
  paging::PageOf<VatRate> out;
  out.next = std::move(cut.next);
  for (auto& r : cut.items) out.items.push_back(r.first);
  return out;
}

absl::StatusOr<Period> PgStore::GetPeriod(const BillingPeriod& period) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kSelectPeriod, period.ToString()));
  if (res.empty()) {
    Period p;
    p.period = period;
    return p;
  }
  return ReadPeriod(res[0]);
}

absl::StatusOr<paging::PageOf<Period>> PgStore::ListPeriods(const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kListPeriods, page.After(0), page.size + 1));
  std::vector<Period> out;
  for (const pg::Row& r : res) {
    ASSIGN_OR_RETURN(Period p, ReadPeriod(r));
    out.push_back(std::move(p));
  }
  return paging::CutPage(std::move(out), page,
                         [](const Period& p) { return paging::PageKey{p.period.ToString()}; });
}

absl::StatusOr<Period> PgStore::TransitionPeriod(const BillingPeriod& period, PeriodState target,
                                                 absl::Time now) {
  return pool_.TransactValue<Period>([&](pg::Transaction& tx) -> absl::StatusOr<Period> {
    RETURN_IF_ERROR(tx.Exec(q::kEnsurePeriod, period.ToString(), now).status());
    ASSIGN_OR_RETURN(pg::Result cur, tx.Exec(q::kSelectPeriodForUpdate, period.ToString()));
    ASSIGN_OR_RETURN(Period p, ReadPeriod(cur[0]));
    if (p.state == target) return p;  // already there: a repeated request changes nothing
    const bool forward = (p.state == PeriodState::kOpen && target == PeriodState::kClosing) ||
                         (p.state == PeriodState::kClosing && target == PeriodState::kClosed);
    if (!forward) {
      return FailedPrecondition(
          "target_state", absl::StrCat("period ", period.ToString(), " is ",
                                       PeriodStateName(p.state), " and cannot move to ",
                                       PeriodStateName(target), " (open -> closing -> closed)"));
    }
    std::optional<absl::Time> closing, closed;
    if (target == PeriodState::kClosing) closing = now;
    if (target == PeriodState::kClosed) closed = now;
    ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kUpdatePeriodState, period.ToString(),
                                             PeriodStateName(target), closing, closed));
    return ReadPeriod(res[0]);
  });
}

absl::Status PgStore::CreateRun(const InvoiceRun& run) {
  return pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(jobs::PgJobs::Insert(tx, run.id, kRunJobKind, run.start_time));
    return tx
        .Exec(q::kInsertRun, run.id, run.period.ToString(),
              run.type == RunType::kCorrection ? "correction" : "regular", run.balance_run_id,
              run.start_time)
        .status();
  });
}

absl::StatusOr<InvoiceRun> PgStore::GetRun(const std::string& id) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kSelectRun, id));
  if (res.empty()) return NotFound("invoice run", id);
  return ReadRun(res[0]);
}

absl::StatusOr<paging::PageOf<InvoiceRun>> PgStore::ListRuns(
    const std::optional<BillingPeriod>& period, const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kListRuns, period ? period->ToString() : "",
                                              page.After(0), page.After(1), page.size + 1));
  std::vector<InvoiceRun> out;
  for (const pg::Row& r : res) {
    ASSIGN_OR_RETURN(InvoiceRun run, ReadRun(r));
    out.push_back(std::move(run));
  }
  return paging::CutPage(std::move(out), page, [](const InvoiceRun& r) {
    return paging::PageKey{absl::FormatTime(absl::RFC3339_full, r.start_time, absl::UTCTimeZone()),
                           r.id};
  });
}

absl::StatusOr<paging::PageOf<InvoiceRun>> PgStore::RunChanges(
    const std::optional<BillingPeriod>& period, const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kRunChanges, period ? period->ToString() : "",
                                              page.After(0), page.After(1), page.size));
  paging::PageOf<InvoiceRun> out;
  for (const pg::Row& r : res) {
    ASSIGN_OR_RETURN(InvoiceRun run, ReadRun(r));
    out.items.push_back(std::move(run));
  }
  out.next = LastChange(res);
  return out;
}

namespace {

// A piece's spec: its label ("contracts 1-200") on the first line, then its
// contracts in billing order, one CSV record each, so that the claim of a
// piece returns what the piece bills (no read per piece). Runs split before
// this form have the label alone and their plan in invoice_run_contracts.
std::string PieceSpecText(const std::string& label, const std::vector<PlannedContract>& contracts,
                          size_t from, size_t to) {
  std::string out = label;
  for (size_t i = from; i < to; ++i) {
    const PlannedContract& c = contracts[i];
    absl::StrAppend(
        &out, "\n",
        CsvLine({c.contract.id, c.contract.number, c.contract.participant_id,
                 absl::StrCat(static_cast<int>(c.contract.service)),
                 absl::FormatCivilTime(c.contract.signed_on),
                 absl::FormatCivilTime(c.contract.valid_from),
                 c.contract.valid_to ? absl::FormatCivilTime(*c.contract.valid_to) : "",
                 absl::StrCat(c.contract.due_day), absl::FormatCivilTime(c.bill_from),
                 absl::FormatCivilTime(c.bill_to), c.whole_period ? "1" : "0", c.refusal},
                ""));
  }
  return out;
}

// The contracts a piece's spec carries; nullopt for a spec of the older
// form (the label alone).
absl::StatusOr<std::optional<std::vector<PlannedContract>>> ParsePieceSpec(
    const jobs::Claim& claim) {
  const std::string& spec = claim.piece.spec;
  const size_t eol = spec.find('\n');
  if (eol == std::string::npos) return std::optional<std::vector<PlannedContract>>();
  CsvParseResult csv = ParseCsv(std::string_view(spec).substr(eol + 1));
  auto bad = [&](absl::string_view why) {
    return absl::DataLossError(absl::StrCat("invoice run ", claim.job_id, " piece ", claim.piece_no,
                                            ": stored plan unreadable: ", why));
  };
  if (!csv.errors.empty()) return bad(csv.errors.front().message);
  std::vector<PlannedContract> out;
  for (const CsvRecord& r : csv.records) {
    if (r.fields.size() != 12) return bad(absl::StrCat(r.fields.size(), " fields"));
    const std::vector<std::string>& f = r.fields;
    PlannedContract c;
    c.piece_no = claim.piece_no;
    c.contract.id = f[0];
    c.contract.number = f[1];
    c.contract.participant_id = f[2];
    int service = 0, due_day = 0;
    absl::CivilDay valid_to;
    if (!absl::SimpleAtoi(f[3], &service) || !absl::SimpleAtoi(f[7], &due_day) ||
        !absl::ParseCivilTime(f[4], &c.contract.signed_on) ||
        !absl::ParseCivilTime(f[5], &c.contract.valid_from) ||
        (!f[6].empty() && !absl::ParseCivilTime(f[6], &valid_to)) ||
        !absl::ParseCivilTime(f[8], &c.bill_from) || !absl::ParseCivilTime(f[9], &c.bill_to)) {
      return bad(absl::StrCat("contract ", f[1]));
    }
    c.contract.service = static_cast<Service>(service);
    c.contract.due_day = due_day;
    if (!f[6].empty()) c.contract.valid_to = valid_to;
    c.whole_period = f[10] == "1";
    c.refusal = f[11];
    out.push_back(std::move(c));
  }
  return std::optional<std::vector<PlannedContract>>(std::move(out));
}

}  // namespace

absl::StatusOr<bool> PgStore::PlanRun(const jobs::Claim& claim, const RunPlan& plan,
                                      absl::Time now) {
  // Each piece's contracts go into its spec (PieceSpecText): the plan is
  // stored with the pieces, one row a piece, and read back by their claims.
  std::vector<jobs::PieceSpec> pieces = plan.pieces;
  size_t next = 0;
  for (size_t i = 0; i < pieces.size(); ++i) {
    size_t end = next;
    while (end < plan.contracts.size() && plan.contracts[end].piece_no == static_cast<int>(i) + 1) {
      ++end;
    }
    pieces[i].spec = PieceSpecText(pieces[i].spec, plan.contracts, next, end);
    next = end;
  }
  if (next != plan.contracts.size()) {
    return absl::InternalError("invoice run plan: contracts out of piece order");
  }
  return pool_.TransactValue<bool>([&](pg::Transaction& tx) -> absl::StatusOr<bool> {
    ASSIGN_OR_RETURN(bool held, jobs::PgJobs::StorePlan(tx, claim, pieces, now));
    if (!held) return false;
    RETURN_IF_ERROR(tx.Exec(q::kSetBilledRun, claim.job_id, plan.balance.id,
                            static_cast<int64_t>(plan.balance.type))
                        .status());
    return true;
  });
}

absl::StatusOr<std::vector<PlannedContract>> PgStore::PieceContracts(const jobs::Claim& claim) {
  ASSIGN_OR_RETURN(std::optional<std::vector<PlannedContract>> carried, ParsePieceSpec(claim));
  if (carried) return *std::move(carried);
  // A run split before its pieces carried their contracts.
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kPieceContracts, claim.job_id, claim.piece_no));
  std::vector<PlannedContract> out;
  for (const pg::Row& r : res) {
    PlannedContract c;
    c.piece_no = claim.piece_no;
    c.contract.id = r.String(0);
    c.contract.number = r.String(1);
    c.contract.participant_id = r.String(2);
    c.contract.service = static_cast<Service>(r.Int(3));
    c.contract.signed_on = r.Date(4);
    c.contract.valid_from = r.Date(5);
    c.contract.valid_to = r.OptionalDate(6);
    c.contract.due_day = static_cast<int>(r.Int(7));
    c.bill_from = r.Date(8);
    c.bill_to = r.Date(9);
    c.whole_period = r.Bool(10);
    c.refusal = r.String(11);
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<jobs::Completion> PgStore::IssuePiece(const jobs::Claim& claim,
                                                     const BillingPeriod& period, bool correction,
                                                     PieceOutcome& outcome, absl::Time now) {
  // No fence first: the piece's completion checks the job and the claim
  // under the job row's lock at the end, and a piece whose claim was lost
  // meanwhile is rolled back whole (a round trip less per piece). The run's
  // counters are added by the statement that claims the piece's groups (a
  // piece that issues nothing adds them on its own), so every piece locks
  // the run row before the job row; the run is split before it has pieces.
  const RunCounts counts{claim.job_id, outcome.contracts_unchanged, outcome.contracts_failed,
                         static_cast<int64_t>(outcome.not_billed.size())};
  absl::StatusOr<jobs::Completion> done = pool_.TransactValue<jobs::Completion>(
      [&](pg::Transaction& tx) -> absl::StatusOr<jobs::Completion> {
        outcome.issued = IssueResult();
        ASSIGN_OR_RETURN(outcome.issued, IssueIn(tx, period, correction, outcome.groups, &counts));
        if (outcome.groups.empty()) {
          RETURN_IF_ERROR(tx.Exec(q::kAddRunCounts, claim.job_id, int64_t{0}, counts.unchanged,
                                  counts.failed, counts.not_billed)
                              .status());
        }
        RETURN_IF_ERROR(PutNotBilledIn(tx, claim.job_id, outcome.not_billed));
        return jobs::PgJobs::CompletePiece(tx, claim, outcome.result, now);
      });
  // The job ended or the piece was taken over: rolled back, the new holder
  // (if any) issues the piece.
  if (!done.ok() && jobs::PgJobs::IsClaimLost(done.status())) {
    outcome.issued = IssueResult();
    return jobs::Completion::kDiscarded;
  }
  return done;
}

absl::StatusOr<std::vector<NotBilled>> PgStore::ListNotBilled(const std::string& run_id) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kSelectNotBilled, run_id));
  std::vector<NotBilled> out;
  for (const pg::Row& r : res) {
    out.push_back(NotBilled{r.String(0), r.String(1), r.Int(2), r.String(3)});
  }
  return out;
}

namespace {

// Issue's work inside a given transaction (IssuePiece runs it under a piece's claim).
absl::StatusOr<IssueResult> IssueIn(pg::Transaction& tx, const BillingPeriod& period,
                                    bool correction, std::vector<IssueGroup>& groups,
                                    const RunCounts* counts) {
  IssueResult result;
  if (groups.empty()) return result;
  const std::string pkey = period.ToString();
  const absl::Time now =
      groups.front().documents.empty() ? absl::Now() : groups.front().documents.front().create_time;
  // The period's state, held (FOR SHARE) until commit so that closing waits
  // for us; the period is made by the first issue into it.
  ASSIGN_OR_RETURN(pg::Result st, tx.Exec(q::kSelectPeriodForShare, pkey));
  if (st.empty()) {
    RETURN_IF_ERROR(tx.Exec(q::kEnsurePeriod, pkey, now).status());
    ASSIGN_OR_RETURN(st, tx.Exec(q::kSelectPeriodForShare, pkey));
  }
  if (!correction && !st.empty() && st[0].Text(0) == "closed") {
    return FailedPrecondition(
        "period", absl::StrCat("period ", pkey, " is closed: only corrections may be issued"));
  }
  // Claim every group; a concurrent claimer of the same key makes us wait
  // for its commit, after which the key reads as taken.
  std::vector<std::string> contracts, bases;
  std::vector<int64_t> documents;
  for (const IssueGroup& g : groups) {
    contracts.push_back(g.contract_id);
    bases.push_back(g.basis);
    documents.push_back(static_cast<int64_t>(g.documents.size()));
  }
  pg::Params claim;
  claim.AddTextArray(contracts).Add(pkey).AddTextArray(bases).Add(
      groups.front().documents.empty() ? std::string()
                                       : groups.front().documents.front().invoice_run_id);
  if (counts != nullptr) {
    claim.AddIntArray(documents)
        .Add(counts->unchanged)
        .Add(counts->failed)
        .Add(counts->not_billed)
        .Add(counts->run_id);
  }
  ASSIGN_OR_RETURN(
      pg::Result claimed_rows,
      tx.Execute(counts != nullptr ? q::kClaimBillingsCounted : q::kClaimBillings, claim));
  std::set<std::pair<std::string, std::string>> claimed;
  for (const pg::Row& r : claimed_rows) claimed.emplace(r.String(0), r.String(1));

  // Numbers: one statement for every (type, year), taken in a fixed order.
  std::map<std::pair<std::string, int64_t>, int64_t> need;
  for (const IssueGroup& g : groups) {
    if (claimed.count({g.contract_id, g.basis}) == 0) continue;
    for (const Document& d : g.documents) need[{DocTypeName(d.type), d.issue_date.year()}]++;
  }
  std::map<std::pair<std::string, int64_t>, int64_t> next;
  if (!need.empty()) {
    std::vector<std::string> types;
    std::vector<int64_t> years, counts;
    for (const auto& [key, n] : need) {
      types.push_back(key.first);
      years.push_back(key.second);
      counts.push_back(n);
    }
    pg::Params take;
    take.AddTextArray(types).AddIntArray(years).AddIntArray(counts);
    ASSIGN_OR_RETURN(pg::Result taken, tx.Execute(q::kTakeNumbers, take));
    for (const pg::Row& r : taken) {
      const std::pair<std::string, int64_t> key{r.String(0), r.Int(1)};
      next[key] = r.Int(2) - need[key] + 1;
    }
    if (next.size() != need.size()) return absl::InternalError("document numbers not taken");
  }
  std::string docs_copy, lines_copy;
  for (IssueGroup& g : groups) {
    if (claimed.count({g.contract_id, g.basis}) == 0) {
      ++result.groups_skipped;
      continue;
    }
    ++result.groups_issued;
    for (Document& d : g.documents) {
      int64_t& seq = next[{DocTypeName(d.type), d.issue_date.year()}];
      d.seq = seq++;
      d.number = NumberOf(d.type, d.issue_date.year(), d.seq);
    }
    for (size_t i = 0; i < g.documents.size(); ++i) {
      Document& d = g.documents[i];
      if (i < g.related_index.size() && g.related_index[i] >= 0) {
        const Document& rel = g.documents[static_cast<size_t>(g.related_index[i])];
        d.related_id = rel.id;
        d.related_number = rel.number;
        d.related_date = rel.issue_date;
      }
      if (i < g.delivery_index.size() && g.delivery_index[i] >= 0) {
        const Document& act = g.documents[static_cast<size_t>(g.delivery_index[i])];
        d.delivery_doc_number = act.number;
        d.delivery_doc_date = act.issue_date;
      }
    }
    for (const Document& d : g.documents) {
      CopyRow(docs_copy)
          .Text(d.id)
          .Text(DocTypeName(d.type))
          .Text(d.number)
          .Int(d.issue_date.year())
          .Int(d.seq)
          .Day(d.issue_date)
          .Day(d.turnover_date)
          .Text(pkey)
          .Text(d.customer.participant_id)
          .Text(d.customer.bin)
          .Text(d.customer.name)
          .Text(d.customer.address)
          .Text(d.contract_id)
          .Text(d.contract_number)
          .Day(d.contract_date)
          .Text(d.invoice_run_id)
          .OptText(d.related_id)
          .Text(d.related_number)
          .OptDay(d.related_date)
          .Text(d.delivery_doc_number)
          .OptDay(d.delivery_doc_date)
          .Bool(d.provisional)
          .Int(d.amount_tiyn)
          .Int(d.vat_tiyn)
          .Int(d.total_tiyn)
          .Day(d.due_date)
          .Time(d.create_time);
      for (const Line& l : d.lines) {
        CopyRow(lines_copy)
            .Text(d.id)
            .Int(l.line_no)
            .Int(static_cast<int64_t>(l.service))
            .Text(l.description)
            .Day(l.from_date)
            .Day(l.to_date)
            .Int(l.volume_wh)
            .Text(l.price_per_kwh.ToString())
            .Int(l.amount_tiyn)
            .Text(l.vat_rate_percent.ToString())
            .Int(l.vat_tiyn)
            .Int(l.total_tiyn)
            .Text(l.tariff_id)
            .Int(l.tariff_version)
            .Text(l.balance_run_id)
            .Int(static_cast<int64_t>(l.balance_run_type))
            .Text(l.completeness.estimated_share.ToString())
            .Text(l.completeness.missing_share.ToString());
      }
      ++result.documents_issued;
    }
  }
  if (!docs_copy.empty()) {
    // Related documents of earlier groups precede later ones, and within a
    // group the invoice comes first, so the foreign key holds row by row.
    RETURN_IF_ERROR(tx.connection().CopyIn(q::kCopyDocuments, docs_copy).status());
  }
  if (!lines_copy.empty()) {
    RETURN_IF_ERROR(tx.connection().CopyIn(q::kCopyLines, lines_copy).status());
  }
  return result;
}

}  // namespace

absl::StatusOr<IssueResult> PgStore::Issue(const BillingPeriod& period, bool correction,
                                           std::vector<IssueGroup>& groups) {
  return pool_.TransactValue<IssueResult>(
      [&](pg::Transaction& tx) { return IssueIn(tx, period, correction, groups, nullptr); });
}

absl::StatusOr<Document> PgStore::GetDocument(const std::string& id) {
  return pool_.TransactValue<Document>([&](pg::Transaction& tx) -> absl::StatusOr<Document> {
    ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kSelectDocument, id));
    if (res.empty()) return NotFound("document", id);
    ASSIGN_OR_RETURN(std::vector<Document> docs, ReadDocuments(res));
    RETURN_IF_ERROR(AttachLines(tx, docs));
    return std::move(docs[0]);
  });
}

absl::StatusOr<paging::PageOf<Document>> PgStore::ListDocuments(const DocumentFilter& filter,
                                                                const paging::Page& page) {
  const bool newest = filter.order == DocumentOrder::kNewestFirst;
  const std::string period = filter.period ? filter.period->ToString() : "";
  const std::string type = filter.type ? DocTypeName(*filter.type) : "";
  pg::Params counted(filter.participant_id, filter.contract_id, period, type,
                     filter.invoice_run_id);
  pg::Params paged = counted;
  paged.Add(page.size + 1);
  for (size_t i = 0; i < (newest ? 5u : 3u); ++i) paged.Add(page.After(i));
  return pool_.TransactValue<paging::PageOf<Document>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<paging::PageOf<Document>> {
        ASSIGN_OR_RETURN(pg::Result res,
                         tx.Execute(newest ? q::kListDocumentsNewest : q::kListDocuments, paged));
        ASSIGN_OR_RETURN(std::vector<Document> docs, ReadDocuments(res));
        paging::PageOf<Document> out;
        if (docs.size() > static_cast<size_t>(page.size)) {
          // The key as PostgreSQL prints it (created_at to the microsecond).
          const pg::Row last = res[page.size - 1];
          if (newest) {
            out.next = {last.String("issue_date"), last.String("created_at")};
          }
          for (const char* col : {"doc_type", "year", "seq"}) out.next.push_back(last.String(col));
          docs.resize(static_cast<size_t>(page.size));
        }
        out.items = std::move(docs);
        RETURN_IF_ERROR(AttachLines(tx, out.items));
        if (page.first()) {
          ASSIGN_OR_RETURN(pg::Result c, tx.Execute(q::kCountDocuments, counted));
          out.total_size = c[0].Int(0);
        }
        return out;
      },
      pg::Isolation::kRepeatableRead);
}

absl::StatusOr<paging::PageOf<Document>> PgStore::DocumentChanges(const DocumentFilter& filter,
                                                                  const paging::Page& page) {
  return pool_.TransactValue<paging::PageOf<Document>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<paging::PageOf<Document>> {
        const std::string period = filter.period ? filter.period->ToString() : "";
        const std::string type = filter.type ? DocTypeName(*filter.type) : "";
        ASSIGN_OR_RETURN(
            pg::Result res,
            tx.Exec(q::kDocumentChanges, filter.participant_id, filter.contract_id, period, type,
                    filter.invoice_run_id, page.size, page.After(0), page.After(1)));
        paging::PageOf<Document> out;
        ASSIGN_OR_RETURN(out.items, ReadDocuments(res));
        RETURN_IF_ERROR(AttachLines(tx, out.items));
        out.next = LastChange(res);
        return out;
      });
}

absl::StatusOr<std::map<DocType, int64_t>> PgStore::CountDocumentsByType(
    const BillingPeriod& period) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kCountDocumentsByType, period.ToString()));
  std::map<DocType, int64_t> out;
  for (const pg::Row& r : res) {
    std::optional<DocType> type = DocTypeFromName(r.Text(0));
    if (!type)
      return absl::InternalError(
          absl::StrCat("documents: unknown doc_type ", std::string(r.Text(0))));
    out[*type] = r.Int(1);
  }
  return out;
}

absl::StatusOr<std::vector<Document>> PgStore::ChargedDocuments(const std::string& contract_id,
                                                                const BillingPeriod& period) {
  return pool_.TransactValue<std::vector<Document>>(
      [&](pg::Transaction& tx) -> absl::StatusOr<std::vector<Document>> {
        ASSIGN_OR_RETURN(pg::Result res,
                         tx.Exec(q::kChargedDocuments, contract_id, period.ToString()));
        ASSIGN_OR_RETURN(std::vector<Document> docs, ReadDocuments(res));
        RETURN_IF_ERROR(AttachLines(tx, docs));
        return docs;
      });
}

absl::StatusOr<std::optional<Document>> PgStore::EsfOf(const Document& document) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kEsfOf, document.contract_id,
                                              document.invoice_run_id, document.period.ToString()));
  if (res.empty()) return std::optional<Document>();
  ASSIGN_OR_RETURN(Document d, ReadDocument(res[0]));
  return std::optional<Document>(std::move(d));
}

absl::StatusOr<std::optional<StoredPdf>> PgStore::GetPdf(const std::string& document_id) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kSelectPdf, document_id));
  if (res.empty()) return std::optional<StoredPdf>();
  return std::optional<StoredPdf>(StoredPdf{res[0].Bytes(0), res[0].String(1)});
}

absl::StatusOr<StoredPdf> PgStore::PutPdf(const std::string& document_id, const StoredPdf& pdf) {
  return pool_.TransactValue<StoredPdf>([&](pg::Transaction& tx) -> absl::StatusOr<StoredPdf> {
    pg::Params p;
    p.Add(document_id).AddBytes(pdf.pdf).Add(pdf.sha256);
    RETURN_IF_ERROR(tx.Execute(q::kInsertPdf, p).status());
    ASSIGN_OR_RETURN(pg::Result res, tx.Exec(q::kSelectPdf, document_id));
    StoredPdf stored{res[0].Bytes(0), res[0].String(1)};
    RETURN_IF_ERROR(tx.Exec(q::kSetPdfSha, document_id, stored.sha256).status());
    return stored;
  });
}

absl::StatusOr<PaymentImport> PgStore::InsertPayments(const std::vector<Payment>& payments,
                                                      absl::Time now) {
  return pool_.TransactValue<PaymentImport>(
      [&](pg::Transaction& tx) -> absl::StatusOr<PaymentImport> {
        PaymentImport out;
        std::vector<std::string> refs;
        for (const Payment& p : payments) refs.push_back(p.reference);
        pg::Params params;
        params.AddTextArray(refs);
        ASSIGN_OR_RETURN(pg::Result res, tx.Execute(q::kPaymentsByReference, params));
        absl::flat_hash_map<std::string, Payment> existing;
        for (const pg::Row& r : res) {
          ASSIGN_OR_RETURN(Payment p, ReadPayment(r));
          existing[p.reference] = std::move(p);
        }
        for (const Payment& p : payments) {
          auto it = existing.find(p.reference);
          if (it != existing.end()) {
            const Payment& e = it->second;
            if (!SamePaymentContent(e, p)) {
              return InvalidField("reference",
                                  absl::StrCat("payment ", QuoteInput(p.reference),
                                               " was imported before with other content"));
            }
            ++out.already_present;
            continue;
          }
          RETURN_IF_ERROR(tx.Exec(q::kInsertPayment, p.id, p.reference, p.value_date, p.payer_bin,
                                  p.contract_id, p.contract_number, p.participant_id, p.amount_tiyn,
                                  p.purpose, now)
                              .status());
          existing[p.reference] = p;
          ++out.created;
        }
        return out;
      });
}

absl::StatusOr<std::vector<Payment>> PgStore::ListPayments(const std::string& participant_id,
                                                           const std::string& contract_id) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kListPayments, participant_id, contract_id));
  std::vector<Payment> out;
  for (const pg::Row& r : res) {
    ASSIGN_OR_RETURN(Payment p, ReadPayment(r));
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<paging::PageOf<Payment>> PgStore::ListPaymentsPage(const std::string& participant_id,
                                                                  const std::string& contract_id,
                                                                  const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kListPaymentsPage, participant_id, contract_id,
                                              page.After(0), page.After(1), page.size + 1));
  std::vector<std::pair<Payment, paging::PageKey>> rows;
  for (const pg::Row& r : res) {
    ASSIGN_OR_RETURN(Payment p, ReadPayment(r));
    paging::PageKey key{r.String(9), p.reference};
    rows.emplace_back(std::move(p), std::move(key));
  }
  auto cut = paging::CutPage(std::move(rows), page, [](const auto& r) { return r.second; });
  paging::PageOf<Payment> out;
  out.next = std::move(cut.next);
  for (auto& r : cut.items) out.items.push_back(std::move(r.first));
  return out;
}

absl::StatusOr<paging::PageOf<Payment>> PgStore::PaymentChanges(const std::string& participant_id,
                                                                const std::string& contract_id,
                                                                const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result res, pool_.Exec(q::kPaymentChanges, participant_id, contract_id,
                                              page.After(0), page.After(1), page.size));
  paging::PageOf<Payment> out;
  for (const pg::Row& r : res) {
    ASSIGN_OR_RETURN(Payment p, ReadPayment(r));
    out.items.push_back(std::move(p));
  }
  out.next = LastChange(res);
  return out;
}

absl::StatusOr<std::vector<Payment>> PgStore::PaymentsByReference(
    const std::vector<std::string>& references) {
  pg::Params params;
  params.AddTextArray(references);
  ASSIGN_OR_RETURN(pg::Result res, pool_.Execute(q::kPaymentsByReference, params));
  std::vector<Payment> out;
  for (const pg::Row& r : res) {
    ASSIGN_OR_RETURN(Payment p, ReadPayment(r));
    out.push_back(std::move(p));
  }
  return out;
}

absl::StatusOr<std::vector<Document>> PgStore::ReceivableDocuments(
    const std::string& participant_id, const std::string& contract_id) {
  ASSIGN_OR_RETURN(pg::Result res,
                   pool_.Exec(q::kReceivableDocuments, participant_id, contract_id));
  return ReadDocuments(res);
}

absl::StatusOr<LedgerInputs> PgStore::LedgerInputsOf(const std::vector<std::string>& contract_ids) {
  LedgerInputs out;
  if (contract_ids.empty()) return out;
  return pool_.TransactValue<LedgerInputs>(
      [&](pg::Transaction& tx) -> absl::StatusOr<LedgerInputs> {
        pg::Params params;
        params.AddTextArray(contract_ids);
        ASSIGN_OR_RETURN(pg::Result docs, tx.Execute(q::kReceivableDocumentsOf, params));
        ASSIGN_OR_RETURN(out.documents, ReadDocuments(docs));
        ASSIGN_OR_RETURN(pg::Result pays, tx.Execute(q::kPaymentsOfContracts, params));
        for (const pg::Row& r : pays) {
          ASSIGN_OR_RETURN(Payment p, ReadPayment(r));
          out.payments.push_back(std::move(p));
        }
        return out;
      });
}

}  // namespace gridbill::invoicing
