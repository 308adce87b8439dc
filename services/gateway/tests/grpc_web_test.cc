// The gRPC-web frame codec: what browsers send and what they get back.
#include "grpc_web.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

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
