#include "contracts_service.h"

#include <string>

#include "convert.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/access.h"
#include "gridbill/server/changes.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/idempotent_call.h"
#include "gridbill/server/paging.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::contracts {
namespace {

absl::Status RequireId(const std::string& id, const std::string& field) {
  if (id.empty()) return InvalidField(field, "required");
  return absl::OkStatus();
}

template <typename Entries>
void HistoryToProto(const std::vector<ChangeEntry>& entries, Entries* out) {
  for (const auto& e : entries) ToProto(e, out->Add());
}

absl::StatusOr<BillingPeriod> RequiredPeriod(const common::v1::BillingPeriod& p,
                                             const std::string& field) {
  if (p.year() == 0 && p.month() == 0) return InvalidField(field, "required");
  return FromProtoPeriod(p, field);
}

}  // namespace

// ---------------------------------------------------------------------------
// ReferenceDataService

grpc::Status ReferenceDataServiceImpl::CreateReferenceRecord(
    grpc::ServerContext* ctx, const v1::CreateReferenceRecordRequest* req,
    v1::CreateReferenceRecordResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::CreateReferenceRecordResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(ReferenceRecord input, FromProto(req->record(), nullptr));
                  ASSIGN_OR_RETURN(ReferenceRecord r, domain_.Create(input, who));
                  ToProto(r, out.mutable_record());
                  return absl::OkStatus();
                });
}

grpc::Status ReferenceDataServiceImpl::GetReferenceRecord(grpc::ServerContext* ctx,
                                                          const v1::GetReferenceRecordRequest* req,
                                                          v1::GetReferenceRecordResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  RETURN_IF_ERROR_GRPC(RequireId(req->id(), "id"));
  ASSIGN_OR_RETURN_GRPC(ReferenceRecord r, domain_.Get(req->id()));
  ToProto(r, resp->mutable_record());
  return grpc::Status::OK;
}

grpc::Status ReferenceDataServiceImpl::ListReferenceRecords(
    grpc::ServerContext* ctx, const v1::ListReferenceRecordsRequest* req,
    v1::ListReferenceRecordsResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ReferenceFilter filter;
  ASSIGN_OR_RETURN_GRPC(filter.kind, FromProto(req->kind(), "kind"));
  ASSIGN_OR_RETURN_GRPC(filter.valid_on, FromOptionalProtoDate(req->valid_on(), "valid_on"));
  filter.query = req->query();
  filter.code = req->code();
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(ListPage<ReferenceRecord> list, domain_.List(filter, page));
  for (const auto& r : list.items) ToProto(r, resp->add_records());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  resp->set_total_size(list.total_size);
  return grpc::Status::OK;
}

grpc::Status ReferenceDataServiceImpl::UpdateReferenceRecord(
    grpc::ServerContext* ctx, const v1::UpdateReferenceRecordRequest* req,
    v1::UpdateReferenceRecordResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::UpdateReferenceRecordResponse& out) -> absl::Status {
                  RETURN_IF_ERROR(RequireId(req->record().id(), "record.id"));
                  ASSIGN_OR_RETURN(Mask mask, MaskFrom(req->update_mask(), kReferenceUpdatable));
                  ASSIGN_OR_RETURN(ReferenceRecord input, FromProto(req->record(), &mask));
                  ASSIGN_OR_RETURN(
                      ReferenceRecord r,
                      domain_.Update(input, mask, req->expected_version(), req->reason(), who));
                  ToProto(r, out.mutable_record());
                  return absl::OkStatus();
                });
}

grpc::Status ReferenceDataServiceImpl::ListReferenceRecordHistory(
    grpc::ServerContext* ctx, const v1::ListReferenceRecordHistoryRequest* req,
    v1::ListReferenceRecordHistoryResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  RETURN_IF_ERROR_GRPC(RequireId(req->id(), "id"));
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<ChangeEntry> list, domain_.History(req->id(), page, who));
  HistoryToProto(list.items, resp->mutable_entries());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  return grpc::Status::OK;
}

// ---------------------------------------------------------------------------
// ParticipantService

grpc::Status ParticipantServiceImpl::CreateParticipant(grpc::ServerContext* ctx,
                                                       const v1::CreateParticipantRequest* req,
                                                       v1::CreateParticipantResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::CreateParticipantResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(Participant input, FromProto(req->participant(), nullptr));
                  ASSIGN_OR_RETURN(Participant p, domain_.Create(input, who));
                  ToProto(p, out.mutable_participant());
                  return absl::OkStatus();
                });
}

