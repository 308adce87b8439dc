#include "reports.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytics_reports.h"
#include "gridbill/base/csv.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::reporting {
namespace {

Column Col(std::string name, std::string en, std::string ru, ColumnType type,
           std::string definition) {
  return Column{std::move(name), std::move(en), std::move(ru), type, std::move(definition)};
}

std::vector<ReportDef> MakeCatalog() {
  std::vector<ReportDef> out;
  {
    ReportDef r;
    r.code = "R2";
    r.title_en = "Service volumes and revenue";
    r.title_ru = "Объёмы услуг и выручка";
    r.description =
        "Per participant x service x month: the volumes and amounts of the invoices, credit "
        "notes and debit notes issued for the month (acts and ESFs repeat the invoice and are "
        "not counted), against the same month a year before.";
    r.parameters = {"period_from", "period_to", "region_code", "participant_id", "service_type"};
    r.participant_may_run = true;
    r.columns = {
        Col("period", "Period", "Период", ColumnType::kPeriod, "The billing period, YYYY-MM."),
        Col("participant_id", "Participant id", "Код участника", ColumnType::kText,
            "The participant billed."),
        Col("participant_name", "Participant", "Участник", ColumnType::kText,
            "Its name in the contracts service."),
        Col("region_code", "Region", "Регион", ColumnType::kText, "Its region code."),
        Col("service", "Service", "Услуга", ColumnType::kText,
            "transmission, dispatching, balancing or grid-use."),
        Col("volume_wh", "Volume, Wh", "Объём, Вт·ч", ColumnType::kEnergyWh,
            "Sum of the document lines' volumes of the service (credit notes negative)."),
        Col("revenue_net_tiyn", "Revenue excl. VAT, tiyn", "Выручка без НДС, тиын",
            ColumnType::kMoneyTiyn, "Sum of the lines' amounts excluding VAT."),
        Col("vat_tiyn", "VAT, tiyn", "НДС, тиын", ColumnType::kMoneyTiyn, "Sum of the lines' VAT."),
        Col("revenue_gross_tiyn", "Revenue incl. VAT, tiyn", "Выручка с НДС, тиын",
            ColumnType::kMoneyTiyn, "Sum of the lines' totals including VAT."),
        Col("volume_wh_year_before", "Volume a year before, Wh", "Объём год назад, Вт·ч",
            ColumnType::kEnergyWh,
            "volume_wh of the same participant, service and month a year "
            "before (0 when none)."),
        Col("revenue_net_tiyn_year_before", "Revenue excl. VAT a year before, tiyn",
            "Выручка без НДС год назад, тиын", ColumnType::kMoneyTiyn,
            "revenue_net_tiyn of the same month a year before (0 when none)."),
        Col("revenue_change_percent", "Change of revenue, %", "Изменение выручки, %",
            ColumnType::kPercent,
            "(revenue_net_tiyn - revenue_net_tiyn_year_before) / |revenue_net_tiyn_year_before| "
            "x 100, rounded half away from zero to 0.01; empty when there is no revenue a year "
            "before."),
    };
    out.push_back(std::move(r));
  }
  {
    ReportDef r;
    r.code = "R3";
    r.title_en = "Accruals, payments and receivables aging";
    r.title_ru = "Начисления, оплаты и старение задолженности";
    r.description =
        "Per participant: what was accrued for the months and paid in them, and the receivables "
        "still open on the aging date (the day of the read model's \"as of\" in the operator's "
        "time zone) by days past "
        "due, as invoicing reported them at the last refresh (every month, not only the range).";
    r.parameters = {"period_from", "period_to", "region_code", "participant_id"};
    r.participant_may_run = true;
    r.columns = {
        Col("participant_id", "Participant id", "Код участника", ColumnType::kText,
            "The participant."),
        Col("participant_name", "Participant", "Участник", ColumnType::kText,
            "Its name in the contracts service."),
        Col("region_code", "Region", "Регион", ColumnType::kText, "Its region code."),
        Col("accrued_tiyn", "Accrued, tiyn", "Начислено, тиын", ColumnType::kMoneyTiyn,
            "Totals including VAT of the invoices, debit notes and credit notes (negative) of the "
            "months."),
        Col("paid_tiyn", "Paid, tiyn", "Оплачено, тиын", ColumnType::kMoneyTiyn,
            "Payments with a value date in the months."),
        Col("open_tiyn", "Open, tiyn", "Задолженность, тиын", ColumnType::kMoneyTiyn,
            "Open amounts of its invoices and debit notes issued by the aging date."),
        Col("not_due_tiyn", "Not due, tiyn", "Срок не наступил, тиын", ColumnType::kMoneyTiyn,
            "Open amounts whose due date is after the aging date."),
        Col("overdue_0_30_tiyn", "Overdue 0-30 days, tiyn", "Просрочено 0-30 дней, тиын",
            ColumnType::kMoneyTiyn, "Open amounts 0 to 30 days past their due date."),
        Col("overdue_31_60_tiyn", "Overdue 31-60 days, tiyn", "Просрочено 31-60 дней, тиын",
            ColumnType::kMoneyTiyn, "Open amounts 31 to 60 days past their due date."),
        Col("overdue_61_90_tiyn", "Overdue 61-90 days, tiyn", "Просрочено 61-90 дней, тиын",
            ColumnType::kMoneyTiyn, "Open amounts 61 to 90 days past their due date."),
        Col("overdue_over_90_tiyn", "Overdue over 90 days, tiyn", "Просрочено более 90 дней, тиын",
            ColumnType::kMoneyTiyn, "Open amounts more than 90 days past their due date."),
        Col("overdue_tiyn", "Overdue, tiyn", "Просрочено всего, тиын", ColumnType::kMoneyTiyn,
            "The sum of the four overdue columns."),
    };
    out.push_back(std::move(r));
  }
  {
    ReportDef r;
    r.code = "R7";
    r.title_en = "Reconciliation act";
    r.title_ru = "Акт сверки взаимных расчётов";
    r.description =
        "One participant's settlements for the months: the balance at the start (documents "
        "charged minus payments before the first day), each invoice, debit note, credit note "
        "(by issue date) and payment (by value date) with the running balance, and the balance "
        "at the end. Positive balances are owed by the participant. The PDF is the act to sign.";
    r.parameters = {"period_from", "period_to", "participant_id"};
    r.participant_may_run = true;
    r.columns = {
        Col("date", "Date", "Дата", ColumnType::kDate,
            "The issue or value date; empty on the "
            "opening and closing lines."),
        Col("description", "Description", "Содержание", ColumnType::kText,
            "Invoice, debit note, credit note, payment, or the opening or closing balance."),
        Col("reference", "Number", "Номер", ColumnType::kText,
            "The document's number or the payment's bank reference."),
        Col("charged_tiyn", "Charged, tiyn", "Начислено, тиын", ColumnType::kMoneyTiyn,
            "The document's total including VAT (negative for a credit note)."),
        Col("paid_tiyn", "Paid, tiyn", "Оплачено, тиын", ColumnType::kMoneyTiyn,
            "The payment's amount."),
        Col("balance_tiyn", "Balance, tiyn", "Сальдо, тиын", ColumnType::kMoneyTiyn,
            "The balance after the line: opening + charged - paid so far."),
    };
    out.push_back(std::move(r));
  }
  {
    ReportDef r;
    r.code = "R8";
    r.title_en = "Period summary";
    r.title_ru = "Сводка за период";
    r.description =
        "Per month: the participants and contracts billed, the documents issued by type, the "
        "amounts net, VAT and gross of invoices and notes, the payments with a value date in the "
        "month, and the invoice and balance runs the documents came from.";
    r.parameters = {"period_from", "period_to", "region_code"};
    r.columns = {
        Col("period", "Period", "Период", ColumnType::kPeriod, "The billing period, YYYY-MM."),
        Col("participants", "Participants billed", "Участников", ColumnType::kInteger,
            "Participants with an invoice, credit or debit note of the month."),
        Col("contracts_billed", "Contracts billed", "Договоров", ColumnType::kInteger,
            "Contracts with an invoice, credit or debit note of the month."),
        Col("invoices", "Invoices", "Счета", ColumnType::kInteger, "Invoices issued."),
        Col("acts", "Acts", "Акты", ColumnType::kInteger, "Acts of services rendered issued."),
        Col("esfs", "E-VAT invoices", "ЭСФ", ColumnType::kInteger,
            "Electronic VAT invoices issued."),
        Col("credit_notes", "Credit notes", "Кредит-ноты", ColumnType::kInteger,
            "Credit notes issued."),
        Col("debit_notes", "Debit notes", "Дебет-ноты", ColumnType::kInteger,
            "Debit notes issued."),
        Col("amount_net_tiyn", "Amount excl. VAT, tiyn", "Сумма без НДС, тиын",
            ColumnType::kMoneyTiyn, "Sum over invoices, credit notes (negative) and debit notes."),
        Col("vat_tiyn", "VAT, tiyn", "НДС, тиын", ColumnType::kMoneyTiyn, "Their VAT."),
        Col("amount_gross_tiyn", "Amount incl. VAT, tiyn", "Сумма с НДС, тиын",
            ColumnType::kMoneyTiyn, "Their totals including VAT."),
        Col("payments", "Payments", "Платежи", ColumnType::kInteger,
            "Payments with a value date in the month."),
        Col("payments_tiyn", "Paid, tiyn", "Оплачено, тиын", ColumnType::kMoneyTiyn,
            "Their amounts."),
        Col("invoice_runs", "Invoice runs", "Запуски начисления", ColumnType::kText,
            "The invoice runs that issued the month's documents, space-separated."),
        Col("balance_runs", "Balance runs", "Расчёты баланса", ColumnType::kText,
            "The balance runs the documents' volumes came from, space-separated."),
    };
    out.push_back(std::move(r));
  }
  for (ReportDef& r : AnalyticsReports()) out.push_back(std::move(r));
  std::sort(out.begin(), out.end(),
            [](const ReportDef& a, const ReportDef& b) { return a.code < b.code; });
  return out;
}

std::string Month(absl::CivilMonth m) { return absl::FormatCivilTime(m); }

// (now - before) / |before| x 100 to 0.01, half away from zero; "" when before is 0.
std::string ChangePercent(int64_t now, int64_t before) {
  if (before == 0) return "";
  const __int128 num = static_cast<__int128>(now - before) * 10000;
  const __int128 den = before < 0 ? -static_cast<__int128>(before) : before;
  __int128 q = num / den;
  const __int128 r = num % den;
  if (2 * (r < 0 ? -r : r) >= den) q += num < 0 ? -1 : 1;
  const bool negative = q < 0;
  const int64_t a = static_cast<int64_t>(negative ? -q : q);
  return absl::StrFormat("%s%d.%02d", negative ? "-" : "", a / 100, a % 100);
}

bool Takes(const ReportDef& r, std::string_view parameter) {
  for (const std::string& p : r.parameters) {
    if (p == parameter) return true;
  }
  return false;
}

}  // namespace

