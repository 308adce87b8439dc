#include "invoice_runs.h"

#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"
#include "pdf.h"

namespace gridbill::invoicing {

namespace {

// A status of a call to another service that did not get through.
bool Unreachable(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s) || absl::IsAborted(s);
}

// A piece's result: one line per contract named in the summary, tagged.
constexpr char kExporter[] = "exporter";   // not billed: delivered more than it received
constexpr char kEmpty[] = "empty";         // not billed: volume zero
constexpr char kNoResult[] = "no-result";  // not billed: the balance run has no result for it
constexpr char kFailure[] = "failure";

jobs::RunnerOptions RunnerOptionsOf(const RunOptions& options, jobs::RunnerMetrics* metrics) {
  jobs::RunnerOptions o;
  o.metrics = metrics;
  o.worker_id = options.worker_id;
  o.lease = options.lease;
  o.renew_every = options.lease / 4;
  o.log_name = "invoice runs";
  return o;
}

}  // namespace

// What every piece of a run reads the same way: fixed when the run was split.
struct InvoiceRuns::Shared {
  InvoiceRun run;  // as split: id, period, type, billed balance run, start time
  BillingPeriod period = *BillingPeriod::Make(2026, 1);
  Decimal vat_rate;
  BalanceRunInfo balance;
  absl::CivilDay today;  // the issue date: the day the run started
  std::map<std::pair<std::string, Service>, VolumeRecord> volumes;
};

struct InvoiceRuns::Context {
  const InvoiceRun* run = nullptr;
  BillingPeriod period = *BillingPeriod::Make(2026, 1);
  Decimal vat_rate;
  BalanceRunInfo balance;
  absl::CivilDay today;
  absl::Time now;
  std::map<Service, std::vector<TariffPart>> tariffs;
  absl::flat_hash_map<std::string, Customer> customers;
};

InvoiceRuns::InvoiceRuns(Store& store, ContractDirectory& directory, VolumeSource* volumes,
                         const Clock& clock, absl::TimeZone zone, RunOptions options, Seller seller,
                         std::string font_path, jobs::RunnerMetrics* metrics)
    : store_(store),
      directory_(directory),
      volumes_(volumes),
      clock_(clock),
      zone_(zone),
      options_(options),
      seller_(std::move(seller)),
      font_path_(std::move(font_path)),
      runner_(
          store.Jobs(), [&clock] { return clock.Now(); }, RunnerOptionsOf(options, metrics)) {
  runner_.Register(kRunJobKind, *this);
}

InvoiceRuns::~InvoiceRuns() { StopWorkers(); }

absl::StatusOr<InvoiceRun> InvoiceRuns::Start(const BillingPeriod& period, RunType type,
                                              const std::string& balance_run_id,
                                              const std::string& id) {
  ASSIGN_OR_RETURN(Period p, store_.GetPeriod(period));
  if (type == RunType::kRegular && p.state == PeriodState::kClosed) {
    return FailedPrecondition("period", absl::StrCat("period ", period.ToString(),
                                                     " is closed: only corrections may be issued"));
  }
  InvoiceRun run;
  run.id = id.empty() ? NewId("run") : id;
  run.period = period;
  run.type = type;
  run.balance_run_id = balance_run_id;
  run.state = JobState::kPending;
  run.start_time = clock_.Now();
  RETURN_IF_ERROR(store_.CreateRun(run));
  return run;
}

void InvoiceRuns::Enqueue(const std::string&) { runner_.Wake(); }

absl::StatusOr<InvoiceRun> InvoiceRuns::Get(const std::string& id) {
  ASSIGN_OR_RETURN(InvoiceRun run, store_.GetRun(id));
  ASSIGN_OR_RETURN(run.not_billed, store_.ListNotBilled(id));
  return run;
}

absl::StatusOr<paging::PageOf<InvoiceRun>> InvoiceRuns::List(
    const std::optional<BillingPeriod>& period, const paging::Page& page) {
  return store_.ListRuns(period, page);
}

absl::StatusOr<paging::PageOf<InvoiceRun>> InvoiceRuns::Changes(
    const std::optional<BillingPeriod>& period, const paging::Page& page) {
  return store_.RunChanges(period, page);
}

absl::StatusOr<InvoiceRun> InvoiceRuns::Cancel(const std::string& id) {
  RETURN_IF_ERROR(store_.GetRun(id).status());  // NOT_FOUND names the run
  RETURN_IF_ERROR(runner_.Cancel(id).status());
  return store_.GetRun(id);
}

