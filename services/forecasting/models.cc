#include "models.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "calendar.h"

namespace gridbill::forecasting {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = 3.14159265358979323846;

double Logistic(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double Logit(double p) { return std::log(p / (1.0 - p)); }

bool AllPositive(const std::vector<double>& y) {
  return std::all_of(y.begin(), y.end(), [](double v) { return v > 0; });
}

// True when every value equals the first (a flat series has no dynamics to fit).
bool Constant(const std::vector<double>& y) {
  if (y.empty()) return true;
  const double scale = std::max(1.0, std::fabs(y[0]));
  return std::all_of(y.begin(), y.end(),
                     [&](double v) { return std::fabs(v - y[0]) <= 1e-12 * scale; });
}

// Nelder-Mead minimisation of f from x0 with initial steps `step`; stops
// after `max_evals` evaluations or when the simplex's values agree within
// `tolerance` (relative). Buffers are allocated once per call.
template <typename F>
std::vector<double> NelderMead(F&& f, const std::vector<double>& x0,
                               const std::vector<double>& step, int max_evals, double tolerance) {
  const size_t d = x0.size();
  std::vector<std::vector<double>> pts(d + 1, x0);
  std::vector<double> val(d + 1);
  for (size_t i = 0; i < d; ++i) pts[i + 1][i] += step[i];
  int evals = 0;
  for (size_t i = 0; i <= d; ++i) val[i] = f(pts[i]), ++evals;
  std::vector<size_t> order(d + 1);
  std::vector<double> centroid(d), r(d), e(d), c(d);
  while (evals < max_evals) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return val[a] < val[b]; });
    const size_t best = order[0], worst = order[d], second = order[d - 1];
    if (std::fabs(val[worst] - val[best]) <= tolerance * (std::fabs(val[best]) + 1e-10)) break;
    std::fill(centroid.begin(), centroid.end(), 0.0);
    for (size_t i = 0; i < d; ++i) {
      for (size_t j = 0; j < d; ++j) centroid[j] += pts[order[i]][j] / static_cast<double>(d);
    }
    auto along = [&](double t, std::vector<double>& p) {
      for (size_t j = 0; j < d; ++j) p[j] = centroid[j] + t * (pts[worst][j] - centroid[j]);
    };
    along(-1.0, r);
    const double fr = f(r);
    ++evals;
    if (fr < val[best]) {
      along(-2.0, e);
      const double fe = f(e);
      ++evals;
      if (fe < fr) {
        pts[worst] = e, val[worst] = fe;
      } else {
        pts[worst] = r, val[worst] = fr;
      }
    } else if (fr < val[second]) {
      pts[worst] = r, val[worst] = fr;
    } else {
      along(fr < val[worst] ? -0.5 : 0.5, c);
      const double fc = f(c);
      ++evals;
      if (fc < std::min(fr, val[worst])) {
        pts[worst] = c, val[worst] = fc;
      } else {
        for (size_t i = 1; i <= d; ++i) {
          for (size_t j = 0; j < d; ++j) {
            pts[order[i]][j] = pts[best][j] + 0.5 * (pts[order[i]][j] - pts[best][j]);
          }
          val[order[i]] = f(pts[order[i]]);
          ++evals;
        }
      }
    }
  }
  size_t best = 0;
  for (size_t i = 1; i <= d; ++i) {
    if (val[i] < val[best]) best = i;
  }
  return pts[best];
}

// Least squares slope and intercept of v[0..n) on 0..n-1.
void LinearFit(const std::vector<double>& v, size_t n, double& intercept, double& slope) {
  n = std::min(n, v.size());
  if (n < 2) {
    intercept = n == 1 ? v[0] : 0.0;
    slope = 0.0;
    return;
  }
  const double tm = (static_cast<double>(n) - 1.0) / 2.0;
  double ym = 0;
  for (size_t t = 0; t < n; ++t) ym += v[t];
  ym /= static_cast<double>(n);
  double sxy = 0, sxx = 0;
  for (size_t t = 0; t < n; ++t) {
    sxy += (static_cast<double>(t) - tm) * (v[t] - ym);
    sxx += (static_cast<double>(t) - tm) * (static_cast<double>(t) - tm);
  }
  slope = sxy / sxx;  // sxx > 0 for n >= 2
  intercept = ym - slope * tm;
}

