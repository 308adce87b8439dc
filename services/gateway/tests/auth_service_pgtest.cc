// The gateway's AuthService as integrators reach it: served like in main.cc
// (a gRPC server on loopback behind the proxy's front door), against a real
// PostgreSQL. Here: an API key's secret is shown once, and never stored;
// a browser's session through the web door keeps its refresh token in a
// cookie its scripts cannot read.
#include <httplib.h>
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "../pg_store.h"  // not contracts' pg_store.h (both are on the path)
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "audit_service.h"
#include "auth.h"
#include "auth_service.h"
#include "gateway_harness.h"
#include "google/protobuf/descriptor.h"
#include "gridbill/gateway/v1/gateway.grpc.pb.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/pg/migrations.h"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/server/server.h"
#include "gridbill/testing/service_harness.h"
#include "grpc_web.h"
#include "grpcpp/create_channel.h"
#include "policy.h"
#include "proxy.h"
#include "routes.h"
#include "web_response.h"
#include "web_server.h"

namespace gridbill::gateway {
namespace {

using testing::kIdentitySecret;

testing::GatewayOptions OwnServices() {
  testing::GatewayOptions o;
  o.own_services = true;
  return o;
}

// The gateway with its own AuthService and AuditService as the "gateway"
// backend; the other backends are not started.
class AuthGateway : public testing::GatewayHarness {
 public:
  AuthGateway()
      : GatewayHarness(OwnServices()),
        idempotency(harness.pool()),
        auth_service(auth, idempotency, kIdentitySecret),
        audit_service(store) {
    StartOwnServices({&auth_service, &audit_service});
    StartDoor({{kBackendGateway, harness.channel()}});
    auto channel = Channel();
    auth_stub = v1::AuthService::NewStub(channel);
    audit_stub = v1::AuditService::NewStub(channel);
    admin_key = Key({common::v1::ROLE_ADMIN});
  }
  ~AuthGateway() { Stop(); }  // before the services it serves go

  grpc::Status CreateApiKey(const v1::CreateApiKeyRequest& req, v1::CreateApiKeyResponse* resp) {
    grpc::ClientContext ctx;
    ctx.AddMetadata(kApiKeyHeader, admin_key);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return auth_stub->CreateApiKey(&ctx, req, resp);
  }

