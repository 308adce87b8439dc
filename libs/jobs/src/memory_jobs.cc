#include "gridbill/jobs/memory_jobs.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gridbill::jobs {
namespace {

bool Open(State s) { return s == State::kPending || s == State::kRunning; }

absl::Status NotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("job ", id, " not found"));
}

}  // namespace

bool MemoryJobs::Wanted(const Entry& e, const std::vector<std::string>& kinds,
                        const std::string& only_job) {
  return std::find(kinds.begin(), kinds.end(), e.job.kind) != kinds.end() &&
         (only_job.empty() || only_job == e.job.id);
}

void MemoryJobs::Split(Entry& e, const std::vector<PieceSpec>& pieces, absl::Time now) {
  e.pieces.clear();
  e.job.total = 0;
  for (const PieceSpec& p : pieces) {
    Piece piece;
    piece.spec = p;
    e.pieces.push_back(std::move(piece));
    e.job.total += p.units;
  }
  e.job.pieces_total = static_cast<int>(pieces.size());
  e.job.state = State::kRunning;
  if (!e.job.start_time) e.job.start_time = now;
}

absl::Status MemoryJobs::Insert(const std::string& id, const std::string& kind, absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (jobs_.count(id) > 0) return absl::AlreadyExistsError(absl::StrCat("job ", id));
  Entry e;
  e.job.id = id;
  e.job.kind = kind;
  e.job.create_time = now;
  e.order = next_order_++;
  jobs_.emplace(id, std::move(e));
  return absl::OkStatus();
}

absl::Status MemoryJobs::InsertSplit(const std::string& id, const std::string& kind,
                                     const std::vector<PieceSpec>& pieces, absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (jobs_.count(id) > 0) return absl::AlreadyExistsError(absl::StrCat("job ", id));
  Entry e;
  e.job.id = id;
  e.job.kind = kind;
  e.job.create_time = now;
  e.order = next_order_++;
  Split(e, pieces, now);
  jobs_.emplace(id, std::move(e));
  return absl::OkStatus();
}

int64_t MemoryJobs::EpochOf(const std::string& id, int piece_no) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return 0;
  if (piece_no == 0) return it->second.lease.epoch;
  return it->second.pieces.at(static_cast<size_t>(piece_no - 1)).lease.epoch;
}

absl::StatusOr<Job> MemoryJobs::Get(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return NotFound(id);
  return it->second.job;
}

absl::StatusOr<std::optional<Claim>> MemoryJobs::ClaimJob(const std::string& worker, absl::Time now,
                                                          absl::Time stale_before,
                                                          const std::vector<std::string>& kinds,
                                                          const std::string& only_job) {
  absl::MutexLock lock(&mu_);
  Entry* best = nullptr;
  for (auto& [id, e] : jobs_) {
    if (!Wanted(e, kinds, only_job)) continue;
    const bool stage = e.job.state == State::kPending ||
                       (e.job.state == State::kRunning && e.job.pieces_done == e.job.pieces_total);
    if (!stage || (e.lease.at && *e.lease.at >= stale_before)) continue;
    if (best == nullptr || e.order < best->order) best = &e;
  }
  if (best == nullptr) return std::optional<Claim>();
  Claim c;
  c.taken_over_from = best->lease.at ? best->lease.by : "";
  best->lease = Lease{worker, now, best->lease.epoch + 1};
  c.job = best->job;
  c.job_id = best->job.id;
  c.kind = best->job.kind;
  c.epoch = best->lease.epoch;
  c.worker = worker;
  return std::optional<Claim>(std::move(c));
}

absl::StatusOr<std::optional<Claim>> MemoryJobs::ClaimPiece(const std::string& worker,
                                                            absl::Time now, absl::Time stale_before,
                                                            const std::vector<std::string>& kinds,
                                                            const std::string& only_job) {
  absl::MutexLock lock(&mu_);
  std::vector<Entry*> running;
  for (auto& [id, e] : jobs_) {
    if (e.job.state == State::kRunning && Wanted(e, kinds, only_job)) running.push_back(&e);
  }
  std::sort(running.begin(), running.end(),
            [](const Entry* a, const Entry* b) { return a->order < b->order; });
  for (Entry* e : running) {
    for (size_t i = 0; i < e->pieces.size(); ++i) {
      Piece& p = e->pieces[i];
      const bool expired = p.state == 1 && p.lease.at && *p.lease.at < stale_before;
      if (p.state != 0 && !expired) continue;
      Claim c;
      c.taken_over_from = p.state == 1 ? p.lease.by : "";
      p.state = 1;
      p.lease = Lease{worker, now, p.lease.epoch + 1};
      c.job = e->job;
      c.job_id = e->job.id;
      c.kind = e->job.kind;
      c.piece_no = static_cast<int>(i) + 1;
      c.epoch = p.lease.epoch;
      c.piece = p.spec;
      c.worker = worker;
      return std::optional<Claim>(std::move(c));
    }
  }
  return std::optional<Claim>();
}

