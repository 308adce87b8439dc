// The gRPC edge of AuditService: reads the audit trail for admins and
// auditors (the roles are enforced by the proxy and again by the identity
// guard of the server it runs in).
#pragma once

#include "audit.h"
#include "gridbill/gateway/v1/gateway.grpc.pb.h"

namespace gridbill::gateway {

class AuditServiceImpl final : public v1::AuditService::Service {
 public:
  explicit AuditServiceImpl(AuditStore& store) : store_(store) {}

  grpc::Status ListAuditEntries(grpc::ServerContext* ctx, const v1::ListAuditEntriesRequest* req,
                                v1::ListAuditEntriesResponse* resp) override;

 private:
  AuditStore& store_;
};

}  // namespace gridbill::gateway
