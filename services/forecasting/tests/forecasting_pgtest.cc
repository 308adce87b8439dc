// The forecasting service on a real PostgreSQL with its gRPC classes
// in-process: every method x role as its access option says; a legacy
// history import (checked whole, idempotent, in pieces); a forecast run as
// a job whose forecasts add up exactly from participants to regions and the
// nation; bad input refused naming the field, nothing written.
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "every_method.h"
#include "forecasting_service.h"
#include "gridbill/domain/civil.h"
#include "gridbill/domain/money.h"
#include "gridbill/jobs/pg_jobs.h"
#include "gridbill/pg/idempotency.h"
#include "gridbill/testing/fake_clock.h"
#include "gridbill/testing/service_harness.h"
#include "pg_store.h"
#include "runs.h"

namespace gridbill::forecasting {
namespace {

using ::gridbill::testing::Call;
using ::gridbill::testing::FakeClock;
using ::gridbill::testing::ServiceHarness;
using ::gridbill::testing::Who;

class FakeDirectory final : public Directory, public PriceSource, public DeclarationSource {
 public:
  // Transmission 2.0 to 2024-12-31, 2.5 to 2025-03-15, then 3.0; dispatching
  // 0.2 to 2025-03-31 and none after (its last price then holds).
  absl::StatusOr<std::vector<TariffInfo>> Tariffs() override {
    auto d = [](const char* text) { return *Decimal::Parse(text); };
    return std::vector<TariffInfo>{
        {1, d("2.0"), absl::CivilDay(2019, 1, 1), absl::CivilDay(2024, 12, 31)},
        {1, d("2.5"), absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 3, 15)},
        {1, d("3.0"), absl::CivilDay(2025, 3, 16), std::nullopt},
        {2, d("0.2"), absl::CivilDay(2019, 1, 1), absl::CivilDay(2025, 3, 31)}};
  }
  absl::StatusOr<std::vector<DeclaredVolume>> Approved(absl::CivilMonth period) override {
    absl::MutexLock lock(&mu);
    return period == absl::CivilMonth(2025, 1) ? declared : std::vector<DeclaredVolume>();
  }
  absl::Mutex mu;
  std::vector<DeclaredVolume> declared ABSL_GUARDED_BY(mu);