const char* ServiceName(int service_type) {
  switch (service_type) {
    case 1:
      return "transmission";
    case 2:
      return "dispatching";
    case 3:
      return "balancing";
    case 4:
      return "grid-use";
  }
  return "";
}

const std::vector<ReportDef>& Catalog() {
  static const std::vector<ReportDef>* catalog = new std::vector<ReportDef>(MakeCatalog());
  return *catalog;
}

const ReportDef* FindReport(const std::string& code) {
  for (const ReportDef& r : Catalog()) {
    if (r.code == code) return &r;
  }
  return nullptr;
}

const std::string& Label(const Column& c, Language language) {
  return language == Language::kRu ? c.label_ru : c.label_en;
}

const std::string& Title(const ReportDef& r, Language language) {
  return language == Language::kRu ? r.title_ru : r.title_en;
}

absl::StatusOr<Query> CheckQuery(const std::string& code, const Params& params,
                                 const Caller& caller) {
  Query q;
  if (code.empty()) return InvalidField("report", "required, e.g. R2");
  q.report = FindReport(code);
  if (q.report == nullptr) {
    std::string known;
    for (const ReportDef& r : Catalog()) absl::StrAppend(&known, known.empty() ? "" : ", ", r.code);
    return InvalidField("report", absl::StrCat("unknown report ", QuoteInput(code),
                                               " (the reports are ", known, ")"));
  }
  if (caller.scoped() && !q.report->participant_may_run) {
    return absl::PermissionDeniedError(absl::StrCat("report: a participant's user may not run ",
                                                    code,
                                                    " (only R2, R3, R4 and R7, about itself)"));
  }
  if (!params.period_from) return InvalidField("parameters.period_from", "required");
  q.from = *params.period_from;
  q.to = params.period_to.value_or(q.from);
  if (q.to < q.from) {
    return InvalidField("parameters.period_to",
                        absl::StrCat(Month(q.to), " is before period_from ", Month(q.from)));
  }
  if (q.to - q.from >= 120) {
    return InvalidField("parameters.period_to", "the range is longer than 10 years");
  }
  if (!params.region_code.empty()) {
    if (!Takes(*q.report, "region_code")) {
      return InvalidField("parameters.region_code", absl::StrCat(code, " takes no region"));
    }
    q.region_code = params.region_code;
  }
  if (!params.participant_id.empty() && !Takes(*q.report, "participant_id")) {
    return InvalidField("parameters.participant_id", absl::StrCat(code, " takes no participant"));
  }
  if (!params.participant_id.empty() && caller.DeniedFor(params.participant_id)) {
    return absl::PermissionDeniedError(
        "parameters.participant_id: a participant's user may only report about itself");
  }
  q.participant_id = caller.scoped() ? caller.participant_id : params.participant_id;
  q.language = params.language;
  if (q.report->code == "R7" && q.participant_id.empty()) {
    return InvalidField("parameters.participant_id", "R7 is the act of one participant: required");
  }
  if (params.service_type != 0) {
    if (!Takes(*q.report, "service_type")) {
      return InvalidField("parameters.service_type", absl::StrCat(code, " takes no service"));
    }
    if (params.service_type < 0 || params.service_type > kServiceTypes) {
      return InvalidField("parameters.service_type",
                          absl::StrCat("unknown service ", params.service_type));
    }
    q.service_type = params.service_type;
  }
  return q;
}

