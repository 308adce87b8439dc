// The contracts service's configuration: one validated struct.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/server/config.h"
#include "model.h"

namespace gridbill::contracts {

inline constexpr int kDefaultGrpcPort = 7101;
inline constexpr int kDefaultMetricsPort = 9101;

struct Config {
  ServerConfig server;
  DatabaseConfig db;
  // The operator's time zone: billing periods, tariff slices, deadlines.
  std::string time_zone = "Asia/Almaty";
  absl::TimeZone zone;
  // Processing deadlines per application type, in calendar days
  // (application_deadline_days_<type>).
  ApplicationDeadlines deadlines;

  // Reads every key; refuses unknown keys (typos) with INVALID_ARGUMENT.
  static absl::StatusOr<Config> Load(const ConfigSource& src);
};

}  // namespace gridbill::contracts
