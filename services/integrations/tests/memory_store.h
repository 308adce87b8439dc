// An in-memory Store for the pure tests: the outbox rules as pg_store.cc
// implements them (unique facts per adapter and key, claims with epochs).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gridbill/base/errors.h"
#include "store.h"

namespace gridbill::integrations {

class MemoryStore final : public Store {
 public:
  absl::StatusOr<std::string> Cursor(absl::string_view feed) override {
    absl::MutexLock l(&mu_);
    return cursors_[std::string(feed)];
  }
  absl::StatusOr<int> AppendFacts(absl::string_view feed, absl::string_view cursor,
                                  const std::vector<Fact>& facts, absl::Time now) override {
    absl::MutexLock l(&mu_);
    int added = 0;
    for (const Fact& f : facts) {
      bool dup = false;
      for (const Delivery& d : rows_) {
        dup = dup || (d.adapter == f.adapter && d.idempotency_key == f.IdempotencyKey());
      }
      if (dup) continue;
      Delivery d;
      d.id = static_cast<int64_t>(rows_.size()) + 1;
      d.adapter = f.adapter;
      d.fact_kind = f.kind;
      d.fact_id = f.id;
      d.fact_version = f.version;
      d.idempotency_key = f.IdempotencyKey();
      d.payload = f.payload;
      groups_.push_back(f.group);
      d.next_attempt_time = now;
      d.create_time = now;
      rows_.push_back(d);
      claimed_until_.push_back(absl::InfinitePast());
      ++added;
    }
    cursors_[std::string(feed)] = std::string(cursor);
    return added;
  }
  absl::StatusOr<std::vector<Delivery>> ClaimDue(absl::string_view adapter, int limit,
                                                 absl::Time now, absl::Duration lease) override {
    absl::MutexLock l(&mu_);
    std::vector<Delivery> out;
    for (size_t i = 0; i < rows_.size() && static_cast<int>(out.size()) < limit; ++i) {
      Delivery& d = rows_[i];
      if (d.adapter != adapter || d.state != DeliveryState::kPending || d.next_attempt_time > now ||
          claimed_until_[i] > now) {
        continue;
      }
      ++d.claim_epoch;
      claimed_until_[i] = now + lease;
      out.push_back(d);
    }
    return out;
  }
  absl::StatusOr<bool> EndAttempt(const Delivery& claimed, DeliveryState state,
                                  const std::string& detail, absl::Time next,
                                  absl::Time now) override {
    absl::MutexLock l(&mu_);
    Delivery& d = rows_[static_cast<size_t>(claimed.id - 1)];
    if (d.claim_epoch != claimed.claim_epoch || d.state != DeliveryState::kPending) return false;
    d.state = state;
    ++d.attempts;
    claimed_until_[static_cast<size_t>(claimed.id - 1)] = absl::InfinitePast();
    if (state == DeliveryState::kDelivered) {
      d.receipt = detail;
      d.last_error.clear();
    } else {
      d.last_error = detail;
    }
    d.next_attempt_time = next;
    if (state != DeliveryState::kPending) d.finish_time = now;
    return true;
  }
  absl::StatusOr<Delivery> Get(int64_t id) override {
    absl::MutexLock l(&mu_);
    if (id < 1 || id > static_cast<int64_t>(rows_.size()))
      return NotFound("delivery", absl::StrCat(id));
    return rows_[static_cast<size_t>(id - 1)];
  }
  absl::StatusOr<paging::PageOf<Delivery>> List(const DeliveryFilter& filter,
                                                const paging::Page& page) override {
    absl::MutexLock l(&mu_);
    std::vector<Delivery> out;
    for (const Delivery& d : rows_) {
      if (!filter.adapter.empty() && d.adapter != filter.adapter) continue;
      if (filter.state && d.state != *filter.state) continue;
      if (!filter.fact_id.empty() && d.fact_id != filter.fact_id) continue;
      out.push_back(d);
    }
    paging::PageOf<Delivery> p;
    p.items = out;
    return p;
  }
  absl::StatusOr<std::vector<Delivery>> ListGroup(absl::string_view adapter,
                                                  absl::string_view group) override {
    absl::MutexLock l(&mu_);
    std::vector<Delivery> out;
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (rows_[i].adapter == adapter && !group.empty() && groups_[i] == group) {
        out.push_back(rows_[i]);
      }
    }
    return out;
  }
  absl::StatusOr<std::vector<Delivery>> ListKind(absl::string_view adapter, absl::string_view kind,
                                                 int limit) override {
    absl::MutexLock l(&mu_);
    std::vector<Delivery> out;
    for (auto it = rows_.rbegin(); it != rows_.rend() && static_cast<int>(out.size()) < limit;
         ++it) {
      if (it->adapter == adapter && it->fact_kind == kind) out.push_back(*it);
    }
    return out;
  }
  absl::StatusOr<Delivery> Revive(int64_t id, absl::Time now) override {
    absl::MutexLock l(&mu_);
    Delivery& d = rows_[static_cast<size_t>(id - 1)];
    if (d.state != DeliveryState::kDead) return FailedPrecondition("delivery_id", "not dead");
    d.state = DeliveryState::kPending;
    d.attempts = 0;
    d.next_attempt_time = now;
    d.finish_time.reset();
    return d;
  }
  absl::StatusOr<Delivery> Skip(int64_t id, const std::string& reason, absl::Time now) override {
    absl::MutexLock l(&mu_);
    Delivery& d = rows_[static_cast<size_t>(id - 1)];
    if (d.state != DeliveryState::kDead) return FailedPrecondition("delivery_id", "not dead");
    d.state = DeliveryState::kSkipped;
    d.last_error = reason;
    d.finish_time = now;
    return d;
  }
  absl::StatusOr<std::vector<AdapterCounts>> Counts() override {
    return std::vector<AdapterCounts>();
  }
  absl::Status RecordAttempt(absl::string_view, bool, const std::string&, absl::Time) override {
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<InboundFile>> FindInboundFile(absl::string_view adapter,
                                                             absl::string_view sha256) override {
    absl::MutexLock l(&mu_);
    auto it = files_.find(absl::StrCat(adapter, "/", sha256));
    if (it == files_.end()) return std::optional<InboundFile>();
    return std::optional<InboundFile>(it->second);
  }
  absl::Status RecordInboundFile(absl::string_view adapter, absl::string_view sha256,
                                 absl::string_view, const InboundFile& file, absl::Time) override {
    absl::MutexLock l(&mu_);
    files_.emplace(absl::StrCat(adapter, "/", sha256), file);
    return absl::OkStatus();
  }
  absl::StatusOr<int64_t> StreamPosition(absl::string_view source) override {
    absl::MutexLock l(&mu_);
    return positions_[std::string(source)];
  }
  absl::Status SetStreamPosition(absl::string_view source, int64_t seq, absl::Time) override {
    absl::MutexLock l(&mu_);
    positions_[std::string(source)] = std::max(positions_[std::string(source)], seq);
    return absl::OkStatus();
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> groups_;  // per row
  std::vector<Delivery> rows_;
  std::vector<absl::Time> claimed_until_;
  std::map<std::string, std::string> cursors_;
  std::map<std::string, InboundFile> files_;
  std::map<std::string, int64_t> positions_;
};

}  // namespace gridbill::integrations
