// The balance service's configuration: one validated struct.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/server/config.h"
#include "runs.h"

namespace gridbill::balance {

inline constexpr int kDefaultGrpcPort = 7103;
inline constexpr int kDefaultMetricsPort = 9103;

struct Config {
  ServerConfig server;
  DatabaseConfig db;
  // metering_address: the metering service (StreamPointDays).
  std::string metering_address;
  // contracts_address: the contracts service (approved declared volumes); empty: none.
  std::string contracts_address;
  // source_timeout: deadline of one call to metering or contracts.
  absl::Duration source_timeout;
  // stream_batch_points: points per StreamPointDays call.
  int stream_batch_points = 2000;
  // time_zone, closure_tolerance_percent, shard_points, workers, shard_lease, worker_id.
  RunsConfig runs;

  // Reads every key; refuses unknown keys (typos) with INVALID_ARGUMENT.
  static absl::StatusOr<Config> Load(const ConfigSource& src);
};

}  // namespace gridbill::balance
