#include "grpc_sources.h"

#include <algorithm>

#include "gridbill/base/status_macros.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::forecasting {
namespace {

namespace bv1 = balance::v1;
namespace cv1 = contracts::v1;

// Forecasting reads as a machine client.
PeerCaller Forecasting(absl::Duration timeout) {
  return PeerCaller(CallIdentity::Service("forecasting", Role::kIntegrationClient), timeout);
}

}  // namespace

GrpcDirectory::GrpcDirectory(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
    : participants_(contracts::v1::ParticipantService::NewStub(channel)),
      contracts_(contracts::v1::ContractService::NewStub(channel)),
      tariffs_(contracts::v1::TariffService::NewStub(channel)),
      applications_(contracts::v1::ApplicationService::NewStub(channel)),
      peer_(Forecasting(timeout)) {}

absl::StatusOr<std::vector<ParticipantInfo>> GrpcDirectory::Participants() {
  std::vector<ParticipantInfo> out;
  RETURN_IF_ERROR(peer_.EveryPage(*participants_, &cv1::ParticipantService::Stub::ListParticipants,
                                  cv1::ListParticipantsRequest(),
                                  [&](const cv1::ListParticipantsResponse& resp) {
                                    for (const cv1::Participant& p : resp.participants()) {
                                      out.push_back({p.id(), p.bin(), p.region_code()});
                                    }
                                    return absl::OkStatus();
                                  }));
  return out;
}

absl::StatusOr<ContractInfo> GrpcDirectory::Contract(const std::string& id) {
  contracts::v1::GetContractRequest req;
  req.set_id(id);
  ASSIGN_OR_RETURN(cv1::GetContractResponse resp,
                   peer_.Call(*contracts_, &cv1::ContractService::Stub::GetContract, req));
  const contracts::v1::Contract& c = resp.contract();
  ContractInfo info;
  info.id = c.id();
  info.participant_id = c.participant_id();
  info.service_type = static_cast<int>(c.service_type());
  ASSIGN_OR_RETURN(info.valid_from, FromProtoDate(c.valid_from(), "valid_from"));
  ASSIGN_OR_RETURN(info.valid_to, FromOptionalProtoDate(c.valid_to(), "valid_to"));
  return info;
}

absl::StatusOr<std::vector<TariffInfo>> GrpcDirectory::Tariffs() {
  std::vector<TariffInfo> out;
  RETURN_IF_ERROR(peer_.EveryPage(
      *tariffs_, &cv1::TariffService::Stub::ListTariffs, cv1::ListTariffsRequest(),
      [&](const cv1::ListTariffsResponse& resp) -> absl::Status {
        for (const cv1::Tariff& t : resp.tariffs()) {
          TariffInfo info;
          info.service_type = static_cast<int>(t.service_type());
          ASSIGN_OR_RETURN(info.price_per_kwh, Decimal::Parse(t.price_per_kwh(), "price_per_kwh"));
          ASSIGN_OR_RETURN(info.valid_from, FromProtoDate(t.valid_from(), "valid_from"));
          ASSIGN_OR_RETURN(info.valid_to, FromOptionalProtoDate(t.valid_to(), "valid_to"));
          out.push_back(info);
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<DeclaredVolume>> GrpcDirectory::Approved(absl::CivilMonth period) {
  std::vector<DeclaredVolume> out;
  contracts::v1::ListApplicationsRequest req;
  req.set_type(contracts::v1::APPLICATION_TYPE_DECLARED_VOLUMES);
  req.set_state(contracts::v1::APPLICATION_STATE_APPROVED);
  req.mutable_period()->set_year(static_cast<int32_t>(period.year()));
  req.mutable_period()->set_month(period.month());
  RETURN_IF_ERROR(peer_.EveryPage(*applications_, &cv1::ApplicationService::Stub::ListApplications,
                                  req, [&](const cv1::ListApplicationsResponse& resp) {
                                    for (const cv1::Application& a : resp.applications()) {
                                      for (const cv1::DeclaredVolume& v : a.declared_volumes()) {
                                        out.push_back({a.participant_id(),
                                                       static_cast<int>(v.service_type()),
                                                       v.volume_wh(), a.id()});
                                      }
                                    }
                                    return absl::OkStatus();
                                  }));
  return out;
}

GrpcVolumeSource::GrpcVolumeSource(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
    : balance_(balance::v1::BalanceService::NewStub(channel)), peer_(Forecasting(timeout)) {}

absl::StatusOr<std::optional<std::string>> GrpcVolumeSource::BillingRunId(absl::CivilMonth period) {
  balance::v1::GetBillingRunRequest req;
  req.mutable_period()->set_year(static_cast<int32_t>(period.year()));
  req.mutable_period()->set_month(period.month());
  absl::StatusOr<bv1::GetBillingRunResponse> resp =
      peer_.Call(*balance_, &bv1::BalanceService::Stub::GetBillingRun, req);
  if (absl::IsNotFound(resp.status())) return std::optional<std::string>();
  if (!resp.ok()) return resp.status();
  return std::optional<std::string>(resp->run().id());
}

absl::StatusOr<std::vector<ServiceHourVolume>> GrpcVolumeSource::Hours(
    const std::string& run_id, const std::string& participant_id) {
  std::vector<ServiceHourVolume> out;
  balance::v1::StreamServiceHoursRequest req;
  req.set_run_id(run_id);
  req.set_participant_id(participant_id);
  RETURN_IF_ERROR(peer_.ReadStream(
      *balance_, &bv1::BalanceService::Stub::StreamServiceHours, req,
      [&](const bv1::StreamServiceHoursResponse& chunk) {
        for (const bv1::ServiceHour& h : chunk.hours()) {
          if (!participant_id.empty() && h.participant_id() != participant_id) {
            continue;
          }
          out.push_back({static_cast<int>(h.service_type()), FromProtoTime(h.hour_start()),
                         h.actual_wh(), h.participant_id()});
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::optional<BilledMonth>> GrpcVolumeSource::Billed(absl::CivilMonth period) {
  BilledMonth out;
  {
    ASSIGN_OR_RETURN(std::optional<std::string> run_id, BillingRunId(period));
    if (!run_id) return std::optional<BilledMonth>();
    out.run_id = *run_id;
  }
  balance::v1::ListRunTotalsRequest req;
  req.set_run_id(out.run_id);
  RETURN_IF_ERROR(peer_.EveryPage(*balance_, &bv1::BalanceService::Stub::ListRunTotals, req,
                                  [&](const bv1::ListRunTotalsResponse& resp) {
                                    for (const bv1::ServiceTotal& t : resp.services()) {
                                      out.volumes.push_back({t.participant_id(),
                                                             static_cast<int>(t.service_type()),
                                                             period, t.actual_wh()});
                                    }
                                    return absl::OkStatus();
                                  }));
  return std::optional<BilledMonth>(std::move(out));
}

absl::StatusOr<std::optional<MeasuredSoFar>> GrpcVolumeSource::SoFar(
    const std::string& participant_id, absl::CivilMonth period) {
  MeasuredSoFar out;
  {
    // The newest succeeded run of the period (runs are listed newest first).
    balance::v1::ListRunsRequest req;
    req.mutable_period()->set_year(static_cast<int32_t>(period.year()));
    req.mutable_period()->set_month(period.month());
    req.set_page_size(100);
    bool found = false;
    while (!found) {
      ASSIGN_OR_RETURN(bv1::ListRunsResponse resp,
                       peer_.Call(*balance_, &bv1::BalanceService::Stub::ListRuns, req));
      for (const balance::v1::BalanceRun& r : resp.runs()) {
        if (r.job().state() != common::v1::JOB_STATE_SUCCEEDED) continue;
        if (r.type() != balance::v1::RUN_TYPE_PRELIMINARY &&
            r.type() != balance::v1::RUN_TYPE_FINAL &&
            r.type() != balance::v1::RUN_TYPE_CORRECTION) {
          continue;
        }
        out.run_id = r.id();
        out.final = r.type() != balance::v1::RUN_TYPE_PRELIMINARY;
        out.computed_until = FromProtoTime(r.computed_until());
        found = true;
        break;
      }
      if (found || resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    if (!found) return std::optional<MeasuredSoFar>();
  }
  balance::v1::ListRunTotalsRequest req;
  req.set_run_id(out.run_id);
  req.set_participant_id(participant_id);
  RETURN_IF_ERROR(peer_.EveryPage(
      *balance_, &bv1::BalanceService::Stub::ListRunTotals, req,
      [&](const bv1::ListRunTotalsResponse& resp) {
        for (const bv1::ServiceTotal& t : resp.services()) {
          if (t.participant_id() != participant_id) continue;
          out.volumes_wh.push_back({static_cast<int>(t.service_type()), t.actual_wh()});
        }
        return absl::OkStatus();
      }));
  return std::optional<MeasuredSoFar>(std::move(out));
}

GrpcVatRates::GrpcVatRates(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
    : periods_(invoicing::v1::BillingPeriodService::NewStub(channel)),
      peer_(Forecasting(timeout)) {}

absl::StatusOr<std::vector<VatRate>> GrpcVatRates::VatRates() {
  std::vector<VatRate> out;
  invoicing::v1::ListVatRatesRequest req;
  RETURN_IF_ERROR(peer_.EveryPage(
      *periods_, &invoicing::v1::BillingPeriodService::Stub::ListVatRates, req,
      [&](const invoicing::v1::ListVatRatesResponse& resp) -> absl::Status {
        for (const invoicing::v1::VatRate& r : resp.rates()) {
          VatRate rate;
          ASSIGN_OR_RETURN(rate.from, FromProtoDate(r.valid_from(), "valid_from"));
          ASSIGN_OR_RETURN(rate.percent, Decimal::Parse(r.rate_percent(), "rate_percent"));
          out.push_back(rate);
        }
        return absl::OkStatus();
      }));
  if (out.empty()) return absl::FailedPreconditionError("invoicing: no VAT rate in its table");
  std::sort(out.begin(), out.end(),
            [](const VatRate& a, const VatRate& b) { return a.from < b.from; });
  return out;
}

}  // namespace gridbill::forecasting