grpc::Status ParticipantServiceImpl::GetParticipant(grpc::ServerContext* ctx,
                                                    const v1::GetParticipantRequest* req,
                                                    v1::GetParticipantResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  RETURN_IF_ERROR_GRPC(RequireId(req->id(), "id"));
  ASSIGN_OR_RETURN_GRPC(Participant p, domain_.Get(req->id(), who));
  ToProto(p, resp->mutable_participant());
  return grpc::Status::OK;
}

grpc::Status ParticipantServiceImpl::ListParticipants(grpc::ServerContext* ctx,
                                                      const v1::ListParticipantsRequest* req,
                                                      v1::ListParticipantsResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  ParticipantFilter filter;
  ASSIGN_OR_RETURN_GRPC(filter.status, FromProto(req->status(), "status"));
  ASSIGN_OR_RETURN_GRPC(filter.role, FromProto(req->role(), "role"));
  filter.region_code = req->region_code();
  filter.query = req->query();
  filter.bin = req->bin();
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(ListPage<Participant> list, domain_.List(filter, page, who));
  for (const auto& p : list.items) ToProto(p, resp->add_participants());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  resp->set_total_size(list.total_size);
  return grpc::Status::OK;
}

grpc::Status ParticipantServiceImpl::UpdateParticipant(grpc::ServerContext* ctx,
                                                       const v1::UpdateParticipantRequest* req,
                                                       v1::UpdateParticipantResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::UpdateParticipantResponse& out) -> absl::Status {
                  RETURN_IF_ERROR(RequireId(req->participant().id(), "participant.id"));
                  ASSIGN_OR_RETURN(Mask mask, MaskFrom(req->update_mask(), kParticipantUpdatable));
                  ASSIGN_OR_RETURN(Participant input, FromProto(req->participant(), &mask));
                  ASSIGN_OR_RETURN(
                      Participant p,
                      domain_.Update(input, mask, req->expected_version(), req->reason(), who));
                  ToProto(p, out.mutable_participant());
                  return absl::OkStatus();
                });
}

grpc::Status ParticipantServiceImpl::ListParticipantHistory(
    grpc::ServerContext* ctx, const v1::ListParticipantHistoryRequest* req,
    v1::ListParticipantHistoryResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  RETURN_IF_ERROR_GRPC(RequireId(req->id(), "id"));
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<ChangeEntry> list, domain_.History(req->id(), page, who));
  HistoryToProto(list.items, resp->mutable_entries());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  return grpc::Status::OK;
}

// ---------------------------------------------------------------------------
// ContractService

grpc::Status ContractServiceImpl::CreateContract(grpc::ServerContext* ctx,
                                                 const v1::CreateContractRequest* req,
                                                 v1::CreateContractResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::CreateContractResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(Contract input, FromProto(req->contract(), nullptr));
                  ASSIGN_OR_RETURN(Contract c, domain_.Create(input, who));
                  ToProto(c, out.mutable_contract());
                  return absl::OkStatus();
                });
}

grpc::Status ContractServiceImpl::GetContract(grpc::ServerContext* ctx,
                                              const v1::GetContractRequest* req,
                                              v1::GetContractResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  RETURN_IF_ERROR_GRPC(RequireId(req->id(), "id"));
  ASSIGN_OR_RETURN_GRPC(Contract c, domain_.Get(req->id(), who));
  ToProto(c, resp->mutable_contract());
  return grpc::Status::OK;
}

grpc::Status ContractServiceImpl::ListContracts(grpc::ServerContext* ctx,
                                                const v1::ListContractsRequest* req,
                                                v1::ListContractsResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  ContractFilter filter;
  filter.participant_id = req->participant_id();
  ASSIGN_OR_RETURN_GRPC(filter.service_type, FromProto(req->service_type(), "service_type"));
  ASSIGN_OR_RETURN_GRPC(filter.state, FromProto(req->state(), "state"));
  ASSIGN_OR_RETURN_GRPC(filter.valid_on, FromOptionalProtoDate(req->valid_on(), "valid_on"));
  filter.query = req->query();
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(ListPage<Contract> list, domain_.List(filter, page, who));
  for (const auto& c : list.items) ToProto(c, resp->add_contracts());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  resp->set_total_size(list.total_size);
  return grpc::Status::OK;
}