absl::Status InvoiceRuns::Execute(const std::string& id) {
  return runner_.Drive(id, absl::Hours(1)).status();
}

absl::StatusOr<int64_t> InvoiceRuns::ResumeUnfinished() {
  runner_.Wake();
  return runner_.CountOpen();
}

void InvoiceRuns::StartWorkers(int count) { runner_.Start(count); }

void InvoiceRuns::StopWorkers() { runner_.Stop(); }

absl::StatusOr<InvoiceRun> InvoiceRuns::Wait(const std::string& id, absl::Duration timeout) {
  RETURN_IF_ERROR(runner_.Wait(id, timeout).status());
  return store_.GetRun(id);
}

// --- the job ---------------------------------------------------------------

absl::StatusOr<bool> InvoiceRuns::Plan(const jobs::Job& job, const jobs::Claim& claim) {
  if (volumes_ == nullptr) {
    return FailedPrecondition("balance_address",
                              "the balance service is not configured: no volumes to bill");
  }
  ASSIGN_OR_RETURN(InvoiceRun run, store_.GetRun(job.id));
  ASSIGN_OR_RETURN(std::vector<VatRate> rates, store_.VatRates());
  ASSIGN_OR_RETURN(VatTable vat, VatTable::Make(rates));
  // The turnover date of a monthly service is the last day of the month,
  // whenever the document is issued.
  RETURN_IF_ERROR(vat.RateOn(run.period.last_day()).status());
  RunPlan plan;
  ASSIGN_OR_RETURN(plan.balance, volumes_->BillingRun(run.period, run.balance_run_id));
  ASSIGN_OR_RETURN(std::vector<ContractInfo> contracts, directory_.BillableContracts(run.period));

  // Each contract is billed the days of its validity inside the month.
  // Contracts of one participant and service share its volume by hours;
  // when two of them overlap, the later one (by valid_from, then number) is
  // refused so that no hour is billed twice.
  std::map<std::string, PlannedContract> plans;
  {
    std::map<std::pair<std::string, Service>, std::vector<const ContractInfo*>> groups;
    for (const ContractInfo& c : contracts) groups[{c.participant_id, c.service}].push_back(&c);
    for (auto& [key, group] : groups) {
      std::sort(group.begin(), group.end(), [](const ContractInfo* a, const ContractInfo* b) {
        return std::tie(a->valid_from, a->number, a->id) <
               std::tie(b->valid_from, b->number, b->id);
      });
      const ContractInfo* last = nullptr;
      for (const ContractInfo* c : group) {
        PlannedContract p;
        p.contract = *c;
        p.bill_from = std::max(c->valid_from, run.period.first_day());
        p.bill_to =
            c->valid_to ? std::min(*c->valid_to, run.period.last_day()) : run.period.last_day();
        p.whole_period =
            p.bill_from == run.period.first_day() && p.bill_to == run.period.last_day();
        if (last != nullptr && plans[last->id].bill_to >= p.bill_from) {
          p.refusal = absl::StrCat(
              "contracts ", last->number, " and ", c->number, " of participant ", c->participant_id,
              " are both valid for ", ServiceCode(c->service), " on ", FormatDate(p.bill_from),
              ": ", c->number,
              " (the later one) is not billed until their validities no longer overlap");
        } else {
          last = c;
        }
        plans[c->id] = std::move(p);
      }
    }
  }
  const size_t batch = static_cast<size_t>(std::max(1, options_.batch));
  for (size_t i = 0; i < contracts.size(); ++i) {
    PlannedContract p = std::move(plans[contracts[i].id]);
    p.piece_no = static_cast<int>(i / batch) + 1;
    plan.contracts.push_back(std::move(p));
  }
  for (size_t i = 0; i < contracts.size(); i += batch) {
    const size_t end = std::min(contracts.size(), i + batch);
    plan.pieces.push_back(jobs::PieceSpec{absl::StrCat("contracts ", i + 1, "-", end),
                                          static_cast<int64_t>(end - i)});
  }
  return store_.PlanRun(claim, plan, clock_.Now());
}