// Classical decomposition's seasonal indices (position t mod m), from a
// centred 2xm moving average over y[0..n). Multiplicative indices average
// to 1, additive ones to 0. Needs n >= 2m.
std::vector<double> SeasonalIndices(const std::vector<double>& y, size_t n, int m,
                                    bool multiplicative) {
  std::vector<double> sum(m, 0.0);
  std::vector<int> count(m, 0);
  const size_t half = static_cast<size_t>(m / 2);
  for (size_t t = half; t + half < n; ++t) {
    double ma = 0;
    for (size_t j = t - half; j <= t + half; ++j) {
      const double w = (j == t - half || j == t + half) ? 0.5 : 1.0;
      ma += w * y[j];
    }
    ma /= static_cast<double>(m);
    if (multiplicative) {
      if (ma <= 0) continue;
      sum[t % m] += y[t] / ma;
    } else {
      sum[t % m] += y[t] - ma;
    }
    ++count[t % m];
  }
  std::vector<double> idx(m, multiplicative ? 1.0 : 0.0);
  for (int i = 0; i < m; ++i) {
    if (count[i] > 0) idx[i] = sum[i] / count[i];
  }
  const double mean = std::accumulate(idx.begin(), idx.end(), 0.0) / m;
  for (double& v : idx) {
    if (multiplicative) {
      v = mean > 0 ? v / mean : 1.0;
    } else {
      v -= mean;
    }
  }
  return idx;
}

struct EtsParams {
  double alpha, beta, gamma, phi, level0, trend0;
};

// One pass of the filter for one form (a template per form, so that the
// loop has no branch on the form); the objective (-2 log L up to a
// constant) or inf when a state makes the form meaningless (a
// multiplicative denominator <= 0). `s` holds the m seasonal states and is
// overwritten; `inv_scale` keeps the product of the multiplicative
// error's fitted values near 1 (its logarithm is taken every 8 months).
template <bool kTrend, Component kSeason, bool kMultError>
double EtsPass(const EtsParams& p, double* s, const double* y, int n, int m, double inv_scale,
               double* sse_out, double* loglik_out) {
  const double phi = kTrend ? p.phi : 0.0;
  double l = p.level0, b = kTrend ? p.trend0 : 0.0;
  double sse = 0, rel = 0, logsum = 0, prod = 1;
  int j = 0;
  for (int t = 0; t < n; ++t) {
    const double base = kTrend ? l + phi * b : l;
    double st = 0;
    double yhat = base;
    if constexpr (kSeason == Component::kAdditive) {
      st = s[j];
      yhat = base + st;
    } else if constexpr (kSeason == Component::kMultiplicative) {
      st = s[j];
      if (st <= 0 || base <= 0) return kInf;
      yhat = base * st;
    }
    const double eps = y[t] - yhat;
    sse += eps * eps;
    if constexpr (kMultError) {
      if (yhat <= 0) return kInf;
      const double q = eps / yhat;
      rel += q * q;
      prod *= yhat * inv_scale;
      if ((t & 7) == 7) logsum += std::log(prod), prod = 1;
    }
    if constexpr (kSeason == Component::kMultiplicative) {
      l = base + p.alpha * eps / st;
      if constexpr (kTrend) b = phi * b + p.beta * eps / st;
      s[j] = st + p.gamma * eps / base;
    } else {
      l = base + p.alpha * eps;
      if constexpr (kTrend) b = phi * b + p.beta * eps;
      if constexpr (kSeason == Component::kAdditive) s[j] = st + p.gamma * eps;
    }
    if (!std::isfinite(l) || !std::isfinite(b)) return kInf;
    if (++j == m) j = 0;
  }
  const double nn = static_cast<double>(n);
  double loglik;
  if constexpr (kMultError) {
    logsum += std::log(prod) - nn * std::log(inv_scale);
    if (rel <= 0) return kInf;
    loglik = -0.5 * nn * (std::log(2 * kPi * rel / nn) + 1.0) - logsum;
  } else {
    if (sse <= 0) return kInf;
    loglik = -0.5 * nn * (std::log(2 * kPi * sse / nn) + 1.0);
  }
  if (sse_out != nullptr) *sse_out = sse;
  if (loglik_out != nullptr) *loglik_out = loglik;
  return -2.0 * loglik;
}

