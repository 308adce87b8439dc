#include "metering_service.h"

#include <future>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "convert.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/access.h"
#include "gridbill/server/changes.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/idempotent_call.h"
#include "gridbill/server/paging.h"
#include "gridbill/server/proto_convert.h"

namespace gridbill::metering {
namespace {

absl::StatusOr<BillingPeriod> RequiredPeriod(const common::v1::BillingPeriod& p,
                                             const std::string& field) {
  if (p.year() == 0 && p.month() == 0) return InvalidField(field, "required");
  return FromProtoPeriod(p, field);
}

// A time range must cover whole local days: [StartOfDay(a), StartOfDay(b + 1)).
absl::StatusOr<std::pair<absl::CivilDay, absl::CivilDay>> DaysOf(const v1::TimeRange& r,
                                                                 absl::TimeZone zone) {
  if (!r.has_start()) return InvalidField("time_range.start", "required");
  if (!r.has_end()) return InvalidField("time_range.end", "required");
  const absl::Time start = FromProtoTime(r.start());
  const absl::Time end = FromProtoTime(r.end());
  if (end <= start) return InvalidField("time_range.end", "not after start");
  const absl::CivilDay from = absl::ToCivilDay(start, zone);
  const absl::CivilDay last = absl::ToCivilDay(end - absl::Nanoseconds(1), zone);
  if (StartOfDay(from, zone) != start) {
    return InvalidField("time_range.start", "not a local midnight of the operator's zone");
  }
  if (StartOfDay(last + 1, zone) != end) {
    return InvalidField("time_range.end", "not a local midnight of the operator's zone");
  }
  return std::make_pair(from, last);
}

Reading FromProto(const v1::Reading& r) {
  Reading out;
  out.point_code = r.point_code();
  out.channel = static_cast<Channel>(r.channel());
  out.interval_start = FromProtoTime(r.interval_start());
  out.value_wh = r.value_wh();
  out.quality = static_cast<Quality>(r.quality());
  out.source = static_cast<Source>(r.source());
  out.status_code = r.source_status_code();
  return out;
}

Series FromProto(const v1::ReadingSeries& s) {
  Series out;
  out.point_code = s.point_code();
  out.channel = static_cast<Channel>(s.channel());
  out.start = FromProtoTime(s.start());
  out.resolution = static_cast<Resolution>(s.resolution());
  out.values.assign(s.values_wh().begin(), s.values_wh().end());
  out.qualities.reserve(static_cast<size_t>(s.qualities_size()));
  for (int q : s.qualities()) out.qualities.push_back(static_cast<Quality>(q));
  out.source = static_cast<Source>(s.source());
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// MeteringPointService

grpc::Status MeteringPointServiceImpl::CreateMeteringPoint(
    grpc::ServerContext* ctx, const v1::CreateMeteringPointRequest* req,
    v1::CreateMeteringPointResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::CreateMeteringPointResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(MeteringPoint input, FromProto(req->point()));
                  ASSIGN_OR_RETURN(MeteringPoint p, points_.Create(input, who));
                  ToProto(p, out.mutable_point());
                  return absl::OkStatus();
                });
}

grpc::Status MeteringPointServiceImpl::GetMeteringPoint(grpc::ServerContext* ctx,
                                                        const v1::GetMeteringPointRequest* req,
                                                        v1::GetMeteringPointResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(MeteringPoint p, points_.Get(req->code(), who));
  ToProto(p, resp->mutable_point());
  return grpc::Status::OK;
}

grpc::Status MeteringPointServiceImpl::BatchGetMeteringPoints(
    grpc::ServerContext* ctx, const v1::BatchGetMeteringPointsRequest* req,
    v1::BatchGetMeteringPointsResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(
      Points::Found found,
      points_.BatchGet(std::vector<std::string>(req->codes().begin(), req->codes().end()), who));
  for (const MeteringPoint& p : found.points) ToProto(p, resp->add_points());
  for (const std::string& c : found.missing) resp->add_missing_codes(c);
  return grpc::Status::OK;
}

grpc::Status MeteringPointServiceImpl::ListMeteringPoints(grpc::ServerContext* ctx,
                                                          const v1::ListMeteringPointsRequest* req,
                                                          v1::ListMeteringPointsResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(
      ListPage<MeteringPoint> list,
      points_.List(PointFilter{req->participant_id(), req->substation_code()}, page, who));
  for (const MeteringPoint& p : list.items) ToProto(p, resp->add_points());
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  return grpc::Status::OK;
}

grpc::Status MeteringPointServiceImpl::UpdateMeteringPoint(
    grpc::ServerContext* ctx, const v1::UpdateMeteringPointRequest* req,
    v1::UpdateMeteringPointResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::UpdateMeteringPointResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(MeteringPoint input, FromProto(req->point()));
                  ASSIGN_OR_RETURN(MeteringPoint p,
                                   points_.Update(input, req->expected_version(), who));
                  ToProto(p, out.mutable_point());
                  return absl::OkStatus();
                });
}

