#include "tools/gridbillctl/batch.h"

#include <algorithm>

namespace gridbill::ctl {

Outcome Classify(const grpc::Status& status, const google::protobuf::Timestamp& create_time,
                 absl::Time call_start) {
  if (status.error_code() == grpc::StatusCode::ALREADY_EXISTS) return Outcome::kExisting;
  if (!status.ok()) return Outcome::kRejected;
  const absl::Time created =
      absl::FromUnixSeconds(create_time.seconds()) + absl::Nanoseconds(create_time.nanos());
  return created < call_start - absl::Seconds(2) ? Outcome::kReplayed : Outcome::kCreated;
}

void Tally::Add(Outcome outcome) {
  absl::MutexLock lock(&mu_);
  ++counts_[static_cast<int>(outcome)];
}

void Tally::Reject(int64_t order, std::string message, bool count) {
  absl::MutexLock lock(&mu_);
  if (count) ++counts_[static_cast<int>(Outcome::kRejected)];
  failures_.emplace_back(order, std::move(message));
}

int64_t Tally::created() const {
  absl::MutexLock lock(&mu_);
  return counts_[0];
}
int64_t Tally::replayed() const {
  absl::MutexLock lock(&mu_);
  return counts_[1];
}
int64_t Tally::existing() const {
  absl::MutexLock lock(&mu_);
  return counts_[2];
}
int64_t Tally::rejected() const {
  absl::MutexLock lock(&mu_);
  return counts_[3];
}

std::vector<std::string> Tally::Failures() const {
  absl::MutexLock lock(&mu_);
  auto sorted = failures_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (auto& [order, message] : sorted) out.push_back(std::move(message));
  return out;
}

}  // namespace gridbill::ctl
