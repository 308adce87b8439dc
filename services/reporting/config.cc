#include "config.h"

#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"

namespace gridbill::reporting {

absl::StatusOr<Config> Config::Load(const ConfigSource& src) {
  Config c;
  ASSIGN_OR_RETURN(c.server,
                   ServerConfig::Load(src, "reporting", kDefaultGrpcPort, kDefaultMetricsPort));
  ASSIGN_OR_RETURN(c.db, DatabaseConfig::Load(src));
  ASSIGN_OR_RETURN(c.contracts_address, src.Address("contracts_address", "127.0.0.1:7101"));
  ASSIGN_OR_RETURN(c.invoicing_address, src.Address("invoicing_address", "127.0.0.1:7104"));
  ASSIGN_OR_RETURN(c.balance_address, src.Address("balance_address", "127.0.0.1:7103"));
  ASSIGN_OR_RETURN(c.metering_address, src.Address("metering_address", "127.0.0.1:7102"));
  ASSIGN_OR_RETURN(c.forecasting_address, src.OptionalAddress("forecasting_address", ""));
  ASSIGN_OR_RETURN(c.reporting.time_zone, src.String("time_zone", "Asia/Almaty"));
  RETURN_IF_ERROR(LoadZone(c.reporting.time_zone, "time_zone").status());
  ASSIGN_OR_RETURN(c.source_timeout, src.Duration("source_timeout", absl::Minutes(2)));
  ASSIGN_OR_RETURN(c.export_tmp_dir, src.String("export_tmp_dir", "/tmp"));
  ASSIGN_OR_RETURN(c.schedule_poll, src.Duration("schedule_poll", absl::Seconds(30)));
  ASSIGN_OR_RETURN(int64_t workers, src.Int("workers", 2, 0, 64));
  c.reporting.workers = static_cast<int>(workers);
  ASSIGN_OR_RETURN(c.reporting.lease,
                   src.DurationAtLeast("refresh_lease", absl::Minutes(5), absl::Seconds(10)));
  ASSIGN_OR_RETURN(c.reporting.worker_id, src.WorkerId());
  RETURN_IF_ERROR(src.CheckUnused());
  return c;
}

}  // namespace gridbill::reporting
