#include "hourly.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"

namespace gridbill::forecasting {
namespace {

constexpr HourlyModel kHourlyModels[] = {HourlyModel::kWeeklyNaive, HourlyModel::kDailyWeekly,
                                         HourlyModel::kProfile};

struct Slot {
  int weekday = 0;  // 0 = Monday
  int hour = 0;
};

Slot SlotOf(absl::Time t, absl::TimeZone zone) {
  const absl::CivilSecond cs = absl::ToCivilSecond(t, zone);
  const absl::CivilDay day(cs);
  int weekday = 0;
  switch (absl::GetWeekday(day)) {
    case absl::Weekday::monday:
      weekday = 0;
      break;
    case absl::Weekday::tuesday:
      weekday = 1;
      break;
    case absl::Weekday::wednesday:
      weekday = 2;
      break;
    case absl::Weekday::thursday:
      weekday = 3;
      break;
    case absl::Weekday::friday:
      weekday = 4;
      break;
    case absl::Weekday::saturday:
      weekday = 5;
      break;
    case absl::Weekday::sunday:
      weekday = 6;
      break;
  }
  return {weekday, cs.hour()};
}

struct MeanOf {
  double sum = 0;
  int n = 0;
  void Add(double v) { sum += v, ++n; }
  std::optional<double> Get() const {
    if (n == 0) return std::nullopt;
    return sum / n;
  }
};

// Means and spread of a sample.
struct Spread {
  double mean = 0, sd = 0;
  int n = 0;
};
Spread SpreadOf(const std::vector<double>& v) {
  Spread s;
  s.n = static_cast<int>(v.size());
  if (v.empty()) return s;
  for (double x : v) s.mean += x;
  s.mean /= s.n;
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.sd = s.n > 1 ? std::sqrt(ss / (s.n - 1)) : 0.0;
  return s;
}

// The share of errors (actual - forecast) inside intervals built per
// horizon day (hours 1..24, 25..48, ...) from the errors' mean and spread.
std::pair<double, double> HourlyCoverage(const std::vector<BacktestError>& errors) {
  std::map<int, std::vector<double>> by_day;
  std::map<int, std::set<int>> origins;
  for (const BacktestError& e : errors) {
    by_day[(e.horizon - 1) / 24].push_back(e.actual - e.forecast);
    origins[(e.horizon - 1) / 24].insert(e.origin);
  }
  int in80 = 0, in95 = 0, total = 0;
  for (const auto& [day, es] : by_day) {
    const Spread s = SpreadOf(es);
    const int n = static_cast<int>(origins[day].size());
    const double spread = s.sd * std::sqrt(1.0 + 1.0 / std::max(1, n));
    const double h80 = StudentT(0.90, n - 1) * spread, h95 = StudentT(0.975, n - 1) * spread;
    for (double e : es) {
      in80 += std::fabs(e - s.mean) <= h80;
      in95 += std::fabs(e - s.mean) <= h95;
      ++total;
    }
  }
  if (total == 0) return {0, 0};
  return {100.0 * in80 / total, 100.0 * in95 / total};
}

// The in-sample mean absolute weekly naive error of the hours before `end`
// (lag 24 h when they span less than two weeks); 0 when none.
double HourlyMaseScale(const std::vector<HourVolume>& history, absl::Time end) {
  std::map<absl::Time, double> at;
  absl::Time first = absl::InfiniteFuture();
  for (const HourVolume& h : history) {
    if (h.start >= end) break;
    at[h.start] = h.wh;
    first = std::min(first, h.start);
  }
  const absl::Duration lag =
      end - first >= absl::Hours(2 * 168) ? absl::Hours(168) : absl::Hours(24);
  double sum = 0;
  int n = 0;
  for (const auto& [t, v] : at) {
    auto before = at.find(t - lag);
    if (before == at.end()) continue;
    sum += std::fabs(v - before->second);
    ++n;
  }
  return n > 0 ? sum / n : 0.0;
}

// HourlyPoints with every hour's slot computed once by the caller (the
// backtests call it for every origin and model: time zone lookups were
// most of the work). `history` sorted by start.
std::vector<double> PointsOf(HourlyModel model, absl::Span<const HourVolume> history,
                             absl::Span<const Slot> history_slots,
                             absl::Span<const absl::Time> future,
                             absl::Span<const Slot> future_slots, const HourlyOptions& options) {
  std::vector<double> out(future.size(), 0.0);
  if (history.empty() || future.empty()) return out;
  const absl::Time cut = future.front();
  if (model == HourlyModel::kWeeklyNaive) {
    const absl::Time first = history.front().start;
    const bool week = cut - first >= absl::Hours(168);
    const absl::Duration lag = week ? absl::Hours(168) : absl::Hours(24);
    for (size_t i = 0; i < future.size(); ++i) {
      out[i] = history.back().wh;  // no earlier hour at any lag: the last value
      for (absl::Time t = future[i] - lag; t >= first; t -= lag) {
        if (t >= cut) continue;
        auto it = std::lower_bound(history.begin(), history.end(), t,
                                   [](const HourVolume& h, absl::Time x) { return h.start < x; });
        if (it == history.end() || it->start != t) continue;
        out[i] = it->wh;
        break;
      }
    }
    return out;
  }
  const absl::Time window_from = cut - absl::Hours(168 * options.profile_weeks);
  const absl::Time recent_from = cut - absl::Hours(168);
  MeanOf all, recent;
  std::array<MeanOf, 7> weekday;
  std::array<MeanOf, 24> hour;
  std::array<MeanOf, 168> slot;
  std::vector<Slot> recent_slots;
  for (size_t k = 0; k < history.size(); ++k) {
    const HourVolume& h = history[k];
    if (h.start < window_from || h.start >= cut) continue;
    const Slot s = history_slots[k];
    all.Add(h.wh);
    weekday[s.weekday].Add(h.wh);
    hour[s.hour].Add(h.wh);
    slot[s.weekday * 24 + s.hour].Add(h.wh);
    if (h.start >= recent_from) {
      recent.Add(h.wh);
      recent_slots.push_back(s);
    }
  }
  if (!all.Get()) {  // nothing inside the window: the last value
    std::fill(out.begin(), out.end(), history.back().wh);
    return out;
  }
  const double m = *all.Get();
  const double level = recent.Get().value_or(m);
  auto hour_effect = [&](int h) { return hour[h].Get().value_or(m) - m; };
  auto weekday_effect = [&](int d) { return weekday[d].Get().value_or(m) - m; };
  if (model == HourlyModel::kDailyWeekly) {
    for (size_t i = 0; i < future.size(); ++i) {
      const Slot s = future_slots[i];
      out[i] = level + weekday_effect(s.weekday) + hour_effect(s.hour);
    }
    return out;
  }
  // The profile; a slot never seen takes the separable estimate.
  auto profile = [&](const Slot& s) {
    return slot[s.weekday * 24 + s.hour].Get().value_or(m + weekday_effect(s.weekday) +
                                                        hour_effect(s.hour));
  };
  double base = 0;
  for (const Slot& s : recent_slots) base += profile(s);
  base = recent_slots.empty() ? m : base / static_cast<double>(recent_slots.size());
  const bool scale = base != 0 && (base > 0) == (level > 0) && level != 0;
  for (size_t i = 0; i < future.size(); ++i) {
    const double p = profile(future_slots[i]);
    out[i] = scale ? p * (level / base) : p + (level - base);
  }
  return out;
}

std::vector<Slot> SlotsOf(absl::Span<const absl::Time> times, absl::TimeZone zone) {
  std::vector<Slot> out;
  out.reserve(times.size());
  for (absl::Time t : times) out.push_back(SlotOf(t, zone));
  return out;
}

// The interval of the sum over `hours_ahead` future hours around
// out.total, from out.chosen_errors (see the file comment).
void SumInterval(int hours_ahead, const HourlyOptions& options, HourlyForecast& out) {
  // The sum's interval from the chosen model's errors of sums over K hours.
  const int window = std::max(1, std::min(hours_ahead, options.backtest_hours));
  const std::vector<BacktestError>& errors = out.chosen_errors;
  std::map<int, double> sum_error;
  for (size_t i = 0; i < errors.size(); ++i) {
    const absl::Time o = out.origins[errors[i].origin];
    if (o + absl::Hours(window) > out.history_end) continue;
    if (errors[i].horizon > window) continue;
    sum_error[errors[i].origin] += errors[i].actual - errors[i].forecast;
  }
  std::vector<double> sums;
  for (const auto& [origin, e] : sum_error) sums.push_back(e);
  out.sum_origins = static_cast<int>(sums.size());
  const double widen =
      hours_ahead > window ? std::sqrt(static_cast<double>(hours_ahead) / window) : 1.0;
  if (sums.size() >= 3) {
    auto bounds = [&](const std::vector<double>& sample, double p) {
      const Spread s = SpreadOf(sample);
      const double half = StudentT(p, s.n - 1) * s.sd * std::sqrt(1.0 + 1.0 / s.n);
      return std::pair<double, double>{s.mean - half, s.mean + half};
    };
    const auto [lo80, hi80] = bounds(sums, 0.90);
    const auto [lo95, hi95] = bounds(sums, 0.975);
    out.lower80 = out.total + widen * lo80, out.upper80 = out.total + widen * hi80;
    out.lower95 = out.total + widen * lo95, out.upper95 = out.total + widen * hi95;
    if (sums.size() >= 4) {
      int in80 = 0, in95 = 0;
      for (size_t i = 0; i < sums.size(); ++i) {
        std::vector<double> others;
        for (size_t j = 0; j < sums.size(); ++j) {
          if (j != i) others.push_back(sums[j]);
        }
        const auto [a80, b80] = bounds(others, 0.90);
        const auto [a95, b95] = bounds(others, 0.975);
        in80 += sums[i] >= a80 && sums[i] <= b80;
        in95 += sums[i] >= a95 && sums[i] <= b95;
      }
      out.sum_coverage80 = 100.0 * in80 / static_cast<double>(sums.size());
      out.sum_coverage95 = 100.0 * in95 / static_cast<double>(sums.size());
    }
  } else {
    std::vector<double> e;
    for (const BacktestError& b : errors) e.push_back(b.actual - b.forecast);
    const Spread s = SpreadOf(e);
    const double sd = s.sd * std::sqrt(static_cast<double>(hours_ahead));
    out.lower80 = out.total - 1.2816 * sd, out.upper80 = out.total + 1.2816 * sd;
    out.lower95 = out.total - 1.96 * sd, out.upper95 = out.total + 1.96 * sd;
    out.fallback = absl::StrFormat(
        "%d backtest windows of %d hours: the sum's interval from the hourly errors' spread "
        "times sqrt(%d) (as if independent)",
        out.sum_origins, window, hours_ahead);
  }
}

}  // namespace

const char* HourlyModelName(HourlyModel model) {
  switch (model) {
    case HourlyModel::kWeeklyNaive:
      return "HOURLY_WEEKLY_NAIVE";
    case HourlyModel::kDailyWeekly:
      return "HOURLY_DAILY_WEEKLY";
    case HourlyModel::kProfile:
      return "HOURLY_PROFILE";
  }
  return "UNSPECIFIED";
}

std::vector<absl::Time> HoursBetween(absl::Time from, absl::Time to, absl::TimeZone zone) {
  // From the local hour containing `from` (the next when `from` is inside
  // it), in steps of an hour of absolute time: a repeated local hour (a
  // clock moved back) is two hours, a skipped one none.
  std::vector<absl::Time> out;
  absl::Time t = absl::FromCivil(absl::ToCivilHour(from, zone), zone);
  if (t < from) t += absl::Hours(1);
  for (; t < to; t += absl::Hours(1)) out.push_back(t);
  return out;
}

std::vector<double> HourlyPoints(HourlyModel model, const std::vector<HourVolume>& history,
                                 const std::vector<absl::Time>& future, absl::TimeZone zone,
                                 const HourlyOptions& options) {
  std::vector<absl::Time> starts;
  for (const HourVolume& h : history) starts.push_back(h.start);
  return PointsOf(model, history, SlotsOf(starts, zone), future, SlotsOf(future, zone), options);
}

std::optional<HourlyForecast> ForecastHours(std::vector<HourVolume> history,
                                            const std::vector<absl::Time>& future,
                                            absl::TimeZone zone, const HourlyOptions& options) {
  std::sort(history.begin(), history.end(),
            [](const HourVolume& a, const HourVolume& b) { return a.start < b.start; });
  if (history.size() < 24) return std::nullopt;
  const absl::Time history_end = history.back().start + absl::Hours(1);
  // Origins: the starts of the last local days, each with enough hours before it.
  std::vector<absl::Time> origins;
  absl::CivilDay day(absl::ToCivilSecond(history.back().start, zone));
  for (int k = 0; k < options.origins; ++k, --day) {
    const absl::Time o = absl::FromCivil(day, zone);
    const auto before =
        std::lower_bound(history.begin(), history.end(), o,
                         [](const HourVolume& h, absl::Time t) { return h.start < t; });
    if (before - history.begin() < options.min_train_hours) break;
    origins.push_back(o);
  }
  if (origins.empty()) return std::nullopt;
  std::reverse(origins.begin(), origins.end());
  const double scale = HourlyMaseScale(history, origins.front());

  std::vector<absl::Time> starts;
  for (const HourVolume& h : history) starts.push_back(h.start);
  const std::vector<Slot> slots = SlotsOf(starts, zone);
  HourlyForecast out;
  out.history_hours = static_cast<int>(history.size());
  std::vector<std::vector<BacktestError>> errors_of;
  for (HourlyModel model : kHourlyModels) {
    std::vector<BacktestError> errors;
    for (size_t k = 0; k < origins.size(); ++k) {
      const absl::Time o = origins[k];
      const absl::Time until = o + absl::Hours(options.backtest_hours);
      auto first = std::lower_bound(history.begin(), history.end(), o,
                                    [](const HourVolume& h, absl::Time t) { return h.start < t; });
      const size_t from = static_cast<size_t>(first - history.begin());
      size_t to = from;
      while (to < history.size() && history[to].start < until) ++to;
      const absl::Span<const absl::Time> targets =
          absl::MakeConstSpan(starts).subspan(from, to - from);
      const std::vector<double> f = PointsOf(
          model, absl::MakeConstSpan(history).first(from), absl::MakeConstSpan(slots).first(from),
          targets, absl::MakeConstSpan(slots).subspan(from, to - from), options);
      for (size_t i = 0; i < targets.size(); ++i) {
        const int horizon = static_cast<int>((targets[i] - o) / absl::Hours(1)) + 1;
        errors.push_back({static_cast<int>(k), horizon, f[i], history[from + i].wh});
      }
    }
    HourlyCandidate c;
    c.model = model;
    c.accuracy = Measure(errors, scale);
    c.accuracy.spec = HourlyModelName(model);
    std::tie(c.accuracy.coverage80, c.accuracy.coverage95) = HourlyCoverage(errors);
    out.candidates.push_back(c);
    errors_of.push_back(std::move(errors));
  }
  auto score = [](const AccuracyStats& a) { return a.mase.value_or(a.mae); };
  for (size_t i = 1; i < out.candidates.size(); ++i) {
    if (score(out.candidates[i].accuracy) < score(out.candidates[out.chosen].accuracy)) {
      out.chosen = static_cast<int>(i);
    }
  }
  out.model = out.candidates[out.chosen].model;
  out.spec = HourlyModelName(out.model);
  out.points = PointsOf(out.model, history, slots, future, SlotsOf(future, zone), options);
  for (double v : out.points) out.total += v;

  out.origins = origins;
  out.chosen_errors = errors_of[out.chosen];
  out.history_end = history_end;
  SumInterval(static_cast<int>(future.size()), options, out);
  return out;
}

std::optional<HourlyForecast> ForecastHoursBottomUp(
    const std::vector<std::vector<HourVolume>>& parts, const std::vector<absl::Time>& future,
    absl::TimeZone zone, const HourlyOptions& options) {
  HourlyForecast out;
  out.points.assign(future.size(), 0.0);
  std::map<absl::Time, double> history;  // the parts' hours summed
  // Per (origin, target hour): the parts' chosen forecasts and actuals summed.
  struct Cell {
    double forecast = 0, actual = 0;
    int parts = 0;
  };
  std::map<std::pair<absl::Time, absl::Time>, Cell> cells;
  int short_parts = 0;
  for (const std::vector<HourVolume>& part : parts) {
    std::optional<HourlyForecast> f = ForecastHours(part, future, zone, options);
    if (!f) {
      ++short_parts;
      continue;
    }
    ++out.parts;
    for (const HourVolume& h : part) history[h.start] += h.wh;
    for (size_t i = 0; i < future.size(); ++i) {
      // Whole Wh per part, so the parts add up exactly to the whole.
      out.points[i] += static_cast<double>(std::llround(f->points[i]));
    }
    for (const BacktestError& e : f->chosen_errors) {
      const absl::Time o = f->origins[e.origin];
      Cell& c = cells[{o, o + absl::Hours(e.horizon - 1)}];
      c.forecast += e.forecast;
      c.actual += e.actual;
      ++c.parts;
    }
  }
  if (out.parts == 0) return std::nullopt;
  for (double v : out.points) out.total += v;
  std::vector<HourVolume> summed;
  for (const auto& [t, v] : history) summed.push_back({t, v});
  out.history_hours = static_cast<int>(history.size());
  out.history_end = history.rbegin()->first + absl::Hours(1);
  // The origins and hours every forecast part has.
  std::map<absl::Time, int> origin_index;
  for (const auto& [key, c] : cells) {
    if (c.parts == out.parts) origin_index.emplace(key.first, 0);
  }
  for (auto& [o, index] : origin_index) {
    index = static_cast<int>(out.origins.size());
    out.origins.push_back(o);
  }
  for (const auto& [key, c] : cells) {
    if (c.parts != out.parts) continue;
    const int horizon = static_cast<int>((key.second - key.first) / absl::Hours(1)) + 1;
    out.chosen_errors.push_back({origin_index[key.first], horizon, c.forecast, c.actual});
  }
  HourlyCandidate sum;
  sum.model = HourlyModel::kWeeklyNaive;  // unused: a sum has no model of its own
  const double scale = out.origins.empty() ? 0.0 : HourlyMaseScale(summed, out.origins.front());
  sum.accuracy = Measure(out.chosen_errors, scale);
  sum.accuracy.spec = absl::StrFormat("bottom-up sum of %d series", out.parts);
  std::tie(sum.accuracy.coverage80, sum.accuracy.coverage95) = HourlyCoverage(out.chosen_errors);
  out.candidates.push_back(sum);
  out.spec = sum.accuracy.spec;
  SumInterval(static_cast<int>(future.size()), options, out);
  if (short_parts > 0) {
    out.fallback = absl::StrCat(
        out.fallback, out.fallback.empty() ? "" : "; ", short_parts,
        " series with too few hourly results for a backtest (8 days needed) count zero");
  }
  return out;
}

}  // namespace gridbill::forecasting
