// What every stand-in shares: its flags, JSON quoting, listening, and the
// HTTP fault modes the tests make it show, in one place:
//
//   --fail-every N   every N-th request (of those the stand-in counts) is
//                    answered 503 without being acted on;
//   --slow-every N   every N-th change is acted on, then its answer held
//                    15 s (past the client's deadline: the client sees a
//                    time-out of a change that happened), counted in `slow`;
//   --twice-every N  every N-th change arrives twice (as over a network that
//                    duplicates a request), counted in `twice`.
#pragma once

#include <httplib.h>

#include <chrono>
#include <iostream>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace gridbill::standin {

// The value of `--name VALUE`, or `fallback`.
inline std::string Arg(int argc, char** argv, const std::string& name,
                       const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

// `s` as a JSON string.
inline std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

class Faults {
 public:
  // How one change is received: how many times it arrives, and whether its
  // answer is held past the client's deadline (Hold).
  struct Change {
    int arrivals = 1;
    bool late = false;
  };

  Faults(int argc, char** argv)
      : fail_every_(std::stoi(Arg(argc, argv, "fail-every", "0"))),
        slow_every_(std::stoi(Arg(argc, argv, "slow-every", "0"))),
        twice_every_(std::stoi(Arg(argc, argv, "twice-every", "0"))) {}

  // Counts a request; true when it is to be answered 503.
  bool Fail() {
    std::lock_guard<std::mutex> l(mu_);
    return fail_every_ > 0 && ++requests_ % fail_every_ == 0;
  }

  // Counts a change; how it is received.
  Change NextChange() {
    std::lock_guard<std::mutex> l(mu_);
    ++changes_;
    Change c;
    c.arrivals = twice_every_ > 0 && changes_ % twice_every_ == 0 ? 2 : 1;
    c.late = slow_every_ > 0 && changes_ % slow_every_ == 0;
    twice_ += c.arrivals - 1;
    slow_ += c.late ? 1 : 0;
    return c;
  }

  // Holds a late change's answer (call outside the stand-in's lock).
  static void Hold(const Change& c) {
    if (c.late) std::this_thread::sleep_for(std::chrono::seconds(15));
  }

  // `,"slow":N,"twice":M` for a stand-in's stats.
  std::string StatsJson() const {
    std::lock_guard<std::mutex> l(mu_);
    return ",\"slow\":" + std::to_string(slow_) + ",\"twice\":" + std::to_string(twice_);
  }

  // Before any route: a request without an Authorization header is 401
  // (`denied` as its body) and every fail_every-th request 503
  // (`unavailable`), both without acting; paths in `open` (the stats) pass.
  void Guard(httplib::Server& server, std::set<std::string> open, std::string denied,
             std::string unavailable) {
    server.set_pre_routing_handler([this, open = std::move(open), denied = std::move(denied),
                                    unavailable = std::move(unavailable)](
                                       const httplib::Request& req, httplib::Response& res) {
      if (open.count(req.path) > 0) return httplib::Server::HandlerResponse::Unhandled;
      if (!req.has_header("Authorization")) {
        res.status = 401;
        if (!denied.empty()) res.set_content(denied, "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (Fail()) {
        res.status = 503;
        if (!unavailable.empty()) res.set_content(unavailable, "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
  }

 private:
  const int fail_every_, slow_every_, twice_every_;
  mutable std::mutex mu_;
  int requests_ = 0, changes_ = 0, slow_ = 0, twice_ = 0;
};

// Binds `host:port` (0: any free port), prints the port it listens on (the
// tests and `up` read it) and serves until stopped. Returns main's exit code.
inline int Listen(httplib::Server& server, const std::string& name, const std::string& host,
                  int port) {
  const int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    std::cerr << name << ": cannot listen on " << host << ":" << port << "\n";
    return 1;
  }
  std::cout << name << " listening on " << host << ":" << bound << std::endl;
  server.listen_after_bind();
  return 0;
}

}  // namespace gridbill::standin
