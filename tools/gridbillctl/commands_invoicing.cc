// gridbillctl invoicing ...: invoice runs with a progress bar, documents and
// their PDF / ESF XML, payments import, balances, statements, aging, the
// ERP export and period closing.
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gridbill/invoicing/v1/invoicing.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/format.h"
#include "tools/gridbillctl/progress.h"

namespace gridbill::ctl {
namespace {

namespace iv1 = ::gridbill::invoicing::v1;

// The invoicing service: --invoicing-addr, else $GRIDBILL_INVOICING_ADDR, else 127.0.0.1:7104.
struct Invoicing {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<iv1::BillingPeriodService::Stub> periods;
  std::unique_ptr<iv1::InvoiceRunService::Stub> runs;
  std::unique_ptr<iv1::DocumentService::Stub> documents;
  std::unique_ptr<iv1::PaymentService::Stub> payments;
  std::unique_ptr<iv1::ErpExportService::Stub> exports;
};

Invoicing Connect(const Args& args) {
  const std::string addr =
      args.Get("invoicing-addr", ServiceAddress("GRIDBILL_INVOICING_ADDR", "127.0.0.1:7104"));
  grpc::ChannelArguments ch;
  ch.SetMaxReceiveMessageSize(256 << 20);
  Invoicing i;
  i.channel = SignedChannel(addr, ch);
  i.periods = iv1::BillingPeriodService::NewStub(i.channel);
  i.runs = iv1::InvoiceRunService::NewStub(i.channel);
  i.documents = iv1::DocumentService::NewStub(i.channel);
  i.payments = iv1::PaymentService::NewStub(i.channel);
  i.exports = iv1::ErpExportService::NewStub(i.channel);
  return i;
}

FlagSpec AddrFlag() {
  return {
      "invoicing-addr", "HOST:PORT",
      "the invoicing service (default $GRIDBILL_INVOICING_ADDR, the gateway, or 127.0.0.1:7104)"};
}

std::string Money(int64_t tiyn) { return FormatTiyn(tiyn); }

absl::StatusOr<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int WriteOut(Context& ctx, const std::string& path, const std::string& bytes,
             const std::string& what) {
  if (path == "-") {
    ctx.out() << bytes;
    return kExitOk;
  }
  std::ofstream f(path, std::ios::binary);
  f << bytes;
  if (!f) return ctx.Fail(absl::StrCat("cannot write ", path));
  ctx.out() << "wrote " << path << " (" << GroupDigits(static_cast<int64_t>(bytes.size()))
            << " bytes" << (what.empty() ? "" : ", ") << what << ")\n";
  return kExitOk;
}

void PrintRun(Context& ctx, const iv1::InvoiceRun& r) {
  const absl::TimeZone zone = DisplayZone();
  ctx.out() << RenderFields(
      {{"Run", r.job().id()},
       {"Period", FormatPeriod(r.period())},
       {"Type", ShortName(r.run_type())},
       {"State", ShortName(r.job().state())},
       {"Progress", absl::StrCat(r.job().done(), " of ", r.job().total(), " contracts")},
       {"Documents issued", GroupDigits(r.documents_issued())},
       {"Contracts skipped", GroupDigits(r.contracts_skipped())},
       {"Contracts failed", GroupDigits(r.contracts_failed())},
       {"Summary", r.job().summary()},
       {"Started", FormatTime(r.job().start_time(), zone)},
       {"Finished", FormatTime(r.job().finish_time(), zone)},
       {"Error", r.job().error()}});
}

int RunCmd(Context& ctx, const Args& args) {
  Invoicing inv = Connect(args);
  iv1::StartInvoiceRunRequest req;
  CTL_ASSIGN_OR_USAGE(*req.mutable_period(), ParsePeriod(args.positional()[0], "PERIOD"));
  req.set_run_type(args.Has("correction") ? iv1::RUN_TYPE_CORRECTION : iv1::RUN_TYPE_REGULAR);
  req.set_balance_run_id(args.Get("balance-run"));
  req.set_request_id(args.Get("request-id", NewRequestId()));
  iv1::StartInvoiceRunResponse started;
  grpc::Status st = ctx.client().Call(*inv.runs, &iv1::InvoiceRunService::Stub::StartInvoiceRun,
                                      req, &started, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  iv1::InvoiceRun last = started.run();
  if (!args.Has("no-wait")) {
    std::unique_ptr<Progress> progress;
    int64_t shown = 0;
    for (;;) {
      iv1::GetInvoiceRunRequest g;
      g.set_id(last.job().id());
      iv1::GetInvoiceRunResponse gr;
      st = ctx.client().Call(*inv.runs, &iv1::InvoiceRunService::Stub::GetInvoiceRun, g, &gr,
                             nullptr, 3);
      if (!st.ok()) return ctx.Fail(st);
      last = gr.run();
      if (!progress && last.job().total() > 0) {
        progress = std::make_unique<Progress>(absl::StrCat("run ", last.job().id(), " contracts"),
                                              last.job().total());
      }
      if (progress) {
        progress->Advance(last.job().done() - shown);
        shown = last.job().done();
      }
      const auto state = last.job().state();
      if (state != common::v1::JOB_STATE_PENDING && state != common::v1::JOB_STATE_RUNNING) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  }
  if (ctx.json()) {
    ctx.PrintJson(last);
  } else {
    PrintRun(ctx, last);
  }
  const auto state = last.job().state();
  return state == common::v1::JOB_STATE_FAILED || state == common::v1::JOB_STATE_CANCELLED
             ? kExitFailed
             : kExitOk;
}

int RunsCmd(Context& ctx, const Args& args) {
  Invoicing inv = Connect(args);
  iv1::ListInvoiceRunsRequest req;
  if (args.Has("period")) {
    CTL_ASSIGN_OR_USAGE(*req.mutable_period(), PeriodFlag(args, "period"));
  }
  iv1::ListInvoiceRunsResponse resp;
  grpc::Status st = FetchList(ctx.client(), *inv.runs,
                              &iv1::InvoiceRunService::Stub::ListInvoiceRuns, req, true, &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"RUN"},
           {"PERIOD"},
           {"TYPE"},
           {"STATE"},
           {"DONE", Table::Align::kRight},
           {"DOCUMENTS", Table::Align::kRight},
           {"STARTED"}});
  for (const auto& r : resp.runs()) {
    t.AddRow({r.job().id(), FormatPeriod(r.period()), ShortName(r.run_type()),
              ShortName(r.job().state()), absl::StrCat(r.job().done(), "/", r.job().total()),
              GroupDigits(r.documents_issued()), FormatTime(r.job().start_time(), DisplayZone())});
  }
  ctx.out() << t.Render();
  return kExitOk;
}

absl::StatusOr<iv1::DocumentType> DocTypeFlag(const Args& args) {
  if (!args.Has("type")) return iv1::DOCUMENT_TYPE_UNSPECIFIED;
  const std::string t = absl::AsciiStrToLower(args.Get("type"));
  if (t == "invoice") return iv1::DOCUMENT_TYPE_INVOICE;
  if (t == "act") return iv1::DOCUMENT_TYPE_ACT;
  if (t == "esf") return iv1::DOCUMENT_TYPE_ESF;
  if (t == "credit-note") return iv1::DOCUMENT_TYPE_CREDIT_NOTE;
  if (t == "debit-note") return iv1::DOCUMENT_TYPE_DEBIT_NOTE;
  return absl::InvalidArgumentError("--type: invoice, act, esf, credit-note or debit-note");
}

int DocumentsCmd(Context& ctx, const Args& args) {
  Invoicing inv = Connect(args);
  iv1::ListDocumentsRequest req;
  req.set_participant_id(args.Get("participant"));
  req.set_contract_id(args.Get("contract"));
  req.set_invoice_run_id(args.Get("run"));
  if (args.Has("period")) {
    CTL_ASSIGN_OR_USAGE(*req.mutable_period(), PeriodFlag(args, "period"));
  }
  CTL_ASSIGN_OR_USAGE(iv1::DocumentType type, DocTypeFlag(args));
  req.set_type(type);
  CTL_ASSIGN_OR_USAGE(int64_t size, IntFlag(args, "page-size", 0));
  req.set_page_size(static_cast<int32_t>(size));
  req.set_page_token(args.Get("page-token"));
  iv1::ListDocumentsResponse resp;
  grpc::Status st =
      FetchList(ctx.client(), *inv.documents, &iv1::DocumentService::Stub::ListDocuments, req,
                args.Has("all"), &resp);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"NUMBER"},
           {"TYPE"},
           {"ISSUED"},
           {"PERIOD"},
           {"CONTRACT"},
           {"CUSTOMER", Table::Align::kLeft, 28},
           {"AMOUNT", Table::Align::kRight},
           {"VAT", Table::Align::kRight},
           {"TOTAL", Table::Align::kRight},
           {""},
           {"ID"}});
  for (const auto& d : resp.documents()) {
    t.AddRow({d.number(), ShortName(d.type()), FormatDate(d.issue_date()), FormatPeriod(d.period()),
              d.contract_number(), d.customer_name(), Money(d.amount_tiyn()), Money(d.vat_tiyn()),
              Money(d.total_tiyn()), d.provisional() ? "provisional" : "", d.id()});
  }
  ctx.out() << t.Render()
            << ListFooter(static_cast<size_t>(resp.documents_size()), resp.total_size(),
                          resp.next_page_token());
  return kExitOk;
}

