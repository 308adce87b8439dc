// The audit trail: one entry per call through the gateway, recorded without
// blocking the call and written to the gateway's database in batches by a
// background thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace gridbill::gateway {

struct AuditEntry {
  int64_t id = 0;  // assigned by the store
  absl::Time call_time;
  std::string principal;
  std::string method;
  std::string participant_id;
  std::string request_id;
  int code = 0;
  int64_t duration_us = 0;
  bool mutating = false;
  std::string transport = "grpc";
};

struct AuditQuery {
  std::string principal;                 // "" = any
  std::string method;                    // "" = any
  std::string participant_id;            // "" = any
  std::optional<absl::Time> start_time;  // inclusive
  std::optional<absl::Time> end_time;    // exclusive
  int64_t before_id = 0;                 // 0 = from the newest
  int limit = 100;
};

// What the audit trail needs from storage.
class AuditStore {
 public:
  virtual ~AuditStore() = default;
  virtual absl::Status InsertAuditEntries(const std::vector<AuditEntry>& entries) = 0;
  // Newest first.
  virtual absl::StatusOr<std::vector<AuditEntry>> ListAuditEntries(const AuditQuery& query) = 0;
};

struct AuditSettings {
  absl::Duration flush_interval = absl::Milliseconds(200);  // audit_flush_interval
  size_t batch_size = 500;                                  // audit_batch_size
  size_t max_queue = 100000;                                // audit_max_queue
};

class AuditLog {
 public:
  AuditLog(AuditStore& store, AuditSettings settings);
  ~AuditLog();  // flushes what is queued

  // Queues the entry; never blocks on the database. Beyond max_queue
  // (the database is down for long) entries are dropped and counted.
  void Record(AuditEntry entry);
  // Writes everything queued so far (tests; shutdown).
  void Flush();
  int64_t dropped() const;

 private:
  void Run();
  std::vector<AuditEntry> Take();  // up to batch_size queued entries
  // False when the store refused the batch (it is queued again).
  bool Write(std::vector<AuditEntry> batch);

  AuditStore& store_;
  const AuditSettings settings_;
  mutable absl::Mutex mu_;
  std::vector<AuditEntry> queue_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  int64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Mutex write_mu_;  // one writer at a time (worker or Flush)
  std::thread worker_;
};

}  // namespace gridbill::gateway
