// Every metering RPC answers every role exactly as its
// `(gridbill.common.v1.access)` option declares: the test reads the policy
// from the descriptors and calls each method generically (so a method added
// later is covered without touching this file).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "harness.h"

namespace gridbill::metering::testing {
namespace {

using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

// One call of any method with `request` (serialized) as its only message;
// the status it ends with.
grpc::Status CallGeneric(grpc::Channel& channel, const std::string& method,
                         const std::string& request, const Who& who) {
  grpc::GenericStub stub(channel.shared_from_this());
  grpc::ClientContext ctx;
  Harness::AddWho(ctx, who);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(&ctx, method, &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](intptr_t expected) {
    REQUIRE(cq.Next(&tag, &ok));
    REQUIRE(reinterpret_cast<intptr_t>(tag) == expected);
    return ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  if (step(1)) {
    grpc::Slice slice(request);
    grpc::ByteBuffer buffer(&slice, 1);
    call->Write(buffer, reinterpret_cast<void*>(2));
    if (step(2)) {
      call->WritesDone(reinterpret_cast<void*>(3));
      step(3);
    }
    grpc::ByteBuffer response;
    for (;;) {
      call->Read(&response, reinterpret_cast<void*>(4));
      if (!step(4)) break;
    }
  }
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

// "ROLE_A,ROLE_B": the declared roles as the refusal names them.
std::string AllowedRoles(const common::v1::AccessPolicy& policy) {
  std::string out;
  for (int r : policy.roles()) {
    if (!out.empty()) out += ",";
    out += common::v1::Role_Name(static_cast<common::v1::Role>(r));
  }
  return out;
}

bool IsParticipantRole(common::v1::Role role) {
  return role == common::v1::ROLE_PARTICIPANT_USER || role == common::v1::ROLE_PARTICIPANT_ADMIN;
}

TEST_CASE("every metering RPC admits exactly the roles its access option declares") {
  Harness h;
  h.CreatePoint("MP-1");
  // The services of gridbill/metering/v1/metering.proto.
  const google::protobuf::FileDescriptor* file = v1::MeteringPoint::descriptor()->file();
  std::vector<const ServiceDescriptor*> services;
  for (int i = 0; i < file->service_count(); ++i) services.push_back(file->service(i));
  REQUIRE(services.size() == 3);
  const google::protobuf::EnumDescriptor* roles = common::v1::Role_descriptor();
  int methods = 0;
  int denied = 0;
  int admitted = 0;
  for (const ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor* m = service->method(i);
      ++methods;
      REQUIRE(m->options().HasExtension(common::v1::access));
      const common::v1::AccessPolicy& policy = m->options().GetExtension(common::v1::access);
      REQUIRE(policy.roles_size() > 0);
      const std::string path = absl::StrCat("/", service->full_name(), "/", m->name());
      for (int r = 0; r < roles->value_count(); ++r) {
        const auto role = static_cast<common::v1::Role>(roles->value(r)->number());
        if (role == common::v1::ROLE_UNSPECIFIED) continue;
        bool declared = false;
        for (int x : policy.roles()) declared = declared || x == role;
        Who who{"someone@test", common::v1::Role_Name(role), ""};
        if (IsParticipantRole(role)) who.participant = "p-1";
        // An empty request: admitted calls fail later on its content (or
        // succeed), never with PERMISSION_DENIED naming the role.
        const grpc::Status st = CallGeneric(*h.channel, path, "", who);
        INFO(path << " as " << who.roles << ": " << st.error_code() << " " << st.error_message());
        if (declared) {
          ++admitted;
          REQUIRE(st.error_code() != grpc::StatusCode::PERMISSION_DENIED);
        } else {
          ++denied;
          REQUIRE(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
          REQUIRE(st.error_message() == absl::StrCat("someone@test (roles ", who.roles,
                                                     ") may not call ", path,
                                                     "; allowed roles: ", AllowedRoles(policy)));
        }
      }
    }
  }
  REQUIRE(methods == 14);
  REQUIRE(admitted > 0);
  REQUIRE(denied > 0);
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
