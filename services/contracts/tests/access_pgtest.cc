// Every contracts RPC answers every role exactly as its
// `(gridbill.common.v1.access)` option declares, on the real servers
// (tests/access/every_method.h).
#include "absl/strings/str_cat.h"
#include "every_method.h"
#include "harness.h"

namespace gridbill::contracts::testing {
namespace {

TEST_CASE("every contracts RPC admits exactly the roles its access option declares") {
  Harness h;
  const int64_t participants = h.CountRows("participants");
  const auto services = access_testing::ServicesOf(*v1::Contract::descriptor());
  REQUIRE(services.size() == 5);
  const auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", h.server->grpc_port()),
                                           grpc::InsecureChannelCredentials());
  CHECK(access_testing::CheckEveryMethodAndRole(channel, services) == 33 * 8);
  // The empty requests changed nothing.
  CHECK(h.CountRows("participants") == participants);
  CHECK(h.CountRows("applications") == 0);
}

}  // namespace
}  // namespace gridbill::contracts::testing
