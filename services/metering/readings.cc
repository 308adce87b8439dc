#include "readings.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "days.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::metering {
namespace {

int Rank(Quality q) {
  switch (q) {
    case Quality::kMeasured:
      return 0;
    case Quality::kSubstituted:
      return 1;
    case Quality::kManuallyEdited:
      return 2;
    case Quality::kEstimated:
      return 3;
    case Quality::kMissing:
    case Quality::kUnspecified:
      break;
  }
  return 4;
}

constexpr int kMaxDays = 1100;

}  // namespace

Quality Worse(Quality a, Quality b) { return Rank(a) >= Rank(b) ? a : b; }

absl::StatusOr<ReadingsResult> Readings::Get(const ReadingsQuery& query, const Caller& who) {
  if (query.point_code.empty()) return InvalidField("point_code", "required");
  if (query.channel == Channel::kUnspecified) return InvalidField("channel", "required");
  if (query.aggregation == Aggregation::kUnspecified) {
    return InvalidField("aggregation", "required");
  }
  if (query.to < query.from) return InvalidField("time_range", "ends before it starts");
  if (query.to - query.from >= kMaxDays) {
    return InvalidField("time_range", absl::StrCat("longer than ", kMaxDays, " days"));
  }
  ASSIGN_OR_RETURN(MeteringPoint p, store_.GetPoint(query.point_code));
  if (who.scoped() && !p.AssignedTo(who.participant_id, query.from, query.to)) {
    return NotFound("metering point", query.point_code);
  }
  if (!p.HasChannel(query.channel)) {
    return InvalidField(
        "channel", absl::StrCat("point ", p.code, " has no channel ", ChannelCode(query.channel)));
  }
  DayRange range{{p.id}, {query.channel}, query.from, query.to, query.as_of};
  ASSIGN_OR_RETURN(std::vector<DayRow> rows, store_.ReadDays(range));
  absl::flat_hash_map<int64_t, const DayRow*> by_day;
  for (const DayRow& r : rows) by_day[r.key.day - absl::CivilDay(1970, 1, 1)] = &r;

  ReadingsResult out;
  const absl::Duration len = Length(p.resolution);
  for (absl::CivilDay day = query.from; day <= query.to; ++day) {
    const absl::Time start = StartOfDay(day, zone_);
    const int n = IntervalsIn(day, p.resolution, zone_);
    auto it = by_day.find(day - absl::CivilDay(1970, 1, 1));
    const DayRow* row = it == by_day.end() ? nullptr : it->second;
    for (int i = 0; i < n; ++i) {
      ValueOut v;
      v.start = start + i * len;
      v.end = v.start + len;
      if (row != nullptr && i < static_cast<int>(row->values.size())) {
        v.value_wh = row->values[static_cast<size_t>(i)];
        v.quality = static_cast<Quality>(row->quality[static_cast<size_t>(i)]);
        v.findings = row->findings[static_cast<size_t>(i)];
        v.revision = row->revision;
        if (v.quality != Quality::kMissing) v.source = row->SourceAt(static_cast<size_t>(i));
        if (row->HasScadaValue(static_cast<size_t>(i))) {
          v.scada_value_wh = row->scada_values[static_cast<size_t>(i)];
        }
        v.status_code = row->StatusCodeAt(static_cast<size_t>(i));
      }
      if (v.quality == Quality::kMissing) v.value_wh = 0;
      out.total_wh += v.value_wh;
      // Bucket: native, or the hour / day / month the interval starts in.
      absl::Time bucket_start = v.start;
      absl::Time bucket_end = v.end;
      switch (query.aggregation) {
        case Aggregation::kHour: {
          const int64_t h = (v.start - start) / absl::Hours(1);
          bucket_start = start + absl::Hours(h);
          bucket_end = std::min(bucket_start + absl::Hours(1), StartOfDay(day + 1, zone_));
          break;
        }
        case Aggregation::kDay:
          bucket_start = start;
          bucket_end = StartOfDay(day + 1, zone_);
          break;
        case Aggregation::kMonth: {
          const absl::CivilMonth m(day);
          bucket_start =
              std::max(StartOfDay(absl::CivilDay(m), zone_), StartOfDay(query.from, zone_));
          bucket_end =
              std::min(StartOfDay(absl::CivilDay(m + 1), zone_), StartOfDay(query.to + 1, zone_));
          break;
        }
        default:
          break;
      }
      if (query.aggregation != Aggregation::kNative && !out.values.empty() &&
          out.values.back().start == bucket_start) {
        ValueOut& b = out.values.back();
        b.value_wh += v.value_wh;
        b.quality = Worse(b.quality, v.quality);
        b.revision = std::max(b.revision, v.revision);
        continue;
      }
      if (query.aggregation != Aggregation::kNative) {
        v.start = bucket_start;
        v.end = bucket_end;
        v.findings = 0;
        v.source = Source::kUnspecified;
        v.scada_value_wh.reset();
        v.status_code = 0;
      }
      out.values.push_back(v);
    }
  }
  return out;
}

