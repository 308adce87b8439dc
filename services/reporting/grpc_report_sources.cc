#include "grpc_report_sources.h"

#include <set>

#include "gridbill/base/status_macros.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::reporting {
namespace {

namespace bv1 = balance::v1;
namespace cv1 = contracts::v1;

std::optional<absl::Time> TimeOf(const google::protobuf::Timestamp& t, bool has) {
  if (!has) return std::nullopt;
  return FromProtoTime(t);
}

ApplicationInfo ApplicationOf(const cv1::Application& a) {
  ApplicationInfo info;
  info.id = a.id();
  info.number = a.number();
  info.participant_id = a.participant_id();
  info.type = static_cast<int>(a.type());
  info.state = static_cast<int>(a.state());
  info.submit_time = TimeOf(a.submit_time(), a.has_submit_time());
  info.due_time = TimeOf(a.due_time(), a.has_due_time());
  info.decide_time = TimeOf(a.decide_time(), a.has_decide_time());
  info.close_time = TimeOf(a.close_time(), a.has_close_time());
  return info;
}

}  // namespace

GrpcReportSources::GrpcReportSources(std::shared_ptr<grpc::Channel> balance,
                                     std::shared_ptr<grpc::Channel> contracts,
                                     std::shared_ptr<grpc::Channel> metering,
                                     absl::Duration timeout)
    : balance_(bv1::BalanceService::NewStub(balance)),
      applications_(cv1::ApplicationService::NewStub(contracts)),
      metering_(metering::v1::ReadingService::NewStub(metering)),
      peer_(CallIdentity::Service("reporting", Role::kAuditor), timeout) {}

absl::StatusOr<std::vector<BillingRunRef>> GrpcReportSources::BillingRuns() {
  std::set<absl::CivilMonth> periods;
  bv1::ListRunsRequest finals;
  finals.set_type(bv1::RUN_TYPE_FINAL);
  RETURN_IF_ERROR(
      peer_.EveryPage(*balance_, &bv1::BalanceService::Stub::ListRuns, finals,
                      [&](const bv1::ListRunsResponse& resp) {
                        for (const bv1::BalanceRun& r : resp.runs()) {
                          if (r.job().state() == common::v1::JOB_STATE_SUCCEEDED) {
                            periods.insert(absl::CivilMonth(r.period().year(), r.period().month()));
                          }
                        }
                        return absl::OkStatus();
                      }));
  std::vector<BillingRunRef> out;
  for (absl::CivilMonth m : periods) {
    bv1::GetBillingRunRequest req;
    req.mutable_period()->set_year(static_cast<int32_t>(m.year()));
    req.mutable_period()->set_month(m.month());
    ASSIGN_OR_RETURN(bv1::GetBillingRunResponse resp,
                     peer_.Call(*balance_, &bv1::BalanceService::Stub::GetBillingRun, req));
    out.push_back({m, resp.run().id()});
  }
  return out;
}

absl::StatusOr<std::vector<NodeMonth>> GrpcReportSources::NodeTotals(const BillingRunRef& run) {
  std::vector<NodeMonth> out;
  bv1::ListRunTotalsRequest first;
  first.set_run_id(run.run_id);
  RETURN_IF_ERROR(peer_.EveryPage(*balance_, &bv1::BalanceService::Stub::ListRunTotals, first,
                                  [&](const bv1::ListRunTotalsResponse& resp) {
                                    for (const bv1::NodeTotal& n : resp.nodes()) {
                                      NodeMonth m;
                                      m.period = run.period;
                                      m.node_code = n.node_code();
                                      m.kind = static_cast<int>(n.kind());
                                      m.inflow_wh = n.inflow_wh();
                                      m.outflow_wh = n.outflow_wh();
                                      m.consumption_wh = n.consumption_wh();
                                      m.generation_wh = n.generation_wh();
                                      m.losses_wh = n.losses_wh();
                                      m.losses_percent = n.losses_percent().value();
                                      m.normative_loss_percent = n.normative_loss_percent().value();
                                      m.above_normative = n.above_normative();
                                      m.balance_run_id = run.run_id;
                                      out.push_back(std::move(m));
                                    }
                                    return absl::OkStatus();
                                  }));
  return out;
}

absl::StatusOr<std::optional<Changes<ApplicationInfo>>> GrpcReportSources::ApplicationChanges(
    const std::string& cursor) {
  Changes<ApplicationInfo> out;
  ASSIGN_OR_RETURN(
      std::optional<std::string> next,
      peer_.ReadFeed(*applications_, &cv1::ApplicationService::Stub::ListApplications,
                     cv1::ListApplicationsRequest(), cursor,
                     [&](const cv1::ListApplicationsResponse& resp) -> absl::StatusOr<int> {
                       for (const cv1::Application& a : resp.applications()) {
                         out.rows.push_back(ApplicationOf(a));
                       }
                       return resp.applications_size();
                     }));
  if (!next) return std::optional<Changes<ApplicationInfo>>();
  out.cursor = *next;
  return std::optional<Changes<ApplicationInfo>>(std::move(out));
}

