// Invoice runs as jobs: the regular run of a period issues per contract an
// invoice for payment, an act of services rendered and an ESF; a correction
// run issues credit or debit notes (each with its additional ESF) for the
// difference only. Runs are worked on by a small pool of threads; progress
// is persisted, and a restarted service resumes unfinished runs (issuing is
// idempotent per contract and basis, so a resumed run never issues twice).
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "accrual.h"
#include "config.h"
#include "gridbill/base/clock.h"
#include "model.h"
#include "sources.h"
#include "store.h"

namespace gridbill::invoicing {

class InvoiceRuns {
 public:
  // `volumes` may be null: runs then fail with FAILED_PRECONDITION
  // "balance_address" (the balance service is not configured).
  InvoiceRuns(Store& store, ContractDirectory& directory, VolumeSource* volumes, const Clock& clock,
              absl::TimeZone zone, RunOptions options, Seller seller, std::string font_path);
  ~InvoiceRuns();

  // Creates a pending run. FAILED_PRECONDITION "period" for a regular run
  // of a closed period. The caller queues it with Enqueue once the
  // transaction that created it has committed (a worker must see it).
  absl::StatusOr<InvoiceRun> Start(const BillingPeriod& period, RunType type,
                                   const std::string& balance_run_id, const std::string& id);
  // Queues a run for the workers (a run already queued or being worked on
  // in this process is not worked on twice).
  void Enqueue(const std::string& id);
  absl::StatusOr<InvoiceRun> Get(const std::string& id);
  absl::StatusOr<std::vector<InvoiceRun>> List(const std::optional<BillingPeriod>& period,
                                               const PageRequest& page);
  absl::StatusOr<InvoiceRun> Cancel(const std::string& id);

  // Works on one run to its end in the calling thread (the workers call it;
  // tests and the benchmark may too).
  absl::Status Execute(const std::string& id);

  // Queues the runs a previous process left unfinished; returns how many.
  absl::StatusOr<int64_t> ResumeUnfinished();
  void StartWorkers(int count);
  void StopWorkers();
  // Blocks until the run has ended (tests).
  absl::StatusOr<InvoiceRun> Wait(const std::string& id, absl::Duration timeout);

 private:
  struct Context;
  // The days of the period a contract is billed for (its validity cut to
  // the month), or why the run refuses it.
  struct Plan {
    absl::CivilDay from;
    absl::CivilDay to;
    bool whole_period = true;
    std::string refusal;  // non-empty: the contract is not billed, a failure
  };
  // What a contract is billed: its days, the tariff parts inside them and
  // the participant's volume in them.
  struct Billed {
    absl::CivilDay from;
    absl::CivilDay to;
    std::vector<TariffPart> parts;
    VolumeInput volume;
  };
  absl::Status Work(InvoiceRun& run);
  absl::StatusOr<Billed> BilledVolume(Context& ctx, const ContractInfo& contract, const Plan& plan,
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
  void WorkerLoop();

  Store& store_;
  ContractDirectory& directory_;
  VolumeSource* volumes_;
  const Clock& clock_;
  absl::TimeZone zone_;
  RunOptions options_;
  Seller seller_;
  std::string font_path_;

  absl::Mutex mu_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> active_ ABSL_GUARDED_BY(mu_);  // queued or being worked on
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

// A fresh random id ("<prefix>-" + 16 hex digits).
std::string NewId(std::string_view prefix);

}  // namespace gridbill::invoicing
