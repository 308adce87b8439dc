// The gRPC-web frame codec: what browsers send and what they get back.
#include "grpc_web.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "google/rpc/status.pb.h"
#include "gridbill/base/errors.h"
#include "gridbill/common/v1/common.pb.h"
#include "gridbill/server/grpc_status.h"

namespace gridbill::gateway {
namespace {

TEST_CASE("content types: binary and text variants, nothing else") {
  CHECK(*ParseContentType("application/grpc-web") == WebEncoding::kBinary);
  CHECK(*ParseContentType("application/grpc-web+proto; charset=utf-8") == WebEncoding::kBinary);
  CHECK(*ParseContentType("Application/GRPC-Web-Text") == WebEncoding::kText);
  CHECK(*ParseContentType("application/grpc-web-text+proto") == WebEncoding::kText);
  for (const char* bad : {"", "application/grpc", "application/grpc-web+json", "text/plain"}) {
    INFO(bad);
    CHECK(ParseContentType(bad).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("frames: messages in, messages out, each refusal says which frame and why") {
  const std::string two = EncodeMessageFrame("abc") + EncodeMessageFrame("");
  auto messages = ParseRequestFrames(two, 100);
  REQUIRE(messages.ok());
  CHECK(*messages == std::vector<std::string>{"abc", ""});
  CHECK(ParseRequestFrames("", 100)->empty());
  CHECK(std::string(ParseRequestFrames(two.substr(0, 10), 100).status().message()) ==
        "body: frame 1 is cut off inside its 5-byte header");
  CHECK(ParseRequestFrames(EncodeMessageFrame(std::string(101, 'x')), 100).status().code() ==
        absl::StatusCode::kResourceExhausted);
  std::string trailer = EncodeTrailerFrame(grpc::Status::OK);
  CHECK(absl::StrContains(std::string(ParseRequestFrames(trailer, 100).status().message()),
                          "trailer frame"));
  CHECK(absl::StrContains(
      std::string(ParseRequestFrames(std::string("\x40\0\0\0\0", 5), 100).status().message()),
      "unknown flags 0x40"));
}

TEST_CASE("trailers: status, percent-encoded message, details and extra trailers") {
  grpc::Status st(grpc::StatusCode::RESOURCE_EXHAUSTED, "slow down: 100% busy", "\x01\x02");
  const std::string frame = EncodeTrailerFrame(st, {{"retry-after-ms", "250"}});
  CHECK(frame[0] == '\x80');
  const std::string text = frame.substr(5);
  CHECK(text ==
        "grpc-status:8\r\ngrpc-message:slow down: 100%25 busy\r\n"
        "grpc-status-details-bin:AQI=\r\nretry-after-ms:250\r\n");
}

TEST_CASE("a service's google.rpc.Status details pass to the browser as they are") {
  const grpc::Status in = ToGrpc(InvalidField("point.code", "required"));
  const grpc::Status out = WithStandardDetails(in);
  CHECK(out.error_code() == in.error_code());
  CHECK(out.error_message() == "point.code: required");
  // Not wrapped a second time: the same bytes, in the trailer too.
  CHECK(out.error_details() == in.error_details());
  const std::string trailer = EncodeTrailerFrame(out).substr(5);
  CHECK(absl::StrContains(
      trailer, "grpc-status-details-bin:" + absl::Base64Escape(in.error_details()) + "\r\n"));
  google::rpc::Status rich;
  REQUIRE(rich.ParseFromString(out.error_details()));
  CHECK(rich.code() == 3);
  REQUIRE(rich.details_size() == 1);
  common::v1::ErrorDetails back;
  REQUIRE(rich.details(0).UnpackTo(&back));
  CHECK(back.violations(0).field() == "point.code");
  CHECK(back.violations(0).description() == "required");
  CHECK(WithStandardDetails(grpc::Status::OK).error_details().empty());
  const grpc::Status plain(grpc::StatusCode::UNAVAILABLE, "down");
  CHECK(WithStandardDetails(plain).error_details().empty());
}

TEST_CASE("bare ErrorDetails of older services become a google.rpc.Status holding them") {
  common::v1::ErrorDetails details;
  details.set_reason("RATE_LIMITED");
  details.add_violations()->set_field("point.code");
  grpc::Status in(grpc::StatusCode::INVALID_ARGUMENT, "point.code: required",
                  details.SerializeAsString());
  grpc::Status out = WithStandardDetails(in);
  CHECK(out.error_code() == in.error_code());
  CHECK(out.error_message() == in.error_message());
  google::rpc::Status rich;
  REQUIRE(rich.ParseFromString(out.error_details()));
  CHECK(rich.code() == 3);
  CHECK(rich.message() == "point.code: required");
  REQUIRE(rich.details_size() == 1);
  CHECK(rich.details(0).type_url() == "type.googleapis.com/gridbill.common.v1.ErrorDetails");
  common::v1::ErrorDetails back;
  REQUIRE(rich.details(0).UnpackTo(&back));
  CHECK(back.reason() == "RATE_LIMITED");
  CHECK(back.violations(0).field() == "point.code");
  // A reason alone is not mistaken for a google.rpc.Status either.
  common::v1::ErrorDetails reason_only;
  reason_only.set_reason("RATE_LIMITED");
  const grpc::Status limited = WithStandardDetails(grpc::Status(
      grpc::StatusCode::RESOURCE_EXHAUSTED, "slow down", reason_only.SerializeAsString()));
  REQUIRE(rich.ParseFromString(limited.error_details()));
  CHECK(rich.code() == 8);
  REQUIRE(rich.details_size() == 1);
  REQUIRE(rich.details(0).UnpackTo(&back));
  CHECK(back.reason() == "RATE_LIMITED");
}

TEST_CASE("grpc-web-text: padded chunks one after another, and bad base64 located") {
  CHECK(*DecodeWebText(absl::Base64Escape("ab") + absl::Base64Escape("cde")) == "abcde");
  CHECK(*DecodeWebText("") == "");
  CHECK(std::string(DecodeWebText("QUJD!").status().message()) ==
        "body: base64 ends inside a quantum at offset 4");
  CHECK(std::string(DecodeWebText("QU=D").status().message()) ==
        "body: not base64 at offset 3 (grpc-web-text)");
  CHECK(std::string(DecodeWebText("QUJD\nQUJD").status().message()) ==
        "body: not base64 at offset 4 (grpc-web-text)");
}

TEST_CASE("grpc-timeout: every unit, and refusals") {
  CHECK(*ParseGrpcTimeoutMicros("2H") == int64_t{2} * 3600 * 1000000);
  CHECK(*ParseGrpcTimeoutMicros("3M") == 180000000);
  CHECK(*ParseGrpcTimeoutMicros("5S") == 5000000);
  CHECK(*ParseGrpcTimeoutMicros("250m") == 250000);
  CHECK(*ParseGrpcTimeoutMicros("7u") == 7);
  CHECK(*ParseGrpcTimeoutMicros("99999999n") == 99999);
  for (const char* bad : {"", "S", "1", "1s", "123456789S", "-1S", "1.5S"}) {
    INFO(bad);
    CHECK_FALSE(ParseGrpcTimeoutMicros(bad).ok());
  }
}

}  // namespace
}  // namespace gridbill::gateway
