// The other services' APIs as reporting's sources: participants from
// contracts, invoice runs, documents and payments from invoicing. Calls are
// made as "service:reporting" with the auditor's role (read-only, every
// participant's rows).
#pragma once

#include <memory>

#include "absl/time/time.h"
#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/invoicing/v1/invoicing.grpc.pb.h"
#include "gridbill/server/client_call.h"
#include "sources.h"

namespace gridbill::reporting {

class GrpcSources final : public Sources {
 public:
  GrpcSources(std::shared_ptr<grpc::Channel> contracts, std::shared_ptr<grpc::Channel> invoicing,
              absl::Duration timeout);
  absl::StatusOr<std::vector<ParticipantInfo>> Participants() override;
  absl::StatusOr<std::vector<InvoiceRunInfo>> InvoiceRuns() override;
  absl::StatusOr<std::vector<DocumentInfo>> DocumentsOfRun(const std::string& run_id) override;
  absl::StatusOr<std::vector<PaymentInfo>> Payments() override;
  absl::StatusOr<std::optional<Changes<DocumentInfo>>> DocumentChanges(
      const std::string& cursor) override;
  absl::StatusOr<std::optional<Changes<PaymentInfo>>> PaymentChanges(
      const std::string& cursor) override;

 private:
  std::unique_ptr<contracts::v1::ParticipantService::Stub> participants_;
  std::unique_ptr<invoicing::v1::InvoiceRunService::Stub> runs_;
  std::unique_ptr<invoicing::v1::DocumentService::Stub> documents_;
  std::unique_ptr<invoicing::v1::PaymentService::Stub> payments_;
  PeerCaller peer_;
};

}  // namespace gridbill::reporting
