#include "grpc_web.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gridbill/base/absl_compat.h"

namespace gridbill::gateway {
namespace {

constexpr uint8_t kFlagCompressed = 0x01;
constexpr uint8_t kFlagTrailers = 0x80;
constexpr size_t kFrameHeader = 5;

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string Frame(uint8_t flag, std::string_view payload) {
  std::string out;
  out.reserve(kFrameHeader + payload.size());
  out.push_back(static_cast<char>(flag));
  const uint32_t n = static_cast<uint32_t>(payload.size());
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(payload);
  return out;
}

// grpc-message is percent-encoded: bytes outside printable ASCII and '%'.
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c <= 0x7e && c != '%') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

void Varint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void LengthDelimited(int field, std::string_view bytes, std::string& out) {
  Varint(static_cast<uint64_t>(field) << 3 | 2, out);
  Varint(bytes.size(), out);
  out.append(bytes);
}

bool ReadVarint(std::string_view bytes, size_t& pos, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && pos < bytes.size(); shift += 7) {
    const auto b = static_cast<uint8_t>(bytes[pos++]);
    v |= uint64_t{b & 0x7fu} << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// True when `bytes` is a well-formed google.rpc.Status of `code`: only its
// fields 1 (code, a varint), 2 (message) and 3 (details). A bare
// gridbill.common.v1.ErrorDetails is not: its field 1 is length-delimited,
// and without it the code reads as 0.
bool IsRpcStatusOf(std::string_view bytes, int code) {
  size_t pos = 0;
  uint64_t seen_code = 0;
  while (pos < bytes.size()) {
    uint64_t tag = 0;
    uint64_t n = 0;
    if (!ReadVarint(bytes, pos, tag)) return false;
    if (tag == (1 << 3 | 0)) {
      if (!ReadVarint(bytes, pos, seen_code)) return false;
    } else if (tag == (2 << 3 | 2) || tag == (3 << 3 | 2)) {
      if (!ReadVarint(bytes, pos, n) || bytes.size() - pos < n) return false;
      pos += n;
    } else {
      return false;
    }
  }
  return seen_code == static_cast<uint64_t>(code);
}

}  // namespace

grpc::Status WithStandardDetails(const grpc::Status& status) {
  const std::string details = status.error_details();  // returned by value
  if (details.empty()) return status;
  if (IsRpcStatusOf(details, static_cast<int>(status.error_code()))) return status;
  std::string any;
  LengthDelimited(1, "type.googleapis.com/gridbill.common.v1.ErrorDetails", any);
  LengthDelimited(2, details, any);
  std::string rpc_status;
  Varint(1 << 3 | 0, rpc_status);
  Varint(static_cast<uint32_t>(status.error_code()), rpc_status);
  LengthDelimited(2, status.error_message(), rpc_status);
  LengthDelimited(3, any, rpc_status);
  return grpc::Status(status.error_code(), status.error_message(), rpc_status);
}

absl::StatusOr<WebEncoding> ParseContentType(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  type = std::string(absl::StripAsciiWhitespace(absl::AsciiStrToLower(type)));
  if (type == "application/grpc-web" || type == "application/grpc-web+proto") {
    return WebEncoding::kBinary;
  }
  if (type == "application/grpc-web-text" || type == "application/grpc-web-text+proto") {
    return WebEncoding::kText;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "content-type: \"", ToAbsl(content_type.substr(0, 100)),
      "\" is not accepted; send application/grpc-web+proto or application/grpc-web-text"));
}

