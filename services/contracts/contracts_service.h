// The gRPC edge of the contracts service: one class per service of
// gridbill/contracts/v1/contracts.proto. Each method converts the request,
// calls the domain, converts the result and the status; mutations run under
// the idempotency guard so a retry replays the first response.
#pragma once

#include "applications.h"
#include "contracts.h"
#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/pg/idempotency.h"
#include "participants.h"
#include "reference_data.h"
#include "tariffs.h"

namespace gridbill::contracts {

class ReferenceDataServiceImpl final : public v1::ReferenceDataService::Service {
 public:
  ReferenceDataServiceImpl(ReferenceData& domain, Idempotency& idempotency)
      : domain_(domain), idempotency_(idempotency) {}

  grpc::Status CreateReferenceRecord(grpc::ServerContext* ctx,
                                     const v1::CreateReferenceRecordRequest* req,
                                     v1::CreateReferenceRecordResponse* resp) override;
  grpc::Status GetReferenceRecord(grpc::ServerContext* ctx,
                                  const v1::GetReferenceRecordRequest* req,
                                  v1::GetReferenceRecordResponse* resp) override;
  grpc::Status ListReferenceRecords(grpc::ServerContext* ctx,
                                    const v1::ListReferenceRecordsRequest* req,
                                    v1::ListReferenceRecordsResponse* resp) override;
  grpc::Status UpdateReferenceRecord(grpc::ServerContext* ctx,
                                     const v1::UpdateReferenceRecordRequest* req,
                                     v1::UpdateReferenceRecordResponse* resp) override;
  grpc::Status ListReferenceRecordHistory(grpc::ServerContext* ctx,
                                          const v1::ListReferenceRecordHistoryRequest* req,
                                          v1::ListReferenceRecordHistoryResponse* resp) override;

 private:
  ReferenceData& domain_;
  Idempotency& idempotency_;
};

class ParticipantServiceImpl final : public v1::ParticipantService::Service {
 public:
  ParticipantServiceImpl(Participants& domain, Idempotency& idempotency)
      : domain_(domain), idempotency_(idempotency) {}

  grpc::Status CreateParticipant(grpc::ServerContext* ctx, const v1::CreateParticipantRequest* req,
                                 v1::CreateParticipantResponse* resp) override;
  grpc::Status GetParticipant(grpc::ServerContext* ctx, const v1::GetParticipantRequest* req,
                              v1::GetParticipantResponse* resp) override;
  grpc::Status ListParticipants(grpc::ServerContext* ctx, const v1::ListParticipantsRequest* req,
                                v1::ListParticipantsResponse* resp) override;
  grpc::Status UpdateParticipant(grpc::ServerContext* ctx, const v1::UpdateParticipantRequest* req,
                                 v1::UpdateParticipantResponse* resp) override;
  grpc::Status ListParticipantHistory(grpc::ServerContext* ctx,
                                      const v1::ListParticipantHistoryRequest* req,
                                      v1::ListParticipantHistoryResponse* resp) override;

 private:
  Participants& domain_;
  Idempotency& idempotency_;
};

class ContractServiceImpl final : public v1::ContractService::Service {
 public:
  ContractServiceImpl(Contracts& domain, Idempotency& idempotency)
      : domain_(domain), idempotency_(idempotency) {}

  grpc::Status CreateContract(grpc::ServerContext* ctx, const v1::CreateContractRequest* req,
                              v1::CreateContractResponse* resp) override;
  grpc::Status GetContract(grpc::ServerContext* ctx, const v1::GetContractRequest* req,
                           v1::GetContractResponse* resp) override;
  grpc::Status ListContracts(grpc::ServerContext* ctx, const v1::ListContractsRequest* req,
                             v1::ListContractsResponse* resp) override;
  grpc::Status UpdateContract(grpc::ServerContext* ctx, const v1::UpdateContractRequest* req,
                              v1::UpdateContractResponse* resp) override;
  grpc::Status TransitionContract(grpc::ServerContext* ctx,
                                  const v1::TransitionContractRequest* req,
                                  v1::TransitionContractResponse* resp) override;
  grpc::Status ListContractHistory(grpc::ServerContext* ctx,
                                   const v1::ListContractHistoryRequest* req,
                                   v1::ListContractHistoryResponse* resp) override;

