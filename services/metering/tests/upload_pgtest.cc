// Real-PostgreSQL tests of what the operator CLI relies on beyond single
// calls: files larger than one gRPC message uploaded in chunks
// (UploadImport) and their size limit, many points looked up at once
// (BatchGetMeteringPoints), and successful reads kept out of the info log.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "gridbill/base/log.h"
#include "harness.h"

namespace gridbill::metering::testing {
namespace {

using PStub = v1::MeteringPointService::Stub;

// Sends `content` in chunks of `chunk` bytes; the first message carries none.
grpc::Status Upload(Harness& h, const std::string& content, size_t chunk,
                    v1::UploadImportResponse* resp) {
  grpc::ClientContext ctx;
  Harness::AddWho(ctx, Who());
  auto writer = h.import_stub->UploadImport(&ctx, resp);
  v1::UploadImportRequest start;
  v1::StartImportRequest* s = start.mutable_start();
  s->set_request_id(NewRequestId());
  s->set_file_name("month.csv");
  s->set_format(v1::IMPORT_FORMAT_CSV);
  s->set_unit(v1::ENERGY_UNIT_WH);
  bool open = writer->Write(start);
  for (size_t at = 0; open && at < content.size(); at += chunk) {
    v1::UploadImportRequest part;
    part.set_chunk(content.substr(at, chunk));
    open = writer->Write(part);
  }
  writer->WritesDone();
  return writer->Finish();
}

v1::WatchImportJobResponse Wait(Harness& h, const std::string& id) {
  v1::WatchImportJobRequest req;
  req.set_job_id(id);
  grpc::ClientContext ctx;
  Harness::AddWho(ctx, Who());
  auto reader = h.import_stub->WatchImportJob(&ctx, req);
  v1::WatchImportJobResponse msg, last;
  while (reader->Read(&msg)) last = msg;
  REQUIRE_OK(reader->Finish());
  return last;
}

TEST_CASE("a CSV file larger than 16 MiB is uploaded in chunks and imported whole") {
  Harness h;
  // 20 quarter-hourly points with long codes, 106 days each: ~17.5 MiB.
  const int kPoints = 20;
  const int kDays = 106;
  std::vector<std::string> codes;
  for (int i = 0; i < kPoints; ++i) {
    codes.push_back(absl::StrFormat("MP-UPLOAD-%02d-%s", i, std::string(46, 'X')));
    h.CreatePoint(codes.back(), v1::RESOLUTION_PT15M);
  }
  std::string csv = "point_code,channel,interval_start,value,quality,source\n";
  int64_t lines = 0;
  int64_t total_wh = 0;
  for (const std::string& code : codes) {
    for (absl::CivilDay day(2024, 1, 1); day < absl::CivilDay(2024, 1, 1) + kDays; ++day) {
      for (int q = 0; q < 96; ++q) {
        const int64_t wh = 1000 + q;
        absl::StrAppendFormat(&csv, "%s,01,%04d-%02d-%02d %02d:%02d,%d,,\n", code, day.year(),
                              day.month(), day.day(), q / 4, q % 4 * 15, wh);
        ++lines;
        total_wh += wh;
      }
    }
  }
  REQUIRE(csv.size() > size_t{16} << 20);
  v1::UploadImportResponse uploaded;
  REQUIRE_OK(Upload(h, csv, size_t{1} << 20, &uploaded));
  CHECK(uploaded.bytes_received() == static_cast<int64_t>(csv.size()));
  const v1::WatchImportJobResponse done = Wait(h, uploaded.job().id());
  INFO(done.job().error());
  REQUIRE(done.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(done.job().total() == kPoints);
  CHECK(done.summary().accepted() == lines);
  CHECK(done.summary().rejected() == 0);

  // Every value arrived: a point's month sums as sent.
  v1::GetReadingsRequest get;
  get.set_point_code(codes.back());
  get.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  get.mutable_period()->set_year(2024);
  get.mutable_period()->set_month(2);
  get.set_aggregation(v1::AGGREGATION_MONTH);
  v1::GetReadingsResponse february;
  REQUIRE_OK(h.Call(*h.reading_stub, &v1::ReadingService::Stub::GetReadings, get, &february));
  CHECK(february.total_wh() == 29 * (96 * 1000 + 95 * 96 / 2));
  CHECK(total_wh == kPoints * kDays * (96 * 1000 + 95 * 96 / 2));
}

TEST_CASE("an upload beyond import_max_bytes is refused naming the setting, a bad start too") {
  Harness h;  // import_max_bytes is 32 MiB in the harness
  v1::UploadImportResponse resp;
  REQUIRE_GRPC(Upload(h, std::string((size_t{32} << 20) + 1, 'x'), size_t{4} << 20, &resp),
               grpc::StatusCode::RESOURCE_EXHAUSTED, "import_max_bytes");
  REQUIRE(h.CountRows("import_jobs") == 0);

  // The first message must be the start.
  grpc::ClientContext ctx;
  Harness::AddWho(ctx, Who());
  auto writer = h.import_stub->UploadImport(&ctx, &resp);
  v1::UploadImportRequest chunk;
  chunk.set_chunk("point_code,channel,interval_start,value\n");
  writer->Write(chunk);
  writer->WritesDone();
  REQUIRE_GRPC(writer->Finish(), grpc::StatusCode::INVALID_ARGUMENT, "start");
}

TEST_CASE("BatchGetMeteringPoints answers many codes at once and names the missing ones") {
  Harness h;
  h.CreatePoint("MP-A");
  h.CreatePoint("MP-B");
  v1::BatchGetMeteringPointsRequest req;
  for (const char* c : {"MP-B", "MP-X", "MP-A", "MP-B"}) req.add_codes(c);
  v1::BatchGetMeteringPointsResponse resp;
  REQUIRE_OK(h.Call(*h.point_stub, &PStub::BatchGetMeteringPoints, req, &resp));
  REQUIRE(resp.points_size() == 2);
  CHECK(resp.points(0).code() == "MP-B");
  CHECK(resp.points(1).code() == "MP-A");
  CHECK(resp.points(0).channels_size() == 2);
  REQUIRE(resp.missing_codes_size() == 1);
  CHECK(resp.missing_codes(0) == "MP-X");

  // A participant's user sees only its own points; the others are missing.
  const Who other{"user:other", "ROLE_PARTICIPANT_USER", "p-2"};
  REQUIRE_OK(h.Call(*h.point_stub, &PStub::BatchGetMeteringPoints, req, &resp, other));
  CHECK(resp.points_size() == 0);
  CHECK(resp.missing_codes_size() == 3);

  req.clear_codes();
  for (int i = 0; i < 1001; ++i) req.add_codes(absl::StrCat("MP-", i));
  REQUIRE_GRPC(h.Call(*h.point_stub, &PStub::BatchGetMeteringPoints, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "codes: 1001 distinct codes");
}

// Captures the log lines of a scope.
class LogCapture {
 public:
  LogCapture() {
    previous_ = SetLogSink([this](std::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() { SetLogSink(std::move(previous_)); }
  int Count(std::string_view part) {
    absl::MutexLock lock(&mu_);
    int n = 0;
    for (const std::string& l : lines_) n += l.find(part) != std::string::npos ? 1 : 0;
    return n;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> lines_;
  LogSink previous_;
};

TEST_CASE("successful reads are logged at debug, mutations and failed reads at info") {
  Harness h;
  SetLogLevel("info");
  LogCapture logs;
  h.CreatePoint("MP-LOG");
  v1::GetMeteringPointRequest get;
  get.set_code("MP-LOG");
  v1::GetMeteringPointResponse got;
  REQUIRE_OK(h.Call(*h.point_stub, &PStub::GetMeteringPoint, get, &got));
  get.set_code("MP-NONE");
  REQUIRE_GRPC(h.Call(*h.point_stub, &PStub::GetMeteringPoint, get, &got),
               grpc::StatusCode::NOT_FOUND, "");
  CHECK(logs.Count("MeteringPointService/CreateMeteringPoint\"") == 1);
  CHECK(logs.Count("MeteringPointService/GetMeteringPoint\",\"code\":\"OK\"") == 0);
  CHECK(logs.Count("MeteringPointService/GetMeteringPoint\",\"code\":\"NOT_FOUND\"") == 1);
  SetLogLevel("debug");
  get.set_code("MP-LOG");
  REQUIRE_OK(h.Call(*h.point_stub, &PStub::GetMeteringPoint, get, &got));
  CHECK(logs.Count("MeteringPointService/GetMeteringPoint\",\"code\":\"OK\"") == 1);
  SetLogLevel("info");
}

}  // namespace
}  // namespace gridbill::metering::testing
