// The gRPC edge of integrations: proto <-> domain, Status <-> grpc::Status.
#pragma once

#include "adapters.h"
#include "gridbill/integrations/v1/integrations.grpc.pb.h"
#include "gridbill/pg/idempotency.h"
#include "store.h"

namespace gridbill::integrations {

class IntegrationsServiceImpl final : public v1::IntegrationsService::Service {
 public:
  IntegrationsServiceImpl(Store& store, Adapters& adapters, Idempotency& idempotency,
                          const Clock& clock, absl::TimeZone zone)
      : store_(store), adapters_(adapters), idempotency_(idempotency), clock_(clock), zone_(zone) {}

  grpc::Status ListDeliveries(grpc::ServerContext* ctx, const v1::ListDeliveriesRequest* req,
                              v1::ListDeliveriesResponse* resp) override;
  grpc::Status RetryDelivery(grpc::ServerContext* ctx, const v1::RetryDeliveryRequest* req,
                             v1::RetryDeliveryResponse* resp) override;
  grpc::Status SkipDelivery(grpc::ServerContext* ctx, const v1::SkipDeliveryRequest* req,
                            v1::SkipDeliveryResponse* resp) override;
  grpc::Status ListEsfAtRisk(grpc::ServerContext* ctx, const v1::ListEsfAtRiskRequest* req,
                             v1::ListEsfAtRiskResponse* resp) override;
  grpc::Status ListAdapters(grpc::ServerContext* ctx, const v1::ListAdaptersRequest* req,
                            v1::ListAdaptersResponse* resp) override;
  grpc::Status ListReconciliations(grpc::ServerContext* ctx,
                                   const v1::ListReconciliationsRequest* req,
                                   v1::ListReconciliationsResponse* resp) override;

 private:
  Store& store_;
  Adapters& adapters_;
  Idempotency& idempotency_;
  const Clock& clock_;
  absl::TimeZone zone_;
};

}  // namespace gridbill::integrations
