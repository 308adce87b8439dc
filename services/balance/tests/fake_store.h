// In-memory doubles of what the balance domain reads and writes, for the
// pure domain tests: a Store keeping schemes and runs (jobs in libs/jobs'
// MemoryJobs; shards and results are not faked), and a metering point
// directory.
#pragma once

#include <cstdlib>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "gridbill/jobs/memory_jobs.h"
#include "sources.h"
#include "store.h"

namespace gridbill::balance::testing {

class FakeStore final : public Store {
 public:
  absl::StatusOr<Scheme> InsertScheme(const Scheme& scheme) override {
    Scheme s = scheme;
    s.id = static_cast<int64_t>(schemes_.size()) + 1;
    s.version = 1;
    schemes_[s.id] = s;
    return s;
  }
  absl::StatusOr<Scheme> CloseScheme(int64_t id, absl::CivilDay valid_to,
                                     const std::string& reason) override {
    auto it = schemes_.find(id);
    if (it == schemes_.end()) return NotFound("scheme", absl::StrCat(id));
    it->second.valid_to = valid_to;
    it->second.reason = reason;
    return it->second;
  }
  absl::StatusOr<Scheme> GetScheme(int64_t id) override {
    auto it = schemes_.find(id);
    if (it == schemes_.end()) return NotFound("scheme", absl::StrCat(id));
    return it->second;
  }
  absl::StatusOr<std::vector<Scheme>> GetSchemes(const std::vector<int64_t>& ids) override {
    std::vector<Scheme> out;
    for (int64_t id : ids) {
      if (auto it = schemes_.find(id); it != schemes_.end()) out.push_back(it->second);
    }
    return out;
  }
  absl::StatusOr<paging::PageOf<Scheme>> ListSchemes(const SchemeFilter&,
                                                     const paging::Page&) override {
    return Unfaked();
  }
  absl::StatusOr<std::vector<Scheme>> SchemesValidIn(absl::CivilDay from,
                                                     absl::CivilDay to) override {
    std::vector<Scheme> out;
    for (const auto& [id, s] : schemes_) {
      if (s.valid_from <= to && (!s.valid_to || *s.valid_to >= from)) out.push_back(s);
    }
    return out;
  }

