// Loads the demo metering data (tools/demo/metering_points.h, readings.h)
// through the metering API: CreateMeteringPoint for every point (request ids
// derive from the seed and the code), then the interval readings through
// several concurrent IngestReadings streams (one stream per local day, SCADA
// batches before CMS ones), then the late corrections as a second revision.
//
// Running it again changes nothing: re-sent readings equal to the stored ones
// are no-ops, and a day whose correction is already stored is re-sent
// without the corrected intervals. When every late correction of the window
// is already stored, the readings were loaded completely before and the
// streaming is skipped.
#pragma once

#include <string>
#include <vector>

#include "tools/demo/demo_data.h"
#include "tools/gridbillctl/cli.h"

namespace gridbill::ctl {

struct DemoMeteringOptions {
  int parallel = 8;  // concurrent point creations and checks
  int streams = 3;   // concurrent IngestReadings streams
  // Readings for the last N months of 2025-11 .. 2026-10 (12 = the year, 0 = none).
  int readings_months = 12;
  int max_points = 0;  // 0 = all (~2,000)
  int batch_readings = 20000;
  // Send ReadingSeries (consecutive intervals of a point) instead of one
  // Reading per interval: a fraction of the bytes to encode and parse.
  bool series = true;
};

// `participant_ids` are the contracts service's ids of data.participants (by
// index; empty where a participant was not loaded). Prints progress on
// stderr and a summary on ctx.out(); returns the exit code.
int LoadDemoMetering(Context& ctx, const demo::DataSet& data,
                     const std::vector<std::string>& participant_ids,
                     const DemoMeteringOptions& options, const Identity& as);

}  // namespace gridbill::ctl
