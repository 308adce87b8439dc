// The role x method matrix, read from the descriptors: for every routed
// method and every role, the gateway lets the call through or answers
// PERMISSION_DENIED exactly as the method's access option declares; and a
// participant's caller naming another participant (or none) is denied in
// every method that takes a participant. The backend behind the gateway is
// a catch-all that answers every method, so what is tested is the gateway's
// decision alone; it also checks that each call it sees carries an
// identity signed for that very method.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "../pg_store.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "auth.h"
#include "gateway_harness.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/server/caller.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "policy.h"
#include "proxy.h"
#include "routes.h"

namespace gridbill::gateway {
namespace {

using testing::kIdentitySecret;
constexpr char kOwn[] = "P-OWN";
constexpr char kOther[] = "P-OTHER";

// Answers every method with one empty message, after checking the identity.
class CatchAll final : public grpc::CallbackGenericService {
 public:
  std::atomic<int> calls{0};
  std::atomic<int> bad_signatures{0};

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    ++calls;
    auto value = [&](const char* key) {
      auto it = ctx->client_metadata().find(key);
      return it == ctx->client_metadata().end() ? std::string()
                                                : std::string(it->second.data(), it->second.size());
    };
    const std::string principal = value(kPrincipalHeader);
    if (!principal.empty() &&
        !IdentitySignatureValid(kIdentitySecret, principal, value(kRolesHeader),
                                value(kParticipantHeader), ctx->method(),
                                value(kIdentitySigHeader))) {
      ++bad_signatures;
    }
    return new Reactor();
  }

 private:
  class Reactor final : public grpc::ServerGenericBidiReactor {
   public:
    Reactor() { StartRead(&in_); }
    void OnReadDone(bool ok) override {
      if (ok) {
        StartRead(&in_);
        return;
      }
      grpc::Slice empty("");
      out_ = grpc::ByteBuffer(&empty, 1);
      StartWriteAndFinish(&out_, grpc::WriteOptions(), grpc::Status::OK);
    }
    void OnDone() override { delete this; }

   private:
    grpc::ByteBuffer in_;
    grpc::ByteBuffer out_;
  };
};

// Any call kind, as a bidi stream of raw bytes: one request, then read to the end.
grpc::Status Call(grpc::GenericStub& stub, const std::string& method, const std::string& bytes,
                  const std::string& api_key) {
  class Caller final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    Caller(const std::string& bytes) {
      grpc::Slice slice(bytes);
      request_ = grpc::ByteBuffer(&slice, 1);
    }
    void OnWriteDone(bool) override { StartWritesDone(); }
    void OnReadDone(bool ok) override {
      if (ok) StartRead(&response_);
    }
    void OnDone(const grpc::Status& s) override { done.set_value(s); }
    grpc::ClientContext ctx;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
    std::promise<grpc::Status> done;
  };
  Caller caller(bytes);
  caller.ctx.AddMetadata(kApiKeyHeader, api_key);
  caller.ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  stub.PrepareBidiStreamingCall(&caller.ctx, method, grpc::StubOptions(), &caller);
  caller.StartRead(&caller.response_);
  caller.StartWrite(&caller.request_);
  caller.StartCall();
  return caller.done.get_future().get();
}

// A request of `method` with its participant field (if any) set to `participant`.
std::string Request(const MethodPolicy& policy, const std::string& participant) {
  google::protobuf::DynamicMessageFactory factory;
  std::unique_ptr<google::protobuf::Message> message(
      factory.GetPrototype(policy.descriptor->input_type())->New());
  if (!policy.participant_field.empty()) {
    google::protobuf::Message* current = message.get();
    std::vector<std::string> parts = absl::StrSplit(policy.participant_field, '.');
    for (size_t i = 0; i < parts.size(); ++i) {
      const google::protobuf::FieldDescriptor* f =
          current->GetDescriptor()->FindFieldByName(parts[i]);
      REQUIRE(f != nullptr);
      if (i + 1 == parts.size()) {
        current->GetReflection()->SetString(current, f, participant);
      } else {
        current = current->GetReflection()->MutableMessage(current, f, &factory);
      }
    }
  }
  return message->SerializeAsString();
}

