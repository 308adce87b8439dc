// Shared by the log helpers and the per-call interceptor.
#pragma once

#include <string>
#include <string_view>

#include "gridbill/base/json.h"

namespace gridbill::internal {

// False when `level` is below the configured minimum.
bool LogEnabled(std::string_view level);
// A writer with "ts", "level" and "service" already added.
json::ObjectWriter StartLogLine(std::string_view level);
// Writes one finished JSON object as a line (stderr or the test sink).
void EmitLogLine(std::string line);

}  // namespace gridbill::internal
