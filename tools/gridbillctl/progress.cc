#include "tools/gridbillctl/progress.h"

#include <unistd.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"

namespace gridbill::ctl {

Progress::Progress(std::string label, int64_t total, std::FILE* out, int tty)
    : label_(std::move(label)),
      total_(total),
      out_(out),
      tty_(tty >= 0 ? tty != 0 : isatty(fileno(out)) != 0),
      start_(absl::Now()) {
  absl::MutexLock lock(&mu_);
  last_draw_ = absl::InfinitePast();
  Draw(false);
}

Progress::~Progress() { Finish(); }

void Progress::Advance(int64_t n) {
  done_.fetch_add(n, std::memory_order_relaxed);
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  if (tty_) {
    if (now - last_draw_ >= absl::Milliseconds(100)) Draw(false);
    return;
  }
  const int64_t done = done_.load(std::memory_order_relaxed);
  const int decile = total_ > 0 ? static_cast<int>(done * 10 / total_) : 0;
  // The complete state is left to Finish().
  if (done < total_ && (decile > last_decile_ || now - last_draw_ >= absl::Seconds(5))) {
    last_decile_ = decile;
    Draw(false);
  }
}

void Progress::Finish() {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  Draw(true);
  finished_ = true;
}

void Progress::Draw(bool final) {
  last_draw_ = absl::Now();
  const int64_t done =
      std::min(done_.load(std::memory_order_relaxed), std::max<int64_t>(total_, 0));
  const double seconds = absl::ToDoubleSeconds(last_draw_ - start_);
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const int percent = total_ > 0 ? static_cast<int>(done * 100 / total_) : 100;
  if (tty_) {
    constexpr int kWidth = 30;
    const int filled = total_ > 0 ? static_cast<int>(done * kWidth / total_) : kWidth;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    absl::FPrintF(out_, "\r%-24s [%s] %3d%% %d/%d  %.0f/s  %.1fs\033[K", label_, bar, percent, done,
                  total_, rate, seconds);
    if (final) absl::FPrintF(out_, "\n");
  } else if (final || done > 0 || total_ == 0) {
    absl::FPrintF(out_, "%s: %d/%d (%d%%) %.1fs%s\n", label_, done, total_, percent, seconds,
                  final ? " done" : "");
  }
  std::fflush(out_);
}

void ParallelFor(int64_t n, int threads, const std::function<void(int64_t)>& fn) {
  if (n <= 0) return;
  threads = static_cast<int>(std::clamp<int64_t>(threads, 1, n));
  std::atomic<int64_t> next{0};
  auto work = [&] {
    for (int64_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

}  // namespace gridbill::ctl
