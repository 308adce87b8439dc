// A TCP proxy for the fault suite: placed between a gRPC client (the gateway,
// or a service calling another) and a service, it relays bytes both ways and,
// while faults are on, breaks new connections, delays chunks and cuts
// connections mid-stream. Every decision comes from its own seeded generator,
// so a seed gives the same sequence of decisions (which chunk of which
// connection is delayed by how much, which one is cut); when they happen in
// wall-clock time depends on the scheduler.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace gridbill::faults {

struct NetFaults {
  double break_connection = 0;  // a new connection is closed at once
  double delay_chunk = 0;       // a relayed chunk waits 1..20 ms first
  double cut_chunk = 0;         // the connection is cut after relaying a chunk
  // At most this many cuts and breaks by one proxy while these settings hold
  // (a job cut on every attempt would never end).
  int cut_budget = 0;
  int break_budget = 0;
};

class FaultProxy {
 public:
  // Listens on a free loopback port; relays to 127.0.0.1:`target_port`.
  FaultProxy(std::string name, int target_port, uint64_t seed);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& name() const { return name_; }
  void Set(const NetFaults& faults);
  // Injected faults so far, by kind ("net.break", "net.delay", "net.cut").
  std::map<std::string, int64_t> Counts() const;
  int64_t connections() const { return connections_; }

 private:
  void Accept();
  void Relay(int client, uint64_t stream_seed);

  std::string name_;
  int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> connections_{0};
  mutable std::mutex mu_;
  NetFaults faults_;
  bool break_next_ = false;  // guarded by mu_
  std::mt19937_64 rng_;
  std::map<std::string, int64_t> counts_;
  std::thread acceptor_;
  std::vector<std::thread> relays_;
};

}  // namespace gridbill::faults