absl::StatusOr<std::string> DecodeWebText(std::string_view body) {
  std::string out;
  out.reserve(body.size() / 4 * 3);
  size_t i = 0;
  while (i < body.size()) {
    // One quantum of 4 characters; the last quantum of a chunk may be padded.
    if (body.size() - i < 4) {
      return absl::InvalidArgumentError(
          absl::StrCat("body: base64 ends inside a quantum at offset ", i));
    }
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = body[i + k];
      if (c == '=' && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0 || (v[k] = Base64Value(c)) < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("body: not base64 at offset ", i + k, " (grpc-web-text)"));
      }
    }
    const uint32_t bits = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>((bits >> 16) & 0xff));
    if (pad < 2) out.push_back(static_cast<char>((bits >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(bits & 0xff));
    i += 4;
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> ParseRequestFrames(std::string_view body,
                                                            int64_t max_message_bytes) {
  std::vector<std::string> messages;
  size_t pos = 0;
  while (pos < body.size()) {
    const size_t index = messages.size();
    if (body.size() - pos < kFrameHeader) {
      return absl::InvalidArgumentError(
          absl::StrCat("body: frame ", index, " is cut off inside its 5-byte header"));
    }
    const auto flag = static_cast<uint8_t>(body[pos]);
    const uint64_t length = (uint64_t{static_cast<uint8_t>(body[pos + 1])} << 24) |
                            (uint64_t{static_cast<uint8_t>(body[pos + 2])} << 16) |
                            (uint64_t{static_cast<uint8_t>(body[pos + 3])} << 8) |
                            uint64_t{static_cast<uint8_t>(body[pos + 4])};
    if (flag & kFlagTrailers) {
      return absl::InvalidArgumentError(
          absl::StrCat("body: frame ", index, " is a trailer frame; clients send messages only"));
    }
    if (flag & kFlagCompressed) {
      return absl::InvalidArgumentError(
          absl::StrCat("body: frame ", index, " is compressed; send uncompressed messages"));
    }
    if (flag != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("body: frame ", index, " has unknown flags 0x", absl::Hex(flag)));
    }
    if (static_cast<int64_t>(length) > max_message_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat("body: message ", index, " has ", length,
                                                       " bytes, more than the limit of ",
                                                       max_message_bytes));
    }
    pos += kFrameHeader;
    if (body.size() - pos < length) {
      return absl::InvalidArgumentError(absl::StrCat("body: frame ", index, " announces ", length,
                                                     " bytes but only ", body.size() - pos,
                                                     " follow"));
    }
    messages.emplace_back(body.substr(pos, length));
    pos += length;
  }
  return messages;
}

std::string EncodeMessageFrame(std::string_view message) { return Frame(0, message); }

std::string EncodeTrailerFrame(const grpc::Status& status,
                               const std::vector<std::pair<std::string, std::string>>& extra) {
  std::string text = absl::StrCat("grpc-status:", static_cast<int>(status.error_code()), "\r\n");
  if (!status.error_message().empty()) {
    absl::StrAppend(&text, "grpc-message:", PercentEncode(status.error_message()), "\r\n");
  }
  if (!status.error_details().empty()) {
    absl::StrAppend(&text, "grpc-status-details-bin:", absl::Base64Escape(status.error_details()),
                    "\r\n");
  }
  for (const auto& [name, value] : extra) {
    absl::StrAppend(&text, name, ":", PercentEncode(value), "\r\n");
  }
  return Frame(kFlagTrailers, text);
}

std::string EncodeWebText(std::string_view bytes) {
  return absl::Base64Escape(absl::string_view(bytes.data(), bytes.size()));
}

absl::StatusOr<int64_t> ParseGrpcTimeoutMicros(std::string_view value) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc-timeout: \"", ToAbsl(value.substr(0, 20)),
                     "\" is not 1 to 8 digits followed by one of H M S m u n"));
  };
  if (value.size() < 2 || value.size() > 9) return bad();
  int64_t n = 0;
  for (char c : value.substr(0, value.size() - 1)) {
    if (c < '0' || c > '9') return bad();
    n = n * 10 + (c - '0');
  }
  switch (value.back()) {
    case 'H':
      return n * 3600 * 1000000;
    case 'M':
      return n * 60 * 1000000;
    case 'S':
      return n * 1000000;
    case 'm':
      return n * 1000;
    case 'u':
      return n;
    case 'n':
      return n / 1000;
    default:
      return bad();
  }
}

}  // namespace gridbill::gateway
