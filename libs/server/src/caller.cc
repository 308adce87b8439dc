#include "gridbill/server/caller.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gridbill/base/absl_compat.h"

namespace gridbill {
namespace {

std::string Value(const grpc::ServerContext& ctx, const char* key) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(key);
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// principal|roles|participant|method; '|' cannot hide a field boundary
// because the gateway never puts '|' into a principal, a role list or a
// participant id (it refuses such values).
std::string SignedText(std::string_view principal, std::string_view roles,
                       std::string_view participant, std::string_view method) {
  return absl::StrCat(ToAbsl(principal), "|", ToAbsl(roles), "|", ToAbsl(participant), "|",
                      ToAbsl(method));
}

}  // namespace

std::string SignIdentity(std::string_view secret, std::string_view principal,
                         std::string_view roles, std::string_view participant,
                         std::string_view method) {
  const std::string text = SignedText(principal, roles, participant, method);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac,
           &size) == nullptr) {
    // Only an allocation failure or a broken provider; an empty signature
    // would be worse than stopping.
    std::abort();
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac), static_cast<size_t>(size)));
}

bool IdentitySignatureValid(std::string_view secret, std::string_view principal,
                            std::string_view roles, std::string_view participant,
                            std::string_view method, std::string_view signature) {
  const std::string expected = SignIdentity(secret, principal, roles, participant, method);
  return signature.size() == expected.size() &&
         CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
}

absl::StatusOr<Caller> VerifiedCallerFrom(const grpc::ServerContext& ctx, std::string_view secret,
                                          std::string_view method) {
  if (secret.empty()) return CallerFrom(ctx);
  const std::string principal = Value(ctx, kPrincipalHeader);
  const std::string signature = Value(ctx, kIdentitySigHeader);
  if (principal.empty() || signature.empty()) {
    return absl::UnauthenticatedError("the call carries no identity signed by the gateway");
  }
  if (!IdentitySignatureValid(secret, principal, Value(ctx, kRolesHeader),
                              Value(ctx, kParticipantHeader), method, signature)) {
    return absl::UnauthenticatedError("the identity signature of the call is not valid");
  }
  return CallerFrom(ctx);
}

Caller CallerFrom(const grpc::ServerContext& ctx) {
  Caller caller;
  caller.principal = Value(ctx, kPrincipalHeader);
  caller.participant_id = Value(ctx, kParticipantHeader);
  const std::string roles = Value(ctx, kRolesHeader);
  for (absl::string_view name : absl::StrSplit(roles, ',', absl::SkipWhitespace())) {
    // Names this build does not know (a newer gateway) grant nothing.
    const std::optional<Role> role = ParseRole(ToStd(absl::StripAsciiWhitespace(name)));
    if (role.has_value() && !caller.Has(*role)) caller.roles.push_back(*role);
  }
  return caller;
}

}  // namespace gridbill
