#include "grpc_sources.h"

#include <algorithm>

#include "gridbill/base/status_macros.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::balance {
namespace {

// Balance reads as a machine client.
PeerCaller Balance(absl::Duration timeout) {
  return PeerCaller(CallIdentity::Service("balance", Role::kIntegrationClient), timeout);
}

int IntervalMinutes(metering::v1::Resolution r) {
  switch (r) {
    case metering::v1::RESOLUTION_PT15M:
      return 15;
    case metering::v1::RESOLUTION_PT30M:
      return 30;
    default:
      return 60;
  }
}

}  // namespace

GrpcReadingSource::GrpcReadingSource(std::shared_ptr<grpc::Channel> channel, int batch_points,
                                     absl::Duration timeout)
    : stub_(metering::v1::ReadingService::NewStub(channel)),
      batch_points_(std::max(1, batch_points)),
      peer_(Balance(timeout)) {}

absl::Status GrpcReadingSource::StreamDays(
    const std::vector<std::string>& codes, const std::vector<int>& channels, absl::CivilDay from,
    absl::CivilDay to, absl::Time as_of,
    const std::function<absl::Status(std::vector<PointDayIn>&)>& sink) {
  std::vector<PointDayIn> days;
  for (size_t i = 0; i < codes.size(); i += static_cast<size_t>(batch_points_)) {
    metering::v1::StreamPointDaysRequest req;
    for (size_t j = i; j < std::min(codes.size(), i + batch_points_); ++j) {
      req.add_point_codes(codes[j]);
    }
    for (int c : channels) req.add_channels(static_cast<metering::v1::Channel>(c));
    *req.mutable_from_day() = ToProtoDate(from);
    *req.mutable_to_day() = ToProtoDate(to);
    *req.mutable_as_of()->mutable_time() = ToProtoTime(as_of);
    RETURN_IF_ERROR(peer_.ReadStream(
        *stub_, &metering::v1::ReadingService::Stub::StreamPointDays, req,
        [&](metering::v1::StreamPointDaysResponse& resp) {
          days.clear();
          days.reserve(static_cast<size_t>(resp.days_size()));
          for (metering::v1::PointDay& d : *resp.mutable_days()) {
            PointDayIn in;
            in.point_code = std::move(*d.mutable_point_code());
            in.channel = d.channel();
            in.day = absl::CivilDay(d.day().year(), d.day().month(), d.day().day());
            in.revision = d.revision();
            in.day_start = FromProtoTime(d.day_start());
            in.interval_minutes = IntervalMinutes(d.resolution());
            in.values.assign(d.values_wh().begin(), d.values_wh().end());
            in.qualities.assign(d.qualities().begin(), d.qualities().end());
            days.push_back(std::move(in));
          }
          return sink(days);
        }));
  }
  return absl::OkStatus();
}

GrpcPointDirectory::GrpcPointDirectory(std::shared_ptr<grpc::Channel> channel,
                                       absl::Duration timeout, int batch)
    : stub_(metering::v1::MeteringPointService::NewStub(channel)),
      peer_(Balance(timeout)),
      batch_(std::clamp(batch, 1, 1000)) {}

absl::StatusOr<std::vector<PointInfo>> GrpcPointDirectory::Find(
    const std::vector<std::string>& codes) {
  std::vector<std::string> distinct;
  for (const std::string& c : codes) {
    if (std::find(distinct.begin(), distinct.end(), c) == distinct.end()) distinct.push_back(c);
  }
  auto day = [](const common::v1::Date& d) { return absl::CivilDay(d.year(), d.month(), d.day()); };
  std::vector<PointInfo> out;
  for (size_t i = 0; i < distinct.size(); i += static_cast<size_t>(batch_)) {
    metering::v1::BatchGetMeteringPointsRequest req;
    for (size_t j = i; j < distinct.size() && j < i + static_cast<size_t>(batch_); ++j) {
      req.add_codes(distinct[j]);
    }
    ASSIGN_OR_RETURN(
        metering::v1::BatchGetMeteringPointsResponse resp,
        peer_.Call(*stub_, &metering::v1::MeteringPointService::Stub::BatchGetMeteringPoints, req));
    for (const metering::v1::MeteringPoint& p : resp.points()) {
      PointInfo info;
      info.code = p.code();
      for (const auto& c : p.channels()) info.channels.push_back(c.channel());
      info.valid_from = day(p.valid_from());
      if (p.has_valid_to()) info.valid_to = day(p.valid_to());
      out.push_back(std::move(info));
    }
  }
  return out;
}

GrpcDeclarationSource::GrpcDeclarationSource(std::shared_ptr<grpc::Channel> channel,
                                             absl::Duration timeout)
    : stub_(contracts::v1::ApplicationService::NewStub(channel)), peer_(Balance(timeout)) {}

absl::StatusOr<std::vector<DeclaredVolume>> GrpcDeclarationSource::Approved(
    const BillingPeriod& period) {
  std::vector<DeclaredVolume> out;
  contracts::v1::ListApplicationsRequest req;
  req.set_type(contracts::v1::APPLICATION_TYPE_DECLARED_VOLUMES);
  req.set_state(contracts::v1::APPLICATION_STATE_APPROVED);
  *req.mutable_period() = ToProtoPeriod(period);
  RETURN_IF_ERROR(
      peer_.EveryPage(*stub_, &contracts::v1::ApplicationService::Stub::ListApplications, req,
                      [&](const contracts::v1::ListApplicationsResponse& resp) {
                        for (const contracts::v1::Application& a : resp.applications()) {
                          for (const contracts::v1::DeclaredVolume& v : a.declared_volumes()) {
                            out.push_back(DeclaredVolume{a.participant_id(), v.service_type(),
                                                         v.volume_wh(), a.id()});
                          }
                        }
                        return absl::OkStatus();
                      }));
  std::sort(out.begin(), out.end(), [](const DeclaredVolume& a, const DeclaredVolume& b) {
    return std::tie(a.participant_id, a.service_type, a.application_id) <
           std::tie(b.participant_id, b.service_type, b.application_id);
  });
  return out;
}

}  // namespace gridbill::balance
