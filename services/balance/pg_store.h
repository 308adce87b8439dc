// The PostgreSQL implementation of Store; the only file with SQL calls.
#pragma once

#include "gridbill/jobs/pg_jobs.h"
#include "gridbill/pg/pool.h"
#include "store.h"

namespace gridbill::balance {

class PgStore final : public Store {
 public:
  explicit PgStore(pg::Pool& pool) : pool_(pool), jobs_(pool) {}

  absl::StatusOr<Scheme> InsertScheme(const Scheme& scheme) override;
  absl::StatusOr<Scheme> CloseScheme(int64_t id, absl::CivilDay valid_to,
                                     const std::string& reason) override;
  absl::StatusOr<Scheme> GetScheme(int64_t id) override;
  absl::StatusOr<std::vector<Scheme>> GetSchemes(const std::vector<int64_t>& ids) override;
  absl::StatusOr<paging::PageOf<Scheme>> ListSchemes(const SchemeFilter& filter,
                                                     const paging::Page& page) override;
  absl::StatusOr<std::vector<Scheme>> SchemesValidIn(absl::CivilDay from,
                                                     absl::CivilDay to) override;

  absl::StatusOr<Run> InsertRun(const Run& run, const std::vector<Shard>& shards) override;
  absl::StatusOr<Run> GetRun(int64_t id) override;
  absl::StatusOr<paging::PageOf<Run>> RunChanges(const RunFilter& filter,
                                                 const paging::Page& page) override;
  absl::StatusOr<paging::PageOf<Run>> ListRuns(const RunFilter& filter,
                                               const paging::Page& page) override;
  absl::StatusOr<std::optional<Run>> BillingRun(const BillingPeriod& period) override;
  absl::StatusOr<int> LastCorrection(const BillingPeriod& period) override;
  absl::StatusOr<Run> CancelRun(int64_t id, absl::Time now) override;

  jobs::JobStore& Jobs() override { return jobs_; }
  absl::Status OpenShard(Shard& shard, absl::Time now) override;
  absl::StatusOr<std::optional<Shard>> ClaimShard(const std::string& worker, absl::Time now,
                                                  absl::Time stale_before) override;
  absl::StatusOr<bool> RenewShard(const Shard& shard, absl::Time now) override;
  absl::StatusOr<ShardCompletion> CompleteShard(const Shard& shard, const ShardResult& result,
                                                absl::Time now) override;
  absl::StatusOr<bool> FailRun(int64_t id, const std::string& error, absl::Time now) override;
  absl::StatusOr<std::optional<absl::Time>> OldestClaim() override;
  absl::StatusOr<RunState> RunStateOf(int64_t id) override;

  absl::StatusOr<paging::PageOf<ServiceHour>> ListServiceHours(int64_t run_id,
                                                               const std::string& participant_id,
                                                               int service_type,
                                                               const paging::Page& page) override;
  absl::StatusOr<paging::PageOf<NodeHour>> ListNodeHours(int64_t run_id,
                                                         const std::string& node_code,
                                                         const paging::Page& page) override;
  absl::StatusOr<paging::PageOf<ServiceTotal>> ServiceTotals(int64_t run_id,
                                                             const std::string& participant_id,
                                                             const paging::Page& page) override;
  absl::StatusOr<paging::PageOf<NodeTotal>> NodeTotals(int64_t run_id,
                                                       const paging::Page& page) override;

  absl::StatusOr<std::vector<TotalsChange>> CompareTotals(int64_t base, int64_t other) override;
  absl::StatusOr<std::vector<RevisionChange>> CompareRevisions(int64_t base,
                                                               int64_t other) override;

 private:
  absl::StatusOr<Run> ReadRunInputs(pg::Transaction& tx, Run run);
  pg::Pool& pool_;
  jobs::PgJobs jobs_;
};

}  // namespace gridbill::balance