// ---------------------------------------------------------------------------
// ReadingService

// A batch with a request_id is stored at most once: its retry (a client
// that timed out and sent it again) stores nothing, even when it arrives
// after a newer batch changed the same values, and counts its readings
// unchanged. A rejected batch stores nothing and is not kept: its retry is
// checked again.
absl::StatusOr<IngestSummary> ReadingServiceImpl::CommitOnce(const Ingestion::Prepared& prepared,
                                                             const Caller& who,
                                                             const std::string& fingerprint,
                                                             int64_t size) {
  if (who.request_id.empty()) return ingestion_.Commit(prepared, who);
  ASSIGN_OR_RETURN(const google::protobuf::MethodDescriptor* method,
                   MethodOfRequest(*v1::IngestReadingsRequest::descriptor()));
  std::optional<IngestSummary> done;
  absl::StatusOr<std::string> kept =
      idempotency_.Run(IdempotencyMethodName(*method), who.request_id, fingerprint,
                       [&]() -> absl::StatusOr<std::string> {
                         ASSIGN_OR_RETURN(done, ingestion_.Commit(prepared, who));
                         if (!done->rejections.empty())
                           return absl::CancelledError("batch rejected, not kept");
                         v1::IngestSummary out;
                         ToProto(*done, &out);
                         return out.SerializeAsString();
                       });
  if (done && !done->rejections.empty()) return *done;
  if (!kept.ok()) return kept.status();
  if (done) return *done;
  IngestSummary replayed;
  replayed.unchanged = size;
  return replayed;
}

grpc::Status ReadingServiceImpl::IngestReadings(
    grpc::ServerContext* ctx, grpc::ServerReader<v1::IngestReadingsRequest>* reader,
    v1::IngestReadingsResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(Caller caller, Authorize(*ctx, reader));
  IngestSummary total;
  PointCache points;
  // Batch N is stored (on another thread) while batch N + 1 is read and
  // checked here; stores stay one at a time and in order.
  std::future<absl::StatusOr<IngestSummary>> storing;
  auto collect = [&]() -> absl::Status {
    if (!storing.valid()) return absl::OkStatus();
    absl::StatusOr<IngestSummary> s = storing.get();
    if (!s.ok()) return s.status();
    total.Add(*s);
    return absl::OkStatus();
  };
  v1::IngestReadingsRequest msg;
  int32_t index = 0;
  while (reader->Read(&msg)) {
    Batch batch;
    batch.index = index++;
    batch.source = static_cast<Source>(msg.source());
    int64_t size = msg.readings_size();
    for (const v1::ReadingSeries& s : msg.series()) size += s.values_wh_size();
    if (size > max_batch_) {
      RETURN_IF_ERROR_GRPC(collect());
      return ToGrpc(
          InvalidField("readings", absl::StrCat("batch ", batch.index, " has ", size,
                                                " readings; at most ", max_batch_, " a batch")));
    }
    batch.readings.reserve(static_cast<size_t>(msg.readings_size()));
    for (const v1::Reading& r : msg.readings()) batch.readings.push_back(FromProto(r));
    batch.series.reserve(static_cast<size_t>(msg.series_size()));
    for (const v1::ReadingSeries& s : msg.series()) batch.series.push_back(FromProto(s));
    absl::StatusOr<std::shared_ptr<const Ingestion::Prepared>> prepared =
        ingestion_.Prepare(batch, &points);
    RETURN_IF_ERROR_GRPC(collect());
    RETURN_IF_ERROR_GRPC(prepared.status());
    caller.request_id = msg.request_id();
    std::string fingerprint = msg.request_id().empty() ? "" : CallerFingerprint(msg, caller);
    storing = std::async(std::launch::async, [this, p = std::move(*prepared), who = caller, size,
                                              fingerprint = std::move(fingerprint)]() {
      return CommitOnce(*p, who, fingerprint, size);
    });
  }
  RETURN_IF_ERROR_GRPC(collect());
  ToProto(total, resp->mutable_summary());
  return grpc::Status::OK;
}

