// libFuzzer target for the gRPC-web parsing a browser (or anyone) controls:
// the frame parser, the grpc-web-text decoder, the content type and the
// grpc-timeout header. The first byte picks the path; the rest is input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "grpc_web.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace gridbill::gateway;
  switch (data[0] % 4) {
    case 0: {
      auto frames = ParseRequestFrames(input, 1 << 16);
      if (frames.ok()) {
        // What parsed must re-encode to the same bytes.
        std::string again;
        for (const std::string& m : *frames) again += EncodeMessageFrame(m);
        if (again != input) __builtin_trap();
      }
      break;
    }
    case 1: {
      auto decoded = DecodeWebText(input);
      if (decoded.ok()) (void)ParseRequestFrames(*decoded, 1 << 16);
      break;
    }
    case 2:
      (void)ParseContentType(input);
      break;
    default: {
      auto micros = ParseGrpcTimeoutMicros(input);
      if (micros.ok() && *micros < 0) __builtin_trap();
      break;
    }
  }
  return 0;
}
