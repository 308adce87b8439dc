// Password hashing with argon2id (libargon2), in the PHC string format
// "$argon2id$v=19$m=...,t=...,p=...$salt$hash" so parameters can be raised
// later without invalidating stored hashes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace gridbill::gateway {

struct Argon2Params {
  uint32_t time_cost = 2;           // iterations
  uint32_t memory_kib = 19 * 1024;  // OWASP's minimum for argon2id
  uint32_t parallelism = 1;
};

class PasswordHasher {
 public:
  explicit PasswordHasher(Argon2Params params = {}) : params_(params) {}
  // A fresh random salt each time.
  absl::StatusOr<std::string> Hash(std::string_view password) const;
  // True when `password` matches the encoded hash; false for a mismatch or
  // an unreadable hash.
  bool Verify(std::string_view encoded, std::string_view password) const;

 private:
  Argon2Params params_;
};

}  // namespace gridbill::gateway
