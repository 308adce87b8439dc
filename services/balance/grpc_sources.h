// The gRPC clients of the sources: metering's StreamPointDays and
// GetMeteringPoint and contracts' ListApplications, called as the balance
// service's own identity.
#pragma once

#include <memory>
#include <string>

#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "gridbill/server/client_call.h"
#include "grpcpp/channel.h"
#include "sources.h"

namespace gridbill::balance {

class GrpcReadingSource final : public ReadingSource {
 public:
  // `batch_points`: points per StreamPointDays call.
  GrpcReadingSource(std::shared_ptr<grpc::Channel> channel, int batch_points,
                    absl::Duration timeout);
  absl::Status StreamDays(
      const std::vector<std::string>& codes, const std::vector<int>& channels, absl::CivilDay from,
      absl::CivilDay to, absl::Time as_of,
      const std::function<absl::Status(std::vector<PointDayIn>&)>& sink) override;

 private:
  std::unique_ptr<metering::v1::ReadingService::Stub> stub_;
  int batch_points_;
  PeerCaller peer_;
};

// Looks points up with metering's BatchGetMeteringPoints, `batch` codes a call.
class GrpcPointDirectory final : public PointDirectory {
 public:
  GrpcPointDirectory(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout,
                     int batch = 1000);
  absl::StatusOr<std::vector<PointInfo>> Find(const std::vector<std::string>& codes) override;

 private:
  std::unique_ptr<metering::v1::MeteringPointService::Stub> stub_;
  PeerCaller peer_;
  int batch_;
};

class GrpcDeclarationSource final : public DeclarationSource {
 public:
  GrpcDeclarationSource(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout);
  absl::StatusOr<std::vector<DeclaredVolume>> Approved(const BillingPeriod& period) override;

 private:
  std::unique_ptr<contracts::v1::ApplicationService::Stub> stub_;
  PeerCaller peer_;
};

}  // namespace gridbill::balance
