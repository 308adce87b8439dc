// gridbillctl integrations ...: the adapters' status, the deliveries to the
// outside systems, and the operators' retry or skip of a dead letter.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/integrations/v1/integrations.grpc.pb.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"

namespace gridbill::ctl {
namespace {

namespace iv1 = ::gridbill::integrations::v1;

std::unique_ptr<iv1::IntegrationsService::Stub> Connect(const Args& args) {
  const std::string addr =
      args.Get("integrations-addr", ServiceAddress("GRIDBILL_INTEGRATIONS_ADDR", "127.0.0.1:7107"));
  return iv1::IntegrationsService::NewStub(SignedChannel(addr, grpc::ChannelArguments()));
}

FlagSpec AddrFlag() {
  return {"integrations-addr", "HOST:PORT",
          "the integrations service (default $GRIDBILL_INTEGRATIONS_ADDR, the gateway, or "
          "127.0.0.1:7107)"};
}

std::string When(const google::protobuf::Timestamp& t) {
  return t.seconds() == 0 ? "-" : FormatTime(t, DisplayZone());
}

std::string StateName(iv1::DeliveryState s) {
  switch (s) {
    case iv1::DELIVERY_STATE_PENDING:
      return "pending";
    case iv1::DELIVERY_STATE_DELIVERED:
      return "delivered";
    case iv1::DELIVERY_STATE_DEAD:
      return "dead";
    case iv1::DELIVERY_STATE_SKIPPED:
      return "skipped";
    default:
      return "-";
  }
}

void PrintDelivery(Context& ctx, const iv1::Delivery& d) {
  ctx.out() << "delivery " << d.id() << " (" << d.adapter() << ", " << d.idempotency_key()
            << "): " << StateName(d.state()) << " after " << d.attempts() << " attempts"
            << (d.last_error().empty() ? "" : absl::StrCat(": ", d.last_error()))
            << (d.receipt().empty() ? "" : absl::StrCat(" -> ", d.receipt())) << "\n";
}

int StatusCmd(Context& ctx, const Args& args) {
  auto stub = Connect(args);
  iv1::ListAdaptersRequest req;
  iv1::ListAdaptersResponse resp;
  grpc::Status st = ctx.client().Call(*stub, &iv1::IntegrationsService::Stub::ListAdapters, req,
                                      &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"ADAPTER"},
           {"DIRECTION"},
           {"ENABLED"},
           {"LAST SUCCESS (UTC)"},
           {"BACKLOG", Table::Align::kRight},
           {"DEAD", Table::Align::kRight},
           {"DONE", Table::Align::kRight},
           {"LAST ERROR"}});
  for (const iv1::AdapterStatus& a : resp.adapters()) {
    t.AddRow({a.name(), a.direction() == iv1::DIRECTION_INBOUND ? "in" : "out",
              a.enabled() ? "yes" : "no", When(a.last_success_time()), absl::StrCat(a.backlog()),
              absl::StrCat(a.dead_letters()), absl::StrCat(a.done()),
              a.last_error().substr(0, 80)});
  }
  ctx.out() << t.Render();
  return kExitOk;
}

int DeliveriesCmd(Context& ctx, const Args& args) {
  auto stub = Connect(args);
  iv1::ListDeliveriesRequest req;
  req.set_adapter(args.Get("adapter"));
  req.set_fact_id(args.Get("fact"));
  const std::string state = args.Get("state");
  if (state == "pending")
    req.set_state(iv1::DELIVERY_STATE_PENDING);
  else if (state == "delivered")
    req.set_state(iv1::DELIVERY_STATE_DELIVERED);
  else if (state == "dead")
    req.set_state(iv1::DELIVERY_STATE_DEAD);
  else if (state == "skipped")
    req.set_state(iv1::DELIVERY_STATE_SKIPPED);
  else if (!state.empty())
    return ctx.Usage("--state: pending, delivered, dead or skipped");
  iv1::ListDeliveriesResponse resp;
  grpc::Status st = FetchList(ctx.client(), *stub, &iv1::IntegrationsService::Stub::ListDeliveries,
                              req, args.Has("all"), &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"ID", Table::Align::kRight},
           {"ADAPTER"},
           {"KEY"},
           {"STATE"},
           {"ATTEMPTS", Table::Align::kRight},
           {"NEXT (UTC)"},
           {"RECEIPT / ERROR"}});
  for (const iv1::Delivery& d : resp.deliveries()) {
    t.AddRow({d.id(), d.adapter(), d.idempotency_key(), StateName(d.state()),
              absl::StrCat(d.attempts()),
              d.state() == iv1::DELIVERY_STATE_PENDING ? When(d.next_attempt_time()) : "-",
              (d.last_error().empty() ? d.receipt() : d.last_error()).substr(0, 80)});
  }
  ctx.out() << t.Render();
  if (!resp.next_page_token().empty()) {
    ctx.out() << "(more: --all)\n";
  }
  return kExitOk;
}

