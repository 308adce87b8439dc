#include "routes.h"

#include "gridbill/contracts/v1/contracts.pb.h"
#include "gridbill/gateway/v1/gateway.pb.h"
#include "gridbill/metering/v1/metering.pb.h"

namespace gridbill::gateway {

std::vector<ServiceRoute> SuiteRoutes() {
  // Referencing one descriptor per file links and registers the file.
  (void)contracts::v1::GetContractRequest::descriptor();
  (void)metering::v1::GetReadingsRequest::descriptor();
  (void)v1::SignInRequest::descriptor();
  return {
      {"gridbill.contracts.v1.ReferenceDataService", kBackendContracts, false},
      {"gridbill.contracts.v1.ParticipantService", kBackendContracts, false},
      {"gridbill.contracts.v1.ContractService", kBackendContracts, false},
      {"gridbill.contracts.v1.TariffService", kBackendContracts, false},
      {"gridbill.contracts.v1.ApplicationService", kBackendContracts, false},
      {"gridbill.metering.v1.MeteringPointService", kBackendMetering, false},
      {"gridbill.metering.v1.ReadingService", kBackendMetering, false},
      {"gridbill.metering.v1.ImportService", kBackendMetering, false},
      {"gridbill.gateway.v1.AuthService", kBackendGateway, true},
      {"gridbill.gateway.v1.AuditService", kBackendGateway, false},
  };
}

}  // namespace gridbill::gateway
