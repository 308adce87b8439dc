// The real metering service in-process for *_pgtest cases: the real store,
// domain and gRPC classes on the shared ServiceHarness (a fresh database
// with the service's migrations, a server bound to port 0), and stubs over a
// real channel.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "catch2/catch.hpp"
#include "estimation.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/pgtest/pgtest.h"
#include "gridbill/testing/fake_clock.h"
#include "gridbill/testing/service_harness.h"
#include "gridbill/testing/values.h"
#include "imports.h"
#include "ingestion.h"
#include "metering_service.h"
#include "pg_store.h"
#include "points.h"
#include "readings.h"

namespace gridbill::metering::testing {

using ::gridbill::testing::FakeClock;
using ::gridbill::testing::Who;

using ::gridbill::testing::Almaty;
using ::gridbill::testing::D;
using ::gridbill::testing::Local;
using ::gridbill::testing::NewRequestId;

v1::Reading R(const std::string& point, absl::Time start, int64_t wh,
              v1::Channel channel = v1::CHANNEL_ACTIVE_RECEIVED);

class Harness {
 public:
  explicit Harness(WriteMethod method = WriteMethod::kCopyBinary, bool start_import_worker = true);
  ~Harness();

  template <typename Stub, typename Req, typename Resp>
  grpc::Status Call(Stub& stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                    const Req& req, Resp* resp, const Who& who = Who()) {
    return ::gridbill::testing::Call(stub, method, req, resp, who);
  }
  static void AddWho(grpc::ClientContext& ctx, const Who& who) {
    ::gridbill::testing::AddWho(ctx, who);
  }

  // A point with channels 01 and 02, valid from 2024-01-01, assigned to "p-1".
  v1::MeteringPoint CreatePoint(const std::string& code,
                                v1::Resolution resolution = v1::RESOLUTION_PT60M);
  // Streams the batches; returns the status and fills `summary`.
  grpc::Status Ingest(const std::vector<std::vector<v1::Reading>>& batches,
                      v1::IngestSummary* summary, v1::Source source = v1::SOURCE_SCADA,
                      const Who& who = Who());
  int64_t CountRows(const std::string& table);

  ::gridbill::testing::ServiceHarness base;
  pgtest::Database& db = base.db();
  FakeClock clock;
  PgStore store;
  pg::PgIdempotency idempotency;
  Points points;
  Ingestion ingestion;
  Readings readings;
  Estimation estimation;
  ImportJobs imports;
  MeteringPointServiceImpl point_service;
  ReadingServiceImpl reading_service;
  ImportServiceImpl import_service;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::MeteringPointService::Stub> point_stub;
  std::unique_ptr<v1::ReadingService::Stub> reading_stub;
  std::unique_ptr<v1::ImportService::Stub> import_stub;
};

}  // namespace gridbill::metering::testing
