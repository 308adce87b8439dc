// The gateway in front of the real services, all real binaries on free
// ports against a throwaway PostgreSQL: contracts and metering verify the
// identity the gateway signs (identity_secret), the gateway bootstraps its
// admin, and an independent gRPC-web client from npm (Connect, in Node)
// signs in and calls unary and server-streaming methods through it.
#include <libpq-fe.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/server/caller.h"
#include "grpcpp/grpcpp.h"
#include "harness.h"

namespace gridbill::suite {
namespace {

constexpr char kSecret[] = "suite-identity-secret-0123456789abcdef";
constexpr char kAdminPassword[] = "admin-password-for-the-suite";

struct Service {
  std::string name;
  int grpc_port = FreePort();
  std::string address = "127.0.0.1:" + std::to_string(grpc_port);
  std::unique_ptr<Process> process;

  void Start(const std::string& binary, Env env, const TempDir& dir) {
    env["GRIDBILL_GRPC_ADDRESS"] = address;
    env["GRIDBILL_METRICS_ADDRESS"] = "";
    env["GRIDBILL_SHUTDOWN_GRACE"] = "2s";
    process = Process::Start({binary}, env, dir.File(name + ".log"));
  }
  void WaitServing() {
    const auto deadline = std::chrono::steady_clock::now() + seconds(60);
    std::string status;
    while (std::chrono::steady_clock::now() < deadline && process->Running()) {
      status = HealthStatus(address, "", milliseconds(1000));
      if (status == "SERVING") return;
      std::this_thread::sleep_for(milliseconds(200));
    }
    INFO(name << " log:\n" << process->Log());
    FAIL(name << " did not become SERVING (last answer: " << status << ")");
  }
};

// Every binary, started once for the whole file.
struct Suite {
  TempDir dir;
  Service contracts{"contracts"};
  Service metering{"metering"};
  Service gateway{"gateway"};
  int web_port = FreePort();

  Suite() {
    WriteFile(dir.File("admin_password"), std::string(kAdminPassword) + "\n");
    contracts.Start(GRIDBILL_CONTRACTS_BIN,
                    {{"GRIDBILL_DATABASE_URL", CreateDatabase("contracts")},
                     {"GRIDBILL_IDENTITY_SECRET", kSecret}},
                    dir);
    metering.Start(GRIDBILL_METERING_BIN,
                   {{"GRIDBILL_DATABASE_URL", CreateDatabase("metering")},
                    {"GRIDBILL_IDENTITY_SECRET", kSecret}},
                   dir);
    gateway.Start(GRIDBILL_GATEWAY_BIN,
                  {{"GRIDBILL_DATABASE_URL", CreateDatabase("gateway")},
                   {"GRIDBILL_IDENTITY_SECRET", kSecret},
                   {"GRIDBILL_TOKEN_SECRET", "suite-token-secret-0123456789abcdefgh"},
                   {"GRIDBILL_BACKEND_CONTRACTS", contracts.address},
                   {"GRIDBILL_BACKEND_METERING", metering.address},
                   {"GRIDBILL_WEB_ADDRESS", "127.0.0.1:" + std::to_string(web_port)},
                   {"GRIDBILL_BOOTSTRAP_ADMIN", "admin"},
                   {"GRIDBILL_BOOTSTRAP_ADMIN_PASSWORD_FILE", dir.File("admin_password")},
                   {"GRIDBILL_ARGON2_MEMORY_KIB", "8192"},
                   {"GRIDBILL_ARGON2_TIME_COST", "1"}},
                  dir);
    contracts.WaitServing();
    metering.WaitServing();
    gateway.WaitServing();
  }

