#include "runs.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/log.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"

namespace gridbill::balance {
namespace {

const char* TypeName(RunType t) {
  switch (t) {
    case RunType::kPreliminary:
      return "preliminary";
    case RunType::kFinal:
      return "final";
    case RunType::kCorrection:
      return "correction";
    case RunType::kVerification:
      return "verification";
  }
  return "?";
}

jobs::RunnerOptions RunnerOptionsOf(const RunsConfig& config, RunsMetrics& metrics,
                                    std::function<void()> gauges) {
  jobs::RunnerOptions o;
  o.metrics = &metrics.jobs();
  o.worker_id = config.worker_id;
  o.lease = config.lease;
  o.poll = config.poll;
  o.renew_every = config.gauge_refresh;  // at most a third of the lease
  o.log_name = "balance runs";
  o.on_heartbeat = std::move(gauges);
  return o;
}

}  // namespace

Runs::Runs(Store& store, ReadingSource& readings, DeclarationSource& declarations,
           const Clock& clock, RunsConfig config, RunsMetrics& metrics)
    : store_(store),
      readings_(readings),
      declarations_(declarations),
      clock_(clock),
      config_(std::move(config)),
      metrics_(&metrics),
      runner_(
          store.Jobs(), [&clock] { return clock.Now(); }, RunnerOptionsOf(config_, metrics, [this] {
            if (absl::Status st = RefreshGauges(); !st.ok()) {
              LogJson("warn", "balance gauges", {{"error", std::string(st.message())}});
            }
          })) {
  runner_.Register(kRunJobKind, *this);
}

Runs::~Runs() { runner_.Stop(); }

absl::StatusOr<Run> Runs::Start(const std::optional<BillingPeriod>& requested, RunType type,
                                int64_t base_run_id, const std::string& actor,
                                const std::string& request_id) {
  const int t = static_cast<int>(type);
  if (t < 1 || t > 4)
    return InvalidField("type", "required: preliminary, final, correction or verification");
  const absl::Time now = clock_.Now();
  Run run;
  run.type = type;
  run.created_by = actor;
  run.request_id = request_id;
  run.create_time = now;
  run.time_zone = config_.time_zone;
  run.closure_tolerance_percent = config_.closure_tolerance_percent;
  std::vector<Scheme> schemes;

  if (type == RunType::kVerification) {
    if (base_run_id == 0) return InvalidField("base_run_id", "required for a verification run");
    absl::StatusOr<Run> base = store_.GetRun(base_run_id);
    if (absl::IsNotFound(base.status()))
      return InvalidField("base_run_id", ToStd(base.status().message()));
    RETURN_IF_ERROR(base.status());
    if (base->state != RunState::kSucceeded) {
      return FailedPrecondition("base_run_id", absl::StrCat("run ", base_run_id,
                                                            " has not succeeded; only a "
                                                            "succeeded run can be recomputed"));
    }
    if (requested && *requested != base->period) {
      return InvalidField(
          "period", absl::StrCat("run ", base_run_id, " is of period ", base->period.ToString()));
    }
    if (base->time_zone != config_.time_zone) {
      return FailedPrecondition(
          "base_run_id", absl::StrCat("run ", base_run_id, " was computed in time zone ",
                                      base->time_zone, ", this service uses ", config_.time_zone));
    }
    run.period = base->period;
    run.base_run_id = base->id;
    run.readings_as_of = base->readings_as_of;
    run.computed_until = base->computed_until;
    run.closure_tolerance_percent = base->closure_tolerance_percent;
    run.declared = base->declared;
    ASSIGN_OR_RETURN(schemes, store_.GetSchemes(base->scheme_ids));
    for (Scheme& s : schemes) {
      for (size_t i = 0; i < base->scheme_ids.size(); ++i) {
        if (base->scheme_ids[i] == s.id) s.valid_to = base->scheme_valid_to[i];
      }
    }
  } else {
    if (!requested) return InvalidField("period", "required");
    if (base_run_id != 0) return InvalidField("base_run_id", "only for a verification run");
    run.period = *requested;
    const TimeRange bounds = run.period.Bounds(config_.zone);
    if (now <= bounds.start) {
      return FailedPrecondition("period",
                                absl::StrCat(run.period.ToString(), " has not started yet"));
    }
    if (type == RunType::kPreliminary) {
      run.computed_until =
          std::min(bounds.end, bounds.start + absl::Hours(absl::ToInt64Hours(now - bounds.start)));
      if (run.computed_until <= bounds.start) {
        return FailedPrecondition("period", "no whole hour of the period has passed yet");
      }
    } else {
      if (now < bounds.end) {
        return FailedPrecondition(
            "type", absl::StrCat("a ", TypeName(type),
                                 " run needs the whole month: ", run.period.ToString(), " ends at ",
                                 absl::FormatTime(bounds.end, config_.zone),
                                 "; use a preliminary run until then"));
      }
      run.computed_until = bounds.end;
    }
    if (type == RunType::kCorrection) {
      ASSIGN_OR_RETURN(std::optional<Run> billed, store_.BillingRun(run.period));
      if (!billed) {
        return FailedPrecondition("type",
                                  absl::StrCat("no succeeded final run of ", run.period.ToString(),
                                               " to correct; run a final run first"));
      }
      ASSIGN_OR_RETURN(int last, store_.LastCorrection(run.period));
      run.correction_number = last + 1;
      run.base_run_id = billed->id;
    }
    run.readings_as_of = now;
    const absl::CivilDay last_day =
        absl::ToCivilDay(run.computed_until - absl::Nanoseconds(1), config_.zone);
    ASSIGN_OR_RETURN(schemes, store_.SchemesValidIn(run.period.first_day(), last_day));
    if (schemes.empty()) {
      return FailedPrecondition(
          "period", absl::StrCat("no accounting schemes are valid in ", run.period.ToString(),
                                 "; define schemes first"));
    }
    ASSIGN_OR_RETURN(run.declared, declarations_.Approved(run.period));
  }
  if (schemes.empty()) {
    return FailedPrecondition("base_run_id", "the base run used no schemes");
  }
  run.summary.hours = HoursIn(TimeRange{run.period.Bounds(config_.zone).start, run.computed_until});
  for (const Scheme& s : schemes) {
    run.scheme_ids.push_back(s.id);
    run.scheme_versions.push_back(s.version);
    run.scheme_valid_to.push_back(s.valid_to);
  }
  std::vector<Shard> shards = PlanShards(schemes, config_.shard_points);
  ASSIGN_OR_RETURN(Run stored, store_.InsertRun(run, shards));
  if (RunsMetrics* m = metrics_) m->RunStarted(type);
  runner_.Wake();
  LogJson("info", "balance run started",
          {{"run_id", absl::StrCat(stored.id)},
           {"period", stored.period.ToString()},
           {"type", TypeName(type)},
           {"shards", absl::StrCat(shards.size())}});
  return stored;
}

absl::StatusOr<Run> Runs::Cancel(int64_t id) {
  ASSIGN_OR_RETURN(RunState before, store_.RunStateOf(id));
  ASSIGN_OR_RETURN(Run run, store_.CancelRun(id, clock_.Now()));
  RunsMetrics* m = metrics_;
  if ((before == RunState::kPending || before == RunState::kRunning) &&
      run.state == RunState::kCancelled) {
    if (m != nullptr) m->RunEnded(run.type, RunState::kCancelled, absl::ZeroDuration());
    // Cancelled with its results in the store's transaction, not through
    // the runner: the runner counts it.
    jobs::Job job;
    job.id = absl::StrCat(id);
    job.kind = kRunJobKind;
    job.create_time = run.create_time;
    runner_.Cancelled(job);
  }
  return run;
}

absl::StatusOr<Run> Runs::BillingRun(const BillingPeriod& period) {
  ASSIGN_OR_RETURN(std::optional<Run> run, store_.BillingRun(period));
  if (!run) {
    return NotFound("billing run of period", period.ToString());
  }
  return *run;
}

absl::StatusOr<paging::PageOf<ServiceHour>> Runs::ServiceHours(int64_t run_id,
                                                               const std::string& participant,
                                                               int service_type,
                                                               const paging::Page& page) {
  RETURN_IF_ERROR(store_.RunStateOf(run_id).status());
  return store_.ListServiceHours(run_id, participant, service_type, page);
}

absl::StatusOr<paging::PageOf<NodeHour>> Runs::NodeHours(int64_t run_id,
                                                         const std::string& node_code,
                                                         const paging::Page& page) {
  RETURN_IF_ERROR(store_.RunStateOf(run_id).status());
  return store_.ListNodeHours(run_id, node_code, page);
}

absl::StatusOr<paging::PageOf<ServiceTotal>> Runs::ServiceTotals(int64_t run_id,
                                                                 const std::string& participant,
                                                                 const paging::Page& page) {
  RETURN_IF_ERROR(store_.RunStateOf(run_id).status());
  return store_.ServiceTotals(run_id, participant, page);
}

absl::StatusOr<paging::PageOf<NodeTotal>> Runs::NodeTotals(int64_t run_id,
                                                           const paging::Page& page) {
  RETURN_IF_ERROR(store_.RunStateOf(run_id).status());
  return store_.NodeTotals(run_id, page);
}

// --- work ------------------------------------------------------------------

absl::StatusOr<bool> Runs::Plan(const jobs::Job& job, const jobs::Claim&) {
  return absl::InternalError(
      absl::StrCat("balance run ", job.id, " was not split into shards when it started"));
}

absl::StatusOr<jobs::Completion> Runs::Work(const jobs::Job&, const jobs::Claim& claim) {
  const absl::Time claimed = absl::Now();
  RunsMetrics* const m = metrics_;
  if (m != nullptr) m->ShardClaimed(!claim.taken_over_from.empty());
  Shard shard;
  if (!absl::SimpleAtoi(claim.job_id, &shard.run_id)) {
    return absl::InternalError(absl::StrCat("job ", claim.job_id, " is not a balance run"));
  }
  shard.shard_no = claim.piece_no;
  shard.epoch = claim.epoch;
  shard.taken_over_from = claim.taken_over_from;
  RETURN_IF_ERROR(store_.OpenShard(shard, clock_.Now()));
  ASSIGN_OR_RETURN(Run run, store_.GetRun(shard.run_id));
  ShardResult result;
  ASSIGN_OR_RETURN(ShardCompletion done, ComputeShard(claim, shard, run, result));
  switch (done) {
    case ShardCompletion::kDiscarded:
      if (m != nullptr) m->ShardDiscarded();
      return jobs::Completion::kDiscarded;
    case ShardCompletion::kStored:
      if (m != nullptr) m->ShardStored(absl::Now() - claimed, result);
      return jobs::Completion::kStored;
    case ShardCompletion::kRunCompleted:
      if (m != nullptr) {
        m->ShardStored(absl::Now() - claimed, result);
        m->RunEnded(run.type, RunState::kSucceeded, clock_.Now() - run.create_time);
      }
      return jobs::Completion::kLast;
  }
  return absl::InternalError("unknown shard completion");
}

absl::StatusOr<std::string> Runs::Summarize(const jobs::Job& job, const std::vector<std::string>&) {
  // The last shard's transaction finishes the run and its job with the
  // closure summary; a cancel (CancelRun) keeps what the job says.
  if (job.state == jobs::State::kCancelled) return job.summary;
  return absl::InternalError(
      absl::StrCat("balance run ", job.id, " has all its shards but was not finished"));
}

absl::StatusOr<bool> Runs::Fail(jobs::JobStore&, const jobs::Claim& claim, const std::string& error,
                                absl::Time now) {
  int64_t run_id = 0;
  if (!absl::SimpleAtoi(claim.job_id, &run_id)) {
    return absl::InternalError(absl::StrCat("job ", claim.job_id, " is not a balance run"));
  }
  LogJson("error", "balance run failed", {{"run_id", claim.job_id}, {"error", error}});
  absl::StatusOr<Run> run = store_.GetRun(run_id);
  ASSIGN_OR_RETURN(bool failed, store_.FailRun(run_id, error, now));
  RunsMetrics* const m = metrics_;
  if (failed && m != nullptr) {
    m->RunEnded(run.ok() ? run->type : RunType{0}, RunState::kFailed, absl::ZeroDuration());
  }
  return failed;
}

void Runs::Dropped(const jobs::Claim& claim) {
  if (claim.piece_no == 0) return;  // the job's own claim, not a shard's
  if (RunsMetrics* const m = metrics_) m->ShardDiscarded();
}

// The terms of the run's participant schemes ("point\tchannel"): where a
// node's shard tells generation and consumption from tie lines. Read only for
// a shard with node or region schemes (participant shards do not need it).
absl::StatusOr<absl::flat_hash_set<std::string>> Runs::UserTerms(
    const Run& run, const std::vector<Scheme>& shard_schemes) {
  absl::flat_hash_set<std::string> out;
  const bool has_nodes = std::any_of(shard_schemes.begin(), shard_schemes.end(),
                                     [](const Scheme& s) { return !s.is_participant(); });
  if (!has_nodes) return out;
  ASSIGN_OR_RETURN(std::vector<Scheme> all, store_.GetSchemes(run.scheme_ids));
  for (const Scheme& s : all) {
    if (!s.is_participant()) continue;
    for (const Term& t : s.terms) out.insert(TermKey(t.point_code, t.channel));
  }
  return out;
}

absl::StatusOr<ShardCompletion> Runs::ComputeShard(const jobs::Claim& claim, const Shard& shard,
                                                   const Run& run, ShardResult& result) {
  ASSIGN_OR_RETURN(std::vector<Scheme> schemes, store_.GetSchemes(shard.scheme_ids));
  for (Scheme& s : schemes) {
    for (size_t i = 0; i < run.scheme_ids.size(); ++i) {
      if (run.scheme_ids[i] == s.id) s.valid_to = run.scheme_valid_to[i];
    }
  }
  ASSIGN_OR_RETURN(absl::TimeZone zone, LoadZone(run.time_zone, "time_zone"));
  const TimeRange bounds = run.period.Bounds(zone);
  HourGrid grid{bounds.start, HoursIn(TimeRange{bounds.start, run.computed_until})};
  const absl::CivilDay first = run.period.first_day();
  const absl::CivilDay last = absl::ToCivilDay(run.computed_until - absl::Nanoseconds(1), zone);
  ASSIGN_OR_RETURN(const absl::flat_hash_set<std::string> user_terms, UserTerms(run, schemes));
  ShardComputation comp(std::move(schemes), grid, first, last, zone, run.declared,
                        shard.closure_terms, run.period.Hours(zone), user_terms);
  RETURN_IF_ERROR(readings_.StreamDays(
      comp.PointCodes(), comp.Channels(), first, last, run.readings_as_of,
      [&](std::vector<PointDayIn>& days) -> absl::Status {
        for (const PointDayIn& d : days) comp.Add(d);
        // The runner's heartbeat found the
        // run ended or the shard taken over.
        if (runner_.Lost(claim)) {
          return absl::CancelledError("the run ended or the shard was taken over");
        }
        return absl::OkStatus();
      }));
  result = comp.Finish();
  return store_.CompleteShard(shard, result, clock_.Now());
}

absl::Status Runs::RefreshGauges() {
  RunsMetrics* const m = metrics_;
  if (m == nullptr) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<absl::Time> oldest, store_.OldestClaim());
  m->SetOldestLeaseAge(oldest ? std::max(absl::ZeroDuration(), clock_.Now() - *oldest)
                              : absl::ZeroDuration());
  return absl::OkStatus();
}

