#include "config.h"

#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"

namespace gridbill::forecasting {

absl::StatusOr<Config> Config::Load(const ConfigSource& src) {
  Config c;
  ASSIGN_OR_RETURN(c.server,
                   ServerConfig::Load(src, "forecasting", kDefaultGrpcPort, kDefaultMetricsPort));
  ASSIGN_OR_RETURN(c.db, DatabaseConfig::Load(src));
  ASSIGN_OR_RETURN(c.contracts_address, src.Address("contracts_address", "127.0.0.1:7101"));
  ASSIGN_OR_RETURN(c.balance_address, src.OptionalAddress("balance_address", "127.0.0.1:7103"));
  ASSIGN_OR_RETURN(c.invoicing_address, src.OptionalAddress("invoicing_address", "127.0.0.1:7104"));
  ASSIGN_OR_RETURN(c.source_timeout, src.Duration("source_timeout", absl::Minutes(2)));
  ASSIGN_OR_RETURN(int64_t workers, src.Int("workers", 2, 0, 64));
  c.runs.workers = static_cast<int>(workers);
  ASSIGN_OR_RETURN(int64_t per_piece, src.Int("series_per_piece", 64, 1, 100000));
  c.runs.series_per_piece = static_cast<int>(per_piece);
  ASSIGN_OR_RETURN(c.runs.lease,
                   src.DurationAtLeast("run_lease", absl::Minutes(5), absl::Seconds(10)));
  ASSIGN_OR_RETURN(std::string live_from, src.String("live_from", "2025-11"));
  ASSIGN_OR_RETURN(BillingPeriod live, BillingPeriod::Parse(live_from, "live_from"));
  c.runs.live_from = live.civil_month();
  ASSIGN_OR_RETURN(std::string vat, src.String("vat_rates", "2019-01-01=12,2026-01-01=16"));
  ASSIGN_OR_RETURN(c.vat_rates, ParseVatRates(vat, "vat_rates"));
  ASSIGN_OR_RETURN(int64_t flag, src.Int("declaration_flag_percent", 15, 1, 1000));
  c.outlook.flag_percent = static_cast<double>(flag);
  ASSIGN_OR_RETURN(std::string zone, src.String("time_zone", "Asia/Almaty"));
  ASSIGN_OR_RETURN(c.outlook.zone, LoadZone(zone, "time_zone"));
  ASSIGN_OR_RETURN(c.runs.worker_id, src.WorkerId());
  RETURN_IF_ERROR(src.CheckUnused());
  return c;
}

}  // namespace gridbill::forecasting