  absl::StatusOr<Run> InsertRun(const Run& run, const std::vector<Shard>& shards) override {
    Run r = run;
    r.id = static_cast<int64_t>(runs_.size()) + 1;
    runs_[r.id] = r;
    shards_ += static_cast<int64_t>(shards.size());
    return r;
  }
  absl::StatusOr<Run> GetRun(int64_t id) override {
    auto it = runs_.find(id);
    if (it == runs_.end()) return NotFound("balance run", absl::StrCat(id));
    return it->second;
  }
  absl::StatusOr<paging::PageOf<Run>> ListRuns(const RunFilter&, const paging::Page&) override {
    return Unfaked();
  }
  absl::StatusOr<paging::PageOf<Run>> RunChanges(const RunFilter&, const paging::Page&) override {
    return Unfaked();
  }
  absl::StatusOr<std::optional<Run>> BillingRun(const BillingPeriod& period) override {
    std::optional<Run> out;
    for (const auto& [id, r] : runs_) {
      if (r.period == period && r.state == RunState::kSucceeded &&
          (r.type == RunType::kFinal || r.type == RunType::kCorrection)) {
        out = r;
      }
    }
    return out;
  }
  absl::StatusOr<int> LastCorrection(const BillingPeriod& period) override {
    int last = 0;
    for (const auto& [id, r] : runs_) {
      if (r.period == period && r.type == RunType::kCorrection) {
        last = std::max(last, r.correction_number);
      }
    }
    return last;
  }
  absl::StatusOr<Run> CancelRun(int64_t, absl::Time) override { return Unfaked(); }
  absl::StatusOr<std::optional<Shard>> ClaimShard(const std::string&, absl::Time,
                                                  absl::Time) override {
    return Unfaked();
  }
  absl::StatusOr<bool> RenewShard(const Shard&, absl::Time) override { return Unfaked(); }
  // Runs are jobs of libs/jobs, whose store is PostgreSQL's: runs_pgtest.
  jobs::JobStore& Jobs() override { return jobs_; }
  absl::Status OpenShard(Shard&, absl::Time) override {
    return absl::UnimplementedError("shards are not faked");
  }
  absl::StatusOr<ShardCompletion> CompleteShard(const Shard&, const ShardResult&,
                                                absl::Time) override {
    return Unfaked();
  }
  absl::StatusOr<bool> FailRun(int64_t, const std::string&, absl::Time) override {
    return Unfaked();
  }
  absl::StatusOr<std::optional<absl::Time>> OldestClaim() override { return Unfaked(); }
  absl::StatusOr<RunState> RunStateOf(int64_t) override { return Unfaked(); }
  absl::StatusOr<paging::PageOf<ServiceHour>> ListServiceHours(int64_t, const std::string&, int,
                                                               const paging::Page&) override {
    return Unfaked();
  }
  absl::StatusOr<paging::PageOf<NodeHour>> ListNodeHours(int64_t, const std::string&,
                                                         const paging::Page&) override {
    return Unfaked();
  }
  absl::StatusOr<paging::PageOf<ServiceTotal>> ServiceTotals(int64_t, const std::string&,
                                                             const paging::Page&) override {
    return Unfaked();
  }
  absl::StatusOr<paging::PageOf<NodeTotal>> NodeTotals(int64_t, const paging::Page&) override {
    return Unfaked();
  }
  absl::StatusOr<std::vector<TotalsChange>> CompareTotals(int64_t, int64_t) override {
    return Unfaked();
  }
  absl::StatusOr<std::vector<RevisionChange>> CompareRevisions(int64_t, int64_t) override {
    return Unfaked();
  }

  // Marks a stored run as ended (what the workers would do).
  void SetState(int64_t id, RunState state) { runs_[id].state = state; }
  int64_t run_count() const { return static_cast<int64_t>(runs_.size()); }
  int64_t scheme_count() const { return static_cast<int64_t>(schemes_.size()); }
  int64_t shard_count() const { return shards_; }

 private:
  static absl::Status Unfaked() { return absl::UnimplementedError("not faked"); }

  std::map<int64_t, Scheme> schemes_;
  std::map<int64_t, Run> runs_;
  int64_t shards_ = 0;
  jobs::MemoryJobs jobs_;  // the runs' jobs: no worker runs in the pure tests
};

// The metering points that exist: channels 01 and 02, valid from 2020-01-01
// unless given.
class FakePoints final : public PointDirectory {
 public:
  explicit FakePoints(std::set<std::string> known) {
    for (const std::string& c : known)
      points_[c] = PointInfo{c, {1, 2}, absl::CivilDay(2020, 1, 1), std::nullopt};
  }
  void Put(PointInfo p) { points_[p.code] = std::move(p); }
  absl::StatusOr<std::vector<PointInfo>> Find(const std::vector<std::string>& codes) override {
    std::vector<PointInfo> out;
    std::set<std::string> seen;
    for (const std::string& c : codes) {
      auto it = points_.find(c);
      if (it != points_.end() && seen.insert(c).second) out.push_back(it->second);
    }
    return out;
  }

 private:
  std::map<std::string, PointInfo> points_;
};

// Readings are never streamed in these tests (no worker runs).
class NoReadings final : public ReadingSource {
 public:
  absl::Status StreamDays(const std::vector<std::string>&, const std::vector<int>&, absl::CivilDay,
                          absl::CivilDay, absl::Time,
                          const std::function<absl::Status(std::vector<PointDayIn>&)>&) override {
    return absl::UnimplementedError("no readings in pure tests");
  }
};

}  // namespace gridbill::balance::testing
