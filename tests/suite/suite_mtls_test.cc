// Mutual TLS inside the suite, with the real binaries: contracts, metering,
// balance, invoicing and the gateway configured with certificates from a
// local CA made by deploy/certs.sh (as `up` makes them) and an identity
// secret. A plaintext client, a client without a certificate and one whose
// certificate another CA signed are refused at the handshake; a client with
// a good certificate but no or a wrong identity signature is refused by
// the identity check (the second line). With the right certificate and
// secret the month closes end to end: demo load, the final balance (balance
// reads metering and contracts over mTLS), the invoice run (invoicing reads
// contracts and balance over mTLS), and calls through the gateway (gateway
// to service over mTLS).
//
// Then the secrets the test used (identity and token secrets, the admin
// password, an access token, an API key, the private keys) are looked for
// in every process's log, in the errors the refused calls printed and in
// every /metrics page: none may appear.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "harness.h"
#include "running.h"

namespace gridbill::suite {
namespace {

constexpr char kCertsScript[] = GRIDBILL_REPO_DIR "/deploy/certs.sh";
constexpr char kSecret[] = "identity-secret-of-the-mtls-suite-test-0123456789";
constexpr char kTokenSecret[] = "token-secret-of-the-mtls-suite-test-0123456789ab";
constexpr char kAdminPassword[] = "admin-password-of-the-mtls-test";

// grpc.health.v1 Check over `credentials`: "SERVING" or "error: ...".
std::string Health(const std::string& address,
                   const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(address, credentials));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return absl::StrCat("error: code ", status.error_code());
  return grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
}

std::shared_ptr<grpc::ChannelCredentials> Tls(const std::string& dir, const std::string& name,
                                              const std::string& ca_dir) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFile(ca_dir + "/ca.crt");
  if (!name.empty()) {
    options.pem_private_key = ReadFile(dir + "/" + name + ".key");
    options.pem_cert_chain = ReadFile(dir + "/" + name + ".crt");
  }
  return grpc::SslCredentials(options);
}

void WaitServing(Running& r, const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  std::string status;
  for (int i = 0; i < 900 && r.process->Running(); ++i) {
    status = Health(r.address, credentials);
    if (status == "SERVING") return;
    std::this_thread::sleep_for(milliseconds(100));
  }
  FAIL(r.name << " did not become SERVING (" << status << "):\n" << r.process->Log());
}

