#include "gridbill/base/periodic.h"

#include <atomic>
#include <catch2/catch.hpp>

namespace gridbill {
namespace {

TEST_CASE("Periodic runs at once, then every interval, and stops on destruction") {
  std::atomic<int> runs{0};
  {
    Periodic p(absl::Milliseconds(20), [&] { ++runs; });
    absl::SleepFor(absl::Milliseconds(110));
  }
  const int seen = runs.load();
  CHECK(seen >= 3);  // at 0, 20, 40, ... ms; a loaded machine runs fewer
  CHECK(seen <= 7);
  absl::SleepFor(absl::Milliseconds(60));
  CHECK(runs.load() == seen);  // none after destruction
}

TEST_CASE("Periodic's destructor does not wait for the next interval") {
  const absl::Time start = absl::Now();
  {
    Periodic p(absl::Hours(1), [] {});
  }
  CHECK(absl::Now() - start < absl::Seconds(5));
}

}  // namespace
}  // namespace gridbill