grpc::Status ContractServiceImpl::UpdateContract(grpc::ServerContext* ctx,
                                                 const v1::UpdateContractRequest* req,
                                                 v1::UpdateContractResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::UpdateContractResponse& out) -> absl::Status {
                  RETURN_IF_ERROR(RequireId(req->contract().id(), "contract.id"));
                  ASSIGN_OR_RETURN(Mask mask, MaskFrom(req->update_mask(), kContractUpdatable));
                  ASSIGN_OR_RETURN(Contract input, FromProto(req->contract(), &mask));
                  AmendmentInfo amendment{.reason = req->reason(),
                                          .amendment_number = req->amendment_number()};
                  ASSIGN_OR_RETURN(amendment.effective_date,
                                   FromOptionalProtoDate(req->effective_date(), "effective_date"));
                  ASSIGN_OR_RETURN(Contract c, domain_.Update(input, mask, req->expected_version(),
                                                              amendment, who));
                  ToProto(c, out.mutable_contract());
                  return absl::OkStatus();
                });
}

grpc::Status ContractServiceImpl::TransitionContract(grpc::ServerContext* ctx,
                                                     const v1::TransitionContractRequest* req,
                                                     v1::TransitionContractResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::TransitionContractResponse& out) -> absl::Status {
                  RETURN_IF_ERROR(RequireId(req->id(), "id"));
                  ASSIGN_OR_RETURN(ContractState target,
                                   FromProto(req->target_state(), "target_state"));
                  ASSIGN_OR_RETURN(Contract c, domain_.Transition(req->id(), target, req->reason(),
                                                                  req->expected_version(), who));
                  ToProto(c, out.mutable_contract());
                  return absl::OkStatus();
                });
}

grpc::Status ContractServiceImpl::ListContractHistory(grpc::ServerContext* ctx,
                                                      const v1::ListContractHistoryRequest* req,
                                                      v1::ListContractHistoryResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  RETURN_IF_ERROR_GRPC(RequireId(req->id(), "id"));
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<ChangeEntry> list, domain_.History(req->id(), page, who));
  HistoryToProto(list.items, resp->mutable_entries());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  return grpc::Status::OK;
}

// ---------------------------------------------------------------------------
// TariffService

grpc::Status TariffServiceImpl::CreateTariff(grpc::ServerContext* ctx,
                                             const v1::CreateTariffRequest* req,
                                             v1::CreateTariffResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::CreateTariffResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(Tariff input, FromProto(req->tariff(), nullptr));
                  ASSIGN_OR_RETURN(Tariff t, domain_.Create(input, who));
                  ToProto(t, out.mutable_tariff());
                  return absl::OkStatus();
                });
}

grpc::Status TariffServiceImpl::GetTariff(grpc::ServerContext* ctx, const v1::GetTariffRequest* req,
                                          v1::GetTariffResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  RETURN_IF_ERROR_GRPC(RequireId(req->id(), "id"));
  ASSIGN_OR_RETURN_GRPC(Tariff t, domain_.Get(req->id()));
  ToProto(t, resp->mutable_tariff());
  return grpc::Status::OK;
}

grpc::Status TariffServiceImpl::ListTariffs(grpc::ServerContext* ctx,
                                            const v1::ListTariffsRequest* req,
                                            v1::ListTariffsResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(ServiceType service, FromProto(req->service_type(), "service_type"));
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(ListPage<Tariff> list, domain_.List(service, page));
  for (const auto& t : list.items) ToProto(t, resp->add_tariffs());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  resp->set_total_size(list.total_size);
  return grpc::Status::OK;
}

grpc::Status TariffServiceImpl::UpdateTariff(grpc::ServerContext* ctx,
                                             const v1::UpdateTariffRequest* req,
                                             v1::UpdateTariffResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::UpdateTariffResponse& out) -> absl::Status {
                  RETURN_IF_ERROR(RequireId(req->tariff().id(), "tariff.id"));
                  ASSIGN_OR_RETURN(Mask mask, MaskFrom(req->update_mask(), kTariffUpdatable));
                  ASSIGN_OR_RETURN(Tariff input, FromProto(req->tariff(), &mask));
                  ASSIGN_OR_RETURN(Tariff t, domain_.Update(input, mask, req->expected_version(),
                                                            req->reason(), who));
                  ToProto(t, out.mutable_tariff());
                  return absl::OkStatus();
                });
}

