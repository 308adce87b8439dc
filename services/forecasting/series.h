// The pure steps of a forecast run and of a history import: the legacy CSV
// read and checked, the series built from the history with its gaps filled,
// one series forecast, sums of series (bottom-up), the run's accuracy.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "backtest.h"
#include "model.h"

namespace gridbill::forecasting {

// Transmission is billed net at points that also export (a net exporter's
// month is negative); the other services' volumes cannot be negative.
bool MayBeNegative(int service_type);

// The legacy history file (`bin,service,period,volume_kwh`, header first),
// every line checked: a BIN that `participant_by_bin` does not know, an
// unknown service, a period that is not YYYY-MM or after `last_period`, a
// volume that is not a number of kWh with up to 3 decimals, a negative
// volume of a service that cannot be negative, a line given twice.
// INVALID_ARGUMENT on "content" naming the lines (the first 10) when any
// line is bad: the file is then refused whole.
absl::StatusOr<std::vector<MonthVolume>> ParseHistoryCsv(
    std::string_view content, const std::map<std::string, std::string>& participant_by_bin,
    absl::CivilMonth last_period);

// The normalised form the import job's pieces read: one
// `participant_id,service_type,YYYY-MM,volume_wh` line per row.
std::string NormalisedLines(const std::vector<MonthVolume>& rows);
absl::StatusOr<std::vector<MonthVolume>> ParseNormalised(std::string_view text, int64_t from,
                                                         int64_t to);

inline constexpr char kGapRule[] =
    "a month without any volume in the history (no import, no billing run) takes the same "
    "month a year before (the month before when there is none); a participant's month "
    "without volume while others have one counts as 0";

// One series per participant x service with volume up to `history_to`,
// from its first month to history_to (gaps filled by kGapRule); `gap_months`
// counts the months without any volume. Ordered by participant, service.
std::vector<RunSeries> BuildSeries(const std::vector<MonthVolume>& volumes,
                                   absl::CivilMonth history_to,
                                   const std::map<std::string, std::string>& region_of,
                                   int* gap_months);

// The series' forecast: every candidate backtested, the chosen one's points
// (rounded to Wh) with their intervals, every candidate's accuracy. A
// service whose volume cannot be negative (MayBeNegative) has its points
// and bounds cut at 0 where the model's trend runs below it.
void ForecastOne(RunSeries& series, int horizon, const BacktestOptions& options);

// The sum of series (bottom-up): points add up exactly; an interval's half
// widths below and above the point add in quadrature (the participants'
// errors taken as independent).
SeriesAnswer SumSeries(const std::vector<const RunSeries*>& parts, Level level);

// The run's accuracy over its series.
RunAccuracy SummarizeAccuracy(const std::vector<RunSeries>& series);

// The backtest accuracy of a sum of series (a region, the nation): at every
// (origin, horizon) that each part with a backtest has, the sum of the
// parts' chosen models' forecasts against the sum of their actuals; MASE
// scaled by the summed history's in-sample seasonal naive error; coverage of
// the sum's intervals made as SumSeries makes them (the parts' half-widths
// at that horizon in quadrature). nullopt when no part has a backtest.
std::optional<StoredAccuracy> SumAccuracy(const std::vector<const RunSeries*>& parts);

}  // namespace gridbill::forecasting
