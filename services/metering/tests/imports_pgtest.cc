// Real-PostgreSQL tests of file imports (CSV and 80020) as jobs, through the
// gRPC API: happy paths, re-sends, encodings, units, every refusal naming
// its line or element and writing nothing, progress, cancel and restart.
#include <iconv.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "harness.h"
#include "import_parse.h"

namespace gridbill::metering::testing {
namespace {

using IStub = v1::ImportService::Stub;

std::string ToCp1251(const std::string& utf8) {
  iconv_t cd = iconv_open("CP1251", "UTF-8");
  REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* o = out.data();
  size_t out_left = out.size();
  REQUIRE(iconv(cd, &in, &in_left, &o, &out_left) != static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

v1::StartImportRequest Request(const std::string& content, v1::ImportFormat format,
                               v1::EnergyUnit unit = v1::ENERGY_UNIT_WH,
                               v1::TextEncoding encoding = v1::TEXT_ENCODING_UNSPECIFIED) {
  v1::StartImportRequest req;
  req.set_request_id(NewRequestId());
  req.set_file_name(format == v1::IMPORT_FORMAT_CSV ? "data.csv" : "80020.xml");
  req.set_content(content);
  req.set_format(format);
  req.set_unit(unit);
  req.set_encoding(encoding);
  return req;
}

// Watches the job to its end; returns the last message.
v1::WatchImportJobResponse Wait(Harness& h, const std::string& id, int* messages = nullptr) {
  v1::WatchImportJobRequest req;
  req.set_job_id(id);
  grpc::ClientContext ctx;
  Harness::AddWho(ctx, Who());
  auto reader = h.import_stub->WatchImportJob(&ctx, req);
  v1::WatchImportJobResponse msg, last;
  int n = 0;
  while (reader->Read(&msg)) {
    last = msg;
    ++n;
  }
  REQUIRE_OK(reader->Finish());
  if (messages != nullptr) *messages = n;
  return last;
}

v1::WatchImportJobResponse Import(Harness& h, const v1::StartImportRequest& req) {
  v1::StartImportResponse resp;
  REQUIRE_OK(h.Call(*h.import_stub, &IStub::StartImport, req, &resp));
  return Wait(h, resp.job().id());
}

v1::GetReadingsResponse January(Harness& h, const std::string& point) {
  v1::GetReadingsRequest req;
  req.set_point_code(point);
  req.set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
  req.mutable_period()->set_year(2024);
  req.mutable_period()->set_month(1);
  req.set_aggregation(v1::AGGREGATION_NATIVE);
  v1::GetReadingsResponse resp;
  REQUIRE_OK(h.Call(*h.reading_stub, &v1::ReadingService::Stub::GetReadings, req, &resp));
  return resp;
}

// The index of local 2024-01-15 hh:mm among a January of `per_hour` intervals an hour.
int Jan15(int hh, int mm = 0, int per_hour = 1) {
  return (14 * 24 + hh) * per_hour + mm / (60 / per_hour);
}

// Almaty was UTC+6 until 2024-03-01: 01:00 local is 19:00Z the day before.
constexpr char kCsv[] =
    "point_code,channel,interval_start,value,quality,source\n"
    "MP-1,01,2024-01-15 00:00,1.5,,\n"
    "MP-1,01,2024-01-14T19:00:00Z,2,measured,scada\n"
    "MP-1,01,2024-01-15 02:00,0.001,estimated,\n"
    "MP-1,01,2024-01-15 03:00,,,\n"
    "MP-2,1,2024-01-15T00:00:00+06:00,7,,\n";

TEST_CASE("a CSV file in kWh is imported exactly; the same file again changes nothing") {
  Harness h;
  h.CreatePoint("MP-1");
  h.CreatePoint("MP-2");
  auto req = Request(kCsv, v1::IMPORT_FORMAT_CSV, v1::ENERGY_UNIT_KWH);
  auto done = Import(h, req);
  INFO(done.job().error());
  REQUIRE(done.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  REQUIRE(done.job().kind() == "metering.import");
  REQUIRE(done.job().total() == 2);
  REQUIRE(done.job().done() == 2);
  REQUIRE(done.summary().accepted() == 4);
  REQUIRE(done.summary().unchanged() == 0);
  REQUIRE(done.summary().missing() == 1);  // the empty value: nothing to store
  REQUIRE(done.summary().rejected() == 0);
  REQUIRE(absl::StrContains(done.job().summary(), "accepted 4"));
  REQUIRE(absl::StrContains(done.job().summary(), "missing in the file 1"));
  REQUIRE(h.CountRows("reading_days") == 2);

  auto got = January(h, "MP-1");
  REQUIRE(got.values(Jan15(0)).value_wh() == 1500);
  REQUIRE(got.values(Jan15(0)).quality() == v1::QUALITY_MEASURED);
  REQUIRE(got.values(Jan15(1)).value_wh() == 2000);
  REQUIRE(got.values(Jan15(2)).value_wh() == 1);
  REQUIRE(got.values(Jan15(2)).quality() == v1::QUALITY_ESTIMATED);
  REQUIRE(got.values(Jan15(3)).quality() == v1::QUALITY_MISSING);
  REQUIRE(January(h, "MP-2").values(Jan15(0)).value_wh() == 7000);

  // GetImportJob reads the persisted job.
  v1::GetImportJobRequest get;
  get.set_job_id(done.job().id());
  v1::GetImportJobResponse job;
  REQUIRE_OK(h.Call(*h.import_stub, &IStub::GetImportJob, get, &job));
  REQUIRE(job.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  REQUIRE(job.summary().accepted() == 4);
  REQUIRE(job.job().has_finish_time());

  SECTION("the same file under a new request id: every value unchanged, the empty one missing") {
    auto again = Import(h, Request(kCsv, v1::IMPORT_FORMAT_CSV, v1::ENERGY_UNIT_KWH));
    REQUIRE(again.job().state() == common::v1::JOB_STATE_SUCCEEDED);
    REQUIRE(again.summary().accepted() == 0);
    REQUIRE(again.summary().unchanged() == 4);
    REQUIRE(again.summary().missing() == 1);
    REQUIRE(again.summary().revisions_written() == 0);
    REQUIRE(h.CountRows("reading_days") == 2);
  }
  SECTION("the same request id replays the job; with other content it is refused") {
    v1::StartImportResponse resp;
    REQUIRE_OK(h.Call(*h.import_stub, &IStub::StartImport, req, &resp));
    REQUIRE(resp.job().id() == done.job().id());
    REQUIRE(h.CountRows("import_jobs") == 1);
    auto other = req;
    other.set_content(absl::StrCat(kCsv, "MP-2,01,2024-01-15 01:00,8,,\n"));
    REQUIRE_GRPC(h.Call(*h.import_stub, &IStub::StartImport, other, &resp),
                 grpc::StatusCode::INVALID_ARGUMENT, "request_id: already used");
  }
  SECTION("a corrected value becomes a revision") {
    const std::string fixed = absl::StrReplaceAll(kCsv, {{",1.5,", ",1.6,"}});
    auto again = Import(h, Request(fixed, v1::IMPORT_FORMAT_CSV, v1::ENERGY_UNIT_KWH));
    REQUIRE(again.summary().revised() == 1);
    REQUIRE(again.summary().unchanged() == 3);
    REQUIRE(again.summary().missing() == 1);
    REQUIRE(January(h, "MP-1").values(Jan15(0)).value_wh() == 1600);
  }
}

TEST_CASE("a bad CSV file is refused naming the line and writes nothing") {
  Harness h;
  h.CreatePoint("MP-1");
  h.CreatePoint("MP-15", v1::RESOLUTION_PT15M);
  const std::string header = "point_code,channel,interval_start,value\n";
  struct Case {
    std::string body;
    v1::EnergyUnit unit;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"MP-1,01,2024-01-15 00:00,1\nMP-1,01,2024-01-15 01:00,1,x\n", v1::ENERGY_UNIT_WH,
       "line 3: has 5 fields; the header has 4"},
      {"MP-1,01,2024-01-15 00:00,1\nNO-SUCH,01,2024-01-15 00:00,1\n", v1::ENERGY_UNIT_WH,
       "line 3: unknown metering point \"NO-SUCH\""},
      {"MP-1,01,2024-01-15 00:30,1\n", v1::ENERGY_UNIT_WH,
       "line 2: interval_start is not aligned to the point's resolution"},
      {"MP-1,01,2024-01-15 00:00,1\nMP-1,01,2024-01-15 00:00,2\n", v1::ENERGY_UNIT_WH,
       "line 3: the same key is sent twice"},
      {"MP-1,01,2024-01-15 00:00,1.0005\n", v1::ENERGY_UNIT_KWH,
       "line 2: value \"1.0005\" kWh is not a whole number of Wh"},
      {"MP-1,01,2024-01-15 00:00,1.5\n", v1::ENERGY_UNIT_WH,
       "line 2: value \"1.5\" Wh is not a whole number of Wh"},
      {"MP-1,05,2024-01-15 00:00,1\n", v1::ENERGY_UNIT_WH, "line 2: channel \"05\""},
      {"MP-1,01,15.01.2024 00:00,1\n", v1::ENERGY_UNIT_WH, "line 2: interval_start"},
      {"MP-1,01,2024-01-15 00:00,abc\n", v1::ENERGY_UNIT_WH, "line 2: value \"abc\" is not"},
      {"MP-1,02,2024-01-15 00:00,1\nMP-1,03,2024-01-15 00:00,1\n", v1::ENERGY_UNIT_WH,
       "line 3: point MP-1 has no channel 03"},
  };
  for (const Case& c : cases) {
    INFO(c.expected);
    v1::StartImportResponse resp;
    REQUIRE_GRPC(h.Call(*h.import_stub, &IStub::StartImport,
                        Request(header + c.body, v1::IMPORT_FORMAT_CSV, c.unit), &resp),
                 grpc::StatusCode::INVALID_ARGUMENT, c.expected);
  }
  v1::StartImportResponse resp;
  REQUIRE_GRPC(
      h.Call(*h.import_stub, &IStub::StartImport,
             Request("point_code,channel,value\nMP-1,01,1\n", v1::IMPORT_FORMAT_CSV), &resp),
      grpc::StatusCode::INVALID_ARGUMENT, "line 1: the header has no column interval_start");
  // Invalid UTF-8 when UTF-8 is declared.
  REQUIRE_GRPC(h.Call(*h.import_stub, &IStub::StartImport,
                      Request(header + "MP-1,01,2024-01-15 00:00,1\n\xff\xfe,01,x,1\n",
                              v1::IMPORT_FORMAT_CSV, v1::ENERGY_UNIT_WH, v1::TEXT_ENCODING_UTF8),
                      &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "line 3: invalid UTF-8");
  REQUIRE(h.CountRows("reading_days") == 0);
  REQUIRE(h.CountRows("import_jobs") == 0);
}

std::string Xml80020(const std::string& point_name, const std::string& periods,
                     const std::string& code = "MP-30") {
  return absl::StrCat(
      "<?xml version=\"1.0\"?>\n"
      "<message class=\"80020\" version=\"2\" number=\"17\">\n"
      "  <datetime><timestamp>20240116093000</timestamp>"
      "<daylightsavingtime>0</daylightsavingtime><day>20240115</day></datetime>\n"
      "  <sender><inn>990740000683</inn><name>АО «KEGOC»</name></sender>\n"
      "  <area><inn>000740001307</inn><name>Экибастузская ГРЭС-1</name>\n"
      "    <measuringpoint code=\"",
      code, "\" name=\"", point_name,
      "\">\n"
      "      <measuringchannel code=\"01\" desc=\"активная приём\">\n",
      periods,
      "      </measuringchannel>\n"
      "    </measuringpoint>\n"
      "  </area>\n"
      "</message>\n");
}

std::string Period(const char* start, const char* end, const std::string& value,
                   const char* status = "0") {
  return absl::StrCat("        <period start=\"", start, "\" end=\"", end, "\"><value status=\"",
                      status, "\">", value, "</value></period>\n");
}

TEST_CASE("an 80020 file in UTF-8 with half-hourly periods, status codes and empty values") {
  Harness h;
  h.CreatePoint("MP-30", v1::RESOLUTION_PT30M);
  const std::string xml = Xml80020(
      "Ввод 220 кВ", Period("0000", "0030", "100,5") + Period("0030", "0100", "200", "1") +
                         Period("0100", "0130", "") + Period("0130", "0200", "300", "2") +
                         Period("0200", "0230", "400", "17") + Period("2330", "0000", "50"));
  auto done = Import(h, Request(xml, v1::IMPORT_FORMAT_XML_80020, v1::ENERGY_UNIT_KWH));
  INFO(done.job().error());
  REQUIRE(done.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  // The summary says what happened to each of the 6 values: the empty one
  // is missing (not "unchanged"), three carry a non-normal status.
  CHECK(done.summary().accepted() == 5);
  CHECK(done.summary().missing() == 1);
  CHECK(done.summary().unchanged() == 0);
  CHECK(done.summary().status_flagged() == 3);
  auto got = January(h, "MP-30");
  REQUIRE(got.values(Jan15(0, 0, 2)).value_wh() == 100500);
  REQUIRE(got.values(Jan15(0, 0, 2)).quality() == v1::QUALITY_MEASURED);
  REQUIRE(got.values(Jan15(0, 0, 2)).source_status_code() == 0);
  REQUIRE(got.values(Jan15(0, 30, 2)).value_wh() == 200000);
  REQUIRE(got.values(Jan15(0, 30, 2)).quality() == v1::QUALITY_ESTIMATED);
  REQUIRE(got.values(Jan15(0, 30, 2)).source_status_code() == 1);
  REQUIRE(got.values(Jan15(1, 0, 2)).quality() == v1::QUALITY_MISSING);
  REQUIRE(got.values(Jan15(1, 30, 2)).quality() == v1::QUALITY_SUBSTITUTED);
  REQUIRE(got.values(Jan15(1, 30, 2)).source_status_code() == 2);
  // Another code: an estimate like status 1, told apart by its code.
  REQUIRE(got.values(Jan15(2, 0, 2)).quality() == v1::QUALITY_ESTIMATED);
  REQUIRE(got.values(Jan15(2, 0, 2)).source_status_code() == 17);
  REQUIRE(got.values(Jan15(23, 30, 2)).value_wh() == 50000);  // end="0000" = midnight

  // The same file again changes nothing; a corrected status alone is a revision.
  done = Import(h, Request(xml, v1::IMPORT_FORMAT_XML_80020, v1::ENERGY_UNIT_KWH));
  CHECK(done.summary().unchanged() == 5);
  CHECK(done.summary().missing() == 1);
  CHECK(done.summary().revised() == 0);
  done = Import(h, Request(Xml80020("Ввод 220 кВ", Period("0200", "0230", "400", "1")),
                           v1::IMPORT_FORMAT_XML_80020, v1::ENERGY_UNIT_KWH));
  CHECK(done.summary().revised() == 1);
  CHECK(January(h, "MP-30").values(Jan15(2, 0, 2)).source_status_code() == 1);
}

TEST_CASE("an 80020 file in Windows-1251 without a declaration, hourly periods") {
  Harness h;
  h.CreatePoint("MP-30", v1::RESOLUTION_PT60M);
  const std::string utf8 =
      Xml80020("Ввод 220 кВ Т-1", Period("0000", "0100", "1000") + Period("0100", "0200", "1100"));
  const std::string cp1251 = ToCp1251(utf8);
  REQUIRE(!IsValidUtf8(cp1251));

  SECTION("declared UTF-8, the bytes are refused naming the line") {
    v1::StartImportResponse resp;
    REQUIRE_GRPC(h.Call(*h.import_stub, &IStub::StartImport,
                        Request(cp1251, v1::IMPORT_FORMAT_XML_80020, v1::ENERGY_UNIT_WH,
                                v1::TEXT_ENCODING_UTF8),
                        &resp),
                 grpc::StatusCode::INVALID_ARGUMENT, "line 4: invalid UTF-8");
    REQUIRE(h.CountRows("reading_days") == 0);
  }
  SECTION("detected (AUTO) and declared Windows-1251 both read it") {
    for (auto encoding : {v1::TEXT_ENCODING_UNSPECIFIED, v1::TEXT_ENCODING_WINDOWS_1251}) {
      auto done =
          Import(h, Request(cp1251, v1::IMPORT_FORMAT_XML_80020, v1::ENERGY_UNIT_WH, encoding));
      INFO(done.job().error());
      REQUIRE(done.job().state() == common::v1::JOB_STATE_SUCCEEDED);
    }
    // A declared encoding is ignored: the bytes are decoded before parsing.
    const std::string declared = absl::StrReplaceAll(
        cp1251, {{"<?xml version=\"1.0\"?>", "<?xml version=\"1.0\" encoding=\"windows-1251\"?>"}});
    REQUIRE(declared != cp1251);
    auto done = Import(h, Request(declared, v1::IMPORT_FORMAT_XML_80020));
    INFO(done.job().error());
    REQUIRE(done.job().state() == common::v1::JOB_STATE_SUCCEEDED);
    REQUIRE(done.summary().unchanged() == 2);
    auto got = January(h, "MP-30");
    REQUIRE(got.values(Jan15(0)).value_wh() == 1000);
    REQUIRE(got.values(Jan15(1)).value_wh() == 1100);
    REQUIRE(h.CountRows("reading_days") == 1);
  }
}

TEST_CASE("a bad 80020 file is refused naming the element and writes nothing") {
  Harness h;
  h.CreatePoint("MP-15", v1::RESOLUTION_PT15M);
  h.CreatePoint("MP-30", v1::RESOLUTION_PT30M);
  struct Case {
    std::string xml;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {Xml80020("x", Period("0000", "0030", "1"), "MP-15"),
       "line 8 (message/area/measuringpoint[code=MP-15]/measuringchannel[code=01]/"
       "period[start=0000]/value): a period of 30 minutes does not match MP-15's resolution "
       "PT15M"},
      {Xml80020("x", Period("0000", "0100", "1")), "does not match MP-30's resolution PT30M"},
      {Xml80020("x", Period("0000", "0030", "1"), "NO-SUCH"), "unknown metering point"},
      {Xml80020("x", Period("0000", "0030", "1", "x")), "status \"x\" is not a number"},
      {Xml80020("x", Period("0000", "0030", "1.0001")), "is not a whole number of Wh"},
      {Xml80020("x", Period("0000", "0030", "1") + Period("0000", "0030", "2")),
       "the same key is sent twice"},
      {Xml80020("x", Period("0000", "2500", "1")), "end \"2500\" is not a time hhmm"},
      {Xml80020("x", "        <comment/>\n"),
       "line 8 (message/area/measuringpoint[code=MP-30]/measuringchannel[code=01]/comment): "
       "unexpected element <comment>"},
      {absl::StrReplaceAll(Xml80020("x", Period("0000", "0030", "1")),
                           {{"<measuringpoint code=\"MP-30\"", "<deliverygroup code=\"G\""},
                            {"</measuringpoint>", "</deliverygroup>"}}),
       "line 6 (message/area/deliverygroup): <deliverygroup> (hourly sums of a group of points) "
       "is not supported"},
      {absl::StrReplaceAll(Xml80020("x", Period("0000", "0030", "1")),
                           {{"class=\"80020\"", "class=\"80040\""}}),
       "the root element must be <message class=\"80020\">"},
      {absl::StrReplaceAll(Xml80020("x", Period("0000", "0030", "1")), {{"</period>", "</perod>"}}),
       "line 8: not well-formed XML"},
  };
  for (const Case& c : cases) {
    INFO(c.expected);
    v1::StartImportResponse resp;
    REQUIRE_GRPC(h.Call(*h.import_stub, &IStub::StartImport,
                        Request(c.xml, v1::IMPORT_FORMAT_XML_80020, v1::ENERGY_UNIT_KWH), &resp),
                 grpc::StatusCode::INVALID_ARGUMENT, c.expected);
  }
  REQUIRE(h.CountRows("reading_days") == 0);
  REQUIRE(h.CountRows("import_jobs") == 0);
}

TEST_CASE("an import reports progress per point and is watched to its end") {
  Harness h;
  std::string csv = "point_code,channel,interval_start,value\n";
  for (int p = 0; p < 5; ++p) {
    h.CreatePoint(absl::StrCat("MP-", p));
    for (int hh = 0; hh < 24; ++hh) {
      absl::StrAppend(&csv, "MP-", p, ",01,2024-01-15 ", absl::Dec(hh, absl::kZeroPad2), ":00,",
                      1000 + hh, "\n");
    }
  }
  v1::StartImportResponse resp;
  REQUIRE_OK(
      h.Call(*h.import_stub, &IStub::StartImport, Request(csv, v1::IMPORT_FORMAT_CSV), &resp));
  REQUIRE(resp.job().total() == 5);
  int messages = 0;
  auto done = Wait(h, resp.job().id(), &messages);
  REQUIRE(messages >= 1);
  REQUIRE(done.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  REQUIRE(done.job().done() == 5);
  REQUIRE(done.summary().accepted() == 120);
  REQUIRE(h.CountRows("reading_days") == 5);
  // The stored upload is deleted once the import has ended (the worker
  // deletes it right after it finished the job).
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (h.CountRows("import_files") > 0 && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  REQUIRE(h.CountRows("import_files") == 0);
}

TEST_CASE("an ended import's file is kept for import_file_retention, then deleted") {
  Harness h(WriteMethod::kCopyBinary, /*start_import_worker=*/false);
  h.CreatePoint("MP-1");
  h.CreatePoint("MP-2");
  ImportJobs keeping(h.store, h.ingestion, h.clock, Almaty(),
                     ImportOptions{"keeping", absl::Minutes(1), nullptr, absl::Hours(24)});
  v1::StartImportResponse resp;
  REQUIRE_OK(h.Call(*h.import_stub, &IStub::StartImport,
                    Request(kCsv, v1::IMPORT_FORMAT_CSV, v1::ENERGY_UNIT_KWH), &resp));
  REQUIRE(h.CountRows("import_files") == 1);
  auto done = keeping.Execute(resp.job().id(), absl::Seconds(60));
  REQUIRE(done.ok());
  REQUIRE(done->state == JobState::kSucceeded);
  REQUIRE(h.CountRows("import_files") == 1);  // kept: ended less than 24 h ago
  h.clock.Advance(absl::Hours(23));
  REQUIRE(*keeping.DeleteEndedFiles() == 0);
  REQUIRE(h.CountRows("import_files") == 1);
  h.clock.Advance(absl::Hours(2));
  REQUIRE(*keeping.DeleteEndedFiles() == 1);
  REQUIRE(h.CountRows("import_files") == 0);
  // The import itself, its counts and readings stay.
  auto got = keeping.Get(resp.job().id(), Caller{});
  REQUIRE(got.ok());
  REQUIRE(got->summary.accepted == 4);
  REQUIRE(h.CountRows("reading_days") == 2);
}

TEST_CASE("a cancelled import stores nothing more; a restarted service resumes an open import") {
  Harness h(WriteMethod::kCopyBinary, /*start_import_worker=*/false);
  h.CreatePoint("MP-1");
  h.CreatePoint("MP-2");
  v1::StartImportResponse first, second;
  REQUIRE_OK(h.Call(*h.import_stub, &IStub::StartImport,
                    Request(kCsv, v1::IMPORT_FORMAT_CSV, v1::ENERGY_UNIT_KWH), &first));
  REQUIRE(first.job().state() == common::v1::JOB_STATE_PENDING);

  v1::CancelImportJobRequest cancel;
  cancel.set_request_id(NewRequestId());
  cancel.set_job_id(first.job().id());
  v1::CancelImportJobResponse cancelled;
  REQUIRE_OK(h.Call(*h.import_stub, &IStub::CancelImportJob, cancel, &cancelled));
  REQUIRE(cancelled.job().state() == common::v1::JOB_STATE_CANCELLED);
  REQUIRE(absl::StrContains(cancelled.job().error(), "cancelled by operator@kegoc.kz"));
  REQUIRE(h.CountRows("import_files") == 0);  // a cancelled import's file is deleted

  const std::string other = absl::StrReplaceAll(kCsv, {{",1.5,", ",1.7,"}});
  REQUIRE_OK(h.Call(*h.import_stub, &IStub::StartImport,
                    Request(other, v1::IMPORT_FORMAT_CSV, v1::ENERGY_UNIT_KWH), &second));
  // Before a worker splits it, the pending import already shows its points.
  auto pending = h.imports.Get(second.job().id(), Caller{});
  REQUIRE(pending.ok());
  REQUIRE(pending->state == JobState::kPending);
  REQUIRE(pending->total == 2);
  // The process "restarts" (a new engine on the same database): the open
  // import is resumed from its stored file, the cancelled one stays so.
  ImportJobs restarted(h.store, h.ingestion, h.clock, Almaty(), ImportOptions{"restarted"});
  auto open = restarted.ResumeUnfinished();
  REQUIRE(open.ok());
  REQUIRE(*open == 1);
  restarted.StartWorker();
  auto end1 = Wait(h, first.job().id());
  auto end2 = Wait(h, second.job().id());
  REQUIRE(end1.job().state() == common::v1::JOB_STATE_CANCELLED);
  INFO(end2.job().error());
  REQUIRE(end2.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  REQUIRE(end2.job().done() == 2);
  REQUIRE(end2.summary().accepted() == 4);
  REQUIRE(end2.summary().missing() == 1);  // the empty value
  REQUIRE(January(h, "MP-1").values(Jan15(0)).value_wh() == 1700);
  // Cancelling an ended job returns it as it is.
  cancel.set_request_id(NewRequestId());
  cancel.set_job_id(second.job().id());
  REQUIRE_OK(h.Call(*h.import_stub, &IStub::CancelImportJob, cancel, &cancelled));
  REQUIRE(cancelled.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  REQUIRE(h.CountRows("reading_days") == 2);
}

TEST_CASE("an import whose replica died halfway is finished by another: every reading once") {
  Harness h(WriteMethod::kCopyBinary, /*start_import_worker=*/false);
  std::string csv = "point_code,channel,interval_start,value\n";
  for (int p = 0; p < 4; ++p) {
    h.CreatePoint(absl::StrCat("MP-", p));
    for (int hh = 0; hh < 24; ++hh) {
      absl::StrAppend(&csv, "MP-", p, ",01,2024-01-15 ", absl::Dec(hh, absl::kZeroPad2), ":00,",
                      1000 * p + hh, "\n");
    }
  }
  v1::StartImportResponse resp;
  REQUIRE_OK(
      h.Call(*h.import_stub, &IStub::StartImport, Request(csv, v1::IMPORT_FORMAT_CSV), &resp));
  const std::string id = resp.job().id();

  // The first replica splits the import and stores its first point ...
  REQUIRE(*h.imports.WorkOnce(id));
  REQUIRE(*h.imports.WorkOnce(id));
  REQUIRE(h.CountRows("reading_days") == 1);
  // ... claims the next point and dies before storing it.
  auto dead = h.store.Jobs().ClaimPiece("replica-1", h.clock.Now(),
                                        h.clock.Now() - absl::Minutes(1), {kImportJobKind}, id);
  REQUIRE(dead.ok());
  REQUIRE(dead->has_value());

  // Another replica on the same database takes the point over after the lease.
  ImportJobs second(h.store, h.ingestion, h.clock, Almaty(),
                    ImportOptions{"replica-2", absl::Minutes(1)});
  h.clock.Advance(absl::Minutes(2));
  auto done = second.Execute(id, absl::Seconds(60));
  REQUIRE(done.ok());
  INFO(done->error);
  REQUIRE(done->state == JobState::kSucceeded);
  REQUIRE(done->done == 4);
  REQUIRE(done->summary.accepted == 96);
  REQUIRE(done->summary.unchanged == 0);
  REQUIRE(done->summary.revisions_written == 4);
  REQUIRE(h.CountRows("reading_days") == 4);

  // The dead replica's late work on its point is refused: nothing doubles.
  auto job = h.store.Jobs().Get(id);
  REQUIRE(job.ok());
  auto late = h.imports.Work(*job, **dead);
  REQUIRE(late.ok());
  REQUIRE(*late == jobs::Completion::kDiscarded);
  REQUIRE(h.CountRows("reading_days") == 4);
  auto got = h.imports.Get(id, Caller{});
  REQUIRE(got.ok());
  REQUIRE(got->summary.accepted == 96);
  REQUIRE(got->summary.unchanged == 0);
  for (int p = 0; p < 4; ++p) {
    auto values = January(h, absl::StrCat("MP-", p));
    REQUIRE(values.values(Jan15(23)).value_wh() == 1000 * p + 23);
  }
}

TEST_CASE("unit conversion is exact and a fraction of a Wh is an error") {
  REQUIRE(*ToWh("1.5", EnergyUnit::kKwh) == 1500);
  REQUIRE(*ToWh("0.001", EnergyUnit::kKwh) == 1);
  REQUIRE(*ToWh("2.000000", EnergyUnit::kMwh) == 2000000);
  REQUIRE(*ToWh("0.000001", EnergyUnit::kMwh) == 1);
  REQUIRE(*ToWh("-3", EnergyUnit::kWh) == -3);
  REQUIRE(*ToWh("12,25", EnergyUnit::kKwh, true) == 12250);
  REQUIRE_FALSE(ToWh("12,25", EnergyUnit::kKwh).ok());
  REQUIRE_FALSE(ToWh("0.0000001", EnergyUnit::kMwh).ok());
  REQUIRE_FALSE(ToWh("1e3", EnergyUnit::kWh).ok());
  REQUIRE_FALSE(ToWh("", EnergyUnit::kWh).ok());
}

TEST_CASE("a value whose Wh do not fit in 64 bits is too large, not wrapped around") {
  // Found by metering_csv_import_fuzz: 15 digits of MWh are 10^21 Wh.
  REQUIRE(*ToWh("999999999999999", EnergyUnit::kWh) == 999999999999999);
  REQUIRE(*ToWh("9223372036854.775807", EnergyUnit::kMwh) == 9223372036854775807);
  for (const char* v : {"100400000000000", "9223372036854.775808", "-9999999999999.999999"}) {
    INFO(v);
    const absl::StatusOr<int64_t> wh = ToWh(v, EnergyUnit::kMwh);
    REQUIRE_FALSE(wh.ok());
    CHECK(absl::StrContains(wh.status().message(), "is too large"));
  }
  REQUIRE_FALSE(ToWh("1000000000000000", EnergyUnit::kWh).ok());  // 16 digits, as before
}

}  // namespace
}  // namespace gridbill::metering::testing