grpc::Status ReadingServiceImpl::GetReadings(grpc::ServerContext* ctx,
                                             const v1::GetReadingsRequest* req,
                                             v1::GetReadingsResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  ReadingsQuery q;
  q.point_code = req->point_code();
  q.channel = static_cast<Channel>(req->channel());
  q.aggregation = static_cast<Aggregation>(req->aggregation());
  switch (req->range_case()) {
    case v1::GetReadingsRequest::kPeriod: {
      ASSIGN_OR_RETURN_GRPC(BillingPeriod p, RequiredPeriod(req->period(), "period"));
      q.from = p.first_day();
      q.to = p.last_day();
      break;
    }
    case v1::GetReadingsRequest::kTimeRange: {
      ASSIGN_OR_RETURN_GRPC(auto days, DaysOf(req->time_range(), zone_));
      q.from = days.first;
      q.to = days.second;
      break;
    }
    default:
      return ToGrpc(InvalidField("period", "required (or time_range)"));
  }
  ASSIGN_OR_RETURN_GRPC(q.as_of, FromProto(req->as_of()));
  ASSIGN_OR_RETURN_GRPC(ReadingsResult r, readings_.Get(q, who));
  resp->mutable_values()->Reserve(static_cast<int>(r.values.size()));
  for (const ValueOut& v : r.values) ToProto(v, resp->add_values());
  resp->set_total_wh(r.total_wh);
  return grpc::Status::OK;
}

grpc::Status ReadingServiceImpl::GetCompleteness(grpc::ServerContext* ctx,
                                                 const v1::GetCompletenessRequest* req,
                                                 v1::GetCompletenessResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(BillingPeriod p, RequiredPeriod(req->period(), "period"));
  std::vector<std::string> codes(req->point_codes().begin(), req->point_codes().end());
  ASSIGN_OR_RETURN_GRPC(std::vector<Completeness> entries,
                        readings_.GetCompleteness(codes, req->participant_id(), p, who));
  for (const Completeness& c : entries) ToProto(c, resp->add_entries());
  return grpc::Status::OK;
}

grpc::Status ReadingServiceImpl::StreamPointDays(
    grpc::ServerContext* ctx, const v1::StreamPointDaysRequest* req,
    grpc::ServerWriter<v1::StreamPointDaysResponse>* writer) {
  RETURN_IF_ERROR_GRPC(Authorize(*ctx, *req).status());
  ASSIGN_OR_RETURN_GRPC(absl::CivilDay from, FromProtoDate(req->from_day(), "from_day"));
  ASSIGN_OR_RETURN_GRPC(absl::CivilDay to, FromProtoDate(req->to_day(), "to_day"));
  ASSIGN_OR_RETURN_GRPC(AsOf as_of, FromProto(req->as_of()));
  std::vector<std::string> codes(req->point_codes().begin(), req->point_codes().end());
  std::vector<Channel> channels;
  for (int c : req->channels()) channels.push_back(static_cast<Channel>(c));
  RETURN_IF_ERROR_GRPC(readings_.StreamDays(
      codes, channels, from, to, as_of, [&](std::vector<PointDayOut> chunk) -> absl::Status {
        v1::StreamPointDaysResponse out;
        for (const PointDayOut& d : chunk) {
          v1::PointDay* o = out.add_days();
          o->set_point_code(d.point_code);
          o->set_channel(static_cast<v1::Channel>(d.row.key.channel));
          *o->mutable_day() = ToProtoDate(d.row.key.day);
          o->set_revision(d.row.revision);
          *o->mutable_day_start() = ToProtoTime(d.day_start);
          o->set_resolution(static_cast<v1::Resolution>(d.resolution));
          o->mutable_values_wh()->Add(d.row.values.begin(), d.row.values.end());
          for (int16_t q : d.row.quality) o->add_qualities(static_cast<v1::Quality>(q));
        }
        if (!writer->Write(out)) return absl::CancelledError("the client went away");
        return absl::OkStatus();
      }));
  return grpc::Status::OK;
}