Table BuildR2(const Query& q, const std::vector<ServiceMonth>& months) {
  Table t;
  t.report = q.report;
  using Key = std::tuple<absl::CivilMonth, std::string, int>;
  std::map<Key, const ServiceMonth*> by_key;
  for (const ServiceMonth& m : months) by_key[{m.period, m.participant_id, m.service_type}] = &m;
  for (const auto& [key, m] : by_key) {
    if (m->period < q.from || m->period > q.to) continue;
    int64_t volume_before = 0, net_before = 0;
    auto before = by_key.find({m->period - 12, m->participant_id, m->service_type});
    if (before != by_key.end()) {
      volume_before = before->second->volume_wh;
      net_before = before->second->amount_tiyn;
    }
    t.rows.push_back({Month(m->period), m->participant_id, m->participant_name, m->region_code,
                      ServiceName(m->service_type), absl::StrCat(m->volume_wh),
                      absl::StrCat(m->amount_tiyn), absl::StrCat(m->vat_tiyn),
                      absl::StrCat(m->total_tiyn), absl::StrCat(volume_before),
                      absl::StrCat(net_before), ChangePercent(m->amount_tiyn, net_before)});
  }
  return t;
}

Table BuildR3(const Query& q, const std::vector<Receivables>& rows) {
  Table t;
  t.report = q.report;
  for (const Receivables& r : rows) {
    const int64_t overdue = r.d0_30_tiyn + r.d31_60_tiyn + r.d61_90_tiyn + r.over_90_tiyn;
    t.rows.push_back(
        {r.participant_id, r.participant_name, r.region_code, absl::StrCat(r.accrued_tiyn),
         absl::StrCat(r.paid_tiyn), absl::StrCat(r.open_tiyn), absl::StrCat(r.not_due_tiyn),
         absl::StrCat(r.d0_30_tiyn), absl::StrCat(r.d31_60_tiyn), absl::StrCat(r.d61_90_tiyn),
         absl::StrCat(r.over_90_tiyn), absl::StrCat(overdue)});
  }
  return t;
}