int RetryCmd(Context& ctx, const Args& args) {
  auto stub = Connect(args);
  iv1::RetryDeliveryRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  req.set_delivery_id(args.positional()[0]);
  iv1::RetryDeliveryResponse resp;
  grpc::Status st = ctx.client().Call(*stub, &iv1::IntegrationsService::Stub::RetryDelivery, req,
                                      &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
  } else {
    PrintDelivery(ctx, resp.delivery());
  }
  return kExitOk;
}

int SkipCmd(Context& ctx, const Args& args) {
  auto stub = Connect(args);
  iv1::SkipDeliveryRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  req.set_delivery_id(args.positional()[0]);
  req.set_reason(args.Get("reason"));
  if (req.reason().empty()) return ctx.Usage("--reason: say why the delivery is skipped");
  iv1::SkipDeliveryResponse resp;
  grpc::Status st = ctx.client().Call(*stub, &iv1::IntegrationsService::Stub::SkipDelivery, req,
                                      &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
  } else {
    PrintDelivery(ctx, resp.delivery());
  }
  return kExitOk;
}

int EsfAtRiskCmd(Context& ctx, const Args& args) {
  auto stub = Connect(args);
  iv1::ListEsfAtRiskRequest req;
  CTL_ASSIGN_OR_USAGE(const int64_t days, IntFlag(args, "within-days", 5));
  req.set_within_days(static_cast<int32_t>(days));
  iv1::ListEsfAtRiskResponse resp;
  grpc::Status st = ctx.client().Call(*stub, &iv1::IntegrationsService::Stub::ListEsfAtRisk, req,
                                      &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"DOCUMENT"},
           {"PERIOD"},
           {"DEADLINE"},
           {"DAYS LEFT", Table::Align::kRight},
           {"STATE"},
           {"LAST ERROR"}});
  for (const iv1::EsfAtRisk& r : resp.documents()) {
    t.AddRow({r.document_number(), FormatPeriod(r.period()),
              absl::StrFormat("%04d-%02d-%02d", r.deadline().year(), r.deadline().month(),
                              r.deadline().day()),
              absl::StrCat(r.days_left()), StateName(r.delivery().state()),
              r.delivery().last_error().substr(0, 80)});
  }
  ctx.out() << t.Render();
  return kExitOk;
}

std::string ReconciliationStateName(iv1::ReconciliationState s) {
  switch (s) {
    case iv1::RECONCILIATION_STATE_MATCH:
      return "match";
    case iv1::RECONCILIATION_STATE_PENDING:
      return "pending";
    case iv1::RECONCILIATION_STATE_MISMATCH:
      return "MISMATCH";
    default:
      return "-";
  }
}

