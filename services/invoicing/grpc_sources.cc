#include "grpc_sources.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/money.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::invoicing {
namespace {

namespace cv1 = ::gridbill::contracts::v1;
namespace bv1 = ::gridbill::balance::v1;

absl::Status Remote(const char* what, const grpc::Status& st) {
  absl::Status s = FromGrpc(st);
  if (s.code() == absl::StatusCode::kNotFound ||
      s.code() == absl::StatusCode::kFailedPrecondition ||
      s.code() == absl::StatusCode::kInvalidArgument) {
    return absl::Status(s.code(), absl::StrCat(what, ": ", s.message()));
  }
  return absl::UnavailableError(absl::StrCat(what, ": ", s.message()));
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
      deadline_(deadline) {}

void GrpcContractDirectory::Prepare(grpc::ClientContext& ctx) const {
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  ctx.AddMetadata(kPrincipalHeader, "service:invoicing");
  ctx.AddMetadata(kRolesHeader, "ROLE_INTEGRATION_CLIENT");
}

absl::StatusOr<std::vector<ContractInfo>> GrpcContractDirectory::BillableContracts(
    const BillingPeriod& period) {
  std::vector<ContractInfo> out;
  std::string token;
  do {
    cv1::ListContractsRequest req;
    req.set_page_size(1000);
    req.set_page_token(token);
    cv1::ListContractsResponse resp;
    grpc::ClientContext ctx;
    Prepare(ctx);
    grpc::Status st = contracts_->ListContracts(&ctx, req, &resp);
    if (!st.ok()) return Remote("contracts", st);
    for (const cv1::Contract& c : resp.contracts()) {
      if (c.state() == cv1::CONTRACT_STATE_DRAFT) continue;
      ASSIGN_OR_RETURN(ContractInfo info, InfoOf(c));
      if (info.valid_from > period.last_day()) continue;
      if (info.valid_to && *info.valid_to < period.first_day()) continue;
      out.push_back(std::move(info));
    }
    token = resp.next_page_token();
  } while (!token.empty());
  std::sort(out.begin(), out.end(),
            [](const ContractInfo& a, const ContractInfo& b) { return a.id < b.id; });
  return out;
}

absl::StatusOr<ContractInfo> GrpcContractDirectory::ContractByNumber(const std::string& number) {
  cv1::ListContractsRequest req;
  req.set_query(number);
  req.set_page_size(1000);
  cv1::ListContractsResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx);
  grpc::Status st = contracts_->ListContracts(&ctx, req, &resp);
  if (!st.ok()) return Remote("contracts", st);
  for (const cv1::Contract& c : resp.contracts()) {
    if (c.number() == number) return InfoOf(c);
  }
  return NotFound("contract", number);
}

absl::StatusOr<Customer> GrpcContractDirectory::Participant(const std::string& participant_id) {
  cv1::GetParticipantRequest req;
  req.set_id(participant_id);
  cv1::GetParticipantResponse resp;
  grpc::ClientContext ctx;
  Prepare(ctx);
  grpc::Status st = participants_->GetParticipant(&ctx, req, &resp);
  if (!st.ok()) return Remote("participants", st);
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
  req.set_page_size(1000);
  std::vector<cv1::TariffSlice> slices;
  do {
    cv1::ListTariffsForPeriodResponse resp;
    grpc::ClientContext ctx;
    Prepare(ctx);
    grpc::Status st = tariffs_->ListTariffsForPeriod(&ctx, req, &resp);
    if (!st.ok()) return Remote("tariffs", st);
    slices.insert(slices.end(), resp.slices().begin(), resp.slices().end());
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
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
    : stub_(bv1::BalanceService::NewStub(channel)), deadline_(deadline) {}

void GrpcVolumeSource::Prepare(grpc::ClientContext& ctx) const {
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + deadline_));
  ctx.AddMetadata(kPrincipalHeader, "service:invoicing");
  ctx.AddMetadata(kRolesHeader, "ROLE_INTEGRATION_CLIENT");
}

absl::StatusOr<BalanceRunInfo> GrpcVolumeSource::BillingRun(const BillingPeriod& period,
                                                            const std::string& requested_id) {
  bv1::BalanceRun run;
  if (requested_id.empty()) {
    bv1::GetBillingRunRequest req;
    *req.mutable_period() = ToProtoPeriod(period);
    bv1::GetBillingRunResponse resp;
    grpc::ClientContext ctx;
    Prepare(ctx);
    grpc::Status st = stub_->GetBillingRun(&ctx, req, &resp);
    if (!st.ok()) {
      absl::Status s = Remote("balance", st);
      if (s.code() == absl::StatusCode::kNotFound ||
          s.code() == absl::StatusCode::kFailedPrecondition) {
        return FailedPrecondition(
            "balance_run_id",
            absl::StrCat("no final balance run for ", period.ToString(), ": ", s.message()));
      }
      return s;
    }
    run = resp.run();
  } else {
    bv1::GetRunRequest req;
    req.set_run_id(requested_id);
    bv1::GetRunResponse resp;
    grpc::ClientContext ctx;
    Prepare(ctx);
    grpc::Status st = stub_->GetRun(&ctx, req, &resp);
    if (!st.ok()) return Remote("balance", st);
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
  req.set_page_size(1000);
  std::vector<bv1::ServiceTotal> totals;
  do {
    bv1::ListRunTotalsResponse resp;
    grpc::ClientContext ctx;
    Prepare(ctx);
    grpc::Status st = stub_->ListRunTotals(&ctx, req, &resp);
    if (!st.ok()) return Remote("balance", st);
    totals.insert(totals.end(), resp.services().begin(), resp.services().end());
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
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
  grpc::ClientContext ctx;
  Prepare(ctx);
  auto reader = stub_->StreamServiceHours(&ctx, req);
  std::vector<int64_t> out(ranges.size(), 0);
  bv1::StreamServiceHoursResponse chunk;
  while (reader->Read(&chunk)) {
    for (const bv1::ServiceHour& h : chunk.hours()) {
      const absl::Time t = FromProtoTime(h.hour_start());
      for (size_t i = 0; i < ranges.size(); ++i) {
        if (t >= ranges[i].start && t < ranges[i].end) {
          out[i] += h.actual_wh();
          break;
        }
      }
    }
  }
  grpc::Status st = reader->Finish();
  if (!st.ok()) return Remote("balance", st);
  return std::optional<std::vector<int64_t>>(std::move(out));
}

}  // namespace gridbill::invoicing