  pg::PgIdempotency idempotency;
  AuthServiceImpl auth_service;
  AuditServiceImpl audit_service;
  std::unique_ptr<v1::AuthService::Stub> auth_stub;
  std::unique_ptr<v1::AuditService::Stub> audit_stub;
  std::string admin_key;
};

v1::CreateApiKeyRequest AuditorKeyRequest(const std::string& request_id) {
  v1::CreateApiKeyRequest req;
  req.set_request_id(request_id);
  req.mutable_api_key()->set_name("ITSM audit export");
  req.mutable_api_key()->add_roles(common::v1::ROLE_AUDITOR);
  return req;
}

TEST_CASE("CreateApiKey shows the secret once: a retry gets the key without it") {
  AuthGateway gw;
  const v1::CreateApiKeyRequest req = AuditorKeyRequest("itsm-key-1");
  v1::CreateApiKeyResponse first;
  const grpc::Status created = gw.CreateApiKey(req, &first);
  INFO(created.error_message());
  REQUIRE(created.ok());
  const std::string id = first.api_key().id();
  REQUIRE_FALSE(id.empty());
  const std::string secret = first.secret();
  CHECK(absl::StartsWith(secret, absl::StrCat("gbk_", id, ".")));
  const std::string secret_part = secret.substr(secret.find('.') + 1);
  REQUIRE(secret_part.size() >= 16);

  // The same request_id again: the same key, its metadata, no secret.
  v1::CreateApiKeyResponse retry;
  REQUIRE(gw.CreateApiKey(req, &retry).ok());
  CHECK(retry.api_key().id() == id);
  CHECK(retry.api_key().name() == "ITSM audit export");
  REQUIRE(retry.api_key().roles_size() == 1);
  CHECK(retry.api_key().roles(0) == common::v1::ROLE_AUDITOR);
  CHECK(retry.secret().empty());

  // The secret of the first answer works through the gateway.
  grpc::ClientContext ctx;
  ctx.AddMetadata(kApiKeyHeader, secret);
  v1::ListAuditEntriesResponse entries;
  const grpc::Status listed = gw.audit_stub->ListAuditEntries(&ctx, {}, &entries);
  INFO(listed.error_message());
  CHECK(listed.ok());
  auto who = gw.auth.AuthenticateApiKey(secret);
  REQUIRE(who.ok());
  CHECK(who->name == "key:" + id);

  // The database keeps neither the secret nor anything it can be read from:
  // the idempotency record holds the key without it, api_keys a digest.
  auto record = gw.harness.pool().Execute(pg::Query{
      "", "SELECT response FROM idempotency_keys WHERE method = 'AuthService/CreateApiKey'"});
  REQUIRE(record.ok());
  REQUIRE(record->size() == 1);
  const std::string stored = (*record)[0].Bytes(0);
  CHECK_FALSE(absl::StrContains(stored, secret_part));
  v1::CreateApiKeyResponse stored_response;
  REQUIRE(stored_response.ParseFromString(stored));
  CHECK(stored_response.api_key().id() == id);
  CHECK(stored_response.secret().empty());
  auto key_row = gw.harness.pool().Execute(
      pg::Query{"", "SELECT k::text, secret_hash FROM api_keys k WHERE id = $1"}, pg::Params(id));
  REQUIRE(key_row.ok());
  REQUIRE(key_row->size() == 1);
  CHECK_FALSE(absl::StrContains((*key_row)[0].String(0), secret_part));
  CHECK((*key_row)[0].String(1).size() == 64);  // SHA-256, hex

  // Another request_id makes another key, with its own secret.
  v1::CreateApiKeyResponse other;
  REQUIRE(gw.CreateApiKey(AuditorKeyRequest("itsm-key-2"), &other).ok());
  CHECK(other.api_key().id() != id);
  CHECK_FALSE(other.secret().empty());
  CHECK(other.secret() != secret);
}

TEST_CASE("migration V003 removes the secrets kept in older CreateApiKey records") {
  auto files = pg::LoadMigrationsFromDir(GRIDBILL_GATEWAY_MIGRATIONS_DIR);
  REQUIRE(files.ok());
  REQUIRE(files->size() >= 3);
  REQUIRE(absl::StartsWith((*files)[2].name, "V003__"));
  pgtest::Database db(std::vector<pg::MigrationFile>(files->begin(), files->begin() + 2));

  // Records as the gateway wrote them before: the whole response, secret included.
  v1::CreateApiKeyResponse old;
  old.mutable_api_key()->set_id("AbCdEfGhIjKl");
  old.mutable_api_key()->set_name(std::string(150, 'n'));  // a 2-byte length
  old.mutable_api_key()->add_roles(common::v1::ROLE_INTEGRATION_CLIENT);
  old.set_secret("gbk_AbCdEfGhIjKl.the-secret-part-of-the-key");
  v1::CreateApiKeyResponse short_old = old;
  short_old.mutable_api_key()->set_name("ERP");  // a 1-byte length
  const pg::Query insert{"",
                         "INSERT INTO idempotency_keys (method, request_id, fingerprint, "
                         "response) VALUES ($1, $2, '\\x00', $3)"};
  REQUIRE(db.pool()
              .Execute(insert, pg::Params("CreateApiKey", "long").AddBytes(old.SerializeAsString()))
              .ok());
  REQUIRE(db.pool()
              .Execute(insert,
                       pg::Params("CreateApiKey", "short").AddBytes(short_old.SerializeAsString()))
              .ok());
  REQUIRE(db.pool()
              .Execute(insert, pg::Params("CreateApiKey", "garbled").AddBytes("\x12\x03xyz"))
              .ok());
  v1::CreateApiKeyResponse user_like;  // another method's record stays as it is
  user_like.set_secret("not a key's secret");
  REQUIRE(
      db.pool()
          .Execute(insert, pg::Params("CreateUser", "u").AddBytes(user_like.SerializeAsString()))
          .ok());

  auto migrated = pg::Migrate(db.pool(), *files);
  INFO(migrated.status().ToString());
  REQUIRE(migrated.ok());

  auto rows = db.pool().Execute(
      pg::Query{"", "SELECT method, request_id, response FROM idempotency_keys ORDER BY 1, 2"});
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 3);  // the garbled record is gone
  v1::CreateApiKeyResponse kept;
  CHECK((*rows)[0].String(1) == "long");
  REQUIRE(kept.ParseFromString((*rows)[0].Bytes(2)));
  CHECK(kept.api_key().name() == old.api_key().name());
  CHECK(kept.api_key().id() == "AbCdEfGhIjKl");
  CHECK(kept.secret().empty());
  CHECK((*rows)[1].String(1) == "short");
  REQUIRE(kept.ParseFromString((*rows)[1].Bytes(2)));
  CHECK(kept.api_key().name() == "ERP");
  CHECK(kept.api_key().roles(0) == common::v1::ROLE_INTEGRATION_CLIENT);
  CHECK(kept.secret().empty());
  // V004 keeps every record under "Service/Method", the name IdempotentCall
  // now derives from the request type.
  CHECK((*rows)[0].String(0) == "AuthService/CreateApiKey");
  CHECK((*rows)[2].String(0) == "AuthService/CreateUser");
  CHECK((*rows)[2].Bytes(2) == user_like.SerializeAsString());
}

// The web door in front of AuthGateway's proxy, as main.cc starts it.
struct AuthWebDoor {
  explicit AuthWebDoor(AuthGateway& gw, bool cookie_secure = false) {
    WebOptions options;
    options.address = "127.0.0.1:0";
    options.bridge = gw.front.server->InProcessChannel(grpc::ChannelArguments());
    options.proxy = gw.proxy.get();
    options.cookie_secure = cookie_secure;
    options.threads = 2;
    auto started = WebServer::Start(std::move(options));
    REQUIRE(started.ok());
    server = *std::move(started);
    client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
    client->set_read_timeout(std::chrono::seconds(10));
  }
  struct Answer {
    WebResponse body;
    std::string set_cookie;  // the Set-Cookie header, "" when none
  };
  Answer Call(const std::string& method, const google::protobuf::Message& req,
              httplib::Headers headers = {}) {
    auto res =
        client->Post(absl::StrCat("/gridbill.gateway.v1.AuthService/", method).c_str(), headers,
                     EncodeMessageFrame(req.SerializeAsString()), "application/grpc-web+proto");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    Answer a{ParseResponse(res->body), res->get_header_value("Set-Cookie")};
    REQUIRE(a.body.error.empty());
    return a;
  }
  std::unique_ptr<WebServer> server;
  std::unique_ptr<httplib::Client> client;
};

// "gridbill_refresh=VALUE; ..." -> VALUE.
std::string CookieValue(const std::string& set_cookie) {
  const std::string prefix = absl::StrCat(kRefreshCookie, "=");
  REQUIRE(absl::StartsWith(set_cookie, prefix));
  return set_cookie.substr(prefix.size(), set_cookie.find(';') - prefix.size());
}

TEST_CASE("web door: the refresh token lives in an HttpOnly SameSite=Strict cookie only") {
  AuthGateway gw;
  User user;
  user.username = "portal.user";
  user.roles = {common::v1::ROLE_OPERATOR};
  REQUIRE(gw.auth
              .CreateUser(Principal{"user:root", {common::v1::ROLE_ADMIN}, "", ""}, user,
                          "a long enough password")
              .ok());
  AuthWebDoor web(gw);

  v1::SignInRequest sign_in;
  sign_in.set_username("portal.user");
  sign_in.set_password("a long enough password");
  AuthWebDoor::Answer signed_in = web.Call("SignIn", sign_in);
  REQUIRE(signed_in.body.trailers["grpc-status"] == "0");
  REQUIRE(signed_in.body.messages.size() == 1);
  v1::SignInResponse resp;
  REQUIRE(resp.ParseFromString(signed_in.body.messages[0]));
  const std::string access = resp.tokens().access_token();
  CHECK_FALSE(access.empty());
  CHECK(resp.user().username() == "portal.user");
  // The page's scripts never see the refresh token: only the cookie holds it.
  CHECK(resp.tokens().refresh_token().empty());
  const std::string cookie = signed_in.set_cookie;
  INFO(cookie);
  CHECK(absl::StrContains(cookie, "; HttpOnly"));
  CHECK(absl::StrContains(cookie, "; SameSite=Strict"));
  CHECK(absl::StrContains(cookie, "; Path=/gridbill.gateway.v1.AuthService/"));
  CHECK_FALSE(absl::StrContains(cookie, "Secure"));  // plain HTTP here
  CHECK(absl::StrContains(cookie, "; Max-Age=43"));  // 12 h = 43200 s, less a second or so
  const std::string first_refresh = CookieValue(cookie);
  CHECK(first_refresh.size() >= 32);
  CHECK_FALSE(absl::StrContains(cookie, access));  // the access token is never in a cookie
  CHECK(gw.auth.AuthenticateBearer(access).ok());

  // Refresh with an empty message: the door reads the cookie, rotates it.
  AuthWebDoor::Answer refreshed =
      web.Call("Refresh", v1::RefreshRequest(),
               {{"Cookie", absl::StrCat(kRefreshCookie, "=", first_refresh)}});
  REQUIRE(refreshed.body.trailers["grpc-status"] == "0");
  v1::RefreshResponse refresh_resp;
  REQUIRE(refresh_resp.ParseFromString(refreshed.body.messages.at(0)));
  CHECK_FALSE(refresh_resp.tokens().access_token().empty());
  CHECK(refresh_resp.tokens().refresh_token().empty());
  const std::string second_refresh = CookieValue(refreshed.set_cookie);
  CHECK(second_refresh != first_refresh);
  CHECK(absl::StrContains(refreshed.set_cookie, "; HttpOnly; SameSite=Strict"));

  // The first cookie was single use: refused, and the browser told to drop it.
  AuthWebDoor::Answer reused =
      web.Call("Refresh", v1::RefreshRequest(),
               {{"Cookie", absl::StrCat("other=1; ", kRefreshCookie, "=", first_refresh)}});
  CHECK(reused.body.trailers["grpc-status"] == "16");  // UNAUTHENTICATED
  CHECK(absl::StrContains(reused.set_cookie, "; Max-Age=0"));
  // No cookie, no token: UNAUTHENTICATED too.
  CHECK(web.Call("Refresh", v1::RefreshRequest()).body.trailers["grpc-status"] == "16");

  // Sign-out with the cookie ends the session server-side and clears it.
  AuthWebDoor::Answer signed_out =
      web.Call("SignOut", v1::SignOutRequest(),
               {{"Cookie", absl::StrCat(kRefreshCookie, "=", second_refresh)}});
  CHECK(signed_out.body.trailers["grpc-status"] == "0");
  CHECK(CookieValue(signed_out.set_cookie).empty());
  CHECK(absl::StrContains(signed_out.set_cookie, "; Max-Age=0"));
  CHECK_FALSE(gw.auth.Refresh(second_refresh).ok());
  CHECK_FALSE(gw.auth.AuthenticateBearer(refresh_resp.tokens().access_token()).ok());
}

TEST_CASE("web door: the session cookie is Secure behind TLS") {
  AuthGateway gw;
  User user;
  user.username = "tls.user";
  user.roles = {common::v1::ROLE_AUDITOR};
  REQUIRE(gw.auth
              .CreateUser(Principal{"user:root", {common::v1::ROLE_ADMIN}, "", ""}, user,
                          "a long enough password")
              .ok());
  v1::SignInRequest sign_in;
  sign_in.set_username("tls.user");
  sign_in.set_password("a long enough password");
  SECTION("web_cookie_secure") {
    AuthWebDoor web(gw, /*cookie_secure=*/true);
    CHECK(absl::EndsWith(web.Call("SignIn", sign_in).set_cookie, "; Secure"));
  }
  SECTION("X-Forwarded-Proto: https from a terminating proxy") {
    AuthWebDoor web(gw);
    CHECK(absl::EndsWith(web.Call("SignIn", sign_in, {{"X-Forwarded-Proto", "https"}}).set_cookie,
                         "; Secure"));
  }
  SECTION("a wrong password sets no cookie") {
    AuthWebDoor web(gw);
    sign_in.set_password("not the password at all");
    AuthWebDoor::Answer refused = web.Call("SignIn", sign_in);
    CHECK(refused.body.trailers["grpc-status"] == "16");
    CHECK(refused.set_cookie.empty());
  }
}

}  // namespace
}  // namespace gridbill::gateway
