#include "grpc_sources.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::forecasting {
namespace {

// A call as the forecasting service: a machine client's identity (signed by
// the channel when the suite verifies identities) and a deadline.
void Prepare(grpc::ClientContext& ctx, absl::Duration timeout) {
  ctx.AddMetadata(kPrincipalHeader, "service:forecasting");
  ctx.AddMetadata(kRolesHeader, "ROLE_INTEGRATION_CLIENT");
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
}

// Another service's error as ours: its own code for what the caller can act
// on, UNAVAILABLE (retry later) for everything else.
absl::Status FromRemote(const char* service, const grpc::Status& st) {
  const absl::Status s = FromGrpc(st);
  if (absl::IsNotFound(s) || absl::IsInvalidArgument(s) || absl::IsFailedPrecondition(s) ||
      absl::IsPermissionDenied(s)) {
    return absl::Status(s.code(), absl::StrCat(service, ": ", s.message()));
  }
  return absl::UnavailableError(absl::StrCat(service, " unavailable: ", s.message()));
}

}  // namespace

GrpcDirectory::GrpcDirectory(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
    : participants_(contracts::v1::ParticipantService::NewStub(channel)),
      contracts_(contracts::v1::ContractService::NewStub(channel)),
      tariffs_(contracts::v1::TariffService::NewStub(channel)),
      applications_(contracts::v1::ApplicationService::NewStub(channel)),
      timeout_(timeout) {}

absl::StatusOr<std::vector<ParticipantInfo>> GrpcDirectory::Participants() {
  std::vector<ParticipantInfo> out;
  contracts::v1::ListParticipantsRequest req;
  req.set_page_size(1000);
  for (;;) {
    grpc::ClientContext ctx;
    Prepare(ctx, timeout_);
    contracts::v1::ListParticipantsResponse resp;
    const grpc::Status st = participants_->ListParticipants(&ctx, req, &resp);
    if (!st.ok()) return FromRemote("contracts", st);
    for (const contracts::v1::Participant& p : resp.participants()) {
      out.push_back({p.id(), p.bin(), p.region_code()});
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  return out;
}

absl::StatusOr<ContractInfo> GrpcDirectory::Contract(const std::string& id) {
  grpc::ClientContext ctx;
  Prepare(ctx, timeout_);
  contracts::v1::GetContractRequest req;
  req.set_id(id);
  contracts::v1::GetContractResponse resp;
  const grpc::Status st = contracts_->GetContract(&ctx, req, &resp);
  if (!st.ok()) return FromRemote("contracts", st);
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
  contracts::v1::ListTariffsRequest req;
  req.set_page_size(1000);
  for (;;) {
    grpc::ClientContext ctx;
    Prepare(ctx, timeout_);
    contracts::v1::ListTariffsResponse resp;
    const grpc::Status st = tariffs_->ListTariffs(&ctx, req, &resp);
    if (!st.ok()) return FromRemote("contracts", st);
    for (const contracts::v1::Tariff& t : resp.tariffs()) {
      TariffInfo info;
      info.service_type = static_cast<int>(t.service_type());
      ASSIGN_OR_RETURN(info.price_per_kwh, Decimal::Parse(t.price_per_kwh(), "price_per_kwh"));
      ASSIGN_OR_RETURN(info.valid_from, FromProtoDate(t.valid_from(), "valid_from"));
      ASSIGN_OR_RETURN(info.valid_to, FromOptionalProtoDate(t.valid_to(), "valid_to"));
      out.push_back(info);
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  return out;
}

absl::StatusOr<std::vector<DeclaredVolume>> GrpcDirectory::Approved(absl::CivilMonth period) {
  std::vector<DeclaredVolume> out;
  contracts::v1::ListApplicationsRequest req;
  req.set_type(contracts::v1::APPLICATION_TYPE_DECLARED_VOLUMES);
  req.set_state(contracts::v1::APPLICATION_STATE_APPROVED);
  req.mutable_period()->set_year(static_cast<int32_t>(period.year()));
  req.mutable_period()->set_month(period.month());
  req.set_page_size(1000);
  for (;;) {
    grpc::ClientContext ctx;
    Prepare(ctx, timeout_);
    contracts::v1::ListApplicationsResponse resp;
    const grpc::Status st = applications_->ListApplications(&ctx, req, &resp);
    if (!st.ok()) return FromRemote("contracts", st);
    for (const contracts::v1::Application& a : resp.applications()) {
      for (const contracts::v1::DeclaredVolume& v : a.declared_volumes()) {
        out.push_back(
            {a.participant_id(), static_cast<int>(v.service_type()), v.volume_wh(), a.id()});
      }
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  return out;
}

GrpcVolumeSource::GrpcVolumeSource(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
    : balance_(balance::v1::BalanceService::NewStub(channel)), timeout_(timeout) {}

absl::StatusOr<std::optional<std::string>> GrpcVolumeSource::BillingRunId(absl::CivilMonth period) {
  grpc::ClientContext ctx;
  Prepare(ctx, timeout_);
  balance::v1::GetBillingRunRequest req;
  req.mutable_period()->set_year(static_cast<int32_t>(period.year()));
  req.mutable_period()->set_month(period.month());
  balance::v1::GetBillingRunResponse resp;
  const grpc::Status st = balance_->GetBillingRun(&ctx, req, &resp);
  if (st.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<std::string>();
  if (!st.ok()) return FromRemote("balance", st);
  return std::optional<std::string>(resp.run().id());
}

absl::StatusOr<std::vector<ServiceHourVolume>> GrpcVolumeSource::Hours(
    const std::string& run_id, const std::string& participant_id) {
  std::vector<ServiceHourVolume> out;
  grpc::ClientContext ctx;
  Prepare(ctx, timeout_);
  balance::v1::StreamServiceHoursRequest req;
  req.set_run_id(run_id);
  req.set_participant_id(participant_id);
  std::unique_ptr<grpc::ClientReader<balance::v1::StreamServiceHoursResponse>> reader =
      balance_->StreamServiceHours(&ctx, req);
  balance::v1::StreamServiceHoursResponse chunk;
  while (reader->Read(&chunk)) {
    for (const balance::v1::ServiceHour& h : chunk.hours()) {
      if (!participant_id.empty() && h.participant_id() != participant_id) continue;
      out.push_back({static_cast<int>(h.service_type()), FromProtoTime(h.hour_start()),
                     h.actual_wh(), h.participant_id()});
    }
  }
  const grpc::Status st = reader->Finish();
  if (!st.ok()) return FromRemote("balance", st);
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
  req.set_page_size(1000);
  for (;;) {
    grpc::ClientContext ctx;
    Prepare(ctx, timeout_);
    balance::v1::ListRunTotalsResponse resp;
    const grpc::Status st = balance_->ListRunTotals(&ctx, req, &resp);
    if (!st.ok()) return FromRemote("balance", st);
    for (const balance::v1::ServiceTotal& t : resp.services()) {
      out.volumes.push_back(
          {t.participant_id(), static_cast<int>(t.service_type()), period, t.actual_wh()});
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
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
      grpc::ClientContext ctx;
      Prepare(ctx, timeout_);
      balance::v1::ListRunsResponse resp;
      const grpc::Status st = balance_->ListRuns(&ctx, req, &resp);
      if (!st.ok()) return FromRemote("balance", st);
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
  req.set_page_size(1000);
  for (;;) {
    grpc::ClientContext ctx;
    Prepare(ctx, timeout_);
    balance::v1::ListRunTotalsResponse resp;
    const grpc::Status st = balance_->ListRunTotals(&ctx, req, &resp);
    if (!st.ok()) return FromRemote("balance", st);
    for (const balance::v1::ServiceTotal& t : resp.services()) {
      if (t.participant_id() != participant_id) continue;
      out.volumes_wh.push_back({static_cast<int>(t.service_type()), t.actual_wh()});
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  return std::optional<MeasuredSoFar>(std::move(out));
}

GrpcVatRates::GrpcVatRates(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
    : periods_(invoicing::v1::BillingPeriodService::NewStub(channel)), timeout_(timeout) {}

absl::StatusOr<std::vector<VatRate>> GrpcVatRates::VatRates() {
  std::vector<VatRate> out;
  invoicing::v1::ListVatRatesRequest req;
  req.set_page_size(1000);
  for (;;) {
    grpc::ClientContext ctx;
    Prepare(ctx, timeout_);
    invoicing::v1::ListVatRatesResponse resp;
    const grpc::Status st = periods_->ListVatRates(&ctx, req, &resp);
    if (!st.ok()) return FromRemote("invoicing", st);
    for (const invoicing::v1::VatRate& r : resp.rates()) {
      VatRate rate;
      ASSIGN_OR_RETURN(rate.from, FromProtoDate(r.valid_from(), "valid_from"));
      ASSIGN_OR_RETURN(rate.percent, Decimal::Parse(r.rate_percent(), "rate_percent"));
      out.push_back(rate);
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  if (out.empty()) return absl::FailedPreconditionError("invoicing: no VAT rate in its table");
  std::sort(out.begin(), out.end(),
            [](const VatRate& a, const VatRate& b) { return a.from < b.from; });
  return out;
}

}  // namespace gridbill::forecasting
