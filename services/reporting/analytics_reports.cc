#include "analytics_reports.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "forecast_report.h"

namespace gridbill::reporting {
namespace {

Column Col(std::string name, std::string en, std::string ru, ColumnType type,
           std::string definition) {
  return Column{std::move(name), std::move(en), std::move(ru), type, std::move(definition)};
}

std::string Month(absl::CivilMonth m) { return absl::FormatCivilTime(m); }

// a / b rounded half away from zero (b > 0).
int64_t DivRound(__int128 a, __int128 b) {
  __int128 q = a / b;
  const __int128 r = a % b;
  if (2 * (r < 0 ? -r : r) >= b) q += a < 0 ? -1 : 1;
  return static_cast<int64_t>(q);
}

// Seconds as hours with two decimals, half away from zero; "" when unset.
std::string Hours(const std::optional<int64_t>& seconds) {
  if (!seconds) return "";
  const int64_t h100 = DivRound(static_cast<__int128>(*seconds) * 100, 3600);
  const int64_t a = h100 < 0 ? -h100 : h100;
  return absl::StrFormat("%s%d.%02d", h100 < 0 ? "-" : "", a / 100, a % 100);
}

// part / whole x 100 to 0.01, half away from zero; "" when whole is 0.
std::string Percent(int64_t part, int64_t whole) {
  if (whole <= 0) return "";
  const int64_t p = DivRound(static_cast<__int128>(part) * 10000, whole);
  const int64_t a = p < 0 ? -p : p;
  return absl::StrFormat("%s%d.%02d", p < 0 ? "-" : "", a / 100, a % 100);
}

const char* ChannelName(int channel) {
  switch (channel) {
    case 1:
      return "active-received";
    case 2:
      return "active-delivered";
    case 3:
      return "reactive-received";
    case 4:
      return "reactive-delivered";
  }
  return "";
}

const char* KindName(int kind) {
  switch (kind) {
    case 2:
      return "node";
    case 3:
      return "region";
  }
  return "";
}

ReportDef MakeR1() {
  ReportDef r;
  r.code = "R1";
  r.title_en = "National energy balance";
  r.title_ru = "Баланс электроэнергии";
  r.description =
      "Per month and grid node or region: the energy balance of the balance run the month is "
      "billed from (balance's GetBillingRun: the latest succeeded final or correction run), as "
      "balance's node results (ListRunTotals) give it. Months without a succeeded final run "
      "have no rows.";
  r.parameters = {"period_from", "period_to", "region_code"};
  r.columns = {
      Col("period", "Period", "Период", ColumnType::kPeriod, "The billing period, YYYY-MM."),
      Col("node_code", "Node or region", "Узел или регион", ColumnType::kText,
          "The node or region code of balance's scheme (region_code filters on it)."),
      Col("kind", "Kind", "Вид", ColumnType::kText, "node or region."),
      Col("inflow_wh", "Inflow, Wh", "Поступление, Вт·ч", ColumnType::kEnergyWh,
          "Energy into the node or region over the month: the sum of its inflow terms "
          "(generation_wh and energy received from other nodes over tie lines)."),
      Col("outflow_wh", "Outflow, Wh", "Отпуск, Вт·ч", ColumnType::kEnergyWh,
          "Energy out of the node or region over the month: the sum of its outflow terms "
          "(consumption_wh and energy passed to other nodes over tie lines)."),
      Col("consumption_wh", "Consumption, Wh", "Потребление, Вт·ч", ColumnType::kEnergyWh,
          "Energy taken by grid users over the month: the outflow terms measured at points of "
          "the run's participant schemes (consumers, distribution companies), balance's "
          "consumption_wh; outflow_wh - consumption_wh left over tie lines. 0 for runs balance "
          "computed before it recorded the split."),
      Col("generation_wh", "Generation, Wh", "Генерация, Вт·ч", ColumnType::kEnergyWh,
          "Energy fed in by grid users over the month: the inflow terms measured at points of "
          "the run's participant schemes (plants, and consumers' own generation delivered), "
          "balance's generation_wh; inflow_wh - generation_wh came over tie lines. 0 for runs "
          "balance computed before it recorded the split."),
      Col("losses_wh", "Losses, Wh", "Потери, Вт·ч", ColumnType::kEnergyWh,
          "inflow_wh - outflow_wh, as balance computed it."),
      Col("losses_percent", "Loss share, %", "Доля потерь, %", ColumnType::kPercent,
          "Losses in percent of inflow, as balance computed it (4 fractional digits, half up; "
          "0 without inflow)."),
      Col("normative_loss_percent", "Normative losses, %", "Норматив потерь, %",
          ColumnType::kPercent, "The normative loss rate of the node's or region's scheme."),
      Col("losses_over_normative_wh", "Losses over the norm, Wh", "Потери сверх норматива, Вт·ч",
          ColumnType::kEnergyWh,
          "losses_wh - inflow_wh x normative_loss_percent / 100 (rounded half away from zero "
          "to 1 Wh); negative when the losses are below the norm."),
      Col("above_normative", "Above the norm", "Сверх норматива", ColumnType::kText,
          "yes when balance found the losses over the month above the normative rate, else no."),
      Col("balance_run_id", "Balance run", "Расчёт баланса", ColumnType::kText,
          "The balance run the figures come from."),
  };
  return r;
}

ReportDef MakeR4() {
  ReportDef r;
  r.code = "R4";
  r.title_en = "Metering data quality";
  r.title_ru = "Качество данных учёта";
  r.description =
      "Per month, metering point and channel: the intervals by quality as metering's "
      "GetCompleteness counts them for the participant the point belongs to, for the months "
      "with a billing run (read again when a correction run replaces it), the worst points "
      "first. A month in which one of a participant's points changed owner has no rows for "
      "that participant (metering answers the month only for points held all month).";
  r.parameters = {"period_from", "period_to", "region_code", "participant_id"};
  r.participant_may_run = true;
  r.columns = {
      Col("period", "Period", "Период", ColumnType::kPeriod, "The billing period, YYYY-MM."),
      Col("participant_id", "Participant id", "Код участника", ColumnType::kText,
          "The participant the point belongs to."),
      Col("participant_name", "Participant", "Участник", ColumnType::kText,
          "Its name in the contracts service."),
      Col("point_code", "Metering point", "Точка учёта", ColumnType::kText, "The point's code."),
      Col("channel", "Channel", "Канал", ColumnType::kText,
          "active-received, active-delivered, reactive-received or reactive-delivered."),
      Col("expected", "Intervals", "Интервалов", ColumnType::kInteger,
          "Intervals in the month at the point's resolution."),
      Col("measured", "Measured", "Измерено", ColumnType::kInteger,
          "Intervals measured by a meter or substituted from another source."),
      Col("estimated", "Estimated", "Оценено", ColumnType::kInteger,
          "Intervals filled by the estimation of gaps."),
      Col("edited", "Edited", "Исправлено", ColumnType::kInteger,
          "Intervals edited by hand by an operator."),
      Col("missing", "Missing", "Отсутствует", ColumnType::kInteger, "Intervals with no value."),
      Col("measured_percent", "Measured, %", "Измерено, %", ColumnType::kPercent,
          "measured / expected x 100, half away from zero to 0.01; empty when expected is 0."),
      Col("estimated_percent", "Estimated, %", "Оценено, %", ColumnType::kPercent,
          "estimated / expected x 100, likewise."),
      Col("edited_percent", "Edited, %", "Исправлено, %", ColumnType::kPercent,
          "edited / expected x 100, likewise."),
      Col("missing_percent", "Missing, %", "Отсутствует, %", ColumnType::kPercent,
          "missing / expected x 100, likewise."),
      Col("worst_rank", "Rank (worst first)", "Место (худшие первыми)", ColumnType::kInteger,
          "1 for the point and channel of the month with the largest share of intervals not "
          "measured (estimated + edited + missing over expected), ties by point code; the rows "
          "are in this order."),
      Col("findings_negative", "Negative values", "Отрицательные значения", ColumnType::kInteger,
          "Intervals stored with the VEE finding NEGATIVE (a value below zero), as metering's "
          "GetCompleteness counts them; an interval may carry more than one finding."),
      Col("findings_spike", "Spikes", "Выбросы", ColumnType::kInteger,
          "Intervals with the finding SPIKE (k times the point's typical value or more)."),
      Col("findings_flat_line", "Flat lines", "Постоянные значения", ColumnType::kInteger,
          "Intervals with the finding FLAT_LINE (in a run of identical non-zero values: a stuck "
          "meter)."),
      Col("findings_gap", "Gaps", "Пропуски", ColumnType::kInteger,
          "Intervals with the finding GAP (no value)."),
      Col("findings_source_mismatch", "Source mismatches", "Расхождения источников",
          ColumnType::kInteger,
          "Intervals with the finding SOURCE_MISMATCH (the CMS and SCADA values differ by more "
          "than metering's tolerance)."),
  };
  return r;
}

ReportDef MakeR5() {
  ReportDef r;
  r.code = "R5";
  r.title_en = "Applications";
  r.title_ru = "Заявки";
  r.description =
      "Per month of submission (in the operator's time zone) and application type: the "
      "applications received, processed, closed and overdue, counted as contracts' "
      "CountApplications counts them, and the time from submission to decision. Overdue is "
      "judged at the read model's \"as of\"; drafts are never counted.";
  r.parameters = {"period_from", "period_to", "participant_id"};
  r.columns = {
      Col("period", "Period", "Период", ColumnType::kPeriod,
          "The month the applications were submitted, YYYY-MM."),
      Col("type", "Type", "Тип", ColumnType::kText,
          "declared-volumes, contract-conclusion, contract-amendment, metering-correction or "
          "metering-point-connection."),
      Col("received", "Received", "Поступило", ColumnType::kInteger,
          "Applications submitted in the month."),
      Col("processed", "Processed", "Рассмотрено", ColumnType::kInteger,
          "Of those, decided: approved or rejected, or closed after a decision."),
      Col("closed", "Closed", "Закрыто", ColumnType::kInteger, "Of those, closed."),
      Col("overdue", "Overdue", "Просрочено", ColumnType::kInteger,
          "Of those, submitted or in review and past their due time at the \"as of\"."),
      Col("median_handling_hours", "Median handling, h", "Медиана рассмотрения, ч",
          ColumnType::kDecimal,
          "The median of decision time minus submission time of the processed ones, in hours "
          "(two decimals, continuous percentile); empty when none was processed."),
      Col("p90_handling_hours", "90th percentile handling, h", "90-й процентиль рассмотрения, ч",
          ColumnType::kDecimal,
          "The 90th percentile of the same times, in hours (continuous percentile)."),
  };
  return r;
}

}  // namespace

std::vector<ReportDef> AnalyticsReports() { return {MakeR1(), MakeR4(), MakeR5(), MakeR6()}; }

const char* ApplicationTypeName(int type) {
  switch (type) {
    case 1:
      return "declared-volumes";
    case 2:
      return "contract-conclusion";
    case 3:
      return "contract-amendment";
    case 4:
      return "metering-correction";
    case 5:
      return "metering-point-connection";
  }
  return "";
}

std::optional<int64_t> ParseMicros(const std::string& decimal) {
  absl::string_view s = absl::StripAsciiWhitespace(decimal);
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  const size_t dot = s.find('.');
  absl::string_view whole = s.substr(0, dot);
  absl::string_view frac = dot == absl::string_view::npos ? "" : s.substr(dot + 1);
  if ((whole.empty() && frac.empty()) || frac.size() > 6 || whole.size() > 12) return std::nullopt;
  int64_t w = 0, f = 0;
  if (!whole.empty() && !absl::SimpleAtoi(whole, &w)) return std::nullopt;
  if (!frac.empty()) {
    for (char c : frac) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    }
    if (!absl::SimpleAtoi(frac, &f)) return std::nullopt;
    for (size_t i = frac.size(); i < 6; ++i) f *= 10;
  }
  const int64_t v = w * 1000000 + f;
  return negative ? -v : v;
}

