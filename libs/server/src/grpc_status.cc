#include "gridbill/server/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/types/optional.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"
#include "gridbill/common/v1/common.pb.h"

namespace gridbill {
namespace {

// Set by gridbill/pg/errors.h on constraint violations.
constexpr absl::string_view kConstraintPayloadKey = "gridbill.constraint";

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
  return grpc::Status(code, message, details.SerializeAsString());
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  common::v1::ErrorDetails details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    if (details.violations_size() > 0 && !details.violations(0).field().empty()) {
      out.SetPayload(ToAbsl(kFieldPayloadKey), absl::Cord(details.violations(0).field()));
    }
    if (!details.reason().empty()) {
      out.SetPayload(kConstraintPayloadKey, absl::Cord(details.reason()));
    }
  }
  return out;
}

}  // namespace gridbill
