// gridbillctl metering import|points|readings|estimate
#include <chrono>
#include <fstream>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"
#include "tools/gridbillctl/import_format.h"
#include "tools/gridbillctl/progress.h"

namespace gridbill::ctl {
namespace {

namespace mv1 = ::gridbill::metering::v1;

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
  req.set_request_id(args.Get("request-id", NewRequestId()));
  req.set_file_name(path);

  // The file goes in chunks of 1 MiB (UploadImport), so its size is bounded
  // by the service's import_max_bytes, not by the gRPC message limit.
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) return ctx.Fail(absl::StrCat("cannot read ", path));
  const int64_t size = static_cast<int64_t>(file.tellg());
  const Client& client = ctx.client();
  mv1::UploadImportResponse started;
  grpc::Status st;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    file.clear();
    file.seekg(0);
    std::unique_ptr<grpc::ClientContext> uctx = client.NewContext();
    uctx->set_deadline(std::chrono::system_clock::now() + std::chrono::hours(1));
    auto writer = client.metering_imports().UploadImport(uctx.get(), &started);
    mv1::UploadImportRequest msg;
    *msg.mutable_start() = req;
    bool open = writer->Write(msg);
    {
      Progress progress("bytes sent", size);
      constexpr size_t kChunk = size_t{1} << 20;
      std::string buffer(kChunk, '\0');
      while (open && file) {
        file.read(buffer.data(), static_cast<std::streamsize>(kChunk));
        const std::streamsize n = file.gcount();
        if (n <= 0) break;
        msg.set_chunk(buffer.data(), static_cast<size_t>(n));
        open = writer->Write(msg);
        progress.Advance(n);
      }
    }
    if (open) writer->WritesDone();
    st = writer->Finish();
    if (st.error_code() != grpc::StatusCode::UNAVAILABLE) break;
  }
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
              << RenderFields(
                     {{"  points", absl::StrCat(GroupDigits(last.job().done()), " of ",
                                                GroupDigits(last.job().total()))},
                      {"  accepted", GroupDigits(s.accepted())},
                      {"  unchanged", GroupDigits(s.unchanged())},
                      {"  revised", GroupDigits(s.revised())},
                      {"  missing in the file (stored values kept)", GroupDigits(s.missing())},
                      {"  rejected", GroupDigits(s.rejected())},
                      {"  with a non-normal status code", GroupDigits(s.status_flagged())},
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
// metering points create|update|assign

// The flags of `points create|update` and the columns of the points CSV
// format they set (import_format.h).
constexpr std::pair<const char*, const char*> kPointFlags[] = {
    {"eic", "eic"},
    {"name", "name"},
    {"substation", "substation_code"},
    {"voltage-level", "voltage_level_code"},
    {"meter-serial", "meter_serial"},
    {"channels", "channels"},
    {"ct-ratio", "ct_ratio"},
    {"vt-ratio", "vt_ratio"},
    {"resolution", "resolution"},
    {"status", "status"},
    {"valid-from", "valid_from"},
    {"valid-to", "valid_to"},
};

// Applies the flags given; `changed` says whether any was.
absl::Status ApplyPointFlags(const Args& args, mv1::MeteringPoint& p, bool* changed) {
  for (const auto& [flag, column] : kPointFlags) {
    if (!args.Has(flag)) continue;
    absl::Status st = SetPointColumn(p, column, args.Get(flag));
    if (!st.ok()) return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", st.message()));
    *changed = true;
  }
  return absl::OkStatus();
}

absl::StatusOr<mv1::MeteringPoint> GetPoint(const Client& client, const std::string& code,
                                            grpc::Status* st) {
  mv1::GetMeteringPointRequest req;
  req.set_code(code);
  mv1::GetMeteringPointResponse resp;
  *st = client.Call(client.metering_points(), &mv1::MeteringPointService::Stub::GetMeteringPoint,
                    req, &resp);
  return resp.point();
}

int PrintPoint(Context& ctx, const mv1::MeteringPoint& p);

int UpdatePoint(Context& ctx, const Args& args, const mv1::MeteringPoint& point) {
  const Client& client = ctx.client();
  mv1::UpdateMeteringPointRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  *req.mutable_point() = point;
  req.set_expected_version(point.version());
  mv1::UpdateMeteringPointResponse resp;
  grpc::Status st =
      client.Call(client.metering_points(), &mv1::MeteringPointService::Stub::UpdateMeteringPoint,
                  req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  return PrintPoint(ctx, resp.point());
}

int CreatePointCmd(Context& ctx, const Args& args) {
  for (const char* required : {"name", "channels", "resolution", "valid-from"}) {
    if (!args.Has(required)) {
      return ctx.Usage("--name, --channels, --resolution and --valid-from are required");
    }
  }
  mv1::CreateMeteringPointRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  mv1::MeteringPoint& p = *req.mutable_point();
  p.set_code(args.positional()[1]);
  p.set_status(mv1::METERING_POINT_STATUS_ACTIVE);
  bool changed = false;
  if (absl::Status st = ApplyPointFlags(args, p, &changed); !st.ok()) return ctx.Usage(st);
  if (args.Has("participant")) {
    mv1::Assignment* a = p.add_assignments();
    a->set_participant_id(args.Get("participant"));
    *a->mutable_valid_from() = p.valid_from();
  }
  const Client& client = ctx.client();
  mv1::CreateMeteringPointResponse resp;
  grpc::Status st =
      client.Call(client.metering_points(), &mv1::MeteringPointService::Stub::CreateMeteringPoint,
                  req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  return PrintPoint(ctx, resp.point());
}

int UpdatePointCmd(Context& ctx, const Args& args) {
  grpc::Status st;
  absl::StatusOr<mv1::MeteringPoint> p = GetPoint(ctx.client(), args.positional()[1], &st);
  if (!st.ok()) return ctx.Fail(st);
  bool changed = false;
  if (absl::Status bad = ApplyPointFlags(args, *p, &changed); !bad.ok()) return ctx.Usage(bad);
  if (!changed) return ctx.Usage("nothing to change: give at least one attribute flag");
  return UpdatePoint(ctx, args, *p);
}

// Assigns the point to a participant from a date: the assignment in force
// the day before (open or running past it) ends that day.
int AssignPointCmd(Context& ctx, const Args& args) {
  if (!args.Has("participant") || !args.Has("from")) {
    return ctx.Usage("--participant and --from are required");
  }
  CTL_ASSIGN_OR_USAGE(auto from, DateFlag(args, "from"));
  CTL_ASSIGN_OR_USAGE(auto to, DateFlag(args, "to"));
  grpc::Status st;
  absl::StatusOr<mv1::MeteringPoint> p = GetPoint(ctx.client(), args.positional()[1], &st);
  if (!st.ok()) return ctx.Fail(st);
  const absl::CivilDay start(from.year(), from.month(), from.day());
  auto day_of = [](const common::v1::Date& d) {
    return absl::CivilDay(d.year(), d.month(), d.day());
  };
  for (mv1::Assignment& a : *p->mutable_assignments()) {
    const bool open = a.valid_to().year() == 0;
    if (day_of(a.valid_from()) >= start) {
      if (!args.Has("to") || day_of(a.valid_from()) <= day_of(to)) {
        return ctx.Fail(
            absl::StrCat("the point is assigned to ", a.participant_id(), " from ",
                         FormatDate(a.valid_from()), ", not before ", FormatDate(from),
                         "; change that assignment with `metering points update` first"));
      }
      continue;
    }
    if (open || day_of(a.valid_to()) >= start) {
      const absl::CivilDay end = start - 1;
      a.mutable_valid_to()->set_year(static_cast<int32_t>(end.year()));
      a.mutable_valid_to()->set_month(end.month());
      a.mutable_valid_to()->set_day(end.day());
    }
  }
  mv1::Assignment* a = p->add_assignments();
  a->set_participant_id(args.Get("participant"));
  *a->mutable_valid_from() = from;
  if (args.Has("to")) *a->mutable_valid_to() = to;
  return UpdatePoint(ctx, args, *p);
}

int PrintPoint(Context& ctx, const mv1::MeteringPoint& p) {
  if (ctx.json()) {
    ctx.PrintJson(p);
    return kExitOk;
  }
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

// ---------------------------------------------------------------------------
// metering points list|get

int Points(Context& ctx, const Args& args) {
  const std::string verb = args.positional()[0];
  const Client& client = ctx.client();
  if (verb == "create" || verb == "update" || verb == "assign") {
    if (args.positional().size() != 2)
      return ctx.Usage(absl::StrCat("metering points ", verb, " CODE"));
    if (verb == "create") return CreatePointCmd(ctx, args);
    if (verb == "update") return UpdatePointCmd(ctx, args);
    return AssignPointCmd(ctx, args);
  }
  if (verb == "get") {
    if (args.positional().size() != 2) return ctx.Usage("metering points get CODE");
    mv1::GetMeteringPointRequest req;
    req.set_code(args.positional()[1]);
    mv1::GetMeteringPointResponse resp;
    grpc::Status st = client.Call(client.metering_points(),
                                  &mv1::MeteringPointService::Stub::GetMeteringPoint, req, &resp);
    if (!st.ok()) return ctx.Fail(st);
    return PrintPoint(ctx, resp.point());
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
           {"STATUS", Table::Align::kRight},
           {"FINDINGS"}});
  for (const auto& v : resp.values()) {
    std::vector<std::string> findings;
    for (int f : v.findings()) findings.push_back(ShortName(static_cast<mv1::Finding>(f)));
    // Source, SCADA's check value and the sender's status code exist at
    // native resolution only. Local times carry their offset: an hour that
    // repeats on a zone change shows twice with different offsets.
    t.AddRow({FormatTime(v.start(), zone), FormatTime(v.end(), zone), FormatEnergy(v.value_wh()),
              GroupDigits(v.value_wh()), ShortName(v.quality()),
              v.revision() > 0 ? absl::StrCat(v.revision()) : "",
              v.source() != mv1::SOURCE_UNSPECIFIED ? ShortName(v.source()) : "",
              v.has_scada_value_wh() ? GroupDigits(v.scada_value_wh()) : "",
              v.source_status_code() != 0 ? absl::StrCat(v.source_status_code()) : "",
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
  out.push_back(
      {"metering",
       "points",
       "list|get|create|update|assign [CODE]",
       1,
       2,
       "List, show, create, change or assign metering points",
       {{"participant", "ID", "list: only points of this participant; create, assign: the owner"},
        {"substation", "CODE", "list: only points of this substation; create, update"},
        {"name", "TEXT", "create, update: the point's name"},
        {"eic", "CODE", "create, update: the EIC (type Z)"},
        {"voltage-level", "CODE", "create, update: voltage level code, e.g. 220"},
        {"channels", "01;02", "create, update: the channels measured"},
        {"meter-serial", "TEXT", "create, update: the meter serial number"},
        {"ct-ratio", "DECIMAL", "create, update: current transformer ratio"},
        {"vt-ratio", "DECIMAL", "create, update: voltage transformer ratio"},
        {"resolution", "pt15m|pt30m|pt60m", "create, update: interval length"},
        {"status", "active|inactive|decommissioned", "create, update"},
        {"valid-from", "YYYY-MM-DD", "create, update: first day of readings"},
        {"valid-to", "YYYY-MM-DD", "create, update: last day (\"\" = open-ended)"},
        {"from", "YYYY-MM-DD", "assign: first day of the new owner"},
        {"to", "YYYY-MM-DD", "assign: last day (default open-ended)"},
        {"request-id", "ID", "create, update, assign: idempotency key"}},
       "create CODE needs --name, --channels, --resolution and --valid-from\n"
       "(--participant assigns it from --valid-from). update CODE changes the\n"
       "attributes given (based on the version read, so a concurrent change is\n"
       "refused). assign CODE --participant P --from D ends the assignment in force\n"
       "the day before on D-1 and adds P from D. Many points: `import points FILE.csv`.",
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
