#include "backtest.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/str_cat.h"

namespace gridbill::forecasting {
double StudentT(double p, int df) {
  static constexpr double k90[] = {3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397,
                                   1.383, 1.372, 1.363, 1.356, 1.350, 1.345, 1.341, 1.337,
                                   1.333, 1.330, 1.328, 1.325, 1.323, 1.321, 1.319, 1.318,
                                   1.316, 1.315, 1.314, 1.313, 1.311, 1.310};
  static constexpr double k975[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                    2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                    2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                    2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  df = std::max(df, 1);
  if (df > 30) return p > 0.95 ? 1.96 : 1.2816;
  return p > 0.95 ? k975[df - 1] : k90[df - 1];
}

namespace {

// The interval offsets (added to the point forecast) for each horizon.
struct Offsets {
  std::vector<double> lo80, hi80, lo95, hi95;
};

Offsets OffsetsFrom(const std::vector<BacktestError>& errors, int horizon, int backtest_horizon,
                    const std::vector<double>& y, std::string* fallback) {
  Offsets out;
  out.lo80.resize(horizon), out.hi80.resize(horizon);
  out.lo95.resize(horizon), out.hi95.resize(horizon);
  if (errors.empty()) {
    // No backtest: the spread of month-to-month changes.
    double ss = 0;
    int k = 0;
    for (size_t t = 1; t < y.size(); ++t) ss += (y[t] - y[t - 1]) * (y[t] - y[t - 1]), ++k;
    const double sd = k > 0 ? std::sqrt(ss / k) : 0.0;
    for (int h = 1; h <= horizon; ++h) {
      const double s = sd * std::sqrt(static_cast<double>(h));
      out.lo80[h - 1] = -1.2816 * s, out.hi80[h - 1] = 1.2816 * s;
      out.lo95[h - 1] = -1.96 * s, out.hi95[h - 1] = 1.96 * s;
    }
    if (fallback != nullptr) {
      *fallback = "too short for backtests: intervals from the month-to-month changes";
    }
    return out;
  }
  for (int h = 1; h <= horizon; ++h) {
    const int center = std::min(h, backtest_horizon);
    std::vector<double> e;
    std::set<int> origins;
    for (const BacktestError& b : errors) {
      if (std::abs(b.horizon - center) <= 3) {
        e.push_back(b.actual - b.forecast);
        origins.insert(b.origin);
      }
    }
    if (e.empty()) {
      for (const BacktestError& b : errors) {
        e.push_back(b.actual - b.forecast);
        origins.insert(b.origin);
      }
    }
    double mean = 0;
    for (double v : e) mean += v;
    mean /= static_cast<double>(e.size());
    double ss = 0;
    for (double v : e) ss += (v - mean) * (v - mean);
    const double sd = e.size() > 1 ? std::sqrt(ss / static_cast<double>(e.size() - 1)) : 0.0;
    // A new error's prediction interval: Student's t with the distinct
    // origins as the sample (errors of overlapping origins are not
    // independent), times sqrt(1 + 1/n).
    const int n = static_cast<int>(origins.size());
    const double spread = sd * std::sqrt(1.0 + 1.0 / std::max(1, n));
    const double widen =
        h > backtest_horizon ? std::sqrt(static_cast<double>(h) / backtest_horizon) : 1.0;
    const double t80 = StudentT(0.90, n - 1), t95 = StudentT(0.975, n - 1);
    out.lo80[h - 1] = widen * (mean - t80 * spread);
    out.hi80[h - 1] = widen * (mean + t80 * spread);
    out.lo95[h - 1] = widen * (mean - t95 * spread);
    out.hi95[h - 1] = widen * (mean + t95 * spread);
  }
  return out;
}

}  // namespace

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t i = static_cast<size_t>(std::floor(pos));
  const size_t j = std::min(i + 1, v.size() - 1);
  return v[i] + (pos - static_cast<double>(i)) * (v[j] - v[i]);
}

double MaseScale(const std::vector<double>& y, int end, int m) {
  end = std::min<int>(end, static_cast<int>(y.size()));
  const int lag = end >= 2 * m ? m : 1;
  if (end <= lag) return 0.0;
  double sum = 0;
  for (int t = lag; t < end; ++t) sum += std::fabs(y[t] - y[t - lag]);
  return sum / (end - lag);
}

AccuracyStats Measure(const std::vector<BacktestError>& errors, double scale) {
  AccuracyStats a;
  a.errors = static_cast<int>(errors.size());
  if (errors.empty()) {
    a.undefined_reason = "no backtest";
    return a;
  }
  double abs_sum = 0, smape = 0, ape = 0;
  int zeros = 0;
  std::vector<int> origins;
  for (const BacktestError& e : errors) {
    const double d = std::fabs(e.actual - e.forecast);
    abs_sum += d;
    const double denom = std::fabs(e.actual) + std::fabs(e.forecast);
    smape += denom > 0 ? 200.0 * d / denom : 0.0;
    if (e.actual == 0) {
      ++zeros;
    } else {
      ape += 100.0 * d / std::fabs(e.actual);
    }
    origins.push_back(e.origin);
  }
  std::sort(origins.begin(), origins.end());
  a.origins = static_cast<int>(std::unique(origins.begin(), origins.end()) - origins.begin());
  const double n = static_cast<double>(errors.size());
  a.mae = abs_sum / n;
  a.smape = smape / n;
  std::vector<std::string> reasons;
  if (scale > 0) {
    a.mase = a.mae / scale;
  } else {
    reasons.push_back("MASE undefined: the in-sample seasonal naive error is zero");
  }
  if (zeros == 0) {
    a.mape = ape / n;
  } else {
    reasons.push_back(absl::StrCat("MAPE undefined: ", zeros, " zero actuals"));
  }
  for (const std::string& r : reasons) {
    if (!a.undefined_reason.empty()) a.undefined_reason += "; ";
    a.undefined_reason += r;
  }
  return a;
}

SeriesResult ForecastSeries(const Series& series, int horizon, const BacktestOptions& options) {
  const std::vector<double>& y = series.y;
  const int n = static_cast<int>(y.size());
  const int first = std::max(options.min_train, n - options.origins);
  SeriesResult result;
  const double scale = MaseScale(y, std::min(first, n));
  for (ModelKind kind : kCandidates) {
    Candidate c;
    // ETS: form and parameters fitted once, before the first origin; the
    // final forecast refits that form's parameters on the whole series.
    EtsFit fit;
    bool ets_fitted = false;
    if (kind == ModelKind::kEts && first < n) {
      std::string unused;
      std::vector<double> train(y.begin(), y.begin() + first);
      ets_fitted = AutoEts(train, kSeason, fit, unused, /*refine_seasons=*/true,
                           options.thorough_ets ? EtsEffort() : BacktestEffort());
    }
    EtsFit final_fit;
    const bool seasons = fit.spec.season != Component::kNone;
    if (ets_fitted && (options.thorough_ets ? FitEts(y, fit.spec, kSeason, final_fit, seasons)
                                            : FitEts(y, fit.spec, kSeason, final_fit, seasons,
                                                     WarmRefitEffort(), &fit))) {
      c.forecast.kind = ModelKind::kEts;
      c.forecast.spec = final_fit.spec.Name();
      c.forecast.mean =
          ForecastEts(final_fit, FilterEts(final_fit, y, n, kSeason), horizon, kSeason);
    } else {
      c.forecast = Forecast(kind, series, horizon);
    }
    if (first < n) {
      for (int o = first; o < n; ++o) {
        const int h = std::min(options.backtest_horizon, n - o);
        std::vector<double> f;
        if (kind == ModelKind::kEts && ets_fitted) {
          f = ForecastEts(fit, FilterEts(fit, y, o, kSeason), h, kSeason);
        } else {
          Series train{series.start, std::vector<double>(y.begin(), y.begin() + o)};
          f = Forecast(kind, train, h).mean;
        }
        for (int i = 0; i < h; ++i) c.errors.push_back({o, i + 1, f[i], y[o + i]});
      }
    }
    c.accuracy = Measure(c.errors, scale);
    c.accuracy.kind = c.forecast.kind;
    c.accuracy.spec = c.forecast.spec;
    std::string interval_fallback;
    const Offsets off =
        OffsetsFrom(c.errors, horizon, options.backtest_horizon, y, &interval_fallback);
    c.lower80.resize(horizon), c.upper80.resize(horizon);
    c.lower95.resize(horizon), c.upper95.resize(horizon);
    for (int i = 0; i < horizon; ++i) {
      const double f = c.forecast.mean[i];
      c.lower80[i] = f + off.lo80[i], c.upper80[i] = f + off.hi80[i];
      c.lower95[i] = f + off.lo95[i], c.upper95[i] = f + off.hi95[i];
    }
    // Coverage of the backtest actuals by intervals of the same construction.
    if (!c.errors.empty()) {
      const Offsets bt =
          OffsetsFrom(c.errors, options.backtest_horizon, options.backtest_horizon, y, nullptr);
      int in80 = 0, in95 = 0;
      for (const BacktestError& e : c.errors) {
        const double d = e.actual - e.forecast;
        const int i = e.horizon - 1;
        if (d >= bt.lo80[i] && d <= bt.hi80[i]) ++in80;
        if (d >= bt.lo95[i] && d <= bt.hi95[i]) ++in95;
      }
      c.accuracy.coverage80 = 100.0 * in80 / static_cast<double>(c.errors.size());
      c.accuracy.coverage95 = 100.0 * in95 / static_cast<double>(c.errors.size());
    }
    if (!interval_fallback.empty() && c.forecast.fallback.empty()) {
      c.forecast.fallback = interval_fallback;
    }
    result.candidates.push_back(std::move(c));
  }
  // The choice: lowest MASE (MAE when undefined); ties keep the simpler.
  for (size_t i = 1; i < result.candidates.size(); ++i) {
    const AccuracyStats& a = result.candidates[i].accuracy;
    const AccuracyStats& b = result.candidates[result.chosen].accuracy;
    if (a.errors == 0) continue;
    const double ka = a.mase.value_or(a.mae), kb = b.mase.value_or(b.mae);
    if (b.errors == 0 || ka < kb) result.chosen = static_cast<int>(i);
  }
  result.fallback = result.best().forecast.fallback;
  return result;
}

}  // namespace gridbill::forecasting
