// The metering service as an operator meets it: the real gridbill-contracts
// and gridbill-metering binaries on free ports against a throwaway
// PostgreSQL, driven by the real gridbillctl: a reduced demo load (points
// and readings counted against the generator), then CSV and 80020
// (Windows-1251) imports with their summaries, a re-import that changes
// nothing, a corrected value as revision 2 and a bad file refused whole.
#include <iconv.h>
#include <libpq-fe.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gridbill/pgtest/pgtest.h"
#include "harness.h"
#include "running.h"
#include "tools/demo/demo_data.h"
#include "tools/demo/metering_points.h"
#include "tools/demo/readings.h"

namespace gridbill::suite {
namespace {

constexpr char kContractsBin[] = GRIDBILL_CONTRACTS_BIN;
constexpr char kMeteringBin[] = GRIDBILL_METERING_BIN;
constexpr char kCtlBin[] = GRIDBILL_CTL_BIN;

// A service binary on free ports with its own log file.
CommandResult Ctl(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  std::vector<std::string> argv = {kCtlBin};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, {}, timeout);
}

// The number after `label` in a printed summary ("  accepted     1 234").
int64_t Field(const std::string& text, const std::string& label) {
  const std::regex re("(^|\\n)\\s*" + label + "\\s+(-?[0-9][0-9 ]*)");
  std::smatch m;
  if (!std::regex_search(text, m, re)) return -1;
  std::string digits;
  for (char c : m[2].str()) {
    if (c != ' ') digits.push_back(c);
  }
  return std::stoll(digits);
}

google::protobuf::Struct Json(const std::string& text) {
  google::protobuf::Struct out;
  INFO(text.substr(0, 2000));
  REQUIRE(google::protobuf::util::JsonStringToMessage(text, &out).ok());
  return out;
}

// int64 fields are JSON strings in proto JSON; absent means 0.
int64_t Int(const google::protobuf::Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return 0;
  return it->second.has_string_value() ? std::stoll(it->second.string_value())
                                       : static_cast<int64_t>(it->second.number_value());
}

std::string Str(const google::protobuf::Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? "" : it->second.string_value();
}

std::vector<google::protobuf::Struct> List(const google::protobuf::Struct& s,
                                           const std::string& name) {
  std::vector<google::protobuf::Struct> out;
  auto it = s.fields().find(name);
  if (it == s.fields().end()) return out;
  for (const auto& v : it->second.list_value().values()) out.push_back(v.struct_value());
  return out;
}

std::string ToCp1251(const std::string& utf8) {
  iconv_t cd = iconv_open("CP1251", "UTF-8");
  REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
  std::string in = utf8;
  std::string out(in.size() * 2 + 16, '\0');
  char* src = in.data();
  size_t src_left = in.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  const size_t rc = iconv(cd, &src, &src_left, &dst, &dst_left);
  iconv_close(cd);
  REQUIRE(rc != static_cast<size_t>(-1));
  out.resize(out.size() - dst_left);
  return out;
}

// `gridbillctl metering readings` as JSON: GetReadingsResponse.
google::protobuf::Struct Readings(const std::string& metering, const std::string& code,
                                  const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"metering", "readings",        code,    "--output",
                                   "json",     "--metering-addr", metering};
  args.insert(args.end(), extra.begin(), extra.end());
  CommandResult r = Ctl(args, seconds(60));
  INFO(r.Describe());
  REQUIRE(r.exit_code == 0);
  return Json(r.out);
}

// What the generator says a point-channel's month holds after the load:
// CMS values with the late corrections applied.
int64_t ExpectedMonthWh(const demo::MeteringSet& set, int point, int channel,
                        absl::CivilMonth month, uint64_t seed) {
  demo::ReadingsOptions o;
  o.seed = seed;
  demo::ReadingsGenerator gen(set, o);
  int64_t total = 0;
  for (absl::CivilDay d = absl::CivilDay(month); absl::CivilMonth(d) == month; ++d) {
    const demo::DayReadings r = gen.Day(d);
    std::vector<int64_t> values;
    std::vector<uint8_t> present;
    for (const demo::SeriesDay& s : r.first) {
      if (s.point == point && s.channel == channel && s.source == demo::kSourceCms) {
        values = s.values;
        present = s.present;
      }
    }
    for (const demo::SeriesDay& s : r.corrected) {
      if (s.point != point || s.channel != channel) continue;
      for (size_t i = 0; i < s.values.size(); ++i) {
        if (s.present[i]) {
          values[i] = s.values[i];
          present[i] = 1;
        }
      }
    }
    for (size_t i = 0; i < values.size(); ++i) total += present[i] ? values[i] : 0;
  }
  return total;
}

