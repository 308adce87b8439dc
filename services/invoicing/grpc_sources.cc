#include "grpc_sources.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/money.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::invoicing {
namespace {

namespace cv1 = ::gridbill::contracts::v1;
namespace bv1 = ::gridbill::balance::v1;

// Invoicing reads as a machine client.
PeerCaller Invoicing(absl::Duration timeout) {
  return PeerCaller(CallIdentity::Service("invoicing", Role::kIntegrationClient), timeout);
}

absl::StatusOr<ContractInfo> InfoOf(const cv1::Contract& c) {
  ContractInfo info;
  info.id = c.id();
  info.number = c.number();
  info.participant_id = c.participant_id();
  if (c.service_type() < 1 || c.service_type() > 4) {
    return absl::InternalError(absl::StrCat("contract ", c.number(), " has no service type"));
  }
  info.service = static_cast<Service>(c.service_type());
  if (IsSet(c.signed_on())) {
    ASSIGN_OR_RETURN(info.signed_on, FromProtoDate(c.signed_on(), "signed_on"));
  }
  ASSIGN_OR_RETURN(info.valid_from, FromProtoDate(c.valid_from(), "valid_from"));
  if (!IsSet(c.signed_on())) info.signed_on = info.valid_from;
  ASSIGN_OR_RETURN(info.valid_to, FromOptionalProtoDate(c.valid_to(), "valid_to"));
  if (c.payment_terms().due_day() > 0) info.due_day = c.payment_terms().due_day();
  return info;
}

}  // namespace

Completeness CompletenessOf(int64_t intervals, int64_t estimated, int64_t missing) {
  Completeness c;
  if (intervals <= 0) return c;
  c.estimated_share = Decimal::FromUnits(RoundHalfUp(
      static_cast<__int128>(estimated) * Decimal::kOne, static_cast<__int128>(intervals)));
  c.missing_share = Decimal::FromUnits(RoundHalfUp(static_cast<__int128>(missing) * Decimal::kOne,
                                                   static_cast<__int128>(intervals)));
  return c;
}

GrpcContractDirectory::GrpcContractDirectory(std::shared_ptr<grpc::Channel> channel,
                                             absl::TimeZone zone, absl::Duration deadline)
    : contracts_(cv1::ContractService::NewStub(channel)),
      participants_(cv1::ParticipantService::NewStub(channel)),
      tariffs_(cv1::TariffService::NewStub(channel)),
      zone_(zone),
      peer_(Invoicing(deadline)) {}

absl::StatusOr<std::vector<ContractInfo>> GrpcContractDirectory::BillableContracts(
    const BillingPeriod& period) {
  std::vector<ContractInfo> out;
  RETURN_IF_ERROR(peer_.EveryPage(*contracts_, &cv1::ContractService::Stub::ListContracts,
                                  cv1::ListContractsRequest(),
                                  [&](const cv1::ListContractsResponse& resp) -> absl::Status {
                                    for (const cv1::Contract& c : resp.contracts()) {
                                      if (c.state() == cv1::CONTRACT_STATE_DRAFT) continue;
                                      ASSIGN_OR_RETURN(ContractInfo info, InfoOf(c));
                                      if (info.valid_from > period.last_day()) continue;
                                      if (info.valid_to && *info.valid_to < period.first_day())
                                        continue;
                                      out.push_back(std::move(info));
                                    }
                                    return absl::OkStatus();
                                  }));
  std::sort(out.begin(), out.end(),
            [](const ContractInfo& a, const ContractInfo& b) { return a.id < b.id; });
  return out;
}

absl::StatusOr<ContractInfo> GrpcContractDirectory::ContractByNumber(const std::string& number) {
  cv1::ListContractsRequest req;
  req.set_query(number);
  req.set_page_size(1000);
  ASSIGN_OR_RETURN(cv1::ListContractsResponse resp,
                   peer_.Call(*contracts_, &cv1::ContractService::Stub::ListContracts, req));
  for (const cv1::Contract& c : resp.contracts()) {
    if (c.number() == number) return InfoOf(c);
  }
  return NotFound("contract", number);
}

absl::StatusOr<Customer> GrpcContractDirectory::Participant(const std::string& participant_id) {
  cv1::GetParticipantRequest req;
  req.set_id(participant_id);
  ASSIGN_OR_RETURN(cv1::GetParticipantResponse resp,
                   peer_.Call(*participants_, &cv1::ParticipantService::Stub::GetParticipant, req));
  Customer c;
  c.participant_id = resp.participant().id();
  c.bin = resp.participant().bin();
  c.name = resp.participant().legal_name();
  c.address = resp.participant().legal_address();
  c.iik = resp.participant().bank_account().iik();
  c.bik = resp.participant().bank_account().bik();
  c.vat_certificate = resp.participant().vat_certificate();
  return c;
}

