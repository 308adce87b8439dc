// Bookkeeping for batches of create calls (imports, demo load): what was
// created, what was already there, what was refused and why.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/grpcpp.h"

namespace gridbill::ctl {

enum class Outcome {
  kCreated,   // this call created the resource
  kReplayed,  // the request id was seen before: the first result came back
  kExisting,  // ALREADY_EXISTS: the same resource was created by another request
  kRejected,  // the call or the row was refused
};

// How a create call ended. A replay returns the stored first response, so a
// resource created before this call started (with 2 s of slack for clock
// differences between client and server) is a replay.
Outcome Classify(const grpc::Status& status, const google::protobuf::Timestamp& create_time,
                 absl::Time call_start);

// Thread-safe counts and the refusals, reported in `order` (line) order.
class Tally {
 public:
  void Add(Outcome outcome);
  // A refusal of an item: counts it as rejected unless `count` is false
  // (a later step of an item already counted).
  void Reject(int64_t order, std::string message, bool count = true);

  int64_t created() const;
  int64_t replayed() const;
  int64_t existing() const;
  int64_t rejected() const;
  // "line 12: ..." messages sorted by order.
  std::vector<std::string> Failures() const;

 private:
  mutable absl::Mutex mu_;
  int64_t counts_[4] ABSL_GUARDED_BY(mu_) = {0, 0, 0, 0};
  std::vector<std::pair<int64_t, std::string>> failures_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridbill::ctl
