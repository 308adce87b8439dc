#include "estimation.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "days.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::metering {
namespace {

// One interval of the timeline the estimation looks at.
struct Cell {
  absl::CivilDay day;
  int index = 0;
  absl::Time start;
  bool present = false;
  bool estimated = false;
  int64_t value = 0;
  bool fillable = false;  // missing, in the period, valid and ended
};

// a / b rounded half away from zero (b > 0).
int64_t DivRound(int64_t a, int64_t b) { return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b); }

}  // namespace

absl::StatusOr<EstimateResult> Estimation::Estimate(const std::vector<std::string>& codes,
                                                    Channel channel, BillingPeriod period,
                                                    int64_t max_linear_intervals,
                                                    const Caller& who) {
  if (who.scoped()) return absl::PermissionDeniedError("participants cannot estimate readings");
  if (codes.empty()) return InvalidField("point_codes", "required");
  if (channel == Channel::kUnspecified) return InvalidField("channel", "required");
  if (max_linear_intervals < 0) return InvalidField("max_linear_intervals", "must not be negative");
  const int64_t max_linear =
      max_linear_intervals == 0 ? config_.max_linear_intervals : max_linear_intervals;
  ASSIGN_OR_RETURN(std::vector<MeteringPoint> points, store_.FindPoints(codes));
  std::vector<const MeteringPoint*> ordered;
  for (const std::string& code : codes) {
    auto it = std::find_if(points.begin(), points.end(),
                           [&](const MeteringPoint& p) { return p.code == code; });
    if (it == points.end()) return NotFound("metering point", code);
    if (!it->HasChannel(channel)) {
      return InvalidField("channel",
                          absl::StrCat("point ", code, " has no channel ", ChannelCode(channel)));
    }
    ordered.push_back(&*it);
  }
  EstimateResult total;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    total = EstimateResult{};
    for (const MeteringPoint* p : ordered) {
      ASSIGN_OR_RETURN(EstimateResult r, EstimatePoint(*p, channel, period, max_linear, who));
      total.estimated += r.estimated;
      total.revisions_written += r.revisions_written;
    }
    return absl::OkStatus();
  }));
  return total;
}