absl::StatusOr<std::vector<TariffPart>> GrpcContractDirectory::TariffParts(
    Service service, const BillingPeriod& period) {
  cv1::ListTariffsForPeriodRequest req;
  req.set_service_type(static_cast<cv1::ServiceType>(service));
  *req.mutable_period() = ToProtoPeriod(period);
  std::vector<cv1::TariffSlice> slices;
  RETURN_IF_ERROR(peer_.EveryPage(*tariffs_, &cv1::TariffService::Stub::ListTariffsForPeriod, req,
                                  [&](const cv1::ListTariffsForPeriodResponse& resp) {
                                    slices.insert(slices.end(), resp.slices().begin(),
                                                  resp.slices().end());
                                    return absl::OkStatus();
                                  }));
  std::vector<TariffPart> out;
  for (const cv1::TariffSlice& s : slices) {
    TariffPart p;
    p.tariff_id = s.tariff().id();
    p.tariff_version = s.tariff().version();
    ASSIGN_OR_RETURN(p.price_per_kwh, Decimal::Parse(s.tariff().price_per_kwh(), "price_per_kwh"));
    ASSIGN_OR_RETURN(p.from_date, FromProtoDate(s.from_date(), "from_date"));
    ASSIGN_OR_RETURN(p.to_date, FromProtoDate(s.to_date(), "to_date"));
    p.hours = s.hours();
    if (p.hours <= 0) p.hours = HoursIn(DaysRange(p.from_date, p.to_date, zone_));
    out.push_back(std::move(p));
  }
  return out;
}

GrpcVolumeSource::GrpcVolumeSource(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline)
    : stub_(bv1::BalanceService::NewStub(channel)), peer_(Invoicing(deadline)) {}

absl::StatusOr<BalanceRunInfo> GrpcVolumeSource::BillingRun(const BillingPeriod& period,
                                                            const std::string& requested_id) {
  bv1::BalanceRun run;
  if (requested_id.empty()) {
    bv1::GetBillingRunRequest req;
    *req.mutable_period() = ToProtoPeriod(period);
    absl::StatusOr<bv1::GetBillingRunResponse> resp =
        peer_.Call(*stub_, &bv1::BalanceService::Stub::GetBillingRun, req);
    if (absl::IsNotFound(resp.status()) || absl::IsFailedPrecondition(resp.status())) {
      return FailedPrecondition("balance_run_id",
                                absl::StrCat("no final balance run for ", period.ToString(), ": ",
                                             resp.status().message()));
    }
    if (!resp.ok()) return resp.status();
    run = resp->run();
  } else {
    bv1::GetRunRequest req;
    req.set_run_id(requested_id);
    ASSIGN_OR_RETURN(bv1::GetRunResponse resp,
                     peer_.Call(*stub_, &bv1::BalanceService::Stub::GetRun, req));
    run = resp.run();
    if (run.period().year() != period.year() || run.period().month() != period.month()) {
      return InvalidField("balance_run_id", absl::StrCat("run ", requested_id, " is not a run of ",
                                                         period.ToString()));
    }
    if (run.job().state() != common::v1::JOB_STATE_SUCCEEDED) {
      return FailedPrecondition("balance_run_id",
                                absl::StrCat("run ", requested_id, " has not succeeded"));
    }
  }
  BalanceRunInfo info;
  info.id = run.id();
  if (run.type() == bv1::RUN_TYPE_FINAL) {
    info.type = BalanceRunType::kFinal;
  } else if (run.type() == bv1::RUN_TYPE_CORRECTION) {
    info.type = BalanceRunType::kCorrection;
  } else {
    return FailedPrecondition("balance_run_id",
                              absl::StrCat("run ", run.id(), " is neither final nor correction"));
  }
  return info;
}

absl::StatusOr<std::vector<VolumeRecord>> GrpcVolumeSource::Volumes(const std::string& run_id) {
  bv1::ListRunTotalsRequest req;
  req.set_run_id(run_id);
  std::vector<bv1::ServiceTotal> totals;
  RETURN_IF_ERROR(peer_.EveryPage(*stub_, &bv1::BalanceService::Stub::ListRunTotals, req,
                                  [&](const bv1::ListRunTotalsResponse& resp) {
                                    totals.insert(totals.end(), resp.services().begin(),
                                                  resp.services().end());
                                    return absl::OkStatus();
                                  }));
  std::vector<VolumeRecord> out;
  for (const bv1::ServiceTotal& t : totals) {
    if (t.service_type() < 1 || t.service_type() > 4) continue;
    VolumeRecord r;
    r.participant_id = t.participant_id();
    r.service = static_cast<Service>(t.service_type());
    r.total_wh = t.actual_wh();
    r.completeness =
        CompletenessOf(t.quality().intervals(), t.quality().estimated(), t.quality().missing());
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<std::optional<std::vector<int64_t>>> GrpcVolumeSource::SplitVolume(
    const std::string& run_id, const std::string& participant_id, Service service,
    const std::vector<TimeRange>& ranges) {
  bv1::StreamServiceHoursRequest req;
  req.set_run_id(run_id);
  req.set_participant_id(participant_id);
  req.set_service_type(static_cast<contracts::v1::ServiceType>(service));
  std::vector<int64_t> out(ranges.size(), 0);
  RETURN_IF_ERROR(peer_.ReadStream(*stub_, &bv1::BalanceService::Stub::StreamServiceHours, req,
                                   [&](const bv1::StreamServiceHoursResponse& chunk) {
                                     for (const bv1::ServiceHour& h : chunk.hours()) {
                                       const absl::Time t = FromProtoTime(h.hour_start());
                                       for (size_t i = 0; i < ranges.size(); ++i) {
                                         if (t >= ranges[i].start && t < ranges[i].end) {
                                           out[i] += h.actual_wh();
                                           break;
                                         }
                                       }
                                     }
                                     return absl::OkStatus();
                                   }));
  return std::optional<std::vector<int64_t>>(std::move(out));
}

}  // namespace gridbill::invoicing
