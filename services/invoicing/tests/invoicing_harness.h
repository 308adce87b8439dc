// The invoicing service in-process for *_pgtest cases: a fresh database with
// its migrations, the real store, domain and gRPC classes on a
// gridbill::Server bound to port 0, stubs over a real channel, and the real
// contracts service binary (gridbill-contracts) started against its own
// fresh database of the same throwaway cluster. Volumes come from
// TestVolumes, a VolumeSource holding the volumes a test sets (the balance
// service is covered by its own tests; its gRPC source is GrpcVolumeSource).
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "accounts.h"
#include "catch2/catch.hpp"
#include "documents.h"
#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/invoicing/v1/invoicing.grpc.pb.h"
#include "gridbill/jobs/metrics.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/testing/bin.h"
#include "gridbill/testing/fake_clock.h"
#include "gridbill/testing/service_harness.h"
#include "grpc_sources.h"
#include "invoice_runs.h"
#include "invoicing_service.h"
#include "pg_store.h"

namespace gridbill::invoicing::testing {

namespace cv1 = ::gridbill::contracts::v1;

using ::gridbill::testing::FakeClock;

// Volumes of balance runs as a test sets them.
class TestVolumes final : public VolumeSource {
 public:
  // Adds a succeeded run of `period`; later runs win as the billing run.
  void AddRun(const BillingPeriod& period, const std::string& id, BalanceRunType type);
  void Set(const std::string& run_id, const std::string& participant_id, Service service,
           int64_t wh, Completeness completeness = {});
  absl::StatusOr<BalanceRunInfo> BillingRun(const BillingPeriod& period,
                                            const std::string& requested_id) override;
  absl::StatusOr<std::vector<VolumeRecord>> Volumes(const std::string& run_id) override;
  // Hourly volumes of a participant and service (hour start, Wh), as
  // balance streams them; without them SplitVolume answers nullopt (the
  // month is then split pro rata by hours).
  void SetHours(const std::string& run_id, const std::string& participant_id, Service service,
                std::vector<std::pair<absl::Time, int64_t>> hours);
  absl::StatusOr<std::optional<std::vector<int64_t>>> SplitVolume(
      const std::string& run_id, const std::string& participant_id, Service service,
      const std::vector<TimeRange>& ranges) override;

 private:
  absl::Mutex mu_;
  std::map<std::tuple<std::string, std::string, Service>,
           std::vector<std::pair<absl::Time, int64_t>>>
      hours_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<BalanceRunInfo>> runs_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<VolumeRecord>> volumes_ ABSL_GUARDED_BY(mu_);
};

// The real gridbill-contracts binary on a free port, against its own database.
class ContractsProcess {
 public:
  ContractsProcess();
  ~ContractsProcess();
  const std::string& address() const { return address_; }

 private:
  std::unique_ptr<pgtest::Database> db_;
  std::string address_;
  std::string log_path_;
  pid_t pid_ = -1;
};

using ::gridbill::testing::Who;
// Who the harness calls as unless told: the accountant.
inline Who Accountant() { return Who{"accountant@kegoc.kz", "ROLE_ACCOUNTANT", ""}; }

absl::TimeZone Almaty();
absl::Time Local(int y, int m, int d, int hh = 12);
std::string NewRequestId();
common::v1::Date D(int y, int m, int d);
common::v1::BillingPeriod P(int y, int m);
BillingPeriod Period(int y, int m);
using ::gridbill::testing::MakeBin;

class Harness {
 public:
  explicit Harness(RunOptions options = RunOptions());
  ~Harness();

  template <typename Stub, typename Req, typename Resp>
  grpc::Status Call(Stub& stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& req, Resp* resp, const Who& who = Accountant()) {
    return ::gridbill::testing::Call(stub, method, req, resp, who);
  }

  // Contracts-service fixtures through its API.
  cv1::Participant CreateParticipant(int n, const std::string& legal_name);
  // An active contract valid from 2025-01-01, signed 2024-12-20, due day 25.
  cv1::Contract CreateContract(const std::string& participant_id, const std::string& number,
                               cv1::ServiceType service);
  // The same, valid from `valid_from` to `valid_to` (open-ended when unset).
  cv1::Contract CreateContract(const std::string& participant_id, const std::string& number,
                               cv1::ServiceType service, absl::CivilDay valid_from,
                               std::optional<absl::CivilDay> valid_to);
  // Ends the open-ended tariff of `service` on `last_day` and adds one at `price` after it.
  void SplitTariff(cv1::ServiceType service, absl::CivilDay last_day, const std::string& price);
  // Changes the price of the tariff in force on `day` (a retroactive change).
  void ChangeTariffPrice(cv1::ServiceType service, absl::CivilDay day, const std::string& price);

  // Starts a run through the API and waits for it to end.
  v1::InvoiceRun RunInvoicing(int y, int m, v1::RunType type = v1::RUN_TYPE_REGULAR,
                              const std::string& balance_run_id = "");
  std::vector<v1::Document> Documents(const std::string& contract_id,
                                      v1::DocumentType type = v1::DOCUMENT_TYPE_UNSPECIFIED);
  int64_t CountRows(const std::string& table);

  ContractsProcess contracts;
  std::shared_ptr<grpc::Channel> contracts_channel;
  std::unique_ptr<cv1::ParticipantService::Stub> participant_stub;
  std::unique_ptr<cv1::ContractService::Stub> contract_stub;
  std::unique_ptr<cv1::TariffService::Stub> tariff_stub;

  ::gridbill::testing::ServiceHarness base;
  pgtest::Database& db = base.db();
  FakeClock clock;
  PgStore store;
  pg::PgIdempotency idempotency;
  GrpcContractDirectory directory;
  TestVolumes volumes;
  jobs::RunnerMetrics job_metrics{base.registry()};  // gridbill_jobs_* on base's /metrics
  InvoiceRuns runs;
  invoicing::Documents documents;
  Accounts accounts;
  BillingPeriodServiceImpl period_service;
  InvoiceRunServiceImpl run_service;
  DocumentServiceImpl document_service;
  PaymentServiceImpl payment_service;
  ErpExportServiceImpl export_service;
  std::unique_ptr<v1::BillingPeriodService::Stub> period_stub;
  std::unique_ptr<v1::InvoiceRunService::Stub> run_stub;
  std::unique_ptr<v1::DocumentService::Stub> document_stub;
  std::unique_ptr<v1::PaymentService::Stub> payment_stub;
  std::unique_ptr<v1::ErpExportService::Stub> export_stub;
};

}  // namespace gridbill::invoicing::testing
