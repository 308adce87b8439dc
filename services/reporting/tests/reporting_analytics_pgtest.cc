// R1 and R5 on a real PostgreSQL with fake sources: a refresh reads
// balance's node totals of each period's billing run once (a correction
// run replaces its period) and contracts' applications by their change
// feed; the reports give the same figures, months of submission in the
// operator's zone, overdue at the "as of", handling time percentiles.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gridbill/jobs/pg_jobs.h"
#include "gridbill/pgtest/migration_test.h"
#include "gridbill/testing/fake_clock.h"
#include "gridbill/testing/service_harness.h"
#include "pg_store.h"
#include "reporting.h"

namespace gridbill::reporting {
namespace {

using ::gridbill::testing::FakeClock;
using ::gridbill::testing::ServiceHarness;

// Two participants; invoicing's one run "ir-1" issues `documents` (none
// unless a test sets them).
class NoSources final : public Sources {
 public:
  absl::StatusOr<std::vector<ParticipantInfo>> Participants() override {
    return std::vector<ParticipantInfo>{{"P-1", "100000000001", "First", "KZ-11"},
                                        {"P-2", "100000000002", "Second", "KZ-55"}};
  }
  absl::StatusOr<std::vector<InvoiceRunInfo>> InvoiceRuns() override {
    if (documents.empty()) return std::vector<InvoiceRunInfo>{};
    InvoiceRunInfo run;
    run.id = "ir-1";
    run.period = documents.front().period;
    run.run_type = 1;
    run.state = jobs::State::kSucceeded;
    run.documents_issued = static_cast<int64_t>(documents.size());
    return std::vector<InvoiceRunInfo>{run};
  }
  absl::StatusOr<std::vector<DocumentInfo>> DocumentsOfRun(const std::string&) override {
    return documents;
  }

  // An invoice of one transmission line.
  static DocumentInfo Invoice(const std::string& id, const std::string& participant,
                              absl::CivilMonth period, int64_t volume_wh) {
    DocumentInfo d;
    d.id = id;
    d.type = 1;
    d.number = id;
    d.period = period;
    d.issue_date = absl::CivilDay(period + 1);
    d.participant_id = participant;
    d.contract_id = absl::StrCat("C-", participant);
    d.invoice_run_id = "ir-1";
    d.amount_tiyn = d.total_tiyn = 100;
    DocumentLineInfo l;
    l.line_no = 1;
    l.service_type = 1;
    l.volume_wh = volume_wh;
    l.amount_tiyn = l.total_tiyn = 100;
    d.lines.push_back(l);
    return d;
  }

  std::vector<DocumentInfo> documents;
  absl::StatusOr<std::vector<PaymentInfo>> Payments() override {
    return std::vector<PaymentInfo>{};
  }
};

// What balance and contracts would answer; the feed's cursor is an index
// into `changes` (each change appends the application as it is then).
class FakeReportSources final : public ReportSources {
 public:
  absl::StatusOr<std::vector<BillingRunRef>> BillingRuns() override {
    std::vector<BillingRunRef> out;
    for (const auto& [period, run] : billing) out.push_back({period, run});
    return out;
  }
  absl::StatusOr<std::vector<NodeMonth>> NodeTotals(const BillingRunRef& run) override {
    ++node_calls;
    std::vector<NodeMonth> out;
    for (const NodeMonth& n : nodes[run.run_id]) {
      NodeMonth m = n;
      m.period = run.period;
      m.balance_run_id = run.run_id;
      out.push_back(m);
    }
    return out;
  }
  absl::StatusOr<std::optional<Changes<ApplicationInfo>>> ApplicationChanges(
      const std::string& cursor) override {
    size_t from = 0;
    if (!cursor.empty() && !absl::SimpleAtoi(cursor, &from)) {
      return absl::InvalidArgumentError("changes_after.cursor: malformed");
    }
    Changes<ApplicationInfo> out;
    for (size_t i = from; i < changes.size(); ++i) out.rows.push_back(changes[i]);
    out.cursor = absl::StrCat(changes.size());
    return std::optional<Changes<ApplicationInfo>>(std::move(out));
  }
  absl::StatusOr<std::vector<ApplicationInfo>> Applications() override {
    return absl::InternalError("the feed is answered");
  }
  absl::StatusOr<std::vector<PointQuality>> Completeness(const std::string& participant_id,
                                                         absl::CivilMonth period) override {
    ++quality_calls;
    std::vector<PointQuality> out;
    for (const PointQuality& q : quality) {
      if (q.participant_id == participant_id && q.period == period) out.push_back(q);
    }
    return out;
  }