using EtsPassFn = double (*)(const EtsParams&, double*, const double*, int, int, double, double*,
                             double*);

template <bool kTrend, Component kSeason>
EtsPassFn PassFor(bool mult_error) {
  return mult_error ? &EtsPass<kTrend, kSeason, true> : &EtsPass<kTrend, kSeason, false>;
}

EtsPassFn PassFor(const EtsSpec& spec) {
  const bool trend = spec.trend != Component::kNone;
  const bool me = spec.error == Component::kMultiplicative;
  switch (spec.season) {
    case Component::kNone:
      return trend ? PassFor<true, Component::kNone>(me) : PassFor<false, Component::kNone>(me);
    case Component::kAdditive:
      return trend ? PassFor<true, Component::kAdditive>(me)
                   : PassFor<false, Component::kAdditive>(me);
    case Component::kMultiplicative:
      return trend ? PassFor<true, Component::kMultiplicative>(me)
                   : PassFor<false, Component::kMultiplicative>(me);
  }
  return nullptr;
}

double ClampedLogit(double p) { return Logit(std::clamp(p, 1e-6, 1.0 - 1e-6)); }

}  // namespace

const char* ModelName(ModelKind kind) {
  switch (kind) {
    case ModelKind::kSeasonalNaive:
      return "SEASONAL_NAIVE";
    case ModelKind::kNaive:
      return "NAIVE";
    case ModelKind::kEts:
      return "ETS";
    case ModelKind::kTheta:
      return "THETA";
    case ModelKind::kRegression:
      return "REGRESSION";
  }
  return "UNSPECIFIED";
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(mid), v.end());
  const double hi = v[mid];
  if (v.size() % 2 == 1) return hi;
  const double lo = *std::max_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(mid));
  return (lo + hi) / 2;
}

PointForecast Naive(const std::vector<double>& y, int h) {
  PointForecast out;
  out.kind = ModelKind::kNaive;
  out.spec = "naive";
  if (y.empty()) {
    out.fallback = "no history: forecast 0";
    out.mean.assign(h, 0.0);
    return out;
  }
  out.mean.assign(h, y.back());
  return out;
}

PointForecast SeasonalNaive(const std::vector<double>& y, int h, int m) {
  const int n = static_cast<int>(y.size());
  if (n < m) {
    PointForecast out = Naive(y, h);
    if (out.fallback.empty()) {
      out.fallback =
          absl::StrCat("seasonal naive needs ", m, " months, the series has ", n, ": naive");
    }
    return out;
  }
  PointForecast out;
  out.kind = ModelKind::kSeasonalNaive;
  out.spec = absl::StrCat("seasonal naive (lag ", m, ")");
  out.mean.resize(h);
  for (int i = 0; i < h; ++i) out.mean[i] = y[n - m + (i % m)];
  return out;
}

std::string EtsSpec::Name() const {
  auto c = [](Component x) {
    return x == Component::kNone ? "N" : x == Component::kAdditive ? "A" : "M";
  };
  return absl::StrCat("ETS(", c(error), ",", c(trend), damped ? "d" : "", ",", c(season), ")");
}

EtsEffort BacktestEffort() {
  EtsEffort e;
  e.evals_per_dim = 100;
  e.restart_evals_per_dim = 40;
  e.season_rounds = 1;
  e.season_evals_per_dim = 120;
  e.tolerance = 1e-8;
  e.prune_to = 3;
  e.screen_evals_per_dim = 30;
  return e;
}

EtsEffort WarmRefitEffort() {
  EtsEffort e;
  e.evals_per_dim = 40;
  e.restart_evals_per_dim = 0;
  e.season_rounds = 1;
  e.season_evals_per_dim = 60;
  e.tolerance = 1e-8;
  return e;
}

