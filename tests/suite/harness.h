// What suite-level tests need to drive the real binaries as a user would:
// child processes with their own environment and logs, free ports, a plain
// HTTP GET (for /metrics) and the grpc.health.v1 check.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gridbill::suite {

using Env = std::map<std::string, std::string>;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
int FreePort();

// A temporary directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Creates an empty database on the test cluster (libs/pgtest) and returns
// its conninfo; the service applies its own migrations at start, as it does
// in production.
std::string CreateDatabase(const std::string& name);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);

// The outcome of a finished command.
struct CommandResult {
  std::string command;
  int exit_code = -1;  // the exit status, or 128 + signal when killed
  bool timed_out = false;
  std::string out;
  std::string err;
  // For failure messages: the command, its exit code and its output.
  std::string Describe() const;
};

// Runs `argv` to completion (killed after `timeout`). The environment is this
// process's without any GRIDBILL_* variable (tests are hermetic), plus `env`.
// Stdin is `stdin_path` (or /dev/null).
CommandResult Run(const std::vector<std::string>& argv, const Env& env, milliseconds timeout,
                  const std::string& stdin_path = "");

// A child process running in the background, its stdout and stderr appended
// to `log_path`. Killed (SIGKILL) on destruction if still running.
class Process {
 public:
  static std::unique_ptr<Process> Start(const std::vector<std::string>& argv, const Env& env,
                                        const std::string& log_path);
  // Adopts a started child.
  Process(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  void Signal(int signal);
  // The exit status (exit code, or 128 + signal), or nothing if it is still
  // running after `timeout`.
  std::optional<int> WaitExit(milliseconds timeout);
  // What the process has written so far.
  std::string Log() const { return ReadFile(log_path_); }

 private:
  pid_t pid_;
  std::string log_path_;
  std::optional<int> exit_status_;
};

struct HttpResponse {
  int status = 0;
  std::string headers;
  std::string body;
};

// GET http://host:port<path> over HTTP/1.0; nothing on a connection error or
// a malformed answer (the reason is in `error`).
std::optional<HttpResponse> HttpGet(const std::string& host, int port, const std::string& path,
                                    milliseconds timeout, std::string* error);

// grpc.health.v1 Health/Check for `service` ("" = the whole server) at
// `address`: "SERVING", "NOT_SERVING", ... or "error: <grpc status>".
std::string HealthStatus(const std::string& address, const std::string& service,
                         milliseconds timeout);

}  // namespace gridbill::suite
