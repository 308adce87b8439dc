#include "gridbill/testing/test_server.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "catch2/catch.hpp"

namespace gridbill::testing {

Server::Options TestServerOptions(std::string service_name, std::vector<grpc::Service*> services,
                                  std::string identity_secret) {
  Server::Options options;
  options.config.service_name = std::move(service_name);
  options.config.grpc_address = "127.0.0.1:0";
  options.config.shutdown_grace = absl::Seconds(1);
  options.config.identity_secret = std::move(identity_secret);
  options.services = std::move(services);
  options.handle_signals = false;
  return options;
}

std::unique_ptr<Server> StartTestServer(Server::Options options) {
  absl::StatusOr<std::unique_ptr<Server>> started = Server::Start(std::move(options));
  INFO(started.status().ToString());
  REQUIRE(started.ok());
  return *std::move(started);
}

std::string AddressOf(const Server& server) {
  return absl::StrCat("127.0.0.1:", server.grpc_port());
}

}  // namespace gridbill::testing
