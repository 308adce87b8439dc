#include "invoice_runs.h"

#include <algorithm>
#include <map>
#include <random>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"
#include "pdf.h"

namespace gridbill::invoicing {

std::string NewId(std::string_view prefix) {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())));
  return absl::StrFormat("%s-%016x", prefix, rng());
}

struct InvoiceRuns::Context {
  InvoiceRun* run = nullptr;
  BillingPeriod period = *BillingPeriod::Make(2026, 1);
  Decimal vat_rate;
  BalanceRunInfo balance;
  absl::CivilDay today;
  absl::Time now;
  std::map<Service, std::vector<TariffPart>> tariffs;
  absl::flat_hash_map<std::string, Customer> customers;
  std::vector<std::string> failures;
};

InvoiceRuns::InvoiceRuns(Store& store, ContractDirectory& directory, VolumeSource* volumes,
                         const Clock& clock, absl::TimeZone zone, RunOptions options, Seller seller,
                         std::string font_path)
    : store_(store),
      directory_(directory),
      volumes_(volumes),
      clock_(clock),
      zone_(zone),
      options_(options),
      seller_(std::move(seller)),
      font_path_(std::move(font_path)) {}

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

void InvoiceRuns::Enqueue(const std::string& id) {
  absl::MutexLock lock(&mu_);
  if (!active_.insert(id).second) return;
  queue_.push_back(id);
}

absl::StatusOr<InvoiceRun> InvoiceRuns::Get(const std::string& id) { return store_.GetRun(id); }

absl::StatusOr<std::vector<InvoiceRun>> InvoiceRuns::List(
    const std::optional<BillingPeriod>& period, const PageRequest& page) {
  return store_.ListRuns(period, page);
}

absl::StatusOr<InvoiceRun> InvoiceRuns::Cancel(const std::string& id) {
  return store_.RequestCancel(id);
}

absl::StatusOr<int64_t> InvoiceRuns::ResumeUnfinished() {
  ASSIGN_OR_RETURN(std::vector<std::string> ids, store_.UnfinishedRuns());
  for (const std::string& id : ids) Enqueue(id);
  return static_cast<int64_t>(ids.size());
}

void InvoiceRuns::StartWorkers(int count) {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = false;
  }
  for (int i = 0; i < count; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

void InvoiceRuns::StopWorkers() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void InvoiceRuns::WorkerLoop() {
  for (;;) {
    std::string id;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || !queue_.empty(); };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      id = queue_.front();
      queue_.pop_front();
    }
    (void)Execute(id);  // the outcome is recorded on the run
    absl::MutexLock lock(&mu_);
    active_.erase(id);
  }
}

absl::StatusOr<InvoiceRun> InvoiceRuns::Wait(const std::string& id, absl::Duration timeout) {
  const absl::Time until = absl::Now() + timeout;
  for (;;) {
    ASSIGN_OR_RETURN(InvoiceRun run, store_.GetRun(id));
    if (run.state != JobState::kPending && run.state != JobState::kRunning) return run;
    if (absl::Now() > until) return absl::DeadlineExceededError("run did not end in time");
    absl::SleepFor(absl::Milliseconds(20));
  }
}

absl::Status InvoiceRuns::Execute(const std::string& id) {
  ASSIGN_OR_RETURN(InvoiceRun run, store_.GetRun(id));
  if (run.state != JobState::kPending && run.state != JobState::kRunning) {
    return absl::OkStatus();
  }
  run.state = JobState::kRunning;
  RETURN_IF_ERROR(store_.UpdateRun(run));
  absl::Status st = Work(run);
  if (!st.ok() && run.state == JobState::kRunning) {
    run.state = JobState::kFailed;
    run.error = std::string(st.message());
  }
  run.finish_time = clock_.Now();
  RETURN_IF_ERROR(store_.UpdateRun(run));
  return st;
}

