#include "dwh.h"

#include <algorithm>
#include <map>

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "documents.h"
#include "gridbill/base/csv.h"
#include "gridbill/base/json.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::integrations {

absl::StatusOr<std::string> DeterministicGzip(const std::string& data) {
  z_stream zs{};
  // windowBits 15 + 16: a gzip wrapper; deflateSetHeader is not called, so
  // the header has mtime 0, no name and OS "unknown"... set explicitly below.
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("deflateInit2 failed");
  }
  gz_header header{};
  header.os = 255;  // unknown: the same bytes on every machine
  deflateSetHeader(&zs, &header);
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 64);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const size_t written = out.size() - zs.avail_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return absl::InternalError("deflate did not finish");
  out.resize(written);
  return out;
}

absl::StatusOr<DwhWritten> ExportPartition(const std::string& dir, const DwhPartition& p) {
  std::string csv = CsvLine(p.columns);
  for (const std::vector<std::string>& row : p.rows) csv += CsvLine(row);
  ASSIGN_OR_RETURN(std::string gz, DeterministicGzip(csv));
  const std::string folder = absl::StrCat(dir, "/", p.table, "/", p.partition);
  DwhWritten out;
  out.path = folder + "/part-00000.csv.gz";
  out.sha256 = Sha256Hex(gz);
  out.rows = static_cast<int64_t>(p.rows.size());
  RETURN_IF_ERROR(WriteFileAtomically(out.path, gz));
  std::string columns = "[";
  for (size_t i = 0; i < p.columns.size(); ++i) {
    if (i > 0) columns += ",";
    json::AppendString(columns, p.columns[i]);
  }
  columns += "]";
  const std::string manifest = json::ObjectWriter()
                                   .Add("schema_version", kDwhSchemaVersion)
                                   .Add("table", p.table)
                                   .Add("partition", p.partition)
                                   .Add("rows", out.rows)
                                   .AddRaw("columns", columns)
                                   .Add("file", "part-00000.csv.gz")
                                   .Add("sha256", out.sha256)
                                   .Add("csv_sha256", Sha256Hex(csv))
                                   .Add("cursor_from", p.cursor_from)
                                   .Add("cursor_to", p.cursor_to)
                                   .Finish();
  RETURN_IF_ERROR(WriteFileAtomically(folder + "/manifest.json", manifest + "\n"));
  return out;
}

absl::StatusOr<int> DwhNightly::RunIfDue() {
  const absl::Time now = clock_.Now();
  const absl::CivilSecond local = absl::ToCivilSecond(now, schedule_.zone);
  const absl::CivilDay today(local);
  if (local - absl::CivilSecond(today) < absl::ToInt64Seconds(schedule_.at)) return 0;
  ASSIGN_OR_RETURN(std::string last, store_.Cursor(kDwhNightlyFeed));
  const std::string day = absl::FormatCivilTime(today);
  if (!last.empty() && last >= day) return 0;
  ASSIGN_OR_RETURN(int n, Export(today));
  RETURN_IF_ERROR(store_.AppendFacts(kDwhNightlyFeed, day, {}, now).status());
  return n;
}

absl::StatusOr<int> DwhNightly::Export(absl::CivilDay day) {
  ASSIGN_OR_RETURN(int documents, ExportDocuments(day));
  ASSIGN_OR_RETURN(int facts, ExportFacts(day));
  return documents + facts;
}

absl::StatusOr<int> DwhNightly::ExportFacts(absl::CivilDay day) {
  if (suite_ == nullptr) return 0;
  DwhCursors from;
  ASSIGN_OR_RETURN(from.runs, store_.Cursor(kDwhRunsFeed));
  ASSIGN_OR_RETURN(from.payments, store_.Cursor(kDwhPaymentsFeed));
  ASSIGN_OR_RETURN(DwhFactsExported out, DwhFactsExport(*suite_, schedule_.dir).Export(day, from));
  // Written first, then the cursors: a crash between writes the same range
  // (the same bytes) again at the next pass.
  const absl::Time now = clock_.Now();
  if (out.to.runs != from.runs) {
    RETURN_IF_ERROR(store_.AppendFacts(kDwhRunsFeed, out.to.runs, {}, now).status());
  }
  if (out.to.payments != from.payments) {
    RETURN_IF_ERROR(store_.AppendFacts(kDwhPaymentsFeed, out.to.payments, {}, now).status());
  }
  return static_cast<int>(out.hourly_rows + out.node_rows + out.quality_rows + out.payment_rows);
}

namespace {

std::string Bool(bool b) { return b ? "true" : "false"; }

std::string HourText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// Points read per StreamPointDays call.
constexpr size_t kPointsPerRead = 200;

}  // namespace