int DocumentCmd(Context& ctx, const Args& args) {
  Invoicing inv = Connect(args);
  iv1::GetDocumentRequest req;
  req.set_id(args.positional()[0]);
  iv1::GetDocumentResponse resp;
  grpc::Status st = ctx.client().Call(*inv.documents, &iv1::DocumentService::Stub::GetDocument, req,
                                      &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp.document());
    return kExitOk;
  }
  const auto& d = resp.document();
  ctx.out() << RenderFields(
      {{"Number", d.number()},
       {"Type", ShortName(d.type())},
       {"Issued", FormatDate(d.issue_date())},
       {"Turnover date", FormatDate(d.turnover_date())},
       {"Due", FormatDate(d.due_date())},
       {"Period", FormatPeriod(d.period())},
       {"Customer", absl::StrCat(d.customer_name(), " (BIN ", d.customer_bin(), ")")},
       {"Contract", d.contract_number()},
       {"Related", d.related_document_number()},
       {"Provisional", d.provisional() ? "yes" : "no"},
       {"Amount excl. VAT", Money(d.amount_tiyn())},
       {"VAT", Money(d.vat_tiyn())},
       {"Total", Money(d.total_tiyn())},
       {"PDF SHA-256", d.pdf_sha256()},
       {"Run", d.invoice_run_id()}});
  Table t({{"#", Table::Align::kRight},
           {"SERVICE"},
           {"FROM"},
           {"TO"},
           {"VOLUME", Table::Align::kRight},
           {"PRICE", Table::Align::kRight},
           {"AMOUNT", Table::Align::kRight},
           {"VAT %", Table::Align::kRight},
           {"VAT", Table::Align::kRight},
           {"TOTAL", Table::Align::kRight},
           {"TARIFF"},
           {"BALANCE RUN"},
           {"ESTIMATED", Table::Align::kRight}});
  for (const auto& l : d.lines()) {
    t.AddRow({absl::StrCat(l.line_no()), ShortName(l.service_type()), FormatDate(l.from_date()),
              FormatDate(l.to_date()), FormatEnergy(l.volume_wh()), FormatPrice(l.price_per_kwh()),
              Money(l.amount_tiyn()), l.vat_rate_percent(), Money(l.vat_tiyn()),
              Money(l.total_tiyn()), absl::StrCat(l.tariff_id(), " v", l.tariff_version()),
              l.balance_run_id(), l.completeness().estimated_share()});
  }
  ctx.out() << "\n" << t.Render();
  return kExitOk;
}

