// Loads the demo data set (tools/demo) through the contracts API: reference
// data, participants, contracts with their lifecycle and amendments,
// applications through their workflow, and finally participants' status
// changes; then the metering data (demo_metering.h). Idempotent: every call's request_id derives
// from the seed (and, for applications, the as-of month), so loading again changes nothing.
#pragma once

#include <ostream>

#include "tools/demo/demo_data.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/demo_metering.h"

namespace gridbill::ctl {

struct DemoLoadOptions {
  int parallel = 8;  // concurrent calls
  // Then the metering points and readings (demo_metering.h) through the
  // metering service.
  bool metering = true;
  DemoMeteringOptions metering_options;
};

// Prints a progress bar per phase on stderr and a summary on ctx.out();
// returns the exit code (1 when anything was refused).
int LoadDemo(Context& ctx, const demo::DataSet& data, const DemoLoadOptions& options);

// Writes DIR/reference.csv and DIR/participants.csv in the import format.
// Terminated participants are left out: a participant cannot be registered
// as terminated.
absl::Status WriteDemoCsv(const demo::DataSet& data, const std::string& dir, std::ostream& out);

}  // namespace gridbill::ctl
