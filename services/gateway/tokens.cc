#include "tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cmath>
#include <cstdlib>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/json.h"

namespace gridbill::gateway {
namespace {

// The only header this gateway issues or accepts: no "alg: none", no
// algorithm confusion.
constexpr char kHeaderJson[] = R"({"alg":"HS256","typ":"JWT"})";

std::string B64(std::string_view raw) { return absl::WebSafeBase64Escape(ToAbsl(raw)); }

absl::Status Bad(std::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("invalid access token: ", ToAbsl(why)));
}

}  // namespace

absl::StatusOr<ApiKeyText> ParseApiKey(std::string_view key_text) {
  absl::string_view text = ToAbsl(key_text);
  if (!absl::ConsumePrefix(&text, ToAbsl(kApiKeyPrefix)) || text.size() > 200) {
    return absl::UnauthenticatedError("malformed API key");
  }
  const size_t sep = text.find('.');
  if (sep == absl::string_view::npos) return absl::UnauthenticatedError("malformed API key");
  return ApiKeyText{std::string(text.substr(0, sep)), std::string(text.substr(sep + 1))};
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac,
           &size) == nullptr) {
    std::abort();  // allocation failure or a broken provider: nothing to recover
  }
  return std::string(reinterpret_cast<const char*>(mac), size);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomSecret(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    std::abort();  // no entropy: issuing a guessable secret would be worse
  }
  return B64(raw);
}

std::string TokenSigner::Sign(const AccessClaims& claims) const {
  std::string payload = json::ObjectWriter()
                            .Add("sub", claims.subject)
                            .Add("roles", RolesText(claims.roles))
                            .Add("pid", claims.participant_id)
                            .Add("sid", claims.session_id)
                            .Add("iat", absl::ToUnixSeconds(claims.issue_time))
                            .Add("exp", absl::ToUnixSeconds(claims.expire_time))
                            .Finish();
  std::string signing_input = absl::StrCat(B64(kHeaderJson), ".", B64(payload));
  return absl::StrCat(signing_input, ".", B64(HmacSha256(secret_, signing_input)));
}

absl::StatusOr<AccessClaims> TokenSigner::Verify(std::string_view token, absl::Time now) const {
  if (token.size() > 4096) return Bad("too long");
  std::vector<absl::string_view> parts = absl::StrSplit(ToAbsl(token), '.');
  if (parts.size() != 3) return Bad("not three dot-separated parts");
  if (parts[0] != B64(kHeaderJson)) return Bad("unsupported header or algorithm");
  std::string signature;
  if (!absl::WebSafeBase64Unescape(parts[2], &signature)) return Bad("signature is not base64url");
  const std::string signing_input = absl::StrCat(parts[0], ".", parts[1]);
  if (!ConstantTimeEquals(signature, HmacSha256(secret_, signing_input))) {
    return Bad("signature does not match");
  }
  std::string payload;
  if (!absl::WebSafeBase64Unescape(parts[1], &payload)) return Bad("payload is not base64url");
  google::protobuf::Struct body;
  if (!google::protobuf::util::JsonStringToMessage(payload, &body).ok()) {
    return Bad("payload is not JSON");
  }
  const auto& f = body.fields();
  auto text = [&](const char* key) -> std::string {
    auto it = f.find(key);
    return it == f.end() ? std::string() : it->second.string_value();
  };
  auto number = [&](const char* key) -> double {
    auto it = f.find(key);
    return it == f.end() ? std::nan("") : it->second.number_value();
  };
  AccessClaims claims;
  claims.subject = text("sub");
  claims.participant_id = text("pid");
  claims.session_id = text("sid");
  const double iat = number("iat");
  const double exp = number("exp");
  if (claims.subject.empty() || std::isnan(iat) || std::isnan(exp)) {
    return Bad("required claims missing");
  }
  // Seconds up to the year 9999 either side of 1970: a double beyond int64
  // cannot be converted (undefined behaviour), and no real token gets near.
  constexpr double kMaxSeconds = 253402300799;
  if (!(std::abs(iat) <= kMaxSeconds) || !(std::abs(exp) <= kMaxSeconds)) {
    return Bad("iat or exp out of range");
  }
  claims.issue_time = absl::FromUnixSeconds(static_cast<int64_t>(iat));
  claims.expire_time = absl::FromUnixSeconds(static_cast<int64_t>(exp));
  for (absl::string_view name : absl::StrSplit(text("roles"), ',', absl::SkipEmpty())) {
    Role role;
    if (!common::v1::Role_Parse(std::string(name), &role) || role == common::v1::ROLE_UNSPECIFIED) {
      return Bad("unknown role");
    }
    claims.roles.push_back(role);
  }
  if (now >= claims.expire_time) {
    return absl::UnauthenticatedError("the access token has expired; refresh it or sign in again");
  }
  return claims;
}

}  // namespace gridbill::gateway
