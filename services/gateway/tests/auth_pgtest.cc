// The authentication store and domain against a real PostgreSQL: sign-in,
// lockout, refresh rotation, sign-out, API keys and who may grant what.
#include <catch2/catch.hpp>

#include "../pg_store.h"  // not contracts' pg_store.h (both are on the path)
#include "absl/strings/match.h"
#include "auth.h"
#include "gateway_fakes.h"
#include "gridbill/pgtest/pgtest.h"

namespace gridbill::gateway {
namespace {

using common::v1::ROLE_ADMIN;
using common::v1::ROLE_OPERATOR;
using common::v1::ROLE_PARTICIPANT_ADMIN;
using common::v1::ROLE_PARTICIPANT_USER;

struct Fixture {
  Fixture()
      : db(GRIDBILL_GATEWAY_MIGRATIONS_DIR),
        clock(absl::FromUnixSeconds(1'773'000'000)),
        store(db.pool()),
        hasher(testing::kTestArgon2),
        signer("0123456789abcdef0123456789abcdef"),
        auth(store, clock, hasher, signer, AuthSettings{}) {}

  User AddUser(const std::string& name, std::vector<Role> roles,
               const std::string& participant = "") {
    User u;
    u.username = name;
    u.roles = std::move(roles);
    u.participant_id = participant;
    auto created = auth.CreateUser(admin, u, kPassword);
    INFO(created.status().ToString());
    REQUIRE(created.ok());
    return *created;
  }

  static constexpr char kPassword[] = "a long enough password";
  pgtest::Database db;
  testing::FakeClock clock;
  PgStore store;
  PasswordHasher hasher;
  TokenSigner signer;
  Authenticator auth;
  Principal admin{"user:root", {ROLE_ADMIN}, "", ""};
};

TEST_CASE("sign-in issues tokens that authenticate the user with roles and scope") {
  Fixture f;
  f.AddUser("Aliya@Example.kz", {ROLE_PARTICIPANT_USER}, "p-42");
  auto signed_in = f.auth.SignIn("aliya@example.kz", Fixture::kPassword);
  INFO(signed_in.status().ToString());
  REQUIRE(signed_in.ok());
  CHECK(signed_in->user.username == "aliya@example.kz");

  auto who = f.auth.AuthenticateBearer(signed_in->tokens.access_token);
  REQUIRE(who.ok());
  CHECK(who->name == "user:aliya@example.kz");
  CHECK(who->participant_id == "p-42");
  CHECK(who->roles == std::vector<Role>{ROLE_PARTICIPANT_USER});

  // Expired after the access TTL.
  f.clock.Advance(AuthSettings{}.access_ttl);
  CHECK(f.auth.AuthenticateBearer(signed_in->tokens.access_token).status().code() ==
        absl::StatusCode::kUnauthenticated);
}

TEST_CASE("repeated wrong passwords lock the account for the lockout time") {
  Fixture f;
  f.AddUser("operator1", {ROLE_OPERATOR});
  const AuthSettings s;
  for (int i = 1; i < s.max_failed_sign_ins; ++i) {
    auto r = f.auth.SignIn("operator1", "wrong password here");
    CHECK(r.status().code() == absl::StatusCode::kUnauthenticated);
    CHECK(r.status().message() == "invalid username or password");
  }
  auto locking = f.auth.SignIn("operator1", "wrong password here");
  CHECK(absl::StrContains(locking.status().message(), "locked until"));
  // Even the right password is refused while locked.
  auto locked = f.auth.SignIn("operator1", Fixture::kPassword);
  CHECK(locked.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(absl::StrContains(locked.status().message(), "locked until"));

  f.clock.Advance(s.lockout + absl::Seconds(1));
  auto after = f.auth.SignIn("operator1", Fixture::kPassword);
  INFO(after.status().ToString());
  CHECK(after.ok());
  // A success resets the counter: one failure does not lock again.
  CHECK(f.auth.SignIn("operator1", "wrong password here").status().message() ==
        "invalid username or password");
  CHECK(f.auth.SignIn("operator1", Fixture::kPassword).ok());
  // An unknown user gets the same answer as a wrong password.
  CHECK(f.auth.SignIn("nobody", Fixture::kPassword).status().message() ==
        "invalid username or password");
}

TEST_CASE("an admin unlocks a locked account at once; others may not") {
  Fixture f;
  const User op = f.AddUser("operator2", {ROLE_OPERATOR});
  const AuthSettings s;
  for (int i = 0; i < s.max_failed_sign_ins; ++i) {
    (void)f.auth.SignIn("operator2", "wrong password here");
  }
  REQUIRE(absl::StrContains(f.auth.SignIn("operator2", Fixture::kPassword).status().message(),
                            "locked until"));
  auto listed = f.auth.ListUsers(f.admin, "", paging::Page{});
  REQUIRE(listed.ok());
  REQUIRE(listed->items.size() == 1);
  CHECK(listed->items.front().locked_until.has_value());

  const Principal operator_caller{"user:operator1", {ROLE_OPERATOR}, "", ""};
  CHECK(f.auth.UnlockUser(operator_caller, op.id).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(f.auth.UnlockUser(f.admin, "").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(f.auth.UnlockUser(f.admin, "00000000-0000-0000-0000-000000000000").status().code() ==
        absl::StatusCode::kNotFound);
  auto unlocked = f.auth.UnlockUser(f.admin, op.id);
  INFO(unlocked.status().ToString());
  REQUIRE(unlocked.ok());
  CHECK_FALSE(unlocked->locked_until.has_value());
  // No waiting for the lockout time; and the failure count starts again.
  CHECK(f.auth.SignIn("operator2", Fixture::kPassword).ok());
}

TEST_CASE("users and API keys are listed by name and id; a participant admin sees their own") {
  Fixture f;
  f.AddUser("zeta", {ROLE_OPERATOR});
  f.AddUser("alpha", {ROLE_PARTICIPANT_USER}, "p-1");
  f.AddUser("beta", {ROLE_PARTICIPANT_ADMIN}, "p-1");
  f.AddUser("gamma", {ROLE_PARTICIPANT_USER}, "p-2");
  auto all = f.auth.ListUsers(f.admin, "", paging::Page{});
  REQUIRE(all.ok());
  REQUIRE(all->items.size() == 4);
  CHECK(all->items.front().username == "alpha");
  CHECK(all->items.back().username == "zeta");
  CHECK(all->next.empty());
  // Two at a time: every user once, by name, and no empty last page.
  std::vector<std::string> names;
  paging::Page two{.size = 2};
  for (int pages = 1;; ++pages) {
    auto page = f.auth.ListUsers(f.admin, "", two);
    REQUIRE(page.ok());
    REQUIRE(page->items.size() == 2);
    for (const User& u : page->items) names.push_back(u.username);
    if (page->next.empty()) break;
    REQUIRE(pages < 2);
    two.after = page->next;
  }
  CHECK(names == std::vector<std::string>{"alpha", "beta", "gamma", "zeta"});

  const Principal p1_admin{"user:beta", {ROLE_PARTICIPANT_ADMIN}, "p-1", ""};
  auto own = f.auth.ListUsers(p1_admin, "p-1", paging::Page{});
  REQUIRE(own.ok());
  CHECK(own->items.size() == 2);
  CHECK(f.auth.ListUsers(p1_admin, "p-2", paging::Page{}).status().code() ==
        absl::StatusCode::kPermissionDenied);
  CHECK(f.auth.ListUsers(p1_admin, "", paging::Page{}).status().code() ==
        absl::StatusCode::kPermissionDenied);

  ApiKey k;
  k.name = "erp";
  k.roles = {common::v1::ROLE_INTEGRATION_CLIENT};
  auto erp = f.auth.CreateApiKey(f.admin, k);
  REQUIRE(erp.ok());
  k.name = "cms";
  k.roles = {ROLE_PARTICIPANT_USER};
  k.participant_id = "p-2";
  auto cms = f.auth.CreateApiKey(f.admin, k);
  REQUIRE(cms.ok());
  REQUIRE(f.auth.RevokeApiKey(f.admin, erp->key.id).ok());
  auto valid = f.auth.ListApiKeys(f.admin, "", false, paging::Page{});
  REQUIRE(valid.ok());
  REQUIRE(valid->items.size() == 1);
  CHECK(valid->items.front().name == "cms");
  auto with_revoked = f.auth.ListApiKeys(f.admin, "", true, paging::Page{});
  REQUIRE(with_revoked.ok());
  CHECK(with_revoked->items.size() == 2);
  // One a page: both keys once, by id.
  std::vector<std::string> ids;
  paging::Page one{.size = 1};
  do {
    auto page = f.auth.ListApiKeys(f.admin, "", true, one);
    REQUIRE(page.ok());
    REQUIRE(page->items.size() == 1);
    REQUIRE(ids.size() < 2);
    ids.push_back(page->items[0].id);
    one.after = page->next;
  } while (!one.after.empty());
  CHECK(ids == std::vector<std::string>{with_revoked->items[0].id, with_revoked->items[1].id});
  CHECK(ids[0] < ids[1]);
  auto scoped = f.auth.ListApiKeys(f.admin, "p-2", true, paging::Page{});
  REQUIRE(scoped.ok());
  REQUIRE(scoped->items.size() == 1);
  CHECK(scoped->items.front().id == cms->key.id);
  CHECK(f.auth.ListApiKeys(p1_admin, "p-1", true, paging::Page{}).status().code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("refresh rotates the refresh token and sign-out ends the session") {
  Fixture f;
  f.AddUser("operator1", {ROLE_OPERATOR});
  auto signed_in = f.auth.SignIn("operator1", Fixture::kPassword);
  REQUIRE(signed_in.ok());
  auto refreshed = f.auth.Refresh(signed_in->tokens.refresh_token);
  INFO(refreshed.status().ToString());
  REQUIRE(refreshed.ok());
  CHECK(refreshed->refresh_token != signed_in->tokens.refresh_token);
  // The used refresh token no longer works.
  CHECK(f.auth.Refresh(signed_in->tokens.refresh_token).status().code() ==
        absl::StatusCode::kUnauthenticated);

  REQUIRE(f.auth.SignOut(refreshed->refresh_token).ok());
  auto revoked = f.auth.AuthenticateBearer(refreshed->access_token);
  CHECK(revoked.status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(revoked.status().message() == "the session of the access token has ended");
  CHECK(f.auth.Refresh(refreshed->refresh_token).status().code() ==
        absl::StatusCode::kUnauthenticated);
}

TEST_CASE("API keys authenticate until revoked; a wrong secret is refused") {
  Fixture f;
  ApiKey k;
  k.name = "ERP export";
  k.roles = {common::v1::ROLE_INTEGRATION_CLIENT};
  auto created = f.auth.CreateApiKey(f.admin, k);
  INFO(created.status().ToString());
  REQUIRE(created.ok());
  auto who = f.auth.AuthenticateApiKey(created->secret);
  REQUIRE(who.ok());
  CHECK(who->name == "key:" + created->key.id);
  CHECK(who->roles == k.roles);

  std::string wrong = created->secret;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  CHECK(f.auth.AuthenticateApiKey(wrong).status().message() == "unknown API key");
  CHECK(f.auth.AuthenticateApiKey("gbk_nope").status().message() == "malformed API key");

  REQUIRE(f.auth.RevokeApiKey(f.admin, created->key.id).ok());
  CHECK(f.auth.AuthenticateApiKey(created->secret).status().message() ==
        "the API key has been revoked");
}

TEST_CASE("a participant admin creates users of their own participant with participant roles") {
  Fixture f;
  Principal padmin{"user:padmin", {ROLE_PARTICIPANT_ADMIN}, "p-42", ""};
  User u;
  u.username = "clerk";
  u.roles = {ROLE_PARTICIPANT_USER};
  u.participant_id = "p-42";
  CHECK(f.auth.CreateUser(padmin, u, Fixture::kPassword).ok());

  u.username = "clerk2";
  u.participant_id = "p-43";
  CHECK(f.auth.CreateUser(padmin, u, Fixture::kPassword).status().code() ==
        absl::StatusCode::kPermissionDenied);

  u.participant_id = "";
  u.roles = {ROLE_ADMIN};
  CHECK(f.auth.CreateUser(padmin, u, Fixture::kPassword).status().code() ==
        absl::StatusCode::kPermissionDenied);

  u.roles = {ROLE_PARTICIPANT_USER, ROLE_OPERATOR};
  u.participant_id = "p-42";
  CHECK(f.auth.CreateUser(f.admin, u, Fixture::kPassword).status().code() ==
        absl::StatusCode::kInvalidArgument);

  u.roles = {ROLE_PARTICIPANT_USER};
  CHECK(f.auth.CreateUser(f.admin, u, "short").status().code() ==
        absl::StatusCode::kInvalidArgument);
  u.username = "clerk";
  CHECK(f.auth.CreateUser(f.admin, u, Fixture::kPassword).status().code() ==
        absl::StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace gridbill::gateway
