// The metering service's configuration: one validated struct.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "estimation.h"
#include "gridbill/server/config.h"
#include "vee.h"

namespace gridbill::metering {

inline constexpr int kDefaultGrpcPort = 7102;
inline constexpr int kDefaultMetricsPort = 9102;

struct Config {
  ServerConfig server;
  DatabaseConfig db;
  // The operator's time zone: local days, hours and months of readings.
  std::string time_zone = "Asia/Almaty";
  absl::TimeZone zone;
  // VEE thresholds (vee_spike_factor, vee_spike_min_samples, vee_flat_line_intervals,
  // vee_source_tolerance_percent, vee_source_tolerance_wh).
  VeeConfig vee;
  // Estimation of gaps (estimation_max_linear_intervals, estimation_profile_weeks).
  EstimationConfig estimation;
  // Readings per IngestReadings batch at most (ingest_max_batch).
  int64_t max_batch = 200000;
  // Import jobs: a point held by a replica that stopped renewing its claim
  // is taken over after this long (import_lease); this replica's name in
  // claims (worker_id, empty: host:pid).
  absl::Duration import_lease = absl::Minutes(1);
  std::string worker_id;
  // How long an import's stored file is kept after the import ended
  // (succeeded, failed or cancelled) (import_file_retention; default 0: it
  // is deleted when the import ends).
  absl::Duration import_file_retention = absl::ZeroDuration();

  // The largest import file accepted (import_max_bytes): UploadImport
  // receives it in chunks, so the gRPC message limit does not bound it; the
  // whole file is held in memory while it is checked and stored.
  int64_t import_max_bytes = int64_t{512} << 20;

  // Reads every key; refuses unknown keys (typos) with INVALID_ARGUMENT.
  static absl::StatusOr<Config> Load(const ConfigSource& src);
};

}  // namespace gridbill::metering
