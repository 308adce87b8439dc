// gridbillctl tariffs ...
#include "absl/strings/str_cat.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"

namespace gridbill::ctl {
namespace {

std::string TariffDetails(const v1::Tariff& t) {
  const absl::TimeZone zone = DisplayZone();
  return RenderFields(
      {{"ID", t.id()},
       {"Service", ShortName(t.service_type())},
       {"Price", FormatPrice(t.price_per_kwh())},
       {"Valid from", FormatDate(t.valid_from())},
       {"Valid to", FormatDate(t.valid_to()).empty() ? "open-ended" : FormatDate(t.valid_to())},
       {"Order", t.order_reference()},
       {"Note", t.note()},
       {"Version", absl::StrCat(t.version())},
       {"Created", FormatTime(t.create_time(), zone)},
       {"Updated", FormatTime(t.update_time(), zone)}});
}

int Print(Context& ctx, const v1::Tariff& t) {
  if (ctx.json()) {
    ctx.PrintJson(t);
  } else {
    ctx.out() << TariffDetails(t);
  }
  return kExitOk;
}

int List(Context& ctx, const Args& args) {
  v1::ListTariffsRequest req;
  CTL_ASSIGN_OR_USAGE(auto service, EnumFlag<v1::ServiceType>(args, "service"));
  req.set_service_type(service);
  v1::ListTariffsResponse resp;
  grpc::Status st = FetchList(ctx.client(), ctx.client().tariffs(),
                              &v1::TariffService::Stub::ListTariffs, req, true, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"SERVICE"},
           {"PRICE", Table::Align::kRight},
           {"VALID FROM"},
           {"VALID TO"},
           {"ORDER", Table::Align::kLeft, 30},
           {"NOTE", Table::Align::kLeft, 30},
           {"ID"}});
  for (const auto& tariff : resp.tariffs()) {
    t.AddRow({ShortName(tariff.service_type()), FormatPrice(tariff.price_per_kwh()),
              FormatDate(tariff.valid_from()), FormatDate(tariff.valid_to()),
              tariff.order_reference(), tariff.note(), tariff.id()});
  }
  ctx.out() << t.Render()
            << ListFooter(static_cast<size_t>(resp.tariffs_size()), resp.total_size(), "");
  return kExitOk;
}

int Get(Context& ctx, const Args& args) {
  v1::GetTariffRequest req;
  req.set_id(args.positional()[0]);
  v1::GetTariffResponse resp;
  grpc::Status st =
      ctx.client().Call(ctx.client().tariffs(), &v1::TariffService::Stub::GetTariff, req, &resp);
  if (!st.ok()) return ctx.Fail(st);
  return Print(ctx, resp.tariff());
}

