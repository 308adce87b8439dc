#include "gridbill/server/grpc_status.h"

#include <catch2/catch.hpp>

#include <optional>

#include "absl/strings/cord.h"
#include "google/rpc/status.pb.h"
#include "gridbill/base/errors.h"
#include "gridbill/common/v1/common.pb.h"

namespace gridbill {
namespace {

TEST_CASE("ToGrpc keeps code and message") {
  CHECK(ToGrpc(absl::OkStatus()).ok());
  grpc::Status s = ToGrpc(absl::UnavailableError("metering is down"));
  CHECK(s.error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(s.error_message() == "metering is down");
  CHECK(s.error_details().empty());
  CHECK(ToGrpc(absl::AbortedError("x")).error_code() == grpc::StatusCode::ABORTED);
  CHECK(ToGrpc(absl::FailedPreconditionError("x")).error_code() ==
        grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_CASE("ToGrpc sends a field error as a google.rpc.Status holding ErrorDetails") {
  grpc::Status s = ToGrpc(InvalidField("participant.bin", "check digit does not match"));
  CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(s.error_message() == "participant.bin: check digit does not match");
  // What any gRPC client's rich-error model reads from grpc-status-details-bin.
  google::rpc::Status rich;
  REQUIRE(rich.ParseFromString(s.error_details()));
  CHECK(rich.code() == static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  CHECK(rich.message() == "participant.bin: check digit does not match");
  REQUIRE(rich.details_size() == 1);
  CHECK(rich.details(0).type_url() == "type.googleapis.com/gridbill.common.v1.ErrorDetails");
  CHECK(rich.details(0).type_url() == kErrorDetailsTypeUrl);
  common::v1::ErrorDetails details;
  REQUIRE(rich.details(0).UnpackTo(&details));
  REQUIRE(details.violations_size() == 1);
  CHECK(details.violations(0).field() == "participant.bin");
  CHECK(details.violations(0).description() == "check digit does not match");
  CHECK(details.reason().empty());
}

TEST_CASE("ToGrpc puts a constraint into ErrorDetails.reason") {
  absl::Status st = absl::FailedPreconditionError("tariff periods overlap");
  st.SetPayload("gridbill.constraint", absl::Cord("tariffs_no_overlap"));
  grpc::Status s = ToGrpc(st);
  CHECK(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  google::rpc::Status rich;
  REQUIRE(rich.ParseFromString(s.error_details()));
  CHECK(rich.code() == static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  REQUIRE(rich.details_size() == 1);
  common::v1::ErrorDetails details;
  REQUIRE(rich.details(0).UnpackTo(&details));
  CHECK(details.violations_size() == 0);
  CHECK(details.reason() == "tariffs_no_overlap");
}

TEST_CASE("ErrorDetailsOf reads the google.rpc.Status form and the older bare form") {
  const std::optional<common::v1::ErrorDetails> sent =
      ErrorDetailsOf(ToGrpc(InvalidField("period", "2023-13 is not a month")));
  REQUIRE(sent.has_value());
  REQUIRE(sent->violations_size() == 1);
  CHECK(sent->violations(0).field() == "period");
  CHECK(sent->violations(0).description() == "2023-13 is not a month");

  // Services before google.rpc.Status sent the ErrorDetails bare.
  common::v1::ErrorDetails old;
  old.add_violations()->set_field("point.code");
  old.mutable_violations(0)->set_description("required");
  const std::optional<common::v1::ErrorDetails> bare = ErrorDetailsOf(grpc::Status(
      grpc::StatusCode::INVALID_ARGUMENT, "point.code: required", old.SerializeAsString()));
  REQUIRE(bare.has_value());
  REQUIRE(bare->violations_size() == 1);
  CHECK(bare->violations(0).field() == "point.code");
  common::v1::ErrorDetails reason_only;
  reason_only.set_reason("RATE_LIMITED");
  const std::optional<common::v1::ErrorDetails> reason = ErrorDetailsOf(grpc::Status(
      grpc::StatusCode::RESOURCE_EXHAUSTED, "slow down", reason_only.SerializeAsString()));
  REQUIRE(reason.has_value());
  CHECK(reason->reason() == "RATE_LIMITED");

  // No details, details that are no proto, and a google.rpc.Status holding
  // another type: nothing.
  CHECK_FALSE(ErrorDetailsOf(ToGrpc(absl::UnavailableError("down"))).has_value());
  CHECK_FALSE(ErrorDetailsOf(grpc::Status(grpc::StatusCode::INTERNAL, "x", "\xff not a proto"))
                  .has_value());
  google::rpc::Status other;
  other.set_code(static_cast<int>(grpc::StatusCode::NOT_FOUND));
  other.add_details()->PackFrom(common::v1::Date());
  CHECK_FALSE(
      ErrorDetailsOf(grpc::Status(grpc::StatusCode::NOT_FOUND, "gone", other.SerializeAsString()))
          .has_value());
}

TEST_CASE("FromGrpc restores code and message and field and constraint") {
  CHECK(FromGrpc(grpc::Status::OK).ok());
  absl::Status field = FromGrpc(ToGrpc(InvalidField("period", "2023-13 is not a month")));
  CHECK(field.code() == absl::StatusCode::kInvalidArgument);
  CHECK(field.message() == "period: 2023-13 is not a month");
  CHECK(FieldOf(field) == "period");

  absl::Status st = absl::AlreadyExistsError("duplicate");
  st.SetPayload("gridbill.constraint", absl::Cord("contracts_number_key"));
  absl::Status back = FromGrpc(ToGrpc(st));
  CHECK(back.code() == absl::StatusCode::kAlreadyExists);
  REQUIRE(back.GetPayload("gridbill.constraint").has_value());
  CHECK(std::string(*back.GetPayload("gridbill.constraint")) == "contracts_number_key");

  // The older bare form still restores the field.
  common::v1::ErrorDetails bare;
  bare.add_violations()->set_field("contract.number");
  CHECK(FieldOf(FromGrpc(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "contract.number: taken",
                                      bare.SerializeAsString()))) == "contract.number");

  absl::Status plain =
      FromGrpc(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "too slow", "\xff not a proto"));
  CHECK(plain.code() == absl::StatusCode::kDeadlineExceeded);
  CHECK(FieldOf(plain).empty());
}

absl::StatusOr<int> Half(int n) {
  if (n % 2 != 0) return InvalidField("n", "odd");
  return n / 2;
}

grpc::Status UseMacros(int n, int* out) {
  RETURN_IF_ERROR_GRPC(n >= 0 ? absl::OkStatus() : InvalidField("n", "negative"));
  ASSIGN_OR_RETURN_GRPC(*out, Half(n));
  return grpc::Status::OK;
}

TEST_CASE("RETURN_IF_ERROR_GRPC and ASSIGN_OR_RETURN_GRPC convert at the edge") {
  int out = 0;
  CHECK(UseMacros(4, &out).ok());
  CHECK(out == 2);
  CHECK(UseMacros(-1, &out).error_message() == "n: negative");
  CHECK(UseMacros(3, &out).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace gridbill
