// The monthly forecasting models, as pure functions of a series: no I/O, no
// time, no randomness. A series is a vector of monthly volumes (any unit;
// the service passes Wh as doubles) starting at a known calendar month.
//
// Every model returns a point forecast for `h` months after the series and
// says which form it took. A series too short or too flat for a model takes
// a simpler one (stated in `fallback`); nothing divides by zero: a ratio
// whose denominator can be zero is guarded where it is computed.
#pragma once

#include <string>
#include <vector>

#include "absl/time/civil_time.h"

namespace gridbill::forecasting {

inline constexpr int kSeason = 12;  // months

// The model families (the numbers of gridbill.forecasting.v1.ModelKind).
enum class ModelKind { kSeasonalNaive = 1, kNaive = 2, kEts = 3, kTheta = 4, kRegression = 5 };

const char* ModelName(ModelKind kind);

struct Series {
  absl::CivilMonth start;
  std::vector<double> y;
};

// What a model predicts.
struct PointForecast {
  ModelKind kind = ModelKind::kNaive;
  std::string spec;      // e.g. "ETS(M,Ad,M)"
  std::string fallback;  // non-empty when a simpler model stood in, and why
  std::vector<double> mean;
};

// --- baselines -----------------------------------------------------------

// The last value, h times; an empty series forecasts 0 (stated).
PointForecast Naive(const std::vector<double>& y, int h);
// y[n - m + (i mod m)]; shorter than a season: Naive (stated).
PointForecast SeasonalNaive(const std::vector<double>& y, int h, int m = kSeason);

// --- exponential smoothing (ETS) ---------------------------------------------

enum class Component { kNone, kAdditive, kMultiplicative };

// One ETS form: error, trend (damped or not), season.
struct EtsSpec {
  Component error = Component::kAdditive;
  Component trend = Component::kNone;  // kMultiplicative is not used
  bool damped = false;
  Component season = Component::kNone;
  std::string Name() const;  // "ETS(A,Ad,M)"
};

// A fitted ETS model: parameters, initial states, likelihood.
struct EtsFit {
  EtsSpec spec;
  double alpha = 0, beta = 0, gamma = 0, phi = 1;
  double level0 = 0, trend0 = 0;
  std::vector<double> season0;  // m values, oldest first (s_{1-m} .. s_0)
  double log_likelihood = 0;
  double aicc = 0;
  double sse = 0;  // in-sample one-step squared errors
  int n = 0;
  int params = 0;  // k of the AICc: smoothing parameters, initial states, sigma
};

// The state after filtering a series, to forecast from.
struct EtsState {
  double level = 0, trend = 0;
  std::vector<double> season;  // the last m seasonal states, oldest first
};

// How hard the likelihood search works. The defaults are the thorough
// search (every form fitted in full, the seasonal states refined in two
// rounds); a forecast run's backtests use BacktestEffort(), which screens
// the forms cheaply, fits the best few in full and warm-starts the final
// fit from the one before the first origin (the benchmark prints both).
struct EtsEffort {
  int evals_per_dim = 100;         // first Nelder-Mead round, per free parameter
  int restart_evals_per_dim = 40;  // a restart from the optimum (0: none)
  int season_rounds = 2;           // rounds with the seasonal states free too
  int season_evals_per_dim = 250;  // per round, per free parameter
  double tolerance = 1e-10;        // relative spread of the simplex that stops a round
  // AutoEts: 0 fits every form in full; k > 0 screens every form with
  // `screen_evals_per_dim` (no restart) and fits the k best by AICc in full.
  int prune_to = 0;
  int screen_evals_per_dim = 30;
};

// The effort of a forecast run's backtests and final fits (see EtsEffort).
EtsEffort BacktestEffort();
// The effort of a final fit warm-started from a fit on a prefix of the series.
EtsEffort WarmRefitEffort();

// Fits one form by maximum likelihood (Nelder-Mead over the smoothing
// parameters, phi and the initial level and trend; seasonal initial states
// from a classical decomposition of the first four seasons, then, with
// `fit_seasons`, estimated too, as statsmodels does). false when the form
// does not apply (multiplicative on a series with a value <= 0, seasonal on
// fewer than two seasons, fewer observations than parameters). `warm` (may
// be null): a fit of the same form, e.g. on a prefix of y, to start from
// (its parameters, initial states and seasonal states).
bool FitEts(const std::vector<double>& y, const EtsSpec& spec, int m, EtsFit& out,
            bool fit_seasons = false, const EtsEffort& effort = EtsEffort(),
            const EtsFit* warm = nullptr);
// The filtered state at the end of y[0..end) under the fit's parameters.
EtsState FilterEts(const EtsFit& fit, const std::vector<double>& y, int end, int m);
// h point forecasts from a state.
std::vector<double> ForecastEts(const EtsFit& fit, const EtsState& state, int h, int m);
// Every applicable form fitted; the one with the lowest AICc (its seasonal
// states then estimated too, when that raises the likelihood). A constant
// series, or one shorter than 4 months, falls back to Naive (false, stated
// in `fallback`).
bool AutoEts(const std::vector<double>& y, int m, EtsFit& best, std::string& fallback,
             bool refine_seasons = true, const EtsEffort& effort = EtsEffort());
PointForecast EtsForecast(const std::vector<double>& y, int h, int m = kSeason);

// --- Theta -------------------------------------------------------------------

// The standard Theta method (Hyndman & Billah's form: SES with drift of half
// the linear trend's slope) on the series seasonally adjusted by classical
// decomposition when the lag-m autocorrelation is significant (90 %);
// multiplicative adjustment unless a value is <= 0 (then additive).
PointForecast ThetaForecast(const std::vector<double>& y, int h, int m = kSeason);

// --- regression --------------------------------------------------------------

// OLS on intercept, linear trend, 11 month dummies and the month's working
// days (calendar.h). Shorter than 24 months: trend + working days only; than
// 6: Naive (stated).
PointForecast RegressionForecast(const Series& series, int h);

// --- one entry point -----------------------------------------------------------

// The model `kind` on `series`, h months ahead.
PointForecast Forecast(ModelKind kind, const Series& series, int h);

// Median of a non-empty vector (by copy).
double Median(std::vector<double> v);

}  // namespace gridbill::forecasting
