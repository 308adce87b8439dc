// The gRPC edge of forecasting: proto <-> domain, Status <-> grpc::Status.
#pragma once

#include "gridbill/forecasting/v1/forecasting.grpc.pb.h"
#include "gridbill/pg/idempotency.h"
#include "outlook.h"
#include "runs.h"

namespace gridbill::forecasting {

class ForecastServiceImpl final : public v1::ForecastService::Service {
 public:
  ForecastServiceImpl(Runs& runs, Outlook& outlook, Idempotency& idempotency)
      : runs_(runs), outlook_(outlook), idempotency_(idempotency) {}

  grpc::Status StartForecastRun(grpc::ServerContext* ctx, const v1::StartForecastRunRequest* req,
                                v1::StartForecastRunResponse* resp) override;
  grpc::Status GetForecastRun(grpc::ServerContext* ctx, const v1::GetForecastRunRequest* req,
                              v1::GetForecastRunResponse* resp) override;
  grpc::Status WatchForecastRun(grpc::ServerContext* ctx, const v1::WatchForecastRunRequest* req,
                                grpc::ServerWriter<v1::WatchForecastRunResponse>* writer) override;
  grpc::Status CancelForecastRun(grpc::ServerContext* ctx, const v1::CancelForecastRunRequest* req,
                                 v1::CancelForecastRunResponse* resp) override;
  grpc::Status ListForecastRuns(grpc::ServerContext* ctx, const v1::ListForecastRunsRequest* req,
                                v1::ListForecastRunsResponse* resp) override;
  grpc::Status GetForecast(grpc::ServerContext* ctx, const v1::GetForecastRequest* req,
                           v1::GetForecastResponse* resp) override;
  grpc::Status GetRevenueForecast(grpc::ServerContext* ctx,
                                  const v1::GetRevenueForecastRequest* req,
                                  v1::GetRevenueForecastResponse* resp) override;
  grpc::Status TariffWhatIf(grpc::ServerContext* ctx, const v1::TariffWhatIfRequest* req,
                            v1::TariffWhatIfResponse* resp) override;
  grpc::Status ListDeclarationFlags(grpc::ServerContext* ctx,
                                    const v1::ListDeclarationFlagsRequest* req,
                                    v1::ListDeclarationFlagsResponse* resp) override;
  grpc::Status EstimateMonthToDate(grpc::ServerContext* ctx,
                                   const v1::EstimateMonthToDateRequest* req,
                                   v1::EstimateMonthToDateResponse* resp) override;

 private:
  Runs& runs_;
  Outlook& outlook_;
  Idempotency& idempotency_;
};

class HistoryServiceImpl final : public v1::HistoryService::Service {
 public:
  HistoryServiceImpl(Runs& runs, Idempotency& idempotency)
      : runs_(runs), idempotency_(idempotency) {}

  grpc::Status ImportHistory(grpc::ServerContext* ctx, const v1::ImportHistoryRequest* req,
                             v1::ImportHistoryResponse* resp) override;
  grpc::Status GetHistoryImport(grpc::ServerContext* ctx, const v1::GetHistoryImportRequest* req,
                                v1::GetHistoryImportResponse* resp) override;

 private:
  Runs& runs_;
  Idempotency& idempotency_;
};

}  // namespace gridbill::forecasting
