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
  ASSIGN_OR_RETURN_GRPC(ForecastAnswer answer, runs_.Forecast(caller, query));
  RunToProto(answer.run, resp->mutable_run());
  for (const SeriesAnswer& s : answer.series) SeriesToProto(s, resp->add_series());
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