  absl::StatusOr<std::vector<ForecastRunRef>> ForecastRuns() override { return runs; }
  absl::StatusOr<std::vector<ForecastMonth>> ParticipantForecast(
      const ForecastRunRef& run, const std::string& participant_id) override {
    ++forecast_calls;
    std::vector<ForecastMonth> out;
    for (const ForecastMonth& m : forecasts) {
      if (m.run_id == run.run_id && m.participant_id == participant_id) out.push_back(m);
    }
    return out;
  }

  static NodeMonth Node(const std::string& code, int64_t in, int64_t out) {
    NodeMonth n;
    n.node_code = code;
    n.kind = 2;
    n.inflow_wh = in;
    n.outflow_wh = out;
    n.consumption_wh = out / 2 + 1;    // the rest of the outflow over tie lines
    n.generation_wh = in / 4 * 3 + 7;  // the rest of the inflow over tie lines
    n.losses_wh = in - out;
    n.losses_percent = "x";  // whatever balance says is carried through
    n.normative_loss_percent = "3.5";
    n.above_normative = (in - out) * 1000 > in * 35;
    return n;
  }

  std::map<absl::CivilMonth, std::string> billing;
  std::map<std::string, std::vector<NodeMonth>> nodes;
  std::vector<ApplicationInfo> changes;
  std::vector<PointQuality> quality;
  std::vector<ForecastRunRef> runs;
  std::vector<ForecastMonth> forecasts;
  int node_calls = 0;
  int quality_calls = 0;
  int forecast_calls = 0;
};

absl::Time Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

struct Fixture {
  // `over`: a database migrated over rows stored by an earlier version
  // (pgtest::MigratedOver) instead of a fresh one.
  std::unique_ptr<pgtest::Database> over;
  ServiceHarness base{GRIDBILL_REPORTING_MIGRATIONS_DIR};
  pg::Pool& pool = over ? over->pool() : base.pool();
  FakeClock clock{Utc(2026, 11, 5, 6)};
  PgStore store{pool};
  jobs::PgJobs jobs{pool};
  NoSources sources;
  FakeReportSources report_sources;
  std::unique_ptr<Reporting> reporting;
  int next = 0;

  explicit Fixture(std::unique_ptr<pgtest::Database> over_db = nullptr) : over(std::move(over_db)) {
    ReportingConfig config;
    config.workers = 0;
    config.worker_id = "test";
    reporting = std::make_unique<Reporting>(store, jobs, sources, clock, config);
    reporting->UseReportSources(report_sources);
  }

  Caller Operator() const {
    Caller c;
    c.principal = "operator";
    c.roles = {Role::kOperator};
    return c;
  }

  // A refresh driven to its end; what each source fetched.
  std::map<std::string, int64_t> Refresh() {
    const std::string id = absl::StrCat("rf-", ++next);
    REQUIRE(reporting->StartRefresh(Operator(), id).ok());
    const absl::StatusOr<jobs::Job> job = reporting->Drive(id, absl::Seconds(60));
    REQUIRE(job.ok());
    REQUIRE(job->state == jobs::State::kSucceeded);
    const absl::StatusOr<reporting::Refresh> r = reporting->GetRefresh(id);
    REQUIRE(r.ok());
    std::map<std::string, int64_t> out;
    for (const SourceCount& s : r->sources) out[s.source] = s.fetched;
    clock.Advance(absl::Minutes(1));
    return out;
  }

