// The balance service's gRPC edge: proto <-> domain, Status <-> grpc::Status.
#pragma once

#include "gridbill/balance/v1/balance.grpc.pb.h"
#include "gridbill/pg/idempotency.h"
#include "runs.h"
#include "schemes.h"

namespace gridbill::balance {

class SchemeServiceImpl final : public v1::SchemeService::Service {
 public:
  SchemeServiceImpl(Schemes& schemes, Idempotency& idempotency)
      : schemes_(schemes), idempotency_(idempotency) {}

  grpc::Status DefineScheme(grpc::ServerContext* ctx, const v1::DefineSchemeRequest* req,
                            v1::DefineSchemeResponse* resp) override;
  grpc::Status CloseScheme(grpc::ServerContext* ctx, const v1::CloseSchemeRequest* req,
                           v1::CloseSchemeResponse* resp) override;
  grpc::Status GetScheme(grpc::ServerContext* ctx, const v1::GetSchemeRequest* req,
                         v1::GetSchemeResponse* resp) override;
  grpc::Status ListSchemes(grpc::ServerContext* ctx, const v1::ListSchemesRequest* req,
                           v1::ListSchemesResponse* resp) override;

 private:
  Schemes& schemes_;
  Idempotency& idempotency_;
};

class BalanceServiceImpl final : public v1::BalanceService::Service {
 public:
  BalanceServiceImpl(Runs& runs, Idempotency& idempotency)
      : runs_(runs), idempotency_(idempotency) {}

  grpc::Status StartRun(grpc::ServerContext* ctx, const v1::StartRunRequest* req,
                        v1::StartRunResponse* resp) override;
  grpc::Status GetRun(grpc::ServerContext* ctx, const v1::GetRunRequest* req,
                      v1::GetRunResponse* resp) override;
  grpc::Status WatchRun(grpc::ServerContext* ctx, const v1::WatchRunRequest* req,
                        grpc::ServerWriter<v1::WatchRunResponse>* writer) override;
  grpc::Status CancelRun(grpc::ServerContext* ctx, const v1::CancelRunRequest* req,
                         v1::CancelRunResponse* resp) override;
  grpc::Status ListRuns(grpc::ServerContext* ctx, const v1::ListRunsRequest* req,
                        v1::ListRunsResponse* resp) override;
  grpc::Status GetBillingRun(grpc::ServerContext* ctx, const v1::GetBillingRunRequest* req,
                             v1::GetBillingRunResponse* resp) override;
  grpc::Status ListServiceHours(grpc::ServerContext* ctx, const v1::ListServiceHoursRequest* req,
                                v1::ListServiceHoursResponse* resp) override;
  grpc::Status StreamServiceHours(
      grpc::ServerContext* ctx, const v1::StreamServiceHoursRequest* req,
      grpc::ServerWriter<v1::StreamServiceHoursResponse>* writer) override;
  grpc::Status ListNodeHours(grpc::ServerContext* ctx, const v1::ListNodeHoursRequest* req,
                             v1::ListNodeHoursResponse* resp) override;
  grpc::Status ListRunTotals(grpc::ServerContext* ctx, const v1::ListRunTotalsRequest* req,
                             v1::ListRunTotalsResponse* resp) override;
  grpc::Status DiffRuns(grpc::ServerContext* ctx, const v1::DiffRunsRequest* req,
                        v1::DiffRunsResponse* resp) override;

 private:
  Runs& runs_;
  Idempotency& idempotency_;
};

}  // namespace gridbill::balance