bool FitEts(const std::vector<double>& y, const EtsSpec& spec, int m, EtsFit& out, bool fit_seasons,
            const EtsEffort& effort, const EtsFit* warm) {
  const int n = static_cast<int>(y.size());
  const bool seasonal = spec.season != Component::kNone;
  const bool trend = spec.trend != Component::kNone;
  const bool mult_season = spec.season == Component::kMultiplicative;
  const bool mult =
      spec.error == Component::kMultiplicative || spec.season == Component::kMultiplicative;
  if (mult && !AllPositive(y)) return false;
  if (seasonal && n < 2 * m) return false;
  const int k = 1 + (trend ? 1 : 0) + (seasonal ? 1 : 0) + (spec.damped ? 1 : 0) + 1 +
                (trend ? 1 : 0) + (seasonal ? m - 1 : 0) + 1;
  if (n - k - 1 <= 0) return false;
  if (warm != nullptr && (warm->spec.Name() != spec.Name() ||
                          (seasonal && static_cast<int>(warm->season0.size()) != m))) {
    warm = nullptr;
  }

  // Initial states: seasonal indices of the first seasons, then a line through
  // the first (up to) two adjusted seasons.
  std::vector<double> season_init;
  std::vector<double> adjusted = y;
  if (seasonal) {
    const size_t first = static_cast<size_t>(std::min(n, 4 * m));
    season_init = SeasonalIndices(y, first, m, mult_season);
    for (int t = 0; t < n; ++t) {
      adjusted[t] = mult_season ? y[t] / season_init[t % m] : y[t] - season_init[t % m];
    }
  }
  double l0, b0;
  LinearFit(adjusted, static_cast<size_t>(std::min(n, seasonal ? 2 * m : 10)), l0, b0);
  if (!trend) {
    b0 = 0;
    l0 = adjusted[0];
  }
  const double scale = std::max(1e-9, std::fabs(l0) + 1e-9);
  // The seasonal states the search starts from: a warm fit's, else the decomposition's.
  const std::vector<double> season_base = warm != nullptr && seasonal ? warm->season0 : season_init;

  // Free parameters, unconstrained: alpha, beta/alpha, gamma/(1-alpha),
  // phi in (0.8, 0.98), level0 and trend0 in units of the level, and (when
  // the vector is longer: the rounds with free seasons) the seasonal
  // states' departures from season_base, renormalised to sum 0 (additive)
  // or average 1 (multiplicative).
  auto decode = [&](const std::vector<double>& x, std::vector<double>& season) {
    EtsParams p{};
    size_t i = 0;
    p.alpha = 1e-4 + (0.9999 - 1e-4) * Logistic(x[i++]);
    p.beta = trend ? p.alpha * Logistic(x[i++]) : 0.0;
    p.gamma = seasonal ? (1.0 - p.alpha) * Logistic(x[i++]) : 0.0;
    p.phi = spec.damped ? 0.8 + 0.18 * Logistic(x[i++]) : 1.0;
    p.level0 = l0 + scale * x[i++];
    p.trend0 = trend ? b0 + scale * 0.01 * x[i++] : 0.0;
    if (seasonal && x.size() > i) {
      double sum = 0;
      for (int j = 0; j < m; ++j) {
        const double dx = j < m - 1 ? x[i + j] : 0.0;
        season[j] =
            mult_season ? season_base[j] * std::exp(0.1 * dx) : season_base[j] + 0.1 * scale * dx;
        sum += season[j];
      }
      for (double& v : season) v = mult_season ? v * m / sum : v - sum / m;
    }
    return p;
  };
  std::vector<double> x0, step;
  const double big = warm != nullptr ? 0.3 : 1.0;  // a warm start searches nearby
  if (warm != nullptr) {
    x0.push_back(ClampedLogit((warm->alpha - 1e-4) / (0.9999 - 1e-4)));
    if (trend) x0.push_back(ClampedLogit(warm->beta / std::max(1e-12, warm->alpha)));
    if (seasonal) x0.push_back(ClampedLogit(warm->gamma / std::max(1e-12, 1.0 - warm->alpha)));
    if (spec.damped) x0.push_back(ClampedLogit((warm->phi - 0.8) / 0.18));
    x0.push_back((warm->level0 - l0) / scale);
    if (trend) x0.push_back((warm->trend0 - b0) / (0.01 * scale));
  } else {
    x0.push_back(Logit(0.3));
    if (trend) x0.push_back(Logit(0.1));
    if (seasonal) x0.push_back(Logit(0.1));
    if (spec.damped) x0.push_back(0.0);
    x0.push_back(0.0);
    if (trend) x0.push_back(0.0);
  }
  step.assign(x0.size(), big);
  step[(trend ? 1 : 0) + (seasonal ? 1 : 0) + (spec.damped ? 1 : 0) + 1] = 0.05 * big;
  if (trend) step.back() = 0.5 * big;
  const size_t base_dims = x0.size();
  const EtsPassFn pass = PassFor(spec);
  double inv_scale = 0;
  for (double v : y) inv_scale += std::fabs(v);
  inv_scale = inv_scale > 0 ? n / inv_scale : 1.0;
  std::vector<double> season_buf = season_base;
  std::vector<double> scratch(seasonal ? m : 1, 0.0);
  auto objective = [&](const std::vector<double>& x) {
    const EtsParams p = decode(x, season_buf);
    if (seasonal) std::copy(season_buf.begin(), season_buf.end(), scratch.begin());
    return pass(p, scratch.data(), y.data(), n, m, inv_scale, nullptr, nullptr);
  };
  const int d = static_cast<int>(base_dims);
  std::vector<double> best =
      NelderMead(objective, x0, step, effort.evals_per_dim * d, effort.tolerance);
  if (effort.restart_evals_per_dim > 0) {
    // A restart from the optimum refines what a collapsed simplex left.
    best = NelderMead(objective, best, std::vector<double>(step.size(), 0.2),
                      effort.restart_evals_per_dim * d, effort.tolerance);
  }
  if (seasonal && fit_seasons && effort.season_rounds > 0) {
    // Then the seasonal states too, from there (a restart helps in 17 dimensions).
    for (int j = 0; j < m - 1; ++j) best.push_back(0.0);
    std::vector<double> steps(best.size(), 0.2);
    for (size_t j = base_dims; j < best.size(); ++j) steps[j] = 0.1;
    for (int round = 0; round < effort.season_rounds; ++round) {
      best =
          NelderMead(objective, best, steps,
                     effort.season_evals_per_dim * static_cast<int>(best.size()), effort.tolerance);
    }
  }
  std::vector<double> season0 = season_base;
  const EtsParams p = decode(best, season0);
  std::vector<double> final_states = season0;
  if (final_states.empty()) final_states.assign(1, 0.0);
  double sse = 0, loglik = 0;
  const double obj = pass(p, final_states.data(), y.data(), n, m, inv_scale, &sse, &loglik);
  if (!std::isfinite(obj)) return false;
  out.spec = spec;
  out.alpha = p.alpha, out.beta = p.beta, out.gamma = p.gamma, out.phi = p.phi;
  out.level0 = p.level0, out.trend0 = p.trend0;
  out.season0 = season0;
  out.log_likelihood = loglik;
  out.sse = sse;
  out.n = n;
  out.params = k;
  out.aicc = -2 * loglik + 2.0 * k + 2.0 * k * (k + 1) / static_cast<double>(n - k - 1);
  return true;
}

