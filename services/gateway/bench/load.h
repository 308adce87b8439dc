// The gateway benchmark's load generators. Both keep their own cost per
// call low (the generator shares the machine's cores with what it
// measures): no thread per sender, one scheduler and completions as they
// come.
//   GrpcLoad  asynchronous (callback) unary calls over several channels,
//             each its own connection
//   HttpLoad  one thread with epoll over several keep-alive HTTP/1.1
//             connections, for gRPC-web
// Open loop (rate > 0): call i is due at start + i / rate, and its latency
// counts from then, however long it waited for a free connection (no
// coordinated omission). Closed loop (rate 0): each connection sends its
// next call as soon as it has an answer.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace gridbill::gateway::bench {

using Clock = std::chrono::steady_clock;

// What a phase of calls gave.
struct Outcome {
  std::vector<double> micros;  // per call, in call order
  std::vector<double> sent;    // per call: when it was due or sent, seconds into the phase
  int errors = 0;
  int reconnects = 0;  // HTTP connections the server closed and that were opened again
  double seconds = 0;
};

class Load {
 public:
  virtual ~Load() = default;
  // `calls` calls at `rate` per second (0: closed loop).
  virtual Outcome Go(int calls, double rate) = 0;
};

class GrpcLoad final : public Load {
 public:
  // Adds the call's metadata (credentials, identity).
  using Decorate = std::function<void(grpc::ClientContext&)>;
  GrpcLoad(std::vector<std::shared_ptr<grpc::Channel>> channels,
           contracts::v1::GetParticipantRequest request, Decorate decorate);
  ~GrpcLoad() override;
  Outcome Go(int calls, double rate) override;

 private:
  struct Run;
  void Start(Run& run, int i);

  std::vector<std::unique_ptr<contracts::v1::ParticipantService::Stub>> stubs_;
  const contracts::v1::GetParticipantRequest request_;
  const Decorate decorate_;
};

class HttpLoad final : public Load {
 public:
  // `request`: the whole HTTP request, sent as is for every call; a call
  // succeeded when the answer is HTTP 200 and holds `success`.
  HttpLoad(int port, std::string request, std::string success, int connections);
  ~HttpLoad() override;
  Outcome Go(int calls, double rate) override;

 private:
  struct Connection;
  int Connect() const;

  const int port_;
  const std::string request_;
  const std::string success_;
  std::vector<std::unique_ptr<Connection>> connections_;
};

}  // namespace gridbill::gateway::bench
