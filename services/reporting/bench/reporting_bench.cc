// The reporting benchmark. Prints, never fails on a time:
//  - a full refresh of the read model over a demo year: P participants x 12
//    invoice runs (an invoice, an act and an ESF per participant and month,
//    four services on the invoice), N balance nodes a month, three metering
//    points a participant and A applications, from fake sources into a real
//    PostgreSQL (libs/pgtest), as a job;
//  - the yearly R1 (every node x month) and R2 (every participant x service x
//    month of the year) as tables and as XLSX;
//  - N-row CSV and XLSX exports of R2-shaped rows made one at a time (the
//    writers stream: memory stays flat), rows/s and the process's peak RSS,
//    run first so that the peak is theirs.
//
//   gridbill_reporting_bench [--participants=260] [--rows=1000000] [--nodes=60]
//                            [--applications=5000] [--exports-only=1]
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "gridbill/base/caller.h"
#include "gridbill/jobs/pg_jobs.h"
#include "gridbill/pgtest/pgtest.h"
#include "pg_store.h"
#include "reporting.h"
#include "xlsx.h"

namespace gridbill::reporting {
namespace {

class FixedClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

// A demo year: 12 ended invoice runs of 2026, three documents per participant each.
class YearSources final : public Sources {
 public:
  explicit YearSources(int participants) : participants_(participants) {}
  absl::StatusOr<std::vector<ParticipantInfo>> Participants() override {
    std::vector<ParticipantInfo> out;
    for (int p = 0; p < participants_; ++p) {
      out.push_back({absl::StrFormat("p-%04d", p), absl::StrFormat("1000000%05d", p),
                     absl::StrFormat("Participant %d", p), absl::StrCat("KZ-", 10 + p % 17)});
    }
    return out;
  }
  absl::StatusOr<std::vector<InvoiceRunInfo>> InvoiceRuns() override {
    std::vector<InvoiceRunInfo> out;
    for (int m = 1; m <= 12; ++m) {
      out.push_back({absl::StrCat("ir-", m), absl::CivilMonth(2026, m), 1, absl::StrCat("br-", m),
                     jobs::State::kSucceeded, 3 * participants_});
    }
    return out;
  }
  absl::StatusOr<std::vector<DocumentInfo>> DocumentsOfRun(const std::string& run_id) override {
    int m = 0;
    (void)absl::SimpleAtoi(run_id.substr(3), &m);
    std::vector<DocumentInfo> out;
    for (int p = 0; p < participants_; ++p) {
      for (int type = 1; type <= 3; ++type) {
        DocumentInfo d;
        d.id = absl::StrFormat("d-%02d-%04d-%d", m, p, type);
        d.type = type;
        d.number = d.id;
        d.period = absl::CivilMonth(2026, m);
        d.issue_date = absl::CivilDay(d.period + 1);
        d.due_date = d.issue_date + 20;
        d.participant_id = absl::StrFormat("p-%04d", p);
        d.contract_id = absl::StrFormat("c-%04d", p);
        d.invoice_run_id = run_id;
        for (int s = 1; s <= 4; ++s) {
          const int64_t wh = 1'000'000LL * (p + 1) * s + m;
          const int64_t amount = wh / 5;
          const int64_t vat = amount * 16 / 100;
          d.lines.push_back({s, s, wh, amount, vat, amount + vat, absl::StrCat("br-", m)});
          d.amount_tiyn += amount;
          d.vat_tiyn += vat;
          d.total_tiyn += amount + vat;
        }
        d.open_tiyn = type == 1 ? d.total_tiyn : 0;
        out.push_back(std::move(d));
      }
    }
    return out;
  }
  absl::StatusOr<std::vector<PaymentInfo>> Payments() override {
    return std::vector<PaymentInfo>{};
  }

