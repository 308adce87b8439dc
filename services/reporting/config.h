// The reporting service's configuration: one validated struct.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/server/config.h"
#include "reporting.h"

namespace gridbill::reporting {

inline constexpr int kDefaultGrpcPort = 7106;
inline constexpr int kDefaultMetricsPort = 9106;

struct Config {
  ServerConfig server;
  DatabaseConfig db;
  // contracts_address: participants (names, regions).
  std::string contracts_address;
  // invoicing_address: invoice runs, documents, payments.
  std::string invoicing_address;
  // balance_address: the node totals of each period's billing run (R1).
  std::string balance_address;
  // metering_address: the completeness of the participants' points (R4).
  std::string metering_address;
  // forecasting_address: the forecasts of each forecast run (R6); empty
  // (the default): forecasting is not a source and R6 stays empty.
  std::string forecasting_address;
  // source_timeout: deadline of one call to another service.
  absl::Duration source_timeout;
  // export_tmp_dir: where XLSX workbooks are written before they are streamed.
  std::string export_tmp_dir;
  // schedule_poll: how often due schedules are looked for.
  absl::Duration schedule_poll;
  // workers, refresh_lease, worker_id, time_zone (the operator's).
  ReportingConfig reporting;

  // Reads every key; refuses unknown keys (typos) with INVALID_ARGUMENT.
  static absl::StatusOr<Config> Load(const ConfigSource& src);
};

}  // namespace gridbill::reporting