grpc::Status TariffServiceImpl::ChangeTariff(grpc::ServerContext* ctx,
                                             const v1::ChangeTariffRequest* req,
                                             v1::ChangeTariffResponse* resp) {
  return Mutate(
      idempotency_, *ctx, *req, resp,
      [&](const Caller& who, v1::ChangeTariffResponse& out) -> absl::Status {
        TariffChange change;
        ASSIGN_OR_RETURN(change.service_type, FromProto(req->service_type(), "service_type"));
        if (!IsSet(req->valid_from())) return InvalidField("valid_from", "required");
        ASSIGN_OR_RETURN(change.valid_from, FromProtoDate(req->valid_from(), "valid_from"));
        if (req->price_per_kwh().empty()) return InvalidField("price_per_kwh", "required");
        ASSIGN_OR_RETURN(change.price_per_kwh,
                         Decimal::Parse(req->price_per_kwh(), "price_per_kwh"));
        change.order_reference = req->order_reference();
        change.note = req->note();
        change.expected_version = req->expected_version();
        ASSIGN_OR_RETURN(TariffChanged changed, domain_.Change(change, who));
        ToProto(changed.closed, out.mutable_closed());
        ToProto(changed.created, out.mutable_tariff());
        return absl::OkStatus();
      });
}

grpc::Status TariffServiceImpl::GetTariffInForce(grpc::ServerContext* ctx,
                                                 const v1::GetTariffInForceRequest* req,
                                                 v1::GetTariffInForceResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(ServiceType service, FromProto(req->service_type(), "service_type"));
  if (!IsSet(req->date())) return ToGrpc(InvalidField("date", "required"));
  ASSIGN_OR_RETURN_GRPC(absl::CivilDay day, FromProtoDate(req->date(), "date"));
  ASSIGN_OR_RETURN_GRPC(Tariff t, domain_.InForce(service, day));
  ToProto(t, resp->mutable_tariff());
  return grpc::Status::OK;
}

grpc::Status TariffServiceImpl::ListTariffsForPeriod(grpc::ServerContext* ctx,
                                                     const v1::ListTariffsForPeriodRequest* req,
                                                     v1::ListTariffsForPeriodResponse* resp) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(ServiceType service, FromProto(req->service_type(), "service_type"));
  ASSIGN_OR_RETURN_GRPC(BillingPeriod period, RequiredPeriod(req->period(), "period"));
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(PeriodTariffs result, domain_.ForPeriod(service, period));
  // At most one slice per day and tariff change: computed whole, paged by offset.
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<TariffSlice> list,
                        paging::SlicePage(std::move(result.slices), page));
  for (const auto& s : list.items) ToProto(s, resp->add_slices());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  resp->set_period_hours(result.period_hours);
  resp->set_fully_covered(result.fully_covered);
  return grpc::Status::OK;
}

grpc::Status TariffServiceImpl::ListTariffHistory(grpc::ServerContext* ctx,
                                                  const v1::ListTariffHistoryRequest* req,
                                                  v1::ListTariffHistoryResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  RETURN_IF_ERROR_GRPC(RequireId(req->id(), "id"));
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<ChangeEntry> list, domain_.History(req->id(), page, who));
  HistoryToProto(list.items, resp->mutable_entries());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  return grpc::Status::OK;
}

// ---------------------------------------------------------------------------
// ApplicationService

grpc::Status ApplicationServiceImpl::CreateApplication(grpc::ServerContext* ctx,
                                                       const v1::CreateApplicationRequest* req,
                                                       v1::CreateApplicationResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::CreateApplicationResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(Application input, FromProto(req->application(), nullptr));
                  ASSIGN_OR_RETURN(Application a, domain_.Create(input, who));
                  ToProto(a, out.mutable_application());
                  return absl::OkStatus();
                });
}

grpc::Status ApplicationServiceImpl::GetApplication(grpc::ServerContext* ctx,
                                                    const v1::GetApplicationRequest* req,
                                                    v1::GetApplicationResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  RETURN_IF_ERROR_GRPC(RequireId(req->id(), "id"));
  ASSIGN_OR_RETURN_GRPC(Application a, domain_.Get(req->id(), who));
  ToProto(a, resp->mutable_application());
  return grpc::Status::OK;
}

grpc::Status ApplicationServiceImpl::ListApplications(grpc::ServerContext* ctx,
                                                      const v1::ListApplicationsRequest* req,
                                                      v1::ListApplicationsResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  ApplicationFilter filter;
  filter.participant_id = req->participant_id();
  ASSIGN_OR_RETURN_GRPC(filter.type, FromProto(req->type(), "type"));
  ASSIGN_OR_RETURN_GRPC(filter.state, FromProto(req->state(), "state"));
  if (req->period().year() != 0 || req->period().month() != 0) {
    ASSIGN_OR_RETURN_GRPC(BillingPeriod period, FromProtoPeriod(req->period(), "period"));
    filter.period = period;
  }
  filter.overdue_only = req->overdue_only();
  if (paging::WantsChanges(*req)) {
    ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::ChangesFromRequest(*req));
    ASSIGN_OR_RETURN_GRPC(ListPage<Application> list, domain_.Changes(filter, page, who));
    for (const auto& a : list.items) ToProto(a, resp->add_applications());
    resp->set_change_cursor(paging::ChangeCursor(*req, list.next));
    return grpc::Status::OK;
  }
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(ListPage<Application> list, domain_.List(filter, page, who));
  for (const auto& a : list.items) ToProto(a, resp->add_applications());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  resp->set_total_size(list.total_size);
  return grpc::Status::OK;
}

