// The gRPC-web door against a real gRPC server (the gridbill_server test
// service: unary, slow and server-streaming methods), spoken to with a
// plain HTTP/1.1 client as a browser would: binary and text encodings,
// streaming, deadlines, CORS, size limits, bad input and the portal files.
#include <httplib.h>
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gridbill/server/server.h"
#include "gridbill/testing/v1/testing.grpc.pb.h"
#include "grpc_web.h"
#include "web_response.h"
#include "web_server.h"

namespace gridbill::gateway {
namespace {

namespace tv1 = gridbill::testing::v1;

class TestService final : public tv1::TestService::Service {
 public:
  grpc::Status Echo(grpc::ServerContext* ctx, const tv1::EchoRequest* req,
                    tv1::EchoResponse* resp) override {
    if (req->text() == "fail") {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "text: must not be \"fail\" – ☹");
    }
    // Echo what the bridge passed on as metadata, to check it.
    auto md = ctx->client_metadata();
    std::string seen = req->text();
    for (const char* key : {"x-api-key", "authorization", "x-request-id", "x-gridbill-principal"}) {
      auto it = md.find(key);
      if (it != md.end())
        absl::StrAppend(&seen, "|", key, "=", std::string(it->second.data(), it->second.size()));
    }
    resp->set_text(seen);
    return grpc::Status::OK;
  }
  grpc::Status Slow(grpc::ServerContext* ctx, const tv1::SlowRequest* req,
                    tv1::SlowResponse* resp) override {
    const absl::Time end = absl::Now() + absl::Milliseconds(req->millis());
    while (absl::Now() < end) {
      if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
      absl::SleepFor(absl::Milliseconds(5));
    }
    resp->set_millis(req->millis());
    return grpc::Status::OK;
  }
  grpc::Status Count(grpc::ServerContext*, const tv1::CountRequest* req,
                     grpc::ServerWriter<tv1::CountResponse>* writer) override {
    for (int i = 1; i <= req->count(); ++i) {
      tv1::CountResponse r;
      r.set_value(i);
      writer->Write(r);
    }
    return grpc::Status::OK;
  }
};

struct Fixture {
  explicit Fixture(std::string portal_dir = "", int64_t max_request = 64 << 10) {
    Server::Options options;
    options.config.service_name = "web-test-backend";
    options.config.grpc_address = "127.0.0.1:0";
    options.config.shutdown_grace = absl::Seconds(1);
    options.services = {&service};
    options.handle_signals = false;
    auto started = Server::Start(std::move(options));
    REQUIRE(started.ok());
    backend = *std::move(started);
    WebOptions web_options;
    web_options.address = "127.0.0.1:0";
    web_options.front_door = absl::StrCat("127.0.0.1:", backend->grpc_port());
    web_options.max_request_bytes = max_request;
    web_options.max_message_bytes = 16 << 10;
    web_options.portal_dir = std::move(portal_dir);
    web_options.cors_origins = {"https://portal.example"};
    web_options.threads = 4;
    auto web_started = WebServer::Start(std::move(web_options));
    REQUIRE(web_started.ok());
    web = *std::move(web_started);
    client = std::make_unique<httplib::Client>("127.0.0.1", web->port());
    client->set_read_timeout(std::chrono::seconds(10));
  }
  TestService service;
  std::unique_ptr<Server> backend;
  std::unique_ptr<WebServer> web;
  std::unique_ptr<httplib::Client> client;
};

std::string Frames(const google::protobuf::Message& m) {
  return EncodeMessageFrame(m.SerializeAsString());
}

httplib::Result Post(Fixture& f, const std::string& method, const std::string& body,
                     const std::string& type = "application/grpc-web+proto",
                     httplib::Headers headers = {}) {
  return f.client->Post(absl::StrCat("/gridbill.testing.v1.TestService/", method).c_str(), headers,
                        body, type.c_str());
}

TEST_CASE("grpc-web+proto: a unary call answers a message and an OK trailer") {
  Fixture f;
  tv1::EchoRequest req;
  req.set_text("hello");
  auto res =
      Post(f, "Echo", Frames(req), "application/grpc-web+proto",
           {{"x-api-key", "gbk_k.s"}, {"x-request-id", "r-1"}, {"x-gridbill-principal", "forged"}});
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->get_header_value("Content-Type") == "application/grpc-web+proto");
  WebResponse web = ParseResponse(res->body);
  REQUIRE(web.error.empty());
  REQUIRE(web.messages.size() == 1);
  tv1::EchoResponse resp;
  REQUIRE(resp.ParseFromString(web.messages[0]));
  // Credentials and the request id pass; a made-up identity header does not.
  CHECK(resp.text() == "hello|x-api-key=gbk_k.s|x-request-id=r-1");
  CHECK(web.trailers["grpc-status"] == "0");
}

