#include "grpc_sources.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/caller.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/proto_convert.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"

namespace gridbill::balance {
namespace {

void SetDeadline(grpc::ClientContext& ctx, absl::Duration timeout) {
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout)));
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

absl::Status Annotate(const grpc::Status& st, std::string_view what) {
  absl::Status s = FromGrpc(st);
  return absl::Status(s.code(), absl::StrCat(ToAbsl(what), ": ", s.message()));
}

}  // namespace

void AddServiceIdentity(grpc::ClientContext& ctx) {
  ctx.AddMetadata(kPrincipalHeader, "service:balance");
  ctx.AddMetadata(kRolesHeader, "ROLE_INTEGRATION_CLIENT");
}

GrpcReadingSource::GrpcReadingSource(std::shared_ptr<grpc::Channel> channel, int batch_points,
                                     absl::Duration timeout)
    : stub_(metering::v1::ReadingService::NewStub(channel)),
      batch_points_(std::max(1, batch_points)),
      timeout_(timeout) {}

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
    grpc::ClientContext ctx;
    AddServiceIdentity(ctx);
    SetDeadline(ctx, timeout_);
    auto reader = stub_->StreamPointDays(&ctx, req);
    metering::v1::StreamPointDaysResponse resp;
    absl::Status sink_status;
    while (reader->Read(&resp)) {
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
      sink_status = sink(days);
      if (!sink_status.ok()) {
        ctx.TryCancel();
        break;
      }
    }
    grpc::Status st = reader->Finish();
    if (!sink_status.ok()) return sink_status;
    if (!st.ok()) return Annotate(st, "metering StreamPointDays");
  }
  return absl::OkStatus();
}

GrpcPointDirectory::GrpcPointDirectory(std::shared_ptr<grpc::Channel> channel,
                                       absl::Duration timeout, int batch)
    : stub_(metering::v1::MeteringPointService::NewStub(channel)),
      timeout_(timeout),
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
    grpc::ClientContext ctx;
    AddServiceIdentity(ctx);
    SetDeadline(ctx, timeout_);
    metering::v1::BatchGetMeteringPointsResponse resp;
    grpc::Status st = stub_->BatchGetMeteringPoints(&ctx, req, &resp);
    if (!st.ok()) return Annotate(st, "metering BatchGetMeteringPoints");
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
    : stub_(contracts::v1::ApplicationService::NewStub(channel)), timeout_(timeout) {}

absl::StatusOr<std::vector<DeclaredVolume>> GrpcDeclarationSource::Approved(
    const BillingPeriod& period) {
  std::vector<DeclaredVolume> out;
  std::string token;
  do {
    contracts::v1::ListApplicationsRequest req;
    req.set_type(contracts::v1::APPLICATION_TYPE_DECLARED_VOLUMES);
    req.set_state(contracts::v1::APPLICATION_STATE_APPROVED);
    *req.mutable_period() = ToProtoPeriod(period);
    req.set_page_size(1000);
    req.set_page_token(token);
    grpc::ClientContext ctx;
    AddServiceIdentity(ctx);
    SetDeadline(ctx, timeout_);
    contracts::v1::ListApplicationsResponse resp;
    grpc::Status st = stub_->ListApplications(&ctx, req, &resp);
    if (!st.ok()) return Annotate(st, "contracts ListApplications");
    for (const contracts::v1::Application& a : resp.applications()) {
      for (const contracts::v1::DeclaredVolume& v : a.declared_volumes()) {
        out.push_back(DeclaredVolume{a.participant_id(), v.service_type(), v.volume_wh(), a.id()});
      }
    }
    token = resp.next_page_token();
  } while (!token.empty());
  std::sort(out.begin(), out.end(), [](const DeclaredVolume& a, const DeclaredVolume& b) {
    return std::tie(a.participant_id, a.service_type, a.application_id) <
           std::tie(b.participant_id, b.service_type, b.application_id);
  });
  return out;
}

}  // namespace gridbill::balance
