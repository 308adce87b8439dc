// gridbillctl balance ...: balance runs with a progress bar and a summary
// table, their results, diffs between runs, and accounting schemes.
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gridbill/balance/v1/balance.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "tools/demo/demo_data.h"
#include "tools/demo/metering_points.h"
#include "tools/demo/schemes.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"
#include "tools/gridbillctl/progress.h"

namespace gridbill::ctl {
namespace {

namespace bv1 = ::gridbill::balance::v1;
namespace cv1 = ::gridbill::contracts::v1;
namespace mv1 = ::gridbill::metering::v1;

// The balance service: --balance-addr, else $GRIDBILL_BALANCE_ADDR, else 127.0.0.1:7103.
struct Balance {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<bv1::BalanceService::Stub> runs;
  std::unique_ptr<bv1::SchemeService::Stub> schemes;
};

Balance Connect(const Args& args) {
  const std::string addr =
      args.Get("balance-addr", ServiceAddress("GRIDBILL_BALANCE_ADDR", "127.0.0.1:7103"));
  grpc::ChannelArguments ch;
  ch.SetMaxReceiveMessageSize(256 << 20);
  Balance b;
  b.channel = SignedChannel(addr, ch);
  b.runs = bv1::BalanceService::NewStub(b.channel);
  b.schemes = bv1::SchemeService::NewStub(b.channel);
  return b;
}

FlagSpec AddrFlag() {
  return {"balance-addr", "HOST:PORT",
          "the balance service (default $GRIDBILL_BALANCE_ADDR, the gateway, or 127.0.0.1:7103)"};
}

std::string Share(int64_t part, int64_t whole) {
  if (whole == 0) return "-";
  // Per mille rounded half up, shown as a percentage with one decimal.
  const int64_t pm = (part * 2000 + whole) / (2 * whole);
  return absl::StrCat(pm / 10, ".", pm % 10, "%");
}

std::string Service(cv1::ServiceType s) { return ShortName(s); }

// "3 shown (next page: --page-token X, or --all)": the balance lists carry no total.
std::string Footer(int shown, const std::string& next_token) {
  std::string out = absl::StrCat(GroupDigits(shown), " shown");
  if (!next_token.empty()) {
    absl::StrAppend(&out, " (next page: --page-token ", next_token, ", or --all)");
  }
  return out + "\n";
}

// The closure line of a succeeded run; a run without node schemes has no
// node losses to close against, so its closure was not checked.
std::string ClosureLine(const bv1::ClosureCheck& c) {
  if (!c.checked()) {
    return absl::StrCat("not checked: the run has no node scheme (supply ",
                        FormatEnergy(c.supply_wh()), ", consumption ",
                        FormatEnergy(c.consumption_wh()), ")");
  }
  return absl::StrCat(c.closed() ? "closes" : "DOES NOT CLOSE", " (residual ",
                      FormatEnergy(c.residual_wh()), ", tolerance ", c.tolerance_percent().value(),
                      "% of supply ", FormatEnergy(c.supply_wh()), ")");
}

void PrintRun(Context& ctx, const bv1::BalanceRun& r) {
  const absl::TimeZone zone = DisplayZone();
  const auto& s = r.summary();
  std::string type = ShortName(r.type());
  if (r.type() == bv1::RUN_TYPE_CORRECTION) absl::StrAppend(&type, " ", r.correction_number());
  ctx.out() << RenderFields(
      {{"Run", r.id()},
       {"Period", FormatPeriod(r.period())},
       {"Type", type},
       {"State", ShortName(r.job().state())},
       {"Progress", absl::StrCat(r.job().done(), " of ", r.job().total(), " shards")},
       {"Base run", r.base_run_id()},
       {"Readings as of", FormatTime(r.inputs().readings_as_of(), zone)},
       {"Computed until", FormatTime(r.computed_until(), zone)},
       {"Scheme versions", absl::StrCat(r.inputs().schemes_size())},
       {"Declared volumes", absl::StrCat(r.inputs().declared_volumes_size())},
       {"Hours", absl::StrCat(s.hours())},
       {"Point-days read", GroupDigits(s.point_days())},
       {"Estimated", Share(s.quality().estimated(), s.quality().intervals())},
       {"Missing", Share(s.quality().missing(), s.quality().intervals())},
       {"Grid closure",
        r.job().state() == common::v1::JOB_STATE_SUCCEEDED ? ClosureLine(s.closure()) : ""},
       {"Started", FormatTime(r.job().start_time(), zone)},
       {"Finished", FormatTime(r.job().finish_time(), zone)},
       {"Error", r.job().error()}});
}

int PrintTotals(Context& ctx, const Balance& b, const std::string& run_id,
                const std::string& participant) {
  bv1::ListRunTotalsRequest req;
  req.set_run_id(run_id);
  req.set_participant_id(participant);
  bv1::ListRunTotalsResponse resp;
  // Every page: the service totals, then the node totals.
  grpc::Status st = FetchList(ctx.client(), *b.runs, &bv1::BalanceService::Stub::ListRunTotals, req,
                              /*all=*/true, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  PrintRun(ctx, resp.run());
  const std::map<std::string, std::string> names = ParticipantNames(ctx);
  Table t({{"PARTICIPANT", Table::Align::kLeft, 32},
           {"SERVICE"},
           {"VOLUME", Table::Align::kRight},
           {"DECLARED", Table::Align::kRight},
           {"IMBALANCE", Table::Align::kRight},
           {"HOURS", Table::Align::kRight},
           {"ESTIMATED", Table::Align::kRight},
           {"MISSING", Table::Align::kRight}});
  for (const auto& s : resp.services()) {
    auto it = names.find(s.participant_id());
    t.AddRow({it != names.end() ? it->second : s.participant_id(), Service(s.service_type()),
              FormatEnergy(s.actual_wh()), s.has_declaration() ? FormatEnergy(s.declared_wh()) : "",
              s.has_declaration() ? FormatEnergy(s.imbalance_wh()) : "", absl::StrCat(s.hours()),
              Share(s.quality().estimated(), s.quality().intervals()),
              Share(s.quality().missing(), s.quality().intervals())});
  }
  ctx.out() << "\n" << t.Render();
  if (resp.nodes_size() > 0) {
    Table n({{"NODE"},
             {"KIND"},
             {"INFLOW", Table::Align::kRight},
             {"OUTFLOW", Table::Align::kRight},
             {"LOSSES", Table::Align::kRight},
             {"LOSSES %", Table::Align::kRight},
             {"NORM %", Table::Align::kRight},
             {""}});
    for (const auto& x : resp.nodes()) {
      n.AddRow({x.node_code(), ShortName(x.kind()), FormatEnergy(x.inflow_wh()),
                FormatEnergy(x.outflow_wh()), FormatEnergy(x.losses_wh()),
                x.losses_percent().value(), x.normative_loss_percent().value(),
                x.above_normative() ? "above norm" : ""});
    }
    ctx.out() << "\n" << n.Render();
  }
  return kExitOk;
}

// Follows a run until it ends, drawing its shards on a progress bar.
bv1::BalanceRun Follow(Context& ctx, const Balance& b, const bv1::BalanceRun& started,
                       grpc::Status* status) {
  std::unique_ptr<grpc::ClientContext> wctx = ctx.client().NewContext();
  wctx->set_deadline(std::chrono::system_clock::now() + std::chrono::hours(24));
  bv1::WatchRunRequest watch;
  watch.set_run_id(started.id());
  auto reader = b.runs->WatchRun(wctx.get(), watch);
  bv1::WatchRunResponse msg;
  bv1::BalanceRun last = started;
  {
    std::unique_ptr<Progress> progress;
    int64_t shown = 0;
    while (reader->Read(&msg)) {
      last = msg.run();
      if (!progress) {
        progress = std::make_unique<Progress>(absl::StrCat("run ", last.id(), " shards"),
                                              last.job().total());
      }
      progress->Advance(last.job().done() - shown);
      shown = last.job().done();
    }
  }
  *status = reader->Finish();
  return last;
}

absl::StatusOr<bv1::RunType> RunTypeFlag(const Args& args) {
  const std::string t = absl::AsciiStrToLower(args.Get("type", "preliminary"));
  if (t == "preliminary") return bv1::RUN_TYPE_PRELIMINARY;
  if (t == "final") return bv1::RUN_TYPE_FINAL;
  if (t == "correction") return bv1::RUN_TYPE_CORRECTION;
  if (t == "verification") return bv1::RUN_TYPE_VERIFICATION;
  return absl::InvalidArgumentError(
      "--type: preliminary, final, correction or verification (with --base)");
}

int RunCmd(Context& ctx, const Args& args) {
  Balance b = Connect(args);
  bv1::StartRunRequest req;
  CTL_ASSIGN_OR_USAGE(bv1::RunType type, RunTypeFlag(args));
  req.set_type(type);
  if (!args.positional().empty()) {
    CTL_ASSIGN_OR_USAGE(*req.mutable_period(), ParsePeriod(args.positional()[0], "PERIOD"));
  } else if (type != bv1::RUN_TYPE_VERIFICATION) {
    return ctx.Usage("PERIOD is required (YYYY-MM)");
  }
  req.set_base_run_id(args.Get("base"));
  req.set_request_id(args.Get("request-id", NewRequestId()));
  bv1::StartRunResponse started;
  grpc::Status st =
      ctx.client().Call(*b.runs, &bv1::BalanceService::Stub::StartRun, req, &started, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (args.Has("no-wait")) {
    if (ctx.json()) {
      ctx.PrintJson(started.run());
    } else {
      ctx.out() << "started balance run " << started.run().id() << "\n";
    }
    return kExitOk;
  }
  bv1::BalanceRun last = Follow(ctx, b, started.run(), &st);
  if (!st.ok()) return ctx.Fail(st);
  const int rc = PrintTotals(ctx, b, last.id(), "");
  if (rc != kExitOk) return rc;
  return last.job().state() == common::v1::JOB_STATE_SUCCEEDED ? kExitOk : kExitFailed;
}

int ShowCmd(Context& ctx, const Args& args) {
  Balance b = Connect(args);
  return PrintTotals(ctx, b, args.positional()[0], args.Get("participant"));
}

int RunsCmd(Context& ctx, const Args& args) {
  Balance b = Connect(args);
  bv1::ListRunsRequest req;
  if (args.Has("period")) {
    CTL_ASSIGN_OR_USAGE(*req.mutable_period(), PeriodFlag(args, "period"));
  }
  if (args.Has("type")) {
    CTL_ASSIGN_OR_USAGE(bv1::RunType type, RunTypeFlag(args));
    req.set_type(type);
  }
  bv1::ListRunsResponse resp;
  grpc::Status st = FetchList(ctx.client(), *b.runs, &bv1::BalanceService::Stub::ListRuns, req,
                              args.Has("all"), &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  const absl::TimeZone zone = DisplayZone();
  Table t({{"RUN", Table::Align::kRight},
           {"PERIOD"},
           {"TYPE"},
           {"STATE"},
           {"SHARDS", Table::Align::kRight},
           {"READINGS AS OF"},
           {"FINISHED"},
           {"CLOSURE"}});
  for (const auto& r : resp.runs()) {
    std::string type = ShortName(r.type());
    if (r.type() == bv1::RUN_TYPE_CORRECTION) absl::StrAppend(&type, " ", r.correction_number());
    t.AddRow({r.id(), FormatPeriod(r.period()), type, ShortName(r.job().state()),
              absl::StrCat(r.job().done(), "/", r.job().total()),
              FormatTime(r.inputs().readings_as_of(), zone),
              FormatTime(r.job().finish_time(), zone),
              r.job().state() == common::v1::JOB_STATE_SUCCEEDED
                  ? (!r.summary().closure().checked() ? "not checked"
                     : r.summary().closure().closed() ? "closes"
                                                      : "OPEN")
                  : ""});
  }
  ctx.out() << t.Render() << Footer(resp.runs_size(), resp.next_page_token());
  return kExitOk;
}

int CancelCmd(Context& ctx, const Args& args) {
  Balance b = Connect(args);
  bv1::CancelRunRequest req;
  req.set_run_id(args.positional()[0]);
  req.set_request_id(args.Get("request-id", NewRequestId()));
  bv1::CancelRunResponse resp;
  grpc::Status st =
      ctx.client().Call(*b.runs, &bv1::BalanceService::Stub::CancelRun, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp.run());
  } else {
    ctx.out() << "run " << resp.run().id() << ": " << ShortName(resp.run().job().state()) << "\n";
  }
  return kExitOk;
}

int DiffCmd(Context& ctx, const Args& args) {
  Balance b = Connect(args);
  bv1::DiffRunsRequest req;
  req.set_base_run_id(args.positional()[0]);
  req.set_other_run_id(args.positional()[1]);
  req.set_include_unchanged(args.Has("all"));
  bv1::DiffRunsResponse resp;
  grpc::Status st =
      ctx.client().Call(*b.runs, &bv1::BalanceService::Stub::DiffRuns, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  const std::map<std::string, std::string> names = ParticipantNames(ctx);
  Table t({{"PARTICIPANT", Table::Align::kLeft, 32},
           {"SERVICE"},
           {"BASE", Table::Align::kRight},
           {"OTHER", Table::Align::kRight},
           {"DELTA", Table::Align::kRight},
           {"HOURS", Table::Align::kRight},
           {"CAUSES", Table::Align::kLeft, 70}});
  for (const auto& d : resp.services()) {
    std::vector<std::string> causes;
    for (const auto& c : d.causes()) {
      if (causes.size() == 3) {
        causes.push_back(absl::StrCat("+", d.causes_size() - 3, " more"));
        break;
      }
      switch (c.kind()) {
        case bv1::CAUSE_KIND_READINGS_REVISION:
          causes.push_back(absl::StrCat(c.point_code(), "/", ShortName(c.channel()), " ",
                                        FormatDate(c.day()), " rev ", c.base_revision(), "->",
                                        c.other_revision()));
          break;
        case bv1::CAUSE_KIND_SCHEME_VERSION:
          causes.push_back(absl::StrCat("scheme ", c.base_scheme_id(), "->", c.other_scheme_id()));
          break;
        case bv1::CAUSE_KIND_DECLARED_VOLUME:
          causes.push_back(absl::StrCat("declared ", FormatEnergy(c.base_declared_wh()), "->",
                                        FormatEnergy(c.other_declared_wh())));
          break;
        default:
          break;
      }
    }
    auto it = names.find(d.participant_id());
    t.AddRow({it != names.end() ? it->second : d.participant_id(), Service(d.service_type()),
              FormatEnergy(d.base_wh()), FormatEnergy(d.other_wh()), FormatEnergy(d.delta_wh()),
              absl::StrCat(d.changed_hours()), absl::StrJoin(causes, "; ")});
  }
  ctx.out() << t.Render() << resp.services_size() << " participant services differ; "
            << resp.changed_point_days() << " point-days read at another revision; "
            << resp.changed_schemes() << " scheme subjects changed\n";
  return kExitOk;
}

int HoursCmd(Context& ctx, const Args& args) {
  Balance b = Connect(args);
  bv1::ListServiceHoursRequest req;
  req.set_run_id(args.positional()[0]);
  req.set_participant_id(args.Get("participant"));
  if (args.Has("service")) {
    CTL_ASSIGN_OR_USAGE(cv1::ServiceType s, EnumFlag<cv1::ServiceType>(args, "service"));
    req.set_service_type(s);
  }
  CTL_ASSIGN_OR_USAGE(int64_t size, IntFlag(args, "page-size", 0));
  req.set_page_size(static_cast<int32_t>(size));
  req.set_page_token(args.Get("page-token"));
  bv1::ListServiceHoursResponse resp;
  grpc::Status st = FetchList(ctx.client(), *b.runs, &bv1::BalanceService::Stub::ListServiceHours,
                              req, args.Has("all"), &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  const absl::TimeZone zone = DisplayZone();
  Table t({{"PARTICIPANT"},
           {"SERVICE"},
           {"HOUR"},
           {"ACTUAL Wh", Table::Align::kRight},
           {"DECLARED Wh", Table::Align::kRight},
           {"IMBALANCE Wh", Table::Align::kRight},
           {"EST", Table::Align::kRight},
           {"MISS", Table::Align::kRight}});
  for (const auto& h : resp.hours()) {
    t.AddRow({h.participant_id(), Service(h.service_type()), FormatTime(h.hour_start(), zone),
              GroupDigits(h.actual_wh()), h.has_declaration() ? GroupDigits(h.declared_wh()) : "",
              h.has_declaration() ? GroupDigits(h.imbalance_wh()) : "",
              absl::StrCat(h.quality().estimated()), absl::StrCat(h.quality().missing())});
  }
  ctx.out() << t.Render() << Footer(resp.hours_size(), resp.next_page_token());
  return kExitOk;
}

// "CODE:01:+" -> a term; sign + / - (participants) or in / out (nodes).
absl::StatusOr<bv1::SchemeTerm> ParseTerm(const std::string& text, bool node) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  if (parts.size() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("--term ", text, ": expected POINT:CHANNEL:", node ? "in|out" : "+|-",
                     " e.g. PT-1:01:", node ? "in" : "+"));
  }
  bv1::SchemeTerm t;
  t.set_point_code(parts[0]);
  int channel = 0;
  if (!absl::SimpleAtoi(parts[1], &channel) || channel < 1 || channel > 4) {
    return absl::InvalidArgumentError(absl::StrCat("--term ", text, ": channel 01..04"));
  }
  t.set_channel(static_cast<mv1::Channel>(channel));
  const std::string r = absl::AsciiStrToLower(parts[2]);
  if (r == "+" || r == "add") {
    t.set_role(bv1::TERM_ROLE_ADD);
  } else if (r == "-" || r == "subtract") {
    t.set_role(bv1::TERM_ROLE_SUBTRACT);
  } else if (r == "in" || r == "inflow") {
    t.set_role(bv1::TERM_ROLE_INFLOW);
  } else if (r == "out" || r == "outflow") {
    t.set_role(bv1::TERM_ROLE_OUTFLOW);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("--term ", text, ": role +, -, in or out"));
  }
  return t;
}

int SchemesCmd(Context& ctx, const Args& args) {
  Balance b = Connect(args);
  const std::string verb = args.positional()[0];
  if (verb == "define") {
    bv1::DefineSchemeRequest req;
    req.set_request_id(args.Get("request-id", NewRequestId()));
    bv1::Scheme* s = req.mutable_scheme();
    const bool node = args.Has("node") || args.Has("region");
    if (args.Has("region")) {
      s->set_kind(bv1::SCHEME_KIND_REGION);
      s->set_node_code(args.Get("region"));
    } else if (args.Has("node")) {
      s->set_kind(bv1::SCHEME_KIND_NODE);
      s->set_node_code(args.Get("node"));
    } else {
      s->set_kind(bv1::SCHEME_KIND_PARTICIPANT_SERVICE);
      s->set_participant_id(args.Get("participant"));
      CTL_ASSIGN_OR_USAGE(cv1::ServiceType st, EnumFlag<cv1::ServiceType>(args, "service"));
      s->set_service_type(st);
    }
    s->set_name(args.Get("name"));
    for (const std::string& t : args.GetAll("term")) {
      CTL_ASSIGN_OR_USAGE(*s->add_terms(), ParseTerm(t, node));
    }
    CTL_ASSIGN_OR_USAGE(*s->mutable_valid_from(), DateFlag(args, "from"));
    CTL_ASSIGN_OR_USAGE(*s->mutable_valid_to(), DateFlag(args, "to"));
    if (args.Has("normative"))
      s->mutable_normative_loss_percent()->set_value(args.Get("normative"));
    s->set_reason(args.Get("reason"));
    bv1::DefineSchemeResponse resp;
    grpc::Status st = ctx.client().Call(*b.schemes, &bv1::SchemeService::Stub::DefineScheme, req,
                                        &resp, nullptr, 3);
    if (!st.ok()) return ctx.Fail(st);
    if (ctx.json()) {
      ctx.PrintJson(resp.scheme());
    } else {
      ctx.out() << "scheme " << resp.scheme().id() << " version " << resp.scheme().version()
                << "\n";
    }
    return kExitOk;
  }
  if (verb == "close") {
    if (args.positional().size() != 2) return ctx.Usage("balance schemes close ID --to DATE");
    bv1::CloseSchemeRequest req;
    req.set_request_id(args.Get("request-id", NewRequestId()));
    req.set_scheme_id(args.positional()[1]);
    CTL_ASSIGN_OR_USAGE(*req.mutable_valid_to(), DateFlag(args, "to"));
    req.set_reason(args.Get("reason"));
    bv1::CloseSchemeResponse resp;
    grpc::Status st = ctx.client().Call(*b.schemes, &bv1::SchemeService::Stub::CloseScheme, req,
                                        &resp, nullptr, 3);
    if (!st.ok()) return ctx.Fail(st);
    ctx.out() << "scheme " << resp.scheme().id() << " valid until "
              << FormatDate(resp.scheme().valid_to()) << "\n";
    return kExitOk;
  }
  if (verb != "list") return ctx.Usage("balance schemes list|define|close");
  bv1::ListSchemesRequest req;
  req.set_participant_id(args.Get("participant"));
  req.set_node_code(args.Get("node"));
  if (args.Has("period")) {
    CTL_ASSIGN_OR_USAGE(*req.mutable_period(), PeriodFlag(args, "period"));
  }
  bv1::ListSchemesResponse resp;
  grpc::Status st =
      FetchList(ctx.client(), *b.schemes, &bv1::SchemeService::Stub::ListSchemes, req, true, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"ID", Table::Align::kRight},
           {"SUBJECT", Table::Align::kLeft, 40},
           {"V", Table::Align::kRight},
           {"VALID"},
           {"TERMS", Table::Align::kLeft, 60}});
  for (const auto& s : resp.schemes()) {
    std::vector<std::string> terms;
    for (const auto& x : s.terms()) {
      const char* role = x.role() == bv1::TERM_ROLE_ADD        ? "+"
                         : x.role() == bv1::TERM_ROLE_SUBTRACT ? "-"
                         : x.role() == bv1::TERM_ROLE_INFLOW   ? "in "
                                                               : "out ";
      terms.push_back(absl::StrCat(role, x.point_code(), "/", ShortName(x.channel())));
    }
    const std::string subject =
        s.kind() == bv1::SCHEME_KIND_PARTICIPANT_SERVICE
            ? absl::StrCat(s.participant_id(), " ", Service(s.service_type()))
            : absl::StrCat(ShortName(s.kind()), " ", s.node_code());
    t.AddRow({s.id(), subject, absl::StrCat(s.version()),
              absl::StrCat(FormatDate(s.valid_from()), "..", FormatDate(s.valid_to())),
              absl::StrJoin(terms, " ")});
  }
  ctx.out() << t.Render() << resp.schemes_size() << " scheme versions\n";
  return kExitOk;
}

// Defines the demo schemes (tools/demo/schemes.h) for the demo participants
// already loaded into contracts (matched by BIN) and metering.
int DemoSchemesCmd(Context& ctx, const Args& args) {
  Balance b = Connect(args);
  demo::Options options;
  const std::string seed = args.Get("seed", "42");
  if (!absl::SimpleAtoi(seed, &options.seed)) return ctx.Usage("--seed: a whole number");
  CTL_ASSIGN_OR_USAGE(int64_t max_points, IntFlag(args, "max-points", 0));
  const demo::DataSet data = demo::Generate(options);
  demo::MeteringOptions mopt;
  mopt.max_points = static_cast<int>(max_points);
  const demo::MeteringSet set = demo::GenerateMetering(data, mopt);

  cv1::ListParticipantsRequest list;
  cv1::ListParticipantsResponse participants;
  grpc::Status st =
      FetchList(ctx.client(), ctx.client().participants(),
                &cv1::ParticipantService::Stub::ListParticipants, list, true, &participants);
  if (!st.ok()) return ctx.Fail(st);
  std::map<std::string, std::string> by_bin;
  for (const auto& p : participants.participants()) by_bin[p.bin()] = p.id();
  std::vector<std::string> ids;
  for (const auto& dp : data.participants) {
    auto it = by_bin.find(dp.participant.bin());
    ids.push_back(it != by_bin.end() ? it->second : "");
  }
  const std::vector<demo::DemoScheme> schemes = demo::GenerateSchemes(data, set, ids);
  int64_t defined = 0, failed = 0;
  {
    Progress progress("schemes", static_cast<int64_t>(schemes.size()));
    for (const demo::DemoScheme& s : schemes) {
      bv1::DefineSchemeRequest req;
      req.set_request_id(absl::StrCat("demo-", options.seed, "-scheme:", s.key));
      *req.mutable_scheme() = s.scheme;
      bv1::DefineSchemeResponse resp;
      grpc::Status r = ctx.client().Call(*b.schemes, &bv1::SchemeService::Stub::DefineScheme, req,
                                         &resp, nullptr, 3);
      if (r.ok()) {
        ++defined;
      } else {
        ++failed;
        ctx.err() << "scheme " << s.key << ": " << Describe(r) << "\n";
      }
      progress.Advance();
    }
  }
  ctx.out() << "demo schemes (seed " << options.seed << "): " << defined << " defined or already "
            << "present, " << failed << " refused\n";
  return failed == 0 ? kExitOk : kExitFailed;
}

}  // namespace