  absl::StatusOr<std::vector<ParticipantInfo>> Participants() override {
    return std::vector<ParticipantInfo>{{"P-1", "100000000001", "KZ-11"},
                                        {"P-2", "100000000002", "KZ-11"},
                                        {"P-3", "100000000003", "KZ-55"}};
  }
  absl::StatusOr<ContractInfo> Contract(const std::string& id) override {
    if (id != "C-1") return absl::NotFoundError("contract C-1 not found");
    return ContractInfo{"C-1", "P-2", 1, absl::CivilDay(2025, 1, 1), absl::CivilDay(2025, 6, 30)};
  }
};

// The invoicing service's VAT table: 12 %, 16 % from 2026; a test changes it.
class FakeInvoicingVat final : public VatSource {
 public:
  absl::StatusOr<std::vector<VatRate>> VatRates() override {
    absl::MutexLock lock(&mu);
    ++calls;
    return rates;
  }
  absl::Mutex mu;
  std::vector<VatRate> rates ABSL_GUARDED_BY(mu) = *ParseVatRates("2019-01-01=12,2026-01-01=16");
  int calls ABSL_GUARDED_BY(mu) = 0;
};

// One billing run, for 2024-11: what the balance service would answer; and
// a preliminary run of 2024-12 up to the 11th (P-1 transmission 1 MWh so far).
// With `hourly`, also the hourly results of P-1's transmission in both runs:
// 1,000 + 100 x the local hour Wh (51,600 Wh a day), nothing of dispatching;
// P-2's transmission (same region) 2,000 + 30 x ((7 x hour + day) mod 11)
// Wh; none of P-3 (the other region).
class FakeVolumes final : public VolumeSource, public MeasuredSource, public HourlySource {
 public:
  bool hourly = false;
  absl::StatusOr<std::optional<std::string>> BillingRunId(absl::CivilMonth period) override {
    if (!hourly || period != absl::CivilMonth(2024, 11)) return std::optional<std::string>();
    return std::optional<std::string>("run-2024-11");
  }
  absl::StatusOr<std::vector<ServiceHourVolume>> Hours(const std::string& run_id,
                                                       const std::string& participant_id) override {
    std::vector<ServiceHourVolume> out;
    if (!hourly) return out;
    const absl::TimeZone zone = *LoadZone("Asia/Almaty");
    const absl::CivilDay from =
        run_id == "bal-7" ? absl::CivilDay(2024, 12, 1) : absl::CivilDay(2024, 11, 1);
    const absl::CivilDay to =
        run_id == "bal-7" ? absl::CivilDay(2024, 12, 11) : absl::CivilDay(2024, 12, 1);
    for (absl::CivilHour h(from); h < absl::CivilHour(to); ++h) {
      if (participant_id.empty() || participant_id == "P-1") {
        out.push_back({1, absl::FromCivil(h, zone), 1'000 + 100 * h.hour(), "P-1"});
      }
      if (participant_id.empty() || participant_id == "P-2") {
        out.push_back(
            {1, absl::FromCivil(h, zone), 2'000 + 30 * ((7 * h.hour() + h.day()) % 11), "P-2"});
      }
    }
    return out;
  }

  absl::StatusOr<std::optional<MeasuredSoFar>> SoFar(const std::string& participant_id,
                                                     absl::CivilMonth period) override {
    if (period != absl::CivilMonth(2024, 12)) return std::optional<MeasuredSoFar>();
    MeasuredSoFar m;
    m.run_id = "bal-7";
    m.computed_until = absl::FromCivil(absl::CivilDay(2024, 12, 11), *LoadZone("Asia/Almaty"));
    if (participant_id == "P-1") m.volumes_wh = {{1, hourly ? 516'000 : 1'000'000}};
    return std::optional<MeasuredSoFar>(m);
  }
  absl::StatusOr<std::optional<BilledMonth>> Billed(absl::CivilMonth period) override {
    if (period != absl::CivilMonth(2024, 11)) return std::optional<BilledMonth>();
    BilledMonth m{"run-2024-11", {}};
    for (const char* p : {"P-1", "P-2", "P-3"}) m.volumes.push_back({p, 1, period, 5'000'000});
    return std::optional<BilledMonth>(m);
  }
};

// The monthly volume of participant p (1..3), service s, month t (0 = 2019-01), kWh.
double Kwh(int p, int s, int t) {
  return (1000.0 * p + 300 * s) * (1 + 0.01 * t / 12) * (1 + 0.2 * std::cos(2 * M_PI * t / 12)) +
         7 * ((t * 37 + p * 11 + s * 5) % 13);
}

// 2019-01 .. 2024-10 for three participants, transmission and dispatching;
// with `p3_exports`, P-3 a net exporter (transmission -10 x Kwh).
std::string HistoryCsv(bool p3_exports = false) {
  std::string csv = "bin,service,period,volume_kwh\n";
  for (int p = 1; p <= 3; ++p) {
    for (int s = 1; s <= 2; ++s) {
      for (int t = 0; t < 70; ++t) {
        const absl::CivilMonth m = absl::CivilMonth(2019, 1) + t;
        const double kwh = p3_exports && p == 3 && s == 1 ? -10 * Kwh(p, s, t) : Kwh(p, s, t);
        absl::StrAppend(&csv, absl::StrFormat("10000000000%d,%s,%s,%.3f\n", p,
                                              s == 1 ? "transmission" : "dispatching",
                                              absl::FormatCivilTime(m), kwh));
      }
    }
  }
  return csv;
}

struct Fixture {
  ServiceHarness base{GRIDBILL_FORECASTING_MIGRATIONS_DIR};
  FakeClock clock{absl::FromCivil(absl::CivilSecond(2024, 12, 5, 0, 0, 0), absl::UTCTimeZone())};
  PgStore store{base.pool()};
  jobs::PgJobs jobs{base.pool()};
  pg::PgIdempotency idempotency{base.pool()};
  FakeDirectory directory;
  FakeInvoicingVat vat;
  FakeVolumes volumes;
  std::unique_ptr<Runs> runs;
  std::unique_ptr<Outlook> outlook;
  std::unique_ptr<ForecastServiceImpl> forecast_service;
  std::unique_ptr<HistoryServiceImpl> history_service;
  std::unique_ptr<v1::ForecastService::Stub> forecast;
  std::unique_ptr<v1::HistoryService::Stub> history;
  int next_request = 0;

  Fixture() {
    RunsConfig config;
    config.workers = 0;
    config.worker_id = "test";
    config.rows_per_piece = 100;
    config.series_per_piece = 2;
    config.live_from = absl::CivilMonth(2024, 11);
    runs = std::make_unique<Runs>(store, jobs, directory, &volumes, clock, config);
    OutlookConfig oc;
    oc.zone = *LoadZone("Asia/Almaty");
    outlook = std::make_unique<Outlook>(*runs, directory, vat, directory, &volumes, oc, &volumes);
    forecast_service = std::make_unique<ForecastServiceImpl>(*runs, *outlook, idempotency);
    history_service = std::make_unique<HistoryServiceImpl>(*runs, idempotency);
    base.Start({forecast_service.get(), history_service.get()});
    forecast = v1::ForecastService::NewStub(base.channel());
    history = v1::HistoryService::NewStub(base.channel());
  }
  ~Fixture() { base.Stop(); }

  std::string RequestId() { return absl::StrCat("req-", ++next_request); }

  grpc::Status Import(const std::string& content, v1::HistoryImport* out,
                      const std::string& request_id = "") {
    v1::ImportHistoryRequest req;
    req.set_request_id(request_id.empty() ? RequestId() : request_id);
    req.set_file_name("legacy.csv");
    req.set_content(content);
    v1::ImportHistoryResponse resp;
    grpc::Status st = Call(*history, &v1::HistoryService::Stub::ImportHistory, req, &resp);
    if (st.ok()) *out = resp.import();
    return st;
  }
  v1::HistoryImport FinishImport(const std::string& id) {
    REQUIRE(runs->Drive(id, absl::Seconds(60)).ok());
    v1::GetHistoryImportRequest req;
    req.set_import_id(id);
    v1::GetHistoryImportResponse resp;
    REQUIRE_OK(Call(*history, &v1::HistoryService::Stub::GetHistoryImport, req, &resp));
    return resp.import();
  }
  grpc::Status Start(v1::StartForecastRunRequest req, v1::ForecastRun* out) {
    req.set_request_id(RequestId());
    v1::StartForecastRunResponse resp;
    grpc::Status st = Call(*forecast, &v1::ForecastService::Stub::StartForecastRun, req, &resp);
    if (st.ok()) *out = resp.run();
    return st;
  }
  v1::ForecastRun FinishRun(const std::string& id) {
    auto job = runs->Drive(id, absl::Seconds(120));
    REQUIRE(job.ok());
    v1::GetForecastRunRequest req;
    req.set_run_id(id);
    v1::GetForecastRunResponse resp;
    REQUIRE_OK(Call(*forecast, &v1::ForecastService::Stub::GetForecastRun, req, &resp));
    return resp.run();
  }
  // Imports HistoryCsv(p3_exports) and forecasts 24 months from it
  // (2024-12 .. 2026-11); REQUIREs that the run succeeds.
  v1::ForecastRun ForecastFromHistory(bool p3_exports = false) {
    v1::HistoryImport imp;
    REQUIRE_OK(Import(HistoryCsv(p3_exports), &imp));
    FinishImport(imp.id());
    v1::StartForecastRunRequest req;
    req.set_horizon_months(24);
    v1::ForecastRun run;
    REQUIRE_OK(Start(req, &run));
    run = FinishRun(run.id());
    REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
    return run;
  }
  grpc::Status Get(const v1::GetForecastRequest& req, v1::GetForecastResponse* resp,
                   const Who& who = Who()) {
    return Call(*forecast, &v1::ForecastService::Stub::GetForecast, req, resp, who);
  }
};

TEST_CASE("every forecasting RPC admits exactly the roles its access option declares") {
  Fixture f;
  const auto services = access_testing::ServicesOf(*v1::ForecastRun::descriptor());
  REQUIRE(services.size() == 2);
  CHECK(access_testing::CheckEveryMethodAndRole(f.base.channel(), services) == 12 * 8);
  // The empty requests changed nothing.
  CHECK(f.base.CountRows("forecast_runs") == 0);
  CHECK(f.base.CountRows("history_imports") == 0);
}

TEST_CASE("a legacy history file: refused whole on a bad line, imported in pieces, idempotent") {
  Fixture f;
  v1::HistoryImport imp;
  // Bad lines: an unknown BIN, a negative dispatching volume, a month after
  // the system went live, a malformed volume.
  const std::string bad =
      "bin,service,period,volume_kwh\n"
      "100000000001,transmission,2020-01,10\n"
      "999999999999,transmission,2020-01,10\n"
      "100000000002,dispatching,2020-02,-5\n"
      "100000000002,transmission,2024-12,5\n"
      "100000000003,balancing,2020-03,1.2345\n"
      "100000000003,transmission,2020-03,-7.5\n";
  grpc::Status st = f.Import(bad, &imp);
  REQUIRE(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(st.error_message().find("content: 4 bad lines, nothing imported") != std::string::npos);
  CHECK(st.error_message().find("line 3: bin: unknown BIN \"999999999999\"") != std::string::npos);
  CHECK(st.error_message().find("line 4: volume_kwh: negative volume -5 for dispatching") !=
        std::string::npos);
  CHECK(st.error_message().find("line 5: period: 2024-12 is after 2024-10") != std::string::npos);
  CHECK(st.error_message().find("line 6: volume_kwh") != std::string::npos);
  CHECK(f.base.CountRows("history_imports") == 0);
  CHECK(f.base.CountRows("history_months") == 0);

  const std::string csv = HistoryCsv();
  REQUIRE_OK(f.Import(csv, &imp, "import-1"));
  CHECK(imp.rows() == 3 * 2 * 70);
  v1::HistoryImport done = f.FinishImport(imp.id());
  CHECK(done.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(done.job().done() == 420);
  CHECK(done.changed() == 420);
  CHECK(done.job().summary() == "420 rows: 420 new or changed, 0 already present");
  CHECK(f.base.CountRows("history_months") == 420);
  CHECK(f.base.QueryInt("SELECT count(*) FROM job_pieces WHERE job_id = '" + imp.id() + "'") == 5);
  // Volumes are kept exact to the Wh.
  CHECK(f.base.QueryInt("SELECT volume_wh FROM history_months WHERE participant_id = 'P-1' AND "
                        "service_type = 1 AND period = '2019-01-01'") ==
        std::llround(Kwh(1, 1, 0) * 1000));

  // The same request again replays; the same file under a new request changes nothing.
  v1::HistoryImport replay;
  REQUIRE_OK(f.Import(csv, &replay, "import-1"));
  CHECK(replay.id() == imp.id());
  v1::HistoryImport again;
  REQUIRE_OK(f.Import(csv, &again));
  v1::HistoryImport again_done = f.FinishImport(again.id());
  CHECK(again_done.changed() == 0);
  CHECK(again_done.unchanged() == 420);
  CHECK(f.base.CountRows("history_months") == 420);
}

TEST_CASE("a forecast run: inputs recorded, models chosen, sums exact, access and bad input") {
  Fixture f;
  v1::HistoryImport imp;
  REQUIRE_OK(f.Import(HistoryCsv(), &imp));
  f.FinishImport(imp.id());

  // Bad input first: nothing is written.
  v1::ForecastRun run;
  v1::StartForecastRunRequest bad;
  bad.set_horizon_months(61);
  REQUIRE_GRPC(f.Start(bad, &run), grpc::StatusCode::INVALID_ARGUMENT, "horizon_months");
  bad.set_horizon_months(12);
  bad.mutable_history_to()->set_year(2018);
  bad.mutable_history_to()->set_month(6);
  REQUIRE_GRPC(f.Start(bad, &run), grpc::StatusCode::INVALID_ARGUMENT,
               "history_to: 2018-06 is before the history, which starts in 2019-01");
  bad.mutable_history_to()->set_year(2024);
  bad.mutable_history_to()->set_month(12);
  REQUIRE_GRPC(f.Start(bad, &run), grpc::StatusCode::INVALID_ARGUMENT, "history_to");
  bad.mutable_history_to()->set_month(13);
  REQUIRE_GRPC(f.Start(bad, &run), grpc::StatusCode::INVALID_ARGUMENT, "history_to");
  CHECK(f.base.CountRows("forecast_runs") == 0);

  v1::StartForecastRunRequest req;
  req.set_horizon_months(12);
  REQUIRE_OK(f.Start(req, &run));
  CHECK(run.version() == 1);
  CHECK(run.job().state() == common::v1::JOB_STATE_PENDING);
  run = f.FinishRun(run.id());
  INFO(run.job().error());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  // The inputs: the import, and the billing run of 2024-11 after it.
  CHECK(run.inputs().history_import_ids_size() == 1);
  REQUIRE(run.inputs().billing_run_ids_size() == 1);
  CHECK(run.inputs().billing_run_ids(0) == "run-2024-11");
  CHECK(run.inputs().history_to().year() == 2024);
  CHECK(run.inputs().history_to().month() == 11);
  CHECK(run.inputs().series() == 6);
  CHECK(run.inputs().gap_months() == 0);
  CHECK(run.job().done() == 6);
  CHECK(!run.accuracy().median_mase_chosen().value().empty());
  CHECK(run.job().summary().find("6 series; median MASE") == 0);

  // A participant: one forecast per service, December 2024 onwards, with accuracy.
  v1::GetForecastRequest q;
  q.set_level(v1::LEVEL_PARTICIPANT);
  q.set_participant_id("P-1");
  v1::GetForecastResponse p1;
  REQUIRE_OK(f.Get(q, &p1));
  CHECK(p1.run().id() == run.id());
  REQUIRE(p1.series_size() == 2);
  for (const v1::SeriesForecast& s : p1.series()) {
    CHECK(s.history_months() == 71);
    REQUIRE(s.points_size() == 12);
    CHECK(s.points(0).period().year() == 2024);
    CHECK(s.points(0).period().month() == 12);
    CHECK(s.candidates_size() == 4);
    CHECK(s.accuracy().errors() > 0);
    CHECK(s.accuracy().model() == s.model());
    for (const v1::ForecastPoint& p : s.points()) {
      CHECK(p.lower_95_wh() <= p.lower_80_wh());
      CHECK(p.lower_80_wh() <= p.volume_wh());
      CHECK(p.volume_wh() <= p.upper_80_wh());
      CHECK(p.upper_80_wh() <= p.upper_95_wh());
    }
  }

  // Bottom-up: region KZ-11 (P-1, P-2) and the nation add up to the Wh.
  std::map<std::pair<std::string, int>, std::vector<int64_t>> parts;
  for (const char* p : {"P-1", "P-2", "P-3"}) {
    q.set_participant_id(p);
    v1::GetForecastResponse r;
    REQUIRE_OK(f.Get(q, &r));
    for (const auto& s : r.series()) {
      for (const auto& pt : s.points()) parts[{p, s.service_type()}].push_back(pt.volume_wh());
    }
  }
  v1::GetForecastRequest region;
  region.set_level(v1::LEVEL_REGION);
  region.set_region_code("KZ-11");
  region.set_service_type(contracts::v1::SERVICE_TYPE_TRANSMISSION);
  v1::GetForecastResponse kz11;
  REQUIRE_OK(f.Get(region, &kz11));
  REQUIRE(kz11.series_size() == 1);
  v1::GetForecastRequest nation;
  nation.set_level(v1::LEVEL_NATION);
  v1::GetForecastResponse kz;
  REQUIRE_OK(f.Get(nation, &kz));
  REQUIRE(kz.series_size() == 2);
  for (int i = 0; i < 12; ++i) {
    CHECK(kz11.series(0).points(i).volume_wh() == parts[{"P-1", 1}][i] + parts[{"P-2", 1}][i]);
    for (int s = 0; s < 2; ++s) {
      const int service = kz.series(s).service_type();
      CHECK(kz.series(s).points(i).volume_wh() ==
            parts[{"P-1", service}][i] + parts[{"P-2", service}][i] + parts[{"P-3", service}][i]);
    }
  }
  CHECK(kz.series(0).model_spec() == "bottom-up sum of 3 series");
  // The nation's accuracy: the parts' backtest forecasts summed against the
  // summed actuals, at the same origins and horizons as each part's; its
  // MAE at most the parts' MAEs added (errors of opposite sign cancel).
  {
    const v1::Accuracy& na = kz.series(0).accuracy();
    CHECK(na.model_spec() == "bottom-up sum of 3 series' chosen models");
    int64_t parts_mae = 0;
    for (const char* p : {"P-1", "P-2", "P-3"}) {
      v1::GetForecastRequest one;
      one.set_level(v1::LEVEL_PARTICIPANT);
      one.set_participant_id(p);
      one.set_service_type(kz.series(0).service_type());
      v1::GetForecastResponse r;
      REQUIRE_OK(f.Get(one, &r));
      REQUIRE(r.series_size() == 1);
      CHECK(r.series(0).accuracy().errors() == na.errors());
      parts_mae += r.series(0).accuracy().mae_wh();
    }
    CHECK(na.errors() > 0);
    CHECK(na.mae_wh() > 0);
    CHECK(na.mae_wh() <= parts_mae + 1);
    CHECK(!na.mase().value().empty());
    CHECK(!na.coverage_80_percent().value().empty());
    CHECK(kz11.series(0).accuracy().errors() == na.errors());
  }

  // A contract: its participant's service within its validity (to 2025-06).
  v1::GetForecastRequest contract;
  contract.set_level(v1::LEVEL_CONTRACT);
  contract.set_contract_id("C-1");
  v1::GetForecastResponse c1;
  REQUIRE_OK(f.Get(contract, &c1));
  REQUIRE(c1.series_size() == 1);
  CHECK(c1.series(0).participant_id() == "P-2");
  CHECK(c1.series(0).points_size() == 6);  // 2025-01 .. 2025-06
  CHECK(c1.series(0).points(0).volume_wh() == parts[{"P-2", 1}][1]);

  // Access: a participant's user reads its own, nothing else.
  Who user{"user@p1", "ROLE_PARTICIPANT_USER", "P-1"};
  q.set_participant_id("P-1");
  v1::GetForecastResponse own;
  REQUIRE_OK(f.Get(q, &own, user));
  q.set_participant_id("P-2");
  REQUIRE_GRPC(f.Get(q, &own, user), grpc::StatusCode::PERMISSION_DENIED, "participant_id");
  REQUIRE_GRPC(f.Get(nation, &own, user), grpc::StatusCode::PERMISSION_DENIED, "level");
  REQUIRE_GRPC(f.Get(contract, &own, user), grpc::StatusCode::PERMISSION_DENIED, "contract_id");

  // Bad input names the field.
  q.set_participant_id("P-404");
  REQUIRE_GRPC(f.Get(q, &own), grpc::StatusCode::INVALID_ARGUMENT, "participant_id");
  contract.set_contract_id("C-404");
  REQUIRE_GRPC(f.Get(contract, &own), grpc::StatusCode::INVALID_ARGUMENT, "contract_id");
  region.set_region_code("KZ-99");
  REQUIRE_GRPC(f.Get(region, &own), grpc::StatusCode::INVALID_ARGUMENT, "region_code");
  v1::GetForecastRequest no_level;
  REQUIRE_GRPC(f.Get(no_level, &own), grpc::StatusCode::INVALID_ARGUMENT, "level");

  // Immutable: a succeeded run cannot be cancelled; a second run is version 2.
  v1::CancelForecastRunRequest cancel;
  cancel.set_request_id(f.RequestId());
  cancel.set_run_id(run.id());
  v1::CancelForecastRunResponse cancelled;
  REQUIRE_GRPC(Call(*f.forecast, &v1::ForecastService::Stub::CancelForecastRun, cancel, &cancelled),
               grpc::StatusCode::FAILED_PRECONDITION, "immutable");
  v1::ForecastRun second;
  REQUIRE_OK(f.Start(req, &second));
  CHECK(second.version() == 2);
  cancel.set_request_id(f.RequestId());
  cancel.set_run_id(second.id());
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::CancelForecastRun, cancel, &cancelled));
  CHECK(cancelled.run().job().state() == common::v1::JOB_STATE_CANCELLED);
  v1::ListForecastRunsRequest list;
  list.set_page_size(1);
  v1::ListForecastRunsResponse page;
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::ListForecastRuns, list, &page));
  REQUIRE(page.runs_size() == 1);
  CHECK(page.runs(0).version() == 2);
  CHECK(!page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::ListForecastRuns, list, &page));
  REQUIRE(page.runs_size() == 1);
  CHECK(page.runs(0).version() == 1);
  CHECK(page.next_page_token().empty());
}

// The forecast of one participant's service: its points by month.
std::map<absl::CivilMonth, int64_t> Points(Fixture& f, const std::string& participant,
                                           int service) {
  v1::GetForecastRequest q;
  q.set_level(v1::LEVEL_PARTICIPANT);
  q.set_participant_id(participant);
  q.set_service_type(static_cast<contracts::v1::ServiceType>(service));
  v1::GetForecastResponse r;
  REQUIRE_OK(f.Get(q, &r));
  std::map<absl::CivilMonth, int64_t> out;
  for (const v1::ForecastPoint& p : r.series(0).points()) {
    out[absl::CivilMonth(p.period().year(), p.period().month())] = p.volume_wh();
  }
  return out;
}

TEST_CASE("revenue, tariff what-if, declaration flags and the month-to-date estimate") {
  Fixture f;
  f.ForecastFromHistory();
  const auto p1 = Points(f, "P-1", 1);
  const auto d = [](const char* text) { return *Decimal::Parse(text); };

  // Revenue of P-1's transmission: the price in force, split inside March
  // 2025 by days (15 at 2.5, 16 at 3.0), VAT 12 % and 16 % from 2026.
  v1::GetRevenueForecastRequest rq;
  rq.set_participant_id("P-1");
  rq.set_service_type(contracts::v1::SERVICE_TYPE_TRANSMISSION);
  v1::GetRevenueForecastResponse rev;
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::GetRevenueForecast, rq, &rev));
  REQUIRE(rev.months_size() == 24);
  auto month = [&](int i) { return rev.months(i); };
  const int64_t dec = p1.at(absl::CivilMonth(2024, 12));
  CHECK(month(0).net_tiyn() == ChargeFor(d("2.0"), dec).tiyn);
  CHECK(month(0).vat_tiyn() == PercentOf(ChargeFor(d("2.0"), dec), d("12")).tiyn);
  CHECK(month(0).gross_tiyn() == month(0).net_tiyn() + month(0).vat_tiyn());
  const int64_t mar = p1.at(absl::CivilMonth(2025, 3));
  const int64_t first15 = static_cast<int64_t>(static_cast<__int128>(mar) * 15 / 31);
  CHECK(month(3).net_tiyn() ==
        (ChargeFor(d("2.5"), first15) + ChargeFor(d("3.0"), mar - first15)).tiyn);
  CHECK(month(3).price_basis() == "2.5 2025-03-01..2025-03-15, 3 2025-03-16..2025-03-31");
  CHECK(month(13).period().year() == 2026);
  CHECK(month(13).vat_percent().value() == "16");
  CHECK(month(13).vat_tiyn() ==
        PercentOf(ChargeFor(d("3.0"), p1.at(absl::CivilMonth(2026, 1))), d("16")).tiyn);
  CHECK(month(0).gross_lower_80_tiyn() <= month(0).gross_tiyn());
  CHECK(month(0).gross_tiyn() <= month(0).gross_upper_80_tiyn());
  // The rates are invoicing's, read at every answer: a rate invoicing adds
  // (20 % from 2026-07-01) changes the gross of the months from then on
  // and nothing before.
  {
    const v1::GetRevenueForecastResponse before = rev;
    {
      absl::MutexLock lock(&f.vat.mu);
      f.vat.rates = *ParseVatRates("2019-01-01=12,2026-01-01=16,2026-07-01=20");
    }
    REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::GetRevenueForecast, rq, &rev));
    REQUIRE(rev.months_size() == 24);
    for (int i = 0; i < 24; ++i) {
      INFO(i);
      CHECK(rev.months(i).net_tiyn() == before.months(i).net_tiyn());
      if (i < 19) {
        CHECK(rev.months(i).gross_tiyn() == before.months(i).gross_tiyn());
      } else {
        CHECK(rev.months(i).vat_percent().value() == "20");
        CHECK(rev.months(i).vat_tiyn() == PercentOf(Money{rev.months(i).net_tiyn()}, d("20")).tiyn);
        CHECK(rev.months(i).gross_tiyn() > before.months(i).gross_tiyn());
      }
    }
    CHECK(rev.total_gross_tiyn() > before.total_gross_tiyn());
    absl::MutexLock lock(&f.vat.mu);
    f.vat.rates = *ParseVatRates("2019-01-01=12,2026-01-01=16");
  }
  // Every participant: the totals are the sums of the participants'.
  int64_t parts = 0;
  for (const char* p : {"P-1", "P-2", "P-3"}) {
    rq.set_participant_id(p);
    rq.clear_service_type();
    REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::GetRevenueForecast, rq, &rev));
    parts += rev.total_gross_tiyn();
  }
  rq.clear_participant_id();
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::GetRevenueForecast, rq, &rev));
  CHECK(rev.total_gross_tiyn() == parts);
  CHECK(rev.total_gross_tiyn() == rev.total_net_tiyn() + rev.total_vat_tiyn());
  // Dispatching after its last tariff keeps its price, and says so.
  bool stated = false;
  for (const v1::RevenueMonth& m : rev.months()) {
    if (m.service_type() == contracts::v1::SERVICE_TYPE_TECHNICAL_DISPATCHING &&
        m.period().year() == 2025 && m.period().month() == 6) {
      stated = m.price_basis() == "0.2 (the last tariff's price)";
    }
  }
  CHECK(stated);
  Who user{"user@p1", "ROLE_PARTICIPANT_USER", "P-1"};
  REQUIRE_GRPC(Call(*f.forecast, &v1::ForecastService::Stub::GetRevenueForecast, rq, &rev, user),
               grpc::StatusCode::PERMISSION_DENIED, "participant_id");

  // What-if: transmission at 3.5 from 2025-06-01, against 3.0.
  v1::TariffWhatIfRequest wq;
  wq.mutable_scenario()->set_service_type(contracts::v1::SERVICE_TYPE_TRANSMISSION);
  wq.mutable_scenario()->set_new_price_per_kwh("3.5");
  wq.mutable_scenario()->mutable_from_date()->set_year(2025);
  wq.mutable_scenario()->mutable_from_date()->set_month(6);
  wq.mutable_scenario()->mutable_from_date()->set_day(1);
  v1::TariffWhatIfResponse what;
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::TariffWhatIf, wq, &what));
  REQUIRE(what.lines_size() == 3);
  CHECK(what.from().month() == 6);
  CHECK(what.to().year() == 2026);
  CHECK(what.to().month() == 11);
  int64_t effect = 0, p1_effect = 0;
  for (const auto& [m, v] : p1) {
    if (m < absl::CivilMonth(2025, 6)) continue;
    p1_effect += (ChargeFor(d("3.5"), v) - ChargeFor(d("3.0"), v)).tiyn;
  }
  for (const v1::WhatIfLine& l : what.lines()) {
    effect += l.effect_net_tiyn();
    CHECK(l.effect_net_tiyn() == l.scenario_net_tiyn() - l.baseline_net_tiyn());
    if (l.participant_id() == "P-1") CHECK(l.effect_net_tiyn() == p1_effect);
  }
  CHECK(what.total().effect_net_tiyn() == effect);
  CHECK(effect > 0);
  // Bad scenarios name the field.
  v1::TariffWhatIfRequest bad = wq;
  bad.mutable_scenario()->set_service_type(contracts::v1::SERVICE_TYPE_UNSPECIFIED);
  REQUIRE_GRPC(Call(*f.forecast, &v1::ForecastService::Stub::TariffWhatIf, bad, &what),
               grpc::StatusCode::INVALID_ARGUMENT, "scenario.service_type");
  bad = wq;
  bad.mutable_scenario()->set_new_price_per_kwh("3,5");
  REQUIRE_GRPC(Call(*f.forecast, &v1::ForecastService::Stub::TariffWhatIf, bad, &what),
               grpc::StatusCode::INVALID_ARGUMENT, "scenario.new_price_per_kwh");
  bad = wq;
  bad.mutable_scenario()->mutable_from_date()->set_year(2031);
  REQUIRE_GRPC(Call(*f.forecast, &v1::ForecastService::Stub::TariffWhatIf, bad, &what),
               grpc::StatusCode::INVALID_ARGUMENT, "scenario.from_date");
  bad.mutable_scenario()->clear_from_date();
  REQUIRE_GRPC(Call(*f.forecast, &v1::ForecastService::Stub::TariffWhatIf, bad, &what),
               grpc::StatusCode::INVALID_ARGUMENT, "scenario.from_date");

  // Declarations of 2025-01: P-1 30 % above its forecast, P-2 5 % above,
  // P-3's dispatching half of it.
  const int64_t p1_jan = p1.at(absl::CivilMonth(2025, 1));
  const int64_t p2_jan = Points(f, "P-2", 1).at(absl::CivilMonth(2025, 1));
  const int64_t p3_jan = Points(f, "P-3", 2).at(absl::CivilMonth(2025, 1));
  {
    absl::MutexLock lock(&f.directory.mu);
    f.directory.declared = {{"P-1", 1, p1_jan * 13 / 10, "A-1"},
                            {"P-2", 1, p2_jan * 105 / 100, "A-2"},
                            {"P-3", 2, p3_jan / 2, "A-3"}};
  }
  v1::ListDeclarationFlagsRequest fq;
  fq.mutable_period()->set_year(2025);
  fq.mutable_period()->set_month(1);
  v1::ListDeclarationFlagsResponse flags;
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::ListDeclarationFlags, fq, &flags));
  CHECK(flags.declarations_compared() == 3);
  CHECK(flags.threshold_percent().value() == "15.00");
  REQUIRE(flags.flags_size() == 2);
  CHECK(flags.flags(0).participant_id() == "P-1");
  CHECK(flags.flags(0).declared_wh() == p1_jan * 13 / 10);
  CHECK(flags.flags(0).forecast_wh() == p1_jan);
  CHECK(flags.flags(0).difference_percent().value() == "30.00");
  CHECK(flags.flags(0).application_ids(0) == "A-1");
  CHECK(flags.flags(1).participant_id() == "P-3");
  CHECK(flags.flags(1).difference_percent().value() == "-50.00");
  // A lower threshold flags P-2 too, a page at a time.
  fq.mutable_threshold_percent()->set_value("3");
  fq.set_page_size(2);
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::ListDeclarationFlags, fq, &flags));
  REQUIRE(flags.flags_size() == 2);
  CHECK(flags.flags(1).participant_id() == "P-2");
  REQUIRE(!flags.next_page_token().empty());
  fq.set_page_token(flags.next_page_token());
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::ListDeclarationFlags, fq, &flags));
  REQUIRE(flags.flags_size() == 1);
  CHECK(flags.flags(0).participant_id() == "P-3");
  CHECK(flags.next_page_token().empty());
  fq.clear_page_token();
  fq.mutable_period()->set_year(2024);
  fq.mutable_period()->set_month(6);
  REQUIRE_GRPC(Call(*f.forecast, &v1::ForecastService::Stub::ListDeclarationFlags, fq, &flags),
               grpc::StatusCode::INVALID_ARGUMENT, "period: 2024-06 is outside the forecast");
  fq.clear_period();
  REQUIRE_GRPC(Call(*f.forecast, &v1::ForecastService::Stub::ListDeclarationFlags, fq, &flags),
               grpc::StatusCode::INVALID_ARGUMENT, "period");

  // Month to date, 2024-12: 10 of 31 days measured (1 MWh of transmission),
  // the rest 21/31 of the monthly forecast; the accrual at 2.0 + 12 %.
  v1::EstimateMonthToDateRequest eq;
  eq.set_participant_id("P-1");
  eq.mutable_period()->set_year(2024);
  eq.mutable_period()->set_month(12);
  v1::EstimateMonthToDateResponse est;
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::EstimateMonthToDate, eq, &est, user));
  CHECK(est.balance_run_id() == "bal-7");
  CHECK(est.measured_percent().value() == "32.26");
  REQUIRE(est.services_size() == 2);
  const v1::ServiceEstimate& tr = est.services(0);
  CHECK(tr.service_type() == contracts::v1::SERVICE_TYPE_TRANSMISSION);
  CHECK(tr.measured_wh() == 1'000'000);
  CHECK(tr.rest_wh() == std::llround(static_cast<double>(dec) * 21 / 31));
  CHECK(tr.estimate_wh() == tr.measured_wh() + tr.rest_wh());
  CHECK(tr.net_tiyn() == ChargeFor(d("2.0"), tr.estimate_wh()).tiyn);
  CHECK(tr.gross_tiyn() ==
        tr.net_tiyn() + PercentOf(ChargeFor(d("2.0"), tr.estimate_wh()), d("12")).tiyn);
  CHECK(tr.lower_95_wh() <= tr.lower_80_wh());
  CHECK(tr.lower_80_wh() <= tr.estimate_wh());
  CHECK(tr.estimate_wh() <= tr.upper_80_wh());
  CHECK(tr.gross_lower_80_tiyn() <= tr.gross_tiyn());
  CHECK(est.gross_tiyn() == est.services(0).gross_tiyn() + est.services(1).gross_tiyn());
  CHECK(est.services(1).measured_wh() == 0);
  // Another participant's, an unknown one, a month outside the forecast: refused.
  eq.set_participant_id("P-2");
  REQUIRE_GRPC(Call(*f.forecast, &v1::ForecastService::Stub::EstimateMonthToDate, eq, &est, user),
               grpc::StatusCode::PERMISSION_DENIED, "participant_id");
  eq.set_participant_id("P-404");
  REQUIRE_GRPC(Call(*f.forecast, &v1::ForecastService::Stub::EstimateMonthToDate, eq, &est),
               grpc::StatusCode::INVALID_ARGUMENT, "participant_id");
  eq.set_participant_id("P-1");
  eq.mutable_period()->set_year(2027);
  REQUIRE_GRPC(Call(*f.forecast, &v1::ForecastService::Stub::EstimateMonthToDate, eq, &est),
               grpc::StatusCode::INVALID_ARGUMENT, "period");
}