int ReconcileCmd(Context& ctx, const Args& args) {
  auto stub = Connect(args);
  iv1::ListReconciliationsRequest req;
  if (args.Has("period")) {
    CTL_ASSIGN_OR_USAGE(*req.mutable_period(), PeriodFlag(args, "period"));
  }
  req.set_invoice_run_id(args.Get("run"));
  CTL_ASSIGN_OR_USAGE(const int64_t limit, IntFlag(args, "limit", 20));
  req.set_page_size(static_cast<int32_t>(limit));
  iv1::ListReconciliationsResponse resp;
  grpc::Status st = ctx.client().Call(*stub, &iv1::IntegrationsService::Stub::ListReconciliations,
                                      req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  bool mismatch = false;
  for (const iv1::Reconciliation& r : resp.reconciliations()) {
    mismatch = mismatch || r.state() == iv1::RECONCILIATION_STATE_MISMATCH;
  }
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return mismatch ? kExitFailed : kExitOk;
  }
  Table t({{"RUN"},
           {"PERIOD"},
           {"TYPE"},
           {"STATE"},
           {"DOCUMENTS", Table::Align::kRight},
           {"ERP DOCS", Table::Align::kRight},
           {"ENTRY ROWS", Table::Align::kRight},
           {"ERP ROWS", Table::Align::kRight},
           {"GROSS", Table::Align::kRight},
           {"ERP DOCS GROSS", Table::Align::kRight},
           {"ERP ENTRIES GROSS", Table::Align::kRight}});
  for (const iv1::Reconciliation& r : resp.reconciliations()) {
    t.AddRow({r.invoice_run_id(), FormatPeriod(r.period()), r.run_type(),
              ReconciliationStateName(r.state()), absl::StrCat(r.invoicing().documents()),
              absl::StrCat(r.erp_documents().documents()), absl::StrCat(r.invoicing().entry_rows()),
              absl::StrCat(r.erp_entries().entry_rows()), FormatTiyn(r.invoicing().total_tiyn()),
              FormatTiyn(r.erp_documents().total_tiyn()),
              FormatTiyn(r.erp_entries().total_tiyn())});
  }
  ctx.out() << t.Render();
  for (const iv1::Reconciliation& r : resp.reconciliations()) {
    for (const std::string& gap : r.gaps()) ctx.out() << r.invoice_run_id() << ": " << gap << "\n";
  }
  return mismatch ? kExitFailed : kExitOk;
}

}  // namespace

void AddIntegrationsCommands(std::vector<Command>& out) {
  out.push_back({"integrations",
                 "status",
                 "",
                 0,
                 0,
                 "every adapter: last success, backlog, dead letters, last error",
                 {AddrFlag()},
                 "",
                 StatusCmd});
  out.push_back({"integrations",
                 "deliveries",
                 "",
                 0,
                 0,
                 "deliveries to the outside systems, oldest first",
                 {AddrFlag(),
                  {"adapter", "NAME", "only this adapter (erp, ecm, ...)"},
                  {"state", "STATE", "pending, delivered, dead or skipped"},
                  {"fact", "ID", "only the deliveries of this fact (e.g. a document id)"},
                  {"all", "", "every page"}},
                 "",
                 DeliveriesCmd});
  out.push_back({"integrations",
                 "retry",
                 "ID",
                 1,
                 1,
                 "make a dead letter pending again (attempts from zero)",
                 {AddrFlag(), {"request-id", "ID", "idempotency key (default: a fresh one)"}},
                 "",
                 RetryCmd});
  out.push_back({"integrations",
                 "skip",
                 "ID",
                 1,
                 1,
                 "give a dead letter up, saying why",
                 {AddrFlag(),
                  {"reason", "TEXT", "why it is not delivered (required)"},
                  {"request-id", "ID", "idempotency key (default: a fresh one)"}},
                 "",
                 SkipCmd});
  out.push_back({"integrations",
                 "esf-at-risk",
                 "",
                 0,
                 0,
                 "ESF documents not registered yet whose legal deadline is near or missed",
                 {AddrFlag(), {"within-days", "N", "deadlines at most N days away (default 5)"}},
                 "",
                 EsfAtRiskCmd});
  out.push_back(
      {"integrations",
       "reconcile",
       "",
       0,
       0,
       "per invoice run: documents, entries and totals invoicing reports against what ERP "
       "received (exit 1 on a mismatch)",
       {AddrFlag(),
        {"period", "YYYY-MM", "only runs of this period"},
        {"run", "ID", "only this invoice run"},
        {"limit", "N", "the newest N runs (default 20, at most 200)"}},
       "",
       ReconcileCmd});
}

}  // namespace gridbill::ctl