absl::StatusOr<EstimateResult> Estimation::EstimatePoint(const MeteringPoint& p, Channel channel,
                                                         BillingPeriod period, int64_t max_linear,
                                                         const Caller& who) {
  const absl::CivilDay first = period.first_day();
  const absl::CivilDay last = period.last_day();
  const absl::CivilDay from = first - 7 * config_.profile_weeks;
  const absl::CivilDay to = last + 1;  // the right neighbour of a gap at the month's end
  ASSIGN_OR_RETURN(std::vector<DayRow> rows,
                   store_.ReadDays(DayRange{{p.id}, {channel}, from, to, AsOf{}}));
  absl::flat_hash_map<int64_t, const DayRow*> by_day;
  const absl::CivilDay epoch(1970, 1, 1);
  for (const DayRow& r : rows) by_day[r.key.day - epoch] = &r;

  const absl::Time now = clock_.Now();
  const absl::Duration len = Length(p.resolution);
  std::vector<Cell> cells;
  std::map<int64_t, size_t> day_offset;  // day -> index of its first cell
  for (absl::CivilDay d = from; d <= to; ++d) {
    day_offset[d - epoch] = cells.size();
    const int n = IntervalsIn(d, p.resolution, zone_);
    const absl::Time start = StartOfDay(d, zone_);
    auto it = by_day.find(d - epoch);
    const DayRow* row = it == by_day.end() ? nullptr : it->second;
    for (int i = 0; i < n; ++i) {
      Cell c;
      c.day = d;
      c.index = i;
      c.start = start + i * len;
      if (row != nullptr && i < static_cast<int>(row->values.size()) &&
          static_cast<Quality>(row->quality[static_cast<size_t>(i)]) != Quality::kMissing) {
        c.present = true;
        c.estimated =
            static_cast<Quality>(row->quality[static_cast<size_t>(i)]) == Quality::kEstimated;
        c.value = row->values[static_cast<size_t>(i)];
      }
      c.fillable = !c.present && d >= first && d <= last && p.ValidOn(d) && c.start + len <= now;
      cells.push_back(c);
    }
  }
  auto profile = [&](const Cell& c, int64_t* out) {
    int64_t sum = 0;
    int64_t n = 0;
    for (int64_t k = 1; k <= config_.profile_weeks; ++k) {
      const absl::CivilDay d = c.day - 7 * k;
      auto it = day_offset.find(d - epoch);
      if (it == day_offset.end()) continue;
      const size_t next = std::next(it) == day_offset.end() ? cells.size() : std::next(it)->second;
      const size_t j = it->second + static_cast<size_t>(c.index);
      // Estimates are not a profile: estimating from them would compound.
      if (j >= next || !cells[j].present || cells[j].estimated) continue;
      sum += cells[j].value;
      ++n;
    }
    if (n == 0) return false;
    *out = DivRound(sum, n);
    return true;
  };
  // With its offset: a gap on the hour that repeats when the clocks go back
  // would read twice the same otherwise.
  auto local = [&](absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M%Ez", t, zone_); };

  // Estimates and the reason text of each day they fall on.
  std::map<int64_t, std::vector<Reading>> readings;
  std::map<int64_t, std::vector<std::string>> reasons;
  for (size_t a = 0; a < cells.size();) {
    if (!cells[a].fillable) {
      ++a;
      continue;
    }
    size_t b = a;
    while (b < cells.size() && cells[b].fillable) ++b;
    const int64_t length = static_cast<int64_t>(b - a);
    // Anchors are values a source gave, not earlier estimates, so that a
    // second run finds nothing new to do.
    auto anchor = [&](size_t i) { return cells[i].present && !cells[i].estimated; };
    const bool linear =
        length <= max_linear && a > 0 && anchor(a - 1) && b < cells.size() && anchor(b);
    std::string method;
    int64_t filled = 0;
    for (size_t i = a; i < b; ++i) {
      int64_t v = 0;
      if (linear) {
        const int64_t left = cells[a - 1].value;
        const int64_t right = cells[b].value;
        v = left + DivRound((right - left) * static_cast<int64_t>(i - a + 1), length + 1);
      } else if (!profile(cells[i], &v)) {
        continue;
      }
      ++filled;
      readings[cells[i].day - epoch].push_back(
          Reading{p.code, channel, cells[i].start, v, Quality::kEstimated, Source::kEstimation});
    }
    if (filled > 0) {
      method = linear ? absl::StrCat("linear interpolation of ", length, " intervals from ",
                                     local(cells[a].start), " between ", cells[a - 1].value,
                                     " and ", cells[b].value, " Wh")
                      : absl::StrCat("same-weekday profile (average of up to ",
                                     config_.profile_weeks, " previous weeks) for ", filled, " of ",
                                     length, " intervals from ", local(cells[a].start));
      for (size_t i = a; i < b; ++i) {
        auto& list = reasons[cells[i].day - epoch];
        if (list.empty() || list.back() != method) list.push_back(method);
      }
    }
    a = b;
  }

  EstimateResult result;
  for (auto& [day, list] : readings) {
    Batch batch;
    batch.source = Source::kEstimation;
    batch.reason = absl::StrCat("estimated: ", absl::StrJoin(reasons[day], "; "));
    batch.readings = std::move(list);
    ASSIGN_OR_RETURN(IngestSummary s, ingestion_.Ingest(batch, who));
    if (!s.rejections.empty()) {
      return absl::InternalError(absl::StrCat("an estimate was refused: ", s.rejections.front().key,
                                              ": ", s.rejections.front().reason));
    }
    result.estimated += s.accepted;
    result.revisions_written += s.revisions_written;
  }
  return result;
}

}  // namespace gridbill::metering