 private:
  int participants_;
};

// Balance's node totals (N nodes a month), metering's completeness (three
// points a participant) and contracts' applications (A over the year) of
// the same year.
class YearReportSources final : public ReportSources {
 public:
  YearReportSources(int participants, int nodes, int applications)
      : participants_(participants), nodes_(nodes), applications_(applications) {}
  absl::StatusOr<std::vector<BillingRunRef>> BillingRuns() override {
    std::vector<BillingRunRef> out;
    for (int m = 1; m <= 12; ++m)
      out.push_back({absl::CivilMonth(2026, m), absl::StrCat("br-", m)});
    return out;
  }
  absl::StatusOr<std::vector<NodeMonth>> NodeTotals(const BillingRunRef& run) override {
    std::vector<NodeMonth> out;
    for (int n = 0; n < nodes_; ++n) {
      NodeMonth x;
      x.period = run.period;
      x.node_code = absl::StrFormat("N-%03d", n);
      x.kind = n < 17 ? 3 : 2;
      x.inflow_wh = 1'000'000'000LL * (n + 1) + run.period.month();
      x.losses_wh = x.inflow_wh / 30;
      x.outflow_wh = x.inflow_wh - x.losses_wh;
      x.losses_percent = "3.3333";
      x.normative_loss_percent = "3.5";
      x.balance_run_id = run.run_id;
      out.push_back(std::move(x));
    }
    return out;
  }
  absl::StatusOr<std::optional<Changes<ApplicationInfo>>> ApplicationChanges(
      const std::string& cursor) override {
    Changes<ApplicationInfo> out;
    out.cursor = absl::StrCat(applications_);
    if (!cursor.empty()) return std::optional<Changes<ApplicationInfo>>(std::move(out));
    const absl::Time start =
        absl::FromCivil(absl::CivilSecond(2026, 1, 1, 0, 0, 0), absl::UTCTimeZone());
    for (int i = 0; i < applications_; ++i) {
      ApplicationInfo a;
      a.id = absl::StrFormat("app-%06d", i);
      a.number = a.id;
      a.participant_id = absl::StrFormat("p-%04d", i % participants_);
      a.type = 1 + i % 5;
      a.state = 2 + i % 5;
      a.submit_time = start + absl::Minutes(i * 97 % (365 * 24 * 60));
      a.due_time = *a.submit_time + absl::Hours(240);
      if (a.state >= 4) a.decide_time = *a.submit_time + absl::Minutes(60 + i % 5000);
      out.rows.push_back(std::move(a));
    }
    return std::optional<Changes<ApplicationInfo>>(std::move(out));
  }
  absl::StatusOr<std::vector<ApplicationInfo>> Applications() override {
    return absl::InternalError("the feed is answered");
  }
  absl::StatusOr<std::vector<PointQuality>> Completeness(const std::string& participant_id,
                                                         absl::CivilMonth period) override {
    std::vector<PointQuality> out;
    for (int k = 0; k < 3; ++k) {
      PointQuality q;
      q.period = period;
      q.participant_id = participant_id;
      q.point_code = absl::StrCat(participant_id, "-", k);
      q.channel = 1;
      q.expected = 2976;
      q.missing = (k * 37 + period.month()) % 50;
      q.estimated = k;
      q.measured = q.expected - q.missing - q.estimated;
      out.push_back(std::move(q));
    }
    return out;
  }

 private:
  int participants_;
  int nodes_;
  int applications_;
};

// The process's CPU time so far (user + system): less sensitive than wall
// time to a machine loaded by others.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

int Flag(int argc, char** argv, const std::string& name, int fallback) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const std::string prefix = absl::StrCat("--", name, "=");
    int v = 0;
    if (absl::StartsWith(a, prefix) && absl::SimpleAtoi(a.substr(prefix.size()), &v)) return v;
  }
  return fallback;
}

