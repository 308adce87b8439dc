#include "tokens.h"

#include <catch2/catch.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gateway_fakes.h"
#include "passwords.h"

namespace gridbill::gateway {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'773'000'000);
constexpr char kSecret[] = "0123456789abcdef0123456789abcdef";

AccessClaims Claims() {
  AccessClaims c;
  c.subject = "user:aliya";
  c.roles = {common::v1::ROLE_PARTICIPANT_USER, common::v1::ROLE_AUDITOR};
  c.participant_id = "p-42";
  c.session_id = "s-1";
  c.issue_time = kNow;
  c.expire_time = kNow + absl::Minutes(5);
  return c;
}

TEST_CASE("an access token verifies and carries its claims until it expires") {
  TokenSigner signer(kSecret);
  const std::string token = signer.Sign(Claims());
  CHECK(std::vector<std::string>(absl::StrSplit(token, '.')).size() == 3);

  auto claims = signer.Verify(token, kNow + absl::Minutes(4));
  INFO(claims.status().ToString());
  REQUIRE(claims.ok());
  CHECK(claims->subject == "user:aliya");
  CHECK(claims->roles == Claims().roles);
  CHECK(claims->participant_id == "p-42");
  CHECK(claims->session_id == "s-1");
  CHECK(claims->expire_time == kNow + absl::Minutes(5));

  auto expired = signer.Verify(token, kNow + absl::Minutes(5));
  CHECK(expired.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(expired.status().message() == "the access token has expired; refresh it or sign in again");
}

TEST_CASE("forged, tampered and malformed tokens are refused") {
  TokenSigner signer(kSecret);
  const std::string token = signer.Sign(Claims());
  std::vector<std::string> parts = absl::StrSplit(token, '.');

  auto refused = [&](const std::string& t, const std::string& reason) {
    auto r = signer.Verify(t, kNow);
    INFO(t);
    CHECK(r.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK(std::string(r.status().message()) == "invalid access token: " + reason);
  };
  SECTION("signed with another secret") {
    refused(TokenSigner("another-secret-another-secret-xx").Sign(Claims()),
            "signature does not match");
  }
  SECTION("payload changed to another participant") {
    AccessClaims widened = Claims();
    widened.participant_id = "p-43";
    std::vector<std::string> other = absl::StrSplit(TokenSigner("x").Sign(widened), '.');
    refused(absl::StrCat(parts[0], ".", other[1], ".", parts[2]), "signature does not match");
  }
  SECTION("alg none") {
    refused(absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})"), ".", parts[1],
                         "."),
            "unsupported header or algorithm");
  }
  SECTION("not a JWT") {
    refused("garbage", "not three dot-separated parts");
    refused("", "not three dot-separated parts");
    refused(absl::StrCat(parts[0], ".", parts[1], ".%%%"), "signature is not base64url");
  }
}

// A token signed with the secret whose payload says `payload`.
std::string SignedPayload(std::string_view payload) {
  const std::string input =
      absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"HS256","typ":"JWT"})"), ".",
                   absl::WebSafeBase64Escape(absl::string_view(payload.data(), payload.size())));
  return absl::StrCat(input, ".", absl::WebSafeBase64Escape(HmacSha256(kSecret, input)));
}

// Found by gateway_tokens_fuzz: times beyond int64 seconds were cast from
// double unchecked (undefined behaviour).
TEST_CASE("claims with times beyond any date are refused, not converted") {
  TokenSigner signer(kSecret);
  for (const char* payload :
       {R"({"sub":"x","iat":1e300,"exp":1e300})", R"({"sub":"x","iat":0,"exp":-1e300})",
        R"({"sub":"x","iat":0,"exp":9.3e18})"}) {
    INFO(payload);
    auto claims = signer.Verify(SignedPayload(payload), kNow);
    CHECK(claims.status().code() == absl::StatusCode::kUnauthenticated);
  }
  auto fine =
      signer.Verify(SignedPayload(R"({"sub":"x","iat":1773000000,"exp":1773000300})"), kNow);
  CHECK(fine.ok());
}

TEST_CASE("API keys parse into id and secret, anything else is malformed") {
  auto key = ParseApiKey("gbk_k1.s3cr.et");
  REQUIRE(key.ok());
  CHECK(key->id == "k1");
  CHECK(key->secret == "s3cr.et");
  for (const char* bad : {"", "gbk_", "gbk_nodot", "xbk_k1.s", "k1.s"}) {
    INFO(bad);
    CHECK(ParseApiKey(bad).status().code() == absl::StatusCode::kUnauthenticated);
  }
  CHECK_FALSE(ParseApiKey(absl::StrCat("gbk_k1.", std::string(200, 'a'))).ok());
}

TEST_CASE("random secrets differ and are base64url") {
  const std::string a = RandomSecret();
  const std::string b = RandomSecret();
  CHECK(a != b);
  CHECK(a.size() == 43);  // 32 bytes, unpadded
  CHECK(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
}

TEST_CASE("argon2id hashes verify the right password only") {
  PasswordHasher hasher(testing::kTestArgon2);
  auto hash = hasher.Hash("correct horse battery staple");
  REQUIRE(hash.ok());
  CHECK(hash->rfind("$argon2id$v=19$m=1024,t=1,p=1$", 0) == 0);
  CHECK(hasher.Verify(*hash, "correct horse battery staple"));
  CHECK_FALSE(hasher.Verify(*hash, "correct horse battery stapl"));
  CHECK_FALSE(hasher.Verify(*hash, ""));
  CHECK_FALSE(hasher.Verify("not a hash", "correct horse battery staple"));
  // A fresh salt each time.
  CHECK(*hasher.Hash("correct horse battery staple") != *hash);
}

}  // namespace
}  // namespace gridbill::gateway
