// Progress of a batch on stderr: a one-line bar redrawn in place when stderr
// is a terminal, a plain line every 10% (and at most every 5 s) otherwise.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace gridbill::ctl {

class Progress {
 public:
  // `out` defaults to stderr; `tty` to whether `out` is a terminal.
  Progress(std::string label, int64_t total, std::FILE* out = stderr, int tty = -1);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Thread-safe; draws at most ten times a second.
  void Advance(int64_t n = 1);
  // Draws the final state and ends the line; called by the destructor too.
  void Finish();

 private:
  void Draw(bool final) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string label_;
  const int64_t total_;
  std::FILE* const out_;
  const bool tty_;
  const absl::Time start_;
  std::atomic<int64_t> done_{0};
  absl::Mutex mu_;
  absl::Time last_draw_ ABSL_GUARDED_BY(mu_);
  int last_decile_ ABSL_GUARDED_BY(mu_) = 0;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

// Runs fn(i) for every i in [0, n) on `threads` threads (work is handed out
// one item at a time) and returns when all are done.
void ParallelFor(int64_t n, int threads, const std::function<void(int64_t)>& fn);

}  // namespace gridbill::ctl