absl::StatusOr<std::vector<Completeness>> Readings::GetCompleteness(
    std::vector<std::string> codes, const std::string& participant_id, BillingPeriod period,
    const Caller& who) {
  std::string participant = participant_id;
  if (who.scoped()) {
    if (!participant.empty() && participant != who.participant_id) {
      return absl::PermissionDeniedError("participant_id: another participant's data");
    }
    participant = who.participant_id;
  }
  std::vector<MeteringPoint> points;
  if (codes.empty()) {
    if (participant.empty()) return InvalidField("point_codes", "required without participant_id");
    paging::Page all;
    all.size = 100000;
    ASSIGN_OR_RETURN(ListPage<MeteringPoint> page,
                     store_.ListPoints(PointFilter{participant, ""}, all));
    points = std::move(page.items);
  } else {
    ASSIGN_OR_RETURN(points, store_.FindPoints(codes));
    for (const std::string& code : codes) {
      auto it = std::find_if(points.begin(), points.end(),
                             [&](const MeteringPoint& p) { return p.code == code; });
      if (it == points.end()) return NotFound("metering point", code);
    }
  }
  const absl::CivilDay from = period.first_day();
  const absl::CivilDay to = period.last_day();
  std::vector<Completeness> out;
  for (const MeteringPoint& p : points) {
    if (!participant.empty() && !p.AssignedTo(participant, from, to)) {
      return NotFound("metering point", p.code);
    }
    std::vector<Channel> channels;
    for (const ChannelConfig& c : p.channels) channels.push_back(c.channel);
    ASSIGN_OR_RETURN(std::vector<DayRow> rows,
                     store_.ReadDays(DayRange{{p.id}, channels, from, to, AsOf{}}));
    for (Channel ch : channels) {
      Completeness c;
      c.point_code = p.code;
      c.channel = ch;
      for (absl::CivilDay d = from; d <= to; ++d) {
        if (p.ValidOn(d)) c.expected += IntervalsIn(d, p.resolution, zone_);
      }
      for (const DayRow& r : rows) {
        if (r.key.channel != ch) continue;
        for (int16_t mask : r.findings) {
          for (Finding f : {Finding::kNegative, Finding::kSpike, Finding::kFlatLine, Finding::kGap,
                            Finding::kSourceMismatch}) {
            if (mask & Bit(f)) ++c.findings[f];
          }
        }
        for (int16_t q : r.quality) {
          switch (static_cast<Quality>(q)) {
            case Quality::kMeasured:
            case Quality::kSubstituted:
              ++c.measured;
              break;
            case Quality::kEstimated:
              ++c.estimated;
              break;
            case Quality::kManuallyEdited:
              ++c.edited;
              break;
            default:
              break;
          }
        }
      }
      c.missing = std::max<int64_t>(0, c.expected - c.measured - c.estimated - c.edited);
      out.push_back(std::move(c));
    }
  }
  return out;
}

absl::Status Readings::StreamDays(
    const std::vector<std::string>& codes, const std::vector<Channel>& channels,
    absl::CivilDay from, absl::CivilDay to, const AsOf& as_of,
    const std::function<absl::Status(std::vector<PointDayOut>)>& sink) {
  if (codes.empty()) return InvalidField("point_codes", "required");
  if (to < from) return InvalidField("to_day", "before from_day");
  ASSIGN_OR_RETURN(std::vector<MeteringPoint> points, store_.FindPoints(codes));
  absl::flat_hash_map<int64_t, const MeteringPoint*> by_id;
  for (const MeteringPoint& p : points) by_id[p.id] = &p;
  for (const std::string& code : codes) {
    if (std::none_of(points.begin(), points.end(),
                     [&](const MeteringPoint& p) { return p.code == code; })) {
      return NotFound("metering point", code);
    }
  }
  // Chunks of points so one read holds about 10,000 point-days.
  const int64_t days = (to - from) + 1;
  const size_t per_chunk = static_cast<size_t>(std::max<int64_t>(1, 10000 / days));
  for (size_t i = 0; i < points.size(); i += per_chunk) {
    DayRange range;
    for (size_t j = i; j < std::min(points.size(), i + per_chunk); ++j) {
      range.point_ids.push_back(points[j].id);
    }
    range.channels = channels;
    range.from = from;
    range.to = to;
    range.as_of = as_of;
    ASSIGN_OR_RETURN(std::vector<DayRow> rows, store_.ReadDays(range));
    std::vector<PointDayOut> chunk;
    chunk.reserve(rows.size());
    for (DayRow& r : rows) {
      const MeteringPoint& p = *by_id.at(r.key.point_id);
      chunk.push_back(
          PointDayOut{p.code, p.resolution, StartOfDay(r.key.day, zone_), std::move(r)});
    }
    if (!chunk.empty()) RETURN_IF_ERROR(sink(std::move(chunk)));
  }
  return absl::OkStatus();
}

absl::StatusOr<int32_t> Readings::Edit(const std::string& point_code, Channel channel,
                                       absl::Time start, int64_t value_wh,
                                       const std::string& reason, const Caller& who) {
  if (who.scoped()) return absl::PermissionDeniedError("participants cannot edit readings");
  if (reason.empty()) return InvalidField("reason", "required: say why the value is changed");
  if (point_code.empty()) return InvalidField("point_code", "required");
  if (channel == Channel::kUnspecified) return InvalidField("channel", "required");
  Batch batch;
  batch.source = Source::kOperator;
  batch.reason = reason;
  batch.readings.push_back(
      Reading{point_code, channel, start, value_wh, Quality::kManuallyEdited, Source::kOperator});
  ASSIGN_OR_RETURN(IngestSummary summary, ingestion_.Ingest(batch, who));
  if (!summary.rejections.empty()) {
    const Rejection& r = summary.rejections.front();
    return InvalidField("interval_start", absl::StrCat(r.key, ": ", r.reason));
  }
  ASSIGN_OR_RETURN(MeteringPoint p, store_.GetPoint(point_code));
  const Slot slot = SlotOf(start, p.resolution, zone_);
  ASSIGN_OR_RETURN(std::vector<DayRow> latest,
                   store_.LatestDays({DayKey{p.id, channel, slot.day}}));
  if (latest.empty()) return absl::InternalError("the edited day is not stored");
  return latest[0].revision;
}

}  // namespace gridbill::metering
