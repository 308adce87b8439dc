// What the forecasts are used for: revenue per future month (forecast
// volume x the tariff in force, VAT, gross), tariff what-ifs, declared
// volumes questioned against the forecast, and the month-to-date estimate
// of a participant's accrual. Plain C++ over the runs' stored forecasts and
// the other services' data (sources.h); no gRPC, no SQL.
//
// Month-to-date: the volume measured so far is the participant's total in
// the latest succeeded balance run of the period (a preliminary run covers
// the hours up to its computed_until, a final one the whole month). The
// rest of the month is forecast hour by hour (hourly.h) from the
// participant's hourly results in the balance runs: the billing runs of the
// `hourly_history_months` months before and the measured hours of the
// period. A service whose hourly history is too short for a backtest (or
// with no balance service) takes the monthly forecast's point times the
// share of the month's hours not yet measured, its interval half-widths
// scaled the same way; `method` and each service's answer say which. The
// estimate = measured + rest, priced as RevenueOf prices a month.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/base/caller.h"
#include "gridbill/base/clock.h"
#include "gridbill/base/paging.h"
#include "hourly.h"
#include "model.h"
#include "revenue.h"
#include "runs.h"
#include "sources.h"

namespace gridbill::forecasting {

struct OutlookConfig {
  // A declared volume further than this from the forecast is flagged (percent).
  double flag_percent = 15;
  absl::TimeZone zone;  // the operator's: a period's hours
  // Months of hourly results before the period the hourly models read.
  int hourly_history_months = 2;
  HourlyOptions hourly;
};

struct RevenueMonth {
  absl::CivilMonth period;
  int service_type = 0;
  int64_t volume_wh = 0;
  Money net, vat, gross;
  Decimal vat_percent;
  std::string basis;
  // The gross amount at the bounds of the volume's 80 % interval.
  Money gross_lower80, gross_upper80;
};

struct RevenueAnswer {
  ForecastRun run;
  std::vector<RevenueMonth> months;  // by period, service
  Money net, vat, gross;
};

struct WhatIfLine {
  std::string participant_id;  // empty on the total
  int service_type = 0;
  int64_t volume_wh = 0;
  Money baseline_net, scenario_net, baseline_gross, scenario_gross;
};

struct WhatIfAnswer {
  ForecastRun run;
  absl::CivilMonth from, to;
  std::vector<WhatIfLine> lines;  // by participant
  WhatIfLine total;
};

struct DeclarationFlag {
  std::string participant_id;
  int service_type = 0;
  std::vector<std::string> application_ids;
  int64_t declared_wh = 0;
  int64_t forecast_wh = 0;
  int64_t lower80_wh = 0, upper80_wh = 0;
  std::optional<double> difference_percent;  // (declared - forecast) / |forecast|; none at 0
  std::string reason;
};

struct FlagsAnswer {
  ForecastRun run;
  double threshold_percent = 15;
  int compared = 0;
  paging::PageOf<DeclarationFlag> flags;
};

struct ServiceEstimate {
  int service_type = 0;
  int64_t measured_wh = 0, rest_wh = 0, estimate_wh = 0;
  int64_t lower80_wh = 0, upper80_wh = 0, lower95_wh = 0, upper95_wh = 0;
  Revenue accrual;
  Money gross_lower80, gross_upper80, gross_lower95, gross_upper95;
  // The hourly forecast of the rest; nullopt: pro rata from the monthly forecast.
  std::optional<HourlyForecast> hourly;
  int rest_hours = 0;
};

struct EstimateAnswer {
  std::string participant_id;
  absl::CivilMonth period;
  ForecastRun run;
  std::string balance_run_id;  // empty: nothing measured yet
  std::optional<absl::Time> measured_until;
  double measured_share = 0;  // of the period's hours
  std::string method;
  // The balance runs whose hourly results the hourly models read.
  std::vector<std::string> hourly_run_ids;
  std::vector<ServiceEstimate> services;
  Money net, vat, gross;
  // The services' bounds summed (conservative: as if their errors moved together).
  Money gross_lower80, gross_upper80, gross_lower95, gross_upper95;
};

// One service's hourly forecast of a participant, a region or the nation
// for the rest of a period (a region's and the nation's bottom-up).
struct HourlySeriesAnswer {
  Level level = Level::kParticipant;
  std::string participant_id;
  std::string region_code;
  int service_type = 0;
  // nullopt: too few hourly results for a backtest (`note` says so).
  std::optional<HourlyForecast> forecast;
  std::string note;
};

struct HourlyAnswer {
  ForecastRun run;
  absl::CivilMonth period;
  std::string balance_run_id;  // empty: nothing of the period measured yet
  std::optional<absl::Time> measured_until;
  std::vector<std::string> hourly_run_ids;
  std::vector<absl::Time> hours;  // the hours forecast
  std::vector<HourlySeriesAnswer> series;
};

class Outlook {
 public:
  // `measured` and `hourly` may be null (no balance service): nothing is
  // measured, the rest is pro rata.
  // VAT rates are read from `vat` at every answer (a rate changed in
  // invoicing counts from the next one).
  Outlook(Runs& runs, PriceSource& prices, VatSource& vat, DeclarationSource& declarations,
          MeasuredSource* measured, OutlookConfig config, HourlySource* hourly = nullptr);

  // Revenue per month and service of a participant (empty: every participant).
  absl::StatusOr<RevenueAnswer> RevenueForecast(const Caller& caller, const std::string& run_id,
                                                const std::string& participant_id,
                                                int service_type);
  // The scenario against the baseline, per participant of its service, from
  // the scenario's month to the run's last forecast month.
  absl::StatusOr<WhatIfAnswer> WhatIf(const std::string& run_id, const TariffScenario& scenario);
  // Approved declared volumes of `period` whose difference from the forecast
  // exceeds the threshold (nullopt: the configured one), by participant, service.
  absl::StatusOr<FlagsAnswer> DeclarationFlags(const std::string& run_id,
                                               std::optional<absl::CivilMonth> period,
                                               std::optional<double> threshold_percent,
                                               const paging::Page& page);
  // The hours of `period` after what balance has measured, per service of
  // the query's participant, region or the nation (not a contract), from
  // the balance runs' hourly results as the month-to-date estimate reads
  // them; the run (for access, the subject and its services) as
  // Runs::Forecast answers the query.
  absl::StatusOr<HourlyAnswer> HourlyForecastOf(const Caller& caller, const ForecastQuery& query,
                                                std::optional<absl::CivilMonth> period);
  absl::StatusOr<EstimateAnswer> EstimateMonthToDate(const Caller& caller,
                                                     const std::string& participant_id,
                                                     std::optional<absl::CivilMonth> period);

 private:
  Runs& runs_;
  PriceSource& prices_;
  VatSource& vat_;
  DeclarationSource& declarations_;
  MeasuredSource* measured_;
  OutlookConfig config_;
  HourlySource* hourly_;
};

}  // namespace gridbill::forecasting
