// gridbillctl reference ...
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"

namespace gridbill::ctl {
namespace {

// The kind's attributes in one short cell.
std::string Details(const v1::ReferenceRecord& r) {
  switch (r.details_case()) {
    case v1::ReferenceRecord::kRegion:
      return absl::StrCat("KATO ", r.region().kato_code());
    case v1::ReferenceRecord::kVoltageLevel:
      return absl::StrCat(r.voltage_level().nominal_kv(), " kV");
    case v1::ReferenceRecord::kSubstation:
      return absl::StrCat(r.substation().region_code(), ", level ",
                          r.substation().voltage_level_code());
    case v1::ReferenceRecord::kPowerLine: {
      const auto& l = r.power_line();
      const int64_t m = l.length_m();
      return absl::StrCat(l.from_substation_code(), " – ", l.to_substation_code(), ", level ",
                          l.voltage_level_code(), ", ", GroupDigits(m / 1000), ".",
                          absl::StrFormat("%03d", static_cast<int>(m % 1000)), " km");
    }
    case v1::ReferenceRecord::kBank:
      return absl::StrCat("BIK ", r.bank().bik(), r.bank().bin().empty() ? "" : ", BIN ",
                          r.bank().bin());
    default:
      return "";
  }
}

int List(Context& ctx, const Args& args) {
  v1::ListReferenceRecordsRequest req;
  CTL_ASSIGN_OR_USAGE(auto kind, EnumFlag<v1::ReferenceKind>(args, "kind"));
  CTL_ASSIGN_OR_USAGE(auto valid_on, DateFlag(args, "valid-on"));
  CTL_ASSIGN_OR_USAGE(int64_t page_size, IntFlag(args, "page-size", 0));
  req.set_kind(kind);
  if (args.Has("valid-on")) *req.mutable_valid_on() = valid_on;
  req.set_query(args.Get("query"));
  req.set_code(args.Get("code"));
  req.set_page_size(static_cast<int32_t>(page_size));
  req.set_page_token(args.Get("page-token"));
  v1::ListReferenceRecordsResponse resp;
  grpc::Status st =
      FetchList(ctx.client(), ctx.client().reference(),
                &v1::ReferenceDataService::Stub::ListReferenceRecords, req, args.Has("all"), &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"KIND"},
           {"CODE"},
           {"NAME", Table::Align::kLeft, 48},
           {"VALID FROM"},
           {"VALID TO"},
           {"DETAILS", Table::Align::kLeft, 44},
           {"ID"}});
  for (const auto& r : resp.records()) {
    t.AddRow({ShortName(r.kind()), r.code(), r.name(), FormatDate(r.valid_from()),
              FormatDate(r.valid_to()), Details(r), r.id()});
  }
  ctx.out() << t.Render()
            << ListFooter(static_cast<size_t>(resp.records_size()), resp.total_size(),
                          resp.next_page_token());
  return kExitOk;
}

int Get(Context& ctx, const Args& args) {
  v1::GetReferenceRecordRequest req;
  req.set_id(args.positional()[0]);
  v1::GetReferenceRecordResponse resp;
  grpc::Status st = ctx.client().Call(
      ctx.client().reference(), &v1::ReferenceDataService::Stub::GetReferenceRecord, req, &resp);
  if (!st.ok()) return ctx.Fail(st);
  const v1::ReferenceRecord& r = resp.record();
  if (ctx.json()) {
    ctx.PrintJson(r);
    return kExitOk;
  }
  const absl::TimeZone zone = DisplayZone();
  ctx.out() << RenderFields(
      {{"ID", r.id()},
       {"Kind", ShortName(r.kind())},
       {"Code", r.code()},
       {"Name", r.name()},
       {"Name (kk)", r.name_kk()},
       {"Valid from", FormatDate(r.valid_from())},
       {"Valid to", FormatDate(r.valid_to()).empty() ? "open-ended" : FormatDate(r.valid_to())},
       {"Details", Details(r)},
       {"Version", absl::StrCat(r.version())},
       {"Created", FormatTime(r.create_time(), zone)},
       {"Updated", FormatTime(r.update_time(), zone)}});
  return kExitOk;
}

int History(Context& ctx, const Args& args) {
  return ShowHistory(ctx, ctx.client().reference(),
                     &v1::ReferenceDataService::Stub::ListReferenceRecordHistory,
                     args.positional()[0]);
}

}  // namespace

void AddReferenceCommands(std::vector<Command>& out) {
  std::vector<FlagSpec> list_flags = {
      {"kind", "KIND",
       "region, voltage_level, substation, service_type, participant_role, document_type, "
       "power_line, bank or unit"},
      {"valid-on", "YYYY-MM-DD", "only records valid on this date"},
      {"query", "TEXT", "code or name contains (case-insensitive)"},
      {"code", "CODE", "exactly this code (all its versions)"}};
  for (auto& f : PageFlags()) list_flags.push_back(f);
  out.push_back({"reference", "list", "", 0, 0, "List reference records", list_flags, "", List});
  out.push_back({"reference", "get", "ID", 1, 1, "Show one reference record", {}, "", Get});
  out.push_back({"reference",
                 "history",
                 "ID",
                 1,
                 1,
                 "Show a reference record's change history",
                 {},
                 "",
                 History});
}

}  // namespace gridbill::ctl
