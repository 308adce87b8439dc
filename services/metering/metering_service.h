// The gRPC edge of the metering service: one class per service of
// gridbill/metering/v1/metering.proto. Each method converts the request,
// calls the domain, converts the result and the status; unary mutations run
// under the idempotency guard. IngestReadings needs no guard: storing is
// idempotent by content (a re-sent batch changes nothing).
#pragma once

#include "estimation.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "gridbill/pg/idempotency.h"
#include "imports.h"
#include "ingestion.h"
#include "points.h"
#include "readings.h"

namespace gridbill::metering {

class MeteringPointServiceImpl final : public v1::MeteringPointService::Service {
 public:
  MeteringPointServiceImpl(Points& points, Idempotency& idempotency)
      : points_(points), idempotency_(idempotency) {}

  grpc::Status CreateMeteringPoint(grpc::ServerContext* ctx,
                                   const v1::CreateMeteringPointRequest* req,
                                   v1::CreateMeteringPointResponse* resp) override;
  grpc::Status GetMeteringPoint(grpc::ServerContext* ctx, const v1::GetMeteringPointRequest* req,
                                v1::GetMeteringPointResponse* resp) override;
  grpc::Status BatchGetMeteringPoints(grpc::ServerContext* ctx,
                                      const v1::BatchGetMeteringPointsRequest* req,
                                      v1::BatchGetMeteringPointsResponse* resp) override;
  grpc::Status ListMeteringPoints(grpc::ServerContext* ctx,
                                  const v1::ListMeteringPointsRequest* req,
                                  v1::ListMeteringPointsResponse* resp) override;
  grpc::Status UpdateMeteringPoint(grpc::ServerContext* ctx,
                                   const v1::UpdateMeteringPointRequest* req,
                                   v1::UpdateMeteringPointResponse* resp) override;

 private:
  Points& points_;
  Idempotency& idempotency_;
};

class ReadingServiceImpl final : public v1::ReadingService::Service {
 public:
  ReadingServiceImpl(Ingestion& ingestion, Readings& readings, Estimation& estimation,
                     Idempotency& idempotency, absl::TimeZone zone, int64_t max_batch)
      : ingestion_(ingestion),
        readings_(readings),
        estimation_(estimation),
        idempotency_(idempotency),
        zone_(zone),
        max_batch_(max_batch) {}

  grpc::Status IngestReadings(grpc::ServerContext* ctx,
                              grpc::ServerReader<v1::IngestReadingsRequest>* reader,
                              v1::IngestReadingsResponse* resp) override;
  grpc::Status GetReadings(grpc::ServerContext* ctx, const v1::GetReadingsRequest* req,
                           v1::GetReadingsResponse* resp) override;
  grpc::Status GetCompleteness(grpc::ServerContext* ctx, const v1::GetCompletenessRequest* req,
                               v1::GetCompletenessResponse* resp) override;
  grpc::Status StreamPointDays(grpc::ServerContext* ctx, const v1::StreamPointDaysRequest* req,
                               grpc::ServerWriter<v1::StreamPointDaysResponse>* writer) override;
  grpc::Status EditReading(grpc::ServerContext* ctx, const v1::EditReadingRequest* req,
                           v1::EditReadingResponse* resp) override;
  grpc::Status EstimateGaps(grpc::ServerContext* ctx, const v1::EstimateGapsRequest* req,
                            v1::EstimateGapsResponse* resp) override;

 private:
  absl::StatusOr<IngestSummary> CommitOnce(const Ingestion::Prepared& prepared, const Caller& who,
                                           const std::string& fingerprint, int64_t size);

  Ingestion& ingestion_;
  Readings& readings_;
  Estimation& estimation_;
  Idempotency& idempotency_;
  absl::TimeZone zone_;
  int64_t max_batch_;
};

// StartImport keeps its own idempotency (import_jobs.request_id): the job
// must be committed before the worker may pick it up.
class ImportServiceImpl final : public v1::ImportService::Service {
 public:
  // `max_bytes`: the largest file StartImport and UploadImport accept
  // (import_max_bytes).
  ImportServiceImpl(ImportJobs& jobs, Idempotency& idempotency,
                    int64_t max_bytes = int64_t{512} << 20)
      : jobs_(jobs), idempotency_(idempotency), max_bytes_(max_bytes) {}

  grpc::Status StartImport(grpc::ServerContext* ctx, const v1::StartImportRequest* req,
                           v1::StartImportResponse* resp) override;
  grpc::Status UploadImport(grpc::ServerContext* ctx,
                            grpc::ServerReader<v1::UploadImportRequest>* reader,
                            v1::UploadImportResponse* resp) override;
  grpc::Status GetImportJob(grpc::ServerContext* ctx, const v1::GetImportJobRequest* req,
                            v1::GetImportJobResponse* resp) override;
  grpc::Status WatchImportJob(grpc::ServerContext* ctx, const v1::WatchImportJobRequest* req,
                              grpc::ServerWriter<v1::WatchImportJobResponse>* writer) override;
  grpc::Status CancelImportJob(grpc::ServerContext* ctx, const v1::CancelImportJobRequest* req,
                               v1::CancelImportJobResponse* resp) override;
  grpc::Status ListImports(grpc::ServerContext* ctx, const v1::ListImportsRequest* req,
                           v1::ListImportsResponse* resp) override;

 private:
  absl::Status Start(const v1::StartImportRequest& req, std::string content, const Caller& who,
                     gridbill::common::v1::Job* job);

  ImportJobs& jobs_;
  Idempotency& idempotency_;
  int64_t max_bytes_;
};

}  // namespace gridbill::metering
