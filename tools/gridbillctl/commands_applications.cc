// gridbillctl applications ...
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"

namespace gridbill::ctl {
namespace {

int64_t TotalVolume(const v1::Application& a) {
  int64_t wh = 0;
  for (const auto& v : a.declared_volumes()) wh += v.volume_wh();
  return wh;
}

int Print(Context& ctx, const v1::Application& a) {
  if (ctx.json()) {
    ctx.PrintJson(a);
    return kExitOk;
  }
  const absl::TimeZone zone = DisplayZone();
  std::string participant = a.participant_id();
  v1::GetParticipantRequest preq;
  preq.set_id(a.participant_id());
  v1::GetParticipantResponse presp;
  if (ctx.client()
          .Call(ctx.client().participants(), &v1::ParticipantService::Stub::GetParticipant, preq,
                &presp)
          .ok()) {
    participant += "  " + presp.participant().short_name();
  }
  std::vector<std::string> volumes;
  for (const auto& v : a.declared_volumes()) {
    volumes.push_back(absl::StrCat(ShortName(v.service_type()), ": ", FormatEnergy(v.volume_wh())));
  }
  ctx.out() << RenderFields({{"ID", a.id()},
                             {"Number", a.number()},
                             {"Participant", participant},
                             {"Type", ShortName(a.type())},
                             {"State", ShortName(a.state())},
                             {"Period", FormatPeriod(a.period())},
                             {"Contract", a.contract_id()},
                             {"Declared volumes", absl::StrJoin(volumes, "\n")},
                             {"Subject", a.subject()},
                             {"Text", a.body()},
                             {"Submitted", FormatTime(a.submit_time(), zone)},
                             {"Due", FormatTime(a.due_time(), zone)},
                             {"Overdue", a.overdue() ? "yes" : "no"},
                             {"Resolution", a.resolution()},
                             {"Decided", FormatTime(a.decide_time(), zone)},
                             {"Closed", FormatTime(a.close_time(), zone)},
                             {"Version", absl::StrCat(a.version())},
                             {"Created", FormatTime(a.create_time(), zone)},
                             {"Updated", FormatTime(a.update_time(), zone)}});
  return kExitOk;
}

int List(Context& ctx, const Args& args) {
  v1::ListApplicationsRequest req;
  CTL_ASSIGN_OR_USAGE(auto type, EnumFlag<v1::ApplicationType>(args, "type"));
  CTL_ASSIGN_OR_USAGE(auto state, EnumFlag<v1::ApplicationState>(args, "state"));
  CTL_ASSIGN_OR_USAGE(auto period, PeriodFlag(args, "period"));
  CTL_ASSIGN_OR_USAGE(int64_t page_size, IntFlag(args, "page-size", 0));
  req.set_participant_id(args.Get("participant"));
  req.set_type(type);
  req.set_state(state);
  if (args.Has("period")) *req.mutable_period() = period;
  req.set_overdue_only(args.Has("overdue"));
  req.set_page_size(static_cast<int32_t>(page_size));
  req.set_page_token(args.Get("page-token"));
  v1::ListApplicationsResponse resp;
  grpc::Status st =
      FetchList(ctx.client(), ctx.client().applications(),
                &v1::ApplicationService::Stub::ListApplications, req, args.Has("all"), &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  const auto names = ParticipantNames(ctx);
  const absl::TimeZone zone = DisplayZone();
  Table t({{"NUMBER"},
           {"TYPE"},
           {"PARTICIPANT", Table::Align::kLeft, 32},
           {"PERIOD"},
           {"STATE"},
           {"SUBMITTED"},
           {"DUE"},
           {"VOLUME", Table::Align::kRight},
           {"ID"}});
  for (const auto& a : resp.applications()) {
    auto it = names.find(a.participant_id());
    t.AddRow({a.number(), ShortName(a.type()), it != names.end() ? it->second : a.participant_id(),
              FormatPeriod(a.period()), ShortName(a.state()) + (a.overdue() ? " (overdue)" : ""),
              FormatTime(a.submit_time(), zone), FormatTime(a.due_time(), zone),
              a.declared_volumes().empty() ? "" : FormatEnergy(TotalVolume(a)), a.id()});
  }
  ctx.out() << t.Render()
            << ListFooter(static_cast<size_t>(resp.applications_size()), resp.total_size(),
                          resp.next_page_token());
  return kExitOk;
}

int Get(Context& ctx, const Args& args) {
  v1::GetApplicationRequest req;
  req.set_id(args.positional()[0]);
  v1::GetApplicationResponse resp;
  grpc::Status st = ctx.client().Call(ctx.client().applications(),
                                      &v1::ApplicationService::Stub::GetApplication, req, &resp);
  if (!st.ok()) return ctx.Fail(st);
  return Print(ctx, resp.application());
}

int Create(Context& ctx, const Args& args) {
  v1::CreateApplicationRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  v1::Application& a = *req.mutable_application();
  if (!args.Has("type")) return ctx.Usage("--type is required");
  CTL_ASSIGN_OR_USAGE(auto type, EnumFlag<v1::ApplicationType>(args, "type"));
  CTL_ASSIGN_OR_USAGE(auto period, PeriodFlag(args, "period"));
  a.set_participant_id(args.Get("participant", ctx.options().client.identity.participant));
  a.set_type(type);
  if (args.Has("period")) *a.mutable_period() = period;
  a.set_contract_id(args.Get("contract"));
  a.set_subject(args.Get("subject"));
  a.set_body(args.Get("body"));
  for (const std::string& v : args.GetAll("volume")) {
    const size_t eq = v.find('=');
    if (eq == std::string::npos) {
      return ctx.Usage(absl::StrCat("--volume: \"", v,
                                    "\" is not SERVICE=AMOUNT, e.g. "
                                    "transmission=12.5GWh"));
    }
    auto service = ParseEnum<v1::ServiceType>(v.substr(0, eq));
    if (!service.ok()) return ctx.Usage(absl::StrCat("--volume: ", service.status().message()));
    auto wh = ParseEnergy(v.substr(eq + 1));
    if (!wh.ok()) return ctx.Usage(absl::StrCat("--volume: ", wh.status().message()));
    auto* dv = a.add_declared_volumes();
    dv->set_service_type(*service);
    dv->set_volume_wh(*wh);
  }
  v1::CreateApplicationResponse resp;
  grpc::Status st =
      ctx.client().Call(ctx.client().applications(),
                        &v1::ApplicationService::Stub::CreateApplication, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  return Print(ctx, resp.application());
}

int Transition(Context& ctx, const Args& args) {
  v1::TransitionApplicationRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  req.set_id(args.positional()[0]);
  if (!args.Has("to")) return ctx.Usage("--to STATE is required");
  CTL_ASSIGN_OR_USAGE(auto to, EnumFlag<v1::ApplicationState>(args, "to"));
  CTL_ASSIGN_OR_USAGE(int64_t expected, IntFlag(args, "expected-version", 0));
  req.set_target_state(to);
  req.set_resolution(args.Get("resolution"));
  req.set_expected_version(expected);
  v1::TransitionApplicationResponse resp;
  grpc::Status st = ctx.client().Call(ctx.client().applications(),
                                      &v1::ApplicationService::Stub::TransitionApplication, req,
                                      &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  return Print(ctx, resp.application());
}

int Count(Context& ctx, const Args& args) {
  if (!args.Has("period")) return ctx.Usage("--period YYYY-MM is required");
  v1::CountApplicationsRequest req;
  CTL_ASSIGN_OR_USAGE(auto period, PeriodFlag(args, "period"));
  CTL_ASSIGN_OR_USAGE(auto type, EnumFlag<v1::ApplicationType>(args, "type"));
  *req.mutable_period() = period;
  req.set_participant_id(args.Get("participant"));
  req.set_type(type);
  v1::CountApplicationsResponse resp;
  grpc::Status st = ctx.client().Call(ctx.client().applications(),
                                      &v1::ApplicationService::Stub::CountApplications, req, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << "applications submitted in " << FormatPeriod(period) << "\n\n"
            << RenderFields({{"Received", GroupDigits(resp.received())},
                             {"Processed", GroupDigits(resp.processed())},
                             {"Closed", GroupDigits(resp.closed())},
                             {"Overdue", GroupDigits(resp.overdue())}})
            << "\n";
  Table t({{"STATE"}, {"NOW", Table::Align::kRight}});
  for (const auto& s : resp.by_state()) t.AddRow({ShortName(s.state()), GroupDigits(s.count())});
  ctx.out() << t.Render();
  return kExitOk;
}

int Comment(Context& ctx, const Args& args) {
  if (!args.Has("text")) return ctx.Usage("--text is required");
  v1::AddApplicationCommentRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  req.set_application_id(args.positional()[0]);
  req.set_text(args.Get("text"));
  v1::AddApplicationCommentResponse resp;
  grpc::Status st = ctx.client().Call(ctx.client().applications(),
                                      &v1::ApplicationService::Stub::AddApplicationComment, req,
                                      &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp.comment());
  } else {
    ctx.out() << "comment " << resp.comment().id() << " added\n";
  }
  return kExitOk;
}

int History(Context& ctx, const Args& args) {
  return ShowHistory(ctx, ctx.client().applications(),
                     &v1::ApplicationService::Stub::ListApplicationHistory, args.positional()[0]);
}

int Comments(Context& ctx, const Args& args) {
  v1::ListApplicationCommentsRequest req;
  req.set_application_id(args.positional()[0]);
  v1::ListApplicationCommentsResponse resp;
  grpc::Status st = FetchList(ctx.client(), ctx.client().applications(),
                              &v1::ApplicationService::Stub::ListApplicationComments, req,
                              /*all=*/true, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  const absl::TimeZone zone = DisplayZone();
  for (const auto& c : resp.comments()) {
    ctx.out() << FormatTime(c.create_time(), zone) << "  " << c.author() << "\n  " << c.text()
              << "\n";
  }
  if (resp.comments().empty()) ctx.out() << "no comments\n";
  return kExitOk;
}

}  // namespace

void AddApplicationCommands(std::vector<Command>& out) {
  const FlagSpec type_flag{"type", "TYPE",
                           "declared_volumes, contract_conclusion, contract_amendment, "
                           "metering_correction or metering_point_connection"};
  std::vector<FlagSpec> list_flags = {
      {"participant", "ID", "only this participant's applications"},
      type_flag,
      {"state", "STATE", "draft, submitted, in_review, approved, rejected or closed"},
      {"period", "YYYY-MM", "only applications about this billing period"},
      {"overdue", "", "only applications overdue now"}};
  for (auto& f : PageFlags()) list_flags.push_back(f);
  out.push_back(
      {"applications", "list", "", 0, 0, "List applications, newest first", list_flags, "", List});
  out.push_back({"applications", "get", "ID", 1, 1, "Show one application", {}, "", Get});
  out.push_back(
      {"applications",
       "create",
       "",
       0,
       0,
       "File an application (in the draft state)",
       {{"participant", "ID", "the participant (default: --participant of the caller)"},
        type_flag,
        {"period", "YYYY-MM", "the billing period it is about"},
        {"contract", "ID", "the contract it is about"},
        {"volume", "SERVICE=AMOUNT",
         "a declared volume, e.g. transmission=12.5GWh (units Wh, kWh, MWh, GWh; default kWh)",
         true},
        {"subject", "TEXT", "one-line subject"},
        {"body", "TEXT", "the text of the request"},
        {"request-id", "ID", "idempotency key (default: a new random one)"}},
       "",
       Create});
  out.push_back(
      {"applications",
       "transition",
       "ID",
       1,
       1,
       "Move an application: draft -> submitted -> in_review -> approved|rejected -> closed",
       {{"to", "STATE", "the state to move to (required)"},
        {"resolution", "TEXT", "the decision text (required for approval and rejection)"},
        {"expected-version", "N", "fail if the application changed meanwhile"},
        {"request-id", "ID", "idempotency key (default: a new random one)"}},
       "",
       Transition});
  out.push_back({"applications",
                 "count",
                 "",
                 0,
                 0,
                 "Count applications submitted in a period: received, processed, closed, overdue",
                 {{"period", "YYYY-MM", "the billing period (required)"},
                  {"participant", "ID", "only this participant"},
                  type_flag},
                 "",
                 Count});
  out.push_back({"applications",
                 "comment",
                 "ID",
                 1,
                 1,
                 "Add a comment to an application",
                 {{"text", "TEXT", "the comment (required)"},
                  {"request-id", "ID", "idempotency key (default: a new random one)"}},
                 "",
                 Comment});
  out.push_back(
      {"applications", "comments", "ID", 1, 1, "Show an application's comments", {}, "", Comments});
  out.push_back({"applications",
                 "history",
                 "ID",
                 1,
                 1,
                 "Show an application's change history, state changes and resolutions included",
                 {},
                 "",
                 History});
}

}  // namespace gridbill::ctl
