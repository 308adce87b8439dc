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

std::string CreateDatabase(const std::string& name) {
  pgtest::Cluster& cluster = pgtest::Cluster::Get();
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(
      PQconnectdb(cluster.Conninfo("postgres").c_str()), &PQfinish);
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  const std::string sql = "CREATE DATABASE " + name;
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  INFO(sql << ": " << PQerrorMessage(conn.get()));
  REQUIRE(PQresultStatus(res.get()) == PGRES_COMMAND_OK);
  return cluster.Conninfo(name);
}

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

}  // namespace
}  // namespace gridbill::suite
