#include "ingestion.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "days.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::metering {
namespace {

std::string KeyText(const Reading& r) {
  return absl::StrCat(
      r.point_code, "/", ChannelCode(r.channel), "/",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", r.interval_start, absl::UTCTimeZone()));
}

struct Incoming {
  int index;  // interval index in the day
  int64_t value;
  Quality quality;
  int reading;  // index in the batch
};

struct DayWork {
  Resolution resolution;
  Source source;
  std::vector<Incoming> values;
};

}  // namespace

struct Ingestion::Prepared {
  absl::flat_hash_map<DayKey, DayWork> days;
  IngestSummary rejected;
};

absl::StatusOr<IngestSummary> Ingestion::Check(const Batch& batch) {
  Prepared prepared;
  RETURN_IF_ERROR(Prepare(batch, prepared));
  return prepared.rejected;
}

absl::Status Ingestion::Prepare(const Batch& batch, Prepared& prepared) {
  IngestSummary& rejected = prepared.rejected;
  absl::flat_hash_map<DayKey, DayWork>& days = prepared.days;
  auto reject = [&](int reading, std::string key, std::string reason) {
    Rejection r{batch.index, reading, std::move(key), std::move(reason)};
    if (rejected.rejections.size() < 1000) rejected.rejections.push_back(std::move(r));
  };
  if (batch.readings.empty()) return absl::OkStatus();

  // Points of the batch, looked up once.
  std::vector<std::string> codes;
  for (const Reading& r : batch.readings) {
    if (codes.empty() || codes.back() != r.point_code) codes.push_back(r.point_code);
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  ASSIGN_OR_RETURN(std::vector<MeteringPoint> found, store_.FindPoints(codes));
  absl::flat_hash_map<std::string, const MeteringPoint*> points;
  for (const MeteringPoint& p : found) points[p.code] = &p;

  const absl::Time now = clock_.Now();
  for (size_t i = 0; i < batch.readings.size(); ++i) {
    const Reading& r = batch.readings[i];
    const int ri = static_cast<int>(i);
    auto it = points.find(r.point_code);
    if (it == points.end()) {
      reject(ri, KeyText(r),
             r.point_code.empty()
                 ? "point_code: required"
                 : absl::StrCat("unknown metering point ", QuoteInput(r.point_code)));
      continue;
    }
    const MeteringPoint& p = *it->second;
    if (r.channel == Channel::kUnspecified) {
      reject(ri, KeyText(r), "channel: required");
      continue;
    }
    if (!p.HasChannel(r.channel)) {
      reject(ri, KeyText(r),
             absl::StrCat("point ", p.code, " has no channel ", ChannelCode(r.channel)));
      continue;
    }
    const Source source = r.source != Source::kUnspecified ? r.source : batch.source;
    if (source == Source::kUnspecified) {
      reject(ri, KeyText(r), "source: required (on the reading or the batch)");
      continue;
    }
    const Slot slot = SlotOf(r.interval_start, p.resolution, zone_);
    if (!slot.aligned) {
      reject(ri, KeyText(r),
             absl::StrCat("interval_start is not aligned to the point's resolution (",
                          absl::FormatDuration(Length(p.resolution)), ")"));
      continue;
    }
    if (!p.ValidOn(slot.day)) {
      reject(ri, KeyText(r), "interval_start is outside the point's validity");
      continue;
    }
    if (r.interval_start + Length(p.resolution) > now) {
      reject(ri, KeyText(r), "interval_start: the interval has not ended yet");
      continue;
    }
    const Quality quality = r.quality == Quality::kUnspecified ? Quality::kMeasured : r.quality;
    DayWork& work = days[DayKey{p.id, r.channel, slot.day}];
    if (work.values.empty()) {
      work.resolution = p.resolution;
      work.source = source;
    }
    work.values.push_back(
        Incoming{slot.index, quality == Quality::kMissing ? 0 : r.value_wh, quality, ri});
  }

  // The same key twice: harmless when identical, a rejection when not.
  for (auto& [key, work] : days) {
    std::stable_sort(work.values.begin(), work.values.end(),
                     [](const Incoming& a, const Incoming& b) { return a.index < b.index; });
    std::vector<Incoming> unique;
    unique.reserve(work.values.size());
    for (const Incoming& in : work.values) {
      if (!unique.empty() && unique.back().index == in.index) {
        if (unique.back().value != in.value || unique.back().quality != in.quality) {
          reject(in.reading, KeyText(batch.readings[in.reading]),
                 absl::StrCat("the same key is sent twice in the batch with different values (",
                              "readings ", unique.back().reading, " and ", in.reading, ")"));
        }
        continue;
      }
      unique.push_back(in);
    }
    work.values = std::move(unique);
  }

  if (!rejected.rejections.empty()) {
    rejected.rejected = static_cast<int64_t>(batch.readings.size());
  }
  return absl::OkStatus();
}

absl::StatusOr<IngestSummary> Ingestion::Ingest(const Batch& batch, const Requester& who) {
  if (batch.readings.empty()) return IngestSummary{};
  Prepared prepared;
  RETURN_IF_ERROR(Prepare(batch, prepared));
  if (!prepared.rejected.rejections.empty()) return prepared.rejected;
  const absl::flat_hash_map<DayKey, DayWork>& days = prepared.days;
  const absl::Time now = clock_.Now();

  std::vector<DayKey> keys;
  keys.reserve(days.size());
  for (const auto& [key, work] : days) keys.push_back(key);
  std::sort(keys.begin(), keys.end());

  IngestSummary summary;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    summary = IngestSummary{};
    // Duplicates counted once above are still readings the client sent.
    int64_t distinct = 0;
    for (const auto& [key, work] : days) distinct += static_cast<int64_t>(work.values.size());
    summary.unchanged = static_cast<int64_t>(batch.readings.size()) - distinct;

    ASSIGN_OR_RETURN(std::vector<DayRow> latest, store_.LatestDays(keys));
    absl::flat_hash_map<DayKey, DayRow*> stored;
    for (DayRow& row : latest) stored[row.key] = &row;

    std::vector<DayRow> rows;
    for (const DayKey& key : keys) {
      const DayWork& work = days.at(key);
      const int n = IntervalsIn(key.day, work.resolution, zone_);
      DayRow row;
      auto it = stored.find(key);
      if (it != stored.end() && static_cast<int>(it->second->values.size()) == n) {
        row = std::move(*it->second);
      } else {
        row.key = key;
        row.values.assign(static_cast<size_t>(n), 0);
        row.quality.assign(static_cast<size_t>(n), static_cast<int16_t>(Quality::kMissing));
        if (it != stored.end()) row.revision = it->second->revision;
      }
      int64_t accepted = 0;
      int64_t revised = 0;
      std::vector<int> changed;
      for (const Incoming& in : work.values) {
        if (in.index >= n) return absl::InternalError("interval index beyond the day");
        const size_t i = static_cast<size_t>(in.index);
        const Quality old_q = static_cast<Quality>(row.quality[i]);
        // A gap reported by a source never erases a stored value: only an
        // operator's edit changes what was measured.
        if ((row.values[i] == in.value && old_q == in.quality) ||
            (in.quality == Quality::kMissing && old_q != Quality::kMissing)) {
          ++summary.unchanged;
          continue;
        }
        if (old_q == Quality::kMissing) {
          ++accepted;
        } else {
          ++revised;
        }
        row.values[i] = in.value;
        row.quality[i] = static_cast<int16_t>(in.quality);
        changed.push_back(in.index);
      }
      if (changed.empty()) continue;
      summary.accepted += accepted;
      summary.revised += revised;
      row.revision += 1;
      row.source = work.source;
      row.actor = who.actor;
      row.request_id = who.request_id;
      row.reason = batch.reason;
      row.created_at = now;
      Validate(vee_, row);
      for (int i : changed) {
        if (row.findings[static_cast<size_t>(i)] & ~Bit(Finding::kGap)) ++summary.flagged;
      }
      rows.push_back(std::move(row));
    }
    summary.revisions_written = static_cast<int64_t>(rows.size());
    return store_.WriteDays(rows);
  }));
  return summary;
}

}  // namespace gridbill::metering