int Create(Context& ctx, const Args& args) {
  v1::CreateTariffRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  v1::Tariff& t = *req.mutable_tariff();
  if (!args.Has("service") || !args.Has("price") || !args.Has("valid-from")) {
    return ctx.Usage("--service, --price and --valid-from are required");
  }
  CTL_ASSIGN_OR_USAGE(auto service, EnumFlag<v1::ServiceType>(args, "service"));
  CTL_ASSIGN_OR_USAGE(auto from, DateFlag(args, "valid-from"));
  CTL_ASSIGN_OR_USAGE(auto to, DateFlag(args, "valid-to"));
  t.set_service_type(service);
  t.set_price_per_kwh(args.Get("price"));
  *t.mutable_valid_from() = from;
  if (args.Has("valid-to")) *t.mutable_valid_to() = to;
  t.set_order_reference(args.Get("order"));
  t.set_note(args.Get("note"));
  v1::CreateTariffResponse resp;
  grpc::Status st = ctx.client().Call(
      ctx.client().tariffs(), &v1::TariffService::Stub::CreateTariff, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  return Print(ctx, resp.tariff());
}

int Change(Context& ctx, const Args& args) {
  if (!args.Has("service") || !args.Has("price") || !args.Has("from") || !args.Has("order")) {
    return ctx.Usage("--service, --from, --price and --order are required");
  }
  v1::ChangeTariffRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  CTL_ASSIGN_OR_USAGE(auto service, EnumFlag<v1::ServiceType>(args, "service"));
  CTL_ASSIGN_OR_USAGE(auto from, DateFlag(args, "from"));
  CTL_ASSIGN_OR_USAGE(int64_t expected, IntFlag(args, "expected-version", 0));
  req.set_service_type(service);
  *req.mutable_valid_from() = from;
  req.set_price_per_kwh(args.Get("price"));
  req.set_order_reference(args.Get("order"));
  req.set_note(args.Get("note"));
  req.set_expected_version(expected);
  v1::ChangeTariffResponse resp;
  grpc::Status st = ctx.client().Call(
      ctx.client().tariffs(), &v1::TariffService::Stub::ChangeTariff, req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << "closed (now ends " << FormatDate(resp.closed().valid_to()) << "):\n"
            << TariffDetails(resp.closed()) << "\nnew tariff:\n"
            << TariffDetails(resp.tariff()) << "\nMonths from "
            << FormatDate(resp.tariff().valid_from())
            << " that are already billed: run `gridbillctl invoicing run YYYY-MM --correction` "
               "for each (credit and debit notes for the difference).\n";
  return kExitOk;
}

int InForce(Context& ctx, const Args& args) {
  if (!args.Has("service") || !args.Has("date")) {
    return ctx.Usage("--service and --date are required");
  }
  v1::GetTariffInForceRequest req;
  CTL_ASSIGN_OR_USAGE(auto service, EnumFlag<v1::ServiceType>(args, "service"));
  CTL_ASSIGN_OR_USAGE(auto date, DateFlag(args, "date"));
  req.set_service_type(service);
  *req.mutable_date() = date;
  v1::GetTariffInForceResponse resp;
  grpc::Status st = ctx.client().Call(ctx.client().tariffs(),
                                      &v1::TariffService::Stub::GetTariffInForce, req, &resp);
  if (!st.ok()) return ctx.Fail(st);
  return Print(ctx, resp.tariff());
}

int Period(Context& ctx, const Args& args) {
  if (!args.Has("service") || !args.Has("period")) {
    return ctx.Usage("--service and --period are required");
  }
  v1::ListTariffsForPeriodRequest req;
  CTL_ASSIGN_OR_USAGE(auto service, EnumFlag<v1::ServiceType>(args, "service"));
  CTL_ASSIGN_OR_USAGE(auto period, PeriodFlag(args, "period"));
  req.set_service_type(service);
  *req.mutable_period() = period;
  v1::ListTariffsForPeriodResponse resp;
  grpc::Status st =
      FetchList(ctx.client(), ctx.client().tariffs(),
                &v1::TariffService::Stub::ListTariffsForPeriod, req, /*all=*/true, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << ShortName(service) << " " << FormatPeriod(period) << ": " << resp.period_hours()
            << " hours, " << (resp.fully_covered() ? "fully covered" : "NOT fully covered")
            << "\n\n";
  Table t({{"FROM"},
           {"TO"},
           {"HOURS", Table::Align::kRight},
           {"PRICE", Table::Align::kRight},
           {"ORDER", Table::Align::kLeft, 30},
           {"TARIFF ID"}});
  for (const auto& s : resp.slices()) {
    t.AddRow({FormatDate(s.from_date()), FormatDate(s.to_date()), absl::StrCat(s.hours()),
              FormatPrice(s.tariff().price_per_kwh()), s.tariff().order_reference(),
              s.tariff().id()});
  }
  ctx.out() << t.Render();
  return kExitOk;
}

int History(Context& ctx, const Args& args) {
  return ShowHistory(ctx, ctx.client().tariffs(), &v1::TariffService::Stub::ListTariffHistory,
                     args.positional()[0]);
}

const FlagSpec kServiceFlag{"service", "SERVICE",
                            "transmission, technical_dispatching, balancing or grid_use"};

}  // namespace

void AddTariffCommands(std::vector<Command>& out) {
  out.push_back(
      {"tariffs", "list", "", 0, 0, "List tariffs (all pages)", {kServiceFlag}, "", List});
  out.push_back({"tariffs", "get", "ID", 1, 1, "Show one tariff", {}, "", Get});
  out.push_back({"tariffs",
                 "create",
                 "",
                 0,
                 0,
                 "Create a tariff; its validity may not overlap another of the service",
                 {kServiceFlag,
                  {"price", "DECIMAL", "tenge per kWh excluding VAT, e.g. 3.134 (required)"},
                  {"valid-from", "YYYY-MM-DD", "first day in force (required)"},
                  {"valid-to", "YYYY-MM-DD", "last day in force (default open-ended)"},
                  {"order", "TEXT", "the regulator's order, e.g. \"No. 105-ОД of 2014\""},
                  {"note", "TEXT", "a free-text note"},
                  {"request-id", "ID", "idempotency key (default: a new random one)"}},
                 "",
                 Create});
  out.push_back(
      {"tariffs",
       "change",
       "",
       0,
       0,
       "A new tariff from a date by a regulator's order (closes the one in force "
       "the day before)",
       {kServiceFlag,
        {"from", "YYYY-MM-DD", "first day of the new price (required)"},
        {"price", "DECIMAL", "tenge per kWh excluding VAT (required)"},
        {"order", "TEXT", "the regulator's order (required)"},
        {"note", "TEXT", "a free-text note on the new tariff"},
        {"expected-version", "N", "version of the tariff being closed (default: no check)"},
        {"request-id", "ID", "idempotency key (default: a new random one)"}},
       "The tariff in force the day before --from ends that day; the new one runs "
       "to its end (or open-ended). One transaction, both in the tariffs' history "
       "with the order. Months already billed are then corrected by an invoicing "
       "correction run.",
       Change});
  out.push_back({"tariffs",
                 "in-force",
                 "",
                 0,
                 0,
                 "Show the tariff in force for a service on a date",
                 {kServiceFlag, {"date", "YYYY-MM-DD", "the date (required)"}},
                 "",
                 InForce});
  out.push_back({"tariffs",
                 "period",
                 "",
                 0,
                 0,
                 "Show how tariffs split a billing period, with the hours of each slice",
                 {kServiceFlag, {"period", "YYYY-MM", "the billing period (required)"}},
                 "Hours are counted in the operator's time zone (697 for 2024-02 in "
                 "Asia/Almaty).",
                 Period});
  out.push_back(
      {"tariffs", "history", "ID", 1, 1, "Show a tariff's change history", {}, "", History});
}

}  // namespace gridbill::ctl
