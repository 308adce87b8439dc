// An in-memory metering Store for the pure domain tests: points keyed by
// code with versions, day revisions appended (never updated), and
// Atomically rolling every change back when its function fails.
#pragma once

#include <cstdlib>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "store.h"

namespace gridbill::metering::testing {

class FakeStore final : public Store {
 public:
  absl::Status Atomically(absl::FunctionRef<absl::Status()> fn) override {
    if (depth_ > 0) return fn();
    State saved = state_;
    ++depth_;
    absl::Status st = fn();
    --depth_;
    if (!st.ok()) state_ = std::move(saved);
    return st;
  }

  absl::StatusOr<MeteringPoint> InsertPoint(const MeteringPoint& point) override {
    if (state_.points.count(point.code) > 0) {
      return absl::AlreadyExistsError(absl::StrCat("metering point ", point.code));
    }
    MeteringPoint p = point;
    p.id = ++state_.next_id;
    state_.points[p.code] = p;
    return p;
  }
  absl::Status UpdatePoint(const MeteringPoint& point, int64_t prev_version) override {
    auto it = state_.points.find(point.code);
    if (it == state_.points.end()) return NotFound("metering point", point.code);
    if (it->second.version != prev_version) return absl::AbortedError("concurrent change");
    it->second = point;
    return absl::OkStatus();
  }
  absl::StatusOr<MeteringPoint> GetPoint(const std::string& code) override {
    auto it = state_.points.find(code);
    if (it == state_.points.end()) return NotFound("metering point", code);
    return it->second;
  }
  absl::StatusOr<std::vector<MeteringPoint>> FindPoints(
      absl::Span<const std::string> codes) override {
    std::vector<MeteringPoint> out;
    for (const std::string& code : codes) {
      auto it = state_.points.find(code);
      if (it != state_.points.end()) out.push_back(it->second);
    }
    return out;
  }
  absl::StatusOr<ListPage<MeteringPoint>> ListPoints(const PointFilter& filter,
                                                     const paging::Page& page) override {
    ListPage<MeteringPoint> out;
    for (const auto& [code, p] : state_.points) out.items.push_back(p);
    return out;
  }

  absl::StatusOr<std::vector<DayRow>> LatestDays(absl::Span<const DayKey> keys) override {
    std::vector<DayRow> out;
    for (const DayKey& k : keys) {
      auto it = state_.days.find(k);
      if (it != state_.days.end() && !it->second.empty()) out.push_back(it->second.back());
    }
    return out;
  }
  absl::Status WriteDays(absl::Span<const DayRow> rows) override {
    for (const DayRow& r : rows) {
      std::vector<DayRow>& revisions = state_.days[r.key];
      if (r.revision != static_cast<int32_t>(revisions.size()) + 1) {
        return absl::AbortedError("revision taken");
      }
      revisions.push_back(r);
    }
    return absl::OkStatus();
  }
  absl::StatusOr<IntervalTotals> CountIntervals(absl::CivilDay, absl::CivilDay) override {
    return absl::UnimplementedError("CountIntervals: pg_store only");
  }
  absl::StatusOr<std::vector<DayRow>> ReadDays(const DayRange& range) override {
    std::vector<DayRow> out;
    for (const auto& [key, revisions] : state_.days) {
      if (key.day < range.from || key.day > range.to || revisions.empty()) continue;
      out.push_back(revisions.back());
    }
    return out;
  }

  // Imports run on libs/jobs against PostgreSQL (imports_pgtest); the pure
  // rules tests do not fake them.
  jobs::JobStore& Jobs() override { std::abort(); }
  absl::Status InsertImportJob(const ImportJob&, const ImportFile&) override {
    return absl::UnimplementedError("imports are not faked");
  }
  absl::StatusOr<int64_t> DeleteEndedImportFiles(absl::Time) override {
    return absl::UnimplementedError("imports are not faked");
  }
  absl::StatusOr<ImportJob> GetImportJob(const std::string&) override {
    return absl::UnimplementedError("imports are not faked");
  }
  absl::StatusOr<ImportJob> FindImportJob(const std::string&) override {
    return absl::UnimplementedError("imports are not faked");
  }
  absl::StatusOr<ListPage<ImportJob>> ListImports(const paging::Page&) override {
    return absl::UnimplementedError("imports are not faked");
  }
  absl::StatusOr<ListPage<ImportJob>> ImportChanges(const paging::Page&) override {
    return absl::UnimplementedError("imports are not faked");
  }
  absl::StatusOr<ImportFile> GetImportFile(const std::string&) override {
    return absl::UnimplementedError("imports are not faked");
  }
  absl::StatusOr<jobs::Completion> StoreImportPiece(
      const jobs::Claim&, absl::FunctionRef<absl::StatusOr<IngestSummary>()>, const std::string&,
      absl::Time) override {
    return absl::UnimplementedError("imports are not faked");
  }
  absl::Status SetImportError(const std::string&, const std::string&) override {
    return absl::UnimplementedError("imports are not faked");
  }

  // Every stored revision of every day.
  int64_t Revisions() const {
    int64_t n = 0;
    for (const auto& [key, revisions] : state_.days) n += static_cast<int64_t>(revisions.size());
    return n;
  }

 private:
  struct State {
    std::map<std::string, MeteringPoint> points;
    std::map<DayKey, std::vector<DayRow>> days;
    int64_t next_id = 0;
  };
  State state_;
  int depth_ = 0;
};

}  // namespace gridbill::metering::testing
