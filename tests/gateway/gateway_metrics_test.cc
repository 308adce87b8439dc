// The gateway's /metrics as an operator's dashboard reads it: the real
// gridbill-gateway in front of the real gridbill-contracts (throwaway
// PostgreSQL), calls made through both doors (gRPC, and gRPC-web on plain
// HTTP/1.1), then /metrics scraped over HTTP, its series counted and the
// exposition checked with `promtool check metrics`.
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <future>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gridbill/gateway/v1/gateway.grpc.pb.h"
#include "gridbill/pgtest/pgtest.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "harness.h"

namespace gridbill::suite {
namespace {

namespace gv1 = ::gridbill::gateway::v1;

constexpr char kSecret[] = "suite-identity-secret-0123456789abcdef";
constexpr char kAdminPassword[] = "admin-password-for-the-metrics-test";
constexpr char kPromtool[] = GRIDBILL_PROMTOOL;
constexpr char kListParticipants[] = "/gridbill.contracts.v1.ParticipantService/ListParticipants";
constexpr char kListApiKeys[] = "/gridbill.gateway.v1.AuthService/ListApiKeys";
constexpr char kStreamPointDays[] = "/gridbill.metering.v1.ReadingService/StreamPointDays";
constexpr char kNoSuchMethod[] = "/gridbill.nothing.v1.NoService/NoMethod";

void WaitServing(const std::string& name, const std::string& address, Process& process) {
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  std::string status;
  while (std::chrono::steady_clock::now() < deadline && process.Running()) {
    status = HealthStatus(address, "", milliseconds(1000));
    if (status == "SERVING") return;
    std::this_thread::sleep_for(milliseconds(200));
  }
  INFO(name << " log:\n" << process.Log());
  FAIL(name << " did not become SERVING (last answer: " << status << ")");
}

// The value of one series, given exactly as the exposition spells it
// (labels in alphabetical order, so an extra label does not match); -1
// when it is not there.
double Value(const std::string& exposition, const std::string& series) {
  std::istringstream lines(exposition);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

std::string Labels(const std::string& method, const std::string& transport,
                   const std::string& code = "") {
  std::string service = "unknown";
  std::string name = "unknown";
  if (method != kNoSuchMethod) {
    const size_t slash = method.find('/', 1);
    service = method.substr(1, slash - 1);
    name = method.substr(slash + 1);
  }
  std::string out = "{";
  if (!code.empty()) out += "grpc_code=\"" + code + "\",";
  return out + "grpc_method=\"" + name + "\",grpc_service=\"" + service + "\",transport=\"" +
         transport + "\"}";
}

// A unary call through the gRPC door with raw message bytes: its status.
grpc::Status GrpcCall(grpc::GenericStub& stub, const std::string& method,
                      const std::string& request, const std::string& header = "",
                      const std::string& value = "") {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + seconds(20));
  if (!header.empty()) ctx.AddMetadata(header, value);
  grpc::Slice slice(request);
  grpc::ByteBuffer req(&slice, 1);
  grpc::ByteBuffer resp;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &req, &resp,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  return done.get_future().get();
}

// A gRPC-web POST (binary) of `body` to the web door: the grpc-status of
// its trailer, or -1.
int WebPost(int port, const std::string& method, const std::string& body,
            const std::string& header = "") {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
  std::string http = "POST " + method +
                     " HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/grpc-web+proto\r\n"
                     "Connection: close\r\n";
  if (!header.empty()) http += header + "\r\n";
  http += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  REQUIRE(write(fd, http.data(), http.size()) == static_cast<ssize_t>(http.size()));
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) {
    response.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const size_t at = response.rfind("grpc-status:");
  INFO(response);
  if (at == std::string::npos) return -1;
  return std::stoi(response.substr(at + 12));
}

// A gRPC-web call with one request message.
int WebCall(int port, const std::string& method, const std::string& request,
            const std::string& header = "") {
  std::string frame(5, '\0');
  frame[1] = static_cast<char>((request.size() >> 24) & 0xff);
  frame[2] = static_cast<char>((request.size() >> 16) & 0xff);
  frame[3] = static_cast<char>((request.size() >> 8) & 0xff);
  frame[4] = static_cast<char>(request.size() & 0xff);
  return WebPost(port, method, frame + request, header);
}

TEST_CASE("the gateway's /metrics counts the calls of both doors by method, code and transport") {
  TempDir dir;
  const int contracts_port = FreePort();
  const std::string contracts_address = "127.0.0.1:" + std::to_string(contracts_port);
  auto contracts = Process::Start({GRIDBILL_CONTRACTS_BIN},
                                  {{"GRIDBILL_DATABASE_URL", CreateDatabase("contracts")},
                                   {"GRIDBILL_IDENTITY_SECRET", kSecret},
                                   {"GRIDBILL_GRPC_ADDRESS", contracts_address},
                                   {"GRIDBILL_METRICS_ADDRESS", ""}},
                                  dir.File("contracts.log"));
  WriteFile(dir.File("admin_password"), std::string(kAdminPassword) + "\n");
  const std::string gateway_address = "127.0.0.1:" + std::to_string(FreePort());
  const int web_port = FreePort();
  const int metrics_port = FreePort();
  auto gateway =
      Process::Start({GRIDBILL_GATEWAY_BIN},
                     {{"GRIDBILL_DATABASE_URL", CreateDatabase("gateway")},
                      {"GRIDBILL_IDENTITY_SECRET", kSecret},
                      {"GRIDBILL_TOKEN_SECRET", "suite-token-secret-0123456789abcdefgh"},
                      {"GRIDBILL_GRPC_ADDRESS", gateway_address},
                      {"GRIDBILL_METRICS_ADDRESS", "127.0.0.1:" + std::to_string(metrics_port)},
                      {"GRIDBILL_WEB_ADDRESS", "127.0.0.1:" + std::to_string(web_port)},
                      {"GRIDBILL_BACKEND_CONTRACTS", contracts_address},
                      // A caller's calls of one method: 2 at once, then 1 a second.
                      {"GRIDBILL_RATE_LIMIT_METHOD", "1"},
                      {"GRIDBILL_RATE_LIMIT_METHOD_BURST", "2"},
                      {"GRIDBILL_BOOTSTRAP_ADMIN", "admin"},
                      {"GRIDBILL_BOOTSTRAP_ADMIN_PASSWORD_FILE", dir.File("admin_password")},
                      {"GRIDBILL_ARGON2_MEMORY_KIB", "8192"},
                      {"GRIDBILL_ARGON2_TIME_COST", "1"},
                      {"GRIDBILL_SHUTDOWN_GRACE", "2s"}},
                     dir.File("gateway.log"));
  WaitServing("contracts", contracts_address, *contracts);
  WaitServing("gateway", gateway_address, *gateway);
  INFO("gateway log:\n" << gateway->Log());

  auto channel = grpc::CreateChannel(gateway_address, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);

  // Through the gRPC door: an admin signs in and makes an integration
  // client's API key (the gateway's own AuthService, behind the proxy).
  std::string token;
  {
    grpc::ClientContext ctx;
    gv1::SignInRequest req;
    req.set_username("admin");
    req.set_password(kAdminPassword);
    gv1::SignInResponse resp;
    const grpc::Status st = gv1::AuthService::NewStub(channel)->SignIn(&ctx, req, &resp);
    INFO(st.error_message());
    REQUIRE(st.ok());
    token = resp.tokens().access_token();
  }
  std::string key;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    gv1::CreateApiKeyRequest req;
    req.set_request_id("metrics-test-key");
    req.mutable_api_key()->set_name("erp");
    req.mutable_api_key()->add_roles(common::v1::ROLE_INTEGRATION_CLIENT);
    gv1::CreateApiKeyResponse resp;
    const grpc::Status st = gv1::AuthService::NewStub(channel)->CreateApiKey(&ctx, req, &resp);
    INFO(st.error_message());
    REQUIRE(st.ok());
    key = resp.secret();
  }

