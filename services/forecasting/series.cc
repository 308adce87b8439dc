#include "series.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/csv.h"
#include "gridbill/base/errors.h"
#include "gridbill/domain/civil.h"

namespace gridbill::forecasting {
namespace {

std::string_view Trim(std::string_view s) { return ToStd(absl::StripAsciiWhitespace(ToAbsl(s))); }

// kWh with up to 3 decimals as Wh, exactly.
bool ParseKwh(std::string_view text, int64_t& wh) {
  text = Trim(text);
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  const size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || frac.size() > 3 || (dot != std::string_view::npos && frac.empty())) {
    return false;
  }
  for (char c : whole) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  for (char c : frac) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  int64_t kwh = 0;
  if (whole.size() > 15 || !absl::SimpleAtoi(ToAbsl(whole), &kwh)) return false;
  int64_t milli = 0;
  std::string f(frac);
  f.resize(3, '0');
  absl::SimpleAtoi(f, &milli);
  wh = kwh * 1000 + milli;
  if (negative) wh = -wh;
  return true;
}

int64_t Round(double v) {
  if (!std::isfinite(v)) return 0;
  return static_cast<int64_t>(std::llround(v));
}

}  // namespace

bool MayBeNegative(int service_type) { return service_type == 1; }

absl::StatusOr<std::vector<MonthVolume>> ParseHistoryCsv(
    std::string_view content, const std::map<std::string, std::string>& participant_by_bin,
    absl::CivilMonth last_period) {
  CsvParseResult csv = ParseCsv(content);
  std::vector<std::string> errors;
  auto bad = [&](int line, const std::string& field, const std::string& why) {
    errors.push_back(absl::StrCat("line ", line, ": ", field, ": ", why));
  };
  for (const CsvError& e : csv.errors) bad(e.line, absl::StrCat("column ", e.column), e.message);
  if (csv.records.empty()) return InvalidField("content", "the file is empty");
  std::vector<std::string> header = csv.records[0].fields;
  for (std::string& h : header) h = absl::AsciiStrToLower(ToAbsl(Trim(h)));
  const std::vector<std::string> expected = {"bin", "service", "period", "volume_kwh"};
  if (header != expected) {
    return InvalidField("content",
                        absl::StrCat("line 1: the header must be ", absl::StrJoin(expected, ","),
                                     ", not ", QuoteInput(absl::StrJoin(header, ","))));
  }
  std::vector<MonthVolume> out;
  std::set<std::tuple<std::string, int, absl::CivilMonth>> seen;
  for (size_t i = 1; i < csv.records.size(); ++i) {
    const CsvRecord& r = csv.records[i];
    if (r.fields.size() != 4) {
      bad(r.line, "line", absl::StrCat("4 columns expected, found ", r.fields.size()));
      continue;
    }
    const std::string bin(Trim(r.fields[0]));
    auto p = participant_by_bin.find(bin);
    MonthVolume v;
    bool ok = true;
    if (p == participant_by_bin.end()) {
      bad(r.line, "bin", absl::StrCat("unknown BIN ", QuoteInput(bin)));
      ok = false;
    } else {
      v.participant_id = p->second;
    }
    v.service_type = ServiceFromName(Trim(r.fields[1]));
    if (v.service_type == 0) {
      bad(r.line, "service",
          absl::StrCat("unknown service ", QuoteInput(r.fields[1]),
                       " (transmission, dispatching, balancing, grid-use)"));
      ok = false;
    }
    absl::StatusOr<BillingPeriod> period = BillingPeriod::Parse(Trim(r.fields[2]), "period");
    if (!period.ok()) {
      bad(r.line, "period", absl::StrCat(QuoteInput(r.fields[2]), " is not YYYY-MM"));
      ok = false;
    } else if (period->civil_month() > last_period) {
      bad(r.line, "period",
          absl::StrCat(period->ToString(), " is after ", absl::FormatCivilTime(last_period),
                       ", the last month a legacy file may hold"));
      ok = false;
    } else {
      v.period = period->civil_month();
    }
    if (!ParseKwh(r.fields[3], v.volume_wh)) {
      bad(r.line, "volume_kwh",
          absl::StrCat(QuoteInput(r.fields[3]), " is not a number of kWh (up to 3 decimals)"));
      ok = false;
    } else if (v.volume_wh < 0 && v.service_type != 0 && !MayBeNegative(v.service_type)) {
      bad(r.line, "volume_kwh",
          absl::StrCat("negative volume ", r.fields[3], " for ", ServiceName(v.service_type),
                       ", which cannot be negative"));
      ok = false;
    }
    if (!ok) continue;
    if (!seen.insert({v.participant_id, v.service_type, v.period}).second) {
      bad(r.line, "period",
          absl::StrCat(bin, " ", ServiceName(v.service_type), " ", absl::FormatCivilTime(v.period),
                       " is given twice"));
      continue;
    }
    out.push_back(std::move(v));
  }
  if (!errors.empty()) {
    const size_t shown = std::min<size_t>(errors.size(), 10);
    std::string msg = absl::StrCat(
        errors.size(), " bad lines, nothing imported: ",
        absl::StrJoin(std::vector<std::string>(errors.begin(), errors.begin() + shown), "; "));
    if (errors.size() > shown) absl::StrAppend(&msg, "; and ", errors.size() - shown, " more");
    return InvalidField("content", msg);
  }
  if (out.empty()) return InvalidField("content", "the file has no data lines");
  return out;
}

