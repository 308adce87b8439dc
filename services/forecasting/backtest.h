// Rolling-origin backtests, accuracy measures, the choice of a model per
// series and its prediction intervals (pure: no I/O).
//
// Backtests: from every origin o among the last `origins` months of the
// series (o = n - origins .. n - 1, each leaving at least `min_train`
// months to fit on), each candidate forecasts up to `backtest_horizon`
// months ahead, as far as actuals exist. Seasonal naive, Theta and the
// regression are refitted at every origin; ETS chooses its form and fits its
// parameters once, on the months before the first origin, and then filters
// on to each origin with those parameters (a refit per origin would cost
// fifteen likelihood fits per origin and series); its final forecast refits
// that form on the whole series, warm-started from the first fit. The form
// is chosen by screening all fifteen cheaply and fitting the three best by
// AICc in full (BacktestEffort; `thorough_ets` fits all fifteen in full).
//
// Measures over every (origin, horizon) error: MAE; sMAPE = mean of
// 200|a-f|/(|a|+|f|) (a term is 0 when both are 0); MASE = MAE over the
// in-sample mean absolute seasonal naive error (lag 12, lag 1 below two
// seasons) of the months before the first origin, undefined when that is
// zero; MAPE = mean of 100|a-f|/|a|, undefined when an actual is zero.
//
// Intervals: from the chosen model's backtest errors a - f at horizons
// within 3 months of h: their mean (the model's bias) plus or minus
// Student's t (80 %: 0.90, 95 %: 0.975 quantile, with the number of distinct
// origins less one as degrees of freedom: errors of overlapping origins are
// not independent) times their standard deviation times sqrt(1 + 1/n), the
// prediction interval of a new error; beyond the backtest horizon widened by
// sqrt(h / backtest_horizon). A series without any backtest error takes
// +-1.28 / 1.96 standard deviations of its month-to-month changes times
// sqrt(h) (stated in the fallback). Coverage is the share of backtest
// actuals inside intervals built that way.
//
// The model chosen per series: the lowest MASE (MAE when MASE is undefined);
// on a tie the simpler model (the order of kCandidates).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models.h"

namespace gridbill::forecasting {

inline constexpr ModelKind kCandidates[] = {ModelKind::kSeasonalNaive, ModelKind::kTheta,
                                            ModelKind::kRegression, ModelKind::kEts};

struct BacktestOptions {
  int origins = 24;
  int backtest_horizon = 12;
  int min_train = 24;
  // The thorough ETS search (every form fitted in full, the final fit from
  // scratch: EtsEffort's defaults) instead of the pruned one with warm
  // starts (BacktestEffort, WarmRefitEffort); the benchmark compares them.
  bool thorough_ets = false;
};

struct AccuracyStats {
  ModelKind kind = ModelKind::kSeasonalNaive;
  std::string spec;
  int origins = 0;
  int errors = 0;
  double mae = 0;
  double smape = 0;
  std::optional<double> mase;
  std::optional<double> mape;
  std::string undefined_reason;
  double coverage80 = 0;
  double coverage95 = 0;
};

// One backtest error.
struct BacktestError {
  int origin = 0;   // index of the first forecast month
  int horizon = 1;  // 1-based
  double forecast = 0;
  double actual = 0;
};

struct Candidate {
  PointForecast forecast;  // over the whole series
  AccuracyStats accuracy;
  std::vector<BacktestError> errors;
  std::vector<double> lower80, upper80, lower95, upper95;
};

struct SeriesResult {
  std::vector<Candidate> candidates;  // in the order of kCandidates
  int chosen = 0;
  std::string fallback;  // of the chosen model, or why no backtest was possible
  const Candidate& best() const { return candidates[chosen]; }
};

// The measures of a set of errors; `scale` is the MASE denominator (<= 0: undefined).
AccuracyStats Measure(const std::vector<BacktestError>& errors, double scale);

// The in-sample mean absolute seasonal naive error of y[0..end) (lag m, or
// lag 1 when end < 2m); 0 when fewer than 2 months.
double MaseScale(const std::vector<double>& y, int end, int m = kSeason);

// Student's t quantile (p = 0.90 or 0.975) for `df` degrees of freedom
// (df < 1: as 1; above 30: the normal's).
double StudentT(double p, int df);

// The empirical q-quantile (linear interpolation) of a non-empty vector.
double Quantile(std::vector<double> v, double q);

// Every candidate backtested, intervals and the choice.
SeriesResult ForecastSeries(const Series& series, int horizon, const BacktestOptions& options);

}  // namespace gridbill::forecasting
