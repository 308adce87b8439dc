// gridbillctl metering import|points|readings|estimate
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"
#include "tools/gridbillctl/progress.h"

namespace gridbill::ctl {
namespace {

namespace mv1 = ::gridbill::metering::v1;

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<mv1::Channel> ChannelFlag(const Args& args) {
  const std::string c = args.Get("channel", "01");
  if (c == "01" || c == "1") return mv1::CHANNEL_ACTIVE_RECEIVED;
  if (c == "02" || c == "2") return mv1::CHANNEL_ACTIVE_DELIVERED;
  if (c == "03" || c == "3") return mv1::CHANNEL_REACTIVE_RECEIVED;
  if (c == "04" || c == "4") return mv1::CHANNEL_REACTIVE_DELIVERED;
  return absl::InvalidArgumentError(absl::StrCat("--channel: \"", c, "\" is not 01, 02, 03 or 04"));
}

std::string ChannelText(int c) { return absl::StrCat(c < 10 ? "0" : "", c); }

std::string CurrentOwner(const mv1::MeteringPoint& p) {
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), DisplayZone());
  for (const auto& a : p.assignments()) {
    const absl::CivilDay from(a.valid_from().year(), a.valid_from().month(), a.valid_from().day());
    const bool open = a.valid_to().year() == 0;
    const absl::CivilDay to(a.valid_to().year(), a.valid_to().month(), a.valid_to().day());
    if (from <= today && (open || today <= to)) return a.participant_id();
  }
  return "";
}

// ---------------------------------------------------------------------------
// metering import

int Import(Context& ctx, const Args& args) {
  const std::string path = args.positional()[0];
  mv1::StartImportRequest req;
  const std::string format = absl::AsciiStrToLower(args.Get("format"));
  if (format == "csv") {
    req.set_format(mv1::IMPORT_FORMAT_CSV);
  } else if (format == "80020" || format == "xml") {
    req.set_format(mv1::IMPORT_FORMAT_XML_80020);
  } else {
    return ctx.Usage("--format: required, csv or 80020");
  }
  const std::string encoding = absl::AsciiStrToLower(args.Get("encoding", "auto"));
  if (encoding == "auto") {
    req.set_encoding(mv1::TEXT_ENCODING_UNSPECIFIED);
  } else if (encoding == "utf8" || encoding == "utf-8") {
    req.set_encoding(mv1::TEXT_ENCODING_UTF8);
  } else if (encoding == "cp1251" || encoding == "windows-1251") {
    req.set_encoding(mv1::TEXT_ENCODING_WINDOWS_1251);
  } else {
    return ctx.Usage("--encoding: auto, utf8 or cp1251");
  }
  const std::string unit = absl::AsciiStrToLower(args.Get("unit", "kwh"));
  if (unit == "wh") {
    req.set_unit(mv1::ENERGY_UNIT_WH);
  } else if (unit == "kwh") {
    req.set_unit(mv1::ENERGY_UNIT_KWH);
  } else if (unit == "mwh") {
    req.set_unit(mv1::ENERGY_UNIT_MWH);
  } else {
    return ctx.Usage("--unit: wh, kwh or mwh");
  }
  CTL_ASSIGN_OR_USAGE(auto source, EnumFlag<mv1::Source>(args, "source"));
  req.set_source(source);
  absl::StatusOr<std::string> content = ReadWholeFile(path);
  if (!content.ok()) return ctx.Fail(content.status().message());
  req.set_request_id(args.Get("request-id", NewRequestId()));
  req.set_file_name(path);
  req.set_content(*std::move(content));

  const Client& client = ctx.client();
  mv1::StartImportResponse started;
  grpc::Status st = client.Call(client.metering_imports(), &mv1::ImportService::Stub::StartImport,
                                req, &started, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);

  // The watch lasts as long as the import: no per-call deadline.
  std::unique_ptr<grpc::ClientContext> wctx = client.NewContext();
  wctx->set_deadline(std::chrono::system_clock::now() + std::chrono::hours(24));
  mv1::WatchImportJobRequest watch;
  watch.set_job_id(started.job().id());
  auto reader = client.metering_imports().WatchImportJob(wctx.get(), watch);
  mv1::WatchImportJobResponse msg, last;
  last.mutable_job()->CopyFrom(started.job());
  {
    std::unique_ptr<Progress> progress;
    int64_t shown = 0;
    while (reader->Read(&msg)) {
      last = msg;
      if (!progress) progress = std::make_unique<Progress>("points", msg.job().total());
      progress->Advance(msg.job().done() - shown);
      shown = msg.job().done();
    }
  }
  st = reader->Finish();
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(last);
  } else {
    const auto& s = last.summary();
    ctx.out() << "imported " << path << " (job " << last.job().id()
              << "): " << ShortName(last.job().state()) << "\n"
              << RenderFields({{"  points", absl::StrCat(GroupDigits(last.job().done()), " of ",
                                                         GroupDigits(last.job().total()))},
                               {"  accepted", GroupDigits(s.accepted())},
                               {"  unchanged", GroupDigits(s.unchanged())},
                               {"  revised", GroupDigits(s.revised())},
                               {"  rejected", GroupDigits(s.rejected())},
                               {"  flagged by VEE", GroupDigits(s.flagged())}});
    if (!last.job().error().empty()) ctx.out() << "error: " << last.job().error() << "\n";
    if (s.rejections_size() > 0) {
      ctx.out() << "rejected readings:\n";
      for (const auto& r : s.rejections())
        ctx.out() << "  " << r.key() << ": " << r.reason() << "\n";
    }
  }
  return last.job().state() == common::v1::JOB_STATE_SUCCEEDED && last.summary().rejected() == 0
             ? kExitOk
             : kExitFailed;
}

