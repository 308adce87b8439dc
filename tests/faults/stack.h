// The suite as the fault tests run it: the real gridbill-contracts,
// -metering, -balance, -invoicing and -gateway binaries on fixed free ports,
// each on its own database of the test's PostgreSQL cluster, with a
// FaultProxy on every path between the gateway and a service and between
// two services (the services take their peers' addresses from the
// environment, pointed at the proxies). A supervisor thread restarts any
// process that exits, as systemd or Kubernetes would.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fault_proxy.h"
#include "harness.h"

namespace gridbill::faults {

using suite::Env;
using suite::milliseconds;
using suite::seconds;

// One service binary, restartable on the same ports.
struct Service {
  std::string name;
  std::string binary;
  Env env;
  int port = suite::FreePort();
  int metrics_port = suite::FreePort();
  std::string log;
  std::unique_ptr<suite::Process> process;
  int starts = 0;

  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
  void Start();
  bool Running();
  void Kill();  // SIGKILL, waits for the exit
  // Waits for grpc.health.v1 SERVING.
  bool WaitServing(seconds timeout);
};

// Rows of a query as text; nothing when the database cannot be reached or
// the query fails (the reason in `error`).
using Rows = std::vector<std::vector<std::string>>;
std::optional<Rows> Query(const std::string& conninfo, const std::string& sql,
                          std::string* error = nullptr);

// The test cluster runs with synchronous_commit off (libs/pgtest: fast, and
// a crash loses the cluster anyway). A cluster that is crashed on purpose
// must keep what it acknowledged, as a production one does: on from here.
// (fsync may stay off: an immediate stop ends the server's processes, not
// the machine, so what reached the kernel survives.)
void MakeCommitsDurable();
// PostgreSQL of the test cluster, stopped in immediate mode and started again.
void StopPostgresImmediate();
void StartPostgres();

class Stack {
 public:
  // `prefix` names the databases (prefix_contracts, ...).
  Stack(const std::string& prefix, const suite::TempDir& dir, uint64_t seed);
  ~Stack();

  // Starts every process and waits until each serves; signs in and makes an
  // API key for gridbillctl through the gateway.
  void Start();
  // Stops the supervisor and SIGKILLs every process (the databases stay).
  void Stop();
  void Supervise(bool on) { supervise_ = on; }
  // SIGKILLs a process; the supervisor starts it again.
  void Kill(const std::string& name);

  Service& service(const std::string& name) { return *services_.at(name); }
  std::vector<std::string> service_names() const;
  const std::string& db(const std::string& service) const { return dbs_.at(service); }
  std::vector<FaultProxy*> proxies();
  void SetNetFaults(const NetFaults& f);
  // Restarts made by the supervisor.
  int restarts() const { return restarts_; }

  // gridbillctl through the gateway (the API key's roles: operator, accountant).
  suite::CommandResult Ctl(std::vector<std::string> args, seconds timeout) const;
  const std::string& ApiKey() const { return api_key_; }
  // The gateway's gRPC-web (HTTP/1.1) port.
  int web_port() const { return web_port_; }
  // The metering service's own address (for direct client calls).
  std::string metering_address() { return service("metering").address(); }

 private:
  void SupervisorLoop();

  std::string prefix_;
  const suite::TempDir& dir_;
  std::map<std::string, std::unique_ptr<Service>> services_;
  std::map<std::string, std::string> dbs_;
  std::vector<std::unique_ptr<FaultProxy>> proxies_;
  std::string api_key_;
  int web_port_ = suite::FreePort();
  std::mutex mu_;  // held while the supervisor (re)starts a process
  std::atomic<bool> supervise_{false};
  std::atomic<bool> stop_{false};
  std::atomic<int> restarts_{0};
  std::thread supervisor_;
};

}  // namespace gridbill::faults