absl::StatusOr<DwhFactsExported> DwhFactsExport::Export(absl::CivilDay day,
                                                        const DwhCursors& from) {
  DwhFactsExported out;
  out.to = from;
  // Runs one at a time, so each run's partitions name the cursors around it.
  for (;;) {
    ASSIGN_OR_RETURN(RunChanges page, suite_.BalanceRunsChangedAfter(out.to.runs, 1));
    if (page.runs.empty()) break;
    const RunFact& run = page.runs.front();
    // A run still going comes back in the feed when it ends; only billing
    // runs (final, correction) that succeeded are facts.
    if (run.state == 3 && (run.type == "final" || run.type == "correction")) {
      RETURN_IF_ERROR(ExportRun(run, out.to.runs, page.cursor, out));
      ++out.runs;
    }
    out.to.runs = page.cursor;
  }

  std::vector<std::vector<std::string>> payments;
  for (;;) {
    ASSIGN_OR_RETURN(PaymentChanges page, suite_.PaymentsChangedAfter(out.to.payments, 1000));
    if (page.payments.empty()) break;
    for (const PaymentFact& p : page.payments) {
      payments.push_back({p.id, p.reference, p.value_date, p.payer_bin, p.participant_id,
                          p.contract_number, absl::StrCat(p.amount_tiyn),
                          absl::StrCat(p.amount_tiyn - p.unallocated_tiyn),
                          absl::StrCat(p.unallocated_tiyn)});
    }
    out.to.payments = page.cursor;
  }
  if (!payments.empty()) {
    // A payment changed twice in the pass is read once (the feed's rule);
    // rows by id.
    std::sort(payments.begin(), payments.end());
    DwhPartition part;
    part.table = "payments";
    part.partition = absl::StrCat("date=", absl::FormatCivilTime(day));
    part.columns = {"payment_id",  "reference",      "value_date",
                    "payer_bin",   "participant_id", "contract_number",
                    "amount_tiyn", "allocated_tiyn", "unallocated_tiyn"};
    part.rows = std::move(payments);
    part.cursor_from = from.payments;
    part.cursor_to = out.to.payments;
    ASSIGN_OR_RETURN(DwhWritten w, ExportPartition(dir_, part));
    out.payment_rows = w.rows;
  }
  return out;
}

absl::Status DwhFactsExport::ExportRun(const RunFact& run, const std::string& cursor_from,
                                       const std::string& cursor_to, DwhFactsExported& out) {
  const std::string partition = absl::StrCat("period=", run.period, "/run=", run.id);
  {
    ASSIGN_OR_RETURN(std::vector<ServiceHourFact> hours, suite_.ServiceHours(run.id));
    DwhPartition part{
        "hourly_volumes",
        partition,
        {"run_id", "participant_id", "service", "hour_start", "actual_wh", "declared_wh",
         "imbalance_wh", "has_declaration", "intervals", "estimated", "missing"},
        {},
        cursor_from,
        cursor_to};
    part.rows.reserve(hours.size());
    for (const ServiceHourFact& h : hours) {
      part.rows.push_back(
          {run.id, h.participant_id, h.service, HourText(h.hour_start), absl::StrCat(h.actual_wh),
           absl::StrCat(h.declared_wh), absl::StrCat(h.imbalance_wh), Bool(h.has_declaration),
           absl::StrCat(h.intervals), absl::StrCat(h.estimated), absl::StrCat(h.missing)});
    }
    std::sort(part.rows.begin(), part.rows.end());
    ASSIGN_OR_RETURN(DwhWritten w, ExportPartition(dir_, part));
    out.hourly_rows += w.rows;
  }
  {
    ASSIGN_OR_RETURN(std::vector<NodeTotalFact> nodes, suite_.NodeTotals(run.id));
    DwhPartition part{
        "node_balances",
        partition,
        {"run_id", "node_code", "kind", "inflow_wh", "outflow_wh", "losses_wh", "losses_percent",
         "normative_loss_percent", "above_normative", "intervals", "estimated", "missing"},
        {},
        cursor_from,
        cursor_to};
    for (const NodeTotalFact& n : nodes) {
      part.rows.push_back({run.id, n.node_code, n.kind, absl::StrCat(n.inflow_wh),
                           absl::StrCat(n.outflow_wh), absl::StrCat(n.losses_wh), n.losses_percent,
                           n.normative_loss_percent, Bool(n.above_normative),
                           absl::StrCat(n.intervals), absl::StrCat(n.estimated),
                           absl::StrCat(n.missing)});
    }
    std::sort(part.rows.begin(), part.rows.end());
    ASSIGN_OR_RETURN(DwhWritten w, ExportPartition(dir_, part));
    out.node_rows += w.rows;
  }
  {
    absl::CivilMonth month;
    if (!absl::ParseCivilTime(run.period, &month)) {
      return absl::InvalidArgumentError(absl::StrCat("run ", run.id, ": period ", run.period));
    }
    const absl::CivilDay first(month), last = absl::CivilDay(month + 1) - 1;
    ASSIGN_OR_RETURN(std::vector<std::string> points, suite_.MeteringPointCodes());
    std::sort(points.begin(), points.end());
    DwhPartition part{"readings_quality",
                      partition,
                      {"run_id", "day", "point_code", "channel", "revision", "intervals",
                       "measured", "estimated", "substituted", "edited", "missing"},
                      {},
                      cursor_from,
                      cursor_to};
    for (size_t i = 0; i < points.size(); i += kPointsPerRead) {
      const std::vector<std::string> some(points.begin() + static_cast<std::ptrdiff_t>(i),
                                          points.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                               points.size(), i + kPointsPerRead)));
      ASSIGN_OR_RETURN(std::vector<PointDayQuality> days,
                       suite_.PointDays(some, first, last, run.readings_as_of));
      for (const PointDayQuality& q : days) {
        part.rows.push_back({run.id, q.day, q.point_code, q.channel, absl::StrCat(q.revision),
                             absl::StrCat(q.intervals), absl::StrCat(q.measured),
                             absl::StrCat(q.estimated), absl::StrCat(q.substituted),
                             absl::StrCat(q.edited), absl::StrCat(q.missing)});
      }
    }
    std::sort(part.rows.begin(), part.rows.end());
    ASSIGN_OR_RETURN(DwhWritten w, ExportPartition(dir_, part));
    out.quality_rows += w.rows;
  }
  return absl::OkStatus();
}