absl::StatusOr<std::vector<ApplicationInfo>> GrpcReportSources::Applications() {
  std::vector<ApplicationInfo> out;
  RETURN_IF_ERROR(peer_.EveryPage(*applications_, &cv1::ApplicationService::Stub::ListApplications,
                                  cv1::ListApplicationsRequest(),
                                  [&](const cv1::ListApplicationsResponse& resp) {
                                    for (const cv1::Application& a : resp.applications()) {
                                      out.push_back(ApplicationOf(a));
                                    }
                                    return absl::OkStatus();
                                  }));
  return out;
}

absl::StatusOr<std::vector<PointQuality>> GrpcReportSources::Completeness(
    const std::string& participant_id, absl::CivilMonth period) {
  metering::v1::GetCompletenessRequest req;
  req.set_participant_id(participant_id);
  req.mutable_period()->set_year(static_cast<int32_t>(period.year()));
  req.mutable_period()->set_month(period.month());
  absl::StatusOr<metering::v1::GetCompletenessResponse> resp =
      peer_.Call(*metering_, &metering::v1::ReadingService::Stub::GetCompleteness, req);
  // Metering refuses a participant's month when one of its points was not
  // its own for the whole month (NOT_FOUND naming the point): such a month
  // has no rows here rather than failing the refresh.
  if (absl::IsNotFound(resp.status())) return std::vector<PointQuality>{};
  if (!resp.ok()) return resp.status();
  std::vector<PointQuality> out;
  for (const metering::v1::Completeness& c : resp->entries()) {
    PointQuality q;
    q.period = period;
    q.participant_id = participant_id;
    q.point_code = c.point_code();
    q.channel = static_cast<int>(c.channel());
    q.expected = c.expected();
    q.measured = c.measured();
    q.estimated = c.estimated();
    q.edited = c.edited();
    q.missing = c.missing();
    for (const metering::v1::FindingCount& f : c.findings()) {
      switch (f.finding()) {
        case metering::v1::FINDING_NEGATIVE:
          q.negative = f.intervals();
          break;
        case metering::v1::FINDING_SPIKE:
          q.spike = f.intervals();
          break;
        case metering::v1::FINDING_FLAT_LINE:
          q.flat_line = f.intervals();
          break;
        case metering::v1::FINDING_GAP:
          q.gap = f.intervals();
          break;
        case metering::v1::FINDING_SOURCE_MISMATCH:
          q.source_mismatch = f.intervals();
          break;
        default:
          break;
      }
    }
    out.push_back(std::move(q));
  }
  return out;
}

void GrpcReportSources::UseForecasting(std::shared_ptr<grpc::Channel> forecasting) {
  forecasting_ = forecasting::v1::ForecastService::NewStub(forecasting);
}

absl::StatusOr<std::vector<ForecastRunRef>> GrpcReportSources::ForecastRuns() {
  std::vector<ForecastRunRef> out;
  if (forecasting_ == nullptr) return out;
  namespace fv1 = forecasting::v1;
  RETURN_IF_ERROR(peer_.EveryPage(
      *forecasting_, &fv1::ForecastService::Stub::ListForecastRuns, fv1::ListForecastRunsRequest(),
      [&](const fv1::ListForecastRunsResponse& resp) {
        for (const fv1::ForecastRun& r : resp.runs()) {
          if (r.job().state() != common::v1::JOB_STATE_SUCCEEDED) continue;
          const common::v1::BillingPeriod& to = r.inputs().history_to();
          out.push_back({r.id(), r.version(), absl::CivilMonth(to.year(), to.month())});
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<ForecastMonth>> GrpcReportSources::ParticipantForecast(
    const ForecastRunRef& run, const std::string& participant_id) {
  namespace fv1 = forecasting::v1;
  std::vector<ForecastMonth> out;
  if (forecasting_ == nullptr) return out;
  fv1::GetForecastRequest req;
  req.set_run_id(run.run_id);
  req.set_level(fv1::LEVEL_PARTICIPANT);
  req.set_participant_id(participant_id);
  absl::StatusOr<fv1::GetForecastResponse> resp =
      peer_.Call(*forecasting_, &fv1::ForecastService::Stub::GetForecast, req);
  // Forecasting answers INVALID_ARGUMENT naming participant_id for a
  // participant with no series in the run (no history): no rows here. The
  // run id and participant come from forecasting and contracts themselves.
  if (absl::IsInvalidArgument(resp.status())) return out;
  if (!resp.ok()) return resp.status();
  for (const fv1::SeriesForecast& s : resp->series()) {
    for (const fv1::ForecastPoint& p : s.points()) {
      ForecastMonth m;
      m.run_id = run.run_id;
      m.run_version = run.version;
      m.participant_id = participant_id;
      m.service_type = static_cast<int>(s.service_type());
      m.period = absl::CivilMonth(p.period().year(), p.period().month());
      m.horizon = static_cast<int>(m.period - run.history_to);
      m.volume_wh = p.volume_wh();
      m.backtest_mase = s.accuracy().mase().value();
      if (m.horizon > 0) out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace gridbill::reporting
