// What the balance domain needs from storage, nothing more.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gridbill/base/paging.h"
#include "gridbill/jobs/job.h"
#include "model.h"

namespace gridbill::balance {

// A point-day read at different revisions by two runs.
struct RevisionChange {
  std::string point_code;
  int channel = 0;
  absl::CivilDay day;
  int base_revision = 0;
  int other_revision = 0;
};

// Per participant and service: volumes of two runs and the hours that differ.
struct TotalsChange {
  std::string participant_id;
  int service_type = 0;
  int64_t base_wh = 0;
  int64_t other_wh = 0;
  int64_t changed_hours = 0;
};

// What CompleteShard did with a shard's results.
enum class ShardCompletion {
  kDiscarded,     // nothing stored: the run ended or the claim was taken over
  kStored,        // stored; other shards of the run are still open
  kRunCompleted,  // stored, and it was the run's last shard: the run succeeded
};

class Store {
 public:
  virtual ~Store() = default;

  // Schemes. InsertScheme assigns id and version and refuses (FAILED_PRECONDITION on
  // "scheme.valid_from") a version overlapping another of the same subject.
  virtual absl::StatusOr<Scheme> InsertScheme(const Scheme& scheme) = 0;
  virtual absl::StatusOr<Scheme> CloseScheme(int64_t id, absl::CivilDay valid_to,
                                             const std::string& reason) = 0;
  virtual absl::StatusOr<Scheme> GetScheme(int64_t id) = 0;
  virtual absl::StatusOr<std::vector<Scheme>> GetSchemes(const std::vector<int64_t>& ids) = 0;
  // Lists page by keyset (gridbill/base/paging.h): schemes by (subject,
  // valid_from, id), runs newest first by id, hours by their unique order.
  virtual absl::StatusOr<paging::PageOf<Scheme>> ListSchemes(const SchemeFilter& filter,
                                                             const paging::Page& page) = 0;
  // Every version valid on some day of [from, to].
  virtual absl::StatusOr<std::vector<Scheme>> SchemesValidIn(absl::CivilDay from,
                                                             absl::CivilDay to) = 0;

  // Runs. InsertRun stores the run (pending), its inputs and its shards in one
  // transaction; FAILED_PRECONDITION when a final run of the period exists.
  virtual absl::StatusOr<Run> InsertRun(const Run& run, const std::vector<Shard>& shards) = 0;
  virtual absl::StatusOr<Run> GetRun(int64_t id) = 0;
  virtual absl::StatusOr<paging::PageOf<Run>> ListRuns(const RunFilter& filter,
                                                       const paging::Page& page) = 0;
  // The change feed of runs (page.after: the position {xid, seq} to read
  // after); `next` is the position of the last run returned.
  virtual absl::StatusOr<paging::PageOf<Run>> RunChanges(const RunFilter& filter,
                                                         const paging::Page& page) = 0;
  // The latest succeeded final or correction run of a period.
  virtual absl::StatusOr<std::optional<Run>> BillingRun(const BillingPeriod& period) = 0;
  // The highest correction number of a period (0 = none).
  virtual absl::StatusOr<int> LastCorrection(const BillingPeriod& period) = 0;
  // Cancels a pending or running run and removes its partial results.
  virtual absl::StatusOr<Run> CancelRun(int64_t id, absl::Time now) = 0;

  // Work. The jobs tables the runs' jobs are in (libs/jobs' runner claims
  // the shards: piece n of run r's job is shard n).
  virtual jobs::JobStore& Jobs() = 0;  // handed to the runner
  // Reads what a claimed shard (run_id, shard_no) computes and marks its run
  // running.
  virtual absl::Status OpenShard(Shard& shard, absl::Time now) = 0;
  // ClaimShard (a claim as the runner takes it, for tests and tools) takes an open shard of any
  // pending or running run (or a claim older than `stale_before`, which it takes over: the shard's
  // epoch is incremented), marks the run running; nullopt when none.
  virtual absl::StatusOr<std::optional<Shard>> ClaimShard(const std::string& worker, absl::Time now,
                                                          absl::Time stale_before) = 0;
  // Extends the claim to `now`; false when the claim is no longer this one
  // (taken over) or the run is no longer running.
  virtual absl::StatusOr<bool> RenewShard(const Shard& shard, absl::Time now) = 0;
  // Stores a shard's results and marks it done; when it was the last shard,
  // completes the run. Stores nothing (kDiscarded) when the run is no longer
  // running or the claim (its epoch) is no longer the shard's current one.
  virtual absl::StatusOr<ShardCompletion> CompleteShard(const Shard& shard,
                                                        const ShardResult& result,
                                                        absl::Time now) = 0;
  // Fails a pending or running run; false when it had already ended.
  virtual absl::StatusOr<bool> FailRun(int64_t id, const std::string& error, absl::Time now) = 0;
  // The oldest claim of a shard not done, of a run not ended; nullopt when none.
  virtual absl::StatusOr<std::optional<absl::Time>> OldestClaim() = 0;
  virtual absl::StatusOr<RunState> RunStateOf(int64_t id) = 0;

  // Results.
  virtual absl::StatusOr<paging::PageOf<ServiceHour>> ListServiceHours(
      int64_t run_id, const std::string& participant_id, int service_type,
      const paging::Page& page) = 0;
  virtual absl::StatusOr<paging::PageOf<NodeHour>> ListNodeHours(int64_t run_id,
                                                                 const std::string& node_code,
                                                                 const paging::Page& page) = 0;
  // Totals per (participant_id, service_type) and per node_code, in that
  // order, after the key page.after when it is one of theirs.
  virtual absl::StatusOr<paging::PageOf<ServiceTotal>> ServiceTotals(
      int64_t run_id, const std::string& participant_id, const paging::Page& page) = 0;
  virtual absl::StatusOr<paging::PageOf<NodeTotal>> NodeTotals(int64_t run_id,
                                                               const paging::Page& page) = 0;

  // Diff inputs.
  virtual absl::StatusOr<std::vector<TotalsChange>> CompareTotals(int64_t base, int64_t other) = 0;
  virtual absl::StatusOr<std::vector<RevisionChange>> CompareRevisions(int64_t base,
                                                                       int64_t other) = 0;
};

}  // namespace gridbill::balance
