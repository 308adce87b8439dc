// A gRPC-web response body as a browser's client library reads it: the
// message frames and the trailer frame's fields.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"

namespace gridbill::gateway {

struct WebResponse {
  std::vector<std::string> messages;
  std::map<std::string, std::string> trailers;
  std::string error;  // non-empty when the body is malformed
};

inline WebResponse ParseResponse(std::string body) {
  WebResponse out;
  size_t pos = 0;
  while (pos < body.size()) {
    if (body.size() - pos < 5) {
      out.error = "cut frame header";
      return out;
    }
    const uint8_t flag = static_cast<uint8_t>(body[pos]);
    const uint32_t n = (uint32_t{static_cast<uint8_t>(body[pos + 1])} << 24) |
                       (uint32_t{static_cast<uint8_t>(body[pos + 2])} << 16) |
                       (uint32_t{static_cast<uint8_t>(body[pos + 3])} << 8) |
                       uint32_t{static_cast<uint8_t>(body[pos + 4])};
    pos += 5;
    if (body.size() - pos < n) {
      out.error = "cut frame";
      return out;
    }
    std::string payload = body.substr(pos, n);
    pos += n;
    if (flag == 0x80) {
      for (absl::string_view line : absl::StrSplit(payload, "\r\n", absl::SkipEmpty())) {
        const size_t colon = line.find(':');
        out.trailers[std::string(line.substr(0, colon))] = std::string(line.substr(colon + 1));
      }
    } else {
      out.messages.push_back(std::move(payload));
    }
  }
  return out;
}

// A grpc-web-text body: base64 pieces, each padded, one after another.
inline std::string DecodeTextBody(const std::string& text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('=', pos);
    if (end == std::string::npos) {
      end = text.size();
    } else {
      while (end < text.size() && text[end] == '=') ++end;
    }
    std::string piece;
    absl::Base64Unescape(text.substr(pos, end - pos), &piece);
    out += piece;
    pos = end;
  }
  return out;
}

}  // namespace gridbill::gateway