// The N-row CSV and XLSX exports of R2-shaped rows made one at a time,
// run first so that the peak RSS printed is the exports' (with the
// process's baseline), not the refresh's.
int Exports(int rows, const std::string& tmp) {
  const ReportDef& def = *FindReport("R2");
  std::vector<std::string> row(def.columns.size());
  int made = 0;
  auto source = [&]() -> const std::vector<std::string>* {
    if (made >= rows) return nullptr;
    const int i = made++;
    row[0] = absl::StrFormat("2026-%02d", 1 + i % 12);
    row[1] = absl::StrFormat("p-%06d", i / 48);
    row[2] = absl::StrFormat("Participant \"%d\", LLP", i / 48);
    row[3] = "KZ-11";
    row[4] = ServiceName(1 + i % 4);
    row[5] = absl::StrCat(1'000'000LL + i);
    row[6] = absl::StrCat(200'000LL + i);
    row[7] = absl::StrCat(32'000LL + i);
    row[8] = absl::StrCat(232'000LL + 2 * i);
    row[9] = absl::StrCat(900'000LL + i);
    row[10] = absl::StrCat(190'000LL + i);
    row[11] = absl::StrFormat("%d.%02d", i % 50, i % 100);
    return &row;
  };
  int64_t bytes = 0;
  auto count = [&](std::string_view chunk, int64_t) {
    bytes += static_cast<int64_t>(chunk.size());
    return absl::OkStatus();
  };
  std::printf("baseline: peak RSS %.1f MB\n", PeakRssMb());
  absl::Time t0 = absl::Now();
  double cpu0 = CpuSeconds();
  if (absl::Status s = WriteCsv(def, source, Language::kEn, 256 * 1024, count); !s.ok()) {
    std::fprintf(stderr, "reporting_bench: CSV: %s\n", s.ToString().c_str());
    return 1;
  }
  double s = absl::ToDoubleSeconds(absl::Now() - t0);
  std::printf(
      "CSV export: %d rows, %lld bytes, %.2f s, %.0f rows/s, CPU %.2f s, peak RSS %.1f MB\n", rows,
      static_cast<long long>(bytes), s, rows / s, CpuSeconds() - cpu0, PeakRssMb());
  made = 0;
  bytes = 0;
  t0 = absl::Now();
  cpu0 = CpuSeconds();
  if (absl::Status st = WriteXlsx(def, source, Language::kEn, tmp, 256 * 1024, count); !st.ok()) {
    std::fprintf(stderr, "reporting_bench: XLSX: %s\n", st.ToString().c_str());
    return 1;
  }
  s = absl::ToDoubleSeconds(absl::Now() - t0);
  std::printf(
      "XLSX export: %d rows, %lld bytes, %.2f s, %.0f rows/s, CPU %.2f s, peak RSS %.1f MB\n", rows,
      static_cast<long long>(bytes), s, rows / s, CpuSeconds() - cpu0, PeakRssMb());
  return 0;
}

// A yearly report as a table and as XLSX.
int Yearly(Reporting& reporting, const Caller& op, const std::string& code,
           const std::string& tmp) {
  Params year;
  year.period_from = absl::CivilMonth(2026, 1);
  year.period_to = absl::CivilMonth(2026, 12);
  absl::Time t0 = absl::Now();
  absl::StatusOr<Answer> a = reporting.Run(op, code, year);
  if (!a.ok()) {
    std::fprintf(stderr, "reporting_bench: %s: %s\n", code.c_str(), a.status().ToString().c_str());
    return 1;
  }
  const double table_s = absl::ToDoubleSeconds(absl::Now() - t0);
  int64_t bytes = 0;
  auto count = [&](std::string_view chunk, int64_t) {
    bytes += static_cast<int64_t>(chunk.size());
    return absl::OkStatus();
  };
  t0 = absl::Now();
  if (absl::Status s = WriteXlsx(a->table, Language::kEn, tmp, 256 * 1024, count); !s.ok()) {
    std::fprintf(stderr, "reporting_bench: %s XLSX: %s\n", code.c_str(), s.ToString().c_str());
    return 1;
  }
  std::printf("yearly %s: %zu rows, table %.3f s, XLSX %.3f s (%lld bytes)\n", code.c_str(),
              a->table.rows.size(), table_s, absl::ToDoubleSeconds(absl::Now() - t0),
              static_cast<long long>(bytes));
  return 0;
}

int Main(int argc, char** argv) {
  const int participants = Flag(argc, argv, "participants", 260);
  const int rows = Flag(argc, argv, "rows", 1'000'000);
  const int nodes = Flag(argc, argv, "nodes", 60);
  const int applications = Flag(argc, argv, "applications", 5000);
  const std::string tmp = std::filesystem::temp_directory_path().string();
  if (int rc = Exports(rows, tmp); rc != 0) return rc;
  if (Flag(argc, argv, "exports-only", 0) != 0) return 0;

  // --- the refresh -----------------------------------------------------------
  pgtest::Database db(GRIDBILL_REPORTING_MIGRATIONS_DIR, 4);
  PgStore store(db.pool());
  jobs::PgJobs jobs(db.pool());
  YearSources sources(participants);
  YearReportSources report_sources(participants, nodes, applications);
  FixedClock clock;
  ReportingConfig config;
  config.workers = 0;
  config.worker_id = "bench";
  Reporting reporting(store, jobs, sources, clock, config);
  reporting.UseReportSources(report_sources);
  Caller op;
  op.principal = "bench";
  op.roles = {Role::kOperator};
  const absl::Time t0 = absl::Now();
  absl::StatusOr<Refresh> started = reporting.StartRefresh(op, "rf-bench");
  if (!started.ok()) {
    std::fprintf(stderr, "reporting_bench: %s\n", started.status().ToString().c_str());
    return 1;
  }
  absl::StatusOr<jobs::Job> done = reporting.Drive("rf-bench", absl::Minutes(30));
  if (!done.ok() || done->state != jobs::State::kSucceeded) {
    std::fprintf(stderr, "reporting_bench: the refresh failed: %s %s\n",
                 done.status().ToString().c_str(), done.ok() ? done->error.c_str() : "");
    return 1;
  }
  const double refresh_s = absl::ToDoubleSeconds(absl::Now() - t0);
  std::printf(
      "full refresh: %d participants x 12 months, %d documents, %d nodes, %d applications, %d "
      "points: %.2f s (%s)\n",
      participants, participants * 36, nodes * 12, applications, participants * 3 * 12, refresh_s,
      done->summary.c_str());

  // --- the yearly R1 and R2 --------------------------------------------------
  for (const char* code : {"R1", "R2"}) {
    if (int rc = Yearly(reporting, op, code, tmp); rc != 0) return rc;
  }
  return 0;
}

}  // namespace
}  // namespace gridbill::reporting

int main(int argc, char** argv) { return gridbill::reporting::Main(argc, argv); }
