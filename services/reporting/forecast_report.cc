#include "forecast_report.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytics_reports.h"

namespace gridbill::reporting {
namespace {

Column Col(std::string name, std::string en, std::string ru, ColumnType type,
           std::string definition) {
  return Column{std::move(name), std::move(en), std::move(ru), type, std::move(definition)};
}

// a / b rounded half away from zero (b > 0).
int64_t DivRound(__int128 a, __int128 b) {
  __int128 q = a / b;
  const __int128 r = a % b;
  if (2 * (r < 0 ? -r : r) >= b) q += a < 0 ? -1 : 1;
  return static_cast<int64_t>(q);
}

// Hundredths as "12.34".
std::string Hundredths(int64_t v) {
  const int64_t a = v < 0 ? -v : v;
  return absl::StrFormat("%s%d.%02d", v < 0 ? "-" : "", a / 100, a % 100);
}

// Millionths as a decimal with two places, half away from zero.
std::string TwoPlaces(int64_t micros) { return Hundredths(DivRound(micros, 10000)); }

// |error| / actual x 100 in hundredths; nullopt when actual is not positive.
std::optional<int64_t> Ape(int64_t forecast, int64_t actual) {
  if (actual <= 0) return std::nullopt;
  const __int128 err = static_cast<__int128>(forecast) - actual;
  return DivRound((err < 0 ? -err : err) * 10000, actual);
}

// The median of decimals in millionths ("" values skipped); "" when none.
std::string MedianMase(const std::vector<std::string>& values) {
  std::vector<int64_t> v;
  for (const std::string& s : values) {
    if (std::optional<int64_t> m = ParseMicros(s)) v.push_back(*m);
  }
  if (v.empty()) return "";
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  const int64_t m =
      n % 2 == 1 ? v[n / 2] : DivRound(static_cast<__int128>(v[n / 2 - 1]) + v[n / 2], 2);
  return TwoPlaces(m);
}

struct Group {
  int64_t forecast_wh = 0;
  // The backtest MASE of each participant series behind the row, by
  // (run, participant).
  std::map<std::pair<std::string, std::string>, std::string> mase;
};

}  // namespace

ReportDef MakeR6() {
  ReportDef r;
  r.code = "R6";
  r.title_en = "Forecast against actual";
  r.title_ru = "Прогноз и факт";
  r.description =
      "Forecasting's monthly forecasts of the service volumes against the volumes billed, by "
      "month, service and horizon, with the accuracy of each service and horizon. The forecast "
      "of a month at horizon h is the one of the latest forecast run whose history ended h "
      "months before it; months not yet billed are left out.";
  r.parameters = {"period_from", "period_to", "region_code", "participant_id", "service_type"};
  r.columns = {
      Col("period", "Period", "Период", ColumnType::kPeriod,
          "The billing month forecast (YYYY-MM); empty on a service and horizon's summary row."),
      Col("service", "Service", "Услуга", ColumnType::kText,
          "The service (transmission, dispatching, balancing, grid-use)."),
      Col("horizon_months", "Horizon, months", "Горизонт, мес", ColumnType::kInteger,
          "Months between the forecast run's last month of history and the month forecast "
          "(1: the month right after)."),
      Col("forecast_wh", "Forecast, Wh", "Прогноз, Вт·ч", ColumnType::kEnergyWh,
          "The sum of the participant forecasts (forecasting's GetForecast, participant level) "
          "of the month and service, of the latest run (highest version) whose history ended "
          "horizon_months before; on a summary row the sum over its months."),
      Col("actual_wh", "Actual, Wh", "Факт, Вт·ч", ColumnType::kEnergyWh,
          "The volume billed for the month and service (invoices, credit and debit notes, as "
          "R2's volume_wh), summed over the participants; on a summary row the sum over its "
          "months."),
      Col("error_wh", "Error, Wh", "Ошибка, Вт·ч", ColumnType::kEnergyWh,
          "forecast_wh minus actual_wh (positive: forecast above actual)."),
      Col("ape_percent", "APE, %", "Абс. ошибка, %", ColumnType::kPercent,
          "The absolute percentage error |error_wh| / actual_wh x 100, two decimals; empty when "
          "actual_wh is zero and on summary rows."),
      Col("mape_percent", "MAPE, %", "MAPE, %", ColumnType::kPercent,
          "Summary rows: the mean of the rows' ape_percent of the service and horizon over the "
          "months of the report (those with an APE), two decimals; empty on month rows."),
      Col("backtest_mase", "Backtest MASE", "MASE бэктеста", ColumnType::kDecimal,
          "The median over the participant series behind the row of their chosen model's "
          "backtest MASE as forecasting answered it (rolling origins, every horizon pooled; "
          "below 1: better than the seasonal naive forecast), two decimals; empty when "
          "forecasting answered none."),
  };
  return r;
}

Table BuildR6(const Query& q, const std::vector<ForecastMonth>& forecasts,
              const std::vector<ServiceMonth>& actuals) {
  Table t;
  t.report = q.report;
  std::map<std::pair<absl::CivilMonth, int>, int64_t> actual;
  for (const ServiceMonth& m : actuals) actual[{m.period, m.service_type}] += m.volume_wh;

  using Key = std::tuple<absl::CivilMonth, int, int>;  // period, service, horizon
  std::map<Key, Group> rows;
  for (const ForecastMonth& f : forecasts) {
    if (actual.find({f.period, f.service_type}) == actual.end()) continue;
    Group& g = rows[{f.period, f.service_type, f.horizon}];
    g.forecast_wh += f.volume_wh;
    g.mase[{f.run_id, f.participant_id}] = f.backtest_mase;
  }

  struct Summary {
    int64_t forecast_wh = 0;
    int64_t actual_wh = 0;
    int64_t ape_sum = 0;
    int64_t ape_count = 0;
    std::map<std::pair<std::string, std::string>, std::string> mase;
  };
  std::map<std::pair<int, int>, Summary> summary;  // service, horizon
  for (const auto& [key, g] : rows) {
    const auto& [period, service, horizon] = key;
    const int64_t a = actual[{period, service}];
    const std::optional<int64_t> ape = Ape(g.forecast_wh, a);
    std::vector<std::string> mase;
    for (const auto& [_, m] : g.mase) mase.push_back(m);
    t.rows.push_back({absl::FormatCivilTime(period), ServiceName(service), absl::StrCat(horizon),
                      absl::StrCat(g.forecast_wh), absl::StrCat(a), absl::StrCat(g.forecast_wh - a),
                      ape ? Hundredths(*ape) : "", "", MedianMase(mase)});
    Summary& s = summary[{service, horizon}];
    s.forecast_wh += g.forecast_wh;
    s.actual_wh += a;
    if (ape) {
      s.ape_sum += *ape;
      ++s.ape_count;
    }
    for (const auto& [k, m] : g.mase) s.mase[k] = m;
  }
  for (const auto& [key, s] : summary) {
    std::vector<std::string> mase;
    for (const auto& [_, m] : s.mase) mase.push_back(m);
    t.rows.push_back(
        {"", ServiceName(key.first), absl::StrCat(key.second), absl::StrCat(s.forecast_wh),
         absl::StrCat(s.actual_wh), absl::StrCat(s.forecast_wh - s.actual_wh), "",
         s.ape_count > 0 ? Hundredths(DivRound(s.ape_sum, s.ape_count)) : "", MedianMase(mase)});
  }
  return t;
}

}  // namespace gridbill::reporting