  // gRPC door, the admin: ListParticipants until the method's rate limit
  // refuses one; no credentials; a method the key's role may not call; a
  // method the gateway does not route.
  const std::string empty;  // every request here is the empty message
  int grpc_ok = 0;
  bool grpc_limited = false;
  for (int i = 0; i < 20 && !grpc_limited; ++i) {
    const grpc::Status st =
        GrpcCall(stub, kListParticipants, empty, "authorization", "Bearer " + token);
    INFO(st.error_message());
    if (st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      grpc_limited = true;
    } else {
      REQUIRE(st.ok());
      ++grpc_ok;
    }
  }
  REQUIRE(grpc_limited);
  CHECK(grpc_ok >= 2);
  CHECK(GrpcCall(stub, kListParticipants, empty).error_code() == grpc::StatusCode::UNAUTHENTICATED);
  CHECK(GrpcCall(stub, kListApiKeys, empty, "x-api-key", key).error_code() ==
        grpc::StatusCode::PERMISSION_DENIED);
  CHECK(GrpcCall(stub, kNoSuchMethod, empty, "x-api-key", key).error_code() ==
        grpc::StatusCode::UNIMPLEMENTED);

  // gRPC-web door, the API key: the same kinds of calls; the streaming
  // method without credentials is bridged to the gRPC door in-process and
  // must still count once, as grpc-web.
  const std::string with_key = "X-Api-Key: " + key;
  int web_ok = 0;
  bool web_limited = false;
  for (int i = 0; i < 20 && !web_limited; ++i) {
    const int code = WebCall(web_port, kListParticipants, empty, with_key);
    if (code == static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED)) {
      web_limited = true;
    } else {
      REQUIRE(code == 0);
      ++web_ok;
    }
  }
  REQUIRE(web_limited);
  CHECK(web_ok >= 2);
  CHECK(WebCall(web_port, kStreamPointDays, empty) ==
        static_cast<int>(grpc::StatusCode::UNAUTHENTICATED));
  CHECK(WebCall(web_port, kListApiKeys, empty, with_key) ==
        static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  CHECK(WebCall(web_port, kNoSuchMethod, empty, with_key) ==
        static_cast<int>(grpc::StatusCode::UNIMPLEMENTED));
  // A body that is no gRPC-web frame: refused before any check.
  const int unreadable = WebPost(web_port, kListParticipants, std::string("\0\0\0", 3), with_key);
  CHECK(unreadable == static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));