int PdfCmd(Context& ctx, const Args& args) {
  Invoicing inv = Connect(args);
  iv1::GetDocumentPdfRequest req;
  req.set_id(args.positional()[0]);
  iv1::GetDocumentPdfResponse resp;
  grpc::Status st = ctx.client().Call(*inv.documents, &iv1::DocumentService::Stub::GetDocumentPdf,
                                      req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  return WriteOut(ctx, args.Get("out", resp.file_name()), resp.pdf(),
                  absl::StrCat("SHA-256 ", resp.sha256()));
}

int XmlCmd(Context& ctx, const Args& args) {
  Invoicing inv = Connect(args);
  iv1::GetDocumentXmlRequest req;
  req.set_id(args.positional()[0]);
  iv1::GetDocumentXmlResponse resp;
  grpc::Status st = ctx.client().Call(*inv.documents, &iv1::DocumentService::Stub::GetDocumentXml,
                                      req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  return WriteOut(ctx, args.Get("out", resp.file_name()), resp.xml(), "ESF InvoiceV2");
}

int ImportPaymentsCmd(Context& ctx, const Args& args) {
  Invoicing inv = Connect(args);
  absl::StatusOr<std::string> csv = ReadWhole(args.positional()[0]);
  if (!csv.ok()) return ctx.Fail(csv.status().message());
  iv1::ImportPaymentsRequest req;
  req.set_request_id(args.Get("request-id", NewRequestId()));
  req.set_csv(*csv);
  iv1::ImportPaymentsResponse resp;
  grpc::Status st = ctx.client().Call(*inv.payments, &iv1::PaymentService::Stub::ImportPayments,
                                      req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  ctx.out() << "imported " << args.positional()[0] << ": " << resp.created() << " created, "
            << resp.already_present() << " already present\n";
  Table t({{"REFERENCE"},
           {"VALUE DATE"},
           {"CONTRACT"},
           {"AMOUNT", Table::Align::kRight},
           {"ALLOCATED TO"},
           {"CREDIT", Table::Align::kRight}});
  for (const auto& p : resp.payments()) {
    std::string to;
    for (const auto& a : p.allocations()) {
      absl::StrAppend(&to, to.empty() ? "" : ", ", a.document_number(), " ",
                      Money(a.amount_tiyn()));
    }
    t.AddRow({p.reference(), FormatDate(p.value_date()), p.contract_number(),
              Money(p.amount_tiyn()), to, Money(p.unallocated_tiyn())});
  }
  ctx.out() << t.Render();
  return kExitOk;
}

int BalanceCmd(Context& ctx, const Args& args) {
  Invoicing inv = Connect(args);
  iv1::GetAccountBalanceRequest req;
  req.set_participant_id(args.positional()[0]);
  iv1::GetAccountBalanceResponse resp;
  grpc::Status st = ctx.client().Call(*inv.payments, &iv1::PaymentService::Stub::GetAccountBalance,
                                      req, &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp);
    return kExitOk;
  }
  Table t({{"CONTRACT"},
           {"CHARGED", Table::Align::kRight},
           {"PAID", Table::Align::kRight},
           {"BALANCE", Table::Align::kRight},
           {"CREDIT", Table::Align::kRight}});
  for (const auto& b : resp.contracts()) {
    t.AddRow({b.contract_id(), Money(b.charged_tiyn()), Money(b.paid_tiyn()),
              Money(b.balance_tiyn()), Money(b.credit_tiyn())});
  }
  const auto& b = resp.total();
  t.AddRow({"total", Money(b.charged_tiyn()), Money(b.paid_tiyn()), Money(b.balance_tiyn()),
            Money(b.credit_tiyn())});
  ctx.out() << t.Render();
  return kExitOk;
}

int StatementCmd(Context& ctx, const Args& args) {
  Invoicing inv = Connect(args);
  iv1::GetStatementRequest req;
  req.set_participant_id(args.positional()[0]);
  req.set_contract_id(args.Get("contract"));
  if (!args.Has("from") || !args.Has("to")) return ctx.Usage("--from and --to are required");
  CTL_ASSIGN_OR_USAGE(*req.mutable_from_date(), DateFlag(args, "from"));
  CTL_ASSIGN_OR_USAGE(*req.mutable_to_date(), DateFlag(args, "to"));
  iv1::GetStatementResponse resp;
  grpc::Status st = ctx.client().Call(*inv.payments, &iv1::PaymentService::Stub::GetStatement, req,
                                      &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp.statement());
    return kExitOk;
  }
  const auto& s = resp.statement();
  ctx.out() << "Reconciliation statement " << FormatDate(s.from_date()) << " .. "
            << FormatDate(s.to_date()) << "\n";
  Table t({{"DATE"},
           {"KIND"},
           {"REFERENCE"},
           {"CONTRACT"},
           {"DESCRIPTION", Table::Align::kLeft, 32},
           {"CHARGED", Table::Align::kRight},
           {"PAID", Table::Align::kRight}});
  t.AddRow({"", "", "", "", "opening balance", Money(s.opening_tiyn()), ""});
  for (const auto& e : s.entries()) {
    t.AddRow({FormatDate(e.date()), e.kind(), e.reference(), e.contract_number(), e.description(),
              e.charged_tiyn() != 0 ? Money(e.charged_tiyn()) : "",
              e.paid_tiyn() != 0 ? Money(e.paid_tiyn()) : ""});
  }
  t.AddRow({"", "", "", "", "turnover", Money(s.charged_tiyn()), Money(s.paid_tiyn())});
  t.AddRow({"", "", "", "", "closing balance", Money(s.closing_tiyn()), ""});
  ctx.out() << t.Render();
  return kExitOk;
}

int AgingCmd(Context& ctx, const Args& args) {
  Invoicing inv = Connect(args);
  iv1::GetAgingRequest req;
  req.set_participant_id(args.Get("participant"));
  if (!args.Has("as-of")) return ctx.Usage("--as-of is required");
  CTL_ASSIGN_OR_USAGE(*req.mutable_as_of(), DateFlag(args, "as-of"));
  iv1::GetAgingResponse resp;
  grpc::Status st = ctx.client().Call(*inv.payments, &iv1::PaymentService::Stub::GetAging, req,
                                      &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  if (ctx.json()) {
    ctx.PrintJson(resp.aging());
    return kExitOk;
  }
  const auto& a = resp.aging();
  ctx.out() << RenderFields({{"As of", FormatDate(a.as_of())},
                             {"Not yet due", Money(a.not_due_tiyn())},
                             {"0-30 days", Money(a.days_0_30_tiyn())},
                             {"31-60 days", Money(a.days_31_60_tiyn())},
                             {"61-90 days", Money(a.days_61_90_tiyn())},
                             {"over 90 days", Money(a.days_over_90_tiyn())},
                             {"Total open", Money(a.total_tiyn())}});
  return kExitOk;
}

int ExportCmd(Context& ctx, const Args& args) {
  Invoicing inv = Connect(args);
  iv1::ExportPeriodRequest req;
  CTL_ASSIGN_OR_USAGE(*req.mutable_period(), ParsePeriod(args.positional()[0], "PERIOD"));
  const std::string format = absl::AsciiStrToLower(args.Get("format", "csv"));
  if (format == "csv") {
    req.set_format(iv1::EXPORT_FORMAT_CSV);
  } else if (format == "jsonl") {
    req.set_format(iv1::EXPORT_FORMAT_JSONL);
  } else {
    return ctx.Usage("--format: csv or jsonl");
  }
  const std::string content = absl::AsciiStrToLower(args.Get("content", "documents"));
  if (content == "documents") {
    req.set_content(iv1::EXPORT_CONTENT_DOCUMENTS);
  } else if (content == "accruals") {
    req.set_content(iv1::EXPORT_CONTENT_ACCRUALS);
  } else {
    return ctx.Usage("--content: documents or accruals");
  }
  iv1::ExportPeriodResponse resp;
  grpc::Status st = ctx.client().Call(*inv.exports, &iv1::ErpExportService::Stub::ExportPeriod, req,
                                      &resp, nullptr, 3);
  if (!st.ok()) return ctx.Fail(st);
  return WriteOut(ctx, args.Get("out", resp.file_name()), resp.content(),
                  absl::StrCat(resp.records(), " records, SHA-256 ", resp.sha256()));
}

int PeriodCmd(Context& ctx, const Args& args) {
  Invoicing inv = Connect(args);
  common::v1::BillingPeriod period;
  CTL_ASSIGN_OR_USAGE(period, ParsePeriod(args.positional()[0], "PERIOD"));
  iv1::Period out;
  if (args.Has("to")) {
    iv1::TransitionPeriodRequest req;
    req.set_request_id(args.Get("request-id", NewRequestId()));
    *req.mutable_period() = period;
    const std::string to = absl::AsciiStrToLower(args.Get("to"));
    if (to == "closing") {
      req.set_target_state(iv1::PERIOD_STATE_CLOSING);
    } else if (to == "closed") {
      req.set_target_state(iv1::PERIOD_STATE_CLOSED);
    } else {
      return ctx.Usage("--to: closing or closed");
    }
    iv1::TransitionPeriodResponse resp;
    grpc::Status st = ctx.client().Call(
        *inv.periods, &iv1::BillingPeriodService::Stub::TransitionPeriod, req, &resp, nullptr, 3);
    if (!st.ok()) return ctx.Fail(st);
    out = resp.period();
  } else {
    iv1::GetPeriodRequest req;
    *req.mutable_period() = period;
    iv1::GetPeriodResponse resp;
    grpc::Status st = ctx.client().Call(*inv.periods, &iv1::BillingPeriodService::Stub::GetPeriod,
                                        req, &resp, nullptr, 3);
    if (!st.ok()) return ctx.Fail(st);
    out = resp.period();
  }
  if (ctx.json()) {
    ctx.PrintJson(out);
    return kExitOk;
  }
  ctx.out() << RenderFields({{"Period", FormatPeriod(out.period())},
                             {"State", ShortName(out.state())},
                             {"Turnover date", FormatDate(out.turnover_date())},
                             {"VAT rate", absl::StrCat(out.vat_rate_percent(), "%")}});
  return kExitOk;
}

}  // namespace

void AddInvoicingCommands(std::vector<Command>& out) {
  const FlagSpec request_id{"request-id", "ID", "idempotency key (default: a new one)"};
  out.push_back({"invoicing",
                 "run",
                 "PERIOD",
                 1,
                 1,
                 "Run invoicing for a month and show the run",
                 {{"correction", "", "a correction run: credit or debit notes for the difference"},
                  {"balance-run", "ID", "the balance run to bill (default: the latest final)"},
                  {"no-wait", "", "return once the run is started"},
                  request_id,
                  AddrFlag()},
                 "A regular run issues per contract an invoice, an act of services rendered and\n"
                 "an ESF; a contract already billed is skipped, so running again is safe.",
                 RunCmd});
  out.push_back({"invoicing",
                 "runs",
                 "",
                 0,
                 0,
                 "List invoice runs",
                 {{"period", "YYYY-MM", "only runs of this month"}, AddrFlag()},
                 "",
                 RunsCmd});
  out.push_back({"invoicing",
                 "documents",
                 "",
                 0,
                 0,
                 "List documents",
                 {{"participant", "ID", "only this participant's"},
                  {"contract", "ID", "only this contract's"},
                  {"period", "YYYY-MM", "only this month's"},
                  {"type", "invoice|act|esf|credit-note|debit-note", "only this type"},
                  {"run", "ID", "only those issued by this run"},
                  {"page-size", "N", "documents per page"},
                  {"page-token", "TOKEN", "the page to show"},
                  {"all", "", "every page"},
                  AddrFlag()},
                 "",
                 DocumentsCmd});
  out.push_back({"invoicing",
                 "document",
                 "ID",
                 1,
                 1,
                 "Show a document and its lines",
                 {AddrFlag()},
                 "",
                 DocumentCmd});
  out.push_back({"invoicing",
                 "pdf",
                 "ID",
                 1,
                 1,
                 "Download the PDF of a document",
                 {{"out", "FILE", "where to write (default NUMBER.pdf; - for stdout)"}, AddrFlag()},
                 "",
                 PdfCmd});
  out.push_back({"invoicing",
                 "xml",
                 "ID",
                 1,
                 1,
                 "Download the ESF XML of an ESF document",
                 {{"out", "FILE", "where to write (default NUMBER.xml; - for stdout)"}, AddrFlag()},
                 "",
                 XmlCmd});
  out.push_back({"invoicing",
                 "import-payments",
                 "FILE.csv",
                 1,
                 1,
                 "Import payments from a bank statement or ERP CSV",
                 {request_id, AddrFlag()},
                 "Columns: reference,value_date,payer_bin,contract_number,amount[,purpose];\n"
                 "amount in tenge (1234.56). A payment reference imported before is skipped; a\n"
                 "file with a bad row writes nothing.",
                 ImportPaymentsCmd});
  out.push_back({"invoicing",
                 "balance",
                 "PARTICIPANT",
                 1,
                 1,
                 "Show a participant's balance per contract",
                 {AddrFlag()},
                 "",
                 BalanceCmd});
  out.push_back({"invoicing",
                 "statement",
                 "PARTICIPANT",
                 1,
                 1,
                 "Print a reconciliation statement for a date range",
                 {{"from", "YYYY-MM-DD", "the first day"},
                  {"to", "YYYY-MM-DD", "the last day"},
                  {"contract", "ID", "only this contract"},
                  AddrFlag()},
                 "",
                 StatementCmd});
  out.push_back({"invoicing",
                 "aging",
                 "",
                 0,
                 0,
                 "Receivables aging on a date",
                 {{"as-of", "YYYY-MM-DD", "the date to count on"},
                  {"participant", "ID", "only this participant"},
                  AddrFlag()},
                 "",
                 AgingCmd});
  out.push_back({"invoicing",
                 "export",
                 "PERIOD",
                 1,
                 1,
                 "Export a month's documents for ERP",
                 {{"format", "csv|jsonl", "default csv"},
                  {"content", "documents|accruals", "default documents"},
                  {"out", "FILE", "where to write (default the server's file name; - for stdout)"},
                  AddrFlag()},
                 "The same month exports to the same bytes until a document is added.",
                 ExportCmd});
  out.push_back({"invoicing",
                 "period",
                 "PERIOD",
                 1,
                 1,
                 "Show a billing period, or move it on",
                 {{"to", "closing|closed", "move the period forward"}, request_id, AddrFlag()},
                 "A closed period takes only corrections.",
                 PeriodCmd});
}

}  // namespace gridbill::ctl
