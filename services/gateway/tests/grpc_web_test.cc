// The gRPC-web frame codec: what browsers send and what they get back.
#include "grpc_web.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "gridbill/common/v1/common.pb.h"

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

TEST_CASE("status details become a google.rpc.Status holding the services' ErrorDetails") {
  common::v1::ErrorDetails details;
  details.set_reason("RATE_LIMITED");
  details.add_violations()->set_field("point.code");
  grpc::Status in(grpc::StatusCode::INVALID_ARGUMENT, "point.code: required",
                  details.SerializeAsString());
  grpc::Status out = WithStandardDetails(in);
  CHECK(out.error_code() == in.error_code());
  CHECK(out.error_message() == in.error_message());
  // Read back with the generic Any and a hand-written google.rpc.Status reader.
  const std::string wire = out.error_details();  // returned by value
  google::protobuf::io::CodedInputStream input(reinterpret_cast<const uint8_t*>(wire.data()),
                                               static_cast<int>(wire.size()));
  uint32_t code = 0;
  std::string message;
  google::protobuf::Any any;
  while (uint32_t tag = input.ReadTag()) {
    if (tag == (1 << 3)) {
      REQUIRE(input.ReadVarint32(&code));
    } else {
      uint32_t n = 0;
      REQUIRE(input.ReadVarint32(&n));
      std::string bytes;
      REQUIRE(input.ReadString(&bytes, static_cast<int>(n)));
      if (tag == (2 << 3 | 2)) message = bytes;
      if (tag == (3 << 3 | 2)) REQUIRE(any.ParseFromString(bytes));
    }
  }
  CHECK(code == 3);
  CHECK(message == "point.code: required");
  common::v1::ErrorDetails back;
  REQUIRE(any.UnpackTo(&back));
  CHECK(back.reason() == "RATE_LIMITED");
  CHECK(back.violations(0).field() == "point.code");
  CHECK(WithStandardDetails(grpc::Status::OK).error_details().empty());
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
