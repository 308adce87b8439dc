// The gRPC edge of reporting: proto <-> domain, Status <-> grpc::Status.
#pragma once

#include <string>

#include "gridbill/pg/idempotency.h"
#include "gridbill/reporting/v1/reporting.grpc.pb.h"
#include "reporting.h"
#include "scheduler.h"

namespace gridbill::reporting {

class ReportServiceImpl final : public v1::ReportService::Service {
 public:
  // `tmp_dir`: where XLSX workbooks are written before they are streamed.
  ReportServiceImpl(Reporting& reporting, Idempotency& idempotency, std::string tmp_dir = "/tmp")
      : reporting_(reporting), idempotency_(idempotency), tmp_dir_(std::move(tmp_dir)) {}

  grpc::Status ListReports(grpc::ServerContext* ctx, const v1::ListReportsRequest* req,
                           v1::ListReportsResponse* resp) override;
  grpc::Status RunReport(grpc::ServerContext* ctx, const v1::RunReportRequest* req,
                         v1::RunReportResponse* resp) override;
  grpc::Status ExportReport(grpc::ServerContext* ctx, const v1::ExportReportRequest* req,
                            grpc::ServerWriter<v1::ExportReportResponse>* writer) override;
  grpc::Status RefreshReadModel(grpc::ServerContext* ctx, const v1::RefreshReadModelRequest* req,
                                v1::RefreshReadModelResponse* resp) override;
  grpc::Status GetRefresh(grpc::ServerContext* ctx, const v1::GetRefreshRequest* req,
                          v1::GetRefreshResponse* resp) override;

 private:
  Reporting& reporting_;
  Idempotency& idempotency_;
  std::string tmp_dir_;
};

class ScheduleServiceImpl final : public v1::ScheduleService::Service {
 public:
  ScheduleServiceImpl(Scheduler& scheduler, Idempotency& idempotency)
      : scheduler_(scheduler), idempotency_(idempotency) {}

  grpc::Status CreateSchedule(grpc::ServerContext* ctx, const v1::CreateScheduleRequest* req,
                              v1::CreateScheduleResponse* resp) override;
  grpc::Status ListSchedules(grpc::ServerContext* ctx, const v1::ListSchedulesRequest* req,
                             v1::ListSchedulesResponse* resp) override;
  grpc::Status DeleteSchedule(grpc::ServerContext* ctx, const v1::DeleteScheduleRequest* req,
                              v1::DeleteScheduleResponse* resp) override;
  grpc::Status ListReportFiles(grpc::ServerContext* ctx, const v1::ListReportFilesRequest* req,
                               v1::ListReportFilesResponse* resp) override;
  grpc::Status DownloadReportFile(
      grpc::ServerContext* ctx, const v1::DownloadReportFileRequest* req,
      grpc::ServerWriter<v1::DownloadReportFileResponse>* writer) override;

 private:
  Scheduler& scheduler_;
  Idempotency& idempotency_;
};

}  // namespace gridbill::reporting