  static Suite& Get() {
    // Destroyed at exit (its processes killed) before the cluster, which
    // finished starting first.
    static Suite suite;
    return suite;
  }
};

TEST_CASE("services configured with identity_secret refuse calls that bypass the gateway") {
  Suite& suite = Suite::Get();
  auto stub = contracts::v1::ParticipantService::NewStub(
      grpc::CreateChannel(suite.contracts.address, grpc::InsecureChannelCredentials()));
  contracts::v1::ListParticipantsRequest req;
  contracts::v1::ListParticipantsResponse resp;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata(kPrincipalHeader, "user:sneaky");
    ctx.AddMetadata(kRolesHeader, "ROLE_ADMIN");
    grpc::Status st = stub->ListParticipants(&ctx, req, &resp);
    CHECK(st.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    // Signed as the gateway signs: accepted.
    grpc::ClientContext ctx;
    ctx.AddMetadata(kPrincipalHeader, "user:ops");
    ctx.AddMetadata(kRolesHeader, "ROLE_OPERATOR");
    ctx.AddMetadata(kIdentitySigHeader,
                    SignIdentity(kSecret, "user:ops", "ROLE_OPERATOR", "",
                                 "/gridbill.contracts.v1.ParticipantService/ListParticipants"));
    grpc::Status st = stub->ListParticipants(&ctx, req, &resp);
    INFO(st.error_message());
    CHECK(st.ok());
  }
}

TEST_CASE("an independent gRPC-web client (Connect for Node) works through the gateway") {
  Suite& suite = Suite::Get();
  CommandResult r = Run({GRIDBILL_NODE, GRIDBILL_GATEWAY_TEST_DIR "/grpc_web_client_test.cjs"},
                        {{"GRIDBILL_WEB_URL", "http://127.0.0.1:" + std::to_string(suite.web_port)},
                         {"GRIDBILL_ADMIN_PASSWORD", kAdminPassword},
                         {"GRIDBILL_DESCRIPTOR_SET", GRIDBILL_DESCRIPTOR_SET},
                         {"GRIDBILL_NODE_MODULES", GRIDBILL_NODE_MODULES}},
                        seconds(120));
  INFO(r.Describe());
  INFO("gateway log (tail):\n"
       << suite.gateway.process->Log().substr(suite.gateway.process->Log().size() > 6000
                                                  ? suite.gateway.process->Log().size() - 6000
                                                  : 0));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("all checks passed"));
}

// gridbillctl with --gateway; standard input from `stdin_path` if given.
CommandResult CtlThrough(const std::string& gateway, std::vector<std::string> args,
                         const std::string& stdin_path = "") {
  std::vector<std::string> argv = {GRIDBILL_CTL_BIN, "--gateway", gateway};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, {}, seconds(60), stdin_path);
}

std::string FirstLine(const std::string& out) { return out.substr(0, out.find('\n')); }

// gridbillctl as an integrator or an admin uses it against the gateway: sign
// in, make an API key, call a service with it, be refused what the key's role
// may not do, revoke the key, read the calls back from the audit trail.
TEST_CASE("gridbillctl through the gateway with a token and an API key") {
  Suite& suite = Suite::Get();
  const std::string gw = suite.gateway.address;
  auto ctl = [&](std::vector<std::string> args, const std::string& stdin_path = "") {
    return CtlThrough(gw, std::move(args), stdin_path);
  };

  WriteFile(suite.dir.File("wrong"), "not-the-password\n");
  CommandResult bad = ctl({"auth", "sign-in", "--user", "admin"}, suite.dir.File("wrong"));
  INFO(bad.Describe());
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("UNAUTHENTICATED"));

  CommandResult signin = ctl(
      {"auth", "sign-in", "--user", "admin", "--password-file", suite.dir.File("admin_password")});
  INFO(signin.Describe());
  REQUIRE(signin.exit_code == 0);
  const std::string token = FirstLine(signin.out);
  REQUIRE(token.size() > 20);
  CHECK_THAT(signin.err, Catch::Contains("signed in as admin"));

  // An API key for an integration client, idempotent by request id: the
  // secret is printed by the first call only.
  CommandResult key = ctl({"--token", token, "auth", "create-api-key", "erp-adapter", "--roles",
                           "integration_client", "--request-id", "suite-ctl-key-1"});
  INFO(key.Describe());
  REQUIRE(key.exit_code == 0);
  const std::string secret = FirstLine(key.out);
  REQUIRE(secret.rfind("gbk_", 0) == 0);
  CommandResult again = ctl({"--token", token, "auth", "create-api-key", "erp-adapter", "--roles",
                             "integration_client", "--request-id", "suite-ctl-key-1"});
  INFO(again.Describe());
  CHECK(again.exit_code == 0);
  CHECK(again.out.find(secret) == std::string::npos);

  // The integration client registers and lists participants through the
  // gateway (contracts verifies the identity the gateway signed).
  CommandResult created =
      ctl({"--api-key", secret, "participants", "create", "--bin", "990140000384", "--legal-name",
           "ТОО «Шлюз Энерго»", "--role", "consumer", "--request-id", "suite-ctl-participant-1"});
  INFO(created.Describe());
  CHECK(created.exit_code == 0);
  CommandResult listed = ctl({"--api-key", secret, "participants", "list"});
  INFO(listed.Describe());
  CHECK(listed.exit_code == 0);
  CHECK_THAT(listed.out, Catch::Contains("990140000384"));

  // What the key's role may not do: creating API keys is for admins.
  CommandResult denied = ctl({"--api-key", secret, "auth", "create-api-key", "other", "--roles",
                              "admin", "--request-id", "suite-ctl-key-2"});
  INFO(denied.Describe());
  CHECK(denied.exit_code == 1);
  CHECK_THAT(denied.err, Catch::Contains("PERMISSION_DENIED"));
  // No credentials at all: the gateway says so.
  CommandResult anonymous = ctl({"participants", "list"});
  INFO(anonymous.Describe());
  CHECK(anonymous.exit_code == 1);
  CHECK_THAT(anonymous.err, Catch::Contains("UNAUTHENTICATED"));

  // The audit trail shows the integration client's calls with their results.
  CommandResult audit = ctl({"--token", token, "audit", "list", "--limit", "200"});
  INFO(audit.Describe());
  CHECK(audit.exit_code == 0);
  CHECK_THAT(audit.out, Catch::Contains("contracts.v1.ParticipantService/ListParticipants"));
  CHECK_THAT(audit.out, Catch::Contains("PERMISSION_DENIED"));
  CHECK_THAT(audit.out, Catch::Contains("suite-ctl-participant-1"));

  // Revoked, the key stops working.
  const std::string key_id = [&] {
    CommandResult j =
        ctl({"--token", token, "--output", "json", "auth", "create-api-key", "erp-adapter",
             "--roles", "integration_client", "--request-id", "suite-ctl-key-1"});
    const size_t at = j.out.find("\"id\": \"");
    return at == std::string::npos ? std::string()
                                   : j.out.substr(at + 7, j.out.find('"', at + 7) - at - 7);
  }();
  REQUIRE_FALSE(key_id.empty());
  CommandResult revoked = ctl({"--token", token, "auth", "revoke-api-key", key_id});
  INFO(revoked.Describe());
  CHECK(revoked.exit_code == 0);
  CommandResult after = ctl({"--api-key", secret, "participants", "list"});
  INFO(after.Describe());
  CHECK(after.exit_code == 1);
  CHECK_THAT(after.err, Catch::Contains("UNAUTHENTICATED"));
}

