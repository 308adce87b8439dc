// Every invoicing RPC answers every role exactly as its
// `(gridbill.common.v1.access)` option declares, on the real servers
// (tests/access/every_method.h).
#include "absl/strings/str_cat.h"
#include "every_method.h"
#include "invoicing_harness.h"

namespace gridbill::invoicing::testing {
namespace {

TEST_CASE("every invoicing RPC admits exactly the roles its access option declares") {
  Harness h;
  const auto services = access_testing::ServicesOf(*v1::Document::descriptor());
  REQUIRE(services.size() == 5);
  const auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", h.server->grpc_port()),
                                           grpc::InsecureChannelCredentials());
  CHECK(access_testing::CheckEveryMethodAndRole(channel, services) == 18 * 8);
  // The empty requests changed nothing.
  CHECK(h.CountRows("payments") == 0);
  CHECK(h.CountRows("invoice_runs") == 0);
}

}  // namespace
}  // namespace gridbill::invoicing::testing
