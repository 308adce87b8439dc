#include "forecasting_service.h"

#include <cmath>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/access.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/idempotent_call.h"
#include "gridbill/server/paging.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::forecasting {
namespace {

// A new resource id: the prefix and 16 random hex digits.
std::string NewId(std::string_view prefix) {
  absl::BitGen gen;
  return absl::StrFormat("%s-%016x", prefix, absl::Uniform<uint64_t>(gen));
}

common::v1::BillingPeriod PeriodProto(absl::CivilMonth m) {
  common::v1::BillingPeriod p;
  p.set_year(static_cast<int32_t>(m.year()));
  p.set_month(m.month());
  return p;
}

common::v1::Decimal DecimalOf(double v, int digits) {
  common::v1::Decimal d;
  d.set_value(absl::StrFormat("%.*f", digits, v));
  return d;
}

void JobToProto(const jobs::Job& j, common::v1::Job* out) {
  out->set_id(j.id);
  out->set_kind(j.kind);
  out->set_state(static_cast<common::v1::JobState>(j.state));
  out->set_done(j.done);
  out->set_total(j.total);
  if (j.start_time) *out->mutable_start_time() = ToProtoTime(*j.start_time);
  if (j.finish_time) *out->mutable_finish_time() = ToProtoTime(*j.finish_time);
  out->set_summary(j.summary);
  out->set_error(j.error);
}

void RunToProto(const ForecastRun& r, v1::ForecastRun* out) {
  out->set_id(r.id);
  out->set_version(r.version);
  JobToProto(r.job, out->mutable_job());
  out->set_horizon_months(r.horizon_months);
  out->set_backtest_origins(r.backtest_origins);
  v1::ForecastRunInputs* in = out->mutable_inputs();
  for (const std::string& id : r.inputs.billing_run_ids) in->add_billing_run_ids(id);
  for (const std::string& id : r.inputs.history_import_ids) in->add_history_import_ids(id);
  if (r.inputs.history_from) *in->mutable_history_from() = PeriodProto(*r.inputs.history_from);
  if (r.inputs.history_to) *in->mutable_history_to() = PeriodProto(*r.inputs.history_to);
  in->set_series(r.inputs.series);
  in->set_gap_months(r.inputs.gap_months);
  in->set_gap_rule(r.inputs.gap_rule);
  out->set_reconciliation(
      "bottom-up: region and nation are the sums of the participants' forecasts; their "
      "interval half-widths add in quadrature");
  if (r.accuracy) {
    v1::RunAccuracy* a = out->mutable_accuracy();
    if (r.accuracy->median_mase_chosen) {
      *a->mutable_median_mase_chosen() = DecimalOf(*r.accuracy->median_mase_chosen, 4);
    }
    if (r.accuracy->median_mase_seasonal_naive) {
      *a->mutable_median_mase_seasonal_naive() =
          DecimalOf(*r.accuracy->median_mase_seasonal_naive, 4);
    }
    *a->mutable_coverage_80_percent() = DecimalOf(r.accuracy->coverage80, 2);
    *a->mutable_coverage_95_percent() = DecimalOf(r.accuracy->coverage95, 2);
    a->set_chosen_models(r.accuracy->chosen_models);
  }
  out->set_created_by(r.created_by);
}

void AccuracyToProto(const StoredAccuracy& a, v1::Accuracy* out) {
  out->set_model(static_cast<v1::ModelKind>(a.kind));
  out->set_model_spec(a.spec);
  out->set_origins(a.origins);
  out->set_errors(a.errors);
  out->set_mae_wh(a.mae_wh);
  *out->mutable_smape_percent() = DecimalOf(a.smape, 2);
  if (a.mase) *out->mutable_mase() = DecimalOf(*a.mase, 4);
  if (a.mape) *out->mutable_mape_percent() = DecimalOf(*a.mape, 2);
  out->set_undefined_reason(a.undefined_reason);
  *out->mutable_coverage_80_percent() = DecimalOf(a.coverage80, 2);
  *out->mutable_coverage_95_percent() = DecimalOf(a.coverage95, 2);
}

void HourlyStatsToProto(HourlyModel model, const AccuracyStats& a, v1::Accuracy* out) {
  out->set_model(static_cast<v1::ModelKind>(model));
  out->set_model_spec(a.spec);
  out->set_origins(a.origins);
  out->set_errors(a.errors);
  out->set_mae_wh(static_cast<int64_t>(std::llround(a.mae)));
  *out->mutable_smape_percent() = DecimalOf(a.smape, 2);
  if (a.mase) *out->mutable_mase() = DecimalOf(*a.mase, 4);
  if (a.mape) *out->mutable_mape_percent() = DecimalOf(*a.mape, 2);
  out->set_undefined_reason(a.undefined_reason);
  *out->mutable_coverage_80_percent() = DecimalOf(a.coverage80, 2);
  *out->mutable_coverage_95_percent() = DecimalOf(a.coverage95, 2);
}

void HourlyToProto(const HourlyForecast& h, int rest_hours, v1::HourlyForecast* out) {
  out->set_model(static_cast<v1::ModelKind>(h.model));
  out->set_fallback(h.fallback);
  out->set_history_hours(h.history_hours);
  out->set_forecast_hours(rest_hours);
  const HourlyCandidate& chosen = h.candidates[h.chosen];
  HourlyStatsToProto(chosen.model, chosen.accuracy, out->mutable_accuracy());
  for (const HourlyCandidate& c : h.candidates) {
    HourlyStatsToProto(c.model, c.accuracy, out->add_candidates());
  }
  out->set_sum_windows(h.sum_origins);
  if (h.sum_coverage80) *out->mutable_sum_coverage_80_percent() = DecimalOf(*h.sum_coverage80, 2);
  if (h.sum_coverage95) *out->mutable_sum_coverage_95_percent() = DecimalOf(*h.sum_coverage95, 2);
}

void HourlySeriesToProto(const HourlySeriesAnswer& s, const std::vector<absl::Time>& hours,
                         v1::HourlySeriesForecast* out) {
  out->set_level(static_cast<v1::Level>(s.level));
  out->set_participant_id(s.participant_id);
  out->set_region_code(s.region_code);
  out->set_service_type(static_cast<contracts::v1::ServiceType>(s.service_type));
  out->set_note(s.note);
  if (!s.forecast) return;
  const HourlyForecast& h = *s.forecast;
  out->set_parts(h.parts);
  int64_t total = 0;
  for (size_t i = 0; i < hours.size() && i < h.points.size(); ++i) {
    v1::HourPoint* p = out->add_points();
    *p->mutable_hour_start() = ToProtoTime(hours[i]);
    p->set_volume_wh(static_cast<int64_t>(std::llround(h.points[i])));
    total += p->volume_wh();
  }
  out->set_total_wh(total);
  // The bounds around the points' sum (as rounded), each half-width rounded once.
  auto bound = [&](double b) { return total + static_cast<int64_t>(std::llround(b - h.total)); };
  out->set_lower_80_wh(bound(h.lower80));
  out->set_upper_80_wh(bound(h.upper80));
  out->set_lower_95_wh(bound(h.lower95));
  out->set_upper_95_wh(bound(h.upper95));
  HourlyToProto(h, static_cast<int>(hours.size()), out->mutable_forecast());
  if (h.parts > 0) {  // a sum has no model of its own
    out->mutable_forecast()->set_model(v1::MODEL_KIND_UNSPECIFIED);
    out->mutable_forecast()->mutable_accuracy()->set_model(v1::MODEL_KIND_UNSPECIFIED);
    out->mutable_forecast()->mutable_candidates(0)->set_model(v1::MODEL_KIND_UNSPECIFIED);
  }
}

void SeriesToProto(const SeriesAnswer& s, v1::SeriesForecast* out) {
  out->set_level(static_cast<v1::Level>(s.level));
  out->set_participant_id(s.participant_id);
  out->set_contract_id(s.contract_id);
  out->set_region_code(s.region_code);
  out->set_service_type(static_cast<contracts::v1::ServiceType>(s.service_type));
  out->set_model(static_cast<v1::ModelKind>(s.model));
  if (s.level == Level::kRegion || s.level == Level::kNation) {
    out->set_model(v1::MODEL_KIND_UNSPECIFIED);
  }
  out->set_model_spec(s.model_spec);
  out->set_fallback(s.fallback);
  out->set_history_months(s.history_months);
  for (const Point& p : s.points) {
    v1::ForecastPoint* o = out->add_points();
    *o->mutable_period() = PeriodProto(p.period);
    o->set_volume_wh(p.volume_wh);
    o->set_lower_80_wh(p.lower80_wh);
    o->set_upper_80_wh(p.upper80_wh);
    o->set_lower_95_wh(p.lower95_wh);
    o->set_upper_95_wh(p.upper95_wh);
  }
  if (s.accuracy) AccuracyToProto(*s.accuracy, out->mutable_accuracy());
  for (const StoredAccuracy& a : s.candidates) AccuracyToProto(a, out->add_candidates());
}

void ImportToProto(const HistoryImport& i, v1::HistoryImport* out) {
  out->set_id(i.id);
  JobToProto(i.job, out->mutable_job());
  out->set_file_name(i.file_name);
  out->set_sha256(i.sha256);
  out->set_rows(i.rows);
  out->set_changed(i.changed);
  out->set_unchanged(i.unchanged);
  out->set_created_by(i.created_by);
}

absl::StatusOr<std::optional<absl::CivilMonth>> OptionalMonth(const common::v1::BillingPeriod& p,
                                                              std::string_view field) {
  if (p.year() == 0 && p.month() == 0) return std::optional<absl::CivilMonth>();
  ASSIGN_OR_RETURN(BillingPeriod period, FromProtoPeriod(p, field));
  return std::optional<absl::CivilMonth>(period.civil_month());
}

absl::StatusOr<ForecastQuery> QueryOf(const v1::GetForecastRequest& req) {
  ForecastQuery q;
  q.run_id = req.run_id();
  if (req.level() < v1::LEVEL_CONTRACT || req.level() > v1::LEVEL_NATION) {
    return InvalidField("level", "contract, participant, region or nation");
  }
  q.level = static_cast<Level>(req.level());
  q.participant_id = req.participant_id();
  q.contract_id = req.contract_id();
  q.region_code = req.region_code();
  if (req.service_type() < 0 || req.service_type() > kServiceTypes) {
    return InvalidField("service_type", absl::StrCat("unknown service ", req.service_type()));
  }
  q.service_type = static_cast<int>(req.service_type());
  return q;
}

void WhatIfLineToProto(const WhatIfLine& l, v1::WhatIfLine* out) {
  out->set_participant_id(l.participant_id);
  out->set_service_type(static_cast<contracts::v1::ServiceType>(l.service_type));
  out->set_volume_wh(l.volume_wh);
  out->set_baseline_net_tiyn(l.baseline_net.tiyn);
  out->set_scenario_net_tiyn(l.scenario_net.tiyn);
  out->set_baseline_gross_tiyn(l.baseline_gross.tiyn);
  out->set_scenario_gross_tiyn(l.scenario_gross.tiyn);
  out->set_effect_net_tiyn(l.scenario_net.tiyn - l.baseline_net.tiyn);
  out->set_effect_gross_tiyn(l.scenario_gross.tiyn - l.baseline_gross.tiyn);
}

common::v1::Decimal DecimalText(const Decimal& d) {
  common::v1::Decimal out;
  out.set_value(d.ToString());
  return out;
}

absl::StatusOr<TariffScenario> ScenarioOf(const v1::TariffScenario& s) {
  TariffScenario out;
  if (s.service_type() < 1 || s.service_type() > kServiceTypes) {
    return InvalidField("scenario.service_type",
                        absl::StrCat("unknown service ", s.service_type(),
                                     " (transmission, dispatching, balancing, grid-use)"));
  }
  out.service_type = static_cast<int>(s.service_type());
  if (s.new_price_per_kwh().empty()) return InvalidField("scenario.new_price_per_kwh", "required");
  ASSIGN_OR_RETURN(out.price_per_kwh,
                   Decimal::Parse(s.new_price_per_kwh(), "scenario.new_price_per_kwh"));
  if (!s.has_from_date()) return InvalidField("scenario.from_date", "required");
  ASSIGN_OR_RETURN(out.from, FromProtoDate(s.from_date(), "scenario.from_date"));
  return out;
}

}  // namespace