void AddBalanceCommands(std::vector<Command>& out) {
  out.push_back({"balance",
                 "run",
                 "PERIOD",
                 0,
                 1,
                 "Run the balance of a month and show its summary",
                 {{"type", "preliminary|final|correction|verification", "default preliminary"},
                  {"base", "RUN", "verification: the run to recompute from its recorded inputs"},
                  {"no-wait", "", "return once the run is started"},
                  {"request-id", "ID", "idempotency key (default: a new one)"},
                  AddrFlag()},
                 "A final run needs the whole month and is refused while another final run of\n"
                 "the month is pending, running or done (then run a correction). The progress\n"
                 "bar follows the run's shards; the table shows per participant and service\n"
                 "the volume, the declaration, the imbalance and the share of estimated and\n"
                 "missing intervals, then the nodes' losses and the grid closure.",
                 RunCmd});
  out.push_back({"balance",
                 "show",
                 "RUN",
                 1,
                 1,
                 "Show a run and its totals",
                 {{"participant", "ID", "only this participant's totals"}, AddrFlag()},
                 "",
                 ShowCmd});
  out.push_back({"balance",
                 "runs",
                 "",
                 0,
                 0,
                 "List balance runs",
                 {{"period", "YYYY-MM", "only runs of this month"},
                  {"type", "preliminary|final|correction|verification", "only runs of this type"},
                  {"all", "", "every page"},
                  AddrFlag()},
                 "",
                 RunsCmd});
  out.push_back({"balance",
                 "cancel",
                 "RUN",
                 1,
                 1,
                 "Cancel a pending or running run",
                 {{"request-id", "ID", "idempotency key (default: a new one)"}, AddrFlag()},
                 "A cancelled run keeps no results.",
                 CancelCmd});
  out.push_back({"balance",
                 "diff",
                 "BASE OTHER",
                 2,
                 2,
                 "What changed between two runs of one month, and why",
                 {{"all", "", "also list participant services that did not change"}, AddrFlag()},
                 "Causes: point-days read at another readings revision, other scheme versions,\n"
                 "other declared volumes.",
                 DiffCmd});
  out.push_back({"balance",
                 "hours",
                 "RUN",
                 1,
                 1,
                 "List a run's results per participant, service and hour",
                 {{"participant", "ID", "only this participant"},
                  {"service", "SERVICE", "only this service"},
                  {"page-size", "N", "results per page (default 1000)"},
                  {"page-token", "TOKEN", "the page to show"},
                  {"all", "", "every page"},
                  AddrFlag()},
                 "",
                 HoursCmd});
  out.push_back({"balance",
                 "schemes",
                 "list|define|close [ID]",
                 1,
                 2,
                 "List, define or close accounting schemes",
                 {{"participant", "ID", "define/list: the participant"},
                  {"service", "SERVICE", "define: the participant's service"},
                  {"node", "CODE", "define/list: a node scheme"},
                  {"region", "CODE", "define: a region scheme"},
                  {"name", "TEXT", "define: a name"},
                  {"term", "POINT:CHANNEL:ROLE",
                   "define: a term; ROLE + or - (participant), in or out", true},
                  {"from", "YYYY-MM-DD", "define: first day"},
                  {"to", "YYYY-MM-DD", "define: last day; close: the new last day"},
                  {"normative", "PERCENT", "define: the normative loss rate of a node or region"},
                  {"period", "YYYY-MM", "list: only versions valid in this month"},
                  {"reason", "TEXT", "why (required to close)"},
                  {"request-id", "ID", "idempotency key (default: a new one)"},
                  AddrFlag()},
                 "A new version must not overlap another version of the same subject: close the\n"
                 "old one first. Example:\n"
                 "  gridbillctl balance schemes define --participant P --service transmission \\\n"
                 "    --term PT-1:01:+ --term PT-1:02:- --from 2026-01-01",
                 SchemesCmd});
  out.push_back({"balance",
                 "demo-schemes",
                 "",
                 0,
                 0,
                 "Define the accounting schemes of the demo data set",
                 {{"seed", "N", "the demo generator's seed (default 42)"},
                  {"max-points", "N", "as given to demo load (default 0 = all points)"},
                  AddrFlag()},
                 "Run after `demo load`: one scheme per grid node and, per participant and\n"
                 "contracted service, a version per stretch of days its points stay the same.\n"
                 "Request ids derive from the seed: running it again changes nothing.",
                 DemoSchemesCmd});
}

}  // namespace gridbill::ctl
