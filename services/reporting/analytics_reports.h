// The reports over balance's, metering's and contracts' figures (R1, R4, R5): their
// definitions and the tables built from the read model's aggregates. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analytics.h"
#include "reports.h"

namespace gridbill::reporting {

// The definitions of R1, R4 and R5 (part of Catalog()).
std::vector<ReportDef> AnalyticsReports();

// R1: one row per month and node or region.
Table BuildR1(const Query& q, const std::vector<NodeMonth>& months);
// R4: one row per month, point and channel, the worst first.
Table BuildR4(const Query& q, const std::vector<PointQuality>& points);
// R5: one row per month of submission and application type.
Table BuildR5(const Query& q, const std::vector<ApplicationMonth>& months);

// "declared-volumes", "contract-conclusion", ...; "" for another value.
const char* ApplicationTypeName(int type);

// A decimal's text ("3.5", "-0.25") in millionths; nullopt when not a
// decimal with at most 6 fractional digits.
std::optional<int64_t> ParseMicros(const std::string& decimal);

}  // namespace gridbill::reporting
