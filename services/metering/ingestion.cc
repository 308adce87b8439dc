#include "ingestion.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "days.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"

namespace gridbill::metering {
namespace {

std::string KeyText(const std::string& point, Channel channel, absl::Time start) {
  return absl::StrCat(point, "/", ChannelCode(channel), "/",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", start, absl::UTCTimeZone()));
}

std::string KeyText(const Reading& r) { return KeyText(r.point_code, r.channel, r.interval_start); }

struct Incoming {
  int index;  // interval index in the day
  int64_t value;
  Quality quality;
  Source source;
  int reading;      // index in the batch, or -1 for a series value
  int series;       // index of the series in the batch, or -1
  int value_index;  // in the series
  int32_t status_code = 0;
};

// Enum values the proto does not define (a newer or a broken client).
bool Known(Source s) { return s >= Source::kUnspecified && s <= Source::kEstimation; }
bool Known(Quality q) { return q >= Quality::kUnspecified && q <= Quality::kManuallyEdited; }

// Names an incoming value in messages: "reading 3" or "series 2 value 17".
std::string ItemText(const Incoming& in) {
  return in.reading >= 0 ? absl::StrCat("reading ", in.reading)
                         : absl::StrCat("series ", in.series, " value ", in.value_index);
}

struct DayWork {
  Resolution resolution;
  std::vector<Incoming> values;
};

// What one incoming value does to the stored interval i of `row`.
enum class Effect { kUnchanged, kMissing, kAccepted, kRevised };

// CMS is the commercial (billing) value: a SCADA value for an interval that
// holds a CMS value is kept only as the check value of the SCADA vs CMS
// cross-check; a CMS value replaces a SCADA one and keeps it as the check
// value. A gap reported by a source never erases a stored value: only an
// operator's edit changes what was measured.
Effect Merge(DayRow& row, size_t i, const Incoming& in) {
  const Quality old_q = static_cast<Quality>(row.quality[i]);
  if (in.quality == Quality::kMissing) return Effect::kMissing;
  const Source old_source = row.SourceAt(i);
  const bool present = old_q != Quality::kMissing;
  const size_t n = row.values.size();
  if (in.source == Source::kScada && present && old_source == Source::kCms) {
    if (row.HasScadaValue(i) && row.scada_values[i] == in.value) return Effect::kUnchanged;
    const Effect e = row.HasScadaValue(i) ? Effect::kRevised : Effect::kAccepted;
    if (row.scada_values.empty()) row.scada_values.assign(n, kNoValue);
    row.scada_values[i] = in.value;
    return e;
  }
  if (present && row.values[i] == in.value && old_q == in.quality && old_source == in.source &&
      row.StatusCodeAt(i) == in.status_code) {
    return Effect::kUnchanged;
  }
  if (in.source == Source::kCms && present && old_source == Source::kScada) {
    if (row.scada_values.empty()) row.scada_values.assign(n, kNoValue);
    row.scada_values[i] = row.values[i];
  }
  if (in.source != old_source && row.sources.empty()) {
    row.sources.assign(n, static_cast<int16_t>(row.source));
  }
  if (!row.sources.empty()) row.sources[i] = static_cast<int16_t>(in.source);
  if (in.status_code != 0 && row.status_codes.empty()) row.status_codes.assign(n, 0);
  if (!row.status_codes.empty()) row.status_codes[i] = in.status_code;
  row.values[i] = in.value;
  row.quality[i] = static_cast<int16_t>(in.quality);
  return present ? Effect::kRevised : Effect::kAccepted;
}

// The per-interval sources are stored only when one differs from the row's.
void CompactSources(DayRow& row) {
  for (int16_t s : row.sources) {
    if (s != static_cast<int16_t>(row.source)) return;
  }
  row.sources.clear();
}

// Status codes are stored only when one is not 0 (normal).
void CompactStatusCodes(DayRow& row) {
  for (int32_t c : row.status_codes) {
    if (c != 0) return;
  }
  row.status_codes.clear();
}

}  // namespace

struct Ingestion::Prepared {
  absl::flat_hash_map<DayKey, DayWork> days;
  IngestSummary rejected;
  int64_t size = 0;  // readings in the batch
  std::string reason;
};

absl::StatusOr<IngestSummary> Ingestion::Check(const Batch& batch) {
  Prepared prepared;
  RETURN_IF_ERROR(PrepareInto(batch, prepared, nullptr));
  return prepared.rejected;
}

absl::Status PointCache::Load(Store& store, absl::Time now, const std::vector<std::string>& codes) {
  if (now - loaded_at_ > kTtl || now < loaded_at_) {
    points_.clear();
    loaded_at_ = now;
  }
  std::vector<std::string> missing;
  for (const std::string& code : codes) {
    if (!points_.contains(code)) missing.push_back(code);
  }
  if (missing.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::vector<MeteringPoint> found, store.FindPoints(missing));
  for (MeteringPoint& p : found) {
    std::string code = p.code;
    points_.insert_or_assign(std::move(code), std::move(p));
  }
  return absl::OkStatus();
}

const MeteringPoint* PointCache::Get(const std::string& code) const {
  auto it = points_.find(code);
  return it == points_.end() ? nullptr : &it->second;
}

absl::StatusOr<std::shared_ptr<const Ingestion::Prepared>> Ingestion::Prepare(const Batch& batch,
                                                                              PointCache* cache) {
  auto prepared = std::make_shared<Prepared>();
  RETURN_IF_ERROR(PrepareInto(batch, *prepared, cache));
  return prepared;
}

absl::Status Ingestion::PrepareInto(const Batch& batch, Prepared& prepared, PointCache* cache) {
  prepared.size = batch.size();
  prepared.reason = batch.reason;
  IngestSummary& rejected = prepared.rejected;
  absl::flat_hash_map<DayKey, DayWork>& days = prepared.days;
  auto reject = [&](int reading, int series, int value, std::string key, std::string reason) {
    if (rejected.rejections.size() >= 1000) return;
    Rejection r{batch.index, reading, std::move(key), std::move(reason), series, value};
    rejected.rejections.push_back(std::move(r));
  };
  if (batch.size() == 0) return absl::OkStatus();

  // Points of the batch, looked up once (or kept by the caller's cache).
  std::vector<std::string> codes;
  auto add_code = [&](const std::string& code) {
    if (codes.empty() || codes.back() != code) codes.push_back(code);
  };
  for (const Reading& r : batch.readings) add_code(r.point_code);
  for (const Series& s : batch.series) add_code(s.point_code);
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  const absl::Time now = clock_.Now();
  PointCache local;
  PointCache& points = cache != nullptr ? *cache : local;
  RETURN_IF_ERROR(points.Load(store_, now, codes));

  for (size_t i = 0; i < batch.readings.size(); ++i) {
    const Reading& r = batch.readings[i];
    const int ri = static_cast<int>(i);
    const MeteringPoint* found = points.Get(r.point_code);
    if (found == nullptr) {
      reject(ri, -1, -1, KeyText(r),
             r.point_code.empty()
                 ? "point_code: required"
                 : absl::StrCat("unknown metering point ", QuoteInput(r.point_code)));
      continue;
    }
    const MeteringPoint& p = *found;
    if (r.channel == Channel::kUnspecified) {
      reject(ri, -1, -1, KeyText(r), "channel: required");
      continue;
    }
    if (!p.HasChannel(r.channel)) {
      reject(ri, -1, -1, KeyText(r),
             absl::StrCat("point ", p.code, " has no channel ", ChannelCode(r.channel)));
      continue;
    }
    const Source source = r.source != Source::kUnspecified ? r.source : batch.source;
    if (source == Source::kUnspecified) {
      reject(ri, -1, -1, KeyText(r), "source: required (on the reading or the batch)");
      continue;
    }
    if (!Known(source)) {
      reject(ri, -1, -1, KeyText(r),
             absl::StrCat("source: ", static_cast<int>(source), " is not a source"));
      continue;
    }
    if (!Known(r.quality)) {
      reject(ri, -1, -1, KeyText(r),
             absl::StrCat("quality: ", static_cast<int>(r.quality), " is not a quality"));
      continue;
    }
    const Slot slot = SlotOf(r.interval_start, p.resolution, zone_);
    if (!slot.aligned) {
      reject(ri, -1, -1, KeyText(r),
             absl::StrCat("interval_start is not aligned to the point's resolution (",
                          absl::FormatDuration(Length(p.resolution)), ")"));
      continue;
    }
    if (!p.ValidOn(slot.day)) {
      reject(ri, -1, -1, KeyText(r), "interval_start is outside the point's validity");
      continue;
    }
    if (r.interval_start + Length(p.resolution) > now) {
      reject(ri, -1, -1, KeyText(r), "interval_start: the interval has not ended yet");
      continue;
    }
    const Quality quality = r.quality == Quality::kUnspecified ? Quality::kMeasured : r.quality;
    DayWork& work = days[DayKey{p.id, r.channel, slot.day}];
    if (work.values.empty()) work.resolution = p.resolution;
    work.values.push_back(Incoming{slot.index, quality == Quality::kMissing ? 0 : r.value_wh,
                                   quality, source, ri, -1, -1, r.status_code});
  }

  for (size_t si = 0; si < batch.series.size(); ++si) {
    const Series& s = batch.series[si];
    const int sx = static_cast<int>(si);
    const std::string key = KeyText(s.point_code, s.channel, s.start);
    const MeteringPoint* found = points.Get(s.point_code);
    if (found == nullptr) {
      reject(-1, sx, -1, key,
             s.point_code.empty()
                 ? "point_code: required"
                 : absl::StrCat("unknown metering point ", QuoteInput(s.point_code)));
      continue;
    }
    const MeteringPoint& p = *found;
    if (s.channel == Channel::kUnspecified) {
      reject(-1, sx, -1, key, "channel: required");
      continue;
    }
    if (!p.HasChannel(s.channel)) {
      reject(-1, sx, -1, key,
             absl::StrCat("point ", p.code, " has no channel ", ChannelCode(s.channel)));
      continue;
    }
    const Source source = s.source != Source::kUnspecified ? s.source : batch.source;
    if (source == Source::kUnspecified) {
      reject(-1, sx, -1, key, "source: required (on the series or the batch)");
      continue;
    }
    if (!Known(source)) {
      reject(-1, sx, -1, key,
             absl::StrCat("source: ", static_cast<int>(source), " is not a source"));
      continue;
    }
    if (auto bad = std::find_if(s.qualities.begin(), s.qualities.end(),
                                [](Quality q) { return !Known(q); });
        bad != s.qualities.end()) {
      reject(-1, sx, static_cast<int>(bad - s.qualities.begin()), key,
             absl::StrCat("qualities: ", static_cast<int>(*bad), " is not a quality"));
      continue;
    }
    if (s.resolution != p.resolution) {
      reject(-1, sx, -1, key,
             absl::StrCat("resolution: the series' ",
                          s.resolution == Resolution::kUnspecified
                              ? std::string("is required")
                              : absl::FormatDuration(Length(s.resolution)),
                          "; the point's is ", absl::FormatDuration(Length(p.resolution))));
      continue;
    }
    if (s.values.empty()) {
      reject(-1, sx, -1, key, "values_wh: empty");
      continue;
    }
    if (!s.qualities.empty() && s.qualities.size() != s.values.size()) {
      reject(-1, sx, -1, key,
             absl::StrCat("qualities: ", s.qualities.size(), " given for ", s.values.size(),
                          " values (one per value, or none)"));
      continue;
    }
    const Slot slot = SlotOf(s.start, p.resolution, zone_);
    if (!slot.aligned) {
      reject(-1, sx, -1, key,
             absl::StrCat("start is not aligned to the point's resolution (",
                          absl::FormatDuration(Length(p.resolution)), ")"));
      continue;
    }
    const absl::Duration len = Length(p.resolution);
    const int64_t n = static_cast<int64_t>(s.values.size());
    if (s.start + n * len > now) {
      reject(-1, sx, -1, key,
             absl::StrCat("the series' last interval has not ended yet (", n, " values)"));
      continue;
    }
    absl::CivilDay day = slot.day;
    int index = slot.index;
    int in_day = IntervalsIn(day, p.resolution, zone_);
    DayWork* work = nullptr;
    for (int64_t i = 0; i < n; ++i, ++index) {
      if (index == in_day) {
        ++day;
        index = 0;
        in_day = IntervalsIn(day, p.resolution, zone_);
        work = nullptr;
      }
      if (work == nullptr) {
        if (!p.ValidOn(day)) {
          reject(-1, sx, static_cast<int>(i), KeyText(s.point_code, s.channel, s.start + i * len),
                 "the interval is outside the point's validity");
          break;
        }
        work = &days[DayKey{p.id, s.channel, day}];
        if (work->values.empty()) work->resolution = p.resolution;
        work->values.reserve(work->values.size() + static_cast<size_t>(in_day));
      }
      Quality quality = s.qualities.empty() ? Quality::kMeasured : s.qualities[i];
      if (quality == Quality::kUnspecified) quality = Quality::kMeasured;
      work->values.push_back(Incoming{index, quality == Quality::kMissing ? 0 : s.values[i],
                                      quality, source, -1, sx, static_cast<int>(i)});
    }
  }

  // The same key twice: harmless when identical, a rejection when not.
  for (auto& [key, work] : days) {
    const bool sorted =
        std::is_sorted(work.values.begin(), work.values.end(),
                       [](const Incoming& a, const Incoming& b) { return a.index < b.index; });
    if (!sorted) {
      std::stable_sort(work.values.begin(), work.values.end(),
                       [](const Incoming& a, const Incoming& b) { return a.index < b.index; });
    }
    size_t out = 0;
    for (size_t i = 0; i < work.values.size(); ++i) {
      const Incoming& in = work.values[i];
      if (out > 0 && work.values[out - 1].index == in.index) {
        const Incoming& first = work.values[out - 1];
        if (first.value != in.value || first.quality != in.quality || first.source != in.source ||
            first.status_code != in.status_code) {
          const std::string point_code = in.reading >= 0 ? batch.readings[in.reading].point_code
                                                         : batch.series[in.series].point_code;
          const absl::Time start = StartOfDay(key.day, zone_) + in.index * Length(work.resolution);
          reject(in.reading, in.series, in.value_index, KeyText(point_code, key.channel, start),
                 absl::StrCat("the same key is sent twice in the batch with different values (",
                              ItemText(first), " and ", ItemText(in), ")"));
        }
        continue;
      }
      work.values[out++] = in;
    }
    work.values.resize(out);
  }

  if (!rejected.rejections.empty()) rejected.rejected = batch.size();
  return absl::OkStatus();
}

absl::StatusOr<IngestSummary> Ingestion::Ingest(const Batch& batch, const Caller& who,
                                                PointCache* cache) {
  if (batch.size() == 0) return IngestSummary{};
  ASSIGN_OR_RETURN(std::shared_ptr<const Prepared> prepared, Prepare(batch, cache));
  return Commit(*prepared, who);
}

absl::StatusOr<IngestSummary> Ingestion::Commit(const Prepared& prepared, const Caller& who) {
  if (prepared.size == 0) return IngestSummary{};
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
    summary.unchanged = prepared.size - distinct;

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
        row.source = work.values.front().source;
        if (it != stored.end()) row.revision = it->second->revision;
      }
      int64_t accepted = 0;
      int64_t revised = 0;
      std::vector<int> changed;
      Source changed_by = Source::kUnspecified;
      for (const Incoming& in : work.values) {
        if (in.index >= n) return absl::InternalError("interval index beyond the day");
        if (in.status_code != 0) ++summary.status_flagged;
        switch (Merge(row, static_cast<size_t>(in.index), in)) {
          case Effect::kUnchanged:
            ++summary.unchanged;
            continue;
          case Effect::kMissing:
            ++summary.missing;
            continue;
          case Effect::kAccepted:
            ++accepted;
            break;
          case Effect::kRevised:
            ++revised;
            break;
        }
        if (changed_by == Source::kUnspecified) changed_by = in.source;
        changed.push_back(in.index);
      }
      if (changed.empty()) continue;
      summary.accepted += accepted;
      summary.revised += revised;
      row.revision += 1;
      // Every interval keeps its own source; the row names this revision's.
      if (changed_by != row.source && row.sources.empty()) {
        row.sources.assign(row.values.size(), static_cast<int16_t>(row.source));
      }
      row.source = changed_by;
      CompactSources(row);
      CompactStatusCodes(row);
      row.actor = who.Actor();
      row.request_id = who.request_id;
      row.reason = prepared.reason;
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