TEST_CASE("mTLS inside: refused without the CA's certificate, the month closes with it",
          "[suite][mtls]") {
  TempDir dir;
  const std::string certs = dir.File("certs");
  const std::string rogue = dir.File("rogue");
  for (const auto& [folder, names] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {certs, {"contracts", "metering", "balance", "invoicing", "gateway", "gridbillctl"}},
           {rogue, {"gridbillctl"}}}) {
    std::vector<std::string> argv = {"/bin/bash", kCertsScript, folder};
    argv.insert(argv.end(), names.begin(), names.end());
    CommandResult r = Run(argv, {}, seconds(60));
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
  }
  auto mtls = [&](const std::string& name) {
    return Env{{"GRIDBILL_MTLS_CERT_FILE", certs + "/" + name + ".crt"},
               {"GRIDBILL_MTLS_KEY_FILE", certs + "/" + name + ".key"},
               {"GRIDBILL_MTLS_CA_FILE", certs + "/ca.crt"},
               {"GRIDBILL_IDENTITY_SECRET", kSecret}};
  };
  auto with = [](Env env, const Env& more) {
    for (const auto& [k, v] : more) env[k] = v;
    return env;
  };

  Running contracts(GRIDBILL_CONTRACTS_BIN, CreateDatabase("mtls_contracts"), dir, "contracts",
                    mtls("contracts"));
  Running metering(GRIDBILL_METERING_BIN, CreateDatabase("mtls_metering"), dir, "metering",
                   mtls("metering"));
  Running balance(GRIDBILL_BALANCE_BIN, CreateDatabase("mtls_balance"), dir, "balance",
                  with(mtls("balance"), {{"GRIDBILL_METERING_ADDRESS", metering.address},
                                         {"GRIDBILL_CONTRACTS_ADDRESS", contracts.address}}));
  Running invoicing(GRIDBILL_INVOICING_BIN, CreateDatabase("mtls_invoicing"), dir, "invoicing",
                    with(mtls("invoicing"), {{"GRIDBILL_CONTRACTS_ADDRESS", contracts.address},
                                             {"GRIDBILL_BALANCE_ADDRESS", balance.address},
                                             {"GRIDBILL_RENDER_PDF_IN_RUN", "false"}}));
  WriteFile(dir.File("admin_password"), std::string(kAdminPassword) + "\n");
  Running gateway(
      GRIDBILL_GATEWAY_BIN, CreateDatabase("mtls_gateway"), dir, "gateway",
      with(mtls("gateway"), {{"GRIDBILL_TOKEN_SECRET", kTokenSecret},
                             {"GRIDBILL_WEB_ADDRESS", ""},
                             {"GRIDBILL_BACKEND_CONTRACTS", contracts.address},
                             {"GRIDBILL_BACKEND_METERING", metering.address},
                             {"GRIDBILL_BACKEND_BALANCE", balance.address},
                             {"GRIDBILL_BACKEND_INVOICING", invoicing.address},
                             {"GRIDBILL_BOOTSTRAP_ADMIN", "admin"},
                             {"GRIDBILL_BOOTSTRAP_ADMIN_PASSWORD_FILE", dir.File("admin_password")},
                             {"GRIDBILL_ARGON2_MEMORY_KIB", "8192"},
                             {"GRIDBILL_ARGON2_TIME_COST", "1"}}));

  const auto good = Tls(certs, "gridbillctl", certs);
  for (Running* r : {&contracts, &metering, &balance, &invoicing}) WaitServing(*r, good);
  // The gateway's door takes browsers and integrators: no client certificate.
  WaitServing(gateway, grpc::InsecureChannelCredentials());

  // --- Refused at the handshake. ----------------------------------------------
  for (Running* r : {&contracts, &metering, &balance, &invoicing}) {
    INFO(r->name);
    CHECK(Health(r->address, grpc::InsecureChannelCredentials()) == "error: code 14");
    CHECK(Health(r->address, Tls(certs, "", certs)) == "error: code 14");  // no client cert
    CHECK(Health(r->address, Tls(rogue, "gridbillctl", certs)) == "error: code 14");  // other CA
    CHECK(Health(r->address, good) == "SERVING");
  }
  const Env ctl_tls = {{"GRIDBILL_MTLS_CERT_FILE", certs + "/gridbillctl.crt"},
                       {"GRIDBILL_MTLS_KEY_FILE", certs + "/gridbillctl.key"},
                       {"GRIDBILL_MTLS_CA_FILE", certs + "/ca.crt"},
                       {"GRIDBILL_ADDR", contracts.address},
                       {"GRIDBILL_METERING_ADDR", metering.address},
                       {"GRIDBILL_BALANCE_ADDR", balance.address},
                       {"GRIDBILL_INVOICING_ADDR", invoicing.address}};
  std::string refusals;  // what refused clients were told, checked for secrets below
  {
    CommandResult plain =
        Run({GRIDBILL_CTL_BIN, "participants", "list", "--addr", contracts.address},
            {{"GRIDBILL_IDENTITY_SECRET", kSecret}}, seconds(30));
    INFO(plain.Describe());
    CHECK(plain.exit_code != 0);
    refusals += plain.err + plain.out;
    // The right certificate, but no identity signed with the secret: the
    // identity check (the second line) refuses it.
    CommandResult unsigned_call =
        Run({GRIDBILL_CTL_BIN, "participants", "list"}, ctl_tls, seconds(30));
    INFO(unsigned_call.Describe());
    CHECK(unsigned_call.exit_code != 0);
    CHECK(absl::StrContains(unsigned_call.err, "UNAUTHENTICATED"));
    refusals += unsigned_call.err + unsigned_call.out;
    CommandResult wrong = Run(
        {GRIDBILL_CTL_BIN, "participants", "list"},
        with(ctl_tls, {{"GRIDBILL_IDENTITY_SECRET", "a-wrong-secret-of-at-least-32-characters!!"}}),
        seconds(30));
    INFO(wrong.Describe());
    CHECK(wrong.exit_code != 0);
    CHECK(absl::StrContains(wrong.err, "UNAUTHENTICATED"));
    refusals += wrong.err + wrong.out;
  }

  // --- The month closes over mTLS. ----------------------------------------------
  const Env ctl = with(ctl_tls, {{"GRIDBILL_IDENTITY_SECRET", kSecret}});
  auto ok = [&](std::vector<std::string> args, seconds timeout = seconds(300)) {
    args.insert(args.begin(), GRIDBILL_CTL_BIN);
    CommandResult r = Run(args, ctl, timeout);
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    return r.out;
  };
  ok({"demo", "load", "--seed", "7", "--points", "20", "--readings-months", "1", "--streams", "2"},
     seconds(600));
  ok({"balance", "demo-schemes", "--seed", "7", "--max-points", "20"});
  const std::string final_run =
      ok({"balance", "run", "2026-10", "--type", "final", "--output", "json"});
  CHECK(absl::StrContains(final_run, "JOB_STATE_SUCCEEDED"));
  const std::string invoice_run = ok({"invoicing", "run", "2026-10", "--output", "json"});
  CHECK(absl::StrContains(invoice_run, "JOB_STATE_SUCCEEDED"));
  CHECK(absl::StrContains(invoice_run, "\"documentsIssued\""));

  // --- Through the gateway: the gateway presents its certificate. ----------------
  auto through = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {GRIDBILL_CTL_BIN, "--gateway", gateway.address});
    CommandResult r = Run(args, {}, seconds(60));
    INFO(r.Describe() << "\ngateway log:\n" << gateway.process->Log());
    REQUIRE(r.exit_code == 0);
    return r.out;
  };
  const std::string signed_in = through(
      {"auth", "sign-in", "--user", "admin", "--password-file", dir.File("admin_password")});
  const std::string token = signed_in.substr(0, signed_in.find('\n'));
  REQUIRE(token.size() > 20);
  const std::string made = through({"--token", token, "auth", "create-api-key", "mtls-reader",
                                    "--roles", "auditor", "--request-id", "mtls-key-1"});
  const std::string key = made.substr(0, made.find('\n'));
  REQUIRE(key.rfind("gbk_", 0) == 0);
  const std::string participants = through({"--api-key", key, "participants", "list"});
  CHECK(participants.size() > 100);
  CHECK(through({"--api-key", key, "balance", "runs", "--period", "2026-10"}).size() > 10);
  // A wrong key is refused, and says nothing of the key it was given.
  {
    CommandResult r = Run({GRIDBILL_CTL_BIN, "--gateway", gateway.address, "--api-key", key + "x",
                           "participants", "list"},
                          {}, seconds(30));
    CHECK(r.exit_code != 0);
    refusals += r.err + r.out;
  }

  // --- No secret in a log line, an error message or /metrics. -------------------
  std::string seen = refusals;
  for (Running* r : {&contracts, &metering, &balance, &invoicing, &gateway}) {
    seen += r->process->Log();
    std::string error;
    auto metrics = HttpGet("127.0.0.1", r->metrics_port, "/metrics", seconds(5), &error);
    INFO(r->name << " /metrics: " << error);
    REQUIRE(metrics.has_value());
    CHECK(metrics->body.find("grpc_server") != std::string::npos);
    seen += metrics->body;
  }
  const std::string key_secret = key.substr(key.find('.') + 1);
  struct Secret {
    std::string name, text;
  };
  std::vector<Secret> secrets = {{"identity secret", kSecret},
                                 {"token secret", kTokenSecret},
                                 {"admin password", kAdminPassword},
                                 {"access token", token},
                                 {"access token signature", token.substr(token.rfind('.') + 1)},
                                 {"API key secret", key_secret}};
  for (const std::string name : {"contracts", "gateway", "gridbillctl"}) {
    // The start of the key's base64 body (a log would not keep the PEM frame).
    const std::string pem = ReadFile(certs + "/" + name + ".key");
    secrets.push_back({name + " private key", pem.substr(pem.find('\n') + 1, 40)});
  }
  REQUIRE(seen.size() > 10000);  // the logs were read
  for (const Secret& s : secrets) {
    INFO(s.name);
    REQUIRE(s.text.size() >= 16);
    CHECK(seen.find(s.text) == std::string::npos);
  }
}

}  // namespace
}  // namespace gridbill::suite