TEST_CASE("grpc-web-text: base64 in, base64 out") {
  Fixture f;
  tv1::EchoRequest req;
  req.set_text("text mode");
  auto res = Post(f, "Echo", absl::Base64Escape(Frames(req)), "application/grpc-web-text");
  REQUIRE(res);
  CHECK(res->get_header_value("Content-Type") == "application/grpc-web-text+proto");
  // The body is base64 pieces, each padded: decode them one by one.
  std::string decoded;
  auto pieces = DecodeWebText(res->body);
  REQUIRE(pieces.ok());
  WebResponse web = ParseResponse(*pieces);
  REQUIRE(web.messages.size() == 1);
  tv1::EchoResponse resp;
  REQUIRE(resp.ParseFromString(web.messages[0]));
  CHECK(resp.text() == "text mode");
  CHECK(web.trailers["grpc-status"] == "0");
}

TEST_CASE("grpc-web: server streaming sends every message, then the trailer") {
  Fixture f;
  tv1::CountRequest req;
  req.set_count(50);
  auto res = Post(f, "Count", Frames(req));
  REQUIRE(res);
  CHECK(res->get_header_value("Transfer-Encoding") == "chunked");
  WebResponse web = ParseResponse(res->body);
  REQUIRE(web.messages.size() == 50);
  tv1::CountResponse last;
  REQUIRE(last.ParseFromString(web.messages.back()));
  CHECK(last.value() == 50);
  CHECK(web.trailers["grpc-status"] == "0");
}

TEST_CASE("grpc-web: an error status arrives in the trailer, percent-encoded") {
  Fixture f;
  tv1::EchoRequest req;
  req.set_text("fail");
  auto res = Post(f, "Echo", Frames(req));
  REQUIRE(res);
  WebResponse web = ParseResponse(res->body);
  CHECK(web.messages.empty());
  CHECK(web.trailers["grpc-status"] == "3");
  CHECK(absl::StrContains(web.trailers["grpc-message"], "text: must not be \"fail\""));
  CHECK(absl::StrContains(web.trailers["grpc-message"], "%E2%98%B9"));  // ☹
}

TEST_CASE("grpc-web: grpc-timeout becomes the call's deadline") {
  Fixture f;
  tv1::SlowRequest req;
  req.set_millis(3000);
  const absl::Time start = absl::Now();
  auto res = Post(f, "Slow", Frames(req), "application/grpc-web+proto", {{"grpc-timeout", "200m"}});
  REQUIRE(res);
  CHECK(ParseResponse(res->body).trailers["grpc-status"] == "4");  // DEADLINE_EXCEEDED
  CHECK(absl::Now() - start < absl::Seconds(2));
  auto bad = Post(f, "Slow", Frames(req), "application/grpc-web+proto", {{"grpc-timeout", "soon"}});
  REQUIRE(bad);
  WebResponse web = ParseResponse(bad->body);
  CHECK(web.trailers["grpc-status"] == "3");
  CHECK(absl::StrContains(web.trailers["grpc-message"], "grpc-timeout"));
}