EtsState FilterEts(const EtsFit& fit, const std::vector<double>& y, int end, int m) {
  const EtsSpec& spec = fit.spec;
  const bool trend = spec.trend != Component::kNone;
  const double phi = trend ? fit.phi : 0.0;
  double l = fit.level0, b = trend ? fit.trend0 : 0.0;
  std::vector<double> s = fit.season0;
  for (int t = 0; t < end; ++t) {
    const double base = l + phi * b;
    if (spec.season == Component::kMultiplicative) {
      const double st = s[t % m];
      const double eps = y[t] - base * st;
      // Guarded: a state <= 0 keeps the previous state (the forecast stays finite).
      if (st <= 0 || base <= 0) {
        l = base;
        b = phi * b;
        continue;
      }
      l = base + fit.alpha * eps / st;
      b = phi * b + fit.beta * eps / st;
      s[t % m] = st + fit.gamma * eps / base;
    } else {
      const double st = spec.season == Component::kAdditive ? s[t % m] : 0.0;
      const double eps = y[t] - (base + st);
      l = base + fit.alpha * eps;
      b = phi * b + fit.beta * eps;
      if (spec.season == Component::kAdditive) s[t % m] = st + fit.gamma * eps;
    }
  }
  EtsState state;
  state.level = l;
  state.trend = b;
  if (!s.empty()) {
    // Oldest first: the state of month `end` is next to be used.
    state.season.resize(m);
    for (int i = 0; i < m; ++i) state.season[i] = s[(end + i) % m];
  }
  return state;
}

