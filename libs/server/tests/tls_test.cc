// Mutual TLS (tls.h): a server configured with mtls_* files takes only
// clients holding a certificate of its CA, over TLS; plaintext clients,
// clients without a certificate and clients whose certificate another CA
// signed are refused, and the identity signature is still checked behind
// it. Certificates are made by deploy/certs.sh, as `up` makes them.
#include "gridbill/server/tls.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/identity_signing.h"
#include "gridbill/server/server.h"
#include "gridbill/testing/v1/guarded.grpc.pb.h"

namespace gridbill {
namespace {

namespace tv1 = gridbill::testing::v1;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef-tls";

class GuardedImpl final : public tv1::GuardedService::Service {
 public:
  grpc::Status ForStaff(grpc::ServerContext* ctx, const tv1::GuardedRequest*,
                        tv1::GuardedResponse* resp) override {
    resp->set_principal(CallerFrom(*ctx).principal);
    return grpc::Status::OK;
  }
};

// Two CAs in a temporary folder: "good" (the server's and a client's) and
// "rogue" (a client's certificate with the same name, another CA).
struct Certs {
  Certs() {
    char tmpl[] = "/tmp/gridbill-tls-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    for (const char* ca : {"good", "rogue"}) {
      const std::string cmd = absl::StrCat("bash '", GRIDBILL_REPO_DIR, "/deploy/certs.sh' '", dir,
                                           "/", ca, "' service client >/dev/null 2>&1");
      REQUIRE(std::system(cmd.c_str()) == 0);
    }
  }
  ~Certs() { std::filesystem::remove_all(dir); }
  MutualTlsConfig Config(const std::string& ca, const std::string& name) const {
    return {absl::StrCat(dir, "/", ca, "/", name, ".crt"),
            absl::StrCat(dir, "/", ca, "/", name, ".key"), absl::StrCat(dir, "/good/ca.crt")};
  }
  std::string dir;
};

struct Fixture {
  explicit Fixture(const Certs& certs, std::string secret = kSecret) {
    Server::Options options;
    options.config.service_name = "guarded";
    options.config.grpc_address = "127.0.0.1:0";
    options.config.shutdown_grace = absl::Seconds(1);
    options.config.identity_secret = std::move(secret);
    options.config.mtls = certs.Config("good", "service");
    options.services = {&impl};
    options.handle_signals = false;
    auto started = Server::Start(std::move(options));
    REQUIRE(started.ok());
    server = *std::move(started);
    address = absl::StrCat("127.0.0.1:", server->grpc_port());
  }
  // ForStaff as an operator, signed with `secret`, over `credentials`.
  grpc::Status Call(const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                    const std::string& secret = kSecret) {
    auto stub =
        tv1::GuardedService::NewStub(CreateIdentitySigningChannel(address, credentials, secret));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    ctx.AddMetadata(kPrincipalHeader, "user:op");
    ctx.AddMetadata(kRolesHeader, "ROLE_OPERATOR");
    tv1::GuardedResponse resp;
    return stub->ForStaff(&ctx, tv1::GuardedRequest(), &resp);
  }
  GuardedImpl impl;
  std::unique_ptr<Server> server;
  std::string address;
};

std::shared_ptr<grpc::ChannelCredentials> Credentials(const MutualTlsConfig& config) {
  auto credentials = ChannelCredentialsFor(config);
  REQUIRE(credentials.ok());
  return *credentials;
}

TEST_CASE("with mTLS a client holding a certificate of the CA is served") {
  Certs certs;
  Fixture f(certs);
  CHECK(f.Call(Credentials(certs.Config("good", "client"))).ok());
}

TEST_CASE("with mTLS plaintext, certificate-less and other-CA clients are refused") {
  Certs certs;
  Fixture f(certs);
  CHECK(f.Call(grpc::InsecureChannelCredentials()).error_code() == grpc::StatusCode::UNAVAILABLE);
  grpc::SslCredentialsOptions no_cert;
  auto ca = ReadMutualTls(certs.Config("good", "client"));
  REQUIRE(ca.ok());
  no_cert.pem_root_certs = ca->ca;
  CHECK(f.Call(grpc::SslCredentials(no_cert)).error_code() == grpc::StatusCode::UNAVAILABLE);
  CHECK(f.Call(Credentials(certs.Config("rogue", "client"))).error_code() ==
        grpc::StatusCode::UNAVAILABLE);
}

TEST_CASE("with mTLS a good certificate with a wrongly signed identity is refused") {
  Certs certs;
  Fixture f(certs);
  CHECK(f.Call(Credentials(certs.Config("good", "client")),
               "not-the-secret-not-the-secret-not-the-secret")
            .error_code() == grpc::StatusCode::UNAUTHENTICATED);
}

TEST_CASE("with mTLS and no identity secret the certificate alone admits") {
  Certs certs;
  Fixture f(certs, "");
  CHECK(f.Call(Credentials(certs.Config("good", "client")), "").ok());
  CHECK(f.Call(grpc::InsecureChannelCredentials(), "").error_code() ==
        grpc::StatusCode::UNAVAILABLE);
}

TEST_CASE("mtls_* settings: all three or none, and unreadable files are named") {
  auto none = ConfigSource::FromText("");
  REQUIRE(none.ok());
  auto off = MutualTlsConfig::Load(*none);
  REQUIRE(off.ok());
  CHECK_FALSE(off->enabled());
  auto partial = ConfigSource::FromText("mtls_cert_file = /x.crt\n");
  REQUIRE(partial.ok());
  CHECK(MutualTlsConfig::Load(*partial).status().code() == absl::StatusCode::kInvalidArgument);
  MutualTlsConfig missing{"/nonexistent/a.crt", "/nonexistent/a.key", "/nonexistent/ca.crt"};
  auto read = ReadMutualTls(missing);
  CHECK(read.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(read.status().message().find("mtls_cert_file") != absl::string_view::npos);
  // A server that cannot read its certificate does not start.
  Server::Options options;
  options.config.service_name = "guarded";
  options.config.grpc_address = "127.0.0.1:0";
  options.config.mtls = missing;
  options.handle_signals = false;
  CHECK_FALSE(Server::Start(std::move(options)).ok());
}

}  // namespace
}  // namespace gridbill
