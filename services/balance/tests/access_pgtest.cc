// Every balance RPC answers every role exactly as its
// `(gridbill.common.v1.access)` option declares, on the real servers
// (tests/access/every_method.h).
#include "every_method.h"
#include "harness.h"

namespace gridbill::balance::testing {
namespace {

TEST_CASE("every balance RPC admits exactly the roles its access option declares",
          "[balance][pg]") {
  Suite suite(Local(2026, 11, 5));
  const auto services = access_testing::ServicesOf(*v1::Scheme::descriptor());
  REQUIRE(services.size() == 2);
  CHECK(access_testing::CheckEveryMethodAndRole(suite.balance_channel(), services) == 15 * 8);
  // The empty requests changed nothing.
  CHECK(suite.CountRows("SELECT count(*) FROM schemes") == 0);
  CHECK(suite.CountRows("SELECT count(*) FROM runs") == 0);
}

}  // namespace
}  // namespace gridbill::balance::testing
