#include "routes.h"

#include "gridbill/balance/v1/balance.pb.h"
#include "gridbill/contracts/v1/contracts.pb.h"
#include "gridbill/forecasting/v1/forecasting.pb.h"
#include "gridbill/gateway/v1/gateway.pb.h"
#include "gridbill/integrations/v1/integrations.pb.h"
#include "gridbill/invoicing/v1/invoicing.pb.h"
#include "gridbill/metering/v1/metering.pb.h"
#include "gridbill/reporting/v1/reporting.pb.h"

namespace gridbill::gateway {

std::vector<ServiceRoute> SuiteRoutes() {
  // Referencing one descriptor per file links and registers the file.
  (void)contracts::v1::GetContractRequest::descriptor();
  (void)metering::v1::GetReadingsRequest::descriptor();
  (void)balance::v1::SchemeTerm::descriptor();
  (void)invoicing::v1::Period::descriptor();
  (void)forecasting::v1::ForecastRun::descriptor();
  (void)reporting::v1::Refresh::descriptor();
  (void)integrations::v1::Delivery::descriptor();
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
      {"gridbill.balance.v1.SchemeService", kBackendBalance, false},
      {"gridbill.balance.v1.BalanceService", kBackendBalance, false},
      {"gridbill.invoicing.v1.BillingPeriodService", kBackendInvoicing, false},
      {"gridbill.invoicing.v1.InvoiceRunService", kBackendInvoicing, false},
      {"gridbill.invoicing.v1.DocumentService", kBackendInvoicing, false},
      {"gridbill.invoicing.v1.PaymentService", kBackendInvoicing, false},
      {"gridbill.invoicing.v1.ErpExportService", kBackendInvoicing, false},
      {"gridbill.forecasting.v1.ForecastService", kBackendForecasting, false},
      {"gridbill.forecasting.v1.HistoryService", kBackendForecasting, false},
      {"gridbill.reporting.v1.ReportService", kBackendReporting, false},
      {"gridbill.reporting.v1.ScheduleService", kBackendReporting, false},
      {"gridbill.integrations.v1.IntegrationsService", kBackendIntegrations, false},
      {"gridbill.gateway.v1.AuthService", kBackendGateway, true},
      {"gridbill.gateway.v1.AuditService", kBackendGateway, false},
  };
}

}  // namespace gridbill::gateway