void Runs::StartWorkers() {
  if (absl::Status st = RefreshGauges(); !st.ok()) {
    LogJson("warn", "balance gauges", {{"error", std::string(st.message())}});
  }
  runner_.Start(config_.workers);
}

// --- diff ------------------------------------------------------------------

absl::StatusOr<RunDiff> Runs::Diff(int64_t base_id, int64_t other_id, bool include_unchanged) {
  if (base_id == 0) return InvalidField("base_run_id", "required");
  if (other_id == 0) return InvalidField("other_run_id", "required");
  absl::StatusOr<Run> base = store_.GetRun(base_id);
  if (absl::IsNotFound(base.status()))
    return InvalidField("base_run_id", ToStd(base.status().message()));
  RETURN_IF_ERROR(base.status());
  absl::StatusOr<Run> other = store_.GetRun(other_id);
  if (absl::IsNotFound(other.status())) {
    return InvalidField("other_run_id", ToStd(other.status().message()));
  }
  RETURN_IF_ERROR(other.status());
  if (base->period != other->period) {
    return InvalidField("other_run_id",
                        absl::StrCat("run ", other_id, " is of period ", other->period.ToString(),
                                     ", run ", base_id, " of ", base->period.ToString()));
  }
  if (base->state != RunState::kSucceeded) {
    return FailedPrecondition("base_run_id", absl::StrCat("run ", base_id, " has not succeeded"));
  }
  if (other->state != RunState::kSucceeded) {
    return FailedPrecondition("other_run_id", absl::StrCat("run ", other_id, " has not succeeded"));
  }
  ASSIGN_OR_RETURN(std::vector<TotalsChange> totals, store_.CompareTotals(base_id, other_id));
  ASSIGN_OR_RETURN(std::vector<RevisionChange> revisions,
                   store_.CompareRevisions(base_id, other_id));
  ASSIGN_OR_RETURN(std::vector<Scheme> base_schemes, store_.GetSchemes(base->scheme_ids));
  ASSIGN_OR_RETURN(std::vector<Scheme> other_schemes, store_.GetSchemes(other->scheme_ids));

  // Per participant subject: scheme ids of each run, and which subjects read a term.
  using SubjectKey = std::pair<std::string, int>;
  std::map<SubjectKey, std::pair<std::set<int64_t>, std::set<int64_t>>> versions;
  absl::flat_hash_map<std::string, std::set<SubjectKey>> readers;
  RunDiff diff;
  std::set<std::string> node_base, node_other;
  auto index = [&](const std::vector<Scheme>& schemes, bool is_base) {
    for (const Scheme& s : schemes) {
      if (!s.is_participant()) {
        (is_base ? node_base : node_other).insert(absl::StrCat(s.Subject(), "#", s.id));
        continue;
      }
      const SubjectKey key{s.participant_id, s.service_type};
      (is_base ? versions[key].first : versions[key].second).insert(s.id);
      for (const Term& t : s.terms) readers[TermKey(t.point_code, t.channel)].insert(key);
    }
  };
  index(base_schemes, true);
  index(other_schemes, false);
  std::map<SubjectKey, std::vector<Cause>> causes;
  for (const auto& [key, v] : versions) {
    if (v.first == v.second) continue;
    ++diff.changed_schemes;
    Cause c;
    c.kind = CauseKind::kSchemeVersion;
    c.base_scheme_id = v.first.empty() ? 0 : *v.first.rbegin();
    c.other_scheme_id = v.second.empty() ? 0 : *v.second.rbegin();
    causes[key].push_back(c);
  }
  std::vector<std::string> changed_nodes;
  std::set_symmetric_difference(node_base.begin(), node_base.end(), node_other.begin(),
                                node_other.end(), std::back_inserter(changed_nodes));
  diff.changed_schemes += static_cast<int64_t>(changed_nodes.size());
  std::map<SubjectKey, std::pair<int64_t, int64_t>> declared;
  for (const DeclaredVolume& d : base->declared) {
    declared[{d.participant_id, d.service_type}].first += d.volume_wh;
  }
  for (const DeclaredVolume& d : other->declared) {
    declared[{d.participant_id, d.service_type}].second += d.volume_wh;
  }
  for (const auto& [key, v] : declared) {
    if (v.first == v.second) continue;
    Cause c;
    c.kind = CauseKind::kDeclaredVolume;
    c.base_declared_wh = v.first;
    c.other_declared_wh = v.second;
    causes[key].push_back(c);
  }
  diff.changed_point_days = static_cast<int64_t>(revisions.size());
  for (const RevisionChange& r : revisions) {
    auto it = readers.find(TermKey(r.point_code, r.channel));
    if (it == readers.end()) continue;
    for (const SubjectKey& key : it->second) {
      std::vector<Cause>& list = causes[key];
      if (list.size() >= 100) continue;
      Cause c;
      c.kind = CauseKind::kReadingsRevision;
      c.point_code = r.point_code;
      c.channel = r.channel;
      c.day = r.day;
      c.base_revision = r.base_revision;
      c.other_revision = r.other_revision;
      list.push_back(c);
    }
  }
  for (const TotalsChange& t : totals) {
    const SubjectKey key{t.participant_id, t.service_type};
    auto cit = causes.find(key);
    const bool changed = t.base_wh != t.other_wh || t.changed_hours > 0 || cit != causes.end();
    if (!changed && !include_unchanged) continue;
    ServiceDiff d;
    d.participant_id = t.participant_id;
    d.service_type = t.service_type;
    d.base_wh = t.base_wh;
    d.other_wh = t.other_wh;
    d.changed_hours = t.changed_hours;
    if (cit != causes.end()) d.causes = cit->second;
    diff.services.push_back(std::move(d));
  }
  return diff;
}

}  // namespace gridbill::balance
