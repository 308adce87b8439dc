// Real enforcement of the role x method matrix: calls every method of the
// given services on a running server once per role, with an empty request,
// and checks that the server refuses exactly the roles the method's access
// option does not declare, with the access layer's message. Each service's
// pgtest runs it against its real servers (the generic stub needs no
// per-method code, so a method added later is covered).
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "gridbill/server/access.h"
#include "gridbill/server/caller.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/byte_buffer.h"

namespace gridbill::access_testing {

// One call of `method` ("/pkg.Service/Method") with an empty message as its
// only request; the status it ends with.
inline grpc::Status CallWithEmptyRequest(const std::shared_ptr<grpc::Channel>& channel,
                                         const std::string& method, const Caller& who) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.AddMetadata(kPrincipalHeader, who.principal);
  if (!who.roles.empty()) ctx.AddMetadata(kRolesHeader, RolesText(who.roles));
  if (who.scoped()) ctx.AddMetadata(kParticipantHeader, who.participant_id);
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
    grpc::Slice slice(std::string{});
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

// Every method of `services` x every role against the server on `channel`.
// Participant roles call scoped to "P-MATRIX". Returns the number of calls.
inline int CheckEveryMethodAndRole(
    const std::shared_ptr<grpc::Channel>& channel,
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  int calls = 0;
  int denied = 0;
  for (const google::protobuf::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor& m = *service->method(i);
      absl::StatusOr<MethodAccess> access = AccessOf(m);
      INFO(FullMethodName(m) << ": " << access.status().ToString());
      REQUIRE(access.ok());
      for (Role role : kAllRoles) {
        Caller who;
        who.principal = "matrix@test";
        who.roles = {role};
        if (IsParticipantRole(role)) who.participant_id = "P-MATRIX";
        const grpc::Status st = CallWithEmptyRequest(channel, access->full_name, who);
        ++calls;
        INFO(access->full_name << " as " << RoleName(role) << ": " << st.error_code() << " "
                               << st.error_message());
        const bool declared =
            access->is_public() ||
            std::find(access->roles.begin(), access->roles.end(), role) != access->roles.end();
        if (declared) {
          // Admitted: whatever the empty request leads to, not the refusal of the role.
          CHECK(st.error_message().find("may not call") == std::string::npos);
        } else {
          ++denied;
          CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
          CHECK(st.error_message() ==
                absl::StrCat("matrix@test (roles ", std::string(RoleName(role)), ") may not call ",
                             access->full_name, "; allowed roles: ", RolesText(access->roles)));
        }
      }
    }
  }
  CHECK(denied > 0);
  return calls;
}

// The services of the proto file that defines `message`.
inline std::vector<const google::protobuf::ServiceDescriptor*> ServicesOf(
    const google::protobuf::Descriptor& message) {
  std::vector<const google::protobuf::ServiceDescriptor*> out;
  for (int i = 0; i < message.file()->service_count(); ++i) {
    out.push_back(message.file()->service(i));
  }
  return out;
}

}  // namespace gridbill::access_testing