std::string NormalisedLines(const std::vector<MonthVolume>& rows) {
  std::string out;
  for (const MonthVolume& r : rows) {
    absl::StrAppend(&out, r.participant_id, ",", r.service_type, ",",
                    absl::FormatCivilTime(r.period), ",", r.volume_wh, "\n");
  }
  return out;
}

absl::StatusOr<std::vector<MonthVolume>> ParseNormalised(std::string_view text, int64_t from,
                                                         int64_t to) {
  std::vector<MonthVolume> out;
  int64_t i = 0;
  for (absl::string_view line : absl::StrSplit(ToAbsl(text), '\n', absl::SkipEmpty())) {
    if (i >= to) break;
    if (i++ < from) continue;
    std::vector<absl::string_view> f = absl::StrSplit(line, ',');
    MonthVolume v;
    if (f.size() != 4) return absl::DataLossError(absl::StrCat("stored import line ", i));
    v.participant_id = std::string(f[0]);
    absl::StatusOr<BillingPeriod> p = BillingPeriod::Parse(ToStd(f[2]));
    if (!absl::SimpleAtoi(f[1], &v.service_type) || !p.ok() ||
        !absl::SimpleAtoi(f[3], &v.volume_wh)) {
      return absl::DataLossError(absl::StrCat("stored import line ", i));
    }
    v.period = p->civil_month();
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<RunSeries> BuildSeries(const std::vector<MonthVolume>& volumes,
                                   absl::CivilMonth history_to,
                                   const std::map<std::string, std::string>& region_of,
                                   int* gap_months) {
  std::map<std::pair<std::string, int>, std::map<absl::CivilMonth, int64_t>> by_series;
  std::set<absl::CivilMonth> any;
  for (const MonthVolume& v : volumes) {
    if (v.period > history_to) continue;
    by_series[{v.participant_id, v.service_type}][v.period] = v.volume_wh;
    any.insert(v.period);
  }
  if (gap_months != nullptr) {
    *gap_months = 0;
    if (!any.empty()) {
      for (absl::CivilMonth m = *any.begin(); m <= history_to; ++m) {
        if (any.count(m) == 0) ++*gap_months;
      }
    }
  }
  std::vector<RunSeries> out;
  for (const auto& [key, months] : by_series) {
    RunSeries s;
    s.index = static_cast<int>(out.size());
    s.participant_id = key.first;
    s.service_type = key.second;
    auto region = region_of.find(key.first);
    if (region != region_of.end()) s.region_code = region->second;
    s.history_start = months.begin()->first;
    for (absl::CivilMonth m = s.history_start; m <= history_to; ++m) {
      auto it = months.find(m);
      const int64_t t = static_cast<int64_t>(m - s.history_start);
      if (it != months.end()) {
        s.history_wh.push_back(it->second);
      } else if (any.count(m) == 0) {
        s.history_wh.push_back(t >= kSeason ? s.history_wh[t - kSeason] : s.history_wh.back());
      } else {
        s.history_wh.push_back(0);
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

void ForecastOne(RunSeries& s, int horizon, const BacktestOptions& options) {
  Series series{s.history_start, std::vector<double>(s.history_wh.begin(), s.history_wh.end())};
  SeriesResult r = ForecastSeries(series, horizon, options);
  const Candidate& best = r.best();
  s.model = best.forecast.kind;
  s.model_spec = best.forecast.spec;
  s.fallback = r.fallback;
  s.points.clear();
  const absl::CivilMonth first = s.history_start + static_cast<int64_t>(s.history_wh.size());
  for (int i = 0; i < horizon; ++i) {
    Point p;
    p.period = first + i;
    p.volume_wh = Round(best.forecast.mean[i]);
    p.lower80_wh = std::min(p.volume_wh, Round(best.lower80[i]));
    p.upper80_wh = std::max(p.volume_wh, Round(best.upper80[i]));
    p.lower95_wh = std::min(p.lower80_wh, Round(best.lower95[i]));
    p.upper95_wh = std::max(p.upper80_wh, Round(best.upper95[i]));
    if (!MayBeNegative(s.service_type)) {
      // A model's trend may run below zero; a volume of this service cannot.
      for (int64_t* v :
           {&p.volume_wh, &p.lower80_wh, &p.upper80_wh, &p.lower95_wh, &p.upper95_wh}) {
        *v = std::max<int64_t>(*v, 0);
      }
    }
    s.points.push_back(p);
  }
  s.backtest.clear();
  for (const BacktestError& e : best.errors) {
    s.backtest.push_back({e.origin, e.horizon, Round(e.forecast)});
  }
  s.candidates.clear();
  for (size_t i = 0; i < r.candidates.size(); ++i) {
    const AccuracyStats& a = r.candidates[i].accuracy;
    StoredAccuracy st;
    st.kind = kCandidates[i];
    st.spec = a.spec;
    st.chosen = static_cast<int>(i) == r.chosen;
    st.origins = a.origins;
    st.errors = a.errors;
    st.mae_wh = Round(a.mae);
    st.smape = a.smape;
    st.mase = a.mase;
    st.mape = a.mape;
    st.undefined_reason = a.undefined_reason;
    st.coverage80 = a.coverage80;
    st.coverage95 = a.coverage95;
    s.candidates.push_back(std::move(st));
  }
}

SeriesAnswer SumSeries(const std::vector<const RunSeries*>& parts, Level level) {
  SeriesAnswer out;
  out.level = level;
  out.model_spec = absl::StrCat("bottom-up sum of ", parts.size(), " series");
  std::map<absl::CivilMonth, std::array<double, 5>> acc;  // point, d80-, d80+, d95-, d95+ squared
  std::map<absl::CivilMonth, int64_t> sum;
  for (const RunSeries* s : parts) {
    out.history_months = std::max(out.history_months, static_cast<int>(s->history_wh.size()));
    for (const Point& p : s->points) {
      sum[p.period] += p.volume_wh;
      auto& a = acc[p.period];
      const double d80l = static_cast<double>(p.volume_wh - p.lower80_wh);
      const double d80u = static_cast<double>(p.upper80_wh - p.volume_wh);
      const double d95l = static_cast<double>(p.volume_wh - p.lower95_wh);
      const double d95u = static_cast<double>(p.upper95_wh - p.volume_wh);
      a[1] += d80l * d80l, a[2] += d80u * d80u, a[3] += d95l * d95l, a[4] += d95u * d95u;
    }
  }
  for (const auto& [month, total] : sum) {
    const auto& a = acc[month];
    Point p;
    p.period = month;
    p.volume_wh = total;
    p.lower80_wh = total - Round(std::sqrt(a[1]));
    p.upper80_wh = total + Round(std::sqrt(a[2]));
    p.lower95_wh = total - Round(std::sqrt(a[3]));
    p.upper95_wh = total + Round(std::sqrt(a[4]));
    out.points.push_back(p);
  }
  return out;
}

std::optional<StoredAccuracy> SumAccuracy(const std::vector<const RunSeries*>& parts) {
  // Per (origin month, horizon): the parts' forecasts and actuals summed,
  // and the sum's interval half-widths (the parts' at that horizon, in
  // quadrature, as SumSeries adds them).
  struct Cell {
    double forecast = 0, actual = 0;
    double w80l = 0, w80u = 0, w95l = 0, w95u = 0;  // squared
    size_t parts = 0;
  };
  std::map<std::pair<absl::CivilMonth, int>, Cell> cells;
  std::map<absl::CivilMonth, double> history;
  size_t scored = 0;
  for (const RunSeries* s : parts) {
    for (size_t t = 0; t < s->history_wh.size(); ++t) {
      history[s->history_start + static_cast<int64_t>(t)] += static_cast<double>(s->history_wh[t]);
    }
    if (s->backtest.empty()) continue;
    ++scored;
    for (const BacktestForecast& b : s->backtest) {
      const size_t at = static_cast<size_t>(b.origin + b.horizon - 1);
      if (at >= s->history_wh.size() || b.horizon < 1) continue;
      Cell& c = cells[{s->history_start + b.origin, b.horizon}];
      c.forecast += static_cast<double>(b.forecast_wh);
      c.actual += static_cast<double>(s->history_wh[at]);
      if (static_cast<size_t>(b.horizon) <= s->points.size()) {
        const Point& p = s->points[b.horizon - 1];
        const double d80l = static_cast<double>(p.volume_wh - p.lower80_wh);
        const double d80u = static_cast<double>(p.upper80_wh - p.volume_wh);
        const double d95l = static_cast<double>(p.volume_wh - p.lower95_wh);
        const double d95u = static_cast<double>(p.upper95_wh - p.volume_wh);
        c.w80l += d80l * d80l, c.w80u += d80u * d80u, c.w95l += d95l * d95l, c.w95u += d95u * d95u;
      }
      ++c.parts;
    }
  }
  if (scored == 0) return std::nullopt;
  std::vector<BacktestError> errors;
  std::optional<absl::CivilMonth> first_origin;
  int in80 = 0, in95 = 0;
  for (const auto& [key, c] : cells) {
    if (c.parts != scored) continue;  // only origins every scored part has
    const int origin = static_cast<int>(key.first - absl::CivilMonth(2000, 1));
    errors.push_back({origin, key.second, c.forecast, c.actual});
    if (!first_origin || key.first < *first_origin) first_origin = key.first;
    in80 +=
        c.actual >= c.forecast - std::sqrt(c.w80l) && c.actual <= c.forecast + std::sqrt(c.w80u);
    in95 +=
        c.actual >= c.forecast - std::sqrt(c.w95l) && c.actual <= c.forecast + std::sqrt(c.w95u);
  }
  if (errors.empty()) return std::nullopt;
  std::vector<double> y;
  int end = 0;
  for (const auto& [month, v] : history) {
    if (month < *first_origin) ++end;
    y.push_back(v);
  }
  const AccuracyStats a = Measure(errors, MaseScale(y, end));
  StoredAccuracy out;
  out.spec = absl::StrCat("bottom-up sum of ", scored, " series' chosen models");
  if (scored < parts.size()) {
    absl::StrAppend(&out.spec, " (", parts.size() - scored, " without backtests left out)");
  }
  out.chosen = true;
  out.origins = a.origins;
  out.errors = a.errors;
  out.mae_wh = Round(a.mae);
  out.smape = a.smape;
  out.mase = a.mase;
  out.mape = a.mape;
  out.undefined_reason = a.undefined_reason;
  out.coverage80 = 100.0 * in80 / static_cast<double>(errors.size());
  out.coverage95 = 100.0 * in95 / static_cast<double>(errors.size());
  return out;
}

RunAccuracy SummarizeAccuracy(const std::vector<RunSeries>& series) {
  RunAccuracy out;
  std::vector<double> chosen, naive;
  double in80 = 0, in95 = 0, n = 0;
  std::map<std::string, int> models;
  for (const RunSeries& s : series) {
    for (const StoredAccuracy& a : s.candidates) {
      if (a.kind == ModelKind::kSeasonalNaive && a.mase) naive.push_back(*a.mase);
      if (!a.chosen) continue;
      ++models[ModelName(a.kind)];
      if (a.mase) chosen.push_back(*a.mase);
      in80 += a.coverage80 * a.errors, in95 += a.coverage95 * a.errors, n += a.errors;
    }
  }
  if (!chosen.empty()) out.median_mase_chosen = Median(chosen);
  if (!naive.empty()) out.median_mase_seasonal_naive = Median(naive);
  out.coverage80 = n > 0 ? in80 / n : 0;
  out.coverage95 = n > 0 ? in95 / n : 0;
  std::vector<std::string> parts;
  for (const auto& [name, count] : models) parts.push_back(absl::StrCat(name, "=", count));
  out.chosen_models = absl::StrJoin(parts, " ");
  return out;
}

}  // namespace gridbill::forecasting
