// Hourly forecasts of one series (a participant's service, or a sum of
// them) for the rest of a month: what the month-to-date estimate adds to
// what is measured. Pure: no I/O.
//
// The history is the balance runs' hourly volumes, keyed by the hour's
// start; hours may be missing (a run not yet made). Hours are placed by the
// operator's time zone: a slot is (local weekday, local hour), so a day of
// 23 or 25 hours and the 2024-03-01 change of Kazakhstan's offset need no
// special case.
//
// Models (each refitted at every backtest origin on the hours before it):
//  - weekly naive (the baseline): the same hour one week before, or as many
//    weeks back as needed to reach a measured hour; a day before when the
//    history is shorter than a week;
//  - daily + weekly: level + weekday effect + hour-of-day effect, additive
//    (so zeros and a net exporter's negative volumes are fine); the effects
//    are the means of the last `profile_weeks` weeks less their overall
//    mean, the level the mean of the last 7 days;
//  - weekday x hour profile scaled by the recent level: the mean of each of
//    the 168 slots over the last `profile_weeks` weeks, times the last 7
//    days' mean over the profile's mean at the same hours (shifted by their
//    difference instead when the two differ in sign or the profile's is 0).
//
// Backtests: an origin at the start of each of the last `origins` local
// days that leaves at least `min_train_hours` before it; each model
// forecasts up to `backtest_hours` ahead as far as measured hours exist.
// Measures as the monthly backtests (backtest.h: MAE, sMAPE, MASE, MAPE),
// MASE scaled by the in-sample weekly naive error before the first origin
// (lag 24 h below two weeks). The model with the lowest MASE is chosen
// (MAE when undefined; a tie keeps the simpler, in the order above).
//
// The interval of the sum over the future hours comes from the chosen
// model's backtest errors of sums: for each origin whose window of
// K = min(H, backtest_hours) hours lies inside the history, the sum of its
// errors; their mean plus or minus Student's t (origins - 1 degrees of
// freedom) times their standard deviation times sqrt(1 + 1/n), widened by
// sqrt(H / K) beyond the window. Its coverage is measured leaving each
// origin out in turn (the interval from the other origins' sums). With
// fewer than 3 such origins the hourly errors' deviation times sqrt(H) is
// used, and said in `fallback`.
//
// A region's or the nation's hours are reconciled bottom-up, as the monthly
// sums are (ForecastHoursBottomUp): each participant's service is forecast
// on its own history, its points rounded to the Wh, and the whole's points
// are the parts' added hour by hour, so the parts add up exactly to the
// whole. The whole's accuracy is the parts' chosen backtest forecasts
// summed against their summed actuals, at the origins and hours every
// forecast part has (MASE scaled by the summed history's weekly naive
// error); its interval is built from those summed errors as a part's is.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "backtest.h"

namespace gridbill::forecasting {

// The hourly models; the numbers are gridbill.forecasting.v1.ModelKind's.
enum class HourlyModel { kWeeklyNaive = 6, kDailyWeekly = 7, kProfile = 8 };
const char* HourlyModelName(HourlyModel model);

struct HourVolume {
  absl::Time start;
  double wh = 0;
};

struct HourlyOptions {
  int origins = 14;
  int backtest_hours = 168;
  int min_train_hours = 168;
  int profile_weeks = 4;
};

struct HourlyCandidate {
  HourlyModel model = HourlyModel::kWeeklyNaive;
  AccuracyStats accuracy;  // kind unused; coverage of the hourly intervals
};

struct HourlyForecast {
  // Empty when the history is too short for any backtest.
  std::vector<HourlyCandidate> candidates;
  int chosen = 0;
  HourlyModel model = HourlyModel::kWeeklyNaive;
  std::string spec;
  std::string fallback;
  int history_hours = 0;
  std::vector<double> points;  // per future hour (whole Wh at region and nation)
  double total = 0;
  double lower80 = 0, upper80 = 0, lower95 = 0, upper95 = 0;
  // Of the sum intervals, leave one origin out, percent; nullopt: too few origins.
  std::optional<double> sum_coverage80, sum_coverage95;
  int sum_origins = 0;
  // The backtest origins and the chosen model's errors at them (what a
  // bottom-up sum adds up).
  std::vector<absl::Time> origins;
  std::vector<BacktestError> chosen_errors;
  absl::Time history_end;
  // Bottom-up sums only: the parts forecast and summed (0: a single series).
  int parts = 0;
};

// One model's forecast of `future` from `history` (sorted by start, hours
// before future's first). Exposed for tests.
std::vector<double> HourlyPoints(HourlyModel model, const std::vector<HourVolume>& history,
                                 const std::vector<absl::Time>& future, absl::TimeZone zone,
                                 const HourlyOptions& options);

// The local hour starts of [from, to).
std::vector<absl::Time> HoursBetween(absl::Time from, absl::Time to, absl::TimeZone zone);

// Backtests, the choice, the future hours' points and the sum's intervals.
// `history` need not be sorted; `future` is sorted and after the history.
// Nullopt when the history has fewer than 24 hours.
std::optional<HourlyForecast> ForecastHours(std::vector<HourVolume> history,
                                            const std::vector<absl::Time>& future,
                                            absl::TimeZone zone, const HourlyOptions& options);

// The bottom-up sum of `parts` (each a participant's hourly history of one
// service) over `future` (see the file comment). Parts whose history is too
// short for ForecastHours count zero and are named by count in `fallback`;
// nullopt when no part has a forecast.
std::optional<HourlyForecast> ForecastHoursBottomUp(
    const std::vector<std::vector<HourVolume>>& parts, const std::vector<absl::Time>& future,
    absl::TimeZone zone, const HourlyOptions& options);

}  // namespace gridbill::forecasting
