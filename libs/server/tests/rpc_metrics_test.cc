#include "gridbill/server/rpc_metrics.h"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace gridbill {
namespace {

std::string Exposition(prometheus::Registry& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

TEST_CASE("RpcMetrics: one series per method, code and extra label value") {
  prometheus::Registry registry;
  RpcMetrics metrics(registry, "transport");
  RpcMetrics::Method& web = metrics.For("pkg.Svc", "Get", "grpc-web");
  CHECK(&metrics.For("pkg.Svc", "Get", "grpc-web") == &web);
  CHECK(&metrics.For("pkg.Svc", "Get", "grpc") != &web);
  // Nothing is exported for a method before its first call.
  CHECK_FALSE(absl::StrContains(Exposition(registry), "pkg.Svc"));

  // Calls from several threads at once: every one counted.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&web] {
      for (int i = 0; i < 250; ++i) {
        web.Started();
        web.Handled(grpc::StatusCode::OK, 0.002);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  web.Started();
  web.Handled(static_cast<grpc::StatusCode>(99), 0.5);  // not a code: counted as UNKNOWN

  const std::string text = Exposition(registry);
  INFO(text);
  CHECK(absl::StrContains(text,
                          "grpc_server_started_total{grpc_method=\"Get\",grpc_service=\"pkg.Svc\","
                          "transport=\"grpc-web\"} 1001"));
  CHECK(absl::StrContains(text,
                          "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Get\","
                          "grpc_service=\"pkg.Svc\",transport=\"grpc-web\"} 1000"));
  CHECK(absl::StrContains(text,
                          "grpc_server_handled_total{grpc_code=\"UNKNOWN\",grpc_method=\"Get\","
                          "grpc_service=\"pkg.Svc\",transport=\"grpc-web\"} 1"));
  CHECK(absl::StrContains(text,
                          "grpc_server_handling_seconds_bucket{grpc_code=\"OK\",grpc_method="
                          "\"Get\",grpc_service=\"pkg.Svc\",transport=\"grpc-web\",le=\"0.0025\"} "
                          "1000"));
  // The grpc transport was never called: no series of its own.
  CHECK_FALSE(absl::StrContains(text, "transport=\"grpc\""));
}

TEST_CASE("RpcMetrics without an extra label has the standard label sets") {
  prometheus::Registry registry;
  RpcMetrics metrics(registry);
  RpcMetrics::Method& m = metrics.For("pkg.Svc", "Put");
  m.Started();
  m.Handled(grpc::StatusCode::UNAUTHENTICATED, 0.01);
  const std::string text = Exposition(registry);
  INFO(text);
  CHECK(absl::StrContains(
      text, "grpc_server_started_total{grpc_method=\"Put\",grpc_service=\"pkg.Svc\"} 1"));
  CHECK(absl::StrContains(text,
                          "grpc_server_handled_total{grpc_code=\"UNAUTHENTICATED\",grpc_method="
                          "\"Put\",grpc_service=\"pkg.Svc\"} 1"));
}

}  // namespace
}  // namespace gridbill
