// The adapters as workers: one thread reads the suite's change feeds into
// the outbox, one per outbound adapter delivers its due deliveries, one per
// inbound folder scans it; all wake every poll interval until stopped.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"
#include "inbound.h"
#include "outbox.h"
#include "store.h"
#include "suite.h"

namespace gridbill::integrations {

struct AdapterStatusRow {
  std::string name;
  bool inbound = false;
  bool enabled = false;
  AdapterCounts counts;
};

class Adapters {
 public:
  Adapters(Store& store, Suite* suite, const Clock& clock, RetryPolicy policy,
           absl::Duration poll_interval)
      : store_(store),
        suite_(suite),
        clock_(clock),
        outbox_(store, clock, policy),
        poll_(poll_interval) {}
  ~Adapters() { Stop(); }

  // Before Start: an outbound adapter; `documents`: fed by the document feed
  // (else by facts other adapters write, e.g. ITSM's problems).
  void AddOutbound(std::string name, std::unique_ptr<Receiver> receiver, bool documents = true);
  // Before Start: an inbound folder; `report`: its rejections open ITSM incidents.
  void AddInbound(std::string name, std::string dir, std::unique_ptr<FileHandler> handler,
                  bool report = false);

  // Before Start: an adapter fed by the document feed whose facts another
  // pass sends in batches (the warehouse's nightly export), not one by one.
  void AddDocumentsConsumer(std::string name) { consumers_.push_back(std::move(name)); }
  // Before Start: `pass` run every `every` (the first time at Start), e.g.
  // the ITSM problem watch or the warehouse export; its errors are recorded
  // as the adapter `name`'s.
  void AddPeriodic(std::string name, absl::Duration every,
                   std::function<absl::StatusOr<int>()> pass);

  void Start();
  void Stop();

  Outbox& outbox() { return outbox_; }
  // Every known adapter (the configured ones, and any with deliveries).
  absl::StatusOr<std::vector<AdapterStatusRow>> Status();

 private:
  struct Outbound {
    std::string name;
    std::unique_ptr<Receiver> receiver;
    bool documents = true;
  };
  struct Inbound {
    std::string name;
    std::unique_ptr<FileHandler> handler;
    std::unique_ptr<InboundFolder> folder;
  };
  struct Periodic {
    std::string name;
    absl::Duration every;
    std::function<absl::StatusOr<int>()> pass;
  };
  // Sleeps up to `wait` (the poll interval by default) unless there is more
  // work; false once stopping.
  bool Wait(bool more_work, absl::Duration wait = absl::ZeroDuration());
  void Loop(const char* what, const std::string& name,
            absl::FunctionRef<absl::StatusOr<int>()> pass,
            absl::Duration every = absl::ZeroDuration());

  Store& store_;
  Suite* suite_;
  const Clock& clock_;
  Outbox outbox_;
  absl::Duration poll_;
  std::vector<Outbound> outbound_;
  std::vector<Inbound> inbound_;
  std::vector<Periodic> periodic_;
  std::vector<std::string> consumers_;
  std::vector<std::thread> threads_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gridbill::integrations
