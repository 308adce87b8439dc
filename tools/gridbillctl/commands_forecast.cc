// gridbillctl forecast ...: the legacy history import (and the demo's
// history file), forecast runs with their progress, forecasts with their
// intervals and accuracy.
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/forecasting/v1/forecasting.grpc.pb.h"
#include "tools/demo/demo_data.h"
#include "tools/demo/history.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"
#include "tools/gridbillctl/progress.h"

namespace gridbill::ctl {
namespace {

namespace fv1 = ::gridbill::forecasting::v1;

struct Forecasting {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<fv1::ForecastService::Stub> forecasts;
  std::unique_ptr<fv1::HistoryService::Stub> history;
};

Forecasting Connect(const Args& args) {
  const std::string addr =
      args.Get("forecasting-addr", ServiceAddress("GRIDBILL_FORECASTING_ADDR", "127.0.0.1:7105"));
  grpc::ChannelArguments ch;
  ch.SetMaxReceiveMessageSize(64 << 20);
  ch.SetMaxSendMessageSize(64 << 20);
  Forecasting f;
  f.channel = SignedChannel(addr, ch);
  f.forecasts = fv1::ForecastService::NewStub(f.channel);
  f.history = fv1::HistoryService::NewStub(f.channel);
  return f;
}

FlagSpec AddrFlag() {
  return {"forecasting-addr", "HOST:PORT",
          "the forecasting service (default $GRIDBILL_FORECASTING_ADDR, the gateway, or "
          "127.0.0.1:7105)"};
}

bool Ended(common::v1::JobState s) {
  return s != common::v1::JOB_STATE_PENDING && s != common::v1::JOB_STATE_RUNNING;
}

int ExitOf(const common::v1::Job& job) {
  return job.state() == common::v1::JOB_STATE_SUCCEEDED ? kExitOk : kExitFailed;
}

std::string Dec(const common::v1::Decimal& d) { return d.value().empty() ? "-" : d.value(); }

void PrintRun(Context& ctx, const fv1::ForecastRun& r) {
  const absl::TimeZone zone = DisplayZone();
  const fv1::ForecastRunInputs& in = r.inputs();
  ctx.out() << RenderFields({
      {"Run", absl::StrCat(r.id(), " (version ", r.version(), ")")},
      {"State", ShortName(r.job().state())},
      {"Progress", absl::StrCat(r.job().done(), " of ", r.job().total(), " series")},
      {"History",
       absl::StrCat(FormatPeriod(in.history_from()), " .. ", FormatPeriod(in.history_to()), ", ",
                    in.series(), " series, ", in.gap_months(), " months without volume")},
      {"Billing runs", absl::StrCat(in.billing_run_ids_size())},
      {"History imports", absl::StrCat(in.history_import_ids_size())},
      {"Horizon", absl::StrCat(r.horizon_months(), " months")},
      {"Median MASE", absl::StrCat(Dec(r.accuracy().median_mase_chosen()), " (seasonal naive ",
                                   Dec(r.accuracy().median_mase_seasonal_naive()), ")")},
      {"Coverage", absl::StrCat("80 %: ", Dec(r.accuracy().coverage_80_percent()),
                                ", 95 %: ", Dec(r.accuracy().coverage_95_percent()))},
      {"Models", r.accuracy().chosen_models()},
      {"Summary", r.job().summary()},
      {"Started", FormatTime(r.job().start_time(), zone)},
      {"Finished", FormatTime(r.job().finish_time(), zone)},
      {"Error", r.job().error()},
  });
}

void PrintImport(Context& ctx, const fv1::HistoryImport& i) {
  ctx.out() << RenderFields({{"Import", i.id()},
                             {"File", absl::StrCat(i.file_name(), " (sha256 ", i.sha256(), ")")},
                             {"State", ShortName(i.job().state())},
                             {"Rows", GroupDigits(i.rows())},
                             {"New or changed", GroupDigits(i.changed())},
                             {"Already present", GroupDigits(i.unchanged())},
                             {"Summary", i.job().summary()},
                             {"Error", i.job().error()}});
}

int ImportHistoryCmd(Context& ctx, const Args& args) {
  const std::string path = args.positional()[0];
  std::ifstream in(path, std::ios::binary);
  if (!in) return ctx.Fail(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  Forecasting f = Connect(args);
  fv1::ImportHistoryRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  req.set_file_name(path.substr(path.find_last_of('/') + 1));
  req.set_content(buffer.str());
  fv1::ImportHistoryResponse resp;
  grpc::Status st = ctx.client().Call(*f.history, &fv1::HistoryService::Stub::ImportHistory, req,
                                      &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  fv1::HistoryImport last = resp.import();
  std::unique_ptr<Progress> progress;
  int64_t shown = 0;
  while (!args.Has("no-wait") && !Ended(last.job().state())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    fv1::GetHistoryImportRequest g;
    g.set_import_id(last.id());
    fv1::GetHistoryImportResponse gr;
    st = ctx.client().Call(*f.history, &fv1::HistoryService::Stub::GetHistoryImport, g, &gr,
                           nullptr, 3);
    if (!st.ok()) return ctx.Fail(st);
    last = gr.import();
    if (!progress && last.job().total() > 0) {
      progress = std::make_unique<Progress>("history rows", last.job().total());
    }
    if (progress) progress->Advance(last.job().done() - shown), shown = last.job().done();
  }
  if (ctx.json()) {
    ctx.PrintJson(last);
  } else {
    PrintImport(ctx, last);
  }
  return args.Has("no-wait") ? kExitOk : ExitOf(last.job());
}

int DemoHistoryCmd(Context& ctx, const Args& args) {
  CTL_ASSIGN_OR_USAGE(const int64_t seed, IntFlag(args, "seed", 42));
  demo::Options options;
  options.seed = static_cast<uint64_t>(seed);
  const demo::DataSet data = demo::Generate(options);
  const std::vector<demo::HistoryRow> rows = demo::GenerateHistory(data, demo::HistoryOptions());
  const std::string csv = demo::HistoryCsv(rows);
  const std::string out = args.Get("out", "-");
  if (out == "-") {
    ctx.out() << csv;
    return kExitOk;
  }
  std::ofstream f(out, std::ios::binary);
  f << csv;
  if (!f) return ctx.Fail(absl::StrCat("cannot write ", out));
  ctx.out() << "wrote " << out << " (" << GroupDigits(static_cast<int64_t>(rows.size()))
            << " rows, 2019-01 .. 2025-10)\n";
  return kExitOk;
}

absl::StatusOr<fv1::ForecastRun> GetRun(Context& ctx, Forecasting& f, const std::string& id) {
  fv1::GetForecastRunRequest g;
  g.set_run_id(id);
  fv1::GetForecastRunResponse gr;
  grpc::Status st = ctx.client().Call(*f.forecasts, &fv1::ForecastService::Stub::GetForecastRun, g,
                                      &gr, nullptr, 3);
  if (!st.ok())
    return absl::Status(static_cast<absl::StatusCode>(st.error_code()), st.error_message());
  return gr.run();
}

int RunCmd(Context& ctx, const Args& args) {
  Forecasting f = Connect(args);
  fv1::StartForecastRunRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  if (args.Has("history-to")) {
    CTL_ASSIGN_OR_USAGE(*req.mutable_history_to(), PeriodFlag(args, "history-to"));
  }
  CTL_ASSIGN_OR_USAGE(const int64_t horizon, IntFlag(args, "horizon", 0));
  req.set_horizon_months(static_cast<int32_t>(horizon));
  fv1::StartForecastRunResponse resp;
  grpc::Status st = ctx.client().Call(*f.forecasts, &fv1::ForecastService::Stub::StartForecastRun,
                                      req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  fv1::ForecastRun last = resp.run();
  std::unique_ptr<Progress> progress;
  int64_t shown = 0;
  while (!args.Has("no-wait") && !Ended(last.job().state())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    absl::StatusOr<fv1::ForecastRun> run = GetRun(ctx, f, last.id());
    if (!run.ok()) return ctx.Fail(run.status().message());
    last = *run;
    if (!progress && last.job().total() > 0) {
      progress = std::make_unique<Progress>(absl::StrCat("run ", last.id(), " series"),
                                            last.job().total());
    }
    if (progress) progress->Advance(last.job().done() - shown), shown = last.job().done();
  }
  if (ctx.json()) {
    ctx.PrintJson(last);
  } else {
    PrintRun(ctx, last);
  }
  return args.Has("no-wait") ? kExitOk : ExitOf(last.job());
}

int RunsCmd(Context& ctx, const Args& args) {
  Forecasting f = Connect(args);
  fv1::ListForecastRunsRequest req;
  fv1::ListForecastRunsResponse resp;
  grpc::Status st = FetchList(ctx.client(), *f.forecasts,
                              &fv1::ForecastService::Stub::ListForecastRuns, req, true, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"RUN"},
           {"VERSION", Table::Align::kRight},
           {"STATE"},
           {"HISTORY TO"},
           {"SERIES", Table::Align::kRight},
           {"MEDIAN MASE", Table::Align::kRight},
           {"SEASONAL NAIVE", Table::Align::kRight}});
  for (const fv1::ForecastRun& r : resp.runs()) {
    t.AddRow({r.id(), absl::StrCat(r.version()), ShortName(r.job().state()),
              FormatPeriod(r.inputs().history_to()), absl::StrCat(r.inputs().series()),
              Dec(r.accuracy().median_mase_chosen()),
              Dec(r.accuracy().median_mase_seasonal_naive())});
  }
  ctx.out() << t.Render();
  return kExitOk;
}

int ShowCmd(Context& ctx, const Args& args) {
  Forecasting f = Connect(args);
  fv1::GetForecastRequest req;
  req.set_run_id(args.Get("run"));
  if (args.Has("participant")) {
    req.set_level(fv1::LEVEL_PARTICIPANT);
    req.set_participant_id(args.Get("participant"));
  } else if (args.Has("contract")) {
    req.set_level(fv1::LEVEL_CONTRACT);
    req.set_contract_id(args.Get("contract"));
  } else if (args.Has("region")) {
    req.set_level(fv1::LEVEL_REGION);
    req.set_region_code(args.Get("region"));
  } else if (args.Has("nation")) {
    req.set_level(fv1::LEVEL_NATION);
  } else {
    return ctx.Usage("one of --participant, --contract, --region, --nation");
  }
  CTL_ASSIGN_OR_USAGE(const contracts::v1::ServiceType service,
                      EnumFlag<contracts::v1::ServiceType>(args, "service"));
  req.set_service_type(service);
  if (args.Has("hourly")) {
    req.set_hourly(true);
    CTL_ASSIGN_OR_USAGE(*req.mutable_period(), PeriodFlag(args, "hourly"));
  }
  fv1::GetForecastResponse resp;
  grpc::Status st = ctx.client().Call(*f.forecasts, &fv1::ForecastService::Stub::GetForecast, req,
                                      &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << "run " << resp.run().id() << " (version " << resp.run().version() << "), history to "
            << FormatPeriod(resp.run().inputs().history_to()) << "\n";
  // Hourly: per service the rest of the period's sum, its intervals and the
  // backtest accuracy (the hours themselves with --output json).
  for (const fv1::HourlySeriesForecast& s : resp.hourly()) {
    ctx.out() << "\n" << ShortName(s.service_type()) << ": ";
    if (!s.note().empty()) {
      ctx.out() << s.note() << "\n";
      continue;
    }
    const fv1::Accuracy& a = s.forecast().accuracy();
    ctx.out() << s.points_size() << " hours, " << FormatEnergy(s.total_wh())
              << " (80 %: " << FormatEnergy(s.lower_80_wh()) << " .. "
              << FormatEnergy(s.upper_80_wh()) << ", 95 %: " << FormatEnergy(s.lower_95_wh())
              << " .. " << FormatEnergy(s.upper_95_wh()) << "), " << a.model_spec()
              << ", backtest MASE " << Dec(a.mase()) << "\n";
  }
  for (const fv1::SeriesForecast& s : resp.series()) {
    const fv1::Accuracy& a = s.accuracy();
    ctx.out() << "\n"
              << ShortName(s.service_type()) << ": " << s.model_spec()
              << (s.fallback().empty() ? "" : absl::StrCat(" (", s.fallback(), ")")) << "\n";
    if (a.errors() > 0) {
      ctx.out() << "  backtest: " << a.origins() << " origins, MASE " << Dec(a.mase()) << ", sMAPE "
                << Dec(a.smape_percent()) << " %, MAPE "
                << (a.mape_percent().value().empty() ? a.undefined_reason()
                                                     : Dec(a.mape_percent()) + " %")
                << ", coverage 80 %: " << Dec(a.coverage_80_percent())
                << ", 95 %: " << Dec(a.coverage_95_percent()) << "\n";
    }
    Table t({{"PERIOD"},
             {"FORECAST", Table::Align::kRight},
             {"80 % FROM", Table::Align::kRight},
             {"80 % TO", Table::Align::kRight},
             {"95 % FROM", Table::Align::kRight},
             {"95 % TO", Table::Align::kRight}});
    for (const fv1::ForecastPoint& p : s.points()) {
      t.AddRow({FormatPeriod(p.period()), FormatEnergy(p.volume_wh()),
                FormatEnergy(p.lower_80_wh()), FormatEnergy(p.upper_80_wh()),
                FormatEnergy(p.lower_95_wh()), FormatEnergy(p.upper_95_wh())});
    }
    ctx.out() << t.Render();
  }
  return kExitOk;
}

int AccuracyCmd(Context& ctx, const Args& args) {
  Forecasting f = Connect(args);
  std::string id = args.Get("run");
  if (id.empty()) {
    fv1::ListForecastRunsRequest req;
    req.set_page_size(100);
    fv1::ListForecastRunsResponse resp;
    grpc::Status st = ctx.client().Call(*f.forecasts, &fv1::ForecastService::Stub::ListForecastRuns,
                                        req, &resp, nullptr, 3);
    if (!st.ok()) return ctx.Fail(st);
    for (const fv1::ForecastRun& r : resp.runs()) {
      if (r.job().state() == common::v1::JOB_STATE_SUCCEEDED) {
        id = r.id();
        break;
      }
    }
    if (id.empty()) return ctx.Fail("no forecast run has succeeded yet");
  }
  absl::StatusOr<fv1::ForecastRun> run = GetRun(ctx, f, id);
  if (!run.ok()) return ctx.Fail(run.status().message());
  if (ctx.json()) {
    ctx.PrintJson(*run);
  } else {
    PrintRun(ctx, *run);
  }
  return kExitOk;
}

int RevenueCmd(Context& ctx, const Args& args) {
  Forecasting f = Connect(args);
  fv1::GetRevenueForecastRequest req;
  req.set_run_id(args.Get("run"));
  req.set_participant_id(args.Get("participant"));
  CTL_ASSIGN_OR_USAGE(const contracts::v1::ServiceType service,
                      EnumFlag<contracts::v1::ServiceType>(args, "service"));
  req.set_service_type(service);
  fv1::GetRevenueForecastResponse resp;
  grpc::Status st = ctx.client().Call(*f.forecasts, &fv1::ForecastService::Stub::GetRevenueForecast,
                                      req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << "run " << resp.run().id() << ", "
            << (req.participant_id().empty() ? "every participant" : req.participant_id()) << "\n";
  Table t({{"PERIOD"},
           {"SERVICE"},
           {"VOLUME", Table::Align::kRight},
           {"NET", Table::Align::kRight},
           {"VAT %", Table::Align::kRight},
           {"VAT", Table::Align::kRight},
           {"GROSS", Table::Align::kRight},
           {"GROSS 80 %", Table::Align::kRight},
           {"PRICES"}});
  for (const fv1::RevenueMonth& m : resp.months()) {
    t.AddRow({FormatPeriod(m.period()), ShortName(m.service_type()), FormatEnergy(m.volume_wh()),
              FormatTiyn(m.net_tiyn()), Dec(m.vat_percent()), FormatTiyn(m.vat_tiyn()),
              FormatTiyn(m.gross_tiyn()),
              absl::StrCat(FormatTiyn(m.gross_lower_80_tiyn()), " .. ",
                           FormatTiyn(m.gross_upper_80_tiyn())),
              m.price_basis()});
  }
  ctx.out() << t.Render();
  ctx.out() << "total: net " << FormatTiyn(resp.total_net_tiyn()) << ", VAT "
            << FormatTiyn(resp.total_vat_tiyn()) << ", gross "
            << FormatTiyn(resp.total_gross_tiyn()) << "\n";
  return kExitOk;
}

int WhatIfCmd(Context& ctx, const Args& args) {
  Forecasting f = Connect(args);
  fv1::TariffWhatIfRequest req;
  req.set_run_id(args.Get("run"));
  CTL_ASSIGN_OR_USAGE(const contracts::v1::ServiceType service,
                      EnumFlag<contracts::v1::ServiceType>(args, "service"));
  if (service == contracts::v1::SERVICE_TYPE_UNSPECIFIED) return ctx.Usage("--service is required");
  if (!args.Has("price")) return ctx.Usage("--price is required (tenge per kWh excluding VAT)");
  if (!args.Has("from")) return ctx.Usage("--from is required (YYYY-MM-DD)");
  req.mutable_scenario()->set_service_type(service);
  req.mutable_scenario()->set_new_price_per_kwh(args.Get("price"));
  CTL_ASSIGN_OR_USAGE(*req.mutable_scenario()->mutable_from_date(), DateFlag(args, "from"));
  fv1::TariffWhatIfResponse resp;
  grpc::Status st = ctx.client().Call(*f.forecasts, &fv1::ForecastService::Stub::TariffWhatIf, req,
                                      &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << "run " << resp.run().id() << ": " << ShortName(service) << " at "
            << FormatPrice(args.Get("price")) << " from " << args.Get("from") << ", months "
            << FormatPeriod(resp.from()) << " .. " << FormatPeriod(resp.to()) << "\n";
  Table t({{"PARTICIPANT"},
           {"VOLUME", Table::Align::kRight},
           {"BASELINE GROSS", Table::Align::kRight},
           {"SCENARIO GROSS", Table::Align::kRight},
           {"EFFECT NET", Table::Align::kRight},
           {"EFFECT GROSS", Table::Align::kRight}});
  auto row = [&](const fv1::WhatIfLine& l, const std::string& name) {
    t.AddRow({name, FormatEnergy(l.volume_wh()), FormatTiyn(l.baseline_gross_tiyn()),
              FormatTiyn(l.scenario_gross_tiyn()), FormatTiyn(l.effect_net_tiyn()),
              FormatTiyn(l.effect_gross_tiyn())});
  };
  for (const fv1::WhatIfLine& l : resp.lines()) row(l, l.participant_id());
  row(resp.total(), "TOTAL");
  ctx.out() << t.Render();
  return kExitOk;
}

int DeclarationsCmd(Context& ctx, const Args& args) {
  Forecasting f = Connect(args);
  fv1::ListDeclarationFlagsRequest req;
  req.set_run_id(args.Get("run"));
  if (!args.Has("period")) return ctx.Usage("--period is required (YYYY-MM)");
  CTL_ASSIGN_OR_USAGE(*req.mutable_period(), PeriodFlag(args, "period"));
  if (args.Has("threshold")) req.mutable_threshold_percent()->set_value(args.Get("threshold"));
  fv1::ListDeclarationFlagsResponse resp;
  grpc::Status st = FetchList(ctx.client(), *f.forecasts,
                              &fv1::ForecastService::Stub::ListDeclarationFlags, req, true, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << "run " << resp.run().id() << ", " << FormatPeriod(req.period()) << ": "
            << resp.flags_size() << " of " << resp.declarations_compared()
            << " declarations differ from the forecast by more than "
            << Dec(resp.threshold_percent()) << " %\n";
  Table t({{"PARTICIPANT"},
           {"SERVICE"},
           {"DECLARED", Table::Align::kRight},
           {"FORECAST", Table::Align::kRight},
           {"80 % INTERVAL", Table::Align::kRight},
           {"DIFF %", Table::Align::kRight},
           {"APPLICATIONS"},
           {"WHY"}});
  for (const fv1::DeclarationFlag& g : resp.flags()) {
    std::string apps;
    for (const std::string& a : g.application_ids())
      absl::StrAppend(&apps, apps.empty() ? "" : ",", a);
    t.AddRow({g.participant_id(), ShortName(g.service_type()), FormatEnergy(g.declared_wh()),
              FormatEnergy(g.forecast_wh()),
              absl::StrCat(FormatEnergy(g.lower_80_wh()), " .. ", FormatEnergy(g.upper_80_wh())),
              Dec(g.difference_percent()), apps, g.reason()});
  }
  ctx.out() << t.Render();
  return kExitOk;
}

int EstimateCmd(Context& ctx, const Args& args) {
  Forecasting f = Connect(args);
  fv1::EstimateMonthToDateRequest req;
  if (!args.Has("participant")) return ctx.Usage("--participant is required");
  req.set_participant_id(args.Get("participant"));
  if (!args.Has("period")) return ctx.Usage("--period is required (YYYY-MM)");
  CTL_ASSIGN_OR_USAGE(*req.mutable_period(), PeriodFlag(args, "period"));
  fv1::EstimateMonthToDateResponse resp;
  grpc::Status st = ctx.client().Call(
      *f.forecasts, &fv1::ForecastService::Stub::EstimateMonthToDate, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << RenderFields(
      {{"Participant", resp.participant_id()},
       {"Period", FormatPeriod(resp.period())},
       {"Measured", absl::StrCat(Dec(resp.measured_percent()), " % of the month",
                                 resp.balance_run_id().empty()
                                     ? ""
                                     : absl::StrCat(" (balance run ", resp.balance_run_id(), ")"))},
       {"Method", resp.method()},
       {"Accrual",
        absl::StrCat("net ", FormatTiyn(resp.net_tiyn()), ", VAT ", FormatTiyn(resp.vat_tiyn()),
                     ", gross ", FormatTiyn(resp.gross_tiyn()))},
       {"Gross 80 %", absl::StrCat(FormatTiyn(resp.gross_lower_80_tiyn()), " .. ",
                                   FormatTiyn(resp.gross_upper_80_tiyn()))},
       {"Gross 95 %", absl::StrCat(FormatTiyn(resp.gross_lower_95_tiyn()), " .. ",
                                   FormatTiyn(resp.gross_upper_95_tiyn()))}});
  Table t({{"SERVICE"},
           {"MEASURED", Table::Align::kRight},
           {"REST", Table::Align::kRight},
           {"ESTIMATE", Table::Align::kRight},
           {"80 %", Table::Align::kRight},
           {"GROSS", Table::Align::kRight},
           {"GROSS 80 %", Table::Align::kRight},
           {"REST BY"}});
  for (const fv1::ServiceEstimate& e : resp.services()) {
    // The hourly model chosen and its backtest MASE, or pro rata.
    std::string rest_by = "pro rata (monthly)";
    if (e.has_hourly()) {
      rest_by = absl::StrCat(fv1::ModelKind_Name(e.hourly().model()), " MASE ",
                             e.hourly().accuracy().mase().value().empty()
                                 ? "-"
                                 : e.hourly().accuracy().mase().value());
    }
    t.AddRow({ShortName(e.service_type()), FormatEnergy(e.measured_wh()), FormatEnergy(e.rest_wh()),
              FormatEnergy(e.estimate_wh()),
              absl::StrCat(FormatEnergy(e.lower_80_wh()), " .. ", FormatEnergy(e.upper_80_wh())),
              FormatTiyn(e.gross_tiyn()),
              absl::StrCat(FormatTiyn(e.gross_lower_80_tiyn()), " .. ",
                           FormatTiyn(e.gross_upper_80_tiyn())),
              rest_by});
  }
  ctx.out() << "\n" << t.Render();
  return kExitOk;
}

}  // namespace

void AddForecastCommands(std::vector<Command>& out) {
  out.push_back({"forecast",
                 "import-history",
                 "FILE",
                 1,
                 1,
                 "import a legacy history file (bin,service,period,volume_kwh) and wait for it",
                 {AddrFlag(),
                  {"request-id", "ID", "idempotency key (default: a fresh one)"},
                  {"no-wait", "", "return once the import is accepted"}},
                 "A file with a bad line is refused whole, naming the lines; nothing is written. "
                 "The same file imported again changes nothing.",
                 ImportHistoryCmd});
  out.push_back({"forecast",
                 "demo-history",
                 "",
                 0,
                 0,
                 "write the demo's legacy history (2019-01 .. 2025-10) as an import file",
                 {{"seed", "N", "the demo seed (default 42)"},
                  {"out", "FILE", "where to write it (default: standard output)"}},
                 "",
                 DemoHistoryCmd});
  out.push_back(
      {"forecast",
       "run",
       "",
       0,
       0,
       "start a forecast run and follow it to its end",
       {AddrFlag(),
        {"history-to", "YYYY-MM", "the last month of history (default: the last with any)"},
        {"horizon", "N", "months to forecast (default 24, at most 60)"},
        {"request-id", "ID", "idempotency key (default: a fresh one)"},
        {"no-wait", "", "return once the run is accepted"}},
       "",
       RunCmd});
  out.push_back({"forecast",
                 "runs",
                 "",
                 0,
                 0,
                 "list forecast runs, newest first",
                 {AddrFlag()},
                 "",
                 RunsCmd});
  out.push_back({"forecast",
                 "show",
                 "",
                 0,
                 0,
                 "a forecast with its 80/95 % intervals and the chosen model's accuracy",
                 {AddrFlag(),
                  {"participant", "ID", "a participant's forecast, per service"},
                  {"contract", "ID", "a contract's forecast, within its validity"},
                  {"region", "CODE", "the sum of a region's participants"},
                  {"nation", "", "the sum of every participant"},
                  {"service", "SERVICE", "only this service"},
                  {"hourly", "YYYY-MM", "the hours of this month after what balance measured"},
                  {"run", "ID", "the run (default: the latest succeeded)"}},
                 "",
                 ShowCmd});
  out.push_back({"forecast",
                 "accuracy",
                 "",
                 0,
                 0,
                 "a run's accuracy: median MASE against seasonal naive, interval coverage",
                 {AddrFlag(), {"run", "ID", "the run (default: the latest succeeded)"}},
                 "",
                 AccuracyCmd});
  out.push_back({"forecast",
                 "revenue",
                 "",
                 0,
                 0,
                 "forecast revenue per month and service: net, VAT, gross in tenge",
                 {AddrFlag(),
                  {"participant", "ID", "one participant (default: every participant)"},
                  {"service", "SERVICE", "only this service"},
                  {"run", "ID", "the run (default: the latest succeeded)"}},
                 "Volume x the tariff in force on each day; after the last tariff its price. VAT "
                 "at the rate of the month's last day.",
                 RevenueCmd});
  out.push_back({"forecast",
                 "what-if",
                 "",
                 0,
                 0,
                 "a tariff scenario's revenue effect per participant against the baseline",
                 {AddrFlag(),
                  {"service", "SERVICE", "the service whose price changes (required)"},
                  {"price", "DECIMAL", "the new price, tenge per kWh excluding VAT (required)"},
                  {"from", "YYYY-MM-DD", "the first day of the new price (required)"},
                  {"run", "ID", "the run (default: the latest succeeded)"}},
                 "",
                 WhatIfCmd});
  out.push_back(
      {"forecast",
       "declarations",
       "",
       0,
       0,
       "approved declared volumes of a period far from the forecast",
       {AddrFlag(),
        {"period", "YYYY-MM", "the period (required; one the run forecasts)"},
        {"threshold", "PERCENT", "flag above this difference (default: the service's, 15)"},
        {"run", "ID", "the run (default: the latest succeeded)"}},
       "",
       DeclarationsCmd});
  out.push_back(
      {"forecast",
       "estimate",
       "",
       0,
       0,
       "a participant's month-to-date estimate: measured + forecast, accrual with intervals",
       {AddrFlag(),
        {"participant", "ID", "the participant (required)"},
        {"period", "YYYY-MM", "the period (required; one the latest run forecasts)"}},
       "",
       EstimateCmd});
}

}  // namespace gridbill::ctl
