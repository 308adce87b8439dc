#include "passwords.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace gridbill::gateway {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

}  // namespace

absl::StatusOr<std::string> PasswordHasher::Hash(std::string_view password) const {
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) return absl::InternalError("no entropy for a salt");
  const size_t encoded_len =
      argon2_encodedlen(params_.time_cost, params_.memory_kib, params_.parallelism, kSaltBytes,
                        kHashBytes, Argon2_id);
  std::string encoded(encoded_len, '\0');
  int rc = argon2id_hash_encoded(params_.time_cost, params_.memory_kib, params_.parallelism,
                                 password.data(), password.size(), salt, sizeof salt, kHashBytes,
                                 encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return absl::InternalError(absl::StrCat("argon2id: ", argon2_error_message(rc)));
  }
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

bool PasswordHasher::Verify(std::string_view encoded, std::string_view password) const {
  const std::string z(encoded);  // argon2 wants a NUL-terminated string
  return argon2id_verify(z.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace gridbill::gateway