// --- ForecastService ------------------------------------------------------------

grpc::Status ForecastServiceImpl::StartForecastRun(grpc::ServerContext* ctx,
                                                   const v1::StartForecastRunRequest* req,
                                                   v1::StartForecastRunResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  return IdempotentCall(
      idempotency_, caller, *req, resp, [&](v1::StartForecastRunResponse& out) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<absl::CivilMonth> to,
                         OptionalMonth(req->history_to(), "history_to"));
        ASSIGN_OR_RETURN(ForecastRun run,
                         runs_.Start(caller, NewId("fr"), to, req->horizon_months()));
        RunToProto(run, out.mutable_run());
        return absl::OkStatus();
      });
}

grpc::Status ForecastServiceImpl::GetForecastRun(grpc::ServerContext* ctx,
                                                 const v1::GetForecastRunRequest* req,
                                                 v1::GetForecastRunResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(ForecastRun run, runs_.Get(req->run_id()));
  RunToProto(run, resp->mutable_run());
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::WatchForecastRun(
    grpc::ServerContext* ctx, const v1::WatchForecastRunRequest* req,
    grpc::ServerWriter<v1::WatchForecastRunResponse>* writer) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  std::string last;
  while (!ctx->IsCancelled()) {
    ASSIGN_OR_RETURN_GRPC(ForecastRun run, runs_.Get(req->run_id()));
    v1::WatchForecastRunResponse out;
    RunToProto(run, out.mutable_run());
    std::string bytes = out.SerializeAsString();
    if (bytes != last) {
      if (!writer->Write(out)) return grpc::Status::OK;
      last = std::move(bytes);
    }
    if (jobs::Ended(run.job.state)) return grpc::Status::OK;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
}

grpc::Status ForecastServiceImpl::CancelForecastRun(grpc::ServerContext* ctx,
                                                    const v1::CancelForecastRunRequest* req,
                                                    v1::CancelForecastRunResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  return IdempotentCall(idempotency_, caller, *req, resp,
                        [&](v1::CancelForecastRunResponse& out) -> absl::Status {
                          ASSIGN_OR_RETURN(ForecastRun run, runs_.Cancel(req->run_id()));
                          RunToProto(run, out.mutable_run());
                          return absl::OkStatus();
                        });
}

grpc::Status ForecastServiceImpl::ListForecastRuns(grpc::ServerContext* ctx,
                                                   const v1::ListForecastRunsRequest* req,
                                                   v1::ListForecastRunsResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<ForecastRun> runs, runs_.List(page));
  for (const ForecastRun& r : runs.items) RunToProto(r, resp->add_runs());
  resp->set_next_page_token(paging::NextToken(*req, runs.next));
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::GetForecast(grpc::ServerContext* ctx,
                                              const v1::GetForecastRequest* req,
                                              v1::GetForecastResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(ForecastQuery query, QueryOf(*req));
  if (req->hourly()) {
    ASSIGN_OR_RETURN_GRPC(std::optional<absl::CivilMonth> period,
                          OptionalMonth(req->period(), "period"));
    ASSIGN_OR_RETURN_GRPC(HourlyAnswer a, outlook_.HourlyForecastOf(caller, query, period));
    RunToProto(a.run, resp->mutable_run());
    resp->set_balance_run_id(a.balance_run_id);
    for (const std::string& id : a.hourly_run_ids) resp->add_hourly_history_run_ids(id);
    for (const HourlySeriesAnswer& s : a.series) {
      HourlySeriesToProto(s, a.hours, resp->add_hourly());
    }
    return grpc::Status::OK;
  }
  ASSIGN_OR_RETURN_GRPC(ForecastAnswer answer, runs_.Forecast(caller, query));
  RunToProto(answer.run, resp->mutable_run());
  for (const SeriesAnswer& s : answer.series) SeriesToProto(s, resp->add_series());
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::GetRevenueForecast(grpc::ServerContext* ctx,
                                                     const v1::GetRevenueForecastRequest* req,
                                                     v1::GetRevenueForecastResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(RevenueAnswer a,
                        outlook_.RevenueForecast(caller, req->run_id(), req->participant_id(),
                                                 static_cast<int>(req->service_type())));
  RunToProto(a.run, resp->mutable_run());
  for (const RevenueMonth& m : a.months) {
    v1::RevenueMonth* o = resp->add_months();
    *o->mutable_period() = PeriodProto(m.period);
    o->set_service_type(static_cast<contracts::v1::ServiceType>(m.service_type));
    o->set_volume_wh(m.volume_wh);
    o->set_net_tiyn(m.net.tiyn);
    o->set_vat_tiyn(m.vat.tiyn);
    o->set_gross_tiyn(m.gross.tiyn);
    *o->mutable_vat_percent() = DecimalText(m.vat_percent);
    o->set_price_basis(m.basis);
    o->set_gross_lower_80_tiyn(m.gross_lower80.tiyn);
    o->set_gross_upper_80_tiyn(m.gross_upper80.tiyn);
  }
  resp->set_total_net_tiyn(a.net.tiyn);
  resp->set_total_vat_tiyn(a.vat.tiyn);
  resp->set_total_gross_tiyn(a.gross.tiyn);
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::TariffWhatIf(grpc::ServerContext* ctx,
                                               const v1::TariffWhatIfRequest* req,
                                               v1::TariffWhatIfResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(TariffScenario scenario, ScenarioOf(req->scenario()));
  ASSIGN_OR_RETURN_GRPC(WhatIfAnswer a, outlook_.WhatIf(req->run_id(), scenario));
  RunToProto(a.run, resp->mutable_run());
  *resp->mutable_from() = PeriodProto(a.from);
  *resp->mutable_to() = PeriodProto(a.to);
  for (const WhatIfLine& l : a.lines) WhatIfLineToProto(l, resp->add_lines());
  WhatIfLineToProto(a.total, resp->mutable_total());
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::ListDeclarationFlags(grpc::ServerContext* ctx,
                                                       const v1::ListDeclarationFlagsRequest* req,
                                                       v1::ListDeclarationFlagsResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(std::optional<absl::CivilMonth> period,
                        OptionalMonth(req->period(), "period"));
  std::optional<double> threshold;
  if (!req->threshold_percent().value().empty()) {
    ASSIGN_OR_RETURN_GRPC(Decimal t,
                          Decimal::Parse(req->threshold_percent().value(), "threshold_percent"));
    threshold = static_cast<double>(t.units()) / Decimal::kOne;
  }
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(FlagsAnswer a,
                        outlook_.DeclarationFlags(req->run_id(), period, threshold, page));
  RunToProto(a.run, resp->mutable_run());
  for (const DeclarationFlag& f : a.flags.items) {
    v1::DeclarationFlag* o = resp->add_flags();
    o->set_participant_id(f.participant_id);
    o->set_service_type(static_cast<contracts::v1::ServiceType>(f.service_type));
    for (const std::string& id : f.application_ids) o->add_application_ids(id);
    o->set_declared_wh(f.declared_wh);
    o->set_forecast_wh(f.forecast_wh);
    if (f.difference_percent)
      *o->mutable_difference_percent() = DecimalOf(*f.difference_percent, 2);
    o->set_lower_80_wh(f.lower80_wh);
    o->set_upper_80_wh(f.upper80_wh);
    o->set_reason(f.reason);
  }
  resp->set_declarations_compared(a.compared);
  *resp->mutable_threshold_percent() = DecimalOf(a.threshold_percent, 2);
  resp->set_next_page_token(paging::NextToken(*req, a.flags.next));
  return grpc::Status::OK;
}

grpc::Status ForecastServiceImpl::EstimateMonthToDate(grpc::ServerContext* ctx,
                                                      const v1::EstimateMonthToDateRequest* req,
                                                      v1::EstimateMonthToDateResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(std::optional<absl::CivilMonth> period,
                        OptionalMonth(req->period(), "period"));
  ASSIGN_OR_RETURN_GRPC(EstimateAnswer a,
                        outlook_.EstimateMonthToDate(caller, req->participant_id(), period));
  resp->set_participant_id(a.participant_id);
  *resp->mutable_period() = PeriodProto(a.period);
  RunToProto(a.run, resp->mutable_run());
  resp->set_balance_run_id(a.balance_run_id);
  if (a.measured_until) *resp->mutable_measured_until() = ToProtoTime(*a.measured_until);
  *resp->mutable_measured_percent() = DecimalOf(100 * a.measured_share, 2);
  resp->set_method(a.method);
  for (const ServiceEstimate& e : a.services) {
    v1::ServiceEstimate* o = resp->add_services();
    o->set_service_type(static_cast<contracts::v1::ServiceType>(e.service_type));
    o->set_measured_wh(e.measured_wh);
    o->set_rest_wh(e.rest_wh);
    o->set_estimate_wh(e.estimate_wh);
    o->set_lower_80_wh(e.lower80_wh);
    o->set_upper_80_wh(e.upper80_wh);
    o->set_lower_95_wh(e.lower95_wh);
    o->set_upper_95_wh(e.upper95_wh);
    o->set_net_tiyn(e.accrual.net.tiyn);
    o->set_vat_tiyn(e.accrual.vat.tiyn);
    o->set_gross_tiyn(e.accrual.gross.tiyn);
    o->set_gross_lower_80_tiyn(e.gross_lower80.tiyn);
    o->set_gross_upper_80_tiyn(e.gross_upper80.tiyn);
    o->set_gross_lower_95_tiyn(e.gross_lower95.tiyn);
    o->set_gross_upper_95_tiyn(e.gross_upper95.tiyn);
    *o->mutable_vat_percent() = DecimalText(e.accrual.vat_percent);
    o->set_price_basis(e.accrual.basis);
    if (e.hourly) HourlyToProto(*e.hourly, e.rest_hours, o->mutable_hourly());
  }
  for (const std::string& id : a.hourly_run_ids) resp->add_hourly_history_run_ids(id);
  resp->set_net_tiyn(a.net.tiyn);
  resp->set_vat_tiyn(a.vat.tiyn);
  resp->set_gross_tiyn(a.gross.tiyn);
  resp->set_gross_lower_80_tiyn(a.gross_lower80.tiyn);
  resp->set_gross_upper_80_tiyn(a.gross_upper80.tiyn);
  resp->set_gross_lower_95_tiyn(a.gross_lower95.tiyn);
  resp->set_gross_upper_95_tiyn(a.gross_upper95.tiyn);
  return grpc::Status::OK;
}

// --- HistoryService ---------------------------------------------------------------

grpc::Status HistoryServiceImpl::ImportHistory(grpc::ServerContext* ctx,
                                               const v1::ImportHistoryRequest* req,
                                               v1::ImportHistoryResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, *req));
  return IdempotentCall(
      idempotency_, caller, *req, resp, [&](v1::ImportHistoryResponse& out) -> absl::Status {
        ASSIGN_OR_RETURN(HistoryImport imp, runs_.ImportHistory(caller, NewId("hi"),
                                                                req->file_name(), req->content()));
        ImportToProto(imp, out.mutable_import());
        return absl::OkStatus();
      });
}

grpc::Status HistoryServiceImpl::GetHistoryImport(grpc::ServerContext* ctx,
                                                  const v1::GetHistoryImportRequest* req,
                                                  v1::GetHistoryImportResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(HistoryImport imp, runs_.GetImport(req->import_id()));
  ImportToProto(imp, resp->mutable_import());
  return grpc::Status::OK;
}

}  // namespace gridbill::forecasting