 private:
  Contracts& domain_;
  Idempotency& idempotency_;
};

class TariffServiceImpl final : public v1::TariffService::Service {
 public:
  TariffServiceImpl(Tariffs& domain, Idempotency& idempotency)
      : domain_(domain), idempotency_(idempotency) {}

  grpc::Status CreateTariff(grpc::ServerContext* ctx, const v1::CreateTariffRequest* req,
                            v1::CreateTariffResponse* resp) override;
  grpc::Status GetTariff(grpc::ServerContext* ctx, const v1::GetTariffRequest* req,
                         v1::GetTariffResponse* resp) override;
  grpc::Status ListTariffs(grpc::ServerContext* ctx, const v1::ListTariffsRequest* req,
                           v1::ListTariffsResponse* resp) override;
  grpc::Status UpdateTariff(grpc::ServerContext* ctx, const v1::UpdateTariffRequest* req,
                            v1::UpdateTariffResponse* resp) override;
  grpc::Status ChangeTariff(grpc::ServerContext* ctx, const v1::ChangeTariffRequest* req,
                            v1::ChangeTariffResponse* resp) override;
  grpc::Status GetTariffInForce(grpc::ServerContext* ctx, const v1::GetTariffInForceRequest* req,
                                v1::GetTariffInForceResponse* resp) override;
  grpc::Status ListTariffsForPeriod(grpc::ServerContext* ctx,
                                    const v1::ListTariffsForPeriodRequest* req,
                                    v1::ListTariffsForPeriodResponse* resp) override;
  grpc::Status ListTariffHistory(grpc::ServerContext* ctx, const v1::ListTariffHistoryRequest* req,
                                 v1::ListTariffHistoryResponse* resp) override;

 private:
  Tariffs& domain_;
  Idempotency& idempotency_;
};

class ApplicationServiceImpl final : public v1::ApplicationService::Service {
 public:
  ApplicationServiceImpl(Applications& domain, Idempotency& idempotency)
      : domain_(domain), idempotency_(idempotency) {}

  grpc::Status CreateApplication(grpc::ServerContext* ctx, const v1::CreateApplicationRequest* req,
                                 v1::CreateApplicationResponse* resp) override;
  grpc::Status GetApplication(grpc::ServerContext* ctx, const v1::GetApplicationRequest* req,
                              v1::GetApplicationResponse* resp) override;
  grpc::Status ListApplications(grpc::ServerContext* ctx, const v1::ListApplicationsRequest* req,
                                v1::ListApplicationsResponse* resp) override;
  grpc::Status UpdateApplication(grpc::ServerContext* ctx, const v1::UpdateApplicationRequest* req,
                                 v1::UpdateApplicationResponse* resp) override;
  grpc::Status TransitionApplication(grpc::ServerContext* ctx,
                                     const v1::TransitionApplicationRequest* req,
                                     v1::TransitionApplicationResponse* resp) override;
  grpc::Status AddApplicationComment(grpc::ServerContext* ctx,
                                     const v1::AddApplicationCommentRequest* req,
                                     v1::AddApplicationCommentResponse* resp) override;
  grpc::Status ListApplicationComments(grpc::ServerContext* ctx,
                                       const v1::ListApplicationCommentsRequest* req,
                                       v1::ListApplicationCommentsResponse* resp) override;
  grpc::Status ListApplicationHistory(grpc::ServerContext* ctx,
                                      const v1::ListApplicationHistoryRequest* req,
                                      v1::ListApplicationHistoryResponse* resp) override;
  grpc::Status CountApplications(grpc::ServerContext* ctx, const v1::CountApplicationsRequest* req,
                                 v1::CountApplicationsResponse* resp) override;

 private:
  Applications& domain_;
  Idempotency& idempotency_;
};

}  // namespace gridbill::contracts
