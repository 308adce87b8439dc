// Every metering RPC answers every role exactly as its
// `(gridbill.common.v1.access)` option declares (the suite-wide check of
// tests/access/every_method.h, against the real servers), and a participant's
// user sees only its own points and data.
#include <string>
#include <vector>

#include "every_method.h"
#include "harness.h"

namespace gridbill::metering::testing {
namespace {

TEST_CASE("every metering RPC admits exactly the roles its access option declares") {
  Harness h;
  h.CreatePoint("MP-1");
  const auto services = access_testing::ServicesOf(*v1::MeteringPoint::descriptor());
  REQUIRE(services.size() == 3);
  CHECK(access_testing::CheckEveryMethodAndRole(h.channel, services) == 17 * 8);
  // Nothing was written by any of these calls but the point.
  REQUIRE(h.CountRows("reading_days") == 0);
  REQUIRE(h.CountRows("metering_points") == 1);
}

TEST_CASE("a participant's user cannot read another participant's point or data") {
  Harness h;
  h.CreatePoint("MP-1");  // assigned to p-1
  v1::IngestSummary s;
  REQUIRE_OK(h.Ingest({{R("MP-1", Local(2024, 1, 15, 3), 1000)}}, &s));
  const Who own{"u@p1", "ROLE_PARTICIPANT_USER", "p-1"};
  const Who other{"u@p2", "ROLE_PARTICIPANT_ADMIN", "p-2"};
  using PStub = v1::MeteringPointService::Stub;
  using RStub = v1::ReadingService::Stub;

  v1::ListMeteringPointsRequest list;
  v1::ListMeteringPointsResponse listed;
  REQUIRE_OK(h.Call(*h.point_stub, &PStub::ListMeteringPoints, list, &listed, own));
  REQUIRE(listed.points_size() == 1);
  REQUIRE_OK(h.Call(*h.point_stub, &PStub::ListMeteringPoints, list, &listed, other));
  REQUIRE(listed.points_size() == 0);
  list.set_participant_id("p-1");
  REQUIRE_GRPC(h.Call(*h.point_stub, &PStub::ListMeteringPoints, list, &listed, other),
               grpc::StatusCode::PERMISSION_DENIED,
               "participant_id: u@p2 may not access participant p-1");

  v1::GetCompletenessRequest completeness;
  completeness.add_point_codes("MP-1");
  completeness.mutable_period()->set_year(2024);
  completeness.mutable_period()->set_month(1);
  v1::GetCompletenessResponse c;
  REQUIRE_OK(h.Call(*h.reading_stub, &RStub::GetCompleteness, completeness, &c, own));
  REQUIRE(c.entries(0).measured() == 1);
  REQUIRE_GRPC(h.Call(*h.reading_stub, &RStub::GetCompleteness, completeness, &c, other),
               grpc::StatusCode::NOT_FOUND, "MP-1");
  completeness.clear_point_codes();
  completeness.set_participant_id("p-1");
  REQUIRE_GRPC(h.Call(*h.reading_stub, &RStub::GetCompleteness, completeness, &c, other),
               grpc::StatusCode::PERMISSION_DENIED, "participant_id");

  v1::GetReadingsRequest get;
  get.set_point_code("MP-1");
  get.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  get.mutable_period()->set_year(2024);
  get.mutable_period()->set_month(1);
  get.set_aggregation(v1::AGGREGATION_MONTH);
  v1::GetReadingsResponse got;
  REQUIRE_OK(h.Call(*h.reading_stub, &RStub::GetReadings, get, &got, own));
  REQUIRE(got.total_wh() == 1000);
  REQUIRE_GRPC(h.Call(*h.reading_stub, &RStub::GetReadings, get, &got, other),
               grpc::StatusCode::NOT_FOUND, "MP-1");
}

}  // namespace
}  // namespace gridbill::metering::testing