// ---------------------------------------------------------------------------
// metering points list|get

int Points(Context& ctx, const Args& args) {
  const std::string verb = args.positional()[0];
  const Client& client = ctx.client();
  if (verb == "get") {
    if (args.positional().size() != 2) return ctx.Usage("metering points get CODE");
    mv1::GetMeteringPointRequest req;
    req.set_code(args.positional()[1]);
    mv1::GetMeteringPointResponse resp;
    grpc::Status st = client.Call(client.metering_points(),
                                  &mv1::MeteringPointService::Stub::GetMeteringPoint, req, &resp);
    if (!st.ok()) return ctx.Fail(st);
    if (ctx.json()) {
      ctx.PrintJson(resp.point());
      return kExitOk;
    }
    const auto& p = resp.point();
    std::vector<std::string> channels;
    for (const auto& c : p.channels()) channels.push_back(ChannelText(c.channel()));
    std::vector<std::string> owners;
    for (const auto& a : p.assignments()) {
      owners.push_back(absl::StrCat(a.participant_id(), " ", FormatDate(a.valid_from()), "..",
                                    FormatDate(a.valid_to())));
    }
    const absl::TimeZone zone = DisplayZone();
    ctx.out() << RenderFields(
        {{"Code", p.code()},
         {"EIC", p.eic()},
         {"Name", p.name()},
         {"Substation", p.substation_code()},
         {"Voltage level", p.voltage_level_code()},
         {"Resolution", ShortName(p.resolution())},
         {"Status", ShortName(p.status())},
         {"Channels", absl::StrJoin(channels, ", ")},
         {"Meter serial", p.meter_serial()},
         {"CT / VT ratio", absl::StrCat(p.ct_ratio(), " / ", p.vt_ratio())},
         {"Valid", absl::StrCat(FormatDate(p.valid_from()), "..", FormatDate(p.valid_to()))},
         {"Owners", absl::StrJoin(owners, "; ")},
         {"Version", absl::StrCat(p.version())},
         {"Updated", FormatTime(p.update_time(), zone)}});
    return kExitOk;
  }
  if (verb != "list" || args.positional().size() != 1) {
    return ctx.Usage("metering points list|get CODE");
  }
  mv1::ListMeteringPointsRequest req;
  req.set_participant_id(args.Get("participant"));
  req.set_substation_code(args.Get("substation"));
  mv1::ListMeteringPointsResponse resp;
  grpc::Status st =
      FetchList(client, client.metering_points(),
                &mv1::MeteringPointService::Stub::ListMeteringPoints, req, true, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"CODE"},
           {"NAME", Table::Align::kLeft, 40},
           {"SUBSTATION"},
           {"RES"},
           {"STATUS"},
           {"CHANNELS"},
           {"OWNER"}});
  for (const auto& p : resp.points()) {
    std::vector<std::string> channels;
    for (const auto& c : p.channels()) channels.push_back(ChannelText(c.channel()));
    t.AddRow({p.code(), p.name(), p.substation_code(), ShortName(p.resolution()),
              ShortName(p.status()), absl::StrJoin(channels, ","), CurrentOwner(p)});
  }
  ctx.out() << t.Render()
            << ListFooter(static_cast<size_t>(resp.points_size()), resp.points_size(), "");
  return kExitOk;
}

// ---------------------------------------------------------------------------
// metering readings