std::vector<double> ForecastEts(const EtsFit& fit, const EtsState& state, int h, int m) {
  const bool trend = fit.spec.trend != Component::kNone;
  std::vector<double> out(h);
  double damp = 0;
  double phi_i = 1;
  for (int i = 0; i < h; ++i) {
    phi_i *= trend ? fit.phi : 0.0;
    damp += phi_i;
    const double base = state.level + damp * state.trend;
    if (fit.spec.season == Component::kAdditive) {
      out[i] = base + state.season[i % m];
    } else if (fit.spec.season == Component::kMultiplicative) {
      out[i] = base * state.season[i % m];
    } else {
      out[i] = base;
    }
  }
  return out;
}

bool AutoEts(const std::vector<double>& y, int m, EtsFit& best, std::string& fallback,
             bool refine_seasons, const EtsEffort& effort) {
  if (y.size() < 4) {
    fallback = absl::StrCat("ETS needs 4 months, the series has ", y.size(), ": naive");
    return false;
  }
  if (Constant(y)) {
    fallback = "constant series: naive";
    return false;
  }
  std::vector<EtsSpec> forms;
  for (Component error : {Component::kAdditive, Component::kMultiplicative}) {
    for (int t = 0; t < 3; ++t) {
      for (Component season :
           {Component::kNone, Component::kAdditive, Component::kMultiplicative}) {
        // Additive errors with multiplicative seasons are numerically unstable (as in AutoETS).
        if (error == Component::kAdditive && season == Component::kMultiplicative) continue;
        EtsSpec spec;
        spec.error = error;
        spec.trend = t == 0 ? Component::kNone : Component::kAdditive;
        spec.damped = t == 2;
        spec.season = season;
        forms.push_back(spec);
      }
    }
  }
  bool found = false;
  if (effort.prune_to > 0) {
    // Screen every form cheaply, then fit the best few by AICc in full,
    // each from its screening fit.
    EtsEffort screen;
    screen.evals_per_dim = effort.screen_evals_per_dim;
    screen.restart_evals_per_dim = 0;
    screen.season_rounds = 0;
    screen.tolerance = effort.tolerance;
    std::vector<EtsFit> screened;
    for (const EtsSpec& spec : forms) {
      EtsFit fit;
      if (FitEts(y, spec, m, fit, false, screen)) screened.push_back(std::move(fit));
    }
    std::sort(screened.begin(), screened.end(),
              [](const EtsFit& a, const EtsFit& b) { return a.aicc < b.aicc; });
    if (screened.size() > static_cast<size_t>(effort.prune_to)) {
      screened.resize(static_cast<size_t>(effort.prune_to));
    }
    EtsEffort full = effort;
    full.season_rounds = 0;
    for (const EtsFit& start : screened) {
      EtsFit fit;
      if (!FitEts(y, start.spec, m, fit, false, full, &start)) fit = start;
      if (!found || fit.aicc < best.aicc) best = fit, found = true;
    }
  } else {
    for (const EtsSpec& spec : forms) {
      EtsFit fit;
      if (!FitEts(y, spec, m, fit, false, effort)) continue;
      if (!found || fit.aicc < best.aicc) best = fit, found = true;
    }
  }
  if (found && refine_seasons && best.spec.season != Component::kNone) {
    EtsFit refined;
    // After pruning the base parameters are at their optimum: few evaluations
    // for them before the seasonal states join.
    EtsEffort refine = effort;
    if (effort.prune_to > 0) refine.evals_per_dim = 20, refine.restart_evals_per_dim = 0;
    if (FitEts(y, best.spec, m, refined, /*fit_seasons=*/true, refine,
               effort.prune_to > 0 ? &best : nullptr) &&
        refined.log_likelihood > best.log_likelihood) {
      best = refined;
    }
  }
  if (!found)
    fallback = "no ETS form fits the series: naive";
  else if (static_cast<int>(y.size()) < 2 * m) {
    fallback = absl::StrCat("fewer than ", 2 * m, " months: ETS without seasonality");
  }
  return found;
}

