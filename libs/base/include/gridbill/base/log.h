// One JSON log line per event on stderr, for every layer: the server's call
// log, start-up, and the domain's job runners (which must not depend on the
// server to log).
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "gridbill/base/json.h"

namespace gridbill {

// Writes one JSON log line to stderr: {"ts":..., "level":..., "service":..., "msg":..., extra...}.
// Levels: debug, info, warn, error.
void LogJson(std::string_view level, std::string_view msg,
             std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {});

// The "service" field of every log line: the executable's name until
// Bootstrap / Server::Start set it from the config.
void SetLogService(std::string_view service);
// Lines below `level` (debug < info < warn < error) are dropped; Bootstrap /
// Server::Start set it from the config's log_level.
void SetLogLevel(std::string_view level);
// False when lines of `level` are dropped: skip building them.
bool LogEnabled(std::string_view level);
// Where finished lines go (one JSON object, no newline); an empty sink means
// stderr. Returns the previous sink. For tests.
using LogSink = std::function<void(std::string_view line)>;
LogSink SetLogSink(LogSink sink);

namespace internal {

// For writers of other line shapes (the server's per-call line): a writer
// with "ts", "level" and "service" already added, and the line's output.
json::ObjectWriter StartLogLine(std::string_view level);
// Writes one finished JSON object as a line (stderr or the test sink).
void EmitLogLine(std::string line);

}  // namespace internal
}  // namespace gridbill
