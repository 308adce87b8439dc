// The demo accounting schemes, derived from the demo metering points
// (metering_points.h): one scheme per grid node (its NodeTerms, normative
// losses 3.5 %), and per participant and contracted service one scheme
// version per stretch of days its points stay the same (ParticipantTerms):
// transmission and use of the grid count energy received minus energy
// delivered; technical dispatching and balancing count both directions.
// Pure: no I/O; gridbillctl loads them through the balance API.
#pragma once

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gridbill/balance/v1/balance.pb.h"
#include "tools/demo/demo_data.h"
#include "tools/demo/metering_points.h"

namespace gridbill::demo {

// The days the demo schemes cover: the demo readings' year and the months after it.
inline constexpr absl::CivilDay kSchemesFrom{2025, 11, 1};
inline constexpr absl::CivilDay kSchemesTo{2026, 12, 31};

struct DemoScheme {
  std::string key;  // stable within a seed: "node:N-35", "p0012:transmission:2026-02-01"
  balance::v1::Scheme scheme;
};

// `participant_ids`: the contracts service's ids of data.participants (by
// index); participants without an id get no scheme.
std::vector<DemoScheme> GenerateSchemes(const DataSet& data, const MeteringSet& set,
                                        const std::vector<std::string>& participant_ids);

}  // namespace gridbill::demo
