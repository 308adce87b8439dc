#include "gridbill/server/grpc_status.h"

#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/types/optional.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/rpc/status.pb.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"
#include "gridbill/common/v1/common.pb.h"

namespace gridbill {
namespace {

// Set by gridbill/pg/errors.h on constraint violations.
constexpr absl::string_view kConstraintPayloadKey = "gridbill.constraint";

bool NoUnknownFields(const google::protobuf::Message& m) {
  return m.GetReflection()->GetUnknownFields(m).empty();
}

}  // namespace

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  const std::string field = FieldOf(status);
  const absl::optional<absl::Cord> constraint = status.GetPayload(kConstraintPayloadKey);
  if (field.empty() && !constraint.has_value()) return grpc::Status(code, message);

  common::v1::ErrorDetails details;
  if (!field.empty()) {
    common::v1::FieldViolation* violation = details.add_violations();
    violation->set_field(field);
    // The message reads "field: reason"; the violation carries the reason.
    absl::string_view reason = status.message();
    absl::ConsumePrefix(&reason, absl::StrCat(field, ": "));
    violation->set_description(std::string(reason));
  }
  if (constraint.has_value()) details.set_reason(std::string(*constraint));
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(code));
  rich.set_message(message);
  rich.add_details()->PackFrom(details);
  return grpc::Status(code, message, rich.SerializeAsString());
}

std::optional<common::v1::ErrorDetails> ErrorDetailsOf(const grpc::Status& status) {
  const std::string bytes = status.error_details();  // returned by value
  if (bytes.empty()) return std::nullopt;
  // Parsing is lenient (a field of another wire type is kept as unknown), so
  // a form counts only when it parses without unknown fields. A bare
  // ErrorDetails never reads as a google.rpc.Status of the status's code:
  // its field 1 is a message, not a varint.
  google::rpc::Status rich;
  if (rich.ParseFromString(bytes) && NoUnknownFields(rich) &&
      (rich.details_size() > 0 || rich.code() == static_cast<int>(status.error_code()))) {
    for (const google::protobuf::Any& any : rich.details()) {
      common::v1::ErrorDetails details;
      if (any.Is<common::v1::ErrorDetails>() && any.UnpackTo(&details)) return details;
    }
    return std::nullopt;
  }
  common::v1::ErrorDetails bare;
  if (bare.ParseFromString(bytes) && NoUnknownFields(bare)) return bare;
  return std::nullopt;
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  if (const std::optional<common::v1::ErrorDetails> details = ErrorDetailsOf(status)) {
    if (details->violations_size() > 0 && !details->violations(0).field().empty()) {
      out.SetPayload(ToAbsl(kFieldPayloadKey), absl::Cord(details->violations(0).field()));
    }
    if (!details->reason().empty()) {
      out.SetPayload(kConstraintPayloadKey, absl::Cord(details->reason()));
    }
  }
  return out;
}

}  // namespace gridbill
