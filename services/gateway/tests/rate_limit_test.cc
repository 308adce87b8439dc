// Token buckets per principal and per (principal, method).
#include "rate_limit.h"

#include <catch2/catch.hpp>

namespace gridbill::gateway {
namespace {

const absl::Time t0 = absl::FromUnixSeconds(1800000000);

TEST_CASE("a caller gets its burst, then RESOURCE_EXHAUSTED with the wait until the next token") {
  RateLimiter limiter({.principal = {10, 3}, .method = {}});
  for (int i = 0; i < 3; ++i) CHECK(limiter.Admit("user:a", "/s/M", t0).allowed);
  Admission refused = limiter.Admit("user:a", "/s/M", t0);
  REQUIRE_FALSE(refused.allowed);
  CHECK(refused.limit == "principal");
  CHECK(refused.per_second == 10);
  CHECK(refused.retry_after == absl::Milliseconds(100));
  // 100 ms later one token has flowed in: one call, not two.
  CHECK(limiter.Admit("user:a", "/s/M", t0 + absl::Milliseconds(100)).allowed);
  CHECK_FALSE(limiter.Admit("user:a", "/s/M", t0 + absl::Milliseconds(100)).allowed);
  // Another caller has its own bucket.
  CHECK(limiter.Admit("user:b", "/s/M", t0).allowed);
}

TEST_CASE("the per-method limit counts one caller's calls of one method") {
  RateLimiter limiter({.principal = {100, 100}, .method = {1, 2}});
  CHECK(limiter.Admit("user:a", "/s/Heavy", t0).allowed);
  CHECK(limiter.Admit("user:a", "/s/Heavy", t0).allowed);
  Admission refused = limiter.Admit("user:a", "/s/Heavy", t0);
  REQUIRE_FALSE(refused.allowed);
  CHECK(refused.limit == "method");
  CHECK(refused.retry_after == absl::Seconds(1));
  // Other methods and other callers are not held back.
  CHECK(limiter.Admit("user:a", "/s/Light", t0).allowed);
  CHECK(limiter.Admit("user:b", "/s/Heavy", t0).allowed);
}

TEST_CASE("a refused call takes no token from either bucket") {
  RateLimiter limiter({.principal = {1, 2}, .method = {1, 1}});
  CHECK(limiter.Admit("user:a", "/s/A", t0).allowed);
  CHECK_FALSE(limiter.Admit("user:a", "/s/A", t0).allowed);  // method bucket empty
  // The principal bucket still holds its second token for another method.
  CHECK(limiter.Admit("user:a", "/s/B", t0).allowed);
  CHECK_FALSE(limiter.Admit("user:a", "/s/C", t0).allowed);
}

TEST_CASE("with both limits off every call is admitted") {
  RateLimiter limiter({});
  for (int i = 0; i < 10000; ++i) REQUIRE(limiter.Admit("user:a", "/s/M", t0).allowed);
}

}  // namespace
}  // namespace gridbill::gateway
