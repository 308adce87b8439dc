#include "gridbill/testing/service_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "gridbill/pg/query.h"
#include "gridbill/server/caller.h"
#include "gridbill/testing/test_server.h"
#include "grpcpp/create_channel.h"

namespace gridbill::testing {

void AddWho(grpc::ClientContext& ctx, const Who& who) {
  ctx.AddMetadata(kPrincipalHeader, who.principal);
  if (!who.roles.empty()) ctx.AddMetadata(kRolesHeader, who.roles);
  if (!who.participant.empty()) ctx.AddMetadata(kParticipantHeader, who.participant);
}

ServiceHarness::ServiceHarness(const std::string& migrations_dir)
    : ServiceHarness(migrations_dir, Options()) {}

ServiceHarness::ServiceHarness(const std::string& migrations_dir, Options options)
    : options_(std::move(options)),
      db_(migrations_dir, options_.pool_size),
      registry_(std::make_shared<prometheus::Registry>()) {}

ServiceHarness::~ServiceHarness() { Stop(); }

void ServiceHarness::Start(std::vector<grpc::Service*> services) {
  REQUIRE(server_ == nullptr);
  Server::Options options =
      TestServerOptions(options_.service_name, std::move(services), options_.identity_secret);
  options.config.metrics_address = options_.metrics ? "127.0.0.1:0" : "";
  options.config.log_level = "error";
  options.config.max_message_bytes = options_.max_message_bytes;
  options.registry = registry_;
  server_ = StartTestServer(std::move(options));
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(static_cast<int>(options_.max_message_bytes));
  args.SetMaxReceiveMessageSize(static_cast<int>(options_.max_message_bytes));
  channel_ =
      grpc::CreateCustomChannel(AddressOf(*server_), grpc::InsecureChannelCredentials(), args);
}

void ServiceHarness::Stop() {
  if (server_ == nullptr) return;
  server_->Shutdown();
  server_.reset();
}

int64_t ServiceHarness::QueryInt(const std::string& sql) {
  absl::StatusOr<pg::Result> res = db_.pool().Execute(pg::Query{"", sql.c_str()});
  INFO(sql << ": " << res.status().ToString());
  REQUIRE(res.ok());
  REQUIRE(res->size() == 1);
  return (*res)[0].Int(0);
}

int64_t ServiceHarness::CountRows(const std::string& table) {
  return QueryInt(absl::StrCat("SELECT count(*) FROM ", table));
}

std::string ServiceHarness::ScrapeMetrics() {
  REQUIRE(server_ != nullptr);
  return ::gridbill::testing::ScrapeMetrics(server_->metrics_port());
}

std::string ScrapeMetrics(int port) {
  REQUIRE(port > 0);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  const std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  REQUIRE(::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) response.append(buf, static_cast<size_t>(n));
  ::close(fd);
  INFO(response.substr(0, 200));
  REQUIRE(absl::StrContains(response.substr(0, 20), " 200"));
  const size_t body = response.find("\r\n\r\n");
  REQUIRE(body != std::string::npos);
  return response.substr(body + 4);
}

}  // namespace gridbill::testing
