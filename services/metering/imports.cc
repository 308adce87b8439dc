#include "imports.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/log.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/server.h"

namespace gridbill::metering {
namespace {

constexpr int kMaxReasonsInError = 5;

std::string Fingerprint(const ImportRequest& r, const Caller& who) {
  return Sha256Hex(
      absl::StrCat(Sha256Hex(r.content), "\x1f", r.file_name, "\x1f", static_cast<int>(r.format),
                   "\x1f", static_cast<int>(r.encoding), "\x1f", static_cast<int>(r.unit), "\x1f",
                   static_cast<int>(r.source), "\x1f", who.Actor(), "\x1f", who.participant_id));
}

std::string ResolutionName(Resolution r) {
  switch (r) {
    case Resolution::kPt15m:
      return "PT15M";
    case Resolution::kPt30m:
      return "PT30M";
    case Resolution::kPt60m:
      return "PT60M";
    case Resolution::kUnspecified:
      break;
  }
  return "unspecified";
}

jobs::RunnerOptions RunnerOptionsOf(const ImportOptions& options,
                                    std::function<void()> on_heartbeat) {
  jobs::RunnerOptions o;
  o.on_heartbeat = std::move(on_heartbeat);
  o.metrics = options.metrics;
  o.worker_id = options.worker_id;
  o.lease = options.lease;
  o.renew_every = options.lease / 4;
  o.log_name = "import jobs";
  return o;
}

}  // namespace

std::string SummaryText(const ImportJob& job) {
  const IngestSummary& s = job.summary;
  return absl::StrCat("accepted ", s.accepted, ", unchanged ", s.unchanged, ", revised ", s.revised,
                      ", missing in the file ", s.missing, ", rejected ", s.rejected,
                      ", with a non-normal status ", s.status_flagged, ", flagged by VEE ",
                      s.flagged, " (", job.readings, " readings of ", job.total,
                      job.total == 1 ? " point)" : " points)");
}

ImportJobs::ImportJobs(Store& store, Ingestion& ingestion, const Clock& clock, absl::TimeZone zone,
                       ImportOptions options)
    : store_(store),
      ingestion_(ingestion),
      clock_(clock),
      zone_(zone),
      file_retention_(options.file_retention),
      runner_(
          store.Jobs(), [&clock] { return clock.Now(); },
          RunnerOptionsOf(options, [this] { DeleteEndedFiles().IgnoreError(); })) {
  runner_.Register(kImportJobKind, *this);
}

ImportJobs::~ImportJobs() { StopWorker(); }

absl::StatusOr<int64_t> ImportJobs::ResumeUnfinished() {
  runner_.Wake();
  return runner_.CountOpen();
}

void ImportJobs::StartWorker(int workers) { runner_.Start(workers); }

void ImportJobs::StopWorker() { runner_.Stop(); }

absl::StatusOr<ImportJob> ImportJobs::Execute(const std::string& id, absl::Duration timeout) {
  RETURN_IF_ERROR(runner_.Drive(id, timeout).status());
  return store_.GetImportJob(id);
}

absl::StatusOr<bool> ImportJobs::WorkOnce(const std::string& id) { return runner_.WorkOnce(id); }

void ImportJobs::Notify() {
  absl::MutexLock lock(&mu_);
  ++generation_;
  changed_cv_.SignalAll();
}

std::shared_ptr<const ImportJobs::Points> ImportJobs::Split(ParsedFile file) {
  auto points = std::make_shared<Points>();
  for (FileReading& fr : file.readings) {
    auto [it, added] = points->index.emplace(fr.reading.point_code, points->codes.size());
    if (added) {
      points->codes.push_back(fr.reading.point_code);
      points->batches.emplace_back();
      points->where.emplace_back();
    }
    points->batches[it->second].push_back(std::move(fr.reading));
    points->where[it->second].push_back(std::move(fr.where));
  }
  return points;
}

absl::StatusOr<std::shared_ptr<const ImportJobs::Points>> ImportJobs::PointsOf(
    const std::string& id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = points_.find(id);
    if (it != points_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(ImportFile file, store_.GetImportFile(id));
  FileOptions options;
  options.format = file.format;
  options.encoding = file.encoding;
  options.unit = file.unit;
  options.source = file.source;
  options.zone = zone_;
  ASSIGN_OR_RETURN(ParsedFile parsed, ParseImportFile(file.content, options));
  std::shared_ptr<const Points> points = Split(std::move(parsed));
  absl::MutexLock lock(&mu_);
  return points_.emplace(id, std::move(points)).first->second;
}

absl::StatusOr<ImportJob> ImportJobs::Start(const ImportRequest& request, const Caller& who) {
  if (request.request_id.empty()) return InvalidField("request_id", "required");
  const std::string fingerprint = Fingerprint(request, who);
  {
    absl::StatusOr<ImportJob> existing = store_.FindImportJob(request.request_id);
    if (existing.ok()) {
      if (existing->fingerprint != fingerprint) {
        return InvalidField("request_id", "already used for another import");
      }
      return existing;
    }
    if (existing.status().code() != absl::StatusCode::kNotFound) return existing.status();
  }

  FileOptions options;
  options.format = request.format;
  options.encoding = request.encoding;
  options.unit = request.unit;
  options.source = request.source == Source::kUnspecified ? Source::kCms : request.source;
  options.zone = zone_;
  ASSIGN_OR_RETURN(ParsedFile file, ParseImportFile(request.content, options));
  if (file.readings.empty()) return InvalidField("content", "the file has no readings");

  // Points, in the order the file names them.
  std::vector<std::string> codes;
  absl::flat_hash_map<std::string, size_t> batch_of;
  for (const FileReading& fr : file.readings) {
    if (batch_of.emplace(fr.reading.point_code, codes.size()).second) {
      codes.push_back(fr.reading.point_code);
    }
  }
  ASSIGN_OR_RETURN(std::vector<MeteringPoint> points, store_.FindPoints(codes));
  absl::flat_hash_map<std::string, const MeteringPoint*> by_code;
  for (const MeteringPoint& p : points) by_code[p.code] = &p;
  for (const FileReading& fr : file.readings) {
    auto it = by_code.find(fr.reading.point_code);
    // A participant's user imports only for the points its participant
    // provides the data of: assigned to it on the reading's local day. Its
    // answer does not tell another participant's point from an unknown one.
    const absl::CivilDay day = absl::ToCivilDay(fr.reading.interval_start, zone_);
    if (who.scoped() &&
        (it == by_code.end() || !it->second->AssignedTo(who.participant_id, day, day))) {
      return InvalidField("content", absl::StrCat(fr.where, ": participant ", who.participant_id,
                                                  " does not provide the data of metering point ",
                                                  QuoteInput(fr.reading.point_code), " on ",
                                                  absl::FormatCivilTime(day)));
    }
    if (it == by_code.end()) {
      return InvalidField("content", absl::StrCat(fr.where, ": unknown metering point ",
                                                  QuoteInput(fr.reading.point_code)));
    }
    const MeteringPoint& p = *it->second;
    if (fr.period_minutes > 0 && absl::Minutes(fr.period_minutes) != Length(p.resolution)) {
      return InvalidField("content", absl::StrCat(fr.where, ": a period of ", fr.period_minutes,
                                                  " minutes does not match ", p.code,
                                                  "'s resolution ", ResolutionName(p.resolution),
                                                  " (periods are neither split nor summed)"));
    }
  }

  // The structural checks of ingestion over the whole file at once: a key
  // twice with different values, alignment, validity, channels.
  Batch all;
  all.source = options.source;
  all.readings.reserve(file.readings.size());
  for (const FileReading& fr : file.readings) all.readings.push_back(fr.reading);
  ASSIGN_OR_RETURN(IngestSummary check, ingestion_.Check(all));
  if (!check.rejections.empty()) {
    std::vector<std::string> reasons;
    for (const Rejection& r : check.rejections) {
      if (static_cast<int>(reasons.size()) == kMaxReasonsInError) break;
      const std::string& where =
          r.reading_index >= 0 ? file.readings[static_cast<size_t>(r.reading_index)].where : "";
      reasons.push_back(absl::StrCat(where, ": ", r.reason, " [", r.key, "]"));
    }
    std::string text = absl::StrJoin(reasons, "; ");
    if (check.rejections.size() > reasons.size()) {
      absl::StrAppend(&text, "; and ", check.rejections.size() - reasons.size(), " more");
    }
    return InvalidField("content", text);
  }

  ImportJob job;
  job.id = absl::StrCat("imp-", Sha256Hex(request.request_id).substr(0, 24));
  job.request_id = request.request_id;
  job.fingerprint = fingerprint;
  job.actor = who.Actor();
  job.file_name = request.file_name;
  job.state = JobState::kPending;
  job.total = static_cast<int64_t>(codes.size());
  job.readings = static_cast<int64_t>(all.readings.size());
  job.create_time = clock_.Now();
  ImportFile stored;
  stored.content = request.content;
  stored.format = request.format;
  stored.encoding = request.encoding;
  stored.unit = request.unit;
  stored.source = options.source;
  absl::Status inserted = store_.InsertImportJob(job, stored);
  if (inserted.code() == absl::StatusCode::kAlreadyExists) {
    // A concurrent retry of the same request won the race.
    ASSIGN_OR_RETURN(ImportJob other, store_.FindImportJob(request.request_id));
    if (other.fingerprint != fingerprint) {
      return InvalidField("request_id", "already used for another import");
    }
    return other;
  }
  RETURN_IF_ERROR(inserted);
  {
    absl::MutexLock lock(&mu_);
    points_.emplace(job.id, Split(std::move(file)));
  }
  runner_.Wake();
  return job;
}

absl::StatusOr<ImportJob> ImportJobs::Get(const std::string& id, const Caller& who) {
  if (id.empty()) return InvalidField("job_id", "required");
  ASSIGN_OR_RETURN(ImportJob job, store_.GetImportJob(id));
  // A participant's user sees the imports it started, nothing else.
  if (who.scoped() && job.actor != who.Actor()) return NotFound("import job", id);
  return job;
}

absl::StatusOr<ListPage<ImportJob>> ImportJobs::List(const paging::Page& page, const Caller& who) {
  if (who.scoped()) return ListPage<ImportJob>{};
  return store_.ListImports(page);
}

absl::StatusOr<ListPage<ImportJob>> ImportJobs::Changes(const paging::Page& page,
                                                        const Caller& who) {
  if (who.scoped()) return ListPage<ImportJob>{};
  return store_.ImportChanges(page);
}

absl::StatusOr<ImportJob> ImportJobs::Cancel(const std::string& id, const Caller& who) {
  if (who.scoped()) return absl::PermissionDeniedError("participants cannot cancel imports");
  ASSIGN_OR_RETURN(ImportJob job, Get(id, who));
  if (Terminal(job.state)) return job;
  ASSIGN_OR_RETURN(jobs::Job ended, runner_.Cancel(id));
  if (ended.state == jobs::State::kCancelled) {
    RETURN_IF_ERROR(store_.SetImportError(id, absl::StrCat("cancelled by ", who.Actor())));
  }
  Notify();
  return store_.GetImportJob(id);
}

absl::Status ImportJobs::Watch(const std::string& id, const Caller& who,
                               const std::function<bool(const ImportJob&)>& sink) {
  ASSIGN_OR_RETURN(ImportJob last, Get(id, who));
  if (!sink(last)) return absl::OkStatus();
  while (!Terminal(last.state)) {
    {
      absl::MutexLock lock(&mu_);
      const int64_t seen = generation_;
      // Another replica may run the job: read the store at least every 500 ms.
      while (generation_ == seen) {
        if (changed_cv_.WaitWithTimeout(&mu_, absl::Milliseconds(500))) break;
      }
    }
    ASSIGN_OR_RETURN(ImportJob now, store_.GetImportJob(id));
    if (now.state == last.state && now.done == last.done) continue;
    last = std::move(now);
    if (!sink(last)) return absl::OkStatus();
  }
  return absl::OkStatus();
}

// --- the job ---------------------------------------------------------------

absl::StatusOr<bool> ImportJobs::Plan(const jobs::Job& job, const jobs::Claim& claim) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Points> points, PointsOf(job.id));
  std::vector<jobs::PieceSpec> pieces;
  for (const std::string& code : points->codes) pieces.push_back(jobs::PieceSpec{code, 1});
  ASSIGN_OR_RETURN(bool planned, store_.Jobs().StorePlan(claim, pieces, clock_.Now()));
  Notify();
  return planned;
}