TEST_CASE("metering: demo load, CSV and 80020 imports through gridbillctl", "[suite][metering]") {
  TempDir dir;
  Running contracts(kContractsBin, CreateDatabase("suite_m_contracts"), dir, "contracts");
  Running metering(kMeteringBin, CreateDatabase("suite_m_metering"), dir, "metering");
  contracts.WaitServing(seconds(90));
  metering.WaitServing(seconds(90));

  // --- A reduced demo load: 40 points, the last 2 months of readings. -----
  constexpr uint64_t kSeed = 7;
  constexpr int kPoints = 40;
  const std::vector<std::string> load_args = {"demo",
                                              "load",
                                              "--seed",
                                              "7",
                                              "--points",
                                              std::to_string(kPoints),
                                              "--readings-months",
                                              "2",
                                              "--streams",
                                              "2",
                                              "--addr",
                                              contracts.address,
                                              "--metering-addr",
                                              metering.address};
  {
    CommandResult load = Ctl(load_args, seconds(900));
    INFO(load.Describe());
    REQUIRE(load.exit_code == 0);
    CHECK(load.out.find("metering points") != std::string::npos);
    CHECK(Field(load.out, "rejected") == 0);
    // Most of 40 points x 61 days x 96 quarter hours (some points start later or have no data).
    CHECK(Field(load.out, "accepted") > kPoints * 61 * 48);
  }
  const demo::MeteringSet set =
      demo::GenerateMetering(demo::Generate(demo::Options{.seed = kSeed}), {kPoints});
  REQUIRE(set.points.size() == kPoints);
  {
    CommandResult list =
        Ctl({"metering", "points", "list", "--output", "json", "--metering-addr", metering.address},
            seconds(60));
    INFO(list.Describe());
    REQUIRE(list.exit_code == 0);
    const auto points = List(Json(list.out), "points");
    REQUIRE(points.size() == set.points.size());
    for (size_t i = 0; i < points.size(); ++i) {
      CHECK(Str(points[i], "code") == set.points[i].code);
      CHECK(Str(points[i], "eic") == set.points[i].eic);
    }
  }
  // Month totals of every point as the generator made them (2026-10 is loaded).
  const absl::CivilMonth october(2026, 10);
  for (size_t p = 0; p < set.points.size(); p += 7) {
    const demo::DemoPoint& pt = set.points[p];
    const int channel = pt.channels.front();
    const auto r = Readings(
        metering.address, pt.code,
        {"--channel", absl::StrCat("0", channel), "--period", "2026-10", "--resolution", "month"});
    INFO(pt.code << " channel " << channel);
    CHECK(Int(r, "totalWh") == ExpectedMonthWh(set, static_cast<int>(p), channel, october, kSeed));
  }
  // The late corrections of the window are revision 2 of their days.
  demo::ReadingsOptions window;
  window.seed = kSeed;
  window.first = absl::CivilDay(2026, 9, 1);
  const std::vector<demo::CorrectionKey> corrections =
      demo::ReadingsGenerator(set, window).Corrections();
  for (size_t k = 0; k < std::min<size_t>(corrections.size(), 3); ++k) {
    const demo::CorrectionKey& c = corrections[k];
    const auto r =
        Readings(metering.address, set.points[static_cast<size_t>(c.point)].code,
                 {"--channel", absl::StrCat("0", c.channel), "--period",
                  absl::FormatCivilTime(absl::CivilMonth(c.day)), "--resolution", "native"});
    int64_t revision = 0;
    for (const auto& v : List(r, "values")) revision = std::max(revision, Int(v, "revision"));
    INFO("correction of " << set.points[static_cast<size_t>(c.point)].code << " on "
                          << absl::FormatCivilTime(c.day));
    CHECK(revision == 2);
  }
  // Loading again changes nothing; with late corrections in the window the
  // readings are recognised as loaded and not sent at all.
  {
    CommandResult again = Ctl(load_args, seconds(900));
    INFO(again.Describe());
    REQUIRE(again.exit_code == 0);
    CHECK(Field(again.out, "accepted") <= 0);
    CHECK(Field(again.out, "revised \\(CMS after SCADA\\)") <= 0);
    if (!corrections.empty()) CHECK(again.out.find("nothing sent") != std::string::npos);
  }

  // --- Imports on one of the demo points. -----------------------------------
  const demo::DemoPoint* point = nullptr;
  for (const demo::DemoPoint& p : set.points) {
    if (p.kind == demo::PointKind::kConsumption && p.HasChannel(1) && !p.valid_to &&
        p.valid_from <= absl::CivilDay(2026, 11, 1)) {
      point = &p;
      break;
    }
  }
  REQUIRE(point != nullptr);
  const std::string code = point->code;
  auto import = [&](const std::string& file, const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"metering", "import", file, "--metering-addr",
                                     metering.address};
    args.insert(args.end(), flags.begin(), flags.end());
    return Ctl(args, seconds(120));
  };

  const std::string csv = dir.File("day.csv");
  std::string text = "point_code,channel,interval_start,value,quality,source\n";
  const std::vector<std::string> values = {"1520.5", "1498.25", "1500", "1510",
                                           "1490",   "1480.75", "1475", "1470"};
  const std::vector<std::string> times = {"00:00", "00:15", "00:30", "00:45",
                                          "01:00", "01:15", "01:30", "01:45"};
  for (size_t i = 0; i < values.size(); ++i) {
    text += absl::StrCat(code, ",01,2026-11-20 ", times[i], ",", values[i], ",,\n");
  }
  WriteFile(csv, text);
  {
    CommandResult r = import(csv, {"--format", "csv", "--unit", "kwh"});
    INFO(text << r.Describe());
    REQUIRE(r.exit_code == 0);
    CHECK(Field(r.out, "accepted") == 8);
    CHECK(Field(r.out, "unchanged") == 0);
    CHECK(Field(r.out, "revised") == 0);
    CHECK(Field(r.out, "rejected") == 0);
  }
  // The same file again: nothing changes.
  {
    CommandResult r = import(csv, {"--format", "csv", "--unit", "kwh"});
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    CHECK(Field(r.out, "accepted") == 0);
    CHECK(Field(r.out, "unchanged") == 8);
    CHECK(Field(r.out, "revised") == 0);
  }
  // A corrected value (00:15) becomes revision 2 of the day.
  {
    std::string fixed = text;
    const std::string from = "2026-11-20 00:15,1498.25";
    fixed.replace(fixed.find(from), from.size(), "2026-11-20 00:15,1600");
    WriteFile(dir.File("fixed.csv"), fixed);
    CommandResult r = import(dir.File("fixed.csv"), {"--format", "csv", "--unit", "kwh"});
    INFO(fixed << r.Describe());
    REQUIRE(r.exit_code == 0);
    CHECK(Field(r.out, "revised") == 1);
    CHECK(Field(r.out, "unchanged") == 7);
  }
  auto value_at = [&](const google::protobuf::Struct& resp, const std::string& start) {
    for (const auto& v : List(resp, "values")) {
      if (Str(v, "start") == start) return std::make_pair(Int(v, "valueWh"), Int(v, "revision"));
    }
    return std::make_pair<int64_t, int64_t>(-1, -1);
  };
  {
    // 2026-11-20 00:15 in Asia/Almaty (UTC+5).
    const auto latest =
        Readings(metering.address, code, {"--period", "2026-11", "--resolution", "native"});
    CHECK(value_at(latest, "2026-11-19T19:15:00Z") == std::make_pair<int64_t, int64_t>(1600000, 2));
    CHECK(value_at(latest, "2026-11-19T19:00:00Z").first == 1520500);
    const auto first =
        Readings(metering.address, code,
                 {"--period", "2026-11", "--resolution", "native", "--revision", "1"});
    CHECK(value_at(first, "2026-11-19T19:15:00Z").first == 1498250);
  }

  // An 80020 file in Windows-1251, a day of 2026-11-21, four quarter hours.
  {
    const std::string xml = absl::StrCat(
        "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n"
        "<message class=\"80020\" version=\"2\" number=\"17\">\n"
        "  <datetime><timestamp>20261122093000</timestamp>"
        "<daylightsavingtime>0</daylightsavingtime><day>20261121</day></datetime>\n"
        "  <sender><inn>990740000683</inn><name>АО «KEGOC»</name></sender>\n"
        "  <area><inn>000740001307</inn><name>Участник</name>\n"
        "    <measuringpoint code=\"",
        code,
        "\" name=\"Ввод 110 кВ\">\n"
        "      <measuringchannel code=\"01\" desc=\"активная приём\">\n"
        "        <period start=\"0000\" end=\"0015\"><value status=\"0\">100,5</value></period>\n"
        "        <period start=\"0015\" end=\"0030\"><value status=\"1\">200</value></period>\n"
        "        <period start=\"0030\" end=\"0045\"><value status=\"0\">150</value></period>\n"
        "        <period start=\"0045\" end=\"0100\"><value status=\"0\">50,25</value></period>\n"
        "      </measuringchannel>\n"
        "    </measuringpoint>\n"
        "  </area>\n"
        "</message>\n");
    WriteFile(dir.File("day.xml"), ToCp1251(xml));
    CommandResult r = import(dir.File("day.xml"), {"--format", "80020", "--unit", "kwh"});
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    CHECK(Field(r.out, "accepted") == 4);
    CHECK(Field(r.out, "rejected") == 0);
    CHECK(Field(r.out, "with a non-normal status code") == 1);  // the 00:15 value, status 1
    CommandResult again =
        import(dir.File("day.xml"), {"--format", "80020", "--encoding", "cp1251"});
    INFO(again.Describe());
    REQUIRE(again.exit_code == 0);
    CHECK(Field(again.out, "accepted") == 0);
    CHECK(Field(again.out, "unchanged") == 4);
    const auto day =
        Readings(metering.address, code, {"--period", "2026-11", "--resolution", "day"});
    CHECK(value_at(day, "2026-11-20T19:00:00Z").first == 100500 + 200000 + 150000 + 50250);
  }

  // A bad file is refused whole, naming the line; its good lines are not stored.
  {
    const std::string bad =
        absl::StrCat("point_code,channel,interval_start,value\n", code, ",01,2026-11-22 00:00,10\n",
                     code, ",01,2026-11-22 00:15,abc\n");
    WriteFile(dir.File("bad.csv"), bad);
    CommandResult r = import(dir.File("bad.csv"), {"--format", "csv", "--unit", "kwh"});
    INFO(r.Describe());
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("line 3") != std::string::npos);
    const auto day =
        Readings(metering.address, code, {"--period", "2026-11", "--resolution", "day"});
    CHECK(value_at(day, "2026-11-21T19:00:00Z").first == 0);
  }
}

