// The benchmarks' process plumbing: they start the real service binaries as
// processes and read what each one spent from /proc. Failures that leave
// nothing to measure (no free port, no fork) end the program with exit 2.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gridbill::bench {

// The binary to run: the path in environment variable `env` when set and
// non-empty (e.g. GRIDBILL_BENCH_METERING=/path/to/older/gridbill-metering,
// to measure another build with the same load), else `built` (this build's).
// Prints which one it runs, so that a before/after pair of runs says so.
std::string BinaryFromEnv(const char* env, const std::string& built);

// A TCP port on 127.0.0.1 that nothing listens on right now.
int FreePort();

// Starts `binary` with `args`, its stdout and stderr to the file `log`.
pid_t Spawn(const std::string& binary, const std::vector<std::string>& args,
            const std::string& log);

// SIGTERM, then waits for the process to exit.
void Stop(pid_t pid);

// kB of a /proc/<pid>/status line ("VmHWM:   123 kB"); -1 if absent.
int64_t StatusKb(pid_t pid, const std::string& key);

// CPU seconds (user + system) of one process, from /proc/<pid>/stat.
double CpuSeconds(pid_t pid);

// CPU seconds of every process named "postgres" (the benchmark's cluster,
// and any other on the machine).
double PostgresCpuSeconds();

// CPU seconds of this process.
double SelfCpuSeconds();

}  // namespace gridbill::bench