Table BuildR1(const Query& q, const std::vector<NodeMonth>& months) {
  Table t;
  t.report = q.report;
  for (const NodeMonth& m : months) {
    std::string over;
    if (std::optional<int64_t> norm = ParseMicros(m.normative_loss_percent)) {
      const int64_t allowed =
          DivRound(static_cast<__int128>(m.inflow_wh) * *norm, static_cast<__int128>(100000000));
      over = absl::StrCat(m.losses_wh - allowed);
    }
    t.rows.push_back({Month(m.period), m.node_code, KindName(m.kind), absl::StrCat(m.inflow_wh),
                      absl::StrCat(m.outflow_wh), absl::StrCat(m.consumption_wh),
                      absl::StrCat(m.generation_wh), absl::StrCat(m.losses_wh), m.losses_percent,
                      m.normative_loss_percent, over, m.above_normative ? "yes" : "no",
                      m.balance_run_id});
  }
  return t;
}

Table BuildR4(const Query& q, const std::vector<PointQuality>& points) {
  Table t;
  t.report = q.report;
  std::vector<const PointQuality*> order;
  for (const PointQuality& p : points) order.push_back(&p);
  // Not measured over expected, larger first: a/b > c/d <=> a*d > c*b.
  auto bad = [](const PointQuality& p) { return p.estimated + p.edited + p.missing; };
  std::stable_sort(order.begin(), order.end(), [&](const PointQuality* a, const PointQuality* b) {
    if (a->period != b->period) return a->period < b->period;
    const __int128 left = static_cast<__int128>(bad(*a)) * std::max<int64_t>(b->expected, 1);
    const __int128 right = static_cast<__int128>(bad(*b)) * std::max<int64_t>(a->expected, 1);
    if (left != right) return left > right;
    return std::tie(a->point_code, a->channel, a->participant_id) <
           std::tie(b->point_code, b->channel, b->participant_id);
  });
  int64_t rank = 0;
  std::optional<absl::CivilMonth> month;
  for (const PointQuality* p : order) {
    if (month != p->period) {
      month = p->period;
      rank = 0;
    }
    ++rank;
    t.rows.push_back({Month(p->period),
                      p->participant_id,
                      p->participant_name,
                      p->point_code,
                      ChannelName(p->channel),
                      absl::StrCat(p->expected),
                      absl::StrCat(p->measured),
                      absl::StrCat(p->estimated),
                      absl::StrCat(p->edited),
                      absl::StrCat(p->missing),
                      Percent(p->measured, p->expected),
                      Percent(p->estimated, p->expected),
                      Percent(p->edited, p->expected),
                      Percent(p->missing, p->expected),
                      absl::StrCat(rank),
                      absl::StrCat(p->negative),
                      absl::StrCat(p->spike),
                      absl::StrCat(p->flat_line),
                      absl::StrCat(p->gap),
                      absl::StrCat(p->source_mismatch)});
  }
  return t;
}

Table BuildR5(const Query& q, const std::vector<ApplicationMonth>& months) {
  Table t;
  t.report = q.report;
  for (const ApplicationMonth& m : months) {
    t.rows.push_back({Month(m.period), ApplicationTypeName(m.type), absl::StrCat(m.received),
                      absl::StrCat(m.processed), absl::StrCat(m.closed), absl::StrCat(m.overdue),
                      Hours(m.median_seconds), Hours(m.p90_seconds)});
  }
  return t;
}

}  // namespace gridbill::reporting