  std::vector<std::vector<std::string>> Rows(const std::string& code, absl::CivilMonth from,
                                             absl::CivilMonth to, Params p = {}) {
    p.period_from = from;
    p.period_to = to;
    const absl::StatusOr<Answer> a = reporting->Run(Operator(), code, p);
    INFO(a.status());
    REQUIRE(a.ok());
    return a->table.rows;
  }
};

TEST_CASE("R1 holds balance's node totals of each period's billing run") {
  Fixture f;
  using S = FakeReportSources;
  f.report_sources.billing = {{absl::CivilMonth(2026, 9), "br-9"},
                              {absl::CivilMonth(2026, 10), "br-10"}};
  f.report_sources.nodes["br-9"] = {S::Node("N-1", 1'000'000, 970'000),
                                    S::Node("N-2", 500'000, 480'000)};
  f.report_sources.nodes["br-10"] = {S::Node("N-1", 1'100'000, 1'070'000)};

  std::map<std::string, int64_t> fetched = f.Refresh();
  CHECK(fetched[kSourceBalanceNodes] == 3);
  auto rows = f.Rows("R1", absl::CivilMonth(2026, 9), absl::CivilMonth(2026, 10));
  REQUIRE(rows.size() == 3);
  // Consumption and generation as balance gave them, stored and read back.
  CHECK(rows[0] == std::vector<std::string>{"2026-09", "N-1", "node", "1000000", "970000", "485001",
                                            "750007", "30000", "x", "3.5", "-5000", "no", "br-9"});
  CHECK(rows[1][1] == "N-2");
  CHECK(rows[1][5] == "240001");  // 480,000 / 2 + 1
  CHECK(rows[1][6] == "375007");  // 500,000 / 4 x 3 + 7
  CHECK(rows[1][7] == "20000");
  CHECK(rows[1][10] == "2500");  // 20,000 - 3.5 % of 500,000
  CHECK(rows[1][11] == "yes");
  CHECK(rows[2][0] == "2026-10");
  CHECK(rows[2][12] == "br-10");

  // Nothing new: nothing read.
  f.report_sources.node_calls = 0;
  CHECK(f.Refresh()[kSourceBalanceNodes] == 0);
  CHECK(f.report_sources.node_calls == 0);

  // A correction run of 2026-09 replaces that month only.
  f.report_sources.billing[absl::CivilMonth(2026, 9)] = "br-9c";
  f.report_sources.nodes["br-9c"] = {S::Node("N-1", 1'000'000, 975'000)};
  CHECK(f.Refresh()[kSourceBalanceNodes] == 1);
  CHECK(f.report_sources.node_calls == 1);
  rows = f.Rows("R1", absl::CivilMonth(2026, 9), absl::CivilMonth(2026, 10));
  REQUIRE(rows.size() == 2);
  CHECK(rows[0][5] == "487501");  // the correction's consumption replaces the final's
  CHECK(rows[0][7] == "25000");
  CHECK(rows[0][12] == "br-9c");
  CHECK(rows[1][12] == "br-10");

  // One node only.
  Params only;
  only.region_code = "N-1";
  CHECK(f.Rows("R1", absl::CivilMonth(2026, 10), absl::CivilMonth(2026, 10), only).size() == 1);
}

TEST_CASE("R1 months read before consumption and generation were kept are read again") {
  // Read by the version before V008: the month of run br-9, no split.
  Fixture f(pgtest::MigratedOver(
      GRIDBILL_REPORTING_MIGRATIONS_DIR, "V008__node_months_consumption_generation.sql",
      {"INSERT INTO billing_runs_read (period, balance_run_id) VALUES ('2026-09-01', 'br-9')",
       "INSERT INTO node_months (period, node_code, kind, inflow_wh, outflow_wh, losses_wh, "
       "losses_percent, normative_loss_percent, above_normative, balance_run_id) VALUES "
       "('2026-09-01', 'N-1', 2, 1000000, 970000, 30000, 'x', '3.5', false, 'br-9')"}));
  // Balance answers the same run with the split: the next refresh reads it
  // although the month's billing run did not change.
  f.report_sources.billing = {{absl::CivilMonth(2026, 9), "br-9"}};
  f.report_sources.nodes["br-9"] = {FakeReportSources::Node("N-1", 1'000'000, 970'000)};
  CHECK(f.Refresh()[kSourceBalanceNodes] == 1);
  auto rows = f.Rows("R1", absl::CivilMonth(2026, 9), absl::CivilMonth(2026, 9));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][5] == "485001");
  CHECK(rows[0][6] == "750007");
  CHECK(f.Refresh()[kSourceBalanceNodes] == 0);  // and once only
}

TEST_CASE("R5 counts applications as contracts does, by month of submission in the zone") {
  Fixture f;
  auto app = [](const std::string& id, int type, int state, absl::Time submit,
                std::optional<absl::Duration> decided) {
    ApplicationInfo a;
    a.id = id;
    a.number = "APP-" + id;
    a.participant_id = id.substr(0, 3);
    a.type = type;
    a.state = state;
    a.submit_time = submit;
    a.due_time = submit + absl::Hours(24 * 10);
    if (decided) a.decide_time = submit + *decided;
    if (state == 6) a.close_time = submit + absl::Hours(100);
    return a;
  };
  // 2026-09-30 20:00 UTC is 2026-10-01 01:00 in Almaty (UTC+5): October.
  const absl::Time oct = Utc(2026, 9, 30, 20);
  std::vector<ApplicationInfo>& c = f.report_sources.changes;
  c.push_back(app("P-1a", 2, 4, oct, absl::Hours(1)));  // approved
  c.push_back(app("P-1b", 2, 5, oct, absl::Hours(2)));  // rejected
  c.push_back(app("P-2a", 2, 6, oct, absl::Hours(3)));  // closed after a decision
  c.push_back(app("P-2b", 2, 6, oct, absl::Hours(4)));  // closed after a decision
  c.push_back(app("P-2c", 2, 3, oct, std::nullopt));    // in review, overdue on 11-05
  c.push_back(app("P-2d", 2, 2, Utc(2026, 10, 31, 12), std::nullopt));     // not due yet
  c.push_back(app("P-1c", 1, 6, Utc(2026, 9, 30, 18, 59), std::nullopt));  // 23:59: September
  ApplicationInfo draft = app("P-1d", 2, 1, oct, std::nullopt);
  draft.submit_time.reset();
  draft.due_time.reset();
  c.push_back(draft);

  CHECK(f.Refresh()[kSourceApplications] == 8);
  auto rows = f.Rows("R5", absl::CivilMonth(2026, 9), absl::CivilMonth(2026, 10));
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] ==
        std::vector<std::string>{"2026-09", "declared-volumes", "1", "0", "1", "0", "", ""});
  // Handling 1, 2, 3, 4 h: median 2.5 h, 90th percentile 1 + 0.9 x 3 = 3.7 h.
  CHECK(rows[1] == std::vector<std::string>{"2026-10", "contract-conclusion", "6", "4", "2", "1",
                                            "2.50", "3.70"});

  // One participant's.
  Params p1;
  p1.participant_id = "P-1";
  rows = f.Rows("R5", absl::CivilMonth(2026, 10), absl::CivilMonth(2026, 10), p1);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][2] == "2");