absl::StatusOr<int> DwhNightly::ExportDocuments(absl::CivilDay day) {
  const absl::Time now = clock_.Now();
  std::vector<Delivery> claimed;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<Delivery> page,
                     store_.ClaimDue(kDwhAdapter, 1000, now, absl::Minutes(30)));
    if (page.empty()) break;
    claimed.insert(claimed.end(), page.begin(), page.end());
  }
  if (claimed.empty()) return 0;
  struct Part {
    std::vector<std::pair<std::string, std::vector<std::string>>> rows;  // by document id
    int64_t from = 0, to = 0;
    std::vector<const Delivery*> deliveries;
  };
  std::map<std::string, Part> parts;
  for (const Delivery& d : claimed) {
    absl::StatusOr<DocumentFact> doc = DocumentFact::Decode(d.payload);
    if (!doc.ok()) {
      RETURN_IF_ERROR(
          store_.EndAttempt(d, DeliveryState::kDead, std::string(doc.status().message()), now, now)
              .status());
      continue;
    }
    Part& p = parts[doc->period];
    p.rows.push_back({doc->id,
                      {doc->id, absl::StrCat(doc->type), doc->number, doc->issue_date, doc->period,
                       doc->participant_id, doc->contract_number, doc->customer_bin,
                       doc->related_document_number, absl::StrCat(doc->amount_tiyn),
                       absl::StrCat(doc->vat_tiyn), absl::StrCat(doc->total_tiyn)}});
    p.from = p.from == 0 ? d.id : std::min(p.from, d.id);
    p.to = std::max(p.to, d.id);
    p.deliveries.push_back(&d);
  }
  int exported = 0;
  for (auto& [period, p] : parts) {
    std::sort(p.rows.begin(), p.rows.end());
    DwhPartition part;
    part.table = "documents";
    part.partition = absl::StrCat("date=", absl::FormatCivilTime(day), "/period=", period);
    part.columns = {"document_id",    "type",           "number",          "issue_date",
                    "period",         "participant_id", "contract_number", "customer_bin",
                    "related_number", "amount_tiyn",    "vat_tiyn",        "total_tiyn"};
    for (auto& [id, row] : p.rows) part.rows.push_back(std::move(row));
    part.cursor_from = absl::StrCat(p.from);
    part.cursor_to = absl::StrCat(p.to);
    ASSIGN_OR_RETURN(DwhWritten w, ExportPartition(schedule_.dir, part));
    for (const Delivery* d : p.deliveries) {
      RETURN_IF_ERROR(store_.EndAttempt(*d, DeliveryState::kDelivered, w.path, now, now).status());
    }
    exported += static_cast<int>(w.rows);
  }
  return exported;
}

}  // namespace gridbill::integrations