Table BuildR7(const Query& q, int64_t opening, const std::vector<ActLine>& lines) {
  Table t;
  t.report = q.report;
  const bool ru = q.language == Language::kRu;
  auto kind = [&](const ActLine& l) -> std::string {
    if (l.payment) return ru ? "Оплата" : "Payment";
    switch (static_cast<DocumentType>(l.document_type)) {
      case DocumentType::kCreditNote:
        return ru ? "Кредит-нота" : "Credit note";
      case DocumentType::kDebitNote:
        return ru ? "Дебет-нота" : "Debit note";
      default:
        return ru ? "Счёт на оплату" : "Invoice";
    }
  };
  int64_t balance = opening;
  t.rows.push_back(
      {"", ru ? "Сальдо на начало периода" : "Opening balance", "", "", "", absl::StrCat(opening)});
  int64_t charged = 0, paid = 0;
  for (const ActLine& l : lines) {
    if (l.payment) {
      balance -= l.amount_tiyn;
      paid += l.amount_tiyn;
    } else {
      balance += l.amount_tiyn;
      charged += l.amount_tiyn;
    }
    t.rows.push_back({absl::FormatCivilTime(l.day), kind(l), l.reference,
                      l.payment ? "" : absl::StrCat(l.amount_tiyn),
                      l.payment ? absl::StrCat(l.amount_tiyn) : "", absl::StrCat(balance)});
  }
  t.rows.push_back({"", ru ? "Сальдо на конец периода" : "Closing balance", "",
                    absl::StrCat(charged), absl::StrCat(paid), absl::StrCat(balance)});
  return t;
}