  // The feed gives only what changed: the overdue one decided.
  ApplicationInfo decided = c[4];
  decided.state = 4;
  decided.decide_time = oct + absl::Hours(5);
  c.push_back(decided);
  CHECK(f.Refresh()[kSourceApplications] == 1);
  rows = f.Rows("R5", absl::CivilMonth(2026, 10), absl::CivilMonth(2026, 10));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][3] == "5");  // processed
  CHECK(rows[0][5] == "0");  // overdue
  CHECK(rows[0][6] == "3.00");
}

TEST_CASE("R4 holds metering's completeness of the billed months; participants see their own") {
  Fixture f;
  f.report_sources.billing = {{absl::CivilMonth(2026, 10), "br-10"}};
  auto point = [](const std::string& participant, const std::string& code, int64_t missing) {
    PointQuality q;
    q.period = absl::CivilMonth(2026, 10);
    q.participant_id = participant;
    q.point_code = code;
    q.channel = 1;
    q.expected = 2976;
    q.missing = missing;
    q.measured = 2976 - missing;
    return q;
  };
  f.report_sources.quality = {point("P-1", "PT-1", 0), point("P-2", "PT-2", 96),
                              point("P-2", "PT-3", 0)};
  // PT-2's VEE findings by kind, as metering counts them.
  f.report_sources.quality[1].negative = 2;
  f.report_sources.quality[1].spike = 3;
  f.report_sources.quality[1].gap = 96;
  f.report_sources.quality[1].source_mismatch = 1;
  CHECK(f.Refresh()[kSourcePointQuality] == 3);
  CHECK(f.report_sources.quality_calls == 2);  // one call per participant and month
  auto rows = f.Rows("R4", absl::CivilMonth(2026, 10), absl::CivilMonth(2026, 10));
  REQUIRE(rows.size() == 3);
  CHECK(rows[0][3] == "PT-2");  // the worst first
  CHECK(rows[0][2] == "Second");
  CHECK(rows[0][13] == "3.23");  // 96 of 2976 missing
  CHECK(rows[0][14] == "1");
  // negative, spike, flat line, gap, source mismatch
  CHECK(std::vector<std::string>(rows[0].begin() + 15, rows[0].end()) ==
        std::vector<std::string>{"2", "3", "0", "96", "1"});
  CHECK(std::vector<std::string>(rows[1].begin() + 15, rows[1].end()) ==
        std::vector<std::string>{"0", "0", "0", "0", "0"});

  // Read once per billing run.
  CHECK(f.Refresh()[kSourcePointQuality] == 0);
  CHECK(f.report_sources.quality_calls == 2);

  // A participant's user gets its own points only.
  Caller user;
  user.principal = "user";
  user.roles = {Role::kParticipantUser};
  user.participant_id = "P-1";
  Params p;
  p.period_from = absl::CivilMonth(2026, 10);
  const absl::StatusOr<Answer> own = f.reporting->Run(user, "R4", p);
  REQUIRE(own.ok());
  REQUIRE(own->table.rows.size() == 1);
  CHECK(own->table.rows[0][3] == "PT-1");
  p.participant_id = "P-2";
  CHECK(absl::IsPermissionDenied(f.reporting->Run(user, "R4", p).status()));
}

