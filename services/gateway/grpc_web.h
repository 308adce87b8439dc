// The gRPC-web wire format (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md):
// length-prefixed frames in an HTTP/1.1 body, the status in a trailer frame,
// and the base64 "text" variant. Pure functions, no I/O: the parser is what
// the fuzz target drives.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/support/status.h"

namespace gridbill::gateway {

// The body encodings a browser may send.
enum class WebEncoding { kBinary, kText };

// The encoding of a Content-Type: application/grpc-web[+proto] is binary,
// application/grpc-web-text[+proto] is text (parameters such as
// "; charset=utf-8" are ignored). Anything else (including +json) is
// INVALID_ARGUMENT naming what is accepted.
absl::StatusOr<WebEncoding> ParseContentType(std::string_view content_type);

// Decodes a grpc-web-text body: base64 (standard alphabet), possibly several
// padded chunks one after another, as clients that send in pieces produce;
// whitespace is not allowed. INVALID_ARGUMENT with the offset of the first
// bad character.
absl::StatusOr<std::string> DecodeWebText(std::string_view body);

// The messages of a request body: frames of 1 flag byte (0x00 = an
// uncompressed message), a 4-byte big-endian length and the message.
// Compressed frames (flag 0x01) are not accepted (no grpc-encoding is
// negotiated), nor are trailer frames (0x80) from a client, a truncated
// frame, or a message longer than `max_message_bytes`. The error says which
// frame and why.
absl::StatusOr<std::vector<std::string>> ParseRequestFrames(std::string_view body,
                                                            int64_t max_message_bytes);

// One message frame.
std::string EncodeMessageFrame(std::string_view message);
// The trailer frame that ends every response: grpc-status, grpc-message
// (percent-encoded as in gRPC over HTTP/2) and, when the status has
// details, grpc-status-details-bin (base64).
// `extra` trailers (lower-case names, e.g. retry-after-ms) follow.
std::string EncodeTrailerFrame(const grpc::Status& status,
                               const std::vector<std::pair<std::string, std::string>>& extra = {});
// The status as gRPC-web clients (Connect, grpc-web) read
// grpc-status-details-bin: a google.rpc.Status with code and message and
// typed details. The services send that already (gridbill/server's ToGrpc),
// and it passes as is; a bare gridbill.common.v1.ErrorDetails, as services
// before it sent, becomes the one google.protobuf.Any of a google.rpc.Status.
// A status without details is returned as is.
grpc::Status WithStandardDetails(const grpc::Status& status);

// Base64 of one response piece for grpc-web-text (each piece padded: the
// client decodes piece by piece).
std::string EncodeWebText(std::string_view bytes);

// A grpc-timeout header value ("100m", "5S", "1H", ...) in microseconds;
// INVALID_ARGUMENT for anything else (at most 8 digits and one unit of
// H M S m u n, as the gRPC spec says).
absl::StatusOr<int64_t> ParseGrpcTimeoutMicros(std::string_view value);

}  // namespace gridbill::gateway
