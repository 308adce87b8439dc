// The forecasting service's configuration: one validated struct.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/server/config.h"
#include "outlook.h"
#include "revenue.h"
#include "runs.h"

namespace gridbill::forecasting {

inline constexpr int kDefaultGrpcPort = 7105;
inline constexpr int kDefaultMetricsPort = 9105;

struct Config {
  ServerConfig server;
  DatabaseConfig db;
  // contracts_address: participants (BINs, regions) and contracts.
  std::string contracts_address;
  // balance_address: billing runs' totals; empty: the legacy history only.
  std::string balance_address;
  // invoicing_address: the VAT rates (ListVatRates); empty: `vat_rates`.
  std::string invoicing_address;
  // vat_rates ("2019-01-01=12,2026-01-01=16"): only where invoicing_address
  // is empty (a forecasting without invoicing); else invoicing's table.
  std::vector<VatRate> vat_rates;
  // source_timeout: deadline of one call to contracts, balance or invoicing.
  absl::Duration source_timeout;
  // workers, run_lease, worker_id, series_per_piece, live_from.
  RunsConfig runs;
  // declaration_flag_percent (15), time_zone (Asia/Almaty).
  OutlookConfig outlook;

  // Reads every key; refuses unknown keys (typos) with INVALID_ARGUMENT.
  static absl::StatusOr<Config> Load(const ConfigSource& src);
};

}  // namespace gridbill::forecasting