PointForecast EtsForecast(const std::vector<double>& y, int h, int m) {
  EtsFit fit;
  std::string fallback;
  if (!AutoEts(y, m, fit, fallback)) {
    PointForecast out = Naive(y, h);
    out.fallback = fallback;
    return out;
  }
  PointForecast out;
  out.kind = ModelKind::kEts;
  out.spec = fit.spec.Name();
  out.fallback = fallback;
  out.mean = ForecastEts(fit, FilterEts(fit, y, static_cast<int>(y.size()), m), h, m);
  return out;
}

PointForecast ThetaForecast(const std::vector<double>& y, int h, int m) {
  const int n = static_cast<int>(y.size());
  if (n < 3 || Constant(y)) {
    PointForecast out = Naive(y, h);
    out.fallback = n < 3 ? absl::StrCat("Theta needs 3 months, the series has ", n, ": naive")
                         : "constant series: naive";
    return out;
  }
  PointForecast out;
  out.kind = ModelKind::kTheta;
  // Seasonality test on the autocorrelation at lag m.
  bool seasonal = false;
  const bool mult = AllPositive(y);
  if (n >= 2 * m) {
    const double mean = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double c0 = 0;
    for (double v : y) c0 += (v - mean) * (v - mean);
    std::vector<double> r(m + 1, 0.0);
    for (int lag = 1; lag <= m; ++lag) {
      double c = 0;
      for (int t = lag; t < n; ++t) c += (y[t] - mean) * (y[t - lag] - mean);
      r[lag] = c0 > 0 ? c / c0 : 0.0;
    }
    double acc = 1;
    for (int i = 1; i < m; ++i) acc += 2 * r[i] * r[i];
    seasonal = std::fabs(r[m]) > 1.645 * std::sqrt(acc / n);
  }
  std::vector<double> idx;
  std::vector<double> x = y;
  if (seasonal) {
    idx = SeasonalIndices(y, static_cast<size_t>(n), m, mult);
    for (int t = 0; t < n; ++t) x[t] = mult ? y[t] / idx[t % m] : y[t] - idx[t % m];
  }
  // SES on the adjusted series, alpha by least squares (golden section).
  auto ses_sse = [&](double alpha, double* level) {
    double l = x[0], sse = 0;
    for (int t = 1; t < n; ++t) {
      const double e = x[t] - l;
      sse += e * e;
      l += alpha * e;
    }
    if (level != nullptr) *level = l;
    return sse;
  };
  double lo = 1e-4, hi = 0.9999;
  const double g = (std::sqrt(5.0) - 1) / 2;
  double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
  double fa = ses_sse(a, nullptr), fb = ses_sse(b, nullptr);
  for (int i = 0; i < 40; ++i) {
    if (fa < fb) {
      hi = b, b = a, fb = fa, a = hi - g * (hi - lo), fa = ses_sse(a, nullptr);
    } else {
      lo = a, a = b, fa = fb, b = lo + g * (hi - lo), fb = ses_sse(b, nullptr);
    }
  }
  const double alpha = (lo + hi) / 2;
  double level = 0;
  ses_sse(alpha, &level);
  double intercept, slope;
  LinearFit(x, static_cast<size_t>(n), intercept, slope);
  const double drift = (1 - std::pow(1 - alpha, n)) / alpha;  // alpha >= 1e-4
  out.mean.resize(h);
  for (int i = 0; i < h; ++i) {
    double v = level + slope / 2 * (i + drift);
    if (seasonal) v = mult ? v * idx[(n + i) % m] : v + idx[(n + i) % m];
    out.mean[i] = v;
  }
  out.spec = seasonal ? (mult ? "Theta (multiplicative seasonal adjustment)"
                              : "Theta (additive seasonal adjustment)")
                      : "Theta (no seasonality)";
  return out;
}

