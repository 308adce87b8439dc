// libFuzzer target for what every call to the gateway may present: an
// access token (a JWT the gateway verifies) and an API key's text. The first
// byte picks the path; the rest is input. Path 1 signs the input as a
// token's payload with the gateway's secret, so that the claims parsing
// behind the signature check is reached too.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "tokens.h"

namespace {

using namespace gridbill::gateway;

constexpr char kSecret[] = "fuzz-secret-of-at-least-thirty-two-chars";

void CheckVerified(const TokenSigner& signer, std::string_view token) {
  auto claims = signer.Verify(token, absl::FromUnixSeconds(1'800'000'000));
  if (!claims.ok() || claims->expire_time <= claims->issue_time) return;
  // What verified must sign and verify again to the same claims.
  auto again = signer.Verify(signer.Sign(*claims), claims->issue_time);
  if (!again.ok() || again->subject != claims->subject ||
      again->participant_id != claims->participant_id || again->session_id != claims->session_id ||
      again->roles != claims->roles) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const TokenSigner signer(kSecret);
  switch (data[0] % 3) {
    case 0:
      CheckVerified(signer, input);
      break;
    case 1: {
      const std::string signing_input =
          absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"HS256","typ":"JWT"})"), ".",
                       absl::WebSafeBase64Escape(absl::string_view(input.data(), input.size())));
      CheckVerified(signer,
                    absl::StrCat(signing_input, ".",
                                 absl::WebSafeBase64Escape(HmacSha256(kSecret, signing_input))));
      break;
    }
    default: {
      auto key = ParseApiKey(input);
      if (key.ok() && std::string(kApiKeyPrefix) + key->id + "." + key->secret != input) {
        __builtin_trap();
      }
      break;
    }
  }
  return 0;
}
