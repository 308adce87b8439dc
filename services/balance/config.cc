#include "config.h"

#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"
#include "gridbill/domain/decimal.h"

namespace gridbill::balance {

absl::StatusOr<Config> Config::Load(const ConfigSource& src) {
  Config c;
  ASSIGN_OR_RETURN(c.server,
                   ServerConfig::Load(src, "balance", kDefaultGrpcPort, kDefaultMetricsPort));
  ASSIGN_OR_RETURN(c.db, DatabaseConfig::Load(src));
  ASSIGN_OR_RETURN(c.metering_address, src.Address("metering_address", "127.0.0.1:7102"));
  // Empty: no contracts service, runs take no declared volumes.
  ASSIGN_OR_RETURN(c.contracts_address, src.OptionalAddress("contracts_address", "127.0.0.1:7101"));
  ASSIGN_OR_RETURN(c.source_timeout, src.Duration("source_timeout", absl::Minutes(10)));
  ASSIGN_OR_RETURN(int64_t batch, src.Int("stream_batch_points", 2000, 1, 1000000));
  c.stream_batch_points = static_cast<int>(batch);
  ASSIGN_OR_RETURN(c.runs.time_zone, src.String("time_zone", "Asia/Almaty"));
  ASSIGN_OR_RETURN(c.runs.zone, LoadZone(c.runs.time_zone, "time_zone"));
  ASSIGN_OR_RETURN(c.runs.closure_tolerance_percent,
                   src.String("closure_tolerance_percent", "0.5"));
  ASSIGN_OR_RETURN(Decimal tol,
                   Decimal::Parse(c.runs.closure_tolerance_percent, "closure_tolerance_percent"));
  if (tol < Decimal() || tol > Decimal::FromInt(100)) {
    return InvalidField("closure_tolerance_percent", "must be between 0 and 100");
  }
  ASSIGN_OR_RETURN(int64_t shard_points, src.Int("shard_points", 500, 1, 1000000));
  c.runs.shard_points = static_cast<int>(shard_points);
  ASSIGN_OR_RETURN(int64_t workers, src.Int("workers", 2, 0, 64));
  c.runs.workers = static_cast<int>(workers);
  // A worker renews its claim about once a second; a shorter lease would let
  // healthy claims be taken over.
  ASSIGN_OR_RETURN(c.runs.lease,
                   src.DurationAtLeast("shard_lease", absl::Minutes(10), absl::Seconds(10)));
  ASSIGN_OR_RETURN(c.runs.worker_id, src.WorkerId());
  RETURN_IF_ERROR(src.CheckUnused());
  return c;
}

}  // namespace gridbill::balance
