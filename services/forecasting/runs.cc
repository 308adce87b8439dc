#include "runs.h"

#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"
#include "series.h"

namespace gridbill::forecasting {
namespace {

// A piece's spec: "from-to", a half-open range of rows or series.
std::string RangeSpec(int64_t from, int64_t to) { return absl::StrCat(from, "-", to); }

absl::Status ParseRange(const std::string& spec, int64_t& from, int64_t& to) {
  std::vector<absl::string_view> p = absl::StrSplit(spec, '-');
  if (p.size() != 2 || !absl::SimpleAtoi(p[0], &from) || !absl::SimpleAtoi(p[1], &to)) {
    return absl::DataLossError(absl::StrCat("piece spec ", QuoteInput(spec)));
  }
  return absl::OkStatus();
}

std::vector<jobs::PieceSpec> Split(int64_t total, int64_t per_piece) {
  std::vector<jobs::PieceSpec> pieces;
  for (int64_t from = 0; from < total; from += per_piece) {
    const int64_t to = std::min(total, from + per_piece);
    pieces.push_back({RangeSpec(from, to), to - from});
  }
  return pieces;
}

absl::CivilMonth MonthOf(absl::Time t) {
  return absl::CivilMonth(absl::ToCivilDay(t, absl::UTCTimeZone()));
}

jobs::RunnerOptions RunnerOptionsOf(const RunsConfig& c, jobs::RunnerMetrics* metrics) {
  jobs::RunnerOptions o;
  o.metrics = metrics;
  o.worker_id = c.worker_id;
  o.lease = c.lease;
  o.renew_every = std::min(absl::Seconds(10), c.lease / 3);
  o.log_name = "forecast jobs";
  return o;
}

SeriesAnswer AnswerOf(const RunSeries& s, Level level) {
  SeriesAnswer a;
  a.level = level;
  a.participant_id = s.participant_id;
  a.region_code = s.region_code;
  a.service_type = s.service_type;
  a.model = s.model;
  a.model_spec = s.model_spec;
  a.fallback = s.fallback;
  a.history_months = static_cast<int>(s.history_wh.size());
  a.points = s.points;
  a.candidates = s.candidates;
  for (const StoredAccuracy& c : s.candidates) {
    if (c.chosen) a.accuracy = c;
  }
  return a;
}

}  // namespace

Runs::Runs(Store& store, jobs::JobStore& jobs, Directory& directory, VolumeSource* volumes,
           const Clock& clock, RunsConfig config, jobs::RunnerMetrics* job_metrics)
    : store_(store),
      directory_(directory),
      volumes_(volumes),
      clock_(clock),
      config_(std::move(config)),
      runner_(
          jobs, [this] { return clock_.Now(); }, RunnerOptionsOf(config_, job_metrics)) {
  runner_.Register(kRunKind, *this);
  runner_.Register(kImportKind, *this);
}

Runs::~Runs() { runner_.Stop(); }

void Runs::StartWorkers() { runner_.Start(config_.workers); }
void Runs::StopWorkers() { runner_.Stop(); }

absl::StatusOr<jobs::Job> Runs::Drive(const std::string& id, absl::Duration timeout) {
  return runner_.Drive(id, timeout);
}

// --- history imports ------------------------------------------------------------

absl::StatusOr<HistoryImport> Runs::ImportHistory(const Caller& caller, const std::string& id,
                                                  const std::string& file_name,
                                                  const std::string& content) {
  if (content.empty()) return InvalidField("content", "the file is empty");
  ASSIGN_OR_RETURN(std::vector<ParticipantInfo> participants, directory_.Participants());
  std::map<std::string, std::string> by_bin;
  for (const ParticipantInfo& p : participants) by_bin[p.bin] = p.id;
  ASSIGN_OR_RETURN(std::vector<MonthVolume> rows,
                   ParseHistoryCsv(content, by_bin, config_.live_from - 1));
  HistoryImport imp;
  imp.id = id;
  imp.file_name = file_name;
  imp.sha256 = Sha256Hex(content);
  imp.rows = static_cast<int64_t>(rows.size());
  imp.created_by = caller.Actor();
  RETURN_IF_ERROR(store_.CreateImport(imp, NormalisedLines(rows),
                                      Split(imp.rows, config_.rows_per_piece), clock_.Now()));
  runner_.Wake();
  return store_.GetImport(id);
}

absl::StatusOr<HistoryImport> Runs::GetImport(const std::string& id) {
  if (id.empty()) return InvalidField("import_id", "required");
  return store_.GetImport(id);
}

// --- runs -------------------------------------------------------------------------

absl::StatusOr<ForecastRun> Runs::Start(const Caller& caller, const std::string& id,
                                        std::optional<absl::CivilMonth> history_to, int horizon) {
  if (horizon == 0) horizon = 24;
  if (horizon < 1 || horizon > 60) {
    return InvalidField("horizon_months", absl::StrCat(horizon, " is outside 1..60"));
  }
  if (history_to) {
    const absl::CivilMonth current = MonthOf(clock_.Now());
    if (*history_to >= current) {
      return InvalidField("history_to", absl::StrCat(absl::FormatCivilTime(*history_to),
                                                     " is not a past month (the current one is ",
                                                     absl::FormatCivilTime(current), ")"));
    }
    ASSIGN_OR_RETURN(std::vector<MonthVolume> imported, store_.ImportedHistory(nullptr));
    absl::CivilMonth first = config_.live_from;
    for (const MonthVolume& v : imported) first = std::min(first, v.period);
    if (*history_to < first) {
      return InvalidField("history_to", absl::StrCat(absl::FormatCivilTime(*history_to),
                                                     " is before the history, which starts in ",
                                                     absl::FormatCivilTime(first)));
    }
  }
  ForecastRun run;
  run.id = id;
  run.horizon_months = horizon;
  run.backtest_origins = config_.backtest.origins;
  run.requested_history_to = history_to;
  run.created_by = caller.Actor();
  ASSIGN_OR_RETURN(ForecastRun created, store_.CreateRun(run, clock_.Now()));
  runner_.Wake();
  return created;
}

absl::StatusOr<ForecastRun> Runs::Get(const std::string& id) {
  if (id.empty()) return InvalidField("run_id", "required");
  return store_.GetRun(id);
}

absl::StatusOr<paging::PageOf<ForecastRun>> Runs::List(const paging::Page& page) {
  return store_.ListRuns(page);
}

absl::StatusOr<ForecastRun> Runs::Cancel(const std::string& id) {
  ASSIGN_OR_RETURN(ForecastRun run, Get(id));
  if (run.job.state == jobs::State::kSucceeded) {
    return FailedPrecondition("run_id",
                              absl::StrCat("run ", id, " has succeeded; it is immutable"));
  }
  ASSIGN_OR_RETURN(jobs::Job job, runner_.Cancel(id));
  if (job.state == jobs::State::kCancelled) RETURN_IF_ERROR(store_.DeleteForecasts(id));
  return store_.GetRun(id);
}

absl::StatusOr<std::vector<MonthVolume>> Runs::ReadHistory(
    std::optional<absl::CivilMonth> history_to, RunInputs& inputs) {
  ASSIGN_OR_RETURN(std::vector<MonthVolume> all,
                   store_.ImportedHistory(&inputs.history_import_ids));
  if (volumes_ != nullptr) {
    absl::CivilMonth from = config_.live_from;
    const absl::CivilMonth to = history_to.value_or(MonthOf(clock_.Now()) - 1);
    for (absl::CivilMonth m = from; m <= to; ++m) {
      ASSIGN_OR_RETURN(std::optional<BilledMonth> billed, volumes_->Billed(m));
      if (!billed) continue;
      inputs.billing_run_ids.push_back(billed->run_id);
      for (MonthVolume& v : billed->volumes) all.push_back(std::move(v));
    }
  }
  return all;
}

absl::StatusOr<bool> Runs::Plan(const jobs::Job& job, const jobs::Claim& claim) {
  if (job.kind != kRunKind) return absl::InternalError("history imports are split at creation");
  ASSIGN_OR_RETURN(ForecastRun run, store_.GetRun(job.id));
  RunInputs inputs;
  ASSIGN_OR_RETURN(std::vector<MonthVolume> volumes, ReadHistory(run.requested_history_to, inputs));
  if (volumes.empty()) {
    return FailedPrecondition("history", "there is no history: import the legacy history first");
  }
  absl::CivilMonth first = volumes[0].period, last = volumes[0].period;
  for (const MonthVolume& v : volumes) {
    first = std::min(first, v.period);
    last = std::max(last, v.period);
  }
  const absl::CivilMonth history_to = run.requested_history_to.value_or(last);
  ASSIGN_OR_RETURN(std::vector<ParticipantInfo> participants, directory_.Participants());
  std::map<std::string, std::string> region_of;
  for (const ParticipantInfo& p : participants) region_of[p.id] = p.region_code;
  std::vector<RunSeries> series = BuildSeries(volumes, history_to, region_of, &inputs.gap_months);
  if (series.empty()) {
    return FailedPrecondition("history_to", "no series has a month up to it");
  }
  inputs.history_from = first;
  inputs.history_to = history_to;
  inputs.series = static_cast<int>(series.size());
  inputs.gap_rule = kGapRule;
  return store_.StorePlan(claim, inputs, series,
                          Split(static_cast<int64_t>(series.size()), config_.series_per_piece),
                          clock_.Now());
}

absl::StatusOr<jobs::Completion> Runs::Work(const jobs::Job& job, const jobs::Claim& claim) {
  int64_t from = 0, to = 0;
  RETURN_IF_ERROR(ParseRange(claim.piece.spec, from, to));
  if (job.kind == kImportKind) {
    ASSIGN_OR_RETURN(std::string content, store_.ImportContent(job.id));
    ASSIGN_OR_RETURN(std::vector<MonthVolume> rows, ParseNormalised(content, from, to));
    return store_.StoreImportPiece(claim, rows, clock_.Now());
  }
  ASSIGN_OR_RETURN(ForecastRun run, store_.GetRun(job.id));
  ASSIGN_OR_RETURN(std::vector<RunSeries> series,
                   store_.SeriesRange(job.id, static_cast<int>(from), static_cast<int>(to)));
  for (RunSeries& s : series) {
    if (runner_.Lost(claim)) return absl::CancelledError("the claim was lost");
    ForecastOne(s, run.horizon_months, config_.backtest);
  }
  return store_.StoreForecasts(claim, series, clock_.Now());
}

absl::StatusOr<std::string> Runs::Summarize(const jobs::Job& job,
                                            const std::vector<std::string>& results) {
  if (job.kind == kImportKind) {
    ASSIGN_OR_RETURN(HistoryImport imp, store_.GetImport(job.id));
    return absl::StrCat(imp.rows, " rows: ", imp.changed, " new or changed, ", imp.unchanged,
                        " already present");
  }
  int64_t done = 0;
  for (const std::string& r : results) {
    int64_t n = 0;
    if (absl::SimpleAtoi(r, &n)) done += n;
  }
  if (job.state == jobs::State::kCancelled) {
    return absl::StrCat("cancelled after ", done, " of ", job.total, " series");
  }
  ASSIGN_OR_RETURN(std::vector<RunSeries> series, store_.Forecasts(job.id, "", "", 0));
  const RunAccuracy a = SummarizeAccuracy(series);
  RETURN_IF_ERROR(store_.StoreRunAccuracy(job.id, a));
  return absl::StrFormat(
      "%d series; median MASE %s (seasonal naive %s); backtest coverage 80 %%: %.1f, 95 %%: "
      "%.1f; chosen %s",
      series.size(),
      a.median_mase_chosen ? absl::StrFormat("%.3f", *a.median_mase_chosen) : "undefined",
      a.median_mase_seasonal_naive ? absl::StrFormat("%.3f", *a.median_mase_seasonal_naive)
                                   : "undefined",
      a.coverage80, a.coverage95, a.chosen_models);
}

// --- answers ------------------------------------------------------------------------

absl::StatusOr<ForecastRun> Runs::SucceededRun(const std::string& run_id) {
  if (run_id.empty()) {
    ASSIGN_OR_RETURN(std::optional<ForecastRun> latest, store_.LatestSucceededRun());
    if (!latest) return FailedPrecondition("run_id", "no forecast run has succeeded yet");
    return *latest;
  }
  ASSIGN_OR_RETURN(ForecastRun run, store_.GetRun(run_id));
  if (run.job.state != jobs::State::kSucceeded) {
    return FailedPrecondition("run_id", absl::StrCat("run ", run_id, " has not succeeded"));
  }
  return run;
}

absl::StatusOr<Runs::RunForecasts> Runs::SeriesOf(const std::string& run_id,
                                                  const std::string& participant_id,
                                                  int service_type) {
  RunForecasts out;
  ASSIGN_OR_RETURN(out.run, SucceededRun(run_id));
  ASSIGN_OR_RETURN(out.series, store_.Forecasts(out.run.id, participant_id, "", service_type));
  return out;
}

absl::StatusOr<ForecastAnswer> Runs::Forecast(const Caller& caller, const ForecastQuery& q) {
  ForecastAnswer answer;
  ASSIGN_OR_RETURN(answer.run, SucceededRun(q.run_id));
  const std::string& run_id = answer.run.id;
  switch (q.level) {
    case Level::kParticipant: {
      if (q.participant_id.empty()) return InvalidField("participant_id", "required");
      if (caller.DeniedFor(q.participant_id)) {
        return absl::PermissionDeniedError("participant_id: another participant's forecast");
      }
      ASSIGN_OR_RETURN(std::vector<RunSeries> rows,
                       store_.Forecasts(run_id, q.participant_id, "", q.service_type));
      if (rows.empty()) {
        return InvalidField(
            "participant_id",
            absl::StrCat("no forecast of ", QuoteInput(q.participant_id),
                         q.service_type ? absl::StrCat(" for ", ServiceName(q.service_type)) : "",
                         " in run ", run_id, " (unknown participant or no history)"));
      }
      for (const RunSeries& s : rows) answer.series.push_back(AnswerOf(s, Level::kParticipant));
      return answer;
    }
    case Level::kContract: {
      if (q.contract_id.empty()) return InvalidField("contract_id", "required");
      absl::StatusOr<ContractInfo> c = directory_.Contract(q.contract_id);
      if (absl::IsNotFound(c.status())) {
        return InvalidField("contract_id",
                            absl::StrCat("unknown contract ", QuoteInput(q.contract_id)));
      }
      if (!c.ok()) return c.status();
      if (caller.DeniedFor(c->participant_id)) {
        return absl::PermissionDeniedError("contract_id: another participant's contract");
      }
      ASSIGN_OR_RETURN(std::vector<RunSeries> rows,
                       store_.Forecasts(run_id, c->participant_id, "", c->service_type));
      if (rows.empty()) {
        return InvalidField("contract_id",
                            absl::StrCat("no forecast of contract ", QuoteInput(q.contract_id),
                                         " in run ", run_id, " (no history)"));
      }
      SeriesAnswer a = AnswerOf(rows[0], Level::kContract);
      a.contract_id = c->id;
      // Only the months the contract is valid in.
      const absl::CivilMonth from(c->valid_from);
      std::vector<Point> kept;
      for (const Point& p : a.points) {
        if (p.period < from) continue;
        if (c->valid_to && p.period > absl::CivilMonth(*c->valid_to)) continue;
        kept.push_back(p);
      }
      a.points = std::move(kept);
      answer.series.push_back(std::move(a));
      return answer;
    }
    case Level::kRegion:
    case Level::kNation: {
      if (caller.scoped()) {
        return absl::PermissionDeniedError(
            "level: a participant's user may read its own forecasts only");
      }
      if (q.level == Level::kRegion && q.region_code.empty()) {
        return InvalidField("region_code", "required");
      }
      const std::string region = q.level == Level::kRegion ? q.region_code : "";
      ASSIGN_OR_RETURN(std::vector<RunSeries> rows,
                       store_.Forecasts(run_id, "", region, q.service_type));
      if (rows.empty() && q.level == Level::kRegion) {
        return InvalidField("region_code",
                            absl::StrCat("no participant of region ", QuoteInput(q.region_code),
                                         " in run ", run_id));
      }
      std::map<int, std::vector<const RunSeries*>> by_service;
      for (const RunSeries& s : rows) by_service[s.service_type].push_back(&s);
      for (const auto& [service, parts] : by_service) {
        SeriesAnswer a = SumSeries(parts, q.level);
        a.accuracy = SumAccuracy(parts);
        a.region_code = region;
        a.service_type = service;
        answer.series.push_back(std::move(a));
      }
      return answer;
    }
  }
  return InvalidField("level", "required");
}

}  // namespace gridbill::forecasting