absl::Status InvoiceRuns::Work(InvoiceRun& run) {
  if (volumes_ == nullptr) {
    return FailedPrecondition("balance_address",
                              "the balance service is not configured: no volumes to bill");
  }
  Context ctx;
  ctx.run = &run;
  ctx.period = run.period;
  ctx.now = clock_.Now();
  ctx.today = absl::ToCivilDay(ctx.now, zone_);
  ASSIGN_OR_RETURN(std::vector<VatRate> rates, store_.VatRates());
  ASSIGN_OR_RETURN(VatTable vat, VatTable::Make(rates));
  // The turnover date of a monthly service is the last day of the month,
  // whenever the document is issued.
  ASSIGN_OR_RETURN(ctx.vat_rate, vat.RateOn(run.period.last_day()));
  ASSIGN_OR_RETURN(ctx.balance, volumes_->BillingRun(run.period, run.balance_run_id));
  ASSIGN_OR_RETURN(std::vector<VolumeRecord> records, volumes_->Volumes(ctx.balance.id));
  std::map<std::pair<std::string, Service>, VolumeRecord> by_key;
  for (VolumeRecord& r : records) by_key[{r.participant_id, r.service}] = std::move(r);
  ASSIGN_OR_RETURN(std::vector<ContractInfo> contracts, directory_.BillableContracts(run.period));
  run.total = static_cast<int64_t>(contracts.size());
  run.done = run.documents_issued = run.contracts_skipped = run.contracts_failed = 0;
  RETURN_IF_ERROR(store_.UpdateRun(run));

  // One contract per participant and service carries the volume.
  std::map<std::pair<std::string, Service>, std::string> owner;
  const bool correction = run.type == RunType::kCorrection;
  size_t i = 0;
  while (i < contracts.size()) {
    ASSIGN_OR_RETURN(InvoiceRun current, store_.GetRun(run.id));
    if (current.cancel_requested) {
      run.state = JobState::kCancelled;
      run.summary = absl::StrCat("cancelled after ", run.done, " of ", run.total, " contracts");
      return absl::OkStatus();
    }
    std::vector<IssueGroup> groups;
    const size_t end = std::min(contracts.size(), i + static_cast<size_t>(options_.batch));
    for (; i < end; ++i) {
      const ContractInfo& c = contracts[i];
      auto [it, fresh] = owner.emplace(std::make_pair(c.participant_id, c.service), c.id);
      if (!fresh) {
        ++run.contracts_failed;
        ctx.failures.push_back(absl::StrCat(c.number, ": participant ", c.participant_id,
                                            " has another ", ServiceCode(c.service),
                                            " contract in the period"));
        continue;
      }
      auto v = by_key.find({c.participant_id, c.service});
      VolumeRecord volume;
      if (v != by_key.end()) {
        volume = v->second;
      } else {
        volume.participant_id = c.participant_id;
        volume.service = c.service;
      }
      if (!correction) {
        if (volume.total_wh == 0) {
          ++run.contracts_skipped;  // nothing used, nothing to invoice
          continue;
        }
        absl::StatusOr<IssueGroup> g = RegularGroup(ctx, c, volume);
        if (!g.ok()) {
          ++run.contracts_failed;
          ctx.failures.push_back(absl::StrCat(c.number, ": ", g.status().message()));
          continue;
        }
        groups.push_back(*std::move(g));
      } else {
        absl::StatusOr<std::optional<IssueGroup>> g = CorrectionGroup(ctx, c, volume);
        if (!g.ok()) {
          ++run.contracts_failed;
          ctx.failures.push_back(absl::StrCat(c.number, ": ", g.status().message()));
          continue;
        }
        if (!g->has_value()) {
          ++run.contracts_skipped;  // no difference
          continue;
        }
        groups.push_back(std::move(**g));
      }
    }
    ASSIGN_OR_RETURN(IssueResult issued, store_.Issue(run.period, correction, groups));
    run.documents_issued += issued.documents_issued;
    run.contracts_skipped += issued.groups_skipped;
    run.done = static_cast<int64_t>(i);
    RETURN_IF_ERROR(store_.UpdateRun(run));
  }
  int64_t pdfs = 0;
  if (options_.render_pdfs) {
    ASSIGN_OR_RETURN(pdfs, RenderPdfs(run.id));
  }
  run.state = JobState::kSucceeded;
  run.summary = absl::StrCat(run.documents_issued, " documents issued from balance run ",
                             ctx.balance.id, "; ", run.contracts_skipped, " contracts skipped; ",
                             run.contracts_failed, " failed; ", pdfs, " PDFs rendered");
  if (!ctx.failures.empty()) {
    const size_t shown = std::min<size_t>(ctx.failures.size(), 20);
    absl::StrAppend(&run.summary, "; failures: ",
                    absl::StrJoin(ctx.failures.begin(), ctx.failures.begin() + shown, "; "));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Line>> InvoiceRuns::Lines(Context& ctx, const ContractInfo& contract,
                                                     const VolumeRecord& volume) {
  auto t = ctx.tariffs.find(contract.service);
  if (t == ctx.tariffs.end()) {
    ASSIGN_OR_RETURN(std::vector<TariffPart> parts,
                     directory_.TariffParts(contract.service, ctx.period));
    t = ctx.tariffs.emplace(contract.service, std::move(parts)).first;
  }
  VolumeInput in;
  in.total_wh = volume.total_wh;
  in.completeness = volume.completeness;
  in.balance_run_id = ctx.balance.id;
  in.balance_run_type = ctx.balance.type;
  if (t->second.size() > 1 && volume.total_wh != 0) {
    std::vector<TimeRange> ranges;
    for (const TariffPart& p : t->second)
      ranges.push_back(DaysRange(p.from_date, p.to_date, zone_));
    ASSIGN_OR_RETURN(in.part_wh, volumes_->SplitVolume(ctx.balance.id, contract.participant_id,
                                                       contract.service, ranges));
  }
  return AccrualLines(contract.service, ctx.period, t->second, in, ctx.vat_rate);
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
                                                     const VolumeRecord& volume) {
  ASSIGN_OR_RETURN(std::vector<Line> lines, Lines(ctx, contract, volume));
  ASSIGN_OR_RETURN(Customer customer,
                   CustomerOf(directory_, ctx.customers, contract.participant_id));
  const bool provisional = volume.completeness.Incomplete() > options_.provisional_share;
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

absl::StatusOr<std::optional<IssueGroup>> InvoiceRuns::CorrectionGroup(Context& ctx,
                                                                       const ContractInfo& contract,
                                                                       const VolumeRecord& volume) {
  ASSIGN_OR_RETURN(std::vector<Document> charged, store_.ChargedDocuments(contract.id, ctx.period));
  std::vector<Line> recomputed;
  if (volume.total_wh != 0) {
    ASSIGN_OR_RETURN(recomputed, Lines(ctx, contract, volume));
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
  const bool provisional = volume.completeness.Incomplete() > options_.provisional_share;
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
  PageRequest page;
  page.size = 500;
  DocumentFilter filter;
  filter.invoice_run_id = run_id;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<Document> docs, store_.ListDocuments(filter, page, nullptr));
    for (const Document& d : docs) {
      if (d.type == DocType::kEsf || !d.pdf_sha256.empty()) continue;
      ASSIGN_OR_RETURN(std::string pdf, RenderPdf(d, seller_, font_path_));
      RETURN_IF_ERROR(store_.PutPdf(d.id, StoredPdf{pdf, Sha256Hex(pdf)}).status());
      ++rendered;
    }
    if (static_cast<int>(docs.size()) < page.size) break;
    page.offset += page.size;
  }
  return rendered;
}

}  // namespace gridbill::invoicing
