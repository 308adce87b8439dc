#include "gridbill/server/grpc_status.h"

#include <catch2/catch.hpp>

#include "absl/strings/cord.h"
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

TEST_CASE("ToGrpc puts the field of a field error into ErrorDetails") {
  grpc::Status s = ToGrpc(InvalidField("participant.bin", "check digit does not match"));
  CHECK(s.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(s.error_message() == "participant.bin: check digit does not match");
  common::v1::ErrorDetails details;
  REQUIRE(details.ParseFromString(s.error_details()));
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
  common::v1::ErrorDetails details;
  REQUIRE(details.ParseFromString(s.error_details()));
  CHECK(details.violations_size() == 0);
  CHECK(details.reason() == "tariffs_no_overlap");
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
