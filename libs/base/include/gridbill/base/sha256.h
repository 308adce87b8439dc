// SHA-256 digests (migrations checksums, idempotency fingerprints, documents).
#pragma once

#include <string>
#include <string_view>

namespace gridbill {

// The SHA-256 of `data` as 32 raw bytes.
std::string Sha256(std::string_view data);

// The SHA-256 of `data` as 64 lowercase hex characters.
std::string Sha256Hex(std::string_view data);

// The SHA-256 of data that arrives in pieces (a file streamed in chunks):
// Update with each piece in order, then HexDigest once.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view data);
  // The digest of every piece, as 64 lowercase hex characters.
  std::string HexDigest();

 private:
  void* ctx_;  // an EVP_MD_CTX
};

}  // namespace gridbill
