// ListMeteringPoints pages keyset by code: every point once, in code order,
// even when points are added between two pages.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "harness.h"

namespace gridbill::metering::testing {
namespace {

using PStub = v1::MeteringPointService::Stub;

TEST_CASE("metering points page by code: every point once, a point added meanwhile not repeated") {
  Harness h(WriteMethod::kCopyBinary, /*start_import_worker=*/false);
  std::vector<std::string> codes;
  for (int i : {7, 3, 11, 1, 5, 9, 2}) {
    codes.push_back(absl::StrCat("MP-", 100 + i));
    h.CreatePoint(codes.back());
  }
  v1::ListMeteringPointsRequest req;
  req.set_page_size(3);
  std::vector<std::string> seen;
  int pages = 0;
  while (true) {
    v1::ListMeteringPointsResponse resp;
    REQUIRE_OK(h.Call(*h.point_stub, &PStub::ListMeteringPoints, req, &resp));
    ++pages;
    REQUIRE(resp.points_size() <= 3);
    for (const auto& p : resp.points()) seen.push_back(p.code());
    if (pages == 1) h.CreatePoint("MP-100");  // sorts before the first page's end
    if (resp.next_page_token().empty()) break;
    REQUIRE(pages < 10);
    req.set_page_token(resp.next_page_token());
  }
  std::sort(codes.begin(), codes.end());
  CHECK(seen == codes);  // MP-100 came after the first page: not shown, nothing repeated
  CHECK(pages == 3);

  // The token belongs to its filters.
  v1::ListMeteringPointsRequest first_req;
  first_req.set_page_size(2);
  v1::ListMeteringPointsResponse first, resp;
  REQUIRE_OK(h.Call(*h.point_stub, &PStub::ListMeteringPoints, first_req, &first));
  first_req.set_page_token(first.next_page_token());
  first_req.set_substation_code("SS-1");
  REQUIRE_GRPC(h.Call(*h.point_stub, &PStub::ListMeteringPoints, first_req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "page_token");
}

}  // namespace
}  // namespace gridbill::metering::testing
