// The read model's copies for the reports over balance, contracts, metering
// and forecasting (R1, R4, R5, R6): plain C++, no gRPC, no SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace gridbill::reporting {

inline constexpr char kSourceBalanceNodes[] = "balance.nodes";
inline constexpr char kSourceApplications[] = "contracts.applications";
inline constexpr char kSourcePointQuality[] = "metering.quality";
inline constexpr char kSourceForecasts[] = "forecasting.forecasts";

// The run a period is billed from (balance's GetBillingRun).
struct BillingRunRef {
  absl::CivilMonth period;
  std::string run_id;
};

// A node's or region's balance over a billing run (balance's NodeTotal), R1.
struct NodeMonth {
  absl::CivilMonth period;
  std::string node_code;
  // balance.v1.SchemeKind: 2 node, 3 region.
  int kind = 0;
  int64_t inflow_wh = 0;
  int64_t outflow_wh = 0;
  // The parts of outflow and inflow at grid users' points (balance's
  // consumption_wh and generation_wh; 0 for runs computed before balance
  // recorded them).
  int64_t consumption_wh = 0;
  int64_t generation_wh = 0;
  int64_t losses_wh = 0;
  // Decimals as balance answered them.
  std::string losses_percent;
  std::string normative_loss_percent;
  bool above_normative = false;
  std::string balance_run_id;
};

// An application as contracts lists it (R5); times unset when not reached.
struct ApplicationInfo {
  std::string id;
  std::string number;
  std::string participant_id;
  // contracts.v1.ApplicationType / ApplicationState.
  int type = 0;
  int state = 0;
  std::optional<absl::Time> submit_time;
  std::optional<absl::Time> due_time;
  std::optional<absl::Time> decide_time;
  std::optional<absl::Time> close_time;
};

// The applications of one type submitted in one month (R5), as the store
// computes them.
struct ApplicationMonth {
  absl::CivilMonth period;
  int type = 0;
  int64_t received = 0;
  int64_t processed = 0;
  int64_t closed = 0;
  int64_t overdue = 0;
  // Submission to decision of the processed ones, seconds; nullopt when none.
  std::optional<int64_t> median_seconds;
  std::optional<int64_t> p90_seconds;
};

// The intervals of one point and channel over a month by quality, as
// metering's GetCompleteness counts them for a participant (R4).
struct PointQuality {
  absl::CivilMonth period;
  std::string participant_id;
  std::string point_code;
  // metering.v1.Channel.
  int channel = 0;
  int64_t expected = 0;
  // Measured or substituted.
  int64_t measured = 0;
  int64_t estimated = 0;
  int64_t edited = 0;
  int64_t missing = 0;
  // Intervals stored with each VEE finding (metering.v1.Finding); an
  // interval may carry more than one.
  int64_t negative = 0;
  int64_t spike = 0;
  int64_t flat_line = 0;
  int64_t gap = 0;
  int64_t source_mismatch = 0;
  // Filled when the store answers a report.
  std::string participant_name;
};

// A succeeded forecast run (forecasting's ListForecastRuns), R6.
struct ForecastRunRef {
  std::string run_id;
  int64_t version = 0;
  // The last month of history; the forecast starts the month after.
  absl::CivilMonth history_to;
};

// One month of a participant x service forecast of a run (forecasting's
// GetForecast at participant level), R6. Horizon 1 is the month after the
// run's last month of history.
struct ForecastMonth {
  std::string run_id;
  int64_t run_version = 0;
  std::string participant_id;
  int service_type = 0;
  absl::CivilMonth period;
  int horizon = 0;
  int64_t volume_wh = 0;
  // The chosen model's backtest MASE as forecasting answered it; "" when
  // undefined.
  std::string backtest_mase;
};

}  // namespace gridbill::reporting
