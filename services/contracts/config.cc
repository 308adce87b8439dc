#include "config.h"

#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"

namespace gridbill::contracts {
namespace {

constexpr int64_t kMaxDeadlineDays = 365;

absl::StatusOr<int> Days(const ConfigSource& src, const char* key, int fallback) {
  ASSIGN_OR_RETURN(int64_t days, src.Int(key, fallback, 1, kMaxDeadlineDays));
  return static_cast<int>(days);
}

}  // namespace

absl::StatusOr<Config> Config::Load(const ConfigSource& src) {
  Config c;
  ASSIGN_OR_RETURN(c.server,
                   ServerConfig::Load(src, "contracts", kDefaultGrpcPort, kDefaultMetricsPort));
  ASSIGN_OR_RETURN(c.db, DatabaseConfig::Load(src));
  ASSIGN_OR_RETURN(c.time_zone, src.String("time_zone", "Asia/Almaty"));
  ASSIGN_OR_RETURN(c.zone, LoadZone(c.time_zone, "time_zone"));
  ApplicationDeadlines d;
  ASSIGN_OR_RETURN(c.deadlines.declared_volumes,
                   Days(src, "application_deadline_days_declared_volumes", d.declared_volumes));
  ASSIGN_OR_RETURN(
      c.deadlines.contract_conclusion,
      Days(src, "application_deadline_days_contract_conclusion", d.contract_conclusion));
  ASSIGN_OR_RETURN(c.deadlines.contract_amendment,
                   Days(src, "application_deadline_days_contract_amendment", d.contract_amendment));
  ASSIGN_OR_RETURN(
      c.deadlines.metering_correction,
      Days(src, "application_deadline_days_metering_correction", d.metering_correction));
  ASSIGN_OR_RETURN(c.deadlines.metering_point_connection,
                   Days(src, "application_deadline_days_metering_point_connection",
                        d.metering_point_connection));
  RETURN_IF_ERROR(src.CheckUnused());
  return c;
}

}  // namespace gridbill::contracts
