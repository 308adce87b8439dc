// Which backend owns which published service: the route table's input.
#pragma once

#include <vector>

#include "policy.h"

namespace gridbill::gateway {

// Backend names used by the routes (keys of the backend channel map).
inline constexpr char kBackendContracts[] = "contracts";
inline constexpr char kBackendMetering[] = "metering";
inline constexpr char kBackendBalance[] = "balance";
inline constexpr char kBackendInvoicing[] = "invoicing";
inline constexpr char kBackendForecasting[] = "forecasting";
inline constexpr char kBackendReporting[] = "reporting";
inline constexpr char kBackendIntegrations[] = "integrations";
inline constexpr char kBackendGateway[] = "gateway";  // the gateway's own AuthService

// Every published service the gateway routes. Also makes sure the
// generated descriptors of those services are linked into the binary (a
// static library's object is dropped when nothing references it).
std::vector<ServiceRoute> SuiteRoutes();

}  // namespace gridbill::gateway
