// R6, forecast against actual: its definition and the table built from
// forecasting's forecasts kept in the read model and the billed volumes
// (R2's). Pure.
#pragma once

#include <vector>

#include "analytics.h"
#include "reports.h"

namespace gridbill::reporting {

// The definition of R6 (part of Catalog()).
ReportDef MakeR6();

// R6: one row per billed month, service and horizon (the forecasts of every
// participant summed, against the volumes billed to them), then one summary
// row per service and horizon with the MAPE over those months.
Table BuildR6(const Query& q, const std::vector<ForecastMonth>& forecasts,
              const std::vector<ServiceMonth>& actuals);

}  // namespace gridbill::reporting
