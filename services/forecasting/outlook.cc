#include "outlook.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"
#include "series.h"

namespace gridbill::forecasting {
namespace {

int64_t Round(double v) { return std::isfinite(v) ? static_cast<int64_t>(std::llround(v)) : 0; }

const Point* PointAt(const RunSeries& s, absl::CivilMonth period) {
  for (const Point& p : s.points) {
    if (p.period == period) return &p;
  }
  return nullptr;
}

// The months a run forecasts, for messages.
std::string Forecasts(const ForecastRun& run) {
  if (!run.inputs.history_to) return absl::StrCat("run ", run.id);
  return absl::StrCat("run ", run.id, " forecasts ",
                      absl::FormatCivilTime(*run.inputs.history_to + 1), " .. ",
                      absl::FormatCivilTime(*run.inputs.history_to + run.horizon_months));
}

absl::Status InForecast(const ForecastRun& run, absl::CivilMonth period, std::string_view field) {
  if (!run.inputs.history_to || period <= *run.inputs.history_to ||
      period > *run.inputs.history_to + run.horizon_months) {
    return InvalidField(field, absl::StrCat(absl::FormatCivilTime(period),
                                            " is outside the forecast: ", Forecasts(run)));
  }
  return absl::OkStatus();
}

}  // namespace

Outlook::Outlook(Runs& runs, PriceSource& prices, VatSource& vat, DeclarationSource& declarations,
                 MeasuredSource* measured, OutlookConfig config, HourlySource* hourly)
    : runs_(runs),
      prices_(prices),
      vat_(vat),
      declarations_(declarations),
      measured_(measured),
      config_(std::move(config)),
      hourly_(hourly) {}

absl::StatusOr<RevenueAnswer> Outlook::RevenueForecast(const Caller& caller,
                                                       const std::string& run_id,
                                                       const std::string& participant_id,
                                                       int service_type) {
  if (participant_id.empty() && caller.scoped()) {
    return absl::PermissionDeniedError(
        "participant_id: a participant's user may read its own revenue only");
  }
  if (service_type < 0 || service_type > kServiceTypes) {
    return InvalidField("service_type", absl::StrCat("unknown service ", service_type));
  }
  ASSIGN_OR_RETURN(Runs::RunForecasts f, runs_.SeriesOf(run_id, participant_id, service_type));
  if (f.series.empty() && !participant_id.empty()) {
    return InvalidField("participant_id",
                        absl::StrCat("no forecast of ", QuoteInput(participant_id), " in run ",
                                     f.run.id, " (unknown participant or no history)"));
  }
  ASSIGN_OR_RETURN(std::vector<TariffInfo> tariffs, prices_.Tariffs());
  ASSIGN_OR_RETURN(std::vector<VatRate> vat_rates, vat_.VatRates());
  RevenueAnswer out;
  out.run = f.run;
  // Per (period, service): the parts' revenue summed (a budget from the
  // parts equals the whole) and the bottom-up interval of the volume.
  std::map<std::pair<absl::CivilMonth, int>, RevenueMonth> months;
  std::map<int, std::vector<const RunSeries*>> by_service;
  for (const RunSeries& s : f.series) by_service[s.service_type].push_back(&s);
  for (const auto& [service, parts] : by_service) {
    for (const RunSeries* s : parts) {
      for (const Point& p : s->points) {
        ASSIGN_OR_RETURN(Revenue r, RevenueOf(service, p.period, p.volume_wh, tariffs, vat_rates));
        RevenueMonth& m = months[{p.period, service}];
        m.period = p.period;
        m.service_type = service;
        m.volume_wh += r.volume_wh;
        m.net = m.net + r.net;
        m.vat = m.vat + r.vat;
        m.gross = m.gross + r.gross;
        m.vat_percent = r.vat_percent;
        if (m.basis.empty()) m.basis = r.basis;
      }
    }
    const SeriesAnswer sum = SumSeries(parts, Level::kNation);
    for (const Point& p : sum.points) {
      RevenueMonth& m = months[{p.period, service}];
      ASSIGN_OR_RETURN(Revenue lo, RevenueOf(service, p.period, p.lower80_wh, tariffs, vat_rates));
      ASSIGN_OR_RETURN(Revenue hi, RevenueOf(service, p.period, p.upper80_wh, tariffs, vat_rates));
      m.gross_lower80 = lo.gross;
      m.gross_upper80 = hi.gross;
    }
  }
  for (auto& [key, m] : months) {
    out.net = out.net + m.net;
    out.vat = out.vat + m.vat;
    out.gross = out.gross + m.gross;
    out.months.push_back(std::move(m));
  }
  return out;
}

absl::StatusOr<WhatIfAnswer> Outlook::WhatIf(const std::string& run_id,
                                             const TariffScenario& scenario) {
  if (scenario.service_type < 1 || scenario.service_type > kServiceTypes) {
    return InvalidField("scenario.service_type",
                        absl::StrCat("unknown service ", scenario.service_type,
                                     " (transmission, dispatching, balancing, grid-use)"));
  }
  if (scenario.price_per_kwh < Decimal()) {
    return InvalidField("scenario.new_price_per_kwh",
                        absl::StrCat(scenario.price_per_kwh.ToString(), " is negative"));
  }
  if (scenario.from == absl::CivilDay()) return InvalidField("scenario.from_date", "required");
  ASSIGN_OR_RETURN(Runs::RunForecasts f, runs_.SeriesOf(run_id, "", scenario.service_type));
  WhatIfAnswer out;
  out.run = f.run;
  if (!f.run.inputs.history_to) return FailedPrecondition("run_id", "the run has no history");
  const absl::CivilMonth first = *f.run.inputs.history_to + 1;
  out.to = *f.run.inputs.history_to + f.run.horizon_months;
  out.from = std::max(first, absl::CivilMonth(scenario.from));
  if (out.from > out.to) {
    return InvalidField(
        "scenario.from_date",
        absl::StrCat(FormatDate(scenario.from), " is after the forecast: ", Forecasts(f.run)));
  }
  ASSIGN_OR_RETURN(std::vector<TariffInfo> tariffs, prices_.Tariffs());
  ASSIGN_OR_RETURN(std::vector<VatRate> vat_rates, vat_.VatRates());
  out.total.service_type = scenario.service_type;
  for (const RunSeries& s : f.series) {
    WhatIfLine line;
    line.participant_id = s.participant_id;
    line.service_type = s.service_type;
    for (const Point& p : s.points) {
      if (p.period < out.from) continue;
      ASSIGN_OR_RETURN(Revenue base,
                       RevenueOf(s.service_type, p.period, p.volume_wh, tariffs, vat_rates));
      ASSIGN_OR_RETURN(Revenue what, RevenueOf(s.service_type, p.period, p.volume_wh, tariffs,
                                               vat_rates, &scenario));
      line.volume_wh += p.volume_wh;
      line.baseline_net = line.baseline_net + base.net;
      line.baseline_gross = line.baseline_gross + base.gross;
      line.scenario_net = line.scenario_net + what.net;
      line.scenario_gross = line.scenario_gross + what.gross;
    }
    out.total.volume_wh += line.volume_wh;
    out.total.baseline_net = out.total.baseline_net + line.baseline_net;
    out.total.baseline_gross = out.total.baseline_gross + line.baseline_gross;
    out.total.scenario_net = out.total.scenario_net + line.scenario_net;
    out.total.scenario_gross = out.total.scenario_gross + line.scenario_gross;
    out.lines.push_back(std::move(line));
  }
  return out;
}

absl::StatusOr<FlagsAnswer> Outlook::DeclarationFlags(const std::string& run_id,
                                                      std::optional<absl::CivilMonth> period,
                                                      std::optional<double> threshold_percent,
                                                      const paging::Page& page) {
  if (!period) return InvalidField("period", "required");
  const double threshold = threshold_percent.value_or(config_.flag_percent);
  if (!(threshold > 0 && threshold <= 1000)) {
    return InvalidField("threshold_percent", absl::StrCat(threshold, " is not in (0, 1000]"));
  }
  ASSIGN_OR_RETURN(Runs::RunForecasts f, runs_.SeriesOf(run_id, "", 0));
  RETURN_IF_ERROR(InForecast(f.run, *period, "period"));
  ASSIGN_OR_RETURN(std::vector<DeclaredVolume> declared, declarations_.Approved(*period));
  std::map<std::pair<std::string, int>, DeclarationFlag> by_key;
  for (const DeclaredVolume& d : declared) {
    DeclarationFlag& flag = by_key[{d.participant_id, d.service_type}];
    flag.participant_id = d.participant_id;
    flag.service_type = d.service_type;
    flag.declared_wh += d.volume_wh;
    flag.application_ids.push_back(d.application_id);
  }
  std::map<std::pair<std::string, int>, const RunSeries*> series;
  for (const RunSeries& s : f.series) series[{s.participant_id, s.service_type}] = &s;
  FlagsAnswer out;
  out.run = f.run;
  out.threshold_percent = threshold;
  std::vector<DeclarationFlag> flags;
  for (auto& [key, flag] : by_key) {
    ++out.compared;
    auto s = series.find(key);
    const Point* p = s == series.end() ? nullptr : PointAt(*s->second, *period);
    if (p == nullptr) {
      flag.reason = "no forecast: the participant has no history of the service";
      flags.push_back(std::move(flag));
      continue;
    }
    flag.forecast_wh = p->volume_wh;
    flag.lower80_wh = p->lower80_wh;
    flag.upper80_wh = p->upper80_wh;
    if (p->volume_wh == 0) {
      if (flag.declared_wh == 0) continue;
      flag.reason = "declared a volume where the forecast is 0";
      flags.push_back(std::move(flag));
      continue;
    }
    const double diff = 100.0 * static_cast<double>(flag.declared_wh - p->volume_wh) /
                        std::fabs(static_cast<double>(p->volume_wh));
    flag.difference_percent = diff;
    if (std::fabs(diff) <= threshold) continue;
    flag.reason = absl::StrFormat("declared %s the forecast by %.1f %%",
                                  diff > 0 ? "above" : "below", std::fabs(diff));
    flags.push_back(std::move(flag));
  }
  // Keyset by (participant, service), in C++: the list is small.
  std::vector<DeclarationFlag> rest;
  for (DeclarationFlag& flag : flags) {
    const paging::PageKey key{flag.participant_id, absl::StrCat(flag.service_type)};
    if (!page.first() && !(page.after < key)) continue;
    rest.push_back(std::move(flag));
  }
  if (rest.size() > static_cast<size_t>(page.size) + 1) rest.resize(page.size + 1);
  out.flags = paging::CutPage(std::move(rest), page, [](const DeclarationFlag& f) {
    return paging::PageKey{f.participant_id, absl::StrCat(f.service_type)};
  });
  return out;
}

absl::StatusOr<HourlyAnswer> Outlook::HourlyForecastOf(const Caller& caller,
                                                       const ForecastQuery& query,
                                                       std::optional<absl::CivilMonth> period) {
  if (query.level == Level::kContract) {
    return InvalidField("level",
                        "hourly forecasts are of a participant, a region or the nation, "
                        "not of a contract");
  }
  if (!period) return InvalidField("period", "required for an hourly forecast");
  ASSIGN_OR_RETURN(ForecastAnswer subject, runs_.Forecast(caller, query));
  RETURN_IF_ERROR(InForecast(subject.run, *period, "period"));
  if (hourly_ == nullptr || measured_ == nullptr) {
    return absl::FailedPreconditionError(
        "hourly forecasts need the balance service's hourly results (balance_address is empty)");
  }
  HourlyAnswer out;
  out.run = subject.run;
  out.period = *period;
  // The participants summed: the subject's (every one of the run in the
  // region or the nation).
  const std::string& only = query.level == Level::kParticipant ? query.participant_id : "";
  ASSIGN_OR_RETURN(Runs::RunForecasts f, runs_.SeriesOf(subject.run.id, only, query.service_type));
  std::set<std::string> members;
  for (const RunSeries& s : f.series) {
    if (query.level == Level::kRegion && s.region_code != query.region_code) continue;
    members.insert(s.participant_id);
  }
  if (members.empty()) return out;
  // What balance has measured of the period: one run for every participant.
  ASSIGN_OR_RETURN(std::optional<MeasuredSoFar> measured,
                   measured_->SoFar(*members.begin(), *period));
  const absl::Time start = absl::FromCivil(absl::CivilDay(*period), config_.zone);
  const absl::Time end = absl::FromCivil(absl::CivilDay(*period + 1), config_.zone);
  if (measured) {
    out.balance_run_id = measured->run_id;
    out.measured_until = measured->final ? end : std::clamp(measured->computed_until, start, end);
  }
  const absl::Time rest_from = out.measured_until.value_or(start);
  out.hours = HoursBetween(rest_from, end, config_.zone);
  // History per (service, participant): the billing runs of the months
  // before, then the period's measured hours; one read per run.
  std::map<int, std::map<std::string, std::vector<HourVolume>>> history;
  auto add = [&](const std::vector<ServiceHourVolume>& hours, absl::Time before) {
    for (const ServiceHourVolume& h : hours) {
      if (h.start >= before) continue;
      const std::string& who = only.empty() ? h.participant_id : only;
      if (members.count(who) == 0) continue;
      history[h.service_type][who].push_back({h.start, static_cast<double>(h.wh)});
    }
  };
  if (!out.hours.empty()) {
    for (int k = config_.hourly_history_months; k >= 1; --k) {
      ASSIGN_OR_RETURN(std::optional<std::string> run_id, hourly_->BillingRunId(*period - k));
      if (!run_id) continue;
      ASSIGN_OR_RETURN(std::vector<ServiceHourVolume> hours, hourly_->Hours(*run_id, only));
      add(hours, absl::InfiniteFuture());
      out.hourly_run_ids.push_back(*run_id);
    }
    if (measured) {
      ASSIGN_OR_RETURN(std::vector<ServiceHourVolume> hours,
                       hourly_->Hours(measured->run_id, only));
      add(hours, rest_from);
      out.hourly_run_ids.push_back(measured->run_id);
    }
  }
  for (const SeriesAnswer& s : subject.series) {
    HourlySeriesAnswer a;
    a.level = s.level;
    a.participant_id = s.participant_id;
    a.region_code = s.region_code;
    a.service_type = s.service_type;
    // Every member's, empty where it has no hourly results (counted short).
    std::vector<std::vector<HourVolume>> parts;
    std::map<std::string, std::vector<HourVolume>>& by_member = history[s.service_type];
    for (const std::string& who : members) {
      auto it = by_member.find(who);
      if (it != by_member.end()) {
        parts.push_back(std::move(it->second));
      } else if (query.level != Level::kParticipant) {
        parts.emplace_back();
      }
    }
    if (out.hours.empty()) {
      a.note = "the period is measured to its end: nothing to forecast";
    } else if (query.level == Level::kParticipant) {
      if (!parts.empty()) {
        a.forecast = ForecastHours(std::move(parts[0]), out.hours, config_.zone, config_.hourly);
      }
    } else {
      a.forecast = ForecastHoursBottomUp(parts, out.hours, config_.zone, config_.hourly);
    }
    if (!a.forecast && a.note.empty()) {
      a.note = "too few hourly results for a backtest (8 days needed)";
    }
    out.series.push_back(std::move(a));
  }
  return out;
}

absl::StatusOr<EstimateAnswer> Outlook::EstimateMonthToDate(
    const Caller& caller, const std::string& participant_id,
    std::optional<absl::CivilMonth> period) {
  if (participant_id.empty()) return InvalidField("participant_id", "required");
  if (caller.DeniedFor(participant_id)) {
    return absl::PermissionDeniedError("participant_id: another participant's estimate");
  }
  if (!period) return InvalidField("period", "required");
  ASSIGN_OR_RETURN(Runs::RunForecasts f, runs_.SeriesOf("", participant_id, 0));
  if (f.series.empty()) {
    return InvalidField("participant_id",
                        absl::StrCat("no forecast of ", QuoteInput(participant_id), " in run ",
                                     f.run.id, " (unknown participant or no history)"));
  }
  RETURN_IF_ERROR(InForecast(f.run, *period, "period"));
  EstimateAnswer out;
  out.participant_id = participant_id;
  out.period = *period;
  out.run = f.run;
  std::optional<MeasuredSoFar> measured;
  if (measured_ != nullptr) {
    ASSIGN_OR_RETURN(measured, measured_->SoFar(participant_id, *period));
  }
  const absl::Time start = absl::FromCivil(absl::CivilDay(*period), config_.zone);
  const absl::Time end = absl::FromCivil(absl::CivilDay(*period + 1), config_.zone);
  if (measured) {
    out.balance_run_id = measured->run_id;
    out.measured_until = measured->final ? end : std::clamp(measured->computed_until, start, end);
    out.measured_share = absl::FDivDuration(*out.measured_until - start, end - start);
  }
  const double rest_share = 1.0 - out.measured_share;
  const absl::Time rest_from = out.measured_until.value_or(start);
  const std::vector<absl::Time> rest_hours = HoursBetween(rest_from, end, config_.zone);
  // The hourly history per service: the billing runs of the months before,
  // then the period's measured hours.
  std::map<int, std::vector<HourVolume>> history;
  if (hourly_ != nullptr && !rest_hours.empty()) {
    for (int k = config_.hourly_history_months; k >= 1; --k) {
      ASSIGN_OR_RETURN(std::optional<std::string> run_id, hourly_->BillingRunId(*period - k));
      if (!run_id) continue;
      ASSIGN_OR_RETURN(std::vector<ServiceHourVolume> hours,
                       hourly_->Hours(*run_id, participant_id));
      for (const ServiceHourVolume& h : hours) {
        history[h.service_type].push_back({h.start, static_cast<double>(h.wh)});
      }
      out.hourly_run_ids.push_back(*run_id);
    }
    if (measured) {
      ASSIGN_OR_RETURN(std::vector<ServiceHourVolume> hours,
                       hourly_->Hours(measured->run_id, participant_id));
      for (const ServiceHourVolume& h : hours) {
        if (h.start >= rest_from) continue;
        history[h.service_type].push_back({h.start, static_cast<double>(h.wh)});
      }
      out.hourly_run_ids.push_back(measured->run_id);
    }
  }
  ASSIGN_OR_RETURN(std::vector<TariffInfo> tariffs, prices_.Tariffs());
  ASSIGN_OR_RETURN(std::vector<VatRate> vat_rates, vat_.VatRates());
  int hourly_services = 0, pro_rata_services = 0;
  for (const RunSeries& s : f.series) {
    const Point* p = PointAt(s, *period);
    if (p == nullptr) continue;
    ServiceEstimate e;
    e.service_type = s.service_type;
    e.rest_hours = static_cast<int>(rest_hours.size());
    if (measured) {
      for (const auto& [service, wh] : measured->volumes_wh) {
        if (service == s.service_type) e.measured_wh += wh;
      }
    }
    if (auto h = history.find(s.service_type); h != history.end()) {
      e.hourly = ForecastHours(h->second, rest_hours, config_.zone, config_.hourly);
    }
    if (e.hourly) {
      ++hourly_services;
      e.rest_wh = Round(e.hourly->total);
      e.estimate_wh = e.measured_wh + e.rest_wh;
      e.lower80_wh = e.measured_wh + Round(e.hourly->lower80);
      e.upper80_wh = e.measured_wh + Round(e.hourly->upper80);
      e.lower95_wh = e.measured_wh + Round(e.hourly->lower95);
      e.upper95_wh = e.measured_wh + Round(e.hourly->upper95);
    } else {
      if (!rest_hours.empty()) ++pro_rata_services;
      const double v = static_cast<double>(p->volume_wh);
      e.rest_wh = Round(v * rest_share);
      e.estimate_wh = e.measured_wh + e.rest_wh;
      auto bound = [&](int64_t b) { return e.estimate_wh + Round((b - v) * rest_share); };
      e.lower80_wh = bound(p->lower80_wh), e.upper80_wh = bound(p->upper80_wh);
      e.lower95_wh = bound(p->lower95_wh), e.upper95_wh = bound(p->upper95_wh);
    }
    if (!MayBeNegative(s.service_type)) {
      // The rest of a volume that cannot be negative is not below zero (an
      // hourly level falling, or a run stored before its points were cut).
      e.rest_wh = std::max<int64_t>(e.rest_wh, 0);
      e.estimate_wh = e.measured_wh + e.rest_wh;
      for (int64_t* b : {&e.lower80_wh, &e.upper80_wh, &e.lower95_wh, &e.upper95_wh}) {
        *b = std::max(*b, e.measured_wh);
      }
    }
    // Priced as invoicing bills it: a month of net volume <= 0 is not billed.
    ASSIGN_OR_RETURN(e.accrual,
                     BilledRevenueOf(s.service_type, *period, e.estimate_wh, tariffs, vat_rates));
    auto gross = [&](int64_t wh) -> absl::StatusOr<Money> {
      ASSIGN_OR_RETURN(Revenue r, BilledRevenueOf(s.service_type, *period, wh, tariffs, vat_rates));
      return r.gross;
    };
    ASSIGN_OR_RETURN(e.gross_lower80, gross(e.lower80_wh));
    ASSIGN_OR_RETURN(e.gross_upper80, gross(e.upper80_wh));
    ASSIGN_OR_RETURN(e.gross_lower95, gross(e.lower95_wh));
    ASSIGN_OR_RETURN(e.gross_upper95, gross(e.upper95_wh));
    out.net = out.net + e.accrual.net;
    out.vat = out.vat + e.accrual.vat;
    out.gross = out.gross + e.accrual.gross;
    out.gross_lower80 = out.gross_lower80 + e.gross_lower80;
    out.gross_upper80 = out.gross_upper80 + e.gross_upper80;
    out.gross_lower95 = out.gross_lower95 + e.gross_lower95;
    out.gross_upper95 = out.gross_upper95 + e.gross_upper95;
    out.services.push_back(std::move(e));
  }
  const std::string measured_text =
      measured ? absl::StrCat("measured by balance run ", measured->run_id,
                              measured->final ? " (final)" : " (preliminary)")
               : "nothing measured yet (no balance run of the period)";
  std::vector<std::string> rest_text;
  if (rest_hours.empty()) rest_text.push_back("no hours left to forecast");
  if (hourly_services > 0) {
    rest_text.push_back(absl::StrFormat(
        "the rest (%d hours) forecast hour by hour for %d service(s) by the model each "
        "chose by backtest on its hourly results (balance runs %s)",
        rest_hours.size(), hourly_services, absl::StrJoin(out.hourly_run_ids, ", ")));
  }
  if (pro_rata_services > 0) {
    rest_text.push_back(absl::StrFormat(
        "the rest (%.1f %% of the month's hours) pro rata from the monthly forecast of run %s "
        "for %d service(s) %s",
        100 * rest_share, f.run.id, pro_rata_services,
        hourly_ == nullptr ? "(no balance service)"
                           : "(too few hourly results for a backtest: 8 days needed)"));
  }
  out.method = absl::StrCat(measured_text, "; ", absl::StrJoin(rest_text, "; "));
  return out;
}

}  // namespace gridbill::forecasting
