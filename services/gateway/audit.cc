#include "audit.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gridbill/base/log.h"

namespace gridbill::gateway {

AuditLog::AuditLog(AuditStore& store, AuditSettings settings)
    : store_(store), settings_(settings), worker_([this] { Run(); }) {}

AuditLog::~AuditLog() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  worker_.join();
  Flush();
}

void AuditLog::Record(AuditEntry entry) {
  absl::MutexLock lock(&mu_);
  if (queue_.size() >= settings_.max_queue) {
    ++dropped_;
    return;
  }
  queue_.push_back(std::move(entry));
}

int64_t AuditLog::dropped() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

std::vector<AuditEntry> AuditLog::Take() {
  absl::MutexLock lock(&mu_);
  const size_t n = std::min(queue_.size(), settings_.batch_size);
  std::vector<AuditEntry> batch(
      std::make_move_iterator(queue_.begin()),
      std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
  return batch;
}

bool AuditLog::Write(std::vector<AuditEntry> batch) {
  if (batch.empty()) return true;
  absl::Status st = store_.InsertAuditEntries(batch);
  if (st.ok()) return true;
  // Kept for the next round: the trail is not given up on a database blip.
  LogJson("error", "audit: writing a batch failed; will retry",
          {{"entries", absl::StrCat(batch.size())}, {"error", std::string(st.message())}});
  absl::MutexLock lock(&mu_);
  if (queue_.size() + batch.size() <= settings_.max_queue) {
    queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()),
                  std::make_move_iterator(batch.end()));
  } else {
    dropped_ += static_cast<int64_t>(batch.size());
  }
  return false;
}

void AuditLog::Flush() {
  absl::MutexLock writer(&write_mu_);
  for (;;) {
    std::vector<AuditEntry> batch = Take();
    if (batch.empty() || !Write(std::move(batch))) return;
  }
}

void AuditLog::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || queue_.size() >= settings_.batch_size;
      };
      mu_.AwaitWithTimeout(absl::Condition(&ready), settings_.flush_interval);
      if (stop_) return;
    }
    absl::MutexLock writer(&write_mu_);
    Write(Take());
  }
}

}  // namespace gridbill::gateway