TEST_CASE("R6 sets forecasting's forecasts against the billed volumes, each run read once") {
  Fixture f;
  const absl::CivilMonth may(2026, 5), jun(2026, 6), jul(2026, 7);
  f.sources.documents = {NoSources::Invoice("D-1", "P-1", jun, 1000),
                         NoSources::Invoice("D-2", "P-2", jun, 3000),
                         NoSources::Invoice("D-3", "P-1", jul, 2000)};
  auto forecast = [](const std::string& run, const std::string& participant,
                     absl::CivilMonth period, int horizon, int64_t wh) {
    ForecastMonth m;
    m.run_id = run;
    m.participant_id = participant;
    m.service_type = 1;
    m.period = period;
    m.horizon = horizon;
    m.volume_wh = wh;
    m.backtest_mase = participant == "P-1" ? "0.4" : "0.8";
    return m;
  };
  // Run fr-1 (version 1) ended its history in May.
  f.report_sources.runs = {{"fr-1", 1, may}};
  f.report_sources.forecasts = {forecast("fr-1", "P-1", jun, 1, 1100),
                                forecast("fr-1", "P-2", jun, 1, 2700),
                                forecast("fr-1", "P-1", jul, 2, 2500)};
  CHECK(f.Refresh()[kSourceForecasts] == 3);
  CHECK(f.report_sources.forecast_calls == 2);  // one call per participant and run
  using Rows = std::vector<std::vector<std::string>>;
  CHECK(f.Rows("R6", jun, jul) ==
        Rows{{"2026-06", "transmission", "1", "3800", "4000", "-200", "5.00", "", "0.60"},
             {"2026-07", "transmission", "2", "2500", "2000", "500", "25.00", "", "0.40"},
             {"", "transmission", "1", "3800", "4000", "-200", "", "5.00", "0.60"},
             {"", "transmission", "2", "2500", "2000", "500", "", "25.00", "0.40"}});
  // A region: KZ-55 is P-2's only.
  Params region;
  region.region_code = "KZ-55";
  CHECK(f.Rows("R6", jun, jun, region)[0] == std::vector<std::string>{"2026-06", "transmission",
                                                                      "1", "2700", "3000", "-300",
                                                                      "10.00", "", "0.80"});

  // Nothing new: no call to forecasting.
  CHECK(f.Refresh()[kSourceForecasts] == 0);
  CHECK(f.report_sources.forecast_calls == 2);

  // A later run over the same history (version 2) replaces fr-1's months;
  // the older run stays stored but is no longer reported.
  f.report_sources.runs.push_back({"fr-2", 2, may});
  f.report_sources.forecasts.push_back(forecast("fr-2", "P-1", jun, 1, 1000));
  CHECK(f.Refresh()[kSourceForecasts] == 1);
  CHECK(f.report_sources.forecast_calls == 4);
  const Rows rows = f.Rows("R6", jun, jun);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == std::vector<std::string>{"2026-06", "transmission", "1", "1000", "4000", "-3000",
                                            "75.00", "", "0.40"});
}

}  // namespace
}  // namespace gridbill::reporting
