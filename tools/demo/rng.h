// The demo generator's randomness: std::mt19937_64 seeded explicitly, and
// our own reductions to ranges (the standard distributions differ between
// library implementations, which would break "same seed -> same bytes"
// across platforms). Internal to tools/demo.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "absl/time/civil_time.h"

namespace gridbill::demo {

inline uint64_t SplitMix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class Rng {
 public:
  // One independent stream per section of the data set, so that changing how
  // one section is generated does not reshuffle the others.
  Rng(uint64_t seed, uint64_t stream) : engine_(SplitMix(seed ^ SplitMix(stream))) {}

  // Uniform in [0, n), n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(engine_()) * n) >> 64);
  }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  // True with probability per_mille / 1000.
  bool Chance(int per_mille) { return Below(1000) < static_cast<uint64_t>(per_mille); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
  // An index drawn with the given non-negative integer weights.
  size_t Weighted(const std::vector<int64_t>& weights) {
    int64_t total = 0;
    for (int64_t w : weights) total += w;
    int64_t x = static_cast<int64_t>(Below(static_cast<uint64_t>(total)));
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }
  // A multiplier in [1 - spread, 1 + spread] as per-mille integer.
  int64_t Jitter(int spread_per_mille) {
    return 1000 + Between(-spread_per_mille, spread_per_mille);
  }
  absl::CivilDay DayBetween(absl::CivilDay from, absl::CivilDay to) {
    return from + Between(0, to - from);
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace gridbill::demo