Table BuildR8(const Query& q, const std::vector<PeriodDocuments>& documents,
              const std::vector<PeriodPayments>& payments) {
  Table t;
  t.report = q.report;
  std::map<absl::CivilMonth, const PeriodDocuments*> docs;
  std::map<absl::CivilMonth, const PeriodPayments*> paid;
  for (const PeriodDocuments& d : documents) docs[d.period] = &d;
  for (const PeriodPayments& p : payments) paid[p.period] = &p;
  static const PeriodDocuments kNoDocuments;
  static const PeriodPayments kNoPayments;
  for (absl::CivilMonth m = q.from; m <= q.to; ++m) {
    auto d_it = docs.find(m);
    auto p_it = paid.find(m);
    if (d_it == docs.end() && p_it == paid.end()) continue;
    const PeriodDocuments& d = d_it == docs.end() ? kNoDocuments : *d_it->second;
    const PeriodPayments& p = p_it == paid.end() ? kNoPayments : *p_it->second;
    t.rows.push_back({Month(m), absl::StrCat(d.participants), absl::StrCat(d.contracts),
                      absl::StrCat(d.by_type[1]), absl::StrCat(d.by_type[2]),
                      absl::StrCat(d.by_type[3]), absl::StrCat(d.by_type[4]),
                      absl::StrCat(d.by_type[5]), absl::StrCat(d.amount_tiyn),
                      absl::StrCat(d.vat_tiyn), absl::StrCat(d.total_tiyn), absl::StrCat(p.count),
                      absl::StrCat(p.amount_tiyn), d.invoice_runs, d.balance_runs});
  }
  return t;
}

std::string FileStem(const Query& q) {
  return absl::StrCat(q.report->code, "-", Month(q.from), "-", Month(q.to));
}

RowSource RowsOf(const Table& table) {
  size_t next = 0;
  return [&table, next]() mutable -> const std::vector<std::string>* {
    return next < table.rows.size() ? &table.rows[next++] : nullptr;
  };
}

absl::Status WriteCsv(const ReportDef& report, const RowSource& rows, Language language,
                      size_t chunk_bytes, const Sink& sink) {
  std::string buffer;
  std::vector<std::string> header;
  for (const Column& c : report.columns) header.push_back(Label(c, language));
  buffer = CsvLine(header);
  int64_t done = 0;
  while (const std::vector<std::string>* row = rows()) {
    buffer += CsvLine(*row);
    ++done;
    if (buffer.size() >= chunk_bytes) {
      RETURN_IF_ERROR(sink(buffer, done));
      buffer.clear();
    }
  }
  if (!buffer.empty() || done == 0) RETURN_IF_ERROR(sink(buffer, done));
  return absl::OkStatus();
}

}  // namespace gridbill::reporting
