// The method policy table: every routed method, the backend that owns it and
// its access policy, read at start from the `gridbill.common.v1.access`
// option by the same access layer the services use
// (gridbill/server/access.h AccessOf), and the authorization decision (its
// Decide, plus the front door's own rules below).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "gridbill/server/access.h"
#include "principal.h"

namespace gridbill::gateway {

// One routed service: its full name and the backend (a key into the
// backend address map) that serves it.
struct ServiceRoute {
  std::string service;  // "gridbill.contracts.v1.ContractService"
  std::string backend;  // "contracts"
  // Methods of this service may declare no roles (public: sign-in). Only
  // the gateway's own AuthService is allowed that.
  bool allow_public = false;
};

struct MethodPolicy {
  // The declared access, as every service reads it; the fields below are
  // the gateway's view of it.
  MethodAccess access;
  std::string full_method;  // /gridbill.contracts.v1.ContractService/GetContract
  std::string backend;
  const google::protobuf::MethodDescriptor* descriptor = nullptr;
  std::vector<Role> roles;
  // Dotted path of the string field holding the participant id, or "".
  std::string participant_field;
  bool mutating = false;
  // No roles declared and allowed to be public: no authentication needed.
  bool is_public = false;
};

// Immutable after Build; safe to share between threads.
class PolicyTable {
 public:
  // Reads every method of every routed service from `pool`. Refuses
  // (FAILED_PRECONDITION naming the method) a routed service that is not in
  // the pool, a method without an access option, a non-public method with
  // no roles, and a participant_field that does not name a singular string
  // field of the request (through singular message fields).
  static absl::StatusOr<std::unique_ptr<PolicyTable>> Build(
      const google::protobuf::DescriptorPool& pool, const std::vector<ServiceRoute>& routes);

  // The routed method, or nullptr.
  const MethodPolicy* Find(std::string_view full_method) const;
  const std::map<std::string, MethodPolicy, std::less<>>& methods() const { return methods_; }

  // The serialized request as a message of the method's request type
  // (INVALID_ARGUMENT when the bytes are not one).
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> ParseRequest(
      const MethodPolicy& policy, std::string_view request_bytes) const;
  // The value of the policy's participant field in the serialized request
  // (INVALID_ARGUMENT when the bytes are not a valid request message; "" when
  // the field is unset or the policy names none).
  absl::StatusOr<std::string> ExtractParticipant(const MethodPolicy& policy,
                                                 std::string_view request_bytes) const;
  // The request's top-level string `request_id`, or "" (none, or not parsable).
  std::string ExtractRequestId(const MethodPolicy& policy, std::string_view request_bytes) const;

 private:
  PolicyTable() = default;
  std::map<std::string, MethodPolicy, std::less<>> methods_;
  std::unique_ptr<google::protobuf::DynamicMessageFactory> dynamic_factory_;
};

// May `who` call the method at all (before any message is read)?
// PERMISSION_DENIED names the method; public methods admit everyone. The
// access layer's rule, except that a principal without roles is refused
// (the access layer trusts a roleless caller as a tool behind the gateway;
// at the gateway every caller is authenticated).
absl::Status AuthorizeMethod(const MethodPolicy& policy, const Principal& who);

// May `who` send this request? For a participant-scoped caller and a method
// with a participant field, the field must hold the caller's participant:
// another participant's id (the access layer's Decide), and an empty one
// (the front door's rule: lists read it as "all participants"), are
// PERMISSION_DENIED naming the field.
absl::Status AuthorizeRequest(const PolicyTable& table, const MethodPolicy& policy,
                              const Principal& who, std::string_view request_bytes);

}  // namespace gridbill::gateway
