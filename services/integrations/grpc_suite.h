// The suite as the adapters see it: the gateway's gRPC door, every call
// carrying the API key (x-api-key) of a ROLE_INTEGRATION_CLIENT key, exactly
// as a third-party integrator calls it.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "gridbill/balance/v1/balance.grpc.pb.h"
#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/invoicing/v1/invoicing.grpc.pb.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "gridbill/server/client_call.h"
#include "suite.h"

namespace gridbill::integrations {

class GrpcSuite final : public Suite {
 public:
  GrpcSuite(std::shared_ptr<grpc::Channel> gateway, std::string api_key, absl::Duration timeout);

  absl::StatusOr<DocumentChanges> DocumentsChangedAfter(const std::string& cursor,
                                                        int limit) override;
  absl::StatusOr<std::string> DocumentPdf(const std::string& id, std::string* sha256) override;
  absl::StatusOr<std::string> DocumentXml(const std::string& id) override;
  absl::StatusOr<PaymentsOutcome> ImportPayments(const std::string& request_id,
                                                 const std::string& csv) override;
  absl::StatusOr<std::string> StartMeteringImport(const std::string& request_id,
                                                  const std::string& file_name,
                                                  const std::string& content, bool xml,
                                                  int unit) override;
  absl::StatusOr<ImportOutcome> MeteringImport(const std::string& job_id) override;
  absl::Status IngestScada(const std::string& request_id,
                           const std::vector<ScadaValue>& values) override;
  absl::StatusOr<std::vector<RunFact>> RecentRuns(const std::string& service, int limit) override;
  absl::StatusOr<std::vector<ApplicationFact>> OverdueApplications(int limit) override;
  absl::StatusOr<RunChanges> InvoiceRunsChangedAfter(const std::string& cursor, int limit) override;
  absl::StatusOr<std::vector<DocumentFact>> RunDocuments(const std::string& run_id) override;
  absl::StatusOr<ExportedFile> ExportAccruals(const std::string& period) override;
  absl::StatusOr<RunChanges> BalanceRunsChangedAfter(const std::string& cursor, int limit) override;
  absl::StatusOr<std::vector<ServiceHourFact>> ServiceHours(const std::string& run_id) override;
  absl::StatusOr<std::vector<NodeTotalFact>> NodeTotals(const std::string& run_id) override;
  absl::StatusOr<PaymentChanges> PaymentsChangedAfter(const std::string& cursor,
                                                      int limit) override;
  absl::StatusOr<std::vector<std::string>> MeteringPointCodes() override;
  absl::StatusOr<std::vector<PointDayQuality>> PointDays(const std::vector<std::string>& points,
                                                         absl::CivilDay from, absl::CivilDay to,
                                                         absl::Time as_of) override;

 private:
  std::unique_ptr<invoicing::v1::DocumentService::Stub> documents_;
  std::unique_ptr<invoicing::v1::PaymentService::Stub> payments_;
  std::unique_ptr<metering::v1::ImportService::Stub> imports_;
  std::unique_ptr<metering::v1::ReadingService::Stub> readings_;
  std::unique_ptr<balance::v1::BalanceService::Stub> balance_;
  std::unique_ptr<invoicing::v1::InvoiceRunService::Stub> invoice_runs_;
  std::unique_ptr<contracts::v1::ApplicationService::Stub> applications_;
  std::unique_ptr<metering::v1::MeteringPointService::Stub> points_;
  std::unique_ptr<invoicing::v1::ErpExportService::Stub> erp_exports_;
  PeerCaller peer_;
};

}  // namespace gridbill::integrations