TEST_CASE("grpc-web: bad input gets a clear error and the server keeps serving") {
  Fixture f;
  SECTION("a wrong content type is 415 naming what is accepted") {
    auto res = Post(f, "Echo", "{}", "application/json");
    REQUIRE(res);
    CHECK(res->status == 415);
    CHECK(absl::StrContains(res->body, "application/grpc-web+proto"));
  }
  SECTION("bad base64") {
    auto res = Post(f, "Echo", "AAAA*AAA", "application/grpc-web-text");
    REQUIRE(res);
    WebResponse web = ParseResponse(*DecodeWebText(res->body));
    CHECK(web.trailers["grpc-status"] == "3");
    CHECK(absl::StrContains(web.trailers["grpc-message"], "not base64 at offset 4"));
  }
  SECTION("a truncated frame") {
    auto res = Post(f, "Echo",
                    std::string("\0\0\0\0\x09"
                                "abc",
                                8));
    REQUIRE(res);
    WebResponse web = ParseResponse(res->body);
    CHECK(web.trailers["grpc-status"] == "3");
    CHECK(absl::StrContains(web.trailers["grpc-message"], "announces 9 bytes but only 3 follow"));
  }
  SECTION("a compressed frame") {
    auto res = Post(f, "Echo", std::string("\x01\0\0\0\0", 5));
    REQUIRE(res);
    CHECK(absl::StrContains(ParseResponse(res->body).trailers["grpc-message"], "compressed"));
  }
  SECTION("a message above the message limit is RESOURCE_EXHAUSTED") {
    tv1::EchoRequest req;
    req.set_text(std::string(20 << 10, 'x'));
    auto res = Post(f, "Echo", Frames(req));
    REQUIRE(res);
    CHECK(ParseResponse(res->body).trailers["grpc-status"] == "8");
  }
  SECTION("a body above the request limit is 413 saying the limit") {
    auto res = Post(f, "Echo", std::string(100 << 10, 'x'));
    REQUIRE(res);
    CHECK(res->status == 413);
    CHECK(absl::StrContains(res->body, "web_max_request_bytes"));
  }
  SECTION("an unknown method is UNIMPLEMENTED") {
    auto res = Post(f, "Nope", Frames(tv1::EchoRequest()));
    REQUIRE(res);
    CHECK(ParseResponse(res->body).trailers["grpc-status"] == "12");
  }
  tv1::EchoRequest ok;
  ok.set_text("still here");
  auto res = Post(f, "Echo", Frames(ok));
  REQUIRE(res);
  CHECK(ParseResponse(res->body).trailers["grpc-status"] == "0");
}

TEST_CASE("grpc-web: CORS preflight and responses for an allowed origin only") {
  Fixture f;
  httplib::Headers allowed = {{"Origin", "https://portal.example"},
                              {"Access-Control-Request-Method", "POST"},
                              {"Access-Control-Request-Headers", "content-type,x-grpc-web"}};
  auto pre = f.client->Options("/gridbill.testing.v1.TestService/Echo", allowed);
  REQUIRE(pre);
  CHECK(pre->status == 204);
  CHECK(pre->get_header_value("Access-Control-Allow-Origin") == "https://portal.example");
  CHECK(absl::StrContains(pre->get_header_value("Access-Control-Allow-Headers"), "x-grpc-web"));
  CHECK(absl::StrContains(pre->get_header_value("Access-Control-Allow-Methods"), "POST"));

  auto other = f.client->Options("/gridbill.testing.v1.TestService/Echo",
                                 {{"Origin", "https://evil.example"}});
  REQUIRE(other);
  CHECK(other->status == 403);

  auto res = Post(f, "Echo", Frames(tv1::EchoRequest()), "application/grpc-web+proto",
                  {{"Origin", "https://portal.example"}});
  REQUIRE(res);
  CHECK(res->get_header_value("Access-Control-Allow-Origin") == "https://portal.example");
  CHECK(absl::StrContains(res->get_header_value("Access-Control-Expose-Headers"), "grpc-status"));
}

TEST_CASE("the same port serves the portal's files, or says the portal is missing") {
  {
    Fixture f("/nonexistent/portal/dist");
    auto res = f.client->Get("/");
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK(absl::StrContains(res->body, "the portal is not installed"));
    // The setting is named, the server's folder is not.
    CHECK(absl::StrContains(res->body, "portal_dir"));
    CHECK_FALSE(absl::StrContains(res->body, "/nonexistent"));
  }
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / absl::StrCat("gridbill-portal-", getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "index.html") << "<h1>Gridbill</h1>";
  Fixture f(dir.string());
  auto index = f.client->Get("/");
  REQUIRE(index);
  CHECK(index->status == 200);
  CHECK(index->body == "<h1>Gridbill</h1>");
  auto missing = f.client->Get("/nope.js");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK_FALSE(absl::StrContains(missing->body, dir.string()));
  std::filesystem::remove_all(dir);
}