TEST_CASE("a net exporter's month-to-date transmission is not billed: its accrual is 0") {
  Fixture f;
  f.ForecastFromHistory(/*p3_exports=*/true);
  // 2024-12, 10 of 31 days measured (nothing of P-3): the rest of P-3's
  // transmission is 21/31 of a negative month, its dispatching positive.
  v1::EstimateMonthToDateRequest eq;
  eq.set_participant_id("P-3");
  eq.mutable_period()->set_year(2024);
  eq.mutable_period()->set_month(12);
  v1::EstimateMonthToDateResponse est;
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::EstimateMonthToDate, eq, &est));
  REQUIRE(est.services_size() == 2);
  const v1::ServiceEstimate& tr = est.services(0);
  const v1::ServiceEstimate& di = est.services(1);
  REQUIRE(tr.service_type() == contracts::v1::SERVICE_TYPE_TRANSMISSION);
  const int64_t dec = Points(f, "P-3", 1).at(absl::CivilMonth(2024, 12));
  REQUIRE(dec < 0);
  CHECK(tr.estimate_wh() == std::llround(static_cast<double>(dec) * 21 / 31));
  // Invoicing bills a month of net volume <= 0 nothing: neither does the estimate.
  CHECK(tr.net_tiyn() == 0);
  CHECK(tr.gross_tiyn() == 0);
  CHECK(tr.price_basis().rfind("not billed: net volume -", 0) == 0);
  for (int64_t g : {tr.gross_lower_95_tiyn(), tr.gross_lower_80_tiyn(), tr.gross_upper_80_tiyn(),
                    tr.gross_upper_95_tiyn()}) {
    CHECK(g >= 0);
  }
  CHECK(di.gross_tiyn() > 0);
  CHECK(est.gross_tiyn() == di.gross_tiyn());
  CHECK(est.gross_lower_80_tiyn() <= est.gross_tiyn());
  CHECK(est.gross_tiyn() <= est.gross_upper_80_tiyn());
}

