#include "config.h"

#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"

namespace gridbill::metering {

absl::StatusOr<Config> Config::Load(const ConfigSource& src) {
  Config c;
  ASSIGN_OR_RETURN(c.server,
                   ServerConfig::Load(src, "metering", kDefaultGrpcPort, kDefaultMetricsPort));
  ASSIGN_OR_RETURN(c.db, DatabaseConfig::Load(src));
  ASSIGN_OR_RETURN(c.time_zone, src.String("time_zone", "Asia/Almaty"));
  ASSIGN_OR_RETURN(c.zone, LoadZone(c.time_zone, "time_zone"));
  VeeConfig d;
  ASSIGN_OR_RETURN(c.vee.spike_factor, src.Int("vee_spike_factor", d.spike_factor, 2, 1000));
  ASSIGN_OR_RETURN(c.vee.spike_min_samples,
                   src.Int("vee_spike_min_samples", d.spike_min_samples, 1, 1000));
  ASSIGN_OR_RETURN(c.vee.flat_line_intervals,
                   src.Int("vee_flat_line_intervals", d.flat_line_intervals, 2, 10000));
  ASSIGN_OR_RETURN(c.vee.source_tolerance_percent,
                   src.Int("vee_source_tolerance_percent", d.source_tolerance_percent, 0, 100));
  ASSIGN_OR_RETURN(c.vee.source_tolerance_wh,
                   src.Int("vee_source_tolerance_wh", d.source_tolerance_wh, 0, 1000000000));
  EstimationConfig e;
  ASSIGN_OR_RETURN(c.estimation.max_linear_intervals,
                   src.Int("estimation_max_linear_intervals", e.max_linear_intervals, 1, 10000));
  ASSIGN_OR_RETURN(c.estimation.profile_weeks,
                   src.Int("estimation_profile_weeks", e.profile_weeks, 1, 52));
  ASSIGN_OR_RETURN(c.max_batch, src.Int("ingest_max_batch", c.max_batch, 1, 10000000));
  ASSIGN_OR_RETURN(c.import_lease, src.Duration("import_lease", c.import_lease));
  if (c.import_lease < absl::Seconds(1)) {
    return InvalidField("import_lease", "must be at least 1s");
  }
  ASSIGN_OR_RETURN(c.worker_id, src.String("worker_id", ""));
  ASSIGN_OR_RETURN(c.import_file_retention,
                   src.Duration("import_file_retention", c.import_file_retention));
  if (c.import_file_retention < absl::ZeroDuration()) {
    return InvalidField("import_file_retention", "must not be negative");
  }

  ASSIGN_OR_RETURN(c.import_max_bytes,
                   src.Int("import_max_bytes", c.import_max_bytes, 1024, int64_t{1} << 30));
  RETURN_IF_ERROR(src.CheckUnused());
  return c;
}

}  // namespace gridbill::metering
