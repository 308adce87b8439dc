// SHA-256 digests (migrations checksums, idempotency fingerprints, documents).
#pragma once

#include <string>
#include <string_view>

namespace gridbill {

// The SHA-256 of `data` as 32 raw bytes.
std::string Sha256(std::string_view data);

// The SHA-256 of `data` as 64 lowercase hex characters.
std::string Sha256Hex(std::string_view data);

}  // namespace gridbill
