// The SCADA adapter: telemetry streams in the line protocol of
// scada_protocol.h, over TCP, into metering's IngestReadings (source SCADA)
// in batches. Pure: sockets and the Suite interface, no gRPC, no SQL.
//
// Back-pressure: a batch is read, then sent to the suite while nothing more
// is read from the socket; the kernel's buffers fill and the sender's writes
// block until the batch is stored. Resume: the last stored seq of each
// stream is kept (Store::SetStreamPosition) after its batch is stored and
// before it is acknowledged; a sender that reconnects is told it
// (RESUME) and resends what follows; values at or below it are skipped. A
// crash between the store and the position resends a batch metering already
// holds, which it takes as a no-op (identical readings are not new revisions).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"
#include "store.h"
#include "suite.h"

namespace gridbill::integrations {

// One side of a connection, line by line.
class LineConnection {
 public:
  enum class Read { kLine, kIdle, kClosed };
  virtual ~LineConnection() = default;
  // The next line (without its LF) into `line`; kIdle when nothing arrived
  // within `wait`; kClosed at the end of the stream.
  virtual Read ReadLine(std::string& line, absl::Duration wait) = 0;
  virtual absl::Status Write(absl::string_view text) = 0;
};

struct ScadaOptions {
  int batch_size = 2000;                                 // values per IngestReadings call
  absl::Duration flush_after = absl::Milliseconds(200);  // a partial batch waits this long
  int max_line_bytes = 1024;
};

// Serves one connection to its end. Returns the values stored.
class ScadaSession {
 public:
  ScadaSession(Store& store, Suite& suite, const Clock& clock, ScadaOptions options)
      : store_(store), suite_(suite), clock_(clock), options_(options) {}
  absl::StatusOr<int64_t> Serve(LineConnection& conn);

 private:
  Store& store_;
  Suite& suite_;
  const Clock& clock_;
  ScadaOptions options_;
};

// A TCP listener: one thread accepts, one serves each connection.
class ScadaListener {
 public:
  ScadaListener(Store& store, Suite& suite, const Clock& clock, ScadaOptions options)
      : store_(store), suite_(suite), clock_(clock), options_(options) {}
  ~ScadaListener() { Stop(); }
  // Listens on host:port (port 0: any free one).
  absl::Status Start(const std::string& address);
  int port() const { return port_; }
  void Stop();

 private:
  void AcceptLoop();

  Store& store_;
  Suite& suite_;
  const Clock& clock_;
  ScadaOptions options_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  absl::Mutex mu_;
  std::vector<std::thread> sessions_ ABSL_GUARDED_BY(mu_);
  std::set<int> open_fds_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridbill::integrations
