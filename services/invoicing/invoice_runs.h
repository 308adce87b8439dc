// Invoice runs as jobs (libs/jobs): the regular run of a period issues per
// contract an invoice for payment, an act of services rendered and an ESF;
// a correction run issues credit or debit notes (each with its additional
// ESF) for the difference only. A run is split once, by whichever replica
// claims it first: the balance run it bills from and its contracts are
// recorded in pieces of `batch` contracts. Any replica claims a piece and
// issues it in one transaction together with the piece's result and the
// run's counters, under the piece's claim epoch: a replica killed halfway
// leaves whole pieces or nothing, another one takes its pieces over after
// the lease, and the run's counts are the documents that exist.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "accrual.h"
#include "gridbill/base/clock.h"
#include "gridbill/jobs/runner.h"
#include "model.h"
#include "sources.h"
#include "store.h"

namespace gridbill::invoicing {

class InvoiceRuns final : public jobs::Handler {
 public:
  // `volumes` may be null: runs then fail with FAILED_PRECONDITION
  // "balance_address" (the balance service is not configured).
  // `metrics`: where the runner counts jobs (gridbill_jobs_*); null: nowhere.
  InvoiceRuns(Store& store, ContractDirectory& directory, VolumeSource* volumes, const Clock& clock,
              absl::TimeZone zone, RunOptions options, Seller seller, std::string font_path,
              jobs::RunnerMetrics* metrics = nullptr);
  ~InvoiceRuns() override;

  // Creates a pending run (and its job). FAILED_PRECONDITION "period" for a
  // regular run of a closed period. Workers of any replica pick it up;
  // Enqueue wakes this replica's workers once the creating call committed.
  absl::StatusOr<InvoiceRun> Start(const BillingPeriod& period, RunType type,
                                   const std::string& balance_run_id, const std::string& id);
  void Enqueue(const std::string& id);
  absl::StatusOr<InvoiceRun> Get(const std::string& id);
  // The change feed of runs (page.after: a change position).
  absl::StatusOr<paging::PageOf<InvoiceRun>> Changes(const std::optional<BillingPeriod>& period,
                                                     const paging::Page& page);
  absl::StatusOr<paging::PageOf<InvoiceRun>> List(const std::optional<BillingPeriod>& period,
                                                  const paging::Page& page);
  // Cancels a pending or running run: no piece is issued after it.
  absl::StatusOr<InvoiceRun> Cancel(const std::string& id);

  // Works on one run to its end in the calling thread, beside any other
  // worker of any replica (tests and the benchmark).
  absl::Status Execute(const std::string& id);

  // Runs not ended, which the workers of this or any replica resume.
  absl::StatusOr<int64_t> ResumeUnfinished();
  void StartWorkers(int count);
  void StopWorkers();
  // Blocks until the run has ended (tests).
  absl::StatusOr<InvoiceRun> Wait(const std::string& id, absl::Duration timeout);

  // jobs::Handler.
  absl::StatusOr<bool> Plan(const jobs::Job& job, const jobs::Claim& claim) override;
  absl::StatusOr<jobs::Completion> Work(const jobs::Job& job, const jobs::Claim& claim) override;
  absl::StatusOr<std::string> Summarize(const jobs::Job& job,
                                        const std::vector<std::string>& results) override;

 private:
  struct Shared;
  struct Context;
  // What a contract is billed: its days, the tariff parts inside them and
  // the participant's volume in them.
  struct Billed {
    absl::CivilDay from;
    absl::CivilDay to;
    std::vector<TariffPart> parts;
    VolumeInput volume;
  };
  // The inputs every piece of a run shares, read once per replica.
  absl::StatusOr<std::shared_ptr<const Shared>> SharedOf(const std::string& run_id);
  absl::StatusOr<Billed> BilledVolume(Context& ctx, const PlannedContract& plan,
                                      const VolumeRecord& record);
  absl::StatusOr<std::vector<Line>> Lines(Context& ctx, const ContractInfo& contract,
                                          const Billed& billed);
  absl::StatusOr<IssueGroup> RegularGroup(Context& ctx, const ContractInfo& contract,
                                          const Billed& billed);
  absl::StatusOr<std::optional<IssueGroup>> CorrectionGroup(Context& ctx,
                                                            const ContractInfo& contract,
                                                            const Billed& billed,
                                                            const std::vector<Document>& charged);
  Document Base(Context& ctx, const ContractInfo& contract, const Customer& customer,
                DocType type) const;
  absl::StatusOr<int64_t> RenderPdfs(const std::string& run_id);

  Store& store_;
  ContractDirectory& directory_;
  VolumeSource* volumes_;
  const Clock& clock_;
  absl::TimeZone zone_;
  RunOptions options_;
  Seller seller_;
  std::string font_path_;
  jobs::Runner runner_;

  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<const Shared>> shared_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridbill::invoicing