grpc::Status ApplicationServiceImpl::UpdateApplication(grpc::ServerContext* ctx,
                                                       const v1::UpdateApplicationRequest* req,
                                                       v1::UpdateApplicationResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::UpdateApplicationResponse& out) -> absl::Status {
                  RETURN_IF_ERROR(RequireId(req->application().id(), "application.id"));
                  ASSIGN_OR_RETURN(Mask mask, MaskFrom(req->update_mask(), kApplicationUpdatable));
                  ASSIGN_OR_RETURN(Application input, FromProto(req->application(), &mask));
                  ASSIGN_OR_RETURN(Application a,
                                   domain_.Update(input, mask, req->expected_version(), who));
                  ToProto(a, out.mutable_application());
                  return absl::OkStatus();
                });
}

grpc::Status ApplicationServiceImpl::TransitionApplication(
    grpc::ServerContext* ctx, const v1::TransitionApplicationRequest* req,
    v1::TransitionApplicationResponse* resp) {
  return Mutate(
      idempotency_, *ctx, *req, resp,
      [&](const Caller& who, v1::TransitionApplicationResponse& out) -> absl::Status {
        RETURN_IF_ERROR(RequireId(req->id(), "id"));
        ASSIGN_OR_RETURN(ApplicationState target, FromProto(req->target_state(), "target_state"));
        std::optional<absl::Time> received;
        if (req->has_received_time()) received = FromProtoTime(req->received_time());
        ASSIGN_OR_RETURN(Application a, domain_.Transition(req->id(), target, req->resolution(),
                                                           req->expected_version(), who, received));
        ToProto(a, out.mutable_application());
        return absl::OkStatus();
      });
}

grpc::Status ApplicationServiceImpl::AddApplicationComment(
    grpc::ServerContext* ctx, const v1::AddApplicationCommentRequest* req,
    v1::AddApplicationCommentResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::AddApplicationCommentResponse& out) -> absl::Status {
                  RETURN_IF_ERROR(RequireId(req->application_id(), "application_id"));
                  ASSIGN_OR_RETURN(ApplicationComment c,
                                   domain_.AddComment(req->application_id(), req->text(), who));
                  ToProto(c, out.mutable_comment());
                  return absl::OkStatus();
                });
}

grpc::Status ApplicationServiceImpl::ListApplicationComments(
    grpc::ServerContext* ctx, const v1::ListApplicationCommentsRequest* req,
    v1::ListApplicationCommentsResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  RETURN_IF_ERROR_GRPC(RequireId(req->application_id(), "application_id"));
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<ApplicationComment> list,
                        domain_.ListComments(req->application_id(), page, who));
  for (const auto& c : list.items) ToProto(c, resp->add_comments());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  return grpc::Status::OK;
}

grpc::Status ApplicationServiceImpl::ListApplicationHistory(
    grpc::ServerContext* ctx, const v1::ListApplicationHistoryRequest* req,
    v1::ListApplicationHistoryResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  RETURN_IF_ERROR_GRPC(RequireId(req->id(), "id"));
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(paging::PageOf<ChangeEntry> list, domain_.History(req->id(), page, who));
  HistoryToProto(list.items, resp->mutable_entries());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  return grpc::Status::OK;
}

grpc::Status ApplicationServiceImpl::CountApplications(grpc::ServerContext* ctx,
                                                       const v1::CountApplicationsRequest* req,
                                                       v1::CountApplicationsResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(BillingPeriod period, RequiredPeriod(req->period(), "period"));
  ASSIGN_OR_RETURN_GRPC(ApplicationType type, FromProto(req->type(), "type"));
  ASSIGN_OR_RETURN_GRPC(ApplicationCounts counts,
                        domain_.Count(period, req->participant_id(), type, who));
  resp->set_received(counts.received);
  resp->set_processed(counts.processed);
  resp->set_closed(counts.closed);
  resp->set_overdue(counts.overdue);
  for (const auto& [state, count] : counts.by_state) {
    auto* s = resp->add_by_state();
    s->set_state(static_cast<v1::ApplicationState>(state));
    s->set_count(count);
  }
  return grpc::Status::OK;
}

}  // namespace gridbill::contracts
