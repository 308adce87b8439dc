// What every service's *_pgtest harness needs, written once: a fresh
// database with the service's migrations (libs/pgtest), the service's gRPC
// classes on a gridbill::Server bound to 127.0.0.1:0 in this process with a
// metrics registry made before them (as Bootstrap does in main.cc), a
// channel to it, the caller metadata the gateway would set, and the checks
// on gRPC statuses. A service harness holds one as its first member, builds
// its store from pool() and its components from registry(), then Start()s
// its services in its constructor.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "catch2/catch.hpp"
#include "gridbill/pg/pool.h"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/server/server.h"
#include "grpcpp/grpcpp.h"
#include "prometheus/registry.h"

namespace gridbill::testing {

// The identity the gateway passes in metadata.
struct Who {
  std::string principal = "operator@kegoc.kz";
  std::string roles = "ROLE_OPERATOR";
  std::string participant;  // non-empty: a participant-scoped caller
};

// The body of GET /metrics from 127.0.0.1:`port` (REQUIREs a 200).
std::string ScrapeMetrics(int port);

// Sets `who` on a call's metadata.
void AddWho(grpc::ClientContext& ctx, const Who& who);

// One unary call as `who`.
template <typename Stub, typename Req, typename Resp>
grpc::Status Call(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                  const Req& req, Resp* resp, const Who& who = Who()) {
  grpc::ClientContext ctx;
  AddWho(ctx, who);
  return (stub.*method)(&ctx, req, resp);
}

class ServiceHarness {
 public:
  struct Options {
    std::string service_name = "service";
    bool metrics = false;  // serve /metrics on a port of its own
    int64_t max_message_bytes = 64 << 20;
    int pool_size = 4;  // connections of pool()
    // Non-empty: the server accepts only calls whose identity is signed with
    // it and enforces each method's roles, as a service behind the gateway.
    std::string identity_secret = {};
  };

  // A fresh database migrated from `migrations_dir`.
  explicit ServiceHarness(const std::string& migrations_dir);
  ServiceHarness(const std::string& migrations_dir, Options options);
  // Stops the server (if started) before the database goes.
  ~ServiceHarness();

  pg::Pool& pool() { return db_.pool(); }
  pgtest::Database& db() { return db_; }
  prometheus::Registry& registry() { return *registry_; }

  // Starts the server on `services` (not owned); REQUIREs success.
  void Start(std::vector<grpc::Service*> services);
  // Shuts the server down (idempotent), e.g. before stopping the workers
  // its handlers use.
  void Stop();
  Server& server() { return *server_; }
  // A channel to the server, with the harness's message size limits.
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }

  // One integer straight from the database, e.g. "SELECT count(*) FROM t".
  int64_t QueryInt(const std::string& sql);
  int64_t CountRows(const std::string& table);
  // The body of GET /metrics (Options::metrics must be on).
  std::string ScrapeMetrics();

 private:
  Options options_;
  pgtest::Database db_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace gridbill::testing

// Checks a gRPC status's code and that its message contains `text`.
#define REQUIRE_GRPC(status, expected_code, text)                       \
  do {                                                                  \
    const grpc::Status& st_ = (status);                                 \
    INFO("status " << st_.error_code() << ": " << st_.error_message()); \
    REQUIRE(st_.error_code() == (expected_code));                       \
    REQUIRE(absl::StrContains(st_.error_message(), (text)));            \
  } while (0)

#define REQUIRE_OK(status)                                              \
  do {                                                                  \
    const grpc::Status& st_ = (status);                                 \
    INFO("status " << st_.error_code() << ": " << st_.error_message()); \
    REQUIRE(st_.ok());                                                  \
  } while (0)