absl::StatusOr<std::shared_ptr<const InvoiceRuns::Shared>> InvoiceRuns::SharedOf(
    const std::string& run_id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = shared_.find(run_id);
    if (it != shared_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(InvoiceRun run, store_.GetRun(run_id));
  auto shared = std::make_shared<Shared>();
  shared->run = run;
  shared->period = run.period;
  shared->today = absl::ToCivilDay(run.start_time, zone_);
  ASSIGN_OR_RETURN(std::vector<VatRate> rates, store_.VatRates());
  ASSIGN_OR_RETURN(VatTable vat, VatTable::Make(rates));
  ASSIGN_OR_RETURN(shared->vat_rate, vat.RateOn(run.period.last_day()));
  shared->balance.id = run.billed_balance_run_id;
  shared->balance.type = run.billed_balance_run_type;
  ASSIGN_OR_RETURN(std::vector<VolumeRecord> records, volumes_->Volumes(shared->balance.id));
  for (VolumeRecord& r : records) shared->volumes[{r.participant_id, r.service}] = std::move(r);
  absl::MutexLock lock(&mu_);
  return shared_.emplace(run.id, std::move(shared)).first->second;
}

absl::StatusOr<jobs::Completion> InvoiceRuns::Work(const jobs::Job& job, const jobs::Claim& claim) {
  if (volumes_ == nullptr) {
    return FailedPrecondition("balance_address",
                              "the balance service is not configured: no volumes to bill");
  }
  // What every piece reads the same way, read once per run and replica.
  ASSIGN_OR_RETURN(std::shared_ptr<const Shared> shared, SharedOf(job.id));
  const InvoiceRun& run = shared->run;
  ASSIGN_OR_RETURN(std::vector<PlannedContract> contracts, store_.PieceContracts(claim));
  Context ctx;
  ctx.run = &run;
  ctx.period = run.period;
  ctx.vat_rate = shared->vat_rate;
  ctx.balance = shared->balance;
  ctx.today = shared->today;
  ctx.now = clock_.Now();

  const bool correction = run.type == RunType::kCorrection;
  PieceOutcome out;
  std::vector<std::string> lines;
  for (const PlannedContract& plan : contracts) {
    const ContractInfo& c = plan.contract;
    auto fail = [&](absl::string_view why) {
      ++out.contracts_failed;
      lines.push_back(absl::StrCat(kFailure, "\t", c.number, ": ", why));
    };
    if (!plan.refusal.empty()) {
      fail(plan.refusal);
      continue;
    }
    auto v = shared->volumes.find({c.participant_id, c.service});
    const bool has_record = v != shared->volumes.end();
    VolumeRecord record;
    if (has_record) {
      record = v->second;
    } else {
      record.participant_id = c.participant_id;
      record.service = c.service;
    }
    absl::StatusOr<Billed> billed = BilledVolume(ctx, plan, record);
    // A call that did not get through (contracts or balance unreachable for
    // a moment) is no reason of the contract's: the piece fails, and so the
    // run, with that reason; run again, the contract is billed. Counted as
    // a failed contract of a succeeded run, it was never billed.
    if (!billed.ok() && Unreachable(billed.status())) return billed.status();
    if (!billed.ok()) {
      fail(billed.status().message());
      continue;
    }
    const int64_t wh = billed->volume.total_wh;
    auto record_not_billed = [&] {
      std::string why;
      if (wh < 0) {
        why = "the participant delivered more than it received";
      } else if (!has_record) {
        why = absl::StrCat("balance run ", ctx.balance.id,
                           " has no volume of this participant and service");
      } else {
        why = "nothing received";
      }
      NotBilled n{c.id, c.number, wh,
                  absl::StrCat("net volume ", wh, " Wh from ", FormatDate(billed->from), " to ",
                               FormatDate(billed->to), ": ", why, "; nothing to bill")};
      lines.push_back(absl::StrCat(wh < 0 ? kExporter : (has_record ? kEmpty : kNoResult), "\t",
                                   n.contract_number, " (", n.reason, ")"));
      out.not_billed.push_back(std::move(n));
    };
    std::vector<Document> charged;
    if (correction) {
      ASSIGN_OR_RETURN(charged, store_.ChargedDocuments(c.id, run.period));
    }
    if (charged.empty()) {
      // Nothing billed yet (a regular run, or a correction of a contract
      // the regular run did not bill): issue the first documents.
      if (wh <= 0) {
        record_not_billed();
        continue;
      }
      absl::StatusOr<IssueGroup> g = RegularGroup(ctx, c, *billed);
      if (!g.ok() && Unreachable(g.status())) return g.status();
      if (!g.ok()) {
        fail(g.status().message());
        continue;
      }
      out.groups.push_back(*std::move(g));
      continue;
    }
    absl::StatusOr<std::optional<IssueGroup>> g = CorrectionGroup(ctx, c, *billed, charged);
    if (!g.ok() && Unreachable(g.status())) return g.status();
    if (!g.ok()) {
      fail(g.status().message());
      continue;
    }
    if (!g->has_value()) {
      ++out.contracts_unchanged;  // no difference
      continue;
    }
    out.groups.push_back(std::move(**g));
  }
  out.result = absl::StrJoin(lines, "\n");
  return store_.IssuePiece(claim, run.period, correction, out, clock_.Now());
}

absl::StatusOr<std::string> InvoiceRuns::Summarize(const jobs::Job& job,
                                                   const std::vector<std::string>& results) {
  {
    absl::MutexLock lock(&mu_);
    shared_.erase(job.id);
  }
  ASSIGN_OR_RETURN(InvoiceRun run, store_.GetRun(job.id));
  if (job.state == jobs::State::kCancelled) {
    return absl::StrCat("cancelled after ", job.done, " of ", job.total, " contracts; ",
                        run.documents_issued, " documents issued");
  }
  // Contract numbers (a line is "NUMBER (reason)"), and failures with their reasons.
  std::vector<std::string> exporters, empty, no_result, failures;
  for (const std::string& result : results) {
    for (absl::string_view line : absl::StrSplit(result, '\n', absl::SkipEmpty())) {
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(line, absl::MaxSplits('\t', 1));
      const absl::string_view number = kv.second.substr(0, kv.second.find(" ("));
      if (kv.first == kExporter) exporters.emplace_back(number);
      // Pieces stored before kNoResult tagged both kinds "empty".
      if (kv.first == kNoResult ||
          (kv.first == kEmpty && absl::StrContains(kv.second, " has no volume of this "))) {
        no_result.emplace_back(number);
      } else if (kv.first == kEmpty) {
        empty.emplace_back(number);
      }
      if (kv.first == kFailure) failures.emplace_back(kv.second);
    }
  }
  // By contract number (pieces finish in any order).
  for (std::vector<std::string>* v : {&exporters, &empty, &no_result}) {
    std::sort(v->begin(), v->end());
  }
  int64_t pdfs = 0;
  if (options_.render_pdfs) {
    ASSIGN_OR_RETURN(pdfs, RenderPdfs(run.id));
  }
  // A count and the first few: a past month can leave hundreds of contracts
  // without a result, and a summary is read, not searched.
  constexpr size_t kNamed = 5;
  auto few = [](const std::vector<std::string>& items, size_t named,
                absl::string_view separator = ", ") {
    const size_t shown = std::min(items.size(), named);
    std::string out = absl::StrJoin(items.begin(), items.begin() + shown, separator);
    if (shown < items.size()) absl::StrAppend(&out, " and ", items.size() - shown, " more");
    return out;
  };
  std::vector<std::string> kinds;
  if (!no_result.empty()) {
    kinds.push_back(absl::StrCat(no_result.size(),
                                 " with no result for their participant and service in the "
                                 "balance run: ",
                                 few(no_result, kNamed)));
  }
  const size_t volume_le0 = exporters.size() + empty.size();
  if (volume_le0 > 0) {
    // Exporters first: they are what an operator looks for.
    std::vector<std::string> named = exporters;
    named.insert(named.end(), empty.begin(), empty.end());
    kinds.push_back(absl::StrCat(volume_le0, " with volume ≤ 0 (", exporters.size(),
                                 " delivered more than they received): ", few(named, kNamed)));
  }
  std::string summary = absl::StrCat(
      run.documents_issued, " documents issued from balance run ", run.billed_balance_run_id, "; ",
      run.contracts_skipped, " contracts skipped; ", run.contracts_not_billed, " not billed");
  if (!kinds.empty()) absl::StrAppend(&summary, " (", absl::StrJoin(kinds, "; "), ")");
  absl::StrAppend(&summary, "; ", run.contracts_failed, " failed; ", pdfs, " PDFs rendered");
  if (!failures.empty()) absl::StrAppend(&summary, "; failures: ", few(failures, kNamed, "; "));
  return summary;
}

absl::StatusOr<InvoiceRuns::Billed> InvoiceRuns::BilledVolume(Context& ctx,
                                                              const PlannedContract& plan,
                                                              const VolumeRecord& record) {
  const ContractInfo& contract = plan.contract;
  auto t = ctx.tariffs.find(contract.service);
  if (t == ctx.tariffs.end()) {
    ASSIGN_OR_RETURN(std::vector<TariffPart> parts,
                     directory_.TariffParts(contract.service, ctx.period));
    t = ctx.tariffs.emplace(contract.service, std::move(parts)).first;
  }
  Billed b;
  b.from = plan.bill_from;
  b.to = plan.bill_to;
  b.volume.completeness = record.completeness;
  b.volume.balance_run_id = ctx.balance.id;
  b.volume.balance_run_type = ctx.balance.type;
  if (plan.whole_period) {
    b.parts = t->second;
    b.volume.total_wh = record.total_wh;
    if (b.parts.size() <= 1 || record.total_wh <= 0) return b;
  } else {
    b.parts = ClipParts(t->second, plan.bill_from, plan.bill_to);
    for (TariffPart& p : b.parts) p.hours = HoursIn(DaysRange(p.from_date, p.to_date, zone_));
  }
  std::vector<TimeRange> ranges;
  for (const TariffPart& p : b.parts) ranges.push_back(DaysRange(p.from_date, p.to_date, zone_));
  if (ranges.empty()) {
    // No tariff inside the contract's days: AccrualLines names the gap.
    ranges.push_back(DaysRange(plan.bill_from, plan.bill_to, zone_));
  }
  ASSIGN_OR_RETURN(
      std::optional<std::vector<int64_t>> split,
      volumes_->SplitVolume(ctx.balance.id, contract.participant_id, contract.service, ranges));
  if (!plan.whole_period) {
    if (!split) {
      return FailedPrecondition(
          "volume_wh", absl::StrCat("balance run ", ctx.balance.id,
                                    " has no hourly results: a contract valid only from ",
                                    FormatDate(plan.bill_from), " to ", FormatDate(plan.bill_to),
                                    " cannot be billed its part of the month"));
    }
    b.volume.total_wh = 0;
    for (int64_t v : *split) b.volume.total_wh += v;
  }
  if (b.volume.total_wh <= 0 || !split || split->size() != b.parts.size()) return b;
  // A tariff part with net export while the whole is positive: the net
  // volume is split pro rata by hours instead (no part is billed a negative
  // quantity, and the parts add up to the net volume).
  for (int64_t v : *split) {
    if (v < 0) return b;
  }
  b.volume.part_wh = std::move(split);
  return b;
}

absl::StatusOr<std::vector<Line>> InvoiceRuns::Lines(Context& ctx, const ContractInfo& contract,
                                                     const Billed& billed) {
  return AccrualLines(contract.service, billed.from, billed.to, billed.parts, billed.volume,
                      ctx.vat_rate);
}

Document InvoiceRuns::Base(Context& ctx, const ContractInfo& contract, const Customer& customer,
                           DocType type) const {
  Document d;
  d.id = NewId(DocTypeName(type));
  d.type = type;
  d.issue_date = ctx.today;
  d.turnover_date = ctx.period.last_day();
  d.period = ctx.period;
  d.customer = customer;
  d.contract_id = contract.id;
  d.contract_number = contract.number;
  d.contract_date = contract.signed_on;
  d.invoice_run_id = ctx.run->id;
  const BillingPeriod next = ctx.period.Next();
  d.due_date = next.first_day() + (std::min(contract.due_day, next.days()) - 1);
  if (type == DocType::kCreditNote || type == DocType::kDebitNote || d.due_date < d.issue_date) {
    d.due_date = d.issue_date + options_.note_due_days;
  }
  d.create_time = ctx.now;
  return d;
}

namespace {

absl::StatusOr<Customer> CustomerOf(ContractDirectory& directory,
                                    absl::flat_hash_map<std::string, Customer>& cache,
                                    const std::string& participant_id) {
  auto it = cache.find(participant_id);
  if (it != cache.end()) return it->second;
  ASSIGN_OR_RETURN(Customer c, directory.Participant(participant_id));
  cache[participant_id] = c;
  return c;
}

}  // namespace

absl::StatusOr<IssueGroup> InvoiceRuns::RegularGroup(Context& ctx, const ContractInfo& contract,
                                                     const Billed& billed) {
  ASSIGN_OR_RETURN(std::vector<Line> lines, Lines(ctx, contract, billed));
  ASSIGN_OR_RETURN(Customer customer,
                   CustomerOf(directory_, ctx.customers, contract.participant_id));
  const bool provisional = billed.volume.completeness.Incomplete() > options_.provisional_share;
  IssueGroup g;
  g.contract_id = contract.id;
  g.basis = "regular";
  for (DocType type : {DocType::kInvoice, DocType::kAct, DocType::kEsf}) {
    Document d = Base(ctx, contract, customer, type);
    d.lines = lines;
    d.provisional = provisional;
    SumLines(d);
    g.documents.push_back(std::move(d));
  }
  g.related_index = {-1, 0, -1};   // the act accompanies the invoice
  g.delivery_index = {-1, -1, 1};  // the ESF rests on the act
  return g;
}

absl::StatusOr<std::optional<IssueGroup>> InvoiceRuns::CorrectionGroup(
    Context& ctx, const ContractInfo& contract, const Billed& billed,
    const std::vector<Document>& charged) {
  // A volume that became zero or negative bills nothing: what was charged
  // is credited in full, never more.
  std::vector<Line> recomputed;
  if (billed.volume.total_wh > 0) {
    ASSIGN_OR_RETURN(recomputed, Lines(ctx, contract, billed));
  }
  std::vector<Line> charged_lines;
  const Document* original = nullptr;
  for (const Document& d : charged) {
    if (original == nullptr && d.type == DocType::kInvoice) original = &d;
    charged_lines.insert(charged_lines.end(), d.lines.begin(), d.lines.end());
  }
  Correction diff = DiffLines(charged_lines, recomputed, ctx.vat_rate);
  if (diff.empty()) return std::optional<IssueGroup>();
  ASSIGN_OR_RETURN(Customer customer,
                   CustomerOf(directory_, ctx.customers, contract.participant_id));
  std::optional<Document> original_esf;
  if (original != nullptr) {
    ASSIGN_OR_RETURN(original_esf, store_.EsfOf(*original));
  }
  const bool provisional = billed.volume.completeness.Incomplete() > options_.provisional_share;
  IssueGroup g;
  g.contract_id = contract.id;
  // The basis names what the correction rests on: the balance run and the
  // tariffs used; the same inputs never correct twice.
  std::string tariffs;
  for (const Line& l : recomputed) {
    absl::StrAppend(&tariffs, l.tariff_id, "@", l.tariff_version, "=", l.price_per_kwh.ToString(),
                    ";");
  }
  g.basis = absl::StrCat("correction:", ctx.balance.id, ":", Sha256Hex(tariffs).substr(0, 16));
  auto add_note = [&](DocType type, std::vector<Line> lines) {
    Document note = Base(ctx, contract, customer, type);
    note.lines = std::move(lines);
    note.provisional = provisional;
    if (original != nullptr) {
      note.related_id = original->id;
      note.related_number = original->number;
      note.related_date = original->issue_date;
    }
    SumLines(note);
    Document esf = Base(ctx, contract, customer, DocType::kEsf);
    esf.lines = note.lines;
    esf.provisional = provisional;
    SumLines(esf);
    const int note_index = static_cast<int>(g.documents.size());
    if (original_esf) {
      esf.related_id = original_esf->id;
      esf.related_number =
          absl::StrFormat("%04d%07d", original_esf->issue_date.year(), original_esf->seq);
      esf.related_date = original_esf->issue_date;
    }
    g.documents.push_back(std::move(note));
    g.related_index.push_back(-1);
    g.delivery_index.push_back(-1);
    g.documents.push_back(std::move(esf));
    g.related_index.push_back(-1);
    g.delivery_index.push_back(note_index);
  };
  if (!diff.credit.empty()) add_note(DocType::kCreditNote, std::move(diff.credit));
  if (!diff.debit.empty()) add_note(DocType::kDebitNote, std::move(diff.debit));
  return std::optional<IssueGroup>(std::move(g));
}

absl::StatusOr<int64_t> InvoiceRuns::RenderPdfs(const std::string& run_id) {
  int64_t rendered = 0;
  paging::Page page;
  page.size = 500;
  DocumentFilter filter;
  filter.invoice_run_id = run_id;
  do {
    ASSIGN_OR_RETURN(paging::PageOf<Document> docs, store_.ListDocuments(filter, page));
    for (const Document& d : docs.items) {
      if (d.type == DocType::kEsf || !d.pdf_sha256.empty()) continue;
      ASSIGN_OR_RETURN(std::string pdf, RenderPdf(d, seller_, font_path_));
      RETURN_IF_ERROR(store_.PutPdf(d.id, StoredPdf{pdf, Sha256Hex(pdf)}).status());
      ++rendered;
    }
    page.after = std::move(docs.next);
  } while (!page.first());
  return rendered;
}

}  // namespace gridbill::invoicing
