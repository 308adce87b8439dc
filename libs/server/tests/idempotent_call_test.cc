#include "gridbill/server/idempotent_call.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gridbill/base/errors.h"
#include "gridbill/testing/v1/testing.pb.h"

namespace gridbill {
namespace {

using testing::v1::EchoRequest;
using testing::v1::EchoResponse;

// Keeps (fingerprint, response) per (method, request_id) in memory, with the
// contract of gridbill::Idempotency.
class FakeIdempotency : public Idempotency {
 public:
  absl::StatusOr<std::string> Run(std::string_view method, std::string_view request_id,
                                  std::string_view fingerprint,
                                  absl::FunctionRef<absl::StatusOr<std::string>()> fn) override {
    if (request_id.empty()) return InvalidField("request_id", "required");
    const auto key = std::make_pair(std::string(method), std::string(request_id));
    if (auto it = stored_.find(key); it != stored_.end()) {
      if (it->second.first != fingerprint) {
        return InvalidField("request_id", "was already used with different content");
      }
      return it->second.second;
    }
    absl::StatusOr<std::string> response = fn();
    if (!response.ok()) return response.status();
    stored_[key] = {std::string(fingerprint), *response};
    return response;
  }

  size_t size() const { return stored_.size(); }
  std::vector<std::string> methods() const {
    std::vector<std::string> out;
    for (const auto& [key, value] : stored_) out.push_back(key.first);
    return out;
  }

 private:
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> stored_;
};

Caller Named(const std::string& principal, const std::string& participant_id = "") {
  Caller caller;
  caller.principal = principal;
  caller.participant_id = participant_id;
  return caller;
}

EchoRequest Request(const std::string& request_id, const std::string& text) {
  EchoRequest req;
  req.set_request_id(request_id);
  req.set_text(text);
  return req;
}

// Echoes the request's text with the call's ordinal, so a replay is visible.
struct Echo {
  const EchoRequest& req;
  int& calls;
  absl::Status operator()(EchoResponse& out) const {
    ++calls;
    if (req.text() == "fail") return InvalidField("text", "fails on request");
    out.set_text(req.text() + "#" + std::to_string(calls));
    return absl::OkStatus();
  }
};

TEST_CASE("IdempotentCall replays the first response to a retry without running fn again") {
  FakeIdempotency idempotency;
  const Caller caller = Named("alice");
  const EchoRequest req = Request("r-1", "hello");
  int calls = 0;

  EchoResponse first;
  REQUIRE(IdempotentCall(idempotency, caller, req, &first, Echo{req, calls}).ok());
  CHECK(first.text() == "hello#1");

  EchoResponse retry;
  REQUIRE(IdempotentCall(idempotency, caller, req, &retry, Echo{req, calls}).ok());
  CHECK(retry.text() == "hello#1");
  CHECK(calls == 1);
  // Kept under the method that takes the request, as "Service/Method": the
  // spelling stored idempotency keys depend on.
  CHECK(idempotency.methods() == std::vector<std::string>{"TestService/Echo"});
}

TEST_CASE("IdempotentCall rejects a request id reused with other content or by another caller") {
  FakeIdempotency idempotency;
  const Caller alice = Named("alice");
  const EchoRequest req = Request("r-1", "hello");
  int calls = 0;
  EchoResponse resp;
  REQUIRE(IdempotentCall(idempotency, alice, req, &resp, Echo{req, calls}).ok());

  const EchoRequest other = Request("r-1", "bye");
  EchoResponse changed;
  const grpc::Status status =
      IdempotentCall(idempotency, alice, other, &changed, Echo{other, calls});
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message() == "request_id: was already used with different content");

  const Caller bob = Named("bob");
  EchoResponse stolen;
  const grpc::Status by_bob = IdempotentCall(idempotency, bob, req, &stolen, Echo{req, calls});
  CHECK(by_bob.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(stolen.text().empty());
  CHECK(calls == 1);
}

TEST_CASE("IdempotentCall does not store an error: a retry runs fn again") {
  FakeIdempotency idempotency;
  const Caller caller = Named("alice");
  const EchoRequest req = Request("r-1", "fail");
  int calls = 0;

  EchoResponse failed;
  const grpc::Status status = IdempotentCall(idempotency, caller, req, &failed, Echo{req, calls});
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(status.error_message() == "text: fails on request");
  CHECK(idempotency.size() == 0);

  EchoResponse again;
  const grpc::Status retried = IdempotentCall(idempotency, caller, req, &again, Echo{req, calls});
  CHECK(retried.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(calls == 2);
}

TEST_CASE("CallerFingerprint ignores request_id but sees the content and the caller") {
  const Caller alice = Named("alice");
  const std::string fa = CallerFingerprint(Request("r-1", "hello"), alice);
  CHECK(fa.size() == 64);
  CHECK(CallerFingerprint(Request("r-2", "hello"), alice) == fa);
  CHECK(CallerFingerprint(Request("r-1", "bye"), alice) != fa);
  CHECK(CallerFingerprint(Request("r-1", "hello"), Named("bob")) != fa);
  CHECK(CallerFingerprint(Request("r-1", "hello"), Named("alice", "p-1")) != fa);
}

}  // namespace
}  // namespace gridbill
