#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gridbill/base/log.h"

namespace gridbill {
namespace {

int Rank(std::string_view level) {
  if (level == "debug") return 0;
  if (level == "info") return 1;
  if (level == "warn") return 2;
  return 3;  // error and anything unknown: always shown
}

struct LogState {
  absl::Mutex mu;
  // Until Bootstrap or Server::Start names it (errors while loading the config come
  // earlier): the executable's name.
  std::string service ABSL_GUARDED_BY(mu) = program_invocation_short_name;
  int min_rank ABSL_GUARDED_BY(mu) = 1;
  LogSink sink ABSL_GUARDED_BY(mu);
};

// Leaked on purpose: threads may still log while static destructors run.
LogState& State() {
  static LogState* const state = new LogState;
  return *state;
}

void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

bool LogEnabled(std::string_view level) {
  LogState& s = State();
  absl::MutexLock lock(&s.mu);
  return Rank(level) >= s.min_rank;
}

namespace internal {

json::ObjectWriter StartLogLine(std::string_view level) {
  std::string service;
  {
    LogState& s = State();
    absl::MutexLock lock(&s.mu);
    service = s.service;
  }
  json::ObjectWriter w;
  w.Add("ts", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()))
      .Add("level", level)
      .Add("service", service);
  return w;
}

void EmitLogLine(std::string line) {
  LogState& s = State();
  absl::MutexLock lock(&s.mu);
  if (s.sink) {
    s.sink(line);
    return;
  }
  line.push_back('\n');
  // One write per line so that lines from several threads never interleave.
  WriteAll(STDERR_FILENO, line);
}

}  // namespace internal

void SetLogService(std::string_view service) {
  LogState& s = State();
  absl::MutexLock lock(&s.mu);
  s.service = std::string(service);
}

void SetLogLevel(std::string_view level) {
  LogState& s = State();
  absl::MutexLock lock(&s.mu);
  s.min_rank = Rank(level);
}

LogSink SetLogSink(LogSink sink) {
  LogState& s = State();
  absl::MutexLock lock(&s.mu);
  std::swap(s.sink, sink);
  return sink;
}

void LogJson(std::string_view level, std::string_view msg,
             std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  if (!LogEnabled(level)) return;
  json::ObjectWriter w = internal::StartLogLine(level);
  w.Add("msg", msg);
  for (const auto& [key, value] : fields) w.Add(key, value);
  internal::EmitLogLine(std::move(w).Finish());
}

}  // namespace gridbill