absl::StatusOr<jobs::Completion> ImportJobs::Work(const jobs::Job& job, const jobs::Claim& claim) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Points> points, PointsOf(job.id));
  auto at = points->index.find(claim.piece.spec);
  if (at == points->index.end()) {
    return absl::InternalError(
        absl::StrCat("import ", job.id, " has no point ", claim.piece.spec, " in its file"));
  }
  const size_t i = at->second;
  ASSIGN_OR_RETURN(ImportJob import, store_.GetImportJob(job.id));
  Caller who;
  who.principal = import.actor;
  who.request_id = import.request_id;
  Batch batch;
  batch.index = static_cast<int32_t>(i);
  batch.source = points->batches[i].front().source;
  batch.readings = points->batches[i];
  absl::StatusOr<jobs::Completion> stored = store_.StoreImportPiece(
      claim,
      [&]() -> absl::StatusOr<IngestSummary> {
        ASSIGN_OR_RETURN(IngestSummary s, ingestion_.Ingest(batch, who));
        // The whole file was checked; a rejection here means a point changed meanwhile.
        for (Rejection& r : s.rejections) {
          if (r.reading_index >= 0) {
            r.key =
                absl::StrCat(points->where[i][static_cast<size_t>(r.reading_index)], " ", r.key);
          }
        }
        return s;
      },
      claim.piece.spec, clock_.Now());
  if (!stored.ok() || *stored == jobs::Completion::kDiscarded) {
    // The job fails, or it ended or moved on elsewhere: the parsed file is
    // read again if this replica gets another of its points.
    absl::MutexLock lock(&mu_);
    points_.erase(job.id);
  }
  if (!stored.ok()) {
    return absl::Status(
        stored.status().code(),
        absl::StrCat("storing point ", claim.piece.spec, " failed: ", stored.status().message()));
  }
  Notify();
  return stored;
}

absl::StatusOr<std::string> ImportJobs::Summarize(const jobs::Job& job,
                                                  const std::vector<std::string>&) {
  {
    absl::MutexLock lock(&mu_);
    points_.erase(job.id);
  }
  ASSIGN_OR_RETURN(ImportJob import, store_.GetImportJob(job.id));
  Notify();
  if (job.state == jobs::State::kCancelled) {
    return absl::StrCat("cancelled after ", job.done, " of ", import.total, " points; ",
                        SummaryText(import));
  }
  return SummaryText(import);
}

void ImportJobs::Ended(const jobs::Job&) { DeleteEndedFiles().IgnoreError(); }

absl::StatusOr<int64_t> ImportJobs::DeleteEndedFiles() {
  absl::StatusOr<int64_t> deleted = store_.DeleteEndedImportFiles(clock_.Now() - file_retention_);
  if (!deleted.ok()) {
    LogJson("warn", "import files", {{"error", std::string(deleted.status().message())}});
  }
  return deleted;
}

}  // namespace gridbill::metering
