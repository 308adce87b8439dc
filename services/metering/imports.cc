#include "imports.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::metering {
namespace {

constexpr int kMaxReasonsInError = 5;

std::string Fingerprint(const ImportRequest& r, const Requester& who) {
  return Sha256Hex(
      absl::StrCat(Sha256Hex(r.content), "\x1f", r.file_name, "\x1f", static_cast<int>(r.format),
                   "\x1f", static_cast<int>(r.encoding), "\x1f", static_cast<int>(r.unit), "\x1f",
                   static_cast<int>(r.source), "\x1f", who.actor, "\x1f", who.participant_id));
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

}  // namespace

std::string SummaryText(const ImportJob& job) {
  const IngestSummary& s = job.summary;
  return absl::StrCat("accepted ", s.accepted, ", unchanged ", s.unchanged, ", revised ", s.revised,
                      ", rejected ", s.rejected, ", flagged ", s.flagged, " (", job.readings,
                      " readings of ", job.total, job.total == 1 ? " point)" : " points)");
}

ImportJobs::~ImportJobs() { StopWorker(); }

absl::StatusOr<int64_t> ImportJobs::FailInterrupted() {
  return store_.FailOpenImportJobs(kInterruptedByRestart, clock_.Now());
}

void ImportJobs::StartWorker() {
  absl::MutexLock lock(&mu_);
  if (worker_.joinable()) return;
  stopping_ = false;
  worker_ = std::thread([this] { Loop(); });
}

void ImportJobs::StopWorker() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    work_cv_.SignalAll();
  }
  if (worker_.joinable()) worker_.join();
}

void ImportJobs::Notify() {
  absl::MutexLock lock(&mu_);
  ++generation_;
  changed_cv_.SignalAll();
}

absl::StatusOr<ImportJob> ImportJobs::Start(const ImportRequest& request, const Requester& who) {
  if (who.scoped()) return absl::PermissionDeniedError("participants cannot import files");
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

  Work work;
  work.who = who;
  work.batches.resize(codes.size());
  work.where.resize(codes.size());
  for (FileReading& fr : file.readings) {
    const size_t b = batch_of.at(fr.reading.point_code);
    work.batches[b].push_back(std::move(fr.reading));
    work.where[b].push_back(std::move(fr.where));
  }
  ImportJob& job = work.job;
  job.id = absl::StrCat("imp-", Sha256Hex(request.request_id).substr(0, 24));
  job.request_id = request.request_id;
  job.fingerprint = fingerprint;
  job.actor = who.actor;
  job.file_name = request.file_name;
  job.state = JobState::kPending;
  job.total = static_cast<int64_t>(codes.size());
  job.readings = static_cast<int64_t>(all.readings.size());
  job.create_time = clock_.Now();
  absl::Status inserted = store_.InsertImportJob(job);
  if (inserted.code() == absl::StatusCode::kAlreadyExists) {
    // A concurrent retry of the same request won the race.
    ASSIGN_OR_RETURN(ImportJob other, store_.FindImportJob(request.request_id));
    if (other.fingerprint != fingerprint) {
      return InvalidField("request_id", "already used for another import");
    }
    return other;
  }
  RETURN_IF_ERROR(inserted);
  ImportJob out = job;
  {
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(work));
    work_cv_.Signal();
  }
  return out;
}

absl::StatusOr<ImportJob> ImportJobs::Get(const std::string& id, const Requester& who) {
  if (id.empty()) return InvalidField("job_id", "required");
  ASSIGN_OR_RETURN(ImportJob job, store_.GetImportJob(id));
  if (who.scoped()) return NotFound("import job", id);
  return job;
}

absl::StatusOr<ImportJob> ImportJobs::Cancel(const std::string& id, const Requester& who) {
  if (who.scoped()) return absl::PermissionDeniedError("participants cannot cancel imports");
  ASSIGN_OR_RETURN(ImportJob job, Get(id, who));
  if (Terminal(job.state)) return job;
  {
    absl::MutexLock lock(&mu_);
    cancelled_.insert(id);
  }
  job.state = JobState::kCancelled;
  job.finish_time = clock_.Now();
  job.error = absl::StrCat("cancelled by ", who.actor);
  ASSIGN_OR_RETURN(bool saved, store_.UpdateImportJob(job));
  Notify();
  if (!saved) return store_.GetImportJob(id);  // it ended meanwhile
  return job;
}

absl::Status ImportJobs::Watch(const std::string& id, const Requester& who,
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

bool ImportJobs::Save(const ImportJob& job) {
  absl::StatusOr<bool> saved = store_.UpdateImportJob(job);
  Notify();
  return saved.ok() && *saved;
}

void ImportJobs::Loop() {
  while (true) {
    Work work;
    {
      absl::MutexLock lock(&mu_);
      while (queue_.empty() && !stopping_) work_cv_.Wait(&mu_);
      if (stopping_) return;
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    Run(work);
  }
}

void ImportJobs::Run(Work& work) {
  ImportJob& job = work.job;
  job.state = JobState::kRunning;
  job.start_time = clock_.Now();
  if (!Save(job)) {  // cancelled while pending
    absl::MutexLock lock(&mu_);
    cancelled_.erase(job.id);
    return;
  }
  Requester who = work.who;
  who.request_id = job.request_id;
  for (size_t i = 0; i < work.batches.size(); ++i) {
    {
      absl::MutexLock lock(&mu_);
      if (cancelled_.erase(job.id) > 0) return;  // the cancel saved the state
      if (stopping_) {
        job.state = JobState::kFailed;
        job.error = kInterruptedByRestart;
        job.finish_time = clock_.Now();
        break;
      }
    }
    Batch batch;
    batch.index = static_cast<int32_t>(i);
    batch.source = work.batches[i].front().source;
    batch.readings = std::move(work.batches[i]);
    absl::StatusOr<IngestSummary> s = ingestion_.Ingest(batch, who);
    if (!s.ok()) {
      job.state = JobState::kFailed;
      job.error = absl::StrCat("storing point ", batch.readings.front().point_code,
                               " failed: ", s.status().ToString());
      job.finish_time = clock_.Now();
      break;
    }
    // The whole file was checked; a rejection here means a point changed meanwhile.
    for (Rejection& r : s->rejections) {
      if (r.reading_index >= 0) {
        r.key = absl::StrCat(work.where[i][static_cast<size_t>(r.reading_index)], " ", r.key);
      }
    }
    job.summary.Add(*s);
    job.done = static_cast<int64_t>(i) + 1;
    if (!Save(job)) return;
  }
  if (job.state == JobState::kRunning) {
    job.state = JobState::kSucceeded;
    job.finish_time = clock_.Now();
  }
  Save(job);
}

}  // namespace gridbill::metering