grpc::Status ReadingServiceImpl::EditReading(grpc::ServerContext* ctx,
                                             const v1::EditReadingRequest* req,
                                             v1::EditReadingResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::EditReadingResponse& out) -> absl::Status {
                  if (!req->has_interval_start()) return InvalidField("interval_start", "required");
                  ASSIGN_OR_RETURN(
                      int32_t revision,
                      readings_.Edit(req->point_code(), static_cast<Channel>(req->channel()),
                                     FromProtoTime(req->interval_start()), req->value_wh(),
                                     req->reason(), who));
                  out.set_revision(revision);
                  return absl::OkStatus();
                });
}

grpc::Status ReadingServiceImpl::EstimateGaps(grpc::ServerContext* ctx,
                                              const v1::EstimateGapsRequest* req,
                                              v1::EstimateGapsResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::EstimateGapsResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(BillingPeriod period, RequiredPeriod(req->period(), "period"));
                  std::vector<std::string> codes(req->point_codes().begin(),
                                                 req->point_codes().end());
                  ASSIGN_OR_RETURN(EstimateResult r,
                                   estimation_.Estimate(codes, static_cast<Channel>(req->channel()),
                                                        period, req->max_linear_intervals(), who));
                  out.set_estimated(r.estimated);
                  out.set_revisions_written(r.revisions_written);
                  return absl::OkStatus();
                });
}

// ---------------------------------------------------------------------------
// ImportService

namespace {

void ToProto(const ImportJob& j, common::v1::Job* out) {
  out->set_id(j.id);
  out->set_kind("metering.import");
  out->set_state(static_cast<common::v1::JobState>(j.state));
  out->set_done(j.done);
  out->set_total(j.total);
  if (j.start_time) *out->mutable_start_time() = ToProtoTime(*j.start_time);
  if (j.finish_time) *out->mutable_finish_time() = ToProtoTime(*j.finish_time);
  out->set_summary(SummaryText(j));
  out->set_error(j.error);
}

}  // namespace

absl::Status ImportServiceImpl::Start(const v1::StartImportRequest& req, std::string content,
                                      const Caller& who, common::v1::Job* job) {
  if (static_cast<int64_t>(content.size()) > max_bytes_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("content: the file has more than ", max_bytes_,
                     " bytes, the largest import this service accepts (import_max_bytes)"));
  }
  ImportRequest r;
  r.request_id = req.request_id();
  r.file_name = req.file_name();
  r.content = std::move(content);
  r.format = static_cast<ImportFormat>(req.format());
  r.encoding = static_cast<TextEncoding>(req.encoding());
  r.unit = static_cast<EnergyUnit>(req.unit());
  r.source = static_cast<Source>(req.source());
  if (r.source == Source::kEstimation) {
    return InvalidField("source", "ESTIMATION is for the estimation of gaps");
  }
  ASSIGN_OR_RETURN(ImportJob started, jobs_.Start(r, who));
  ToProto(started, job);
  return absl::OkStatus();
}

grpc::Status ImportServiceImpl::StartImport(grpc::ServerContext* ctx,
                                            const v1::StartImportRequest* req,
                                            v1::StartImportResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  return ToGrpc(Start(*req, req->content(), who, resp->mutable_job()));
}