// An admin's housekeeping with gridbillctl: who has accounts and keys, and
// a locked account opened again without waiting for the lockout to pass.
TEST_CASE("gridbillctl: an admin lists users and API keys and unlocks an account") {
  Suite& suite = Suite::Get();
  const std::string gw = suite.gateway.address;
  auto ctl = [&](std::vector<std::string> args, const std::string& stdin_path = "") {
    return CtlThrough(gw, std::move(args), stdin_path);
  };
  CommandResult signin = ctl(
      {"auth", "sign-in", "--user", "admin", "--password-file", suite.dir.File("admin_password")});
  REQUIRE(signin.exit_code == 0);
  const std::string token = FirstLine(signin.out);

  WriteFile(suite.dir.File("clerk_password"), "a clerk's long password\n");
  CommandResult made = ctl({"--token", token, "--output", "json", "auth", "create-user",
                            "suite.clerk", "--roles", "accountant", "--password-file",
                            suite.dir.File("clerk_password"), "--request-id", "suite-clerk-1"});
  INFO(made.Describe());
  REQUIRE(made.exit_code == 0);
  const size_t at = made.out.find("\"id\": \"");
  REQUIRE(at != std::string::npos);
  const std::string clerk_id = made.out.substr(at + 7, made.out.find('"', at + 7) - at - 7);

  WriteFile(suite.dir.File("wrong_clerk"), "not the clerk's password\n");
  for (int i = 0; i < 5; ++i) {
    ctl({"auth", "sign-in", "--user", "suite.clerk"}, suite.dir.File("wrong_clerk"));
  }
  CommandResult locked = ctl({"auth", "sign-in", "--user", "suite.clerk", "--password-file",
                              suite.dir.File("clerk_password")});
  CHECK(locked.exit_code == 1);
  CHECK_THAT(locked.err, Catch::Contains("locked until"));

  CommandResult users = ctl({"--token", token, "auth", "list-users"});
  INFO(users.Describe());
  REQUIRE(users.exit_code == 0);
  CHECK_THAT(users.out, Catch::Contains("LOCKED UNTIL"));
  CHECK_THAT(users.out, Catch::Contains("suite.clerk"));
  CHECK_THAT(users.out, Catch::Contains("admin"));

  CommandResult unlocked = ctl({"--token", token, "auth", "unlock-user", clerk_id});
  INFO(unlocked.Describe());
  CHECK(unlocked.exit_code == 0);
  CHECK_THAT(unlocked.out, Catch::Contains("unlocked user suite.clerk"));
  CommandResult clerk = ctl({"auth", "sign-in", "--user", "suite.clerk", "--password-file",
                             suite.dir.File("clerk_password")});
  INFO(clerk.Describe());
  CHECK(clerk.exit_code == 0);
  // An accountant may not unlock accounts.
  CommandResult refused = ctl({"--token", FirstLine(clerk.out), "auth", "unlock-user", clerk_id});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("PERMISSION_DENIED"));

  CommandResult key = ctl({"--token", token, "auth", "create-api-key", "suite-scada", "--roles",
                           "metering_engineer", "--request-id", "suite-scada-key"});
  REQUIRE(key.exit_code == 0);
  const std::string secret = FirstLine(key.out);
  CommandResult keys = ctl({"--token", token, "auth", "list-api-keys"});
  INFO(keys.Describe());
  REQUIRE(keys.exit_code == 0);
  CHECK_THAT(keys.out, Catch::Contains("suite-scada"));
  CHECK_THAT(keys.out, Catch::Contains("metering_engineer"));
  // The secret is never listed (nor its part after the id).
  CHECK(keys.out.find(secret.substr(secret.find('.') + 1)) == std::string::npos);
}

}  // namespace
}  // namespace gridbill::suite