TEST_CASE("metering: points from gridbillctl, local times with offsets, a file over 16 MiB",
          "[suite][metering]") {
  TempDir dir;
  Running metering(kMeteringBin, CreateDatabase("suite_m2_metering"), dir, "metering");
  metering.WaitServing(seconds(90));
  auto ctl = [&](std::vector<std::string> args, seconds timeout = seconds(120)) {
    args.push_back("--metering-addr");
    args.push_back(metering.address);
    return Ctl(args, timeout);
  };
  auto json = [&](std::vector<std::string> args) {
    args.push_back("--output");
    args.push_back("json");
    CommandResult r = ctl(args);
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    return Json(r.out);
  };

  // --- One point: create, change, reassign. --------------------------------
  google::protobuf::Struct p =
      json({"metering", "points", "create", "MP-S1", "--name", "Ввод 220 кВ Т-1", "--substation",
            "PS-220-EKI", "--voltage-level", "220", "--channels", "01,02", "--resolution", "pt60m",
            "--valid-from", "2024-01-01", "--participant", "P-1"});
  CHECK(Str(p, "code") == "MP-S1");
  CHECK(List(p, "channels").size() == 2);
  CHECK(Str(p, "resolution") == "RESOLUTION_PT60M");
  p = json({"metering", "points", "update", "MP-S1", "--meter-serial", "SN-778812", "--ct-ratio",
            "120"});
  CHECK(Str(p, "meterSerial") == "SN-778812");
  CHECK(Int(p, "version") == 2);
  p = json(
      {"metering", "points", "assign", "MP-S1", "--participant", "P-2", "--from", "2024-03-01"});
  const auto owners = List(p, "assignments");
  REQUIRE(owners.size() == 2);
  CHECK(Str(owners[0], "participantId") == "P-1");
  CHECK(Int(owners[0].fields().at("validTo").struct_value(), "day") == 29);
  CHECK(Str(owners[1], "participantId") == "P-2");
  {
    CommandResult r = ctl({"metering", "points", "update", "MP-S1"});
    CHECK(r.exit_code == 2);  // nothing to change
  }

  // --- Points from CSV, with a progress bar and a bad line. ----------------
  std::string points_csv =
      "code,name,channels,resolution,valid_from,participant_id\n"
      "MP-S2,Ввод 110 кВ,01;02,pt30m,2024-01-01,P-1\n"
      "MP-S3,Ввод 35 кВ,01,pt5m,2024-01-01,P-1\n";
  std::vector<std::string> big_codes;
  for (int i = 0; i < 20; ++i) {
    big_codes.push_back(absl::StrFormat("MP-BIG-%02d-%s", i, std::string(46, 'X')));
    absl::StrAppend(&points_csv, big_codes.back(), ",Большой ", i, ",01,pt15m,2024-01-01,P-1\n");
  }
  WriteFile(dir.File("points.csv"), points_csv);
  {
    CommandResult r = ctl({"import", "points", dir.File("points.csv")});
    INFO(r.Describe());
    CHECK(r.exit_code == 1);
    CHECK(Field(r.out, "created") == 21);
    CHECK(Field(r.out, "rejected") == 1);
    CHECK(r.out.find("line 3, column 4 (resolution)") != std::string::npos);
    CHECK(r.err.find("points") != std::string::npos);  // the progress bar
    // The same file again changes nothing (within 2 s of the first import
    // the CLI cannot tell a replay from a creation, so count the points).
    r = ctl({"import", "points", dir.File("points.csv")});
    CHECK(Field(r.out, "rejected") == 1);
    CHECK(List(json({"metering", "points", "list"}), "points").size() == 22);
  }

  // --- The repeated hour of 2024-02-29 shows with its offsets. -------------
  WriteFile(dir.File("leap.csv"),
            "point_code,channel,interval_start,value,quality,source\n"
            "MP-S1,01,2024-02-29T22:00+06:00,1000,,\n"
            "MP-S1,01,2024-02-29T23:00+06:00,2000,,\n"
            "MP-S1,01,2024-02-29T23:00+05:00,3000,,\n");
  {
    CommandResult r =
        ctl({"metering", "import", dir.File("leap.csv"), "--format", "csv", "--unit", "wh"});
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    CHECK(Field(r.out, "accepted") == 3);
    r = ctl({"metering", "readings", "MP-S1", "--period", "2024-02", "--resolution", "native"});
    INFO(r.Describe());
    REQUIRE(r.exit_code == 0);
    const std::regex first("2024-02-29T23:00\\+06:00 +2024-02-29T23:00\\+05:00 .* 2 000 ");
    const std::regex second("2024-02-29T23:00\\+05:00 +2024-03-01T00:00\\+05:00 .* 3 000 ");
    CHECK(std::regex_search(r.out, first));
    CHECK(std::regex_search(r.out, second));
    CHECK(r.out.find("in 697 values") != std::string::npos);
  }

  // --- A month of quarter-hours for 20 points: a file of ~17.5 MiB. --------
  std::string big = "point_code,channel,interval_start,value,quality,source\n";
  int64_t lines = 0;
  for (const std::string& code : big_codes) {
    for (absl::CivilDay day(2024, 4, 1); day < absl::CivilDay(2024, 4, 1) + 106; ++day) {
      for (int q = 0; q < 96; ++q) {
        absl::StrAppendFormat(&big, "%s,01,%04d-%02d-%02d %02d:%02d,%d,,\n", code, day.year(),
                              day.month(), day.day(), q / 4, q % 4 * 15, 1000 + q);
        ++lines;
      }
    }
  }
  REQUIRE(big.size() > size_t{16} << 20);
  WriteFile(dir.File("big.csv"), big);
  {
    CommandResult r =
        ctl({"metering", "import", dir.File("big.csv"), "--format", "csv", "--unit", "wh"},
            seconds(900));
    INFO(r.Describe().substr(0, 4000));
    REQUIRE(r.exit_code == 0);
    CHECK(Field(r.out, "accepted") == lines);
    CHECK(r.err.find("bytes sent") != std::string::npos);
  }
}

}  // namespace
}  // namespace gridbill::suite
