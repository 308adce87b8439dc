// One service binary started for a suite test, as `up` starts it: its own
// database, a free gRPC port and metrics port, its log in the test's folder.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "catch2/catch.hpp"
#include "harness.h"

namespace gridbill::suite {

struct Running {
  std::string name;
  int grpc_port = FreePort();
  int metrics_port = FreePort();
  std::string address = "127.0.0.1:" + std::to_string(grpc_port);
  std::unique_ptr<Process> process;

  // `extra` adds to or overrides the environment (other services' addresses).
  Running(const std::string& binary, const std::string& database_url, const TempDir& dir,
          std::string label, const Env& extra = {})
      : name(std::move(label)) {
    Env env = {
        {"GRIDBILL_DATABASE_URL", database_url},
        {"GRIDBILL_GRPC_ADDRESS", address},
        {"GRIDBILL_METRICS_ADDRESS", "127.0.0.1:" + std::to_string(metrics_port)},
        {"GRIDBILL_SHUTDOWN_GRACE", "5s"},
    };
    for (const auto& [k, v] : extra) env[k] = v;
    process = Process::Start({binary}, env, dir.File(name + ".log"));
  }

  // Waits until grpc.health.v1 answers SERVING (a first start applies the
  // migrations); fails the test with the service's log otherwise.
  void WaitServing(seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string status;
    while (std::chrono::steady_clock::now() < deadline && process->Running()) {
      status = HealthStatus(address, "", milliseconds(1000));
      if (status == "SERVING") return;
      std::this_thread::sleep_for(milliseconds(200));
    }
    INFO("last health answer: " << status << "\nstill running: " << process->Running() << "\nlog:\n"
                                << process->Log());
    FAIL(name << " did not become SERVING within " << timeout.count() << "s");
  }
};

}  // namespace gridbill::suite
