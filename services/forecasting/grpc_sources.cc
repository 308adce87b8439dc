#include "grpc_sources.h"

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

GrpcVolumeSource::GrpcVolumeSource(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
    : balance_(balance::v1::BalanceService::NewStub(channel)), timeout_(timeout) {}

absl::StatusOr<std::optional<BilledMonth>> GrpcVolumeSource::Billed(absl::CivilMonth period) {
  BilledMonth out;
  {
    grpc::ClientContext ctx;
    Prepare(ctx, timeout_);
    balance::v1::GetBillingRunRequest req;
    req.mutable_period()->set_year(static_cast<int32_t>(period.year()));
    req.mutable_period()->set_month(period.month());
    balance::v1::GetBillingRunResponse resp;
    const grpc::Status st = balance_->GetBillingRun(&ctx, req, &resp);
    if (st.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<BilledMonth>();
    if (!st.ok()) return FromRemote("balance", st);
    out.run_id = resp.run().id();
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

}  // namespace gridbill::forecasting
