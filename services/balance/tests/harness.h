// The real metering service and the real balance service in-process for
// *_pgtest cases: each with its own fresh database, both on gridbill::Server
// bound to port 0; balance reads metering over gRPC (StreamPointDays). The
// contracts service is replaced by a fake DeclarationSource holding the
// approved declared volumes. Time is one shared, movable clock.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "../runs.h"
#include "../sources.h"
#include "../store.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "catch2/catch.hpp"
#include "gridbill/balance/v1/balance.grpc.pb.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/testing/fake_clock.h"
#include "gridbill/testing/service_harness.h"
#include "gridbill/testing/values.h"

namespace gridbill::balance::testing {

using ::gridbill::testing::FakeClock;

class FakeDeclarations final : public DeclarationSource {
 public:
  absl::StatusOr<std::vector<DeclaredVolume>> Approved(const BillingPeriod& period) override {
    absl::MutexLock lock(&mu_);
    if (period == period_) return volumes_;
    return std::vector<DeclaredVolume>{};
  }
  void Set(const BillingPeriod& period, std::vector<DeclaredVolume> volumes) {
    absl::MutexLock lock(&mu_);
    period_ = period;
    volumes_ = std::move(volumes);
  }

 private:
  absl::Mutex mu_;
  BillingPeriod period_ ABSL_GUARDED_BY(mu_) = *BillingPeriod::Make(2000, 1);
  std::vector<DeclaredVolume> volumes_ ABSL_GUARDED_BY(mu_);
};

using ::gridbill::testing::Almaty;
using ::gridbill::testing::D;
using ::gridbill::testing::Local;
using ::gridbill::testing::NewRequestId;
using ::gridbill::testing::P;

class Suite {
 public:
  // `shard_points`: points per shard of the balance service under test.
  explicit Suite(absl::Time now, int shard_points = 500);
  ~Suite();

  void SetNow(absl::Time t) { clock.Set(t); }

  // A metering point with channels 01 and 02, valid from `from`.
  void CreatePoint(const std::string& code, metering::v1::Resolution resolution,
                   const std::string& participant, common::v1::Date from);
  // Streams the readings in one batch; REQUIREs that none is rejected.
  void Ingest(const std::vector<metering::v1::Reading>& readings);

  // Balance calls with an operator's identity (or `participant`'s user).
  grpc::Status DefineScheme(const v1::Scheme& scheme, v1::Scheme* out = nullptr);
  grpc::Status StartRun(const v1::StartRunRequest& req, v1::BalanceRun* out);
  v1::BalanceRun GetRun(const std::string& id);
  // Works shards until none is left, then returns the run.
  v1::BalanceRun Finish(const std::string& id);
  std::vector<v1::ServiceHour> AllServiceHours(const std::string& run_id,
                                               const std::string& participant = "");
  void AddWho(grpc::ClientContext& ctx, const std::string& participant = "");
  // The channel to the balance server (for generic calls).
  std::shared_ptr<grpc::Channel> balance_channel() const;
  int64_t CountRows(const std::string& sql);

  FakeClock clock;
  FakeDeclarations declarations;
  std::unique_ptr<v1::SchemeService::Stub> schemes;
  std::unique_ptr<v1::BalanceService::Stub> balance;
  std::unique_ptr<metering::v1::MeteringPointService::Stub> points;
  std::unique_ptr<metering::v1::ReadingService::Stub> readings;

  Runs& runs();
  // Another replica of the balance service's workers: its own Runs over the
  // same database and metering, named `worker_id` in shard claims.
  std::unique_ptr<Runs> NewReplica(const std::string& worker_id);
  pg::Pool& balance_pool();
  // The balance service's store (to act as a replica that claims and dies).
  Store& store();
  // The balance server's run metrics (another replica in the test counts there too).
  RunsMetrics& metrics();
  // GET /metrics of the balance server (its workers' series included).
  std::string ScrapeMetrics();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

metering::v1::Reading R(const std::string& point, absl::Time start, int64_t wh,
                        metering::v1::Channel channel = metering::v1::CHANNEL_ACTIVE_RECEIVED,
                        metering::v1::Quality quality = metering::v1::QUALITY_MEASURED);

}  // namespace gridbill::balance::testing