namespace {

// Solves the normal equations (X'X) beta = X'y by Gaussian elimination with
// partial pivoting; false when X'X is singular.
bool SolveLeastSquares(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
                       std::vector<double>& beta) {
  const size_t p = x.empty() ? 0 : x[0].size();
  std::vector<std::vector<double>> a(p, std::vector<double>(p + 1, 0.0));
  for (size_t r = 0; r < x.size(); ++r) {
    for (size_t i = 0; i < p; ++i) {
      for (size_t j = 0; j < p; ++j) a[i][j] += x[r][i] * x[r][j];
      a[i][p] += x[r][i] * y[r];
    }
  }
  for (size_t c = 0; c < p; ++c) {
    size_t piv = c;
    for (size_t r = c + 1; r < p; ++r) {
      if (std::fabs(a[r][c]) > std::fabs(a[piv][c])) piv = r;
    }
    if (std::fabs(a[piv][c]) < 1e-9 * (1 + std::fabs(a[c][c]))) return false;
    std::swap(a[c], a[piv]);
    for (size_t r = 0; r < p; ++r) {
      if (r == c) continue;
      const double f = a[r][c] / a[c][c];
      for (size_t j = c; j <= p; ++j) a[r][j] -= f * a[c][j];
    }
  }
  beta.resize(p);
  for (size_t i = 0; i < p; ++i) beta[i] = a[i][p] / a[i][i];
  return true;
}

std::vector<double> RegressionRow(absl::CivilMonth month, int t, bool months) {
  std::vector<double> row{1.0, static_cast<double>(t)};
  if (months) {
    for (int k = 2; k <= 12; ++k) row.push_back(month.month() == k ? 1.0 : 0.0);
  }
  row.push_back(static_cast<double>(WorkingDays(month)));
  return row;
}

}  // namespace

PointForecast RegressionForecast(const Series& series, int h) {
  const std::vector<double>& y = series.y;
  const int n = static_cast<int>(y.size());
  if (n < 6) {
    PointForecast out = Naive(y, h);
    out.fallback = absl::StrCat("regression needs 6 months, the series has ", n, ": naive");
    return out;
  }
  PointForecast out;
  out.kind = ModelKind::kRegression;
  bool months = n >= 24;
  if (!months) out.fallback = "fewer than 24 months: trend and working days only";
  std::vector<double> beta;
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<std::vector<double>> x;
    x.reserve(n);
    for (int t = 0; t < n; ++t) x.push_back(RegressionRow(series.start + t, t, months));
    if (SolveLeastSquares(x, y, beta)) break;
    beta.clear();
    if (!months) break;
    months = false;
    out.fallback = "month effects not identifiable: trend and working days only";
  }
  if (beta.empty()) {
    PointForecast naive = Naive(y, h);
    naive.fallback = "regression singular: naive";
    return naive;
  }
  out.spec = months ? "OLS(trend + month + working days)" : "OLS(trend + working days)";
  out.mean.resize(h);
  for (int i = 0; i < h; ++i) {
    const std::vector<double> row = RegressionRow(series.start + n + i, n + i, months);
    double v = 0;
    for (size_t j = 0; j < row.size(); ++j) v += row[j] * beta[j];
    out.mean[i] = v;
  }
  return out;
}

PointForecast Forecast(ModelKind kind, const Series& series, int h) {
  switch (kind) {
    case ModelKind::kSeasonalNaive:
      return SeasonalNaive(series.y, h);
    case ModelKind::kNaive:
      return Naive(series.y, h);
    case ModelKind::kEts:
      return EtsForecast(series.y, h);
    case ModelKind::kTheta:
      return ThetaForecast(series.y, h);
    case ModelKind::kRegression:
      return RegressionForecast(series, h);
  }
  return Naive(series.y, h);
}

}  // namespace gridbill::forecasting