TEST_CASE("the month-to-date estimate forecasts the rest of the month hour by hour") {
  Fixture f;
  f.volumes.hourly = true;
  f.ForecastFromHistory();

  // 2024-12 measured up to the 11th (10 days, 516,000 Wh of transmission);
  // the rest, 21 days of the same daily shape, is 21 x 51,600 Wh exactly,
  // and with no backtest error the interval is the point.
  v1::EstimateMonthToDateRequest eq;
  eq.set_participant_id("P-1");
  eq.mutable_period()->set_year(2024);
  eq.mutable_period()->set_month(12);
  v1::EstimateMonthToDateResponse est;
  Who user{"user@p1", "ROLE_PARTICIPANT_USER", "P-1"};
  REQUIRE_OK(Call(*f.forecast, &v1::ForecastService::Stub::EstimateMonthToDate, eq, &est, user));
  REQUIRE(est.hourly_history_run_ids_size() == 2);
  CHECK(est.hourly_history_run_ids(0) == "run-2024-11");
  CHECK(est.hourly_history_run_ids(1) == "bal-7");
  REQUIRE(est.services_size() == 2);
  const v1::ServiceEstimate& tr = est.services(0);
  CHECK(tr.measured_wh() == 516'000);
  CHECK(tr.rest_wh() == 21 * 51'600);
  CHECK(tr.estimate_wh() == 516'000 + 21 * 51'600);
  CHECK(tr.lower_95_wh() == tr.estimate_wh());
  CHECK(tr.upper_95_wh() == tr.estimate_wh());
  REQUIRE(tr.has_hourly());
  CHECK(tr.hourly().forecast_hours() == 21 * 24);
  CHECK(tr.hourly().history_hours() == 30 * 24 + 10 * 24);
  CHECK(tr.hourly().candidates_size() == 3);
  CHECK(tr.hourly().model() == v1::MODEL_KIND_HOURLY_WEEKLY_NAIVE);  // a tie: the simplest
  CHECK(tr.hourly().accuracy().mae_wh() == 0);
  CHECK(tr.hourly().accuracy().origins() == 14);
  // Dispatching has no hourly results: pro rata from the monthly forecast, and said so.
  const v1::ServiceEstimate& di = est.services(1);
  CHECK(!di.has_hourly());
  const int64_t dec = Points(f, "P-1", 2).at(absl::CivilMonth(2024, 12));
  CHECK(di.rest_wh() == std::llround(static_cast<double>(dec) * 21 / 31));
  CHECK(est.method().find("hour by hour for 1 service(s)") != std::string::npos);
  CHECK(est.method().find("pro rata from the monthly forecast") != std::string::npos);
}

TEST_CASE("hourly forecasts of a region and the nation are their participants' added up") {
  Fixture f;
  f.volumes.hourly = true;
  f.ForecastFromHistory();

  auto hourly = [&](v1::Level level, const std::string& participant, const std::string& region,
                    v1::GetForecastResponse* resp, const Who& who = Who()) {
    v1::GetForecastRequest q;
    q.set_hourly(true);
    q.set_level(level);
    q.set_participant_id(participant);
    q.set_region_code(region);
    q.set_service_type(contracts::v1::SERVICE_TYPE_TRANSMISSION);
    q.mutable_period()->set_year(2024);
    q.mutable_period()->set_month(12);
    return f.Get(q, resp, who);
  };
  // 2024-12 after the 11th: 21 days of hours, fitted on 2024-11 and the
  // measured 10 days.
  v1::GetForecastResponse p1, p2, region, nation, other;
  REQUIRE_OK(hourly(v1::LEVEL_PARTICIPANT, "P-1", "", &p1));
  REQUIRE_OK(hourly(v1::LEVEL_PARTICIPANT, "P-2", "", &p2));
  REQUIRE_OK(hourly(v1::LEVEL_REGION, "", "KZ-11", &region));
  REQUIRE_OK(hourly(v1::LEVEL_NATION, "", "", &nation));
  REQUIRE_OK(hourly(v1::LEVEL_REGION, "", "KZ-55", &other));
  CHECK(nation.balance_run_id() == "bal-7");
  REQUIRE(nation.hourly_history_run_ids_size() == 2);
  CHECK(nation.hourly_history_run_ids(0) == "run-2024-11");
  for (const auto* r : {&p1, &p2, &region, &nation}) {
    REQUIRE(r->hourly_size() == 1);
    REQUIRE(r->hourly(0).points_size() == 21 * 24);
    CHECK(r->hourly(0).note().empty());
  }
  const v1::HourlySeriesForecast& a = p1.hourly(0);
  const v1::HourlySeriesForecast& b = p2.hourly(0);
  const v1::HourlySeriesForecast& kz11 = region.hourly(0);
  const v1::HourlySeriesForecast& all = nation.hourly(0);
  // P-1's shape repeats exactly: 1,000 + 100 x the local hour.
  CHECK(a.points(0).volume_wh() == 1'000);  // 2024-12-11 00:00 Almaty
  CHECK(a.points(13).volume_wh() == 2'300);
  CHECK(a.total_wh() == 21 * 51'600);
  CHECK(a.parts() == 0);
  CHECK(a.forecast().model() != v1::MODEL_KIND_UNSPECIFIED);
  // Coherent: every hour of the region is P-1's + P-2's, exactly; P-3 (the
  // other region) has no hourly results, so the nation is the same sum and
  // says that one series counts zero.
  for (int i = 0; i < 21 * 24; ++i) {
    INFO("hour " << i);
    CHECK(kz11.points(i).hour_start().seconds() == a.points(i).hour_start().seconds());
    CHECK(kz11.points(i).volume_wh() == a.points(i).volume_wh() + b.points(i).volume_wh());
    CHECK(all.points(i).volume_wh() == kz11.points(i).volume_wh());
  }
  CHECK(kz11.total_wh() == a.total_wh() + b.total_wh());
  CHECK(kz11.parts() == 2);
  CHECK(kz11.forecast().fallback().find("count zero") == std::string::npos);
  CHECK(all.parts() == 2);
  CHECK(all.forecast().fallback().find("1 series with too few hourly results") !=
        std::string::npos);
  // The sum's own accuracy: the parts' backtest forecasts summed against the
  // summed actuals (P-1's are exact, so the sum's errors are P-2's).
  CHECK(kz11.forecast().model() == v1::MODEL_KIND_UNSPECIFIED);
  CHECK(kz11.forecast().accuracy().model_spec() == "bottom-up sum of 2 series");
  CHECK(kz11.forecast().accuracy().origins() == 14);
  CHECK(kz11.forecast().accuracy().mae_wh() == b.forecast().accuracy().mae_wh());
  CHECK(kz11.forecast().accuracy().has_mase());
  CHECK(kz11.forecast().sum_windows() > 0);
  CHECK(kz11.lower_95_wh() <= kz11.lower_80_wh());
  CHECK(kz11.lower_80_wh() <= kz11.total_wh());
  CHECK(kz11.total_wh() <= kz11.upper_80_wh());
  CHECK(kz11.upper_80_wh() <= kz11.upper_95_wh());
  CHECK(kz11.upper_80_wh() > kz11.lower_80_wh());
  // A region without hourly results: no forecast, and why.
  REQUIRE(other.hourly_size() == 1);
  CHECK(other.hourly(0).points_size() == 0);
  CHECK(other.hourly(0).note().find("too few hourly results") != std::string::npos);

  // Refused: a contract, no period, a month outside the forecast, a
  // participant's user asking for the nation.
  v1::GetForecastRequest bad;
  bad.set_hourly(true);
  bad.set_level(v1::LEVEL_CONTRACT);
  bad.set_contract_id("C-1");
  bad.mutable_period()->set_year(2024);
  bad.mutable_period()->set_month(12);
  v1::GetForecastResponse resp;
  REQUIRE_GRPC(f.Get(bad, &resp), grpc::StatusCode::INVALID_ARGUMENT, "level");
  bad.set_level(v1::LEVEL_NATION);
  bad.clear_period();
  REQUIRE_GRPC(f.Get(bad, &resp), grpc::StatusCode::INVALID_ARGUMENT, "period");
  bad.mutable_period()->set_year(2024);
  bad.mutable_period()->set_month(6);
  REQUIRE_GRPC(f.Get(bad, &resp), grpc::StatusCode::INVALID_ARGUMENT, "period");
  REQUIRE_GRPC(
      hourly(v1::LEVEL_NATION, "", "", &resp, Who{"user@p1", "ROLE_PARTICIPANT_USER", "P-1"}),
      grpc::StatusCode::PERMISSION_DENIED, "level");
}

}  // namespace
}  // namespace gridbill::forecasting