// A portal folder with an index, a hashed asset, a file beside the folder
// and a link out of it.
struct PortalDir {
  PortalDir() {
    root = std::filesystem::temp_directory_path() / absl::StrCat("gridbill-portal-h-", getpid());
    dist = root / "dist";
    std::filesystem::create_directories(dist / "assets");
    std::ofstream(dist / "index.html")
        << "<!doctype html><script src=\"/assets/main-AB12CD34.js\">";
    std::ofstream(dist / "assets" / "main-AB12CD34.js") << "console.log(1)";
    std::ofstream(dist / "favicon.svg") << "<svg/>";
    std::ofstream(dist / ".env") << "hidden";
    std::ofstream(root / "secret.txt") << "outside the portal";
    std::filesystem::create_symlink(root / "secret.txt", dist / "link.txt");
  }
  ~PortalDir() { std::filesystem::remove_all(root); }
  std::filesystem::path root, dist;
};

TEST_CASE("portal files carry the security headers; hashed assets are cached, index is not") {
  PortalDir portal;
  Fixture f(portal.dist.string());
  for (const char* path : {"/", "/index.html", "/assets/main-AB12CD34.js", "/favicon.svg"}) {
    INFO(path);
    auto res = f.client->Get(path);
    REQUIRE(res);
    CHECK(res->status == 200);
    const std::string csp = res->get_header_value("Content-Security-Policy");
    CHECK(absl::StrContains(csp, "script-src 'self'"));
    CHECK_FALSE(absl::StrContains(csp, "unsafe-inline"));
    CHECK(absl::StrContains(csp, "frame-ancestors 'none'"));
    CHECK(absl::StrContains(csp, "object-src 'none'"));
    CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
    CHECK(res->get_header_value("Referrer-Policy") == "no-referrer");
  }
  auto index = f.client->Get("/");
  REQUIRE(index);
  CHECK(index->get_header_value("Cache-Control") == "no-cache");
  CHECK(absl::StartsWith(index->get_header_value("Content-Type"), "text/html"));
  auto asset = f.client->Get("/assets/main-AB12CD34.js");
  REQUIRE(asset);
  CHECK(asset->get_header_value("Cache-Control") == "public, max-age=31536000, immutable");
  CHECK(absl::StartsWith(asset->get_header_value("Content-Type"), "text/javascript"));
  auto favicon = f.client->Get("/favicon.svg");  // not hashed: revalidated
  REQUIRE(favicon);
  CHECK(favicon->get_header_value("Cache-Control") == "no-cache");
  // A 404 carries them too.
  auto missing = f.client->Get("/assets/gone-AB12CD34.js");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->get_header_value("X-Content-Type-Options") == "nosniff");
  CHECK_FALSE(missing->get_header_value("Content-Security-Policy").empty());
}

TEST_CASE("unknown paths and path tricks are 404 and name no server path") {
  PortalDir portal;
  Fixture f(portal.dist.string());
  // Raw request lines: the HTTP client must not tidy the paths first.
  for (const char* path :
       {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
        "//etc/passwd", "/link.txt", "/.env", "/assets/./main-AB12CD34.js", "/a\\..\\secret.txt",
        "/contracts", "/nope/", "/assets"}) {
    INFO(path);
    httplib::Request req;
    req.method = "GET";
    req.path = path;
    httplib::Result res = f.client->send(req);
    REQUIRE(res);
    CHECK(res->status == 404);
    CHECK_FALSE(absl::StrContains(res->body, "outside the portal"));
    CHECK_FALSE(absl::StrContains(res->body, "hidden"));
    CHECK_FALSE(absl::StrContains(res->body, portal.root.string()));
    CHECK_FALSE(absl::StrContains(res->body, "/tmp"));
  }
}

}  // namespace
}  // namespace gridbill::gateway