int ReadingsCmd(Context& ctx, const Args& args) {
  if (!args.Has("period")) return ctx.Usage("--period YYYY-MM is required");
  mv1::GetReadingsRequest req;
  req.set_point_code(args.positional()[0]);
  CTL_ASSIGN_OR_USAGE(auto channel, ChannelFlag(args));
  CTL_ASSIGN_OR_USAGE(auto period, PeriodFlag(args, "period"));
  req.set_channel(channel);
  *req.mutable_period() = period;
  if (args.Has("resolution")) {
    CTL_ASSIGN_OR_USAGE(auto aggregation, EnumFlag<mv1::Aggregation>(args, "resolution"));
    req.set_aggregation(aggregation);
  } else {
    req.set_aggregation(mv1::AGGREGATION_DAY);
  }
  if (args.Has("revision")) {
    CTL_ASSIGN_OR_USAGE(int64_t rev, IntFlag(args, "revision", 0));
    req.mutable_as_of()->set_revision(static_cast<int32_t>(rev));
  }
  mv1::GetReadingsResponse resp;
  const Client& client = ctx.client();
  grpc::Status st =
      client.Call(client.readings(), &mv1::ReadingService::Stub::GetReadings, req, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  const absl::TimeZone zone = DisplayZone();
  Table t({{"START"},
           {"END"},
           {"VALUE", Table::Align::kRight},
           {"WH", Table::Align::kRight},
           {"QUALITY"},
           {"REV", Table::Align::kRight},
           {"SOURCE"},
           {"SCADA WH", Table::Align::kRight},
           {"FINDINGS"}});
  for (const auto& v : resp.values()) {
    std::vector<std::string> findings;
    for (int f : v.findings()) findings.push_back(ShortName(static_cast<mv1::Finding>(f)));
    // Source and SCADA's check value exist at native resolution only.
    t.AddRow({FormatTime(v.start(), zone), FormatTime(v.end(), zone), FormatEnergy(v.value_wh()),
              GroupDigits(v.value_wh()), ShortName(v.quality()),
              v.revision() > 0 ? absl::StrCat(v.revision()) : "",
              v.source() != mv1::SOURCE_UNSPECIFIED ? ShortName(v.source()) : "",
              v.has_scada_value_wh() ? GroupDigits(v.scada_value_wh()) : "",
              absl::StrJoin(findings, ",")});
  }
  ctx.out() << t.Render() << "total " << FormatEnergy(resp.total_wh()) << " ("
            << GroupDigits(resp.total_wh()) << " Wh) in " << resp.values_size() << " values\n";
  return kExitOk;
}

// ---------------------------------------------------------------------------
// metering estimate

int EstimateCmd(Context& ctx, const Args& args) {
  if (!args.Has("period")) return ctx.Usage("--period YYYY-MM is required");
  mv1::EstimateGapsRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  for (const auto& p : args.positional()) req.add_point_codes(p);
  CTL_ASSIGN_OR_USAGE(auto channel, ChannelFlag(args));
  CTL_ASSIGN_OR_USAGE(auto period, PeriodFlag(args, "period"));
  CTL_ASSIGN_OR_USAGE(int64_t max_linear, IntFlag(args, "max-linear", 0));
  req.set_channel(channel);
  *req.mutable_period() = period;
  req.set_max_linear_intervals(static_cast<int32_t>(max_linear));
  mv1::EstimateGapsResponse resp;
  const Client& client = ctx.client();
  grpc::Status st = client.Call(client.readings(), &mv1::ReadingService::Stub::EstimateGaps, req,
                                &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << RenderFields({{"intervals estimated", GroupDigits(resp.estimated())},
                             {"day revisions written", GroupDigits(resp.revisions_written())}});
  return kExitOk;
}

}  // namespace

void AddMeteringCommands(std::vector<Command>& out) {
  out.push_back(
      {"metering",
       "import",
       "FILE",
       1,
       1,
       "Import a CSV or 80020 file of interval readings",
       {{"format", "csv|80020", "the file's format (required)"},
        {"encoding", "auto|utf8|cp1251", "the file's encoding (default auto)"},
        {"unit", "wh|kwh|mwh", "the unit of the file's values (default kwh)"},
        {"source", "scada|cms|participant|operator", "the source recorded (default cms)"},
        {"request-id", "ID", "idempotency key (default: a new one)"}},
       "The service checks the whole file first: a bad line or element refuses the file\n"
       "with its line number and writes nothing. Then a job stores it point by point;\n"
       "the progress bar follows the job. Formats: README.md, \"Metering import formats\".\n"
       "Exit code 0 when the job succeeded with no rejected reading, 1 otherwise.",
       Import});
  out.push_back({"metering",
                 "points",
                 "list|get [CODE]",
                 1,
                 2,
                 "List or show metering points",
                 {{"participant", "ID", "list: only points of this participant"},
                  {"substation", "CODE", "list: only points of this substation"}},
                 "",
                 Points});
  out.push_back({"metering",
                 "readings",
                 "POINT",
                 1,
                 1,
                 "Show a point's readings for a month",
                 {{"channel", "01..04", "the channel (default 01)"},
                  {"period", "YYYY-MM", "the billing month (required)"},
                  {"resolution", "hour|day|month|native", "sums per (default day)"},
                  {"revision", "N", "as of this revision (default latest)"}},
                 "Buckets are hours, days and months of the operator's zone.",
                 ReadingsCmd});
  out.push_back({"metering",
                 "estimate",
                 "POINT...",
                 1,
                 100,
                 "Estimate the gaps of a month",
                 {{"channel", "01..04", "the channel (default 01)"},
                  {"period", "YYYY-MM", "the billing month (required)"},
                  {"max-linear", "N",
                   "gaps up to N intervals are interpolated (default: "
                   "the service's)"},
                  {"request-id", "ID", "idempotency key (default: a new one)"}},
                 "Short gaps: linear interpolation; longer ones: the same-weekday profile of the\n"
                 "previous weeks. Measured values are never changed.",
                 EstimateCmd});
}

}  // namespace gridbill::ctl
