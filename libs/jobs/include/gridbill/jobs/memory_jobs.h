// A JobStore in memory, for pure tests of the runner and of a service's job
// rules: the same claims, leases, epochs and fencing as PgJobs, without a
// database. Thread-safe. Jobs are created with Insert (pending, split by the
// handler's Plan) or InsertSplit (running, its pieces open).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gridbill/jobs/job.h"

namespace gridbill::jobs {

class MemoryJobs final : public JobStore {
 public:
  absl::Status Insert(const std::string& id, const std::string& kind, absl::Time now);
  absl::Status InsertSplit(const std::string& id, const std::string& kind,
                           const std::vector<PieceSpec>& pieces, absl::Time now);
  // The claim epoch a piece (piece_no >= 1) or the job (0) holds now.
  int64_t EpochOf(const std::string& id, int piece_no);

  absl::StatusOr<Job> Get(const std::string& id) override;
  absl::StatusOr<std::optional<Claim>> ClaimJob(const std::string& worker, absl::Time now,
                                                absl::Time stale_before,
                                                const std::vector<std::string>& kinds,
                                                const std::string& only_job) override;
  absl::StatusOr<std::optional<Claim>> ClaimPiece(const std::string& worker, absl::Time now,
                                                  absl::Time stale_before,
                                                  const std::vector<std::string>& kinds,
                                                  const std::string& only_job) override;
  absl::StatusOr<bool> Renew(const Claim& claim, absl::Time now) override;
  absl::StatusOr<bool> StorePlan(const Claim& claim, const std::vector<PieceSpec>& pieces,
                                 absl::Time now) override;
  absl::StatusOr<Completion> CompletePiece(const Claim& claim, const std::string& result,
                                           absl::Time now) override;
  absl::StatusOr<bool> Finish(const Claim& claim, const std::string& summary,
                              absl::Time now) override;
  absl::StatusOr<bool> Fail(const std::string& id, const std::string& error,
                            absl::Time now) override;
  absl::StatusOr<bool> Cancel(const std::string& id, absl::Time now) override;
  absl::Status SetSummary(const std::string& id, const std::string& summary) override;
  absl::StatusOr<std::vector<std::string>> Results(const std::string& id) override;
  absl::StatusOr<int64_t> CountOpen(const std::vector<std::string>& kinds) override;

 private:
  struct Lease {
    std::string by;
    std::optional<absl::Time> at;  // nullopt: not held
    int64_t epoch = 0;
  };
  struct Piece {
    PieceSpec spec;
    int state = 0;  // 0 open, 1 claimed, 2 done
    Lease lease;
    std::string result;
  };
  struct Entry {
    Job job;
    Lease lease;
    std::vector<Piece> pieces;
    int64_t order = 0;
  };
  static bool Wanted(const Entry& e, const std::vector<std::string>& kinds,
                     const std::string& only_job);
  void Split(Entry& e, const std::vector<PieceSpec>& pieces, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::map<std::string, Entry> jobs_ ABSL_GUARDED_BY(mu_);
  int64_t next_order_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gridbill::jobs
