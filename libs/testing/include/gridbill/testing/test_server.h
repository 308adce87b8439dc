// A gridbill::Server for a test, in this process on 127.0.0.1:0: what the
// server, identity and client-call tests and the ServiceHarness start.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gridbill/server/server.h"
#include "grpcpp/grpcpp.h"

namespace gridbill::testing {

// Options serving `services` (not owned) on 127.0.0.1:0 without /metrics,
// with a 1 s shutdown grace and no signal handlers; a non-empty
// `identity_secret` makes the server accept only calls whose identity is
// signed with it, as a service behind the gateway.
Server::Options TestServerOptions(std::string service_name, std::vector<grpc::Service*> services,
                                  std::string identity_secret = "");
// Server::Start; REQUIREs that it starts.
std::unique_ptr<Server> StartTestServer(Server::Options options);
// "127.0.0.1:<its gRPC port>".
std::string AddressOf(const Server& server);

}  // namespace gridbill::testing