// The gateway in front of one catch-all backend for every route (a generic
// service: no service harness hosts one).
struct Fixture : testing::GatewayHarness {
  CatchAll backend_service;
  std::unique_ptr<grpc::Server> backend;
  std::unique_ptr<grpc::GenericStub> stub;

  Fixture() {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterCallbackGenericService(&backend_service);
    backend = builder.BuildAndStart();
    REQUIRE(port != 0);
    auto channel =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
    StartDoor({{kBackendContracts, channel},
               {kBackendMetering, channel},
               {kBackendBalance, channel},
               {kBackendInvoicing, channel},
               {kBackendForecasting, channel},
               {kBackendReporting, channel},
               {kBackendIntegrations, channel},
               {kBackendGateway, channel}});
    stub = std::make_unique<grpc::GenericStub>(Channel());
  }
  ~Fixture() {
    Stop();
    backend->Shutdown();
  }

  std::string Key(Role role) {
    return GatewayHarness::Key({role}, IsParticipantRole(role) ? kOwn : "");
  }
};

bool Declares(const MethodPolicy& p, Role role) {
  return std::find(p.roles.begin(), p.roles.end(), role) != p.roles.end();
}

TEST_CASE("matrix: every routed method x every role is allowed or denied exactly as declared") {
  Fixture f;
  REQUIRE(f.policies->methods().size() > 50);  // every service's methods, not a sample
  int checked = 0;
  for (int r = common::v1::Role_MIN + 1; r <= common::v1::Role_MAX; ++r) {
    const Role role = static_cast<Role>(r);
    const std::string key = f.Key(role);
    for (const auto& [method, policy] : f.policies->methods()) {
      const std::string bytes = Request(policy, kOwn);
      const int before = f.backend_service.calls;
      grpc::Status st = Call(*f.stub, method, bytes, key);
      INFO(common::v1::Role_Name(role)
           << " calls " << method << ": " << st.error_code() << " " << st.error_message());
      if (policy.is_public || Declares(policy, role)) {
        CHECK(st.ok());
        CHECK(f.backend_service.calls == before + 1);
      } else {
        CHECK(st.error_code() == grpc::StatusCode::PERMISSION_DENIED);
        CHECK(f.backend_service.calls == before);  // the backend never saw it
      }
      ++checked;
    }
  }
  CHECK(checked == 8 * static_cast<int>(f.policies->methods().size()));
  CHECK(f.backend_service.bad_signatures == 0);
}

TEST_CASE("matrix: a participant's caller is denied another participant's data in every method") {
  Fixture f;
  int methods_with_participant = 0;
  for (Role role : {common::v1::ROLE_PARTICIPANT_USER, common::v1::ROLE_PARTICIPANT_ADMIN}) {
    const std::string key = f.Key(role);
    for (const auto& [method, policy] : f.policies->methods()) {
      if (policy.participant_field.empty() || !Declares(policy, role)) continue;
      ++methods_with_participant;
      INFO(common::v1::Role_Name(role)
           << " calls " << method << " (" << policy.participant_field << ")");
      const int before = f.backend_service.calls;
      grpc::Status other = Call(*f.stub, method, Request(policy, kOther), key);
      CHECK(other.error_code() == grpc::StatusCode::PERMISSION_DENIED);
      CHECK_THAT(other.error_message(), Catch::Contains(policy.participant_field));
      grpc::Status none = Call(*f.stub, method, Request(policy, ""), key);
      CHECK(none.error_code() == grpc::StatusCode::PERMISSION_DENIED);
      CHECK(f.backend_service.calls == before);
      CHECK(Call(*f.stub, method, Request(policy, kOwn), key).ok());
    }
  }
  // The contracts declare participant fields: the loop above is not empty.
  CHECK(methods_with_participant > 5);
}

}  // namespace
}  // namespace gridbill::gateway