grpc::Status ImportServiceImpl::UploadImport(grpc::ServerContext* ctx,
                                             grpc::ServerReader<v1::UploadImportRequest>* reader,
                                             v1::UploadImportResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller caller, Authorize(*ctx, reader));
  v1::UploadImportRequest msg;
  if (!reader->Read(&msg) || !msg.has_start()) {
    return ToGrpc(InvalidField("start", "required as the first message"));
  }
  v1::StartImportRequest start = std::move(*msg.mutable_start());
  std::string content = std::move(*start.mutable_content());
  while (reader->Read(&msg)) {
    if (msg.part_case() != v1::UploadImportRequest::kChunk) {
      return ToGrpc(InvalidField("start", "only the first message may be start"));
    }
    // Refused as soon as the file outgrows the limit, not after it all came.
    if (static_cast<int64_t>(content.size() + msg.chunk().size()) > max_bytes_) {
      return ToGrpc(absl::ResourceExhaustedError(
          absl::StrCat("chunk: the file has more than ", max_bytes_,
                       " bytes, the largest import this service accepts (import_max_bytes)")));
    }
    content.append(msg.chunk());
  }
  resp->set_bytes_received(static_cast<int64_t>(content.size()));
  return ToGrpc(Start(start, std::move(content), caller, resp->mutable_job()));
}

grpc::Status ImportServiceImpl::GetImportJob(grpc::ServerContext* ctx,
                                             const v1::GetImportJobRequest* req,
                                             v1::GetImportJobResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  ASSIGN_OR_RETURN_GRPC(ImportJob job, jobs_.Get(req->job_id(), who));
  ToProto(job, resp->mutable_job());
  ToProto(job.summary, resp->mutable_summary());
  return grpc::Status::OK;
}

grpc::Status ImportServiceImpl::WatchImportJob(
    grpc::ServerContext* ctx, const v1::WatchImportJobRequest* req,
    grpc::ServerWriter<v1::WatchImportJobResponse>* writer) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  RETURN_IF_ERROR_GRPC(jobs_.Watch(req->job_id(), who, [&](const ImportJob& job) -> bool {
    if (ctx->IsCancelled()) return false;
    v1::WatchImportJobResponse out;
    ToProto(job, out.mutable_job());
    ToProto(job.summary, out.mutable_summary());
    return writer->Write(out);
  }));
  return grpc::Status::OK;
}

grpc::Status ImportServiceImpl::CancelImportJob(grpc::ServerContext* ctx,
                                                const v1::CancelImportJobRequest* req,
                                                v1::CancelImportJobResponse* resp) {
  return Mutate(idempotency_, *ctx, *req, resp,
                [&](const Caller& who, v1::CancelImportJobResponse& out) -> absl::Status {
                  ASSIGN_OR_RETURN(ImportJob job, jobs_.Cancel(req->job_id(), who));
                  ToProto(job, out.mutable_job());
                  return absl::OkStatus();
                });
}

grpc::Status ImportServiceImpl::ListImports(grpc::ServerContext* ctx,
                                            const v1::ListImportsRequest* req,
                                            v1::ListImportsResponse* resp) {
  ASSIGN_OR_RETURN_GRPC(const Caller who, Authorize(*ctx, *req));
  auto add = [&](const ListPage<ImportJob>& list) {
    for (const ImportJob& job : list.items) {
      v1::ImportJob* out = resp->add_imports();
      ToProto(job, out->mutable_job());
      out->set_file_name(job.file_name);
      ToProto(job.summary, out->mutable_summary());
    }
  };
  if (paging::WantsChanges(*req)) {
    ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::ChangesFromRequest(*req));
    ASSIGN_OR_RETURN_GRPC(ListPage<ImportJob> list, jobs_.Changes(page, who));
    add(list);
    resp->set_change_cursor(paging::ChangeCursor(*req, list.next));
    return grpc::Status::OK;
  }
  ASSIGN_OR_RETURN_GRPC(paging::Page page, paging::FromRequest(*req));
  ASSIGN_OR_RETURN_GRPC(ListPage<ImportJob> list, jobs_.List(page, who));
  add(list);
  resp->set_next_page_token(paging::NextToken(*req, list.next));
  return grpc::Status::OK;
}

}  // namespace gridbill::metering