absl::StatusOr<bool> MemoryJobs::Renew(const Claim& claim, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(claim.job_id);
  if (it == jobs_.end() || !Open(it->second.job.state)) return false;
  Entry& e = it->second;
  if (claim.piece_no == 0) {
    if (e.lease.epoch != claim.epoch || !e.lease.at) return false;
    e.lease.at = now;
    return true;
  }
  if (e.job.state != State::kRunning) return false;
  Piece& p = e.pieces.at(static_cast<size_t>(claim.piece_no - 1));
  if (p.state != 1 || p.lease.epoch != claim.epoch) return false;
  p.lease.at = now;
  return true;
}

absl::StatusOr<bool> MemoryJobs::StorePlan(const Claim& claim, const std::vector<PieceSpec>& pieces,
                                           absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(claim.job_id);
  if (it == jobs_.end()) return NotFound(claim.job_id);
  Entry& e = it->second;
  if (e.job.state != State::kPending || e.lease.epoch != claim.epoch || !e.lease.at) return false;
  Split(e, pieces, now);
  e.lease.at.reset();
  return true;
}

absl::StatusOr<Completion> MemoryJobs::CompletePiece(const Claim& claim, const std::string& result,
                                                     absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(claim.job_id);
  if (it == jobs_.end()) return Completion::kDiscarded;
  Entry& e = it->second;
  if (e.job.state != State::kRunning) return Completion::kDiscarded;
  Piece& p = e.pieces.at(static_cast<size_t>(claim.piece_no - 1));
  if (p.state != 1 || p.lease.epoch != claim.epoch) return Completion::kDiscarded;
  p.state = 2;
  p.result = result;
  p.lease.at.reset();
  e.job.done += p.spec.units;
  ++e.job.pieces_done;
  return e.job.pieces_done >= e.job.pieces_total ? Completion::kLast : Completion::kStored;
}

absl::StatusOr<bool> MemoryJobs::Finish(const Claim& claim, const std::string& summary,
                                        absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(claim.job_id);
  if (it == jobs_.end()) return false;
  Entry& e = it->second;
  if (e.job.state != State::kRunning || e.lease.epoch != claim.epoch || !e.lease.at ||
      e.job.pieces_done != e.job.pieces_total) {
    return false;
  }
  e.job.state = State::kSucceeded;
  e.job.summary = summary;
  e.job.finish_time = now;
  e.lease.at.reset();
  return true;
}

absl::StatusOr<bool> MemoryJobs::Fail(const std::string& id, const std::string& error,
                                      absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end() || !Open(it->second.job.state)) return false;
  it->second.job.state = State::kFailed;
  it->second.job.error = error;
  it->second.job.finish_time = now;
  it->second.lease.at.reset();
  return true;
}

absl::StatusOr<bool> MemoryJobs::Cancel(const std::string& id, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return NotFound(id);
  if (!Open(it->second.job.state)) return false;
  it->second.job.state = State::kCancelled;
  it->second.job.error = "cancelled on request";
  it->second.job.finish_time = now;
  it->second.lease.at.reset();
  return true;
}

absl::Status MemoryJobs::SetSummary(const std::string& id, const std::string& summary) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return NotFound(id);
  it->second.job.summary = summary;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> MemoryJobs::Results(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return NotFound(id);
  std::vector<std::string> out;
  for (const Piece& p : it->second.pieces) {
    if (p.state == 2) out.push_back(p.result);
  }
  return out;
}

absl::StatusOr<int64_t> MemoryJobs::CountOpen(const std::vector<std::string>& kinds) {
  absl::MutexLock lock(&mu_);
  int64_t n = 0;
  for (const auto& [id, e] : jobs_) {
    if (Open(e.job.state) && Wanted(e, kinds, "")) ++n;
  }
  return n;
}

}  // namespace gridbill::jobs