  std::string error;
  std::optional<HttpResponse> scraped =
      HttpGet("127.0.0.1", metrics_port, "/metrics", seconds(10), &error);
  INFO("GET /metrics: " << error);
  REQUIRE(scraped.has_value());
  REQUIRE(scraped->status == 200);
  const std::string& m = scraped->body;
  INFO("metrics:\n" << m);

  const std::string handled = "grpc_server_handled_total";
  const std::string started = "grpc_server_started_total";
  const std::string seconds_count = "grpc_server_handling_seconds_count";
  // The gateway's own AuthService, through the proxy.
  CHECK(Value(m, handled + Labels("/gridbill.gateway.v1.AuthService/SignIn", "grpc", "OK")) == 1);
  CHECK(Value(m, handled + Labels("/gridbill.gateway.v1.AuthService/CreateApiKey", "grpc", "OK")) ==
        1);
  // gRPC door.
  CHECK(Value(m, started + Labels(kListParticipants, "grpc")) == grpc_ok + 2);
  CHECK(Value(m, handled + Labels(kListParticipants, "grpc", "OK")) == grpc_ok);
  CHECK(Value(m, seconds_count + Labels(kListParticipants, "grpc", "OK")) == grpc_ok);
  CHECK(Value(m, handled + Labels(kListParticipants, "grpc", "RESOURCE_EXHAUSTED")) == 1);
  CHECK(Value(m, handled + Labels(kListParticipants, "grpc", "UNAUTHENTICATED")) == 1);
  CHECK(Value(m, handled + Labels(kListApiKeys, "grpc", "PERMISSION_DENIED")) == 1);
  CHECK(Value(m, started + Labels(kNoSuchMethod, "grpc")) == 1);
  CHECK(Value(m, handled + Labels(kNoSuchMethod, "grpc", "UNIMPLEMENTED")) == 1);
  // gRPC-web door.
  CHECK(Value(m, started + Labels(kListParticipants, "grpc-web")) == web_ok + 2);
  CHECK(Value(m, handled + Labels(kListParticipants, "grpc-web", "OK")) == web_ok);
  CHECK(Value(m, seconds_count + Labels(kListParticipants, "grpc-web", "OK")) == web_ok);
  CHECK(Value(m, handled + Labels(kListParticipants, "grpc-web", "RESOURCE_EXHAUSTED")) == 1);
  CHECK(Value(m, handled + Labels(kListParticipants, "grpc-web", "INVALID_ARGUMENT")) == 1);
  CHECK(Value(m, started + Labels(kStreamPointDays, "grpc-web")) == 1);
  CHECK(Value(m, handled + Labels(kStreamPointDays, "grpc-web", "UNAUTHENTICATED")) == 1);
  CHECK(Value(m, started + Labels(kStreamPointDays, "grpc")) == -1);
  CHECK(Value(m, handled + Labels(kListApiKeys, "grpc-web", "PERMISSION_DENIED")) == 1);
  CHECK(Value(m, handled + Labels(kNoSuchMethod, "grpc-web", "UNIMPLEMENTED")) == 1);
  // A method nobody routes adds no label values of its own.
  CHECK(m.find("NoService") == std::string::npos);
  CHECK(m.find("NoMethod") == std::string::npos);

  // The refusals by reason, every reason listed from the start.
  for (const char* transport : {"grpc", "grpc-web"}) {
    auto rejected = [&](const std::string& reason) {
      return Value(m, "gridbill_gateway_rejected_total{reason=\"" + reason + "\",transport=\"" +
                          transport + "\"}");
    };
    INFO("transport " << transport);
    CHECK(rejected("unauthenticated") == 1);
    CHECK(rejected("denied") == 1);
    CHECK(rejected("rate_limited") == 1);
    CHECK(rejected("unrouted") == 1);
    CHECK(rejected("invalid") == (transport == std::string("grpc-web") ? 1 : 0));
    CHECK(rejected("unavailable") == 0);
  }

  // Every call is counted once, by the door it came in by: no series
  // without a transport (the AuthService behind the proxy counts nothing
  // of its own).
  std::istringstream lines(m);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("grpc_server_", 0) != 0) continue;
    INFO(line);
    CHECK(line.find("transport=\"grpc") != std::string::npos);
  }

  // The exposition is valid for Prometheus.
  WriteFile(dir.File("metrics.txt"), m);
  CommandResult promtool =
      Run({kPromtool, "check", "metrics"}, {}, seconds(60), dir.File("metrics.txt"));
  INFO(promtool.Describe());
  CHECK(promtool.exit_code == 0);
}

}  // namespace
}  // namespace gridbill::suite
